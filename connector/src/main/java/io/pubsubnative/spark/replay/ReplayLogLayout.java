package io.pubsubnative.spark.replay;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;

import org.apache.hadoop.fs.Path;

/**
 * Where the replay files of one source live under its checkpoint {@code <checkpoint>/sources/<n>},
 * and how they are named.
 *
 * <ul>
 *   <li>{@code replay-log/<N>/<p>.arrows}: the recorded read of (batch N, partition p) with
 *       {@code replayLog=checkpoint}. Not under the stream instance id, so that a restarted query
 *       replays what the previous run read.</li>
 *   <li>{@code replay-claims/<instanceId>/<N>/claim-<p>}: with {@code replayLog=memory}, the Spark
 *       executor id of the executor that first read (N, p) and holds its messages.</li>
 *   <li>{@code replay-claims/<instanceId>/<N>/superseded-<p>-<executorId>}: an empty marker that
 *       the read of (N, p) held by that executor was superseded by a fresh read elsewhere.</li>
 * </ul>
 *
 * <p>Temp files are written beside their target and named {@code .<target name>.<uuid>.tmp}.
 */
public final class ReplayLogLayout {

    private static final String LOG_DIR = "replay-log";
    private static final String CLAIMS_DIR = "replay-claims";
    private static final String LOG_SUFFIX = ".arrows";
    private static final String CLAIM_PREFIX = "claim-";
    private static final String SUPERSEDED_PREFIX = "superseded-";

    private final Path sourceRoot;
    private final String instanceId;

    /**
     * @param sourceRoot the source's checkpoint directory, {@code <checkpoint>/sources/<n>}
     * @param instanceId the id of this run of the stream, which names its claims directory
     */
    public ReplayLogLayout(Path sourceRoot, String instanceId) {
        this.sourceRoot = Objects.requireNonNull(sourceRoot, "sourceRoot");
        this.instanceId = requireFileName(instanceId, "stream instance id");
    }

    /** {@code <sourceRoot>/replay-log}. */
    public Path logRoot() {
        return new Path(sourceRoot, LOG_DIR);
    }

    /** {@code <sourceRoot>/replay-log/<N>}. */
    public Path logDir(long batch) {
        return new Path(logRoot(), Long.toString(batch));
    }

    /** {@code <sourceRoot>/replay-log/<N>/<p>.arrows}. */
    public Path logFile(long batch, int partition) {
        return new Path(logDir(batch), partition + LOG_SUFFIX);
    }

    /** A new, unique temp file beside {@link #logFile}. */
    public Path newLogTempFile(long batch, int partition) {
        return tempFileFor(logFile(batch, partition));
    }

    /** {@code <sourceRoot>/replay-claims/<instanceId>}. */
    public Path claimsRoot() {
        return new Path(new Path(sourceRoot, CLAIMS_DIR), instanceId);
    }

    /** {@code <sourceRoot>/replay-claims/<instanceId>/<N>}. */
    public Path claimsDir(long batch) {
        return new Path(claimsRoot(), Long.toString(batch));
    }

    /** {@code <sourceRoot>/replay-claims/<instanceId>/<N>/claim-<p>}. */
    public Path claimFile(long batch, int partition) {
        return new Path(claimsDir(batch), CLAIM_PREFIX + partition);
    }

    /** A new, unique temp file beside {@link #claimFile}. */
    public Path newClaimTempFile(long batch, int partition) {
        return tempFileFor(claimFile(batch, partition));
    }

    /** {@code <sourceRoot>/replay-claims/<instanceId>/<N>/superseded-<p>-<executorId>}. */
    public Path supersededMarker(long batch, int partition, String executorId) {
        return new Path(claimsDir(batch),
                SUPERSEDED_PREFIX + partition + "-" + requireFileName(executorId, "executor id"));
    }

    /** The batch id a directory under {@link #logRoot} or {@link #claimsRoot} is named after. */
    static OptionalLong batchOf(String dirName) {
        if (!isDecimal(dirName)) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(dirName));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /** The marker a file named {@code fileName} in {@code claimsDir(batch)} is, if it is one. */
    static Optional<ReadClaims.Superseded> supersededOf(long batch, String fileName) {
        if (!fileName.startsWith(SUPERSEDED_PREFIX)) {
            return Optional.empty();
        }
        String rest = fileName.substring(SUPERSEDED_PREFIX.length());
        int dash = rest.indexOf('-');
        if (dash < 0 || !isDecimal(rest.substring(0, dash)) || dash == rest.length() - 1) {
            return Optional.empty();
        }
        try {
            int partition = Integer.parseInt(rest.substring(0, dash));
            return Optional.of(new ReadClaims.Superseded(batch, partition, rest.substring(dash + 1)));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static Path tempFileFor(Path target) {
        return new Path(target.getParent(), "." + target.getName() + "." + UUID.randomUUID() + ".tmp");
    }

    private static boolean isDecimal(String s) {
        return !s.isEmpty() && s.chars().allMatch(c -> c >= '0' && c <= '9');
    }

    /** A Hadoop path component must not hold a separator, and a colon would parse as a scheme. */
    private static String requireFileName(String value, String what) {
        if (value == null || value.isEmpty() || value.indexOf('/') >= 0 || value.indexOf(':') >= 0) {
            throw new IllegalArgumentException(
                    "the " + what + " '" + value + "' cannot name a file: it must be non-empty, without '/' or ':'");
        }
        return value;
    }
}
