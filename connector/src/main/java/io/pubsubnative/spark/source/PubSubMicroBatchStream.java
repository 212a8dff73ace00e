package io.pubsubnative.spark.source;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.connector.read.InputPartition;
import org.apache.spark.sql.connector.read.PartitionReaderFactory;
import org.apache.spark.sql.connector.read.streaming.MicroBatchStream;
import org.apache.spark.sql.connector.read.streaming.Offset;
import org.apache.spark.sql.connector.read.streaming.ReadLimit;
import org.apache.spark.sql.connector.read.streaming.ReportsSourceMetrics;
import org.apache.spark.sql.connector.read.streaming.SupportsTriggerAvailableNow;
import org.apache.spark.util.SerializableConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.pubsubnative.spark.ack.CommitSignal;
import io.pubsubnative.spark.ack.CommitSignalPoller;
import io.pubsubnative.spark.config.ReadOptions;

/**
 * The driver side of one run of a streaming query's Pub/Sub source. Offsets are batch numbers with
 * the partition count their batch was planned with; each micro-batch plans that many partitions,
 * served by long-lived native sessions, and the commit signal tells executors which batches are
 * committed (docs/replayable-batches.md).
 */
public final class PubSubMicroBatchStream
        implements MicroBatchStream, SupportsTriggerAvailableNow, ReportsSourceMetrics {

    public static final String METRIC_MESSAGES_READ = "numMessagesRead";
    public static final String METRIC_BYTES_READ = "numBytesRead";

    private static final Logger LOG = LoggerFactory.getLogger(PubSubMicroBatchStream.class);

    private final ReadOptions options;
    private final String sessionConfigJson;
    private final int parallelism;
    private final String instanceId;
    private final SparkContext sc;
    private final CommitSignal signal;
    private final CommitSignalPoller poller;
    private final String sourceRoot;
    private final boolean claimsRequired;
    private final Broadcast<SerializableConfiguration> hadoopConf;
    private final ReadCounters counters;
    private boolean availableNow;
    private Long rowsAtLastPlanning;

    public PubSubMicroBatchStream(ReadOptions options, String checkpointLocation) {
        this.options = options;
        this.sessionConfigJson = options.sessionConfigJson();
        SparkSession session = SparkSession.active();
        this.sc = session.sparkContext();
        if (sc.conf().getBoolean("spark.speculation", false)) {
            throw new IllegalArgumentException(
                    "The pubsub source does not support speculative execution (spark.speculation=true): "
                            + "two attempts of a reader task read different messages and only one "
                            + "attempt's output is kept, so messages would be lost. Set "
                            + "spark.speculation=false for this application.");
        }
        this.parallelism = options.parallelism().orElse(Math.max(1, sc.defaultParallelism()));
        this.instanceId = UUID.randomUUID().toString();
        CheckpointLayout layout = CheckpointLayout.of(checkpointLocation);
        Configuration conf = HadoopConfs.of(session);
        this.signal = new CommitSignal(layout.sourceRoot(), layout.commitsDir(), instanceId, conf);
        this.signal.publish(false);
        this.poller = CommitSignalPoller.start(signal, instanceId);
        this.sourceRoot = layout.sourceRoot().toString();
        // In local mode every read runs in this JVM, so no read can land on another executor.
        this.claimsRequired = !sc.isLocal();
        this.hadoopConf = JavaSparkContext.fromSparkContext(sc).broadcast(new SerializableConfiguration(conf));
        this.counters = ReadCounters.register(sc);
        LOG.info("Pub/Sub stream instance {} reads {} with {} partitions; commit signal {}",
                instanceId, options.subscription(), parallelism, signal.signalPath());
    }

    String instanceId() {
        return instanceId;
    }

    int parallelism() {
        return parallelism;
    }

    @Override
    public Offset initialOffset() {
        return PubSubOffset.initial();
    }

    @Override
    public Offset deserializeOffset(String json) {
        return PubSubOffset.fromJson(json);
    }

    @Override
    public Offset latestOffset() {
        throw new UnsupportedOperationException(
                "latestOffset(Offset, ReadLimit) must be used: the pubsub source supports admission control");
    }

    @Override
    public synchronized Offset latestOffset(Offset startOffset, ReadLimit limit) {
        signal.publish(false);
        PubSubOffset start = PubSubOffset.of(startOffset);
        long rowsNow = counters.rows.value();
        if (availableNow && rowsAtLastPlanning != null) {
            if (rowsNow == rowsAtLastPlanning) {
                LOG.info("AvailableNow: the previous batch read no message; the source has caught up");
                return start;
            }
        }
        rowsAtLastPlanning = rowsNow;
        return new PubSubOffset(start.value() + 1, parallelism);
    }

    @Override
    public void prepareForTriggerAvailableNow() {
        availableNow = true;
    }

    @Override
    public InputPartition[] planInputPartitions(Offset start, Offset end) {
        int partitionCount = partitionsOf(PubSubOffset.of(end));
        List<String> executors = ExecutorLocations.current(sc);
        long messageBudget = perPartition(options.maxMessagesPerTrigger().isPresent()
                ? options.maxMessagesPerTrigger().getAsLong() : 0L, partitionCount);
        long byteBudget = perPartition(options.maxBytesPerTrigger().isPresent()
                ? options.maxBytesPerTrigger().getAsLong() : 0L, partitionCount);
        String signalPath = signal.signalPath().toString();
        InputPartition[] partitions = new InputPartition[partitionCount];
        for (int p = 0; p < partitionCount; p++) {
            partitions[p] = new PubSubInputPartition(instanceId, p, messageBudget, byteBudget, options,
                    sessionConfigJson, signalPath, sourceRoot, claimsRequired, hadoopConf,
                    ExecutorLocations.forPartition(executors, p), availableNow);
        }
        return partitions;
    }

    /**
     * The partitions of the batch ending at {@code end}: the count its offset recorded, so that a
     * re-run after a restart plans the partitions the first run read (and their replay files),
     * even if {@code parallelism} changed since; the new value applies from the next batch.
     */
    private int partitionsOf(PubSubOffset end) {
        int recorded = end.partitions();
        if (recorded == PubSubOffset.UNKNOWN_PARTITIONS) {
            return parallelism;
        }
        if (recorded != parallelism) {
            LOG.info("Batch ending at offset {} was planned with {} partitions; it is re-run with them "
                    + "although parallelism is now {}", end.value(), recorded, parallelism);
        }
        return recorded;
    }

    /** The per-partition share of a per-trigger limit, rounded up; 0 (unset) means unlimited. */
    private static long perPartition(long perTrigger, int partitionCount) {
        if (perTrigger <= 0) {
            return Long.MAX_VALUE;
        }
        return (perTrigger + partitionCount - 1) / partitionCount;
    }

    @Override
    public PartitionReaderFactory createReaderFactory() {
        return new PubSubReaderFactory(counters);
    }

    @Override
    public void commit(Offset end) {
        signal.publish(false);
    }

    @Override
    public void stop() {
        poller.close();
        try {
            signal.publish(true);
            LOG.info("Pub/Sub stream instance {} stopped", instanceId);
        } catch (RuntimeException e) {
            LOG.error("Could not publish the final commit signal of instance {}; executors will close "
                    + "its sessions once idle", instanceId, e);
        }
    }

    @Override
    public Map<String, String> metrics(Optional<Offset> latestConsumedOffset) {
        Map<String, String> out = new HashMap<>();
        out.put(METRIC_MESSAGES_READ, Long.toString(counters.rows.value()));
        out.put(METRIC_BYTES_READ, Long.toString(counters.bytes.value()));
        return out;
    }

    @Override
    public String toString() {
        return "PubSubMicroBatchStream[" + options.subscription() + ", instance " + instanceId + "]";
    }
}
