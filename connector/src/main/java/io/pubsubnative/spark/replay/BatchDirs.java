package io.pubsubnative.spark.replay;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalLong;

import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** Lists the per-batch directories (named by their batch id) directly under a replay root. */
final class BatchDirs {

    /** The directory {@code path} of batch {@code batch}. */
    record BatchDir(long batch, Path path) {
    }

    private BatchDirs() {
    }

    /**
     * The batch directories under {@code root} of batches up to {@code lastBatch}, in batch order;
     * entries not named by a batch id are skipped, and a missing {@code root} has none.
     */
    static List<BatchDir> through(FileSystem fs, Path root, long lastBatch) throws IOException {
        FileStatus[] children;
        try {
            children = fs.listStatus(root);
        } catch (FileNotFoundException e) {
            return List.of();
        }
        List<BatchDir> dirs = new ArrayList<>();
        for (FileStatus child : children) {
            OptionalLong batch = ReplayLogLayout.batchOf(child.getPath().getName());
            if (child.isDirectory() && batch.isPresent() && batch.getAsLong() <= lastBatch) {
                dirs.add(new BatchDir(batch.getAsLong(), child.getPath()));
            }
        }
        dirs.sort(Comparator.comparingLong(BatchDir::batch));
        return dirs;
    }
}
