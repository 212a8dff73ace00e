package io.pubsubnative.spark.replay;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Paths;

import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a fully written temp file visible under its final name only if no file has that name yet,
 * so that of several task attempts writing the same replay file or claim, exactly one wins.
 *
 * <p>On the local file system ({@code file://}) Hadoop offers no such operation:
 * {@code RawLocalFileSystem.rename} replaces an existing target and {@code create(overwrite=false)}
 * checks before it acts. There the target is made a hard link to the temp file ({@code link(2)},
 * which fails atomically when the target exists), and the temp name is removed afterwards.
 *
 * <p>Elsewhere the temp file is renamed after checking that the target does not exist. HDFS's
 * rename refuses an existing target atomically, so a race between two attempts is always caught.
 * On object stores whose rename is a copy followed by a delete (gs://, s3a://) the check before the
 * rename is all that detects the other attempt: two attempts that both pass it before either has
 * renamed can both succeed, and the later copy replaces the earlier one.
 */
public final class AtomicPublish {

    private static final Logger LOG = LoggerFactory.getLogger(AtomicPublish.class);

    private AtomicPublish() {
    }

    /**
     * Makes {@code tmp} visible as {@code target} unless {@code target} exists, creating the
     * target's parent directories as needed.
     *
     * @return true when {@code tmp} became {@code target}; false when {@code target} already
     *     existed, in which case {@code tmp} is deleted and {@code target} is left as it was
     */
    public static boolean publishIfAbsent(FileSystem fs, Path tmp, Path target) throws IOException {
        if (isLocal(fs)) {
            boolean published = linkIfAbsent(fs, tmp, target);
            // Linked or not, the temp name has served its purpose.
            deleteTmp(fs, tmp);
            return published;
        }
        boolean published = renameIfAbsent(fs, tmp, target);
        if (!published) {
            deleteTmp(fs, tmp);
        }
        return published;
    }

    private static boolean isLocal(FileSystem fs) {
        return "file".equals(fs.getUri().getScheme());
    }

    private static boolean linkIfAbsent(FileSystem fs, Path tmp, Path target) throws IOException {
        java.nio.file.Path localTmp = Paths.get(fs.makeQualified(tmp).toUri());
        java.nio.file.Path localTarget = Paths.get(fs.makeQualified(target).toUri());
        try {
            Files.createDirectories(localTarget.getParent());
            Files.createLink(localTarget, localTmp);
        } catch (FileAlreadyExistsException e) {
            return false;
        } catch (IOException e) {
            throw new IOException("could not link " + tmp + " to " + target + ": " + e, e);
        }
        return true;
    }

    private static boolean renameIfAbsent(FileSystem fs, Path tmp, Path target) throws IOException {
        if (fs.exists(target)) {
            return false;
        }
        fs.mkdirs(target.getParent());
        try {
            if (fs.rename(tmp, target)) {
                return true;
            }
        } catch (org.apache.hadoop.fs.FileAlreadyExistsException e) {
            // S3A reports an existing target this way instead of returning false.
            return false;
        }
        if (fs.exists(target)) {
            return false;
        }
        throw new IOException("could not rename " + tmp + " to " + target);
    }

    /**
     * The outcome is decided, so a temp file that cannot be deleted only wastes space until its
     * batch directory is cleaned up after the commit.
     */
    private static void deleteTmp(FileSystem fs, Path tmp) {
        try {
            fs.delete(tmp, false);
        } catch (IOException e) {
            LOG.warn("Could not delete the temp file {}; it goes when its batch is cleaned up", tmp, e);
        }
    }
}
