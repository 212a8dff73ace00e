package io.pubsubnative.spark.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplayLogCleanerTest {

    private static ReplayLogLayout layout(File checkpoint) {
        return new ReplayLogLayout(new Path(new File(checkpoint, "sources/0").toURI()), "inst-1");
    }

    private static void mkdirsWithFile(File dir) throws IOException {
        Files.createDirectories(dir.toPath());
        Files.writeString(new File(dir, "0.arrows").toPath(), "x");
    }

    private static Set<String> names(File dir) {
        return new TreeSet<>(Arrays.asList(dir.list()));
    }

    @Test
    void deletesOnlyBatchesUpToTheCommittedOne(@TempDir File checkpoint) throws IOException {
        File log = new File(checkpoint, "sources/0/replay-log");
        File claims = new File(checkpoint, "sources/0/replay-claims/inst-1");
        File otherInstance = new File(checkpoint, "sources/0/replay-claims/inst-0/1");
        for (String batch : new String[] {"1", "2", "3", "10", "notes"}) {
            mkdirsWithFile(new File(log, batch));
        }
        for (String batch : new String[] {"2", "5"}) {
            mkdirsWithFile(new File(claims, batch));
        }
        mkdirsWithFile(otherInstance);

        int deleted = ReplayLogCleaner.deleteCommitted(FileSystem.getLocal(new Configuration()), layout(checkpoint), 2);

        assertEquals(3, deleted);
        assertEquals(Set.of("3", "10", "notes"), names(log));
        assertEquals(Set.of("5"), names(claims));
        assertTrue(otherInstance.isDirectory(), "another instance's claims are not this instance's to delete");
    }

    @Test
    void aNewRunDeletesTheClaimsOfEarlierRunsOnly(@TempDir File checkpoint) throws IOException {
        File earlier = new File(checkpoint, "sources/0/replay-claims/inst-0/1");
        File current = new File(checkpoint, "sources/0/replay-claims/inst-1/4");
        mkdirsWithFile(earlier);
        mkdirsWithFile(current);
        FileSystem fs = FileSystem.getLocal(new Configuration());
        ReplayLogCleaner.deleteClaimsOfOtherRuns(fs, layout(checkpoint));
        assertEquals(Set.of("inst-1"), names(new File(checkpoint, "sources/0/replay-claims")));
        assertTrue(current.isDirectory());
        ReplayLogCleaner.deleteClaimsOfOtherRuns(fs, layout(new File(checkpoint, "never-written")));
    }

    @Test
    void nothingWrittenYetDeletesNothing(@TempDir File checkpoint) throws IOException {
        assertEquals(0, ReplayLogCleaner.deleteCommitted(FileSystem.getLocal(new Configuration()),
                layout(checkpoint), 100));
    }
}
