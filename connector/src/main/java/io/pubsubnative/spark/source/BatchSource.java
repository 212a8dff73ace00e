package io.pubsubnative.spark.source;

import org.apache.spark.sql.connector.metric.CustomTaskMetric;
import org.apache.spark.sql.vectorized.ColumnarBatch;

/**
 * Where one reader task's batches come from: the executor's native session (a fresh read, or a
 * replay of what the session read for the batch before) or a replay file under the checkpoint.
 * Every later read of the same (batch, partition) must return what a successful task read.
 */
interface BatchSource {

    /** Moves to the next batch, releasing the previous one; false at the end. */
    boolean next();

    /** The current batch, valid until the next call of {@link #next()} or {@link #releaseCurrent()}. */
    ColumnarBatch get();

    /** The task's custom metric values so far. */
    CustomTaskMetric[] metrics();

    /** Frees the current batch (Spark closed the reader); the source stays usable for the outcome. */
    void releaseCurrent();

    /**
     * The task succeeded: what it read becomes what every later read of the batch returns. Throws
     * when that cannot be made so, which fails the task.
     */
    void succeeded();

    /** The task failed: nothing it read may be acknowledged as the batch's. Never throws. */
    void failed();

    /** Frees everything; called once, after {@link #succeeded()} or {@link #failed()}. */
    void close();

    /** {@code current}, or the error for a {@link #get()} without a successful {@link #next()}. */
    static ColumnarBatch requireCurrent(ColumnarBatch current) {
        if (current == null) {
            throw new IllegalStateException("get() called without a successful next()");
        }
        return current;
    }
}
