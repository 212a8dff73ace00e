package io.pubsubnative.spark.metrics;

/** ack ids nacked for redelivery */
public final class NacksSentMetric extends NativeMetric {

    public static final String NAME = "pubsub_nacks_sent";

    public NacksSentMetric() {
        super(NAME, "ack ids nacked for redelivery");
    }
}
