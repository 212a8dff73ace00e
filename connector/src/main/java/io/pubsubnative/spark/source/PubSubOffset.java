package io.pubsubnative.spark.source;

import java.io.IOException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.spark.sql.connector.read.streaming.Offset;

/**
 * The stream's offset: a monotonically increasing batch number and the number of partitions the
 * batch that ends at it was planned with, so that a re-run of the batch (after a restart) plans the
 * same partitions even if {@code parallelism} changed. JSON: {@code {"batch":7,"partitions":4}}.
 * Offsets written before the partition count was recorded are a bare number and have none.
 */
public final class PubSubOffset extends Offset {

    /** The partition count of an offset that does not record one. */
    public static final int UNKNOWN_PARTITIONS = 0;

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final long value;
    private final int partitions;

    public PubSubOffset(long value, int partitions) {
        if (partitions < 0) {
            throw new IllegalArgumentException("negative partition count " + partitions);
        }
        this.value = value;
        this.partitions = partitions;
    }

    /** The initial offset: batch 0, no partitions planned. */
    public static PubSubOffset initial() {
        return new PubSubOffset(0, UNKNOWN_PARTITIONS);
    }

    public long value() {
        return value;
    }

    /** The partition count of the batch ending at this offset, or {@link #UNKNOWN_PARTITIONS}. */
    public int partitions() {
        return partitions;
    }

    @Override
    public String json() {
        return "{\"batch\":" + value + ",\"partitions\":" + partitions + "}";
    }

    public static PubSubOffset fromJson(String json) {
        String trimmed = json == null ? "" : json.trim();
        if (!trimmed.isEmpty() && trimmed.chars().allMatch(Character::isDigit)) {
            try {
                return new PubSubOffset(Long.parseLong(trimmed), UNKNOWN_PARTITIONS);
            } catch (NumberFormatException e) {
                throw notAnOffset(json, e);
            }
        }
        JsonNode node;
        try {
            node = MAPPER.readTree(trimmed);
        } catch (IOException e) {
            throw notAnOffset(json, e);
        }
        if (node == null || !node.path("batch").canConvertToLong() || !node.path("batch").isIntegralNumber()
                || !node.path("partitions").isInt() || node.get("partitions").asInt() < 0) {
            throw notAnOffset(json, null);
        }
        return new PubSubOffset(node.get("batch").asLong(), node.get("partitions").asInt());
    }

    private static IllegalArgumentException notAnOffset(String json, Exception cause) {
        return new IllegalArgumentException("not a pubsub source offset (expected "
                + "{\"batch\":<number>,\"partitions\":<number>}): '" + json + "'", cause);
    }

    /** Accepts a {@link PubSubOffset} or any offset whose JSON is one. */
    public static PubSubOffset of(Offset offset) {
        if (offset instanceof PubSubOffset) {
            return (PubSubOffset) offset;
        }
        return fromJson(offset.json());
    }
}
