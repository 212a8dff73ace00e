package io.pubsubnative.spark.ack;

import java.io.IOException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The content of a commit-signal file: the highest committed Spark batch id and the stopped flag. */
public final class SignalState {

    /** The committed batch id when the commit log is empty. */
    public static final long NONE = -1L;

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final long committedBatchId;
    private final boolean stopped;

    public SignalState(long committedBatchId, boolean stopped) {
        this.committedBatchId = committedBatchId;
        this.stopped = stopped;
    }

    public long committedBatchId() {
        return committedBatchId;
    }

    public boolean stopped() {
        return stopped;
    }

    public String toJson() {
        return "{\"committed_batch_id\":" + committedBatchId + ",\"stopped\":" + stopped + "}";
    }

    public static SignalState fromJson(String json) throws IOException {
        JsonNode node = MAPPER.readTree(json);
        if (node == null || !node.has("committed_batch_id") || !node.has("stopped")) {
            throw new IOException("not a commit signal: " + json);
        }
        return new SignalState(node.get("committed_batch_id").asLong(), node.get("stopped").asBoolean());
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof SignalState)) {
            return false;
        }
        SignalState other = (SignalState) o;
        return committedBatchId == other.committedBatchId && stopped == other.stopped;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(committedBatchId) * 31 + (stopped ? 1 : 0);
    }

    @Override
    public String toString() {
        return toJson();
    }
}
