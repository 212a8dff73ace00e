package io.pubsubnative.spark.replay;

import org.apache.hadoop.fs.ChecksumFileSystem;
import org.apache.hadoop.fs.FileSystem;

/**
 * The file system that replay files are written and read through: the given one without
 * client-side checksums. Replay files are published by rename or hard link, which a checksum file
 * system's separate {@code .crc} files would not follow.
 */
final class RawFileSystems {

    private RawFileSystems() {
    }

    static FileSystem unwrap(FileSystem fs) {
        return fs instanceof ChecksumFileSystem checksummed ? checksummed.getRawFileSystem() : fs;
    }
}
