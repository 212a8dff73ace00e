package io.pubsubnative.spark.config;

import java.io.Serializable;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;

import org.apache.spark.sql.util.CaseInsensitiveStringMap;

/**
 * The read options of the {@code pubsub} source (DESIGN §5), parsed and validated once.
 *
 * <p>Every problem is reported as an {@link IllegalArgumentException} naming the option, the value
 * and what is valid. Option names are case-insensitive; unknown names are ignored because Spark
 * passes its own options through the same map.
 *
 * <p>{@code ackOnCommit=false} makes the source at-most-once: each reader task acknowledges what it
 * read as soon as the task finishes, before Spark commits the batch, so a later failure of the
 * batch loses those messages.
 */
public final class ReadOptions implements Serializable {

    private static final long serialVersionUID = 1L;

    public static final String SUBSCRIPTION_ID = "subscriptionId";
    public static final String PARALLELISM = "parallelism";
    public static final String NUM_PARTITIONS = "numPartitions";
    public static final String BATCH_SIZE = "batchSize";
    public static final String MAX_WAIT_TIME_MS = "maxWaitTimeMs";
    public static final String READ_WAIT_MS = "readWaitMs";
    public static final String MAX_BATCH_DURATION_MS = "maxBatchDurationMs";
    public static final String MAX_MESSAGES_PER_TRIGGER = "maxMessagesPerTrigger";
    public static final String MAX_BYTES_PER_TRIGGER = "maxBytesPerTrigger";
    public static final String MAX_OUTSTANDING_MESSAGES = "maxOutstandingMessages";
    public static final String MAX_OUTSTANDING_BYTES = "maxOutstandingBytes";
    public static final String MAX_ACK_EXTENSION_SECONDS = "maxAckExtensionSeconds";
    public static final String ACK_ON_COMMIT = "ackOnCommit";
    public static final String REPLAY_LOG = "replayLog";
    public static final String FORMAT = "format";
    public static final String DEAD_LETTER_TOPIC = "deadLetterTopic";

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
    private final boolean ackOnCommit;
    private final ReplayLog replayLog;
    private final PayloadFormat format;

    private ReadOptions(CaseInsensitiveStringMap options, Map<String, String> env) {
        String subscriptionId = OptionParsers.string(options, SUBSCRIPTION_ID);
        if (subscriptionId == null) {
            throw new IllegalArgumentException(String.format(
                    "Option 'subscriptionId' is required: set it to '%s', or to a subscription name "
                            + "together with 'projectId'", ResourcePath.SUBSCRIPTION.template()));
        }
        this.subscription = ResourcePath.SUBSCRIPTION.resolve(
                subscriptionId, OptionParsers.string(options, ConnectionOptions.PROJECT_ID));
        this.connection = ConnectionOptions.parse(options, env);

        String parallelismRaw = OptionParsers.stringWithAlias(options, PARALLELISM, NUM_PARTITIONS);
        this.parallelism = parallelismRaw == null ? null
                : OptionParsers.positiveInt(
                        OptionParsers.nameUsed(options, PARALLELISM, NUM_PARTITIONS), parallelismRaw);
        this.batchSize = (int) OptionParsers.longOption(options, BATCH_SIZE, null, 1, 100_000, 1000);
        this.maxWaitTimeMs = OptionParsers.longOption(options, MAX_WAIT_TIME_MS, READ_WAIT_MS, 1, 600_000, 100);
        this.maxBatchDurationMs = OptionParsers.longOption(options, MAX_BATCH_DURATION_MS, null, 1, 3_600_000, 10_000);
        this.maxMessagesPerTrigger = optionalPositiveLong(options, MAX_MESSAGES_PER_TRIGGER);
        this.maxBytesPerTrigger = optionalPositiveLong(options, MAX_BYTES_PER_TRIGGER);
        this.maxOutstandingMessages = OptionParsers.longOption(
                options, MAX_OUTSTANDING_MESSAGES, null, 1, Long.MAX_VALUE, 100_000);
        this.maxOutstandingBytes = OptionParsers.longOption(
                options, MAX_OUTSTANDING_BYTES, null, 1, Long.MAX_VALUE, 104_857_600L);
        this.maxAckExtensionSeconds = OptionParsers.longOption(options, MAX_ACK_EXTENSION_SECONDS, null, 0, 86_400, 3600);
        String ack = OptionParsers.string(options, ACK_ON_COMMIT);
        this.ackOnCommit = ack == null || OptionParsers.bool(ACK_ON_COMMIT, ack);
        this.replayLog = ReplayLog.parse(OptionParsers.string(options, REPLAY_LOG));
        if (!ackOnCommit && replayLog == ReplayLog.CHECKPOINT) {
            throw new IllegalArgumentException("Option 'ackOnCommit' ('false') cannot be combined with "
                    + "'replayLog' ('checkpoint'): checkpoint mode acknowledges each read as soon as its "
                    + "replay file is durable; remove 'ackOnCommit', or use replayLog=memory");
        }
        this.format = PayloadFormat.parse(OptionParsers.string(options, FORMAT));
        String deadLetter = OptionParsers.string(options, DEAD_LETTER_TOPIC);
        if (deadLetter != null && format == PayloadFormat.RAW) {
            throw new IllegalArgumentException(String.format(
                    "Option 'deadLetterTopic' ('%s') cannot be used with format 'raw': raw payloads are "
                            + "never decoded, so nothing can fail to decode; remove the option",
                    deadLetter));
        }
    }

    /** Parses with {@code PUBSUB_EMULATOR_HOST} from the process environment. */
    public static ReadOptions parse(CaseInsensitiveStringMap options) {
        return new ReadOptions(options, System.getenv());
    }

    /** Parses with the given environment (tests). */
    public static ReadOptions parse(CaseInsensitiveStringMap options, Map<String, String> env) {
        return new ReadOptions(options, env);
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

    private static Long optionalPositiveLong(CaseInsensitiveStringMap options, String name) {
        String raw = OptionParsers.string(options, name);
        return raw == null ? null : OptionParsers.positiveLong(name, raw);
    }
}
