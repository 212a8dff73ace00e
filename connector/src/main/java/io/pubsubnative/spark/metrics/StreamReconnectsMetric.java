package io.pubsubnative.spark.metrics;

/** StreamingPull reconnects after transient errors */
public final class StreamReconnectsMetric extends NativeMetric {

    public static final String NAME = "pubsub_stream_reconnects";

    public StreamReconnectsMetric() {
        super(NAME, "StreamingPull reconnects after transient errors");
    }
}
