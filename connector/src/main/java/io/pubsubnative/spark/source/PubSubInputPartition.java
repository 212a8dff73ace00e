package io.pubsubnative.spark.source;

import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.connector.read.InputPartition;
import org.apache.spark.util.SerializableConfiguration;

import io.pubsubnative.spark.config.ReadOptions;

/** One reader task of a micro-batch: which session to use, how much to read, where to run. */
public final class PubSubInputPartition implements InputPartition {

    private static final long serialVersionUID = 1L;

    private final String instanceId;
    private final int partition;
    private final long messageBudget;
    private final long byteBudget;
    private final ReadOptions options;
    private final String sessionConfigJson;
    private final String signalPath;
    private final String sourceRoot;
    private final boolean claimsRequired;
    private final Broadcast<SerializableConfiguration> hadoopConf;
    private final String[] preferredLocations;
    private final boolean drainCheck;

    PubSubInputPartition(String instanceId, int partition, long messageBudget, long byteBudget,
                         ReadOptions options, String sessionConfigJson, String signalPath, String sourceRoot,
                         boolean claimsRequired, Broadcast<SerializableConfiguration> hadoopConf,
                         String[] preferredLocations, boolean drainCheck) {
        this.instanceId = instanceId;
        this.partition = partition;
        this.messageBudget = messageBudget;
        this.byteBudget = byteBudget;
        this.options = options;
        this.sessionConfigJson = sessionConfigJson;
        this.signalPath = signalPath;
        this.sourceRoot = sourceRoot;
        this.claimsRequired = claimsRequired;
        this.hadoopConf = hadoopConf;
        this.preferredLocations = preferredLocations;
        this.drainCheck = drainCheck;
    }

    /**
     * True under {@code Trigger.AvailableNow}: an empty batch ends the query, so the task must see
     * the subscription idle for a while, not just one short fetch, before it reports nothing.
     */
    public boolean drainCheck() {
        return drainCheck;
    }

    public String instanceId() {
        return instanceId;
    }

    public int partition() {
        return partition;
    }

    /** Messages this task may read; {@link Long#MAX_VALUE} when unlimited. */
    public long messageBudget() {
        return messageBudget;
    }

    /** Payload bytes this task may read; {@link Long#MAX_VALUE} when unlimited. */
    public long byteBudget() {
        return byteBudget;
    }

    public ReadOptions options() {
        return options;
    }

    public String sessionConfigJson() {
        return sessionConfigJson;
    }

    public String signalPath() {
        return signalPath;
    }

    /** The source's checkpoint directory {@code <checkpoint>/sources/<n>}. */
    public String sourceRoot() {
        return sourceRoot;
    }

    /**
     * True when a fresh read in memory mode must claim (batch, partition) first: the application
     * has executors other than the driver, so a re-read may land on another JVM.
     */
    public boolean claimsRequired() {
        return claimsRequired;
    }

    public Broadcast<SerializableConfiguration> hadoopConf() {
        return hadoopConf;
    }

    @Override
    public String[] preferredLocations() {
        return preferredLocations.clone();
    }
}
