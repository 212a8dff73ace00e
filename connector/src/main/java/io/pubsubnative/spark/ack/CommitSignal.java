package io.pubsubnative.spark.ack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.pubsubnative.spark.replay.ReadClaims;
import io.pubsubnative.spark.replay.ReplayLogCleaner;
import io.pubsubnative.spark.replay.ReplayLogLayout;

/**
 * Driver side of ack-on-commit (docs/replayable-batches.md): owns
 * {@code <checkpoint>/sources/<n>/ack-signal/<instanceId>} and rewrites it, atomically and only on
 * change, with the highest batch id in the query's commit log ({@code <checkpoint>/commits/}) and
 * the superseded reads of recently committed batches. Once a batch is committed and signalled, its
 * replay files and read claims are deleted.
 */
public final class CommitSignal {

    /** How many batches a superseded read stays in the signal after its batch committed. */
    static final long SUPERSEDED_RETAINED_BATCHES = 1_000;

    private static final Logger LOG = LoggerFactory.getLogger(CommitSignal.class);

    private final FileSystem fs;
    private final Path signalPath;
    private final Path commitsDir;
    private final ReplayLogLayout replayLayout;
    private SignalState lastWritten;

    /**
     * @param sourceRoot  {@code <checkpoint>/sources/<n>}
     * @param commitsDir  {@code <checkpoint>/commits}
     * @param instanceId  the stream instance id
     */
    public CommitSignal(Path sourceRoot, Path commitsDir, String instanceId, Configuration conf) {
        this.signalPath = signalPath(sourceRoot, instanceId);
        this.commitsDir = commitsDir;
        this.replayLayout = new ReplayLogLayout(sourceRoot, instanceId);
        try {
            this.fs = signalPath.getFileSystem(conf);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the file system of " + signalPath, e);
        }
        try {
            ReplayLogCleaner.deleteClaimsOfOtherRuns(fs, replayLayout);
        } catch (IOException | RuntimeException e) {
            LOG.warn("Could not delete the read claims of earlier runs under {}", replayLayout.claimsRoot(), e);
        }
    }

    /** {@code <sourceRoot>/ack-signal/<instanceId>}. */
    public static Path signalPath(Path sourceRoot, String instanceId) {
        return new Path(new Path(sourceRoot, "ack-signal"), instanceId);
    }

    public Path signalPath() {
        return signalPath;
    }

    /**
     * Publishes only if the commit log has the batch after the last signalled one: one existence
     * check, cheap enough to run every 200 ms so that executors learn of a commit promptly.
     */
    public synchronized SignalState refresh() {
        if (lastWritten != null && !exists(new Path(commitsDir, Long.toString(lastWritten.committedBatchId() + 1)))) {
            return lastWritten;
        }
        return publish(false);
    }

    /** Reads the commit log and writes the signal if it changed. Returns what the signal holds. */
    public synchronized SignalState publish(boolean stopped) {
        long committed = latestCommittedBatchId();
        boolean stop = stopped || (lastWritten != null && lastWritten.stopped());
        long previous = lastWritten == null ? SignalState.NONE : lastWritten.committedBatchId();
        List<SignalState.Superseded> superseded = retainedSuperseded(committed);
        if (committed > previous) {
            superseded.addAll(newlySuperseded(previous, committed));
        }
        SignalState state = write(new SignalState(committed, stop, superseded));
        if (committed > previous) {
            deleteReplayFilesThrough(committed);
        }
        return state;
    }

    private List<SignalState.Superseded> retainedSuperseded(long committed) {
        List<SignalState.Superseded> out = new ArrayList<>();
        if (lastWritten != null) {
            for (SignalState.Superseded s : lastWritten.superseded()) {
                if (s.batch() > committed - SUPERSEDED_RETAINED_BATCHES) {
                    out.add(s);
                }
            }
        }
        return out;
    }

    private List<SignalState.Superseded> newlySuperseded(long previous, long committed) {
        List<SignalState.Superseded> out = new ArrayList<>();
        for (ReadClaims.Superseded s : new ReadClaims(fs, replayLayout).supersededThrough(committed)) {
            if (s.batch() > previous) {
                out.add(new SignalState.Superseded(s.batch(), s.partition(), s.executorId()));
            }
        }
        return out;
    }

    private void deleteReplayFilesThrough(long committed) {
        try {
            ReplayLogCleaner.deleteCommitted(fs, replayLayout, committed);
        } catch (IOException | RuntimeException e) {
            LOG.warn("Could not delete the replay files of batches up to {} under {} (will retry at the "
                    + "next commit)", committed, replayLayout.logRoot(), e);
        }
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

    private boolean exists(Path path) {
        try {
            return fs.exists(path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the commit log " + commitsDir, e);
        }
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
