package io.pubsubnative.spark.config;

import java.io.Serializable;
import java.util.Map;
import java.util.function.Consumer;

import org.apache.spark.sql.util.CaseInsensitiveStringMap;

/**
 * The options of the {@code pubsub} sink (DESIGN §5), parsed and validated once. The options
 * themselves (names, bounds, defaults) are defined in {@link OptionCatalog}.
 *
 * <p>Every problem is reported as an {@link IllegalArgumentException} naming the option, the value
 * and what is valid. Option names are case-insensitive; unknown names are checked by
 * {@link UnknownOptions} (typos and read options fail, others are warned about; Spark's own keys
 * such as {@code checkpointLocation} pass). {@code topicId} is optional here: without it every row
 * must name its topic in a {@code topic} column, which the write's schema check enforces.
 */
public final class WriteOptions implements Serializable {

    private static final long serialVersionUID = 1L;

    private final String topic;
    private final ConnectionOptions connection;
    private final int publishBatchSize;
    private final long publishBatchBytes;
    private final long publishLingerMs;
    private final int maxInFlightBatches;
    private final long publishTimeoutMs;
    private final Compression compression;
    private final long maxPendingBytes;
    private final int batchSize;

    private WriteOptions(CaseInsensitiveStringMap options, Map<String, String> env, Consumer<String> warnings) {
        UnknownOptions.check(options, OptionCatalog.Side.WRITE, warnings);
        String topicId = OptionParsers.string(options, OptionCatalog.TOPIC_ID);
        String projectId = OptionParsers.string(options, OptionCatalog.PROJECT_ID);
        this.topic = topicId == null ? null : ResourcePath.TOPIC.resolve(topicId, projectId);
        this.connection = ConnectionOptions.parse(options, env, warnings);
        this.publishBatchSize = OptionCatalog.PUBLISH_BATCH_SIZE.getInt(options);
        this.publishBatchBytes = OptionCatalog.PUBLISH_BATCH_BYTES.get(options);
        this.publishLingerMs = OptionCatalog.PUBLISH_LINGER_MS.get(options);
        this.maxInFlightBatches = OptionCatalog.MAX_IN_FLIGHT_BATCHES.getInt(options);
        this.publishTimeoutMs = OptionCatalog.PUBLISH_TIMEOUT_MS.get(options);
        this.compression = OptionParsers.enumValue(options, OptionCatalog.COMPRESSION, Compression.NONE);
        this.maxPendingBytes = OptionCatalog.MAX_PENDING_BYTES.get(options);
        this.batchSize = OptionCatalog.BATCH_SIZE.getInt(options);
    }

    /** Parses with {@code PUBSUB_EMULATOR_HOST} from the process environment, logging warnings once. */
    public static WriteOptions parse(CaseInsensitiveStringMap options) {
        return new WriteOptions(options, System.getenv(), OnceWarning.LOGGED);
    }

    /** Parses with the given environment (tests). */
    public static WriteOptions parse(CaseInsensitiveStringMap options, Map<String, String> env) {
        return new WriteOptions(options, env, OnceWarning.LOGGED);
    }

    /** Parses with the given environment, passing every warning to {@code warnings} (tests). */
    static WriteOptions parse(CaseInsensitiveStringMap options, Map<String, String> env,
                              Consumer<String> warnings) {
        return new WriteOptions(options, env, warnings);
    }

    /** The full topic path {@code projects/P/topics/T}, or null when rows name their topics. */
    public String topic() {
        return topic;
    }

    public ConnectionOptions connection() {
        return connection;
    }

    /** Messages per Publish request (1 to 1,000). */
    public int publishBatchSize() {
        return publishBatchSize;
    }

    /** Bytes per Publish request (1 to 10,000,000); a single larger message goes alone. */
    public long publishBatchBytes() {
        return publishBatchBytes;
    }

    public long publishLingerMs() {
        return publishLingerMs;
    }

    public int maxInFlightBatches() {
        return maxInFlightBatches;
    }

    public long publishTimeoutMs() {
        return publishTimeoutMs;
    }

    public Compression compression() {
        return compression;
    }

    public long maxPendingBytes() {
        return maxPendingBytes;
    }

    /** Rows per Arrow batch handed to the native publisher. */
    public int batchSize() {
        return batchSize;
    }

    /** The publisher config JSON of docs/architecture.md, passed to the native library. */
    public String publisherConfigJson() {
        return PublisherConfigJson.of(this);
    }
}
