package io.pubsubnative.spark.sink;

import java.util.Iterator;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.connector.metric.CustomTaskMetric;
import org.apache.spark.sql.connector.write.DataWriter;
import org.apache.spark.sql.connector.write.WriterCommitMessage;

import io.pubsubnative.spark.config.WriteOptions;
import io.pubsubnative.spark.metrics.SinkMetrics;
import io.pubsubnative.spark.nativelib.ArrowMemory;
import io.pubsubnative.spark.nativelib.Publisher;

/**
 * Publishes one write task's rows: buffers them in Arrow vectors ({@link ArrowRowWriter}) and
 * hands each full batch to the task's own native publisher, one JNI call per batch.
 *
 * <p>{@link #commit()} returns only when every message of the task has a server message id.
 * {@link #abort()} closes the publisher, abandoning what is unsent; messages published before the
 * abort stay published and Spark's retry of the task publishes them again (at-least-once).
 */
final class PubSubDataWriter implements DataWriter<InternalRow> {

    private final BufferAllocator allocator;
    private final ArrowRowWriter rows;
    private final Publisher publisher;
    private long[] lastMetrics = new long[Publisher.METRIC_COUNT];

    PubSubDataWriter(WriteOptions options, SinkSchema schema, int partitionId, long taskId) {
        this.allocator = ArrowMemory.allocator().newChildAllocator(
                "pubsub-sink-p" + partitionId + "-t" + taskId, 0, Long.MAX_VALUE);
        try {
            this.rows = new ArrowRowWriter(schema, allocator, options.batchSize());
        } catch (RuntimeException e) {
            allocator.close();
            throw e;
        }
        try {
            this.publisher = Publisher.open(describe(options), options.publisherConfigJson());
        } catch (RuntimeException | Error e) {
            rows.close();
            allocator.close();
            throw e;
        }
    }

    private static String describe(WriteOptions options) {
        return options.topic() != null ? options.topic() : "the topics named by column 'topic'";
    }

    @Override
    public void write(InternalRow row) {
        if (rows.append(row)) {
            sendBatch();
        }
    }

    /** Writes every row, then waits for their message ids so the task's final metrics are complete. */
    @Override
    public void writeAll(Iterator<InternalRow> records) {
        while (records.hasNext()) {
            write(records.next());
        }
        publishAll();
    }

    @Override
    public WriterCommitMessage commit() {
        return new PubSubCommitMessage(publishAll());
    }

    @Override
    public void abort() {
        publisher.close();
    }

    @Override
    public CustomTaskMetric[] currentMetricsValues() {
        if (!publisher.isClosed()) {
            lastMetrics = publisher.metrics();
        }
        return SinkMetrics.taskValues(lastMetrics);
    }

    @Override
    public void close() {
        try {
            publisher.close();
        } finally {
            rows.close();
            allocator.close();
        }
    }

    private void sendBatch() {
        if (rows.rowCount() == 0) {
            return;
        }
        publisher.publish(rows.finish(), allocator);
        rows.reset();
    }

    /** Hands over the partial batch and waits until everything has an id; returns the total published. */
    private long publishAll() {
        sendBatch();
        long published = publisher.flush();
        lastMetrics = publisher.metrics();
        return published;
    }
}
