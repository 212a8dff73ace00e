package io.pubsubnative.spark.metrics;

/** bytes written to the checkpoint replay log */
public final class ReplayLogBytesMetric extends NativeMetric {

    public static final String NAME = "pubsub_replay_log_bytes";

    public ReplayLogBytesMetric() {
        super(NAME, "bytes written to the checkpoint replay log");
    }
}
