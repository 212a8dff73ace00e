package io.pubsubnative.spark.config;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** Builds the publisher config JSON of docs/architecture.md from {@link WriteOptions}. */
final class PublisherConfigJson {

    private PublisherConfigJson() {
    }

    static String of(WriteOptions options) {
        ObjectNode node = ConfigJson.newObject();
        node.put("topic", options.topic());
        options.connection().putInto(node);
        node.put("batch_size", options.publishBatchSize());
        node.put("batch_bytes", options.publishBatchBytes());
        node.put("linger_ms", options.publishLingerMs());
        node.put("max_in_flight_batches", options.maxInFlightBatches());
        node.put("publish_timeout_ms", options.publishTimeoutMs());
        node.put("compression", options.compression().optionValue());
        node.put("max_pending_bytes", options.maxPendingBytes());
        return ConfigJson.write(node, "publisher");
    }
}
