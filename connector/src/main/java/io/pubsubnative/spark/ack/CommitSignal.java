package io.pubsubnative.spark.ack;

import java.io.IOException;
import java.io.UncheckedIOException;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Driver side of ack-on-commit (docs/ack-on-commit.md): owns
 * {@code <checkpoint>/sources/<n>/ack-signal/<instanceId>} and rewrites it, atomically and only on
 * change, with the highest batch id in the query's commit log ({@code <checkpoint>/commits/}).
 */
public final class CommitSignal {

    private static final Logger LOG = LoggerFactory.getLogger(CommitSignal.class);

    private final FileSystem fs;
    private final Path signalPath;
    private final Path commitsDir;
    private SignalState lastWritten;

    /**
     * @param sourceRoot  {@code <checkpoint>/sources/<n>}
     * @param commitsDir  {@code <checkpoint>/commits}
     * @param instanceId  the stream instance id
     */
    public CommitSignal(Path sourceRoot, Path commitsDir, String instanceId, Configuration conf) {
        this.signalPath = signalPath(sourceRoot, instanceId);
        this.commitsDir = commitsDir;
        try {
            this.fs = signalPath.getFileSystem(conf);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the file system of " + signalPath, e);
        }
    }

    /** {@code <sourceRoot>/ack-signal/<instanceId>}. */
    public static Path signalPath(Path sourceRoot, String instanceId) {
        return new Path(new Path(sourceRoot, "ack-signal"), instanceId);
    }

    public Path signalPath() {
        return signalPath;
    }

    /** Reads the commit log and writes the signal if it changed. Returns what the signal holds. */
    public synchronized SignalState publish(boolean stopped) {
        long committed = latestCommittedBatchId();
        boolean stop = stopped || (lastWritten != null && lastWritten.stopped());
        return write(new SignalState(committed, stop));
    }

    /** Writes {@code state} unless it is what was last written. */
    public synchronized SignalState write(SignalState state) {
        if (state.equals(lastWritten)) {
            return state;
        }
        try {
            SignalFiles.write(fs, signalPath, state);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the commit signal " + signalPath, e);
        }
        LOG.debug("Commit signal {} is now {}", signalPath, state);
        lastWritten = state;
        return state;
    }

    /** The largest numeric file name in the commit log, or {@link SignalState#NONE}. */
    public long latestCommittedBatchId() {
        FileStatus[] files;
        try {
            if (!fs.exists(commitsDir)) {
                return SignalState.NONE;
            }
            files = fs.listStatus(commitsDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the commit log " + commitsDir, e);
        }
        long max = SignalState.NONE;
        for (FileStatus file : files) {
            String name = file.getPath().getName();
            if (!file.isFile() || name.isEmpty() || !name.chars().allMatch(Character::isDigit)) {
                continue;
            }
            try {
                max = Math.max(max, Long.parseLong(name));
            } catch (NumberFormatException e) {
                // too long to be a batch id: not a commit file
            }
        }
        return max;
    }

    /** Reads a signal file (tests, diagnostics); null when absent. */
    public static SignalState read(Path signalPath, Configuration conf) throws IOException {
        return SignalFiles.read(signalPath.getFileSystem(conf), signalPath);
    }
}
