package io.pubsubnative.spark.sink;

import java.util.function.Function;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.pubsubnative.spark.config.ResourceCheckFailure;
import io.pubsubnative.spark.config.WriteOptions;
import io.pubsubnative.spark.nativelib.PubSubRpcException;
import io.pubsubnative.spark.nativelib.TopicCheck;

/**
 * The driver's fail-fast check of a write: the {@code topicId} topic exists and the service (or the
 * emulator) answers within {@code connectTimeoutMs}. Topics named per row are not checked here; a
 * missing one fails the task that publishes to it.
 *
 * <p>One per table, and it checks each topic once: Spark builds a new write for every micro-batch
 * of a streaming query, and a check per batch would fail a running query at the first Pub/Sub
 * blip, where the executors' publishes retry through it.
 */
public final class TopicValidation {

    private static final Logger LOG = LoggerFactory.getLogger(TopicValidation.class);

    private final Function<String, String> check;
    /** Target and topic of the last successful check. */
    private volatile String verified;

    public TopicValidation() {
        this(TopicCheck::check);
    }

    /** {@code check}: publisher config JSON to the topic's name, throwing when it cannot be used. */
    TopicValidation(Function<String, String> check) {
        this.check = check;
    }

    /**
     * Throws an {@link IllegalArgumentException} naming the topic and where it was looked up when
     * the topic is at fault, or a {@link PubSubRpcException} when Pub/Sub could not be reached
     * ({@link ResourceCheckFailure}). Returns at once for a topic this instance already found.
     */
    void requireExists(WriteOptions options) {
        String where = options.connection().describeTarget();
        String key = where + " " + options.topic();
        if (key.equals(verified)) {
            return;
        }
        try {
            String name = check.apply(options.publisherConfigJson());
            LOG.info("Topic {} on {} exists", name, where);
        } catch (PubSubRpcException e) {
            throw ResourceCheckFailure.ofTopic(options.topic(), where, e);
        }
        verified = key;
    }
}
