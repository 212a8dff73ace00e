package io.pubsubnative.spark.sink;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.pubsubnative.spark.config.ResourceCheckFailure;
import io.pubsubnative.spark.config.WriteOptions;
import io.pubsubnative.spark.nativelib.PubSubRpcException;
import io.pubsubnative.spark.nativelib.TopicCheck;

/**
 * The driver's fail-fast check when a write starts: the {@code topicId} topic exists and the service
 * (or the emulator) answers within {@code connectTimeoutMs}. Topics named per row are not checked
 * here; a missing one fails the task that publishes to it.
 */
final class TopicValidation {

    private static final Logger LOG = LoggerFactory.getLogger(TopicValidation.class);

    private TopicValidation() {
    }

    /**
     * Throws an {@link IllegalArgumentException} naming the topic and where it was looked up when
     * the topic is at fault, or a {@link PubSubRpcException} when Pub/Sub could not be reached
     * ({@link ResourceCheckFailure}).
     */
    static void requireExists(WriteOptions options) {
        String where = options.connection().describeTarget();
        try {
            String name = TopicCheck.check(options.publisherConfigJson());
            LOG.info("Topic {} on {} exists", name, where);
        } catch (PubSubRpcException e) {
            throw ResourceCheckFailure.ofTopic(options.topic(), where, e);
        }
    }
}
