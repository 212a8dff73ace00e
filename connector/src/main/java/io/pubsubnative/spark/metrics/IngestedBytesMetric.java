package io.pubsubnative.spark.metrics;

/** payload bytes received from Pub/Sub */
public final class IngestedBytesMetric extends NativeMetric {

    public static final String NAME = "native_ingested_bytes";

    public IngestedBytesMetric() {
        super(NAME, "payload bytes received from Pub/Sub");
    }
}
