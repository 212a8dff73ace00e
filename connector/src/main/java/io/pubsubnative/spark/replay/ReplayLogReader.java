package io.pubsubnative.spark.replay;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Replays a published replay file batch by batch: every batch is loaded into the same vectors,
 * allocated from the caller's allocator and freed when the reader is closed.
 *
 * <p>A file that is cut off or corrupt fails, in {@link #openIfPresent} or {@link #next()}, with an
 * {@link UncheckedIOException} around an {@link IOException}, both naming the file. Not thread-safe:
 * one reader per reading task.
 */
public final class ReplayLogReader implements AutoCloseable {

    private final Path file;
    private final EndAwareInputStream in;
    private final ArrowStreamReader reader;
    private final VectorSchemaRoot root;
    private boolean ended;
    private boolean closed;

    private ReplayLogReader(Path file, EndAwareInputStream in, ArrowStreamReader reader, VectorSchemaRoot root) {
        this.file = file;
        this.in = in;
        this.reader = reader;
        this.root = root;
    }

    /**
     * Opens {@code file} and reads its schema.
     *
     * @return the reader, or empty when the file does not exist
     */
    public static Optional<ReplayLogReader> openIfPresent(FileSystem fs, Path file, BufferAllocator allocator) {
        EndAwareInputStream in;
        try {
            in = new EndAwareInputStream(RawFileSystems.unwrap(fs).open(file));
        } catch (FileNotFoundException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("could not open the replay log " + file + ": " + e, e);
        }
        ArrowStreamReader reader = new ArrowStreamReader(in, allocator);
        try {
            return Optional.of(new ReplayLogReader(file, in, reader, reader.getVectorSchemaRoot()));
        } catch (IOException | RuntimeException e) {
            UncheckedIOException failure = unchecked(unreadable(file, e));
            try {
                reader.close();
            } catch (IOException | RuntimeException closeFailure) {
                failure.addSuppressed(closeFailure);
            }
            throw failure;
        }
    }

    /**
     * Loads the next batch with rows into {@link #vectors()}.
     *
     * @return its row count; 0 at the end of the file
     */
    public int next() {
        if (closed) {
            throw new IllegalStateException("the replay log reader of " + file + " is closed");
        }
        if (ended) {
            return 0;
        }
        try {
            while (reader.loadNextBatch()) {
                if (root.getRowCount() > 0) {
                    return root.getRowCount();
                }
            }
        } catch (IOException | RuntimeException e) {
            throw unchecked(unreadable(file, e));
        }
        ended = true;
        if (in.reachedEnd()) {
            throw unchecked(unreadable(file, new IOException("the file ends before its end-of-stream marker")));
        }
        return 0;
    }

    /** The vectors of the current batch in schema order: the same objects for every batch. */
    public List<FieldVector> vectors() {
        return root.getFieldVectors();
    }

    /** Bytes of the file read so far. */
    public long bytesRead() {
        return reader.bytesRead();
    }

    /** Frees every Arrow buffer of the reader and closes the file. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            reader.close();
        } catch (IOException e) {
            throw new UncheckedIOException("could not close the replay log " + file + ": " + e, e);
        }
    }

    private static IOException unreadable(Path file, Exception e) {
        return new IOException("the replay log " + file + " is truncated or unreadable: " + e, e);
    }

    private static UncheckedIOException unchecked(IOException e) {
        return new UncheckedIOException(e.getMessage(), e);
    }
}
