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
    public static final int METRIC_ACK_FAILURES = 9;
    public static final int METRIC_REPLAYED_MESSAGES = 10;
    public static final int METRIC_COUNT = 11;

    /** What {@link #beginRead} returns for a fresh read (a replay returns its row count, >= 0). */
    public static final long FRESH_READ = -1;

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

    /**
     * Starts a task's read of {@code batchId}. When this session already completed a read of that
     * batch, the following {@link #fetch} calls replay it (returns its row count, maybe 0); otherwise
     * the read is fresh ({@link #FRESH_READ}) and {@code acknowledge} says whether its messages may be
     * acknowledged when the batch commits. Throws if the batch is already committed.
     */
    public long beginRead(long batchId, boolean acknowledge) {
        return guard.call(() -> NativeBridge.beginRead(handle, batchId, acknowledge));
    }

    /** The task succeeded: later reads of {@code batchId} replay what it read (also nothing). */
    public void completeRead(long batchId) {
        guard.run(() -> NativeBridge.completeRead(handle, batchId));
    }

    /** The task failed: an incomplete read of {@code batchId} is nacked; a completed one is kept. */
    public void abortRead(long batchId) {
        guard.run(() -> NativeBridge.abortRead(handle, batchId));
    }

    /** Acknowledges the read of exactly {@code batchId} now, whatever the commit log says. */
    public void ackBatch(long batchId) {
        guard.run(() -> NativeBridge.ackBatch(handle, batchId));
    }

    /** Acknowledges completed reads of batches up to {@code committedBatchId}; nacks the others. */
    public void ackThrough(long committedBatchId) {
        guard.run(() -> NativeBridge.ackThrough(handle, committedBatchId));
    }

    public void nackBatch(long batchId) {
        guard.run(() -> NativeBridge.nackBatch(handle, batchId));
    }

    /**
     * Whether the session's stream works now: it got an answer, or it stays open on a connection.
     * False before its first stream works and while it cannot connect or every stream fails.
     */
    public boolean streamConnected() {
        return guard.call(() -> NativeBridge.streamConnected(handle));
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
