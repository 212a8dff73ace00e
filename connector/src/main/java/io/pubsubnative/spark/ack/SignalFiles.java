package io.pubsubnative.spark.ack;

import java.io.ByteArrayOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

import org.apache.hadoop.fs.ChecksumFileSystem;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** Atomic write and tolerant read of a commit-signal file through Hadoop's FileSystem. */
final class SignalFiles {

    private SignalFiles() {
    }

    /**
     * The file system without client-side checksums: a signal is a few bytes replaced by rename,
     * and the local file system's separate .crc files race with concurrent readers.
     */
    private static FileSystem unchecked(FileSystem fs) {
        return fs instanceof ChecksumFileSystem checksummed ? checksummed.getRawFileSystem() : fs;
    }

    /** Writes to a temp file beside {@code path}, then renames it over {@code path}. */
    static void write(FileSystem checkedFs, Path path, SignalState state) throws IOException {
        FileSystem fs = unchecked(checkedFs);
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
    }

    /** The signal at {@code path}; null when the file does not exist (yet, or during a rename). */
    static SignalState read(FileSystem fs, Path path) throws IOException {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        try (InputStream in = unchecked(fs).open(path)) {
            in.transferTo(buffer);
        } catch (FileNotFoundException e) {
            return null;
        }
        return SignalState.fromJson(buffer.toString(StandardCharsets.UTF_8));
    }
}
