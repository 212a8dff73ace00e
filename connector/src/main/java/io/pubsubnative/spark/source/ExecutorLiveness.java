package io.pubsubnative.spark.source;

import org.apache.spark.SparkEnv;
import org.apache.spark.storage.BlockManager;
import org.apache.spark.storage.BlockManagerId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Whether an executor is alive as the driver sees it: its block manager is still registered with
 * the driver's block manager master. An executor the driver declared lost is not alive here even
 * if its JVM still runs; Spark discards that executor's results, so its reads must not count.
 */
final class ExecutorLiveness {

    private static final Logger LOG = LoggerFactory.getLogger(ExecutorLiveness.class);

    private ExecutorLiveness() {
    }

    /** True when {@code executorId} is registered, or when the driver cannot be asked (the safe answer). */
    static boolean isAlive(String executorId) {
        try {
            BlockManager bm = SparkEnv.get().blockManager();
            for (BlockManagerId id : CollectionConverters.asJava(bm.master().getPeers(bm.blockManagerId()))) {
                if (id.executorId().equals(executorId)) {
                    return true;
                }
            }
            return false;
        } catch (RuntimeException e) {
            LOG.warn("Cannot ask the driver whether executor {} is alive; assuming it is", executorId, e);
            return true;
        }
    }
}
