package io.pubsubnative.spark.metrics;

/** ack ids whose deadline was extended */
public final class ModacksSentMetric extends NativeMetric {

    public static final String NAME = "pubsub_modacks_sent";

    public ModacksSentMetric() {
        super(NAME, "ack ids whose deadline was extended");
    }
}
