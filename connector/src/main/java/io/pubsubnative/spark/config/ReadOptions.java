package io.pubsubnative.spark.config;

import java.io.Serializable;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.function.Consumer;

import org.apache.spark.sql.util.CaseInsensitiveStringMap;

/**
 * The read options of the {@code pubsub} source (DESIGN §5), parsed and validated once. The options
 * themselves (names, bounds, defaults) are defined in {@link OptionCatalog}.
 *
 * <p>Every problem is reported as an {@link IllegalArgumentException} naming the option, the value
 * and what is valid. Option names are case-insensitive; unknown names are checked by
 * {@link UnknownOptions} (typos and write options fail, others are warned about).
 *
 * <p>{@code ackOnCommit=false} makes the source at-most-once: each reader task acknowledges what it
 * read as soon as the task finishes, before Spark commits the batch, so a later failure of the
 * batch loses those messages.
 */
public final class ReadOptions implements Serializable {

    private static final long serialVersionUID = 1L;

    private final String subscription;
    private final ConnectionOptions connection;
    private final Integer parallelism;
    private final int batchSize;
    private final long maxWaitTimeMs;
    private final long maxBatchDurationMs;
    private final Long maxMessagesPerTrigger;
    private final Long maxBytesPerTrigger;
    private final long maxOutstandingMessages;
    private final long maxOutstandingBytes;
    private final long maxAckExtensionSeconds;
    private final long unreachableTimeoutMs;
    private final boolean ackOnCommit;
    private final ReplayLog replayLog;
    private final PayloadFormat format;

    private ReadOptions(CaseInsensitiveStringMap options, Map<String, String> env, Consumer<String> warnings) {
        UnknownOptions.check(options, OptionCatalog.Side.READ, warnings);
        String subscriptionId = OptionParsers.string(options, OptionCatalog.SUBSCRIPTION_ID);
        if (subscriptionId == null) {
            throw new IllegalArgumentException(String.format(
                    "Option 'subscriptionId' is required: set it to '%s', or to a subscription name "
                            + "together with 'projectId'", ResourcePath.SUBSCRIPTION.template()));
        }
        this.subscription = ResourcePath.SUBSCRIPTION.resolve(
                subscriptionId, OptionParsers.string(options, OptionCatalog.PROJECT_ID));
        this.connection = ConnectionOptions.parse(options, env, warnings);

        OptionalLong parallelismSet = OptionCatalog.PARALLELISM.find(options);
        this.parallelism = parallelismSet.isPresent() ? Math.toIntExact(parallelismSet.getAsLong()) : null;
        this.batchSize = OptionCatalog.BATCH_SIZE.getInt(options);
        this.maxWaitTimeMs = OptionCatalog.MAX_WAIT_TIME_MS.get(options);
        this.maxBatchDurationMs = OptionCatalog.MAX_BATCH_DURATION_MS.get(options);
        this.maxMessagesPerTrigger = boxed(OptionCatalog.MAX_MESSAGES_PER_TRIGGER.find(options));
        this.maxBytesPerTrigger = boxed(OptionCatalog.MAX_BYTES_PER_TRIGGER.find(options));
        this.maxOutstandingMessages = OptionCatalog.MAX_OUTSTANDING_MESSAGES.get(options);
        this.maxOutstandingBytes = OptionCatalog.MAX_OUTSTANDING_BYTES.get(options);
        this.maxAckExtensionSeconds = OptionCatalog.MAX_ACK_EXTENSION_SECONDS.get(options);
        this.unreachableTimeoutMs = OptionCatalog.UNREACHABLE_TIMEOUT_MS.get(options);
        this.ackOnCommit = OptionParsers.bool(options, OptionCatalog.ACK_ON_COMMIT, true);
        this.replayLog = OptionParsers.enumValue(options, OptionCatalog.REPLAY_LOG, ReplayLog.MEMORY);
        if (!ackOnCommit && replayLog == ReplayLog.CHECKPOINT) {
            throw new IllegalArgumentException("Option 'ackOnCommit' ('false') cannot be combined with "
                    + "'replayLog' ('checkpoint'): checkpoint mode acknowledges each read as soon as its "
                    + "replay file is durable; remove 'ackOnCommit', or use replayLog=memory");
        }
        this.format = OptionParsers.enumValue(options, OptionCatalog.FORMAT, PayloadFormat.RAW).requireSupported();
        String deadLetter = OptionParsers.string(options, OptionCatalog.DEAD_LETTER_TOPIC);
        if (deadLetter != null && format == PayloadFormat.RAW) {
            throw new IllegalArgumentException(String.format(
                    "Option 'deadLetterTopic' ('%s') cannot be used with format 'raw': raw payloads are "
                            + "never decoded, so nothing can fail to decode; remove the option",
                    deadLetter));
        }
    }

    /** Parses with {@code PUBSUB_EMULATOR_HOST} from the process environment, logging warnings once. */
    public static ReadOptions parse(CaseInsensitiveStringMap options) {
        return new ReadOptions(options, System.getenv(), OnceWarning.LOGGED);
    }

    /** Parses with the given environment (tests). */
    public static ReadOptions parse(CaseInsensitiveStringMap options, Map<String, String> env) {
        return new ReadOptions(options, env, OnceWarning.LOGGED);
    }

    /** Parses with the given environment, passing every warning to {@code warnings} (tests). */
    static ReadOptions parse(CaseInsensitiveStringMap options, Map<String, String> env,
                             Consumer<String> warnings) {
        return new ReadOptions(options, env, warnings);
    }

    /** The full subscription path {@code projects/P/subscriptions/S}. */
    public String subscription() {
        return subscription;
    }

    /** Where and how to connect (shared with the write options). */
    public ConnectionOptions connection() {
        return connection;
    }

    public String credentialsPath() {
        return connection.credentialsPath();
    }

    /** The emulator's host:port, or null to use {@link #endpoint()} with TLS. */
    public String emulatorHost() {
        return connection.emulatorHost();
    }

    public String endpoint() {
        return connection.endpoint();
    }

    /** The parallelism the user asked for; empty means Spark's default parallelism. */
    public OptionalInt parallelism() {
        return parallelism == null ? OptionalInt.empty() : OptionalInt.of(parallelism);
    }

    public int batchSize() {
        return batchSize;
    }

    public long maxWaitTimeMs() {
        return maxWaitTimeMs;
    }

    public long maxBatchDurationMs() {
        return maxBatchDurationMs;
    }

    public OptionalLong maxMessagesPerTrigger() {
        return maxMessagesPerTrigger == null ? OptionalLong.empty() : OptionalLong.of(maxMessagesPerTrigger);
    }

    public OptionalLong maxBytesPerTrigger() {
        return maxBytesPerTrigger == null ? OptionalLong.empty() : OptionalLong.of(maxBytesPerTrigger);
    }

    public long maxOutstandingMessages() {
        return maxOutstandingMessages;
    }

    public long maxOutstandingBytes() {
        return maxOutstandingBytes;
    }

    public long maxAckExtensionSeconds() {
        return maxAckExtensionSeconds;
    }

    /** How long a session may have no working stream before its next fetch fails the task. */
    public long unreachableTimeoutMs() {
        return unreachableTimeoutMs;
    }

    /** True (default): ack after Spark commits the batch. False: at-most-once, ack after each task. */
    public boolean ackOnCommit() {
        return ackOnCommit;
    }

    /** Where re-reads of a batch are served from (docs/replayable-batches.md). */
    public ReplayLog replayLog() {
        return replayLog;
    }

    public PayloadFormat format() {
        return format;
    }

    public long connectTimeoutMs() {
        return connection.connectTimeoutMs();
    }

    /** The session config JSON of docs/architecture.md, passed to the native library. */
    public String sessionConfigJson() {
        return SessionConfigJson.of(this);
    }

    private static Long boxed(OptionalLong value) {
        return value.isPresent() ? value.getAsLong() : null;
    }
}
