package io.pubsubnative.spark.metrics;

/** messages held natively and not yet acknowledged */
public final class UnackedMessagesMetric extends NativeMetric {

    public static final String NAME = "native_unacked_messages";

    public UnackedMessagesMetric() {
        super(NAME, "messages held natively and not yet acknowledged");
    }
}
