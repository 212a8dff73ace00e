package io.pubsubnative.spark.metrics;

/** encoded bytes of the published messages (data, attributes and ordering key) */
public final class BytesPublishedMetric extends NativeMetric {

    public static final String NAME = "pubsub_bytes_published";

    public BytesPublishedMetric() {
        super(NAME, "bytes published to Pub/Sub (encoded messages)");
    }
}
