package io.pubsubnative.spark.metrics;

/** messages published (the server returned their ids) */
public final class MessagesPublishedMetric extends NativeMetric {

    public static final String NAME = "pubsub_messages_published";

    public MessagesPublishedMetric() {
        super(NAME, "messages published to Pub/Sub");
    }
}
