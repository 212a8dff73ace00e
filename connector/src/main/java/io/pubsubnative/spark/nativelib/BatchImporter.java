package io.pubsubnative.spark.nativelib;

import org.apache.arrow.c.ArrowArray;
import org.apache.arrow.c.ArrowSchema;
import org.apache.arrow.c.Data;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * Imports the batches of one {@link SubscriberSession} into one reused {@link StructVector}.
 *
 * <p>Only the first fetch asks for the schema; every later one exports the array alone and
 * {@link Data#importIntoVector} loads its buffers into the same vector objects. That skips what
 * dominated a per-batch {@code importVectorSchemaRoot}: parsing the schema, building new vectors and
 * moving the buffers through a record batch. The C struct that receives each array is reused too.
 *
 * <p>Each fetch first releases the previous batch (which runs the native release callback), so at
 * most one batch is held. Not thread-safe: one importer per reading thread.
 */
public final class BatchImporter implements AutoCloseable {

    private final BufferAllocator allocator;
    private final ArrowArray array;
    private StructVector vector;
    /** Rows of the batch held in {@link #vector}, 0 when none is. */
    private int rows;
    private boolean closed;

    public BatchImporter(BufferAllocator allocator) {
        this.allocator = allocator;
        this.array = ArrowArray.allocateNew(allocator);
    }

    /**
     * Releases the previous batch and fetches the next one (see {@link SubscriberSession#fetch}).
     *
     * @return its row count, 0 when nothing arrived within {@code waitMs}
     */
    public int fetchNext(SubscriberSession session, long batchId, int maxRows, long maxBytes, long waitMs) {
        if (closed) {
            throw new IllegalStateException("the batch importer is closed");
        }
        release();
        if (vector == null) {
            return fetchFirst(session, batchId, maxRows, maxBytes, waitMs);
        }
        int fetched = session.fetch(batchId, maxRows, maxBytes, waitMs, array.memoryAddress(), 0L);
        if (fetched > 0) {
            load(fetched);
        }
        return fetched;
    }

    private int fetchFirst(SubscriberSession session, long batchId, int maxRows, long maxBytes, long waitMs) {
        try (ArrowSchema schema = ArrowSchema.allocateNew(allocator)) {
            int fetched = session.fetch(batchId, maxRows, maxBytes, waitMs, array.memoryAddress(),
                    schema.memoryAddress());
            if (fetched <= 0) {
                return 0;
            }
            Field field;
            try {
                field = Data.importField(allocator, schema, null, false);
            } catch (RuntimeException e) {
                array.release();
                throw e;
            }
            vector = (StructVector) field.createVector(allocator);
            load(fetched);
            return fetched;
        }
    }

    private void load(int fetched) {
        Data.importIntoVector(allocator, array, vector, null, false);
        if (vector.getValueCount() != fetched) {
            int loaded = vector.getValueCount();
            release();
            throw new IllegalStateException("the native fetch reported " + fetched
                    + " rows but exported an array of " + loaded);
        }
        rows = fetched;
    }

    /** The vector holding the current batch; null before the first batch arrived. */
    public StructVector vector() {
        return vector;
    }

    /** Frees the current batch's native buffers now instead of at the next fetch. */
    public void release() {
        if (vector != null && rows > 0) {
            vector.clear();
        }
        rows = 0;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (vector != null) {
                vector.close();
            }
        } finally {
            array.close();
        }
    }
}
