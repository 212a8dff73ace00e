package io.pubsubnative.spark.nativelib;

import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Owns one native subscriber session handle. Calls take the read lock (fetch, ack and metrics may
 * overlap, as the native contract allows); {@link #close()} takes the write lock, so it never runs
 * while another call is in flight, and it runs exactly once. Calls after close throw
 * {@link IllegalStateException}.
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
    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private boolean closed;

    private SubscriberSession(String subscription, long handle) {
        this.subscription = subscription;
        this.handle = handle;
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
        Lock read = acquireRead();
        try {
            return NativeBridge.fetch(handle, batchId, maxRows, maxBytes, waitMs, arrayAddr, schemaAddr);
        } finally {
            read.unlock();
        }
    }

    public void ackThrough(long committedBatchId) {
        Lock read = acquireRead();
        try {
            NativeBridge.ackThrough(handle, committedBatchId);
        } finally {
            read.unlock();
        }
    }

    public void nackBatch(long batchId) {
        Lock read = acquireRead();
        try {
            NativeBridge.nackBatch(handle, batchId);
        } finally {
            read.unlock();
        }
    }

    /** The session's counters, indexed by the {@code METRIC_*} constants. */
    public long[] metrics() {
        Lock read = acquireRead();
        try {
            return NativeBridge.metrics(handle);
        } finally {
            read.unlock();
        }
    }

    public boolean isClosed() {
        Lock read = lock.readLock();
        read.lock();
        try {
            return closed;
        } finally {
            read.unlock();
        }
    }

    /** Stops the stream, nacks everything not acknowledged and frees the session. Idempotent. */
    @Override
    public void close() {
        Lock write = lock.writeLock();
        write.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            NativeBridge.closeSubscriber(handle);
        } finally {
            write.unlock();
        }
    }

    private Lock acquireRead() {
        Lock read = lock.readLock();
        read.lock();
        if (closed) {
            read.unlock();
            throw new IllegalStateException("the subscriber session of " + subscription + " is closed");
        }
        return read;
    }
}
