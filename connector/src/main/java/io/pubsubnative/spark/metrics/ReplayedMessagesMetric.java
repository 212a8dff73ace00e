package io.pubsubnative.spark.metrics;

/** messages served again from a replay of their batch */
public final class ReplayedMessagesMetric extends NativeMetric {

    public static final String NAME = "pubsub_replayed_messages";

    public ReplayedMessagesMetric() {
        super(NAME, "messages served again from a replay of their batch");
    }
}
