package io.pubsubnative.spark.metrics;

/** acknowledgements that failed after their retries and were kept to be retried */
public final class AckFailuresMetric extends NativeMetric {

    public static final String NAME = "pubsub_ack_failures";

    public AckFailuresMetric() {
        super(NAME, "acknowledgements that failed after their retries and were kept to be retried");
    }
}
