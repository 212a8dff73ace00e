package io.pubsubnative.spark.nativelib;

/**
 * Owns one native subscriber session handle. Fetch, ack and metrics may overlap, as the native
 * contract allows; {@link #close()} never runs while another call is in flight, and it runs exactly
 * once (see {@link HandleGuard}). Calls after close throw {@link IllegalStateException}.
 */
public final class SubscriberSession implements AutoCloseable {

    /** Indexes into {@link #metrics()} (docs/architecture.md). */
    public static final int METRIC_INGESTED_MESSAGES = 0;
    public static final int METRIC_INGESTED_BYTES = 1;
    public static final int METRIC_BUFFERED_BYTES = 2;
    public static final int METRIC_UNACKED_MESSAGES = 3;
    public static final int METRIC_ACKS_SENT = 4;
    public static final int METRIC_MODACKS_SENT = 5;
    public static final int METRIC_NACKS_SENT = 6;
    public static final int METRIC_LEASE_EXPIRIES = 7;
    public static final int METRIC_STREAM_RECONNECTS = 8;
    public static final int METRIC_COUNT = 9;

    private final String subscription;
    private final long handle;
    private final HandleGuard guard;

    private SubscriberSession(String subscription, long handle) {
        this.subscription = subscription;
        this.handle = handle;
        this.guard = new HandleGuard("the subscriber session of " + subscription);
    }

    /** Opens a session (does not block on the network). */
    public static SubscriberSession open(String subscription, String configJson) {
        NativeLoader.ensureLoaded();
        return new SubscriberSession(subscription, NativeBridge.openSubscriber(configJson));
    }

    public String subscription() {
        return subscription;
    }

    /** See {@code fetch} in docs/architecture.md; returns the row count, 0 when nothing arrived. */
    public int fetch(long batchId, int maxRows, long maxBytes, long waitMs, long arrayAddr, long schemaAddr) {
        return guard.call(() -> NativeBridge.fetch(handle, batchId, maxRows, maxBytes, waitMs,
                arrayAddr, schemaAddr));
    }

    public void ackThrough(long committedBatchId) {
        guard.run(() -> NativeBridge.ackThrough(handle, committedBatchId));
    }

    public void nackBatch(long batchId) {
        guard.run(() -> NativeBridge.nackBatch(handle, batchId));
    }

    /** The session's counters, indexed by the {@code METRIC_*} constants. */
    public long[] metrics() {
        return guard.call(() -> NativeBridge.metrics(handle));
    }

    public boolean isClosed() {
        return guard.isClosed();
    }

    /** Stops the stream, nacks everything not acknowledged and frees the session. Idempotent. */
    @Override
    public void close() {
        guard.closeOnce(() -> NativeBridge.closeSubscriber(handle));
    }
}
