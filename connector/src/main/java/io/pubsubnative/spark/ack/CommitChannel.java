package io.pubsubnative.spark.ack;

import java.io.IOException;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * An executor's reading end of the commit signal (docs/replayable-batches.md), and the one error
 * an executor gives when it cannot read it: without the signal it would never acknowledge.
 */
final class CommitChannel {

    /** How long the first read waits for the signal file to appear (it is written before any task). */
    static final long FIRST_READ_WAIT_MS = 2_000;

    private final Path path;
    private final FileSystem fs;

    private CommitChannel(Path path, FileSystem fs) {
        this.path = path;
        this.fs = fs;
    }

    /** Opens the channel and reads it once; throws {@link #unreadable} if that fails. */
    static CommitChannel openReadable(String signalPath, Configuration conf) throws InterruptedException {
        Path path = new Path(signalPath);
        FileSystem fs;
        try {
            fs = path.getFileSystem(conf);
        } catch (IOException | RuntimeException e) {
            throw unreadable(path, e.toString(), e);
        }
        CommitChannel channel = new CommitChannel(path, fs);
        long deadline = System.nanoTime() + FIRST_READ_WAIT_MS * 1_000_000L;
        while (true) {
            try {
                if (channel.read() != null) {
                    return channel;
                }
            } catch (IOException | RuntimeException e) {
                throw unreadable(path, e.toString(), e);
            }
            if (System.nanoTime() > deadline) {
                throw unreadable(path, "the file does not exist on this executor", null);
            }
            Thread.sleep(100);
        }
    }

    Path path() {
        return path;
    }

    /** The signal, or null while the file is absent. */
    SignalState read() throws IOException {
        return SignalFiles.read(fs, path);
    }

    static IllegalStateException unreadable(Path path, String cause, Throwable error) {
        return new IllegalStateException(String.format(
                "This executor cannot read the commit signal %s of the pubsub source (%s). Executors "
                        + "learn from this file, which the driver writes beside the checkpoint, that a "
                        + "micro-batch committed; without it they could never acknowledge its messages. "
                        + "The query's checkpointLocation must be on storage every executor can read "
                        + "(HDFS, GCS, S3 or a shared mount), not on the driver's local disk.",
                path, cause), error);
    }
}
