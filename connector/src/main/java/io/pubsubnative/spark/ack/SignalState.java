package io.pubsubnative.spark.ack;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The content of a commit-signal file: the highest committed Spark batch id, the stopped flag, and
 * the reads of recently committed batches that were superseded (re-read fresh on another executor
 * after their holder was taken for lost), whose messages their holder must nack, not acknowledge.
 */
public final class SignalState {

    /** The committed batch id when the commit log is empty. */
    public static final long NONE = -1L;

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** The read of (batch, partition) held by {@code executorId} that must not be acknowledged. */
    public record Superseded(long batch, int partition, String executorId) {
    }

    private final long committedBatchId;
    private final boolean stopped;
    private final List<Superseded> superseded;

    public SignalState(long committedBatchId, boolean stopped) {
        this(committedBatchId, stopped, List.of());
    }

    public SignalState(long committedBatchId, boolean stopped, List<Superseded> superseded) {
        this.committedBatchId = committedBatchId;
        this.stopped = stopped;
        this.superseded = List.copyOf(superseded);
    }

    public long committedBatchId() {
        return committedBatchId;
    }

    public boolean stopped() {
        return stopped;
    }

    public List<Superseded> superseded() {
        return superseded;
    }

    /** Batches up to {@code committed} whose read of {@code partition} on {@code executorId} was superseded. */
    public List<Long> supersededBatches(String executorId, int partition, long committed) {
        List<Long> out = new ArrayList<>();
        for (Superseded s : superseded) {
            if (s.partition() == partition && s.batch() <= committed && s.executorId().equals(executorId)) {
                out.add(s.batch());
            }
        }
        return out;
    }

    public String toJson() {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("committed_batch_id", committedBatchId);
        node.put("stopped", stopped);
        ArrayNode list = node.putArray("superseded");
        for (Superseded s : superseded) {
            list.addObject().put("batch", s.batch()).put("partition", s.partition())
                    .put("executor", s.executorId());
        }
        return node.toString();
    }

    public static SignalState fromJson(String json) throws IOException {
        JsonNode node = MAPPER.readTree(json);
        if (node == null || !node.has("committed_batch_id") || !node.has("stopped")) {
            throw new IOException("not a commit signal: " + json);
        }
        List<Superseded> superseded = new ArrayList<>();
        for (JsonNode s : node.path("superseded")) {
            superseded.add(new Superseded(s.path("batch").asLong(), s.path("partition").asInt(),
                    s.path("executor").asText()));
        }
        return new SignalState(node.get("committed_batch_id").asLong(), node.get("stopped").asBoolean(),
                superseded);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof SignalState)) {
            return false;
        }
        SignalState other = (SignalState) o;
        return committedBatchId == other.committedBatchId && stopped == other.stopped
                && superseded.equals(other.superseded);
    }

    @Override
    public int hashCode() {
        return (Long.hashCode(committedBatchId) * 31 + (stopped ? 1 : 0)) * 31 + superseded.hashCode();
    }

    @Override
    public String toString() {
        return toJson();
    }
}
