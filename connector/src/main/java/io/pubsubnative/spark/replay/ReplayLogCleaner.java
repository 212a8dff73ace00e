package io.pubsubnative.spark.replay;

import java.io.IOException;

import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Deletes the replay files and claims of committed batches: once batch N is committed, Spark never
 * reads batch N or an earlier one again. Run by the driver after each commit; a straggling attempt
 * that writes into a batch directory after it was deleted is cleaned up after the next commit.
 */
public final class ReplayLogCleaner {

    private ReplayLogCleaner() {
    }

    /**
     * Deletes {@code replay-log/<N>} and {@code replay-claims/<instanceId>/<N>} for every
     * {@code N <= committedBatchId}; entries not named by a batch id are left alone.
     *
     * @return how many batch directories were deleted, of both kinds together
     */
    public static int deleteCommitted(FileSystem fs, ReplayLogLayout layout, long committedBatchId)
            throws IOException {
        return deleteThrough(fs, layout.logRoot(), committedBatchId)
                + deleteThrough(fs, layout.claimsRoot(), committedBatchId);
    }

    /**
     * Deletes the claims of earlier runs of the query ({@code replay-claims/<other id>}): a run's
     * claims mean nothing to the next one, whose sessions read afresh. Called when a run starts.
     */
    public static void deleteClaimsOfOtherRuns(FileSystem fs, ReplayLogLayout layout) throws IOException {
        Path current = layout.claimsRoot();
        Path parent = current.getParent();
        if (!fs.exists(parent)) {
            return;
        }
        for (FileStatus status : fs.listStatus(parent)) {
            if (!status.getPath().getName().equals(current.getName())) {
                fs.delete(status.getPath(), true);
            }
        }
    }

    private static int deleteThrough(FileSystem fs, Path root, long lastBatch) throws IOException {
        int deleted = 0;
        try {
            for (BatchDirs.BatchDir dir : BatchDirs.through(fs, root, lastBatch)) {
                if (fs.delete(dir.path(), true)) {
                    deleted++;
                }
            }
        } catch (IOException e) {
            throw new IOException("could not delete the committed batches under " + root + ": " + e, e);
        }
        return deleted;
    }
}
