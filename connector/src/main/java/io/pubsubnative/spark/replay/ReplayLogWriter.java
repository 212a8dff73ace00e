package io.pubsubnative.spark.replay;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records one fresh read of (batch, partition) as an Arrow IPC stream: the batches go to a temp
 * file beside {@link ReplayLogLayout#logFile} as they are read, straight from the imported vectors
 * (no copy, no decode), and {@link #publish()} makes the file visible under its final name when the
 * task succeeds, unless another attempt published first.
 *
 * <p>The reader's importer loads every batch into the same {@link StructVector}, so the
 * {@link VectorSchemaRoot} over its children is built once, at the first batch. The root is never
 * closed here: its vectors belong to the importer.
 *
 * <p>Not thread-safe: one writer per reading task. Failures surface as {@link UncheckedIOException}s
 * that name the file.
 */
public final class ReplayLogWriter implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ReplayLogWriter.class);

    private final FileSystem fs;
    private final Path tmp;
    private final Path target;
    private final FSDataOutputStream out;
    /** The importer's vector whose children the stream's root is built over; null before the first batch. */
    private StructVector vector;
    private VectorSchemaRoot root;
    private ArrowStreamWriter stream;
    /** Set once the temp file is gone (published, lost to another attempt, or aborted). */
    private boolean finished;

    private ReplayLogWriter(FileSystem fs, Path tmp, Path target, FSDataOutputStream out) {
        this.fs = fs;
        this.tmp = tmp;
        this.target = target;
        this.out = out;
    }

    /** Starts recording the read of (batch, partition) into a new temp file of {@code layout}. */
    public static ReplayLogWriter open(FileSystem fs, ReplayLogLayout layout, long batch, int partition) {
        FileSystem raw = RawFileSystems.unwrap(fs);
        Path tmp = layout.newLogTempFile(batch, partition);
        try {
            return new ReplayLogWriter(raw, tmp, layout.logFile(batch, partition), raw.create(tmp, false));
        } catch (IOException e) {
            throw new UncheckedIOException("could not create the replay log temp file " + tmp + ": " + e, e);
        }
    }

    /**
     * Appends the first {@code rows} rows of {@code vector}, which must be the same vector object
     * for every call (the importer's reused one).
     */
    public void append(StructVector vector, int rows) {
        requireOpen();
        if (this.vector == null) {
            this.vector = vector;
            startStream(new VectorSchemaRoot(vector.getChildrenFromFields()));
        } else if (this.vector != vector) {
            throw new IllegalArgumentException("every batch of a replay log must come in the same vector");
        }
        try {
            root.setRowCount(rows);
            stream.writeBatch();
        } catch (IOException e) {
            throw failed("could not write to the replay log temp file", e);
        }
    }

    /** Bytes of the Arrow stream written so far. */
    public long bytesWritten() {
        return stream == null ? 0L : stream.bytesWritten();
    }

    /**
     * Ends the stream, also when no batch was appended (an empty read replays as a stream without
     * columns or batches), and makes it visible as the batch's replay file.
     *
     * @return true when this read is now the replay file; false when another attempt published first,
     *     whose file is left untouched (this one's temp file is deleted)
     */
    public boolean publish() {
        requireOpen();
        if (stream == null) {
            startStream(new VectorSchemaRoot(List.of()));
        }
        try {
            stream.end();
            out.close();
        } catch (IOException e) {
            throw failed("could not finish the replay log temp file", e);
        }
        boolean published;
        try {
            published = AtomicPublish.publishIfAbsent(fs, tmp, target);
        } catch (IOException e) {
            throw failed("could not publish the replay log", e);
        }
        finished = true;
        return published;
    }

    /** Deletes the temp file unless the read was published. Idempotent; never throws. */
    public void abort() {
        if (finished) {
            return;
        }
        finished = true;
        try {
            out.close();
        } catch (IOException | RuntimeException e) {
            LOG.warn("Could not close the replay log temp file {}", tmp, e);
        }
        try {
            fs.delete(tmp, false);
        } catch (IOException | RuntimeException e) {
            LOG.warn("Could not delete the replay log temp file {}; it goes when its batch is cleaned up",
                    tmp, e);
        }
    }

    /** Same as {@link #abort()}: a published file stays. */
    @Override
    public void close() {
        abort();
    }

    private void startStream(VectorSchemaRoot newRoot) {
        root = newRoot;
        stream = new ArrowStreamWriter(root, null, out);
        try {
            stream.start();
        } catch (IOException e) {
            throw failed("could not write to the replay log temp file", e);
        }
    }

    private void requireOpen() {
        if (finished) {
            throw new IllegalStateException("the replay log " + target + " is already published or aborted");
        }
    }

    /** Aborts, and names the temp file and its target in the exception to throw. */
    private UncheckedIOException failed(String what, IOException e) {
        abort();
        return new UncheckedIOException(what + " " + tmp + " (for " + target + "): " + e, e);
    }
}
