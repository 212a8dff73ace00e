package io.pubsubnative.spark.replay;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The claim files of {@code replayLog=memory} on a cluster: the first executor to read
 * (batch, partition) leaves its executor id in a claim, so that a reader on another executor learns
 * which executor holds the read; a reader that finds the holder gone reads afresh and marks the
 * holder's read superseded, and the driver collects those markers when the batch commits.
 *
 * <p>Temp files of claims that fail halfway stay in their batch's claims directory until
 * {@link ReplayLogCleaner} deletes it after the commit. Failures surface as
 * {@link UncheckedIOException}s that name the file.
 */
public final class ReadClaims {

    /** The read of (batch, partition) held by {@code executorId} was superseded by a fresh read. */
    public record Superseded(long batch, int partition, String executorId) {
    }

    private static final Comparator<Superseded> ORDER = Comparator.comparingLong(Superseded::batch)
            .thenComparingInt(Superseded::partition)
            .thenComparing(Superseded::executorId);

    private final FileSystem fs;
    private final ReplayLogLayout layout;

    public ReadClaims(FileSystem fs, ReplayLogLayout layout) {
        this.fs = RawFileSystems.unwrap(fs);
        this.layout = layout;
    }

    /**
     * Claims (batch, partition) for {@code executorId} unless another executor claimed it first.
     *
     * @return the holder: {@code executorId} when this call made the claim, else the executor id in
     *     the existing claim
     */
    public String claim(long batch, int partition, String executorId) {
        Path claim = layout.claimFile(batch, partition);
        Path tmp = layout.newClaimTempFile(batch, partition);
        try {
            try (OutputStream out = fs.create(tmp, false)) {
                out.write(executorId.getBytes(StandardCharsets.UTF_8));
            }
            if (AtomicPublish.publishIfAbsent(fs, tmp, claim)) {
                return executorId;
            }
            try (InputStream in = fs.open(claim)) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not claim " + claim + ": " + e, e);
        }
    }

    /** Marks the read of (batch, partition) held by {@code holder} superseded. Idempotent. */
    public void markSuperseded(long batch, int partition, String holder) {
        Path marker = layout.supersededMarker(batch, partition, holder);
        try {
            fs.create(marker, false).close();
        } catch (FileAlreadyExistsException e) {
            // Another reader marked it first: the marker says the same.
        } catch (IOException e) {
            throw new UncheckedIOException("could not create the superseded marker " + marker + ": " + e, e);
        }
    }

    /**
     * The superseded reads of batches up to {@code committedBatchId}, ordered by batch, partition and
     * executor id. The caller deletes them with {@link ReplayLogCleaner} once it has passed them on.
     */
    public List<Superseded> supersededThrough(long committedBatchId) {
        List<Superseded> found = new ArrayList<>();
        try {
            for (BatchDirs.BatchDir dir : BatchDirs.through(fs, layout.claimsRoot(), committedBatchId)) {
                for (FileStatus file : listOrEmpty(dir.path())) {
                    ReplayLogLayout.supersededOf(dir.batch(), file.getPath().getName()).ifPresent(found::add);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "could not list the superseded markers under " + layout.claimsRoot() + ": " + e, e);
        }
        found.sort(ORDER);
        return found;
    }

    /** A batch directory deleted between listing its parent and listing it has nothing left. */
    private FileStatus[] listOrEmpty(Path dir) throws IOException {
        try {
            return fs.listStatus(dir);
        } catch (FileNotFoundException e) {
            return new FileStatus[0];
        }
    }
}
