package io.pubsubnative.spark.source;

import java.util.ArrayList;
import java.util.List;

import org.apache.spark.SparkContext;
import org.apache.spark.SparkEnv;
import org.apache.spark.storage.BlockManager;
import org.apache.spark.storage.BlockManagerId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The executors of the application as Spark task locations ({@code executor_<host>_<id>}), sorted,
 * so that partition p prefers the same executor every batch and its native session is reused.
 */
final class ExecutorLocations {

    private static final Logger LOG = LoggerFactory.getLogger(ExecutorLocations.class);

    private ExecutorLocations() {
    }

    /** Sorted executor locations; empty in local mode or when the block manager cannot tell. */
    static List<String> current(SparkContext sc) {
        List<String> out = new ArrayList<>();
        try {
            if (sc.isLocal()) {
                return out;
            }
            BlockManager bm = SparkEnv.get().blockManager();
            for (BlockManagerId id : CollectionConverters.asJava(bm.master().getPeers(bm.blockManagerId()))) {
                if (!id.isDriver()) {
                    out.add("executor_" + id.host() + "_" + id.executorId());
                }
            }
        } catch (RuntimeException e) {
            LOG.debug("Executor locations unavailable; partitions get no preferred location", e);
            out.clear();
        }
        out.sort(null);
        return out;
    }

    /** The preferred locations of partition {@code p}: one executor, or none. */
    static String[] forPartition(List<String> executors, int p) {
        if (executors.isEmpty()) {
            return new String[0];
        }
        return new String[] {executors.get(p % executors.size())};
    }
}
