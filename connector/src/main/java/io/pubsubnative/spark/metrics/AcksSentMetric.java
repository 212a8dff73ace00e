package io.pubsubnative.spark.metrics;

/** ack ids acknowledged */
public final class AcksSentMetric extends NativeMetric {

    public static final String NAME = "pubsub_acks_sent";

    public AcksSentMetric() {
        super(NAME, "ack ids acknowledged");
    }
}
