package io.pubsubnative.spark.source;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

import org.apache.spark.TaskContext;
import org.apache.spark.sql.connector.metric.CustomTaskMetric;
import org.apache.spark.sql.connector.read.PartitionReader;
import org.apache.spark.sql.vectorized.ColumnarBatch;
import org.apache.spark.util.TaskCompletionListener;
import org.apache.spark.util.TaskFailureListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.pubsubnative.spark.ack.SessionKey;
import io.pubsubnative.spark.ack.SessionLease;
import io.pubsubnative.spark.ack.SessionRegistry;
import io.pubsubnative.spark.config.ReadOptions;
import io.pubsubnative.spark.metrics.SourceMetrics;
import io.pubsubnative.spark.nativelib.ArrowMemory;
import io.pubsubnative.spark.nativelib.BatchImporter;
import io.pubsubnative.spark.nativelib.NativeDiagnostics;
import io.pubsubnative.spark.nativelib.SubscriberSession;

/**
 * Reads one partition of one micro-batch from the executor's long-lived native session: fetches
 * Arrow batches until the budget is used, a fetch comes back empty, or {@code maxBatchDurationMs}
 * has passed. Messages are tagged with the batch id and acknowledged when the batch commits.
 */
final class PubSubColumnarReader implements PartitionReader<ColumnarBatch> {

    static final String BATCH_ID_PROPERTY = "streaming.sql.batchId";
    static final long MAX_FETCH_BYTES = 64L * 1024 * 1024;
    /** How long a task whose session was just opened waits for the stream's first message. */
    static final long MAX_CONNECT_WAIT_MS = 2_000;
    /** Under AvailableNow, how long a task that has read nothing waits in silence before it ends empty. */
    static final long DRAIN_IDLE_MS = 2_000;

    private static final Logger LOG = LoggerFactory.getLogger(PubSubColumnarReader.class);

    private final PubSubInputPartition partition;
    private final ReadCounters counters;
    private final ReadOptions options;
    private final long batchId;
    private final SessionLease lease;
    private final SubscriberSession session;
    private final long startNanos;
    private final long[] baselineMetrics;
    private long[] lastMetrics;
    private long rowsRead;
    private long bytesRead;
    private boolean exhausted;
    private boolean taskFailed;
    private final BatchImporter importer;
    private BatchColumns columns;
    private ColumnarBatch current;

    PubSubColumnarReader(PubSubInputPartition partition, ReadCounters counters) {
        this.partition = partition;
        this.counters = counters;
        this.options = partition.options();
        TaskContext context = TaskContext.get();
        if (context == null) {
            throw new IllegalStateException("the pubsub reader must run inside a Spark task");
        }
        this.batchId = batchIdOf(context);
        SessionKey key = new SessionKey(partition.instanceId(), partition.partition());
        try {
            this.lease = SessionRegistry.get().acquire(key,
                    () -> SubscriberSession.open(options.subscription(), partition.sessionConfigJson()),
                    partition.signalPath(), partition.hadoopConf().value().value(),
                    options.maxBatchDurationMs() + TimeUnit.MINUTES.toMillis(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for subscriber session " + key, e);
        }
        this.session = lease.session();
        this.baselineMetrics = lease.reportedMetrics().clone();
        this.lastMetrics = baselineMetrics;
        this.startNanos = System.nanoTime();
        try {
            // A retried attempt of this batch first gives back what an earlier attempt read.
            session.nackBatch(batchId);
            this.importer = new BatchImporter(ArrowMemory.allocator());
        } catch (RuntimeException e) {
            // No task listener is registered yet, so nothing else would give the lease back.
            lease.release();
            throw e;
        }
        context.addTaskFailureListener((TaskFailureListener) (ctx, error) -> onTaskFailure());
        context.addTaskCompletionListener((TaskCompletionListener) ctx -> onTaskCompletion());
    }

    private static long batchIdOf(TaskContext context) {
        String raw = context.getLocalProperty(BATCH_ID_PROPERTY);
        if (raw == null) {
            throw new IllegalStateException("the task has no local property '" + BATCH_ID_PROPERTY
                    + "': the pubsub source can only be read by a micro-batch streaming query");
        }
        try {
            return Long.parseLong(raw.trim());
        } catch (NumberFormatException e) {
            throw new IllegalStateException("the task's local property '" + BATCH_ID_PROPERTY
                    + "' is not a batch id: '" + raw + "'", e);
        }
    }

    @Override
    public boolean next() throws IOException {
        closeCurrent();
        while (!exhausted) {
            long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
            long rowsLeft = partition.messageBudget() - rowsRead;
            long bytesLeft = partition.byteBudget() - bytesRead;
            if (rowsLeft <= 0 || bytesLeft <= 0 || elapsedMs >= options.maxBatchDurationMs()) {
                exhausted = true;
                break;
            }
            int maxRows = (int) Math.min(options.batchSize(), rowsLeft);
            long maxBytes = Math.min(bytesLeft, MAX_FETCH_BYTES);
            long waitMs = Math.max(1, Math.min(options.maxWaitTimeMs(), options.maxBatchDurationMs() - elapsedMs));
            int rows = importer.fetchNext(session, batchId, maxRows, maxBytes, waitMs);
            if (rows > 0) {
                if (columns == null) {
                    columns = new BatchColumns(importer.vector());
                }
                current = columns.batch(rows);
                long payloadBytes = columns.payloadBytes(rows);
                rowsRead += rows;
                bytesRead += payloadBytes;
                counters.rows.add(rows);
                counters.bytes.add(payloadBytes);
                return true;
            }
            if (!stillConnecting(elapsedMs) && !stillDraining()) {
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
     * silence: an empty micro-batch stops the query, so it must mean the subscription is drained. A
     * task that has read rows ends at its first empty fetch, as under other triggers; its batch is
     * not empty, so the query goes on to the next one.
     */
    private boolean stillDraining() {
        return partition.drainCheck() && rowsRead == 0
                && TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos) < DRAIN_IDLE_MS;
    }

    @Override
    public ColumnarBatch get() {
        if (current == null) {
            throw new IllegalStateException("get() called without a successful next()");
        }
        return current;
    }

    @Override
    public CustomTaskMetric[] currentMetricsValues() {
        try {
            if (!session.isClosed()) {
                lastMetrics = session.metrics();
            }
            return SourceMetrics.taskValues(lastMetrics, baselineMetrics, NativeDiagnostics.allocatedBytes());
        } catch (RuntimeException e) {
            LOG.debug("Could not read native metrics", e);
            return SourceMetrics.taskValues(lastMetrics, baselineMetrics, 0L);
        }
    }

    @Override
    public void close() {
        current = null;
        importer.close();
    }

    /** Frees the batch Spark has finished with (the previous {@link #get()}). */
    private void closeCurrent() {
        current = null;
        importer.release();
    }

    private void onTaskFailure() {
        taskFailed = true;
        try {
            session.nackBatch(batchId);
        } catch (RuntimeException e) {
            LOG.warn("Could not nack batch {} of {} after a task failure; its leases will lapse",
                    batchId, lease.key(), e);
        }
    }

    private void onTaskCompletion() {
        close();
        try {
            if (!taskFailed && !options.ackOnCommit()) {
                // ackOnCommit=false: at-most-once, acknowledge as soon as the task is done.
                session.ackThrough(batchId);
            }
        } catch (RuntimeException e) {
            LOG.warn("Could not acknowledge batch {} of {}", batchId, lease.key(), e);
        } finally {
            System.arraycopy(lastMetrics, 0, lease.reportedMetrics(), 0,
                    Math.min(lastMetrics.length, lease.reportedMetrics().length));
            lease.release();
        }
    }
}
