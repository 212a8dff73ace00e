package io.pubsubnative.spark.metrics;

/** messages whose lease reached maxAckExtensionSeconds */
public final class LeaseExpiriesMetric extends NativeMetric {

    public static final String NAME = "pubsub_lease_expiries";

    public LeaseExpiriesMetric() {
        super(NAME, "messages whose lease reached maxAckExtensionSeconds");
    }
}
