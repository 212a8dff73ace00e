package io.pubsubnative.spark.source;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.TaskContext;
import org.apache.spark.sql.connector.metric.CustomTaskMetric;
import org.apache.spark.sql.connector.read.PartitionReader;
import org.apache.spark.sql.vectorized.ColumnarBatch;
import org.apache.spark.util.TaskCompletionListener;
import org.apache.spark.util.TaskFailureListener;

import io.pubsubnative.spark.ack.ExecutorIdentity;
import io.pubsubnative.spark.ack.SessionKey;
import io.pubsubnative.spark.ack.SessionLease;
import io.pubsubnative.spark.ack.SessionRegistry;
import io.pubsubnative.spark.config.ReadOptions;
import io.pubsubnative.spark.config.ReplayLog;
import io.pubsubnative.spark.nativelib.ArrowMemory;
import io.pubsubnative.spark.nativelib.SubscriberSession;
import io.pubsubnative.spark.replay.ReadClaims;
import io.pubsubnative.spark.replay.ReplayLogLayout;
import io.pubsubnative.spark.replay.ReplayLogReader;
import io.pubsubnative.spark.replay.ReplayLogWriter;

/**
 * Reads one partition of one micro-batch. Every read of the same (batch, partition) returns the
 * same messages (docs/replayable-batches.md): the first successful read decides them, and later
 * reads replay it from the session that holds it ({@code replayLog=memory}) or from its file under
 * the checkpoint ({@code replayLog=checkpoint}). The task's outcome decides what happens to the
 * messages: a success makes its read the batch's, a failure releases a fresh read for redelivery.
 */
final class PubSubColumnarReader implements PartitionReader<ColumnarBatch> {

    static final String BATCH_ID_PROPERTY = "streaming.sql.batchId";

    private final BatchSource source;
    private boolean taskFailed;

    PubSubColumnarReader(PubSubInputPartition partition, ReadCounters counters) {
        TaskContext context = TaskContext.get();
        if (context == null) {
            throw new IllegalStateException("the pubsub reader must run inside a Spark task");
        }
        this.source = open(partition, counters, batchIdOf(context));
        context.addTaskFailureListener((TaskFailureListener) (ctx, error) -> {
            taskFailed = true;
            source.failed();
        });
        context.addTaskCompletionListener((TaskCompletionListener) ctx -> {
            try {
                if (!taskFailed) {
                    source.succeeded();
                }
            } finally {
                source.close();
            }
        });
    }

    private static BatchSource open(PubSubInputPartition partition, ReadCounters counters, long batchId) {
        ReadOptions options = partition.options();
        Configuration conf = partition.hadoopConf().value().value();
        ReplayLogLayout layout = new ReplayLogLayout(new Path(partition.sourceRoot()), partition.instanceId());
        FileSystem fs = fileSystem(layout, conf);
        boolean checkpoint = options.replayLog() == ReplayLog.CHECKPOINT;
        if (checkpoint) {
            Path file = layout.logFile(batchId, partition.partition());
            Optional<ReplayLogReader> replay = ReplayLogReader.openIfPresent(fs, file, ArrowMemory.allocator());
            if (replay.isPresent()) {
                return new FileReplay(replay.get(), counters);
            }
        }
        SessionLease lease = acquire(partition, batchId, conf);
        try {
            SubscriberSession session = lease.session();
            long replayRows = session.beginRead(batchId, true);
            boolean fresh = replayRows == SubscriberSession.FRESH_READ;
            if (fresh && !checkpoint && partition.claimsRequired()) {
                boolean holder = ReadHolders.claim(new ReadClaims(fs, layout), batchId, partition.partition(),
                        ExecutorIdentity.current(), options.subscription());
                if (!holder) {
                    session.abortRead(batchId);
                    session.beginRead(batchId, false);
                }
            }
            ReplayLogWriter writer = checkpoint
                    ? ReplayLogWriter.open(fs, layout, batchId, partition.partition())
                    : null;
            return new SessionRead(partition, counters, batchId, lease, !fresh, writer);
        } catch (RuntimeException e) {
            lease.release();
            throw e;
        }
    }

    private static FileSystem fileSystem(ReplayLogLayout layout, Configuration conf) {
        try {
            return layout.logRoot().getFileSystem(conf);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the file system of the checkpoint " + layout.logRoot(), e);
        }
    }

    private static SessionLease acquire(PubSubInputPartition partition, long batchId, Configuration conf) {
        ReadOptions options = partition.options();
        SessionKey key = new SessionKey(partition.instanceId(), partition.partition());
        try {
            return SessionRegistry.get().acquire(key, batchId,
                    () -> SubscriberSession.open(options.subscription(), partition.sessionConfigJson()),
                    partition.signalPath(), conf, options.maxBatchDurationMs() + TimeUnit.MINUTES.toMillis(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for subscriber session " + key, e);
        }
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
    public boolean next() {
        return source.next();
    }

    @Override
    public ColumnarBatch get() {
        return source.get();
    }

    @Override
    public CustomTaskMetric[] currentMetricsValues() {
        return source.metrics();
    }

    @Override
    public void close() {
        // The task's outcome is not known yet: the completion listener settles and frees the read.
        source.releaseCurrent();
    }
}
