package io.pubsubnative.spark.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Every option of the {@code pubsub} source and sink, each defined once: its name, which side
 * uses it and, for integers, its bounds and default ({@link NumericOption}). Declaring an option
 * here registers it, so the list of known names (for typo detection) cannot miss one.
 */
public final class OptionCatalog {

    /** Which side of the connector reads an option. */
    public enum Side {
        READ("read (source)"), WRITE("write (sink)"), BOTH("read and write");

        private final String description;

        Side(String description) {
            this.description = description;
        }

        /** True if an option of this side is used by {@code side} (READ or WRITE). */
        boolean usedBy(Side side) {
            return this == BOTH || this == side;
        }

        String description() {
            return description;
        }
    }

    /** Pub/Sub's limits on one Publish request. */
    private static final long MAX_REQUEST_MESSAGES = 1000;
    private static final long MAX_REQUEST_BYTES = 10_000_000L;

    // Filled by the declarations below, in declaration order (so these must come first).
    private static final Map<String, String> NAMES = new LinkedHashMap<>();
    private static final Map<String, Side> SIDES = new LinkedHashMap<>();
    private static final List<NumericOption> NUMERIC = new ArrayList<>();

    // Read and write: where and how to connect, and the Arrow batch size.
    public static final String PROJECT_ID = name("projectId", Side.BOTH);
    public static final String CREDENTIALS = name("credentials", Side.BOTH);
    public static final String EMULATOR_HOST = name("emulatorHost", Side.BOTH);
    public static final String ENDPOINT = name("endpoint", Side.BOTH);
    public static final NumericOption CONNECT_TIMEOUT_MS =
            number(NumericOption.of("connectTimeoutMs", 1, 600_000, 10_000), Side.BOTH);
    public static final NumericOption BATCH_SIZE =
            number(NumericOption.of("batchSize", 1, 100_000, 1000), Side.BOTH);

    // Read.
    public static final String SUBSCRIPTION_ID = name("subscriptionId", Side.READ);
    /** Unset: Spark's default parallelism (the cluster's cores). */
    public static final NumericOption PARALLELISM = number(
            NumericOption.unsetByDefault("parallelism", 1, Integer.MAX_VALUE).withAlias("numPartitions"),
            Side.READ);
    public static final NumericOption MAX_WAIT_TIME_MS = number(
            NumericOption.of("maxWaitTimeMs", 1, 600_000, 100).withAlias("readWaitMs"), Side.READ);
    public static final NumericOption MAX_BATCH_DURATION_MS =
            number(NumericOption.of("maxBatchDurationMs", 1, 3_600_000, 10_000), Side.READ);
    /** Unset: unlimited. */
    public static final NumericOption MAX_MESSAGES_PER_TRIGGER =
            number(NumericOption.unsetByDefault("maxMessagesPerTrigger", 1, Long.MAX_VALUE), Side.READ);
    /** Unset: unlimited. */
    public static final NumericOption MAX_BYTES_PER_TRIGGER =
            number(NumericOption.unsetByDefault("maxBytesPerTrigger", 1, Long.MAX_VALUE), Side.READ);
    public static final NumericOption MAX_OUTSTANDING_MESSAGES =
            number(NumericOption.of("maxOutstandingMessages", 1, Long.MAX_VALUE, 100_000), Side.READ);
    public static final NumericOption MAX_OUTSTANDING_BYTES =
            number(NumericOption.of("maxOutstandingBytes", 1, Long.MAX_VALUE, 104_857_600L), Side.READ);
    public static final NumericOption MAX_ACK_EXTENSION_SECONDS =
            number(NumericOption.of("maxAckExtensionSeconds", 0, 86_400, 3600), Side.READ);
    /**
     * How long a reader's session may have no working stream (it cannot connect, or every stream
     * fails) before its next fetch fails the task. At least 5 s: a healthy stream needs a moment to
     * connect and prove itself.
     */
    public static final NumericOption UNREACHABLE_TIMEOUT_MS =
            number(NumericOption.of("unreachableTimeoutMs", 5_000, 86_400_000, 120_000), Side.READ);
    public static final String ACK_ON_COMMIT = name("ackOnCommit", Side.READ);
    public static final String REPLAY_LOG = name("replayLog", Side.READ);
    public static final String FORMAT = name("format", Side.READ);
    public static final String DEAD_LETTER_TOPIC = name("deadLetterTopic", Side.READ);

    // Write.
    public static final String TOPIC_ID = name("topicId", Side.WRITE);
    public static final NumericOption PUBLISH_BATCH_SIZE = number(NumericOption.of(
            "publishBatchSize", 1, MAX_REQUEST_MESSAGES, MAX_REQUEST_MESSAGES), Side.WRITE);
    public static final NumericOption PUBLISH_BATCH_BYTES = number(NumericOption.of(
            "publishBatchBytes", 1, MAX_REQUEST_BYTES, MAX_REQUEST_BYTES), Side.WRITE);
    public static final NumericOption PUBLISH_LINGER_MS =
            number(NumericOption.of("publishLingerMs", 0, Long.MAX_VALUE, 10), Side.WRITE);
    public static final NumericOption MAX_IN_FLIGHT_BATCHES =
            number(NumericOption.of("maxInFlightBatches", 1, Integer.MAX_VALUE, 10), Side.WRITE);
    public static final NumericOption PUBLISH_TIMEOUT_MS =
            number(NumericOption.of("publishTimeoutMs", 1, Long.MAX_VALUE, 60_000), Side.WRITE);
    public static final String COMPRESSION = name("compression", Side.WRITE);
    /** At least one full request, or a task could never send one. */
    public static final NumericOption MAX_PENDING_BYTES = number(NumericOption.of(
            "maxPendingBytes", MAX_REQUEST_BYTES, Long.MAX_VALUE, 134_217_728L), Side.WRITE);

    private OptionCatalog() {
    }

    /** Every integer option of both sides, in declaration order. */
    public static List<NumericOption> numericOptions() {
        return Collections.unmodifiableList(NUMERIC);
    }

    /** The side of a known option or alias (any case), or null when {@code name} is unknown. */
    static Side sideOf(String name) {
        return SIDES.get(name.toLowerCase(Locale.ROOT));
    }

    /** The canonical spelling of every name (aliases included) that {@code side} uses. */
    static List<String> namesUsedBy(Side side) {
        List<String> names = new ArrayList<>();
        SIDES.forEach((lower, s) -> {
            if (s.usedBy(side)) {
                names.add(NAMES.get(lower));
            }
        });
        return names;
    }

    private static String name(String name, Side side) {
        String lower = name.toLowerCase(Locale.ROOT);
        if (NAMES.put(lower, name) != null) {
            throw new IllegalStateException("option '" + name + "' is declared twice");
        }
        SIDES.put(lower, side);
        return name;
    }

    private static NumericOption number(NumericOption option, Side side) {
        name(option.name(), side);
        if (option.alias() != null) {
            name(option.alias(), side);
        }
        NUMERIC.add(option);
        return option;
    }
}
