package io.pubsubnative.spark.config;

import java.io.Serializable;
import java.util.Map;

import org.apache.spark.sql.util.CaseInsensitiveStringMap;

/**
 * The options of the {@code pubsub} sink (DESIGN §5), parsed and validated once.
 *
 * <p>Every problem is reported as an {@link IllegalArgumentException} naming the option, the value
 * and what is valid. Option names are case-insensitive; unknown names are ignored because Spark
 * passes its own options ({@code checkpointLocation}, ...) through the same map. {@code topicId} is
 * optional here: without it every row must name its topic in a {@code topic} column, which the
 * write's schema check enforces.
 */
public final class WriteOptions implements Serializable {

    private static final long serialVersionUID = 1L;

    public static final String TOPIC_ID = "topicId";
    public static final String PUBLISH_BATCH_SIZE = "publishBatchSize";
    public static final String PUBLISH_BATCH_BYTES = "publishBatchBytes";
    public static final String PUBLISH_LINGER_MS = "publishLingerMs";
    public static final String MAX_IN_FLIGHT_BATCHES = "maxInFlightBatches";
    public static final String PUBLISH_TIMEOUT_MS = "publishTimeoutMs";
    public static final String COMPRESSION = "compression";
    public static final String MAX_PENDING_BYTES = "maxPendingBytes";
    public static final String BATCH_SIZE = "batchSize";

    /** Pub/Sub's limits on one Publish request. */
    public static final int MAX_REQUEST_MESSAGES = 1000;
    public static final long MAX_REQUEST_BYTES = 10_000_000L;
    /** The backpressure bound may not be below one full request. */
    public static final long MIN_PENDING_BYTES = MAX_REQUEST_BYTES;

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

    private WriteOptions(CaseInsensitiveStringMap options, Map<String, String> env) {
        String topicId = OptionParsers.string(options, TOPIC_ID);
        String projectId = OptionParsers.string(options, ConnectionOptions.PROJECT_ID);
        this.topic = topicId == null ? null : ResourcePath.TOPIC.resolve(topicId, projectId);
        this.connection = ConnectionOptions.parse(options, env);
        this.publishBatchSize = (int) OptionParsers.longOption(
                options, PUBLISH_BATCH_SIZE, null, 1, MAX_REQUEST_MESSAGES, MAX_REQUEST_MESSAGES);
        this.publishBatchBytes = OptionParsers.longOption(
                options, PUBLISH_BATCH_BYTES, null, 1, MAX_REQUEST_BYTES, MAX_REQUEST_BYTES);
        this.publishLingerMs = OptionParsers.longAtLeast(options, PUBLISH_LINGER_MS, 0, 10);
        this.maxInFlightBatches = (int) OptionParsers.longOption(
                options, MAX_IN_FLIGHT_BATCHES, null, 1, Integer.MAX_VALUE, 10);
        this.publishTimeoutMs = OptionParsers.longAtLeast(options, PUBLISH_TIMEOUT_MS, 1, 60_000);
        this.compression = Compression.parse(OptionParsers.string(options, COMPRESSION));
        this.maxPendingBytes = OptionParsers.longAtLeast(
                options, MAX_PENDING_BYTES, MIN_PENDING_BYTES, 134_217_728L);
        this.batchSize = (int) OptionParsers.longOption(options, BATCH_SIZE, null, 1, 100_000, 1000);
    }

    /** Parses with {@code PUBSUB_EMULATOR_HOST} from the process environment. */
    public static WriteOptions parse(CaseInsensitiveStringMap options) {
        return new WriteOptions(options, System.getenv());
    }

    /** Parses with the given environment (tests). */
    public static WriteOptions parse(CaseInsensitiveStringMap options, Map<String, String> env) {
        return new WriteOptions(options, env);
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
