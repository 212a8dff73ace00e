package io.pubsubnative.spark.source;

import org.apache.spark.sql.connector.read.streaming.Offset;

/** The stream's offset: a monotonically increasing batch number; its JSON is the bare number. */
public final class PubSubOffset extends Offset {

    private final long value;

    public PubSubOffset(long value) {
        this.value = value;
    }

    public long value() {
        return value;
    }

    @Override
    public String json() {
        return Long.toString(value);
    }

    public static PubSubOffset fromJson(String json) {
        String trimmed = json == null ? "" : json.trim();
        try {
            return new PubSubOffset(Long.parseLong(trimmed));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "not a pubsub source offset (expected a number): '" + json + "'", e);
        }
    }

    /** Accepts a {@link PubSubOffset} or any offset whose JSON is a number. */
    public static PubSubOffset of(Offset offset) {
        if (offset instanceof PubSubOffset) {
            return (PubSubOffset) offset;
        }
        return fromJson(offset.json());
    }
}
