package io.pubsubnative.spark.ack;

import io.pubsubnative.spark.nativelib.SubscriberSession;

/**
 * Exclusive use of a registry session by one reader task. {@link #release()} (idempotent) hands it
 * back and starts its idle clock.
 */
public final class SessionLease {

    private final SessionRegistry registry;
    private final SessionKey key;
    private final SubscriberSession session;
    private final long[] reportedMetrics;
    private final boolean fresh;
    private boolean released;

    SessionLease(SessionRegistry registry, SessionKey key, SubscriberSession session,
                 long[] reportedMetrics, boolean fresh) {
        this.registry = registry;
        this.key = key;
        this.session = session;
        this.reportedMetrics = reportedMetrics;
        this.fresh = fresh;
    }

    /**
     * The session's native counters as last reported as task metrics, so that each ack (also the
     * ones the watcher sends between tasks) is counted by exactly one task. Only the lease holder
     * reads or updates it.
     */
    public long[] reportedMetrics() {
        return reportedMetrics;
    }

    public SubscriberSession session() {
        return session;
    }

    /** True when the session was opened for this lease (its stream may still be connecting). */
    public boolean fresh() {
        return fresh;
    }

    public SessionKey key() {
        return key;
    }

    public synchronized void release() {
        if (released) {
            return;
        }
        released = true;
        registry.release(key, session);
    }
}
