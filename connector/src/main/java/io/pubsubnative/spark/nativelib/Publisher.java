package io.pubsubnative.spark.nativelib;

import org.apache.arrow.c.ArrowArray;
import org.apache.arrow.c.ArrowSchema;
import org.apache.arrow.c.Data;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.complex.StructVector;

/**
 * Owns one native publisher handle (docs/architecture.md, "Publisher"). Rows cross as one exported
 * Arrow struct array per {@link #publish} call; {@link #close()} abandons whatever is not yet
 * published. Calls never overlap {@link #close()}, which runs exactly once ({@link HandleGuard}).
 */
public final class Publisher implements AutoCloseable {

    /** Indexes into {@link #metrics()} (docs/architecture.md). */
    public static final int METRIC_MESSAGES_PUBLISHED = 0;
    public static final int METRIC_BYTES_PUBLISHED = 1;
    public static final int METRIC_PUBLISH_REQUESTS = 2;
    public static final int METRIC_PUBLISH_RETRIES = 3;
    public static final int METRIC_LATENCY_SUM_MICROS = 4;
    public static final int METRIC_LATENCY_MAX_MICROS = 5;
    public static final int METRIC_PENDING_BYTES = 6;
    public static final int METRIC_PENDING_MESSAGES = 7;
    public static final int METRIC_COUNT = 8;

    private final long handle;
    private final HandleGuard guard;

    private Publisher(String description, long handle) {
        this.handle = handle;
        this.guard = new HandleGuard("the publisher of " + description);
    }

    /**
     * Opens a publisher (does not block on the network).
     *
     * @param description the default topic, or what the rows route to, for error messages
     */
    public static Publisher open(String description, String configJson) {
        NativeLoader.ensureLoaded();
        return new Publisher(description, NativeBridge.openPublisher(configJson));
    }

    /**
     * Exports {@code batch} (a struct array, one row per message) through the C Data Interface and
     * hands it to the native publisher, which validates every row, copies the messages and releases
     * the export before returning; blocks while too many bytes are unconfirmed. The vectors may be
     * reused afterwards.
     *
     * @throws IllegalArgumentException for a bad row (nothing of this batch is queued)
     * @throws PubSubRpcException for an earlier asynchronous failure (permanent error, publish
     *         timeout)
     */
    public void publish(StructVector batch, BufferAllocator allocator) {
        guard.run(() -> {
            try (ArrowArray array = ArrowArray.allocateNew(allocator);
                 ArrowSchema schema = ArrowSchema.allocateNew(allocator)) {
                Data.exportField(allocator, batch.getField(), null, schema);
                Data.exportVector(allocator, batch, null, array);
                try {
                    NativeBridge.publish(handle, array.memoryAddress(), schema.memoryAddress());
                } finally {
                    // The native side moves both structs out (their release pointers become null);
                    // whatever it did not take, e.g. after a failure before import, is released here.
                    releaseIfExported(array, schema);
                }
            }
        });
    }

    /**
     * Sends what lingers and waits until every message accepted so far has a server message id.
     *
     * @return the total messages this publisher published
     * @throws PubSubRpcException naming the topic, the gRPC status and the attempts on failure
     */
    public long flush() {
        return guard.call(() -> NativeBridge.flush(handle));
    }

    /** The publisher's counters, indexed by the {@code METRIC_*} constants. */
    public long[] metrics() {
        return guard.call(() -> NativeBridge.publisherMetrics(handle));
    }

    public boolean isClosed() {
        return guard.isClosed();
    }

    /** Abandons unsent messages, cancels requests in flight and frees the publisher. Idempotent. */
    @Override
    public void close() {
        guard.closeOnce(() -> NativeBridge.closePublisher(handle));
    }

    private static void releaseIfExported(ArrowArray array, ArrowSchema schema) {
        if (array.snapshot().release != 0L) {
            array.release();
        }
        if (schema.snapshot().release != 0L) {
            schema.release();
        }
    }
}
