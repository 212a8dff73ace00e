package io.pubsubnative.spark.source;

import org.apache.spark.sql.connector.metric.CustomTaskMetric;
import org.apache.spark.sql.vectorized.ColumnarBatch;

import io.pubsubnative.spark.metrics.SourceMetrics;
import io.pubsubnative.spark.nativelib.NativeDiagnostics;
import io.pubsubnative.spark.nativelib.SubscriberSession;
import io.pubsubnative.spark.replay.ReplayLogReader;

/**
 * A task's read of (batch, partition) from the replay file a successful earlier read published
 * ({@code replayLog=checkpoint}): on any executor, for any action, after a driver restart. Its
 * messages were acknowledged when the file was published, so the task has nothing to release.
 */
final class FileReplay implements BatchSource {

    private final ReplayLogReader reader;
    private final ReadCounters counters;
    private final long[] replayed = new long[SubscriberSession.METRIC_COUNT];
    private BatchColumns columns;
    private ColumnarBatch current;

    FileReplay(ReplayLogReader reader, ReadCounters counters) {
        this.reader = reader;
        this.counters = counters;
    }

    @Override
    public boolean next() {
        current = null;
        int rows = reader.next();
        if (rows == 0) {
            return false;
        }
        if (columns == null) {
            columns = BatchColumns.of(reader.vectors());
        }
        current = columns.batch(rows);
        replayed[SubscriberSession.METRIC_REPLAYED_MESSAGES] += rows;
        counters.rows.add(rows);
        counters.bytes.add(columns.payloadBytes(rows));
        return true;
    }

    @Override
    public ColumnarBatch get() {
        return BatchSource.requireCurrent(current);
    }

    @Override
    public CustomTaskMetric[] metrics() {
        return SourceMetrics.taskValues(replayed, new long[replayed.length], NativeDiagnostics.allocatedBytes(), 0L);
    }

    @Override
    public void releaseCurrent() {
        current = null;
    }

    @Override
    public void succeeded() {
        // Nothing to publish or acknowledge: the file is the record.
    }

    @Override
    public void failed() {
        // Nothing was taken from Pub/Sub.
    }

    @Override
    public void close() {
        current = null;
        reader.close();
    }
}
