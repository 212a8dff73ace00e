package io.pubsubnative.spark.metrics;

/** Publish attempts retried after a transient error */
public final class PublishRetriesMetric extends NativeMetric {

    public static final String NAME = "pubsub_publish_retries";

    public PublishRetriesMetric() {
        super(NAME, "Publish requests retried after a transient error");
    }
}
