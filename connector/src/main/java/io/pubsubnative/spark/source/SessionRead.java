package io.pubsubnative.spark.source;

import java.util.concurrent.TimeUnit;

import org.apache.spark.sql.connector.metric.CustomTaskMetric;
import org.apache.spark.sql.vectorized.ColumnarBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.pubsubnative.spark.ack.SessionLease;
import io.pubsubnative.spark.config.ReadOptions;
import io.pubsubnative.spark.metrics.SourceMetrics;
import io.pubsubnative.spark.nativelib.ArrowMemory;
import io.pubsubnative.spark.nativelib.BatchImporter;
import io.pubsubnative.spark.nativelib.NativeDiagnostics;
import io.pubsubnative.spark.nativelib.SubscriberSession;
import io.pubsubnative.spark.replay.ReplayLogWriter;

/**
 * A task's read of (batch, partition) through the executor's native session. A fresh read fetches
 * Arrow batches until the budget is used, a fetch comes back empty, or {@code maxBatchDurationMs}
 * has passed; a replay returns exactly the batches the session handed out for the batch before. With
 * {@code replayLog=checkpoint} every batch is also appended to the batch's replay file, which is
 * published when the task succeeds, and only then are the messages acknowledged.
 */
final class SessionRead implements BatchSource {

    static final long MAX_FETCH_BYTES = 64L * 1024 * 1024;
    /** How long a task whose session was just opened waits for the stream's first message. */
    static final long MAX_CONNECT_WAIT_MS = 2_000;
    /**
     * Under AvailableNow, how long a task that has read nothing waits in silence on a working stream
     * before it ends empty.
     */
    static final long DRAIN_IDLE_MS = 2_000;

    private static final Logger LOG = LoggerFactory.getLogger(SessionRead.class);

    private final PubSubInputPartition partition;
    private final ReadOptions options;
    private final ReadCounters counters;
    private final long batchId;
    private final SessionLease lease;
    private final SubscriberSession session;
    private final boolean replay;
    /** Null unless replayLog=checkpoint. */
    private final ReplayLogWriter writer;
    private final long startNanos = System.nanoTime();
    /** Since when the stream has been connected and silent; only read under AvailableNow. */
    private long quietSinceNanos = startNanos;
    private final long[] baselineMetrics;
    private final BatchImporter importer;
    private long[] lastMetrics;
    private long rowsRead;
    private long bytesRead;
    private boolean exhausted;
    private BatchColumns columns;
    private ColumnarBatch current;

    /**
     * Takes over {@code lease}, on which {@link SubscriberSession#beginRead} already ran: releases it
     * when closed, also if this constructor fails.
     */
    SessionRead(PubSubInputPartition partition, ReadCounters counters, long batchId, SessionLease lease,
                boolean replay, ReplayLogWriter writer) {
        this.partition = partition;
        this.options = partition.options();
        this.counters = counters;
        this.batchId = batchId;
        this.lease = lease;
        this.session = lease.session();
        this.replay = replay;
        this.writer = writer;
        this.baselineMetrics = lease.reportedMetrics().clone();
        this.lastMetrics = baselineMetrics;
        try {
            this.importer = new BatchImporter(ArrowMemory.allocator());
        } catch (RuntimeException e) {
            abortQuietly();
            lease.release();
            throw e;
        }
    }

    @Override
    public boolean next() {
        releaseCurrent();
        while (!exhausted) {
            long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
            long rowsLeft = partition.messageBudget() - rowsRead;
            long bytesLeft = partition.byteBudget() - bytesRead;
            long durationLeftMs = options.maxBatchDurationMs() - elapsedMs;
            if (!replay && (rowsLeft <= 0 || bytesLeft <= 0 || (durationLeftMs <= 0 && !awaitingConnection()))) {
                exhausted = true;
                break;
            }
            // A replay hands back its recorded batches whole and at once; the limits do not apply.
            int maxRows = (int) Math.max(1, Math.min(options.batchSize(), rowsLeft));
            long maxBytes = Math.max(1, Math.min(bytesLeft, MAX_FETCH_BYTES));
            long waitMs = durationLeftMs <= 0 ? options.maxWaitTimeMs()
                    : Math.max(1, Math.min(options.maxWaitTimeMs(), durationLeftMs));
            int rows = importer.fetchNext(session, batchId, maxRows, maxBytes, waitMs);
            if (rows > 0) {
                if (columns == null) {
                    columns = BatchColumns.of(importer.vector());
                }
                if (writer != null) {
                    writer.append(importer.vector(), rows);
                }
                current = columns.batch(rows);
                long payloadBytes = columns.payloadBytes(rows);
                rowsRead += rows;
                bytesRead += payloadBytes;
                counters.rows.add(rows);
                counters.bytes.add(payloadBytes);
                return true;
            }
            if (replay || (!stillConnecting(elapsedMs) && !stillDraining())) {
                exhausted = true;
            }
        }
        return false;
    }

    /**
     * A session opened by this task may still be connecting its stream: keep waiting for its first
     * message up to {@link #MAX_CONNECT_WAIT_MS} (at most {@code connectTimeoutMs}) instead of ending
     * the batch at the first empty fetch.
     */
    private boolean stillConnecting(long elapsedMs) {
        return lease.fresh() && rowsRead == 0
                && elapsedMs < Math.min(MAX_CONNECT_WAIT_MS, options.connectTimeoutMs());
    }

    /**
     * Under AvailableNow, a task that has read nothing ends only after {@link #DRAIN_IDLE_MS} of
     * silence on a working stream: an empty micro-batch stops the query, so it must mean the
     * subscription is drained, not that the stream could not connect. While the stream is not
     * connected the task waits, past {@code maxBatchDurationMs} too, until it connects or a fetch
     * fails because {@code unreachableTimeoutMs} passed. A task that has read rows ends at its first
     * empty fetch, as under other triggers; its batch is not empty, so the query goes on to the next
     * one.
     */
    private boolean stillDraining() {
        long now = System.nanoTime();
        if (awaitingConnection()) {
            quietSinceNanos = now;
            return true;
        }
        return partition.drainCheck() && rowsRead == 0
                && TimeUnit.NANOSECONDS.toMillis(now - quietSinceNanos) < DRAIN_IDLE_MS;
    }

    /** Under AvailableNow, a task that has read nothing on a stream that is not connected yet. */
    private boolean awaitingConnection() {
        return partition.drainCheck() && rowsRead == 0 && !session.streamConnected();
    }

    @Override
    public ColumnarBatch get() {
        return BatchSource.requireCurrent(current);
    }

    @Override
    public CustomTaskMetric[] metrics() {
        long logBytes = writer == null ? 0L : writer.bytesWritten();
        try {
            if (!session.isClosed()) {
                lastMetrics = session.metrics();
            }
            return SourceMetrics.taskValues(lastMetrics, baselineMetrics, NativeDiagnostics.allocatedBytes(),
                    logBytes);
        } catch (RuntimeException e) {
            LOG.debug("Could not read native metrics", e);
            return SourceMetrics.taskValues(lastMetrics, baselineMetrics, 0L, logBytes);
        }
    }

    @Override
    public void releaseCurrent() {
        current = null;
        importer.release();
    }

    @Override
    public void succeeded() {
        if (writer == null) {
            session.completeRead(batchId);
            if (!options.ackOnCommit()) {
                // ackOnCommit=false: at-most-once, acknowledge as soon as the task is done.
                session.ackBatch(batchId);
            }
            return;
        }
        boolean published;
        try {
            published = writer.publish();
        } catch (RuntimeException e) {
            abortQuietly();
            throw e;
        }
        if (!published) {
            abortQuietly();
            throw new IllegalStateException(String.format("Another attempt of batch %d partition %d of %s "
                    + "published its replay file first; this attempt's messages were released, and "
                    + "Spark's retry of the task replays the published file", batchId,
                    partition.partition(), options.subscription()));
        }
        // The file is durable: later reads replay it, so the messages can go now.
        session.completeRead(batchId);
        session.ackBatch(batchId);
    }

    @Override
    public void failed() {
        abortQuietly();
    }

    private void abortQuietly() {
        if (writer != null) {
            writer.abort();
        }
        try {
            session.abortRead(batchId);
        } catch (RuntimeException e) {
            LOG.warn("Could not release the read of batch {} of {} after a task failure; its leases will "
                    + "lapse", batchId, lease.key(), e);
        }
    }

    @Override
    public void close() {
        try {
            current = null;
            importer.close();
            if (writer != null) {
                writer.close();
            }
        } finally {
            System.arraycopy(lastMetrics, 0, lease.reportedMetrics(), 0,
                    Math.min(lastMetrics.length, lease.reportedMetrics().length));
            lease.release();
        }
    }
}
