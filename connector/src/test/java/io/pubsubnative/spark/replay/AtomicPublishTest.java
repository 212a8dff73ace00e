package io.pubsubnative.spark.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FilterFileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicPublishTest {

    /** The local file system under another scheme, so that publishing takes the rename path. */
    private static final class OtherSchemeFileSystem extends FilterFileSystem {

        OtherSchemeFileSystem(FileSystem local) {
            super(local);
        }

        @Override
        public URI getUri() {
            return URI.create("other:///");
        }
    }

    private static FileSystem rawLocal() throws IOException {
        return FileSystem.getLocal(new Configuration()).getRawFileSystem();
    }

    private static File write(File file, String content) throws IOException {
        Files.createDirectories(file.getParentFile().toPath());
        Files.writeString(file.toPath(), content);
        return file;
    }

    private static Path path(File file) {
        return new Path(file.toURI());
    }

    @Test
    void exactlyOneOfTwoRacingPublishersWins(@TempDir File dir) throws Exception {
        FileSystem fs = rawLocal();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 200; round++) {
                File target = new File(dir, round + "/target");
                File[] tmps = {write(new File(dir, round + "/.a.tmp"), "a" + round),
                        write(new File(dir, round + "/.b.tmp"), "b" + round)};
                CyclicBarrier start = new CyclicBarrier(2);
                Future<Boolean> a = pool.submit(() -> {
                    start.await();
                    return AtomicPublish.publishIfAbsent(fs, path(tmps[0]), path(target));
                });
                Future<Boolean> b = pool.submit(() -> {
                    start.await();
                    return AtomicPublish.publishIfAbsent(fs, path(tmps[1]), path(target));
                });
                boolean aWon = a.get();
                boolean bWon = b.get();
                assertTrue(aWon ^ bWon, "exactly one publisher wins in round " + round);
                assertFalse(tmps[0].exists(), "temp file a is gone in round " + round);
                assertFalse(tmps[1].exists(), "temp file b is gone in round " + round);
                assertEquals((aWon ? "a" : "b") + round, Files.readString(target.toPath()),
                        "the winner's content in round " + round);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void publishingCreatesTheTargetDirectory(@TempDir File dir) throws IOException {
        File tmp = write(new File(dir, ".x.tmp"), "content");
        File target = new File(dir, "a/b/target");
        assertTrue(AtomicPublish.publishIfAbsent(rawLocal(), path(tmp), path(target)));
        assertEquals("content", Files.readString(target.toPath()));
        assertFalse(tmp.exists());
    }

    @Test
    void checksummedLocalFileSystemPublishesWithoutChecksumFiles(@TempDir File dir) throws IOException {
        File tmp = write(new File(dir, ".x.tmp"), "content");
        File target = new File(dir, "target");
        assertTrue(AtomicPublish.publishIfAbsent(FileSystem.getLocal(new Configuration()), path(tmp), path(target)));
        assertEquals("content", Files.readString(target.toPath()));
        assertEquals(1, dir.list().length, "only the target is left: " + String.join(", ", dir.list()));
    }

    @Test
    void otherFileSystemsRenameWhenTheTargetIsAbsent(@TempDir File dir) throws IOException {
        File tmp = write(new File(dir, ".x.tmp"), "content");
        File target = new File(dir, "a/target");
        assertTrue(AtomicPublish.publishIfAbsent(new OtherSchemeFileSystem(rawLocal()), path(tmp), path(target)));
        assertEquals("content", Files.readString(target.toPath()));
        assertFalse(tmp.exists());
    }

    @Test
    void otherFileSystemsLeaveAnExistingTargetAlone(@TempDir File dir) throws IOException {
        File target = write(new File(dir, "target"), "first");
        File tmp = write(new File(dir, ".x.tmp"), "second");
        assertFalse(AtomicPublish.publishIfAbsent(new OtherSchemeFileSystem(rawLocal()), path(tmp), path(target)));
        assertEquals("first", Files.readString(target.toPath()));
        assertFalse(tmp.exists(), "the loser's temp file is deleted");
    }

    @Test
    void localFileSystemLeavesAnExistingTargetAlone(@TempDir File dir) throws IOException {
        File target = write(new File(dir, "target"), "first");
        File tmp = write(new File(dir, ".x.tmp"), "second");
        assertFalse(AtomicPublish.publishIfAbsent(rawLocal(), path(tmp), path(target)));
        assertEquals("first", Files.readString(target.toPath()));
        assertFalse(tmp.exists(), "the loser's temp file is deleted");
    }
}
