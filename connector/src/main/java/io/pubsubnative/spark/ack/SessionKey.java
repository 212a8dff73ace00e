package io.pubsubnative.spark.ack;

import java.util.Objects;

/** Identifies one native session on an executor: stream instance and partition index. */
public final class SessionKey {

    private final String instanceId;
    private final int partition;

    public SessionKey(String instanceId, int partition) {
        this.instanceId = Objects.requireNonNull(instanceId, "instanceId");
        this.partition = partition;
    }

    public String instanceId() {
        return instanceId;
    }

    public int partition() {
        return partition;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof SessionKey)) {
            return false;
        }
        SessionKey other = (SessionKey) o;
        return partition == other.partition && instanceId.equals(other.instanceId);
    }

    @Override
    public int hashCode() {
        return instanceId.hashCode() * 31 + partition;
    }

    @Override
    public String toString() {
        return instanceId + "/" + partition;
    }
}
