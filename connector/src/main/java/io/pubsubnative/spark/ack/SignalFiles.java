package io.pubsubnative.spark.ack;

import java.io.ByteArrayOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** Atomic write and tolerant read of a commit-signal file through Hadoop's FileSystem. */
final class SignalFiles {

    private SignalFiles() {
    }

    /** Writes to a temp file beside {@code path}, then renames it over {@code path}. */
    static void write(FileSystem fs, Path path, SignalState state) throws IOException {
        Path tmp = new Path(path.getParent(), "." + path.getName() + "." + UUID.randomUUID() + ".tmp");
        try (OutputStream out = fs.create(tmp, true)) {
            out.write(state.toJson().getBytes(StandardCharsets.UTF_8));
        }
        if (!fs.rename(tmp, path)) {
            // Some file systems (HDFS) refuse to rename over an existing file.
            fs.delete(path, false);
            if (!fs.rename(tmp, path)) {
                fs.delete(tmp, false);
                throw new IOException("could not rename " + tmp + " to " + path);
            }
        }
        // The local file system leaves checksum files of renamed temp files behind.
        Path crc = new Path(tmp.getParent(), "." + tmp.getName() + ".crc");
        fs.delete(crc, false);
    }

    /** The signal at {@code path}; null when the file does not exist (yet, or during a rename). */
    static SignalState read(FileSystem fs, Path path) throws IOException {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        try (InputStream in = fs.open(path)) {
            in.transferTo(buffer);
        } catch (FileNotFoundException e) {
            return null;
        }
        return SignalState.fromJson(buffer.toString(StandardCharsets.UTF_8));
    }
}
