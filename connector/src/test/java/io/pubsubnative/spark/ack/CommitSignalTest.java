package io.pubsubnative.spark.ack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommitSignalTest {

    private final Configuration conf = new Configuration();

    private CommitSignal signal(File checkpoint) {
        Path root = new Path(checkpoint.toURI());
        return new CommitSignal(new Path(root, "sources/0"), new Path(root, "commits"), "inst-1", conf);
    }

    @Test
    void signalPathIsUnderTheSourceCheckpoint(@TempDir File checkpoint) {
        assertTrue(signal(checkpoint).signalPath().toString().endsWith("/sources/0/ack-signal/inst-1"));
    }

    @Test
    void emptyCommitLogPublishesNone(@TempDir File checkpoint) throws IOException {
        CommitSignal signal = signal(checkpoint);
        assertNull(CommitSignal.read(signal.signalPath(), conf));
        signal.publish(false);
        assertEquals(new SignalState(SignalState.NONE, false), CommitSignal.read(signal.signalPath(), conf));
    }

    @Test
    void publishesTheHighestNumericCommitFile(@TempDir File checkpoint) throws IOException {
        File commits = new File(checkpoint, "commits");
        assertTrue(commits.mkdirs());
        for (String name : new String[] {"0", "1", "2", "10", ".10.crc", "9.tmp", "x"}) {
            Files.writeString(new File(commits, name).toPath(), "v1");
        }
        CommitSignal signal = signal(checkpoint);
        assertEquals(10, signal.latestCommittedBatchId());
        assertEquals(new SignalState(10, false), signal.publish(false));
        assertEquals(new SignalState(10, false), CommitSignal.read(signal.signalPath(), conf));

        Files.writeString(new File(commits, "11").toPath(), "v1");
        signal.publish(true);
        assertEquals(new SignalState(11, true), CommitSignal.read(signal.signalPath(), conf));
    }

    @Test
    void stoppedStaysSetOnceWritten(@TempDir File checkpoint) throws IOException {
        CommitSignal signal = signal(checkpoint);
        signal.publish(true);
        assertTrue(signal.publish(false).stopped());
        assertTrue(CommitSignal.read(signal.signalPath(), conf).stopped());
    }

    @Test
    void writeRoundTripsAndRewritesOnlyOnChange(@TempDir File checkpoint) throws IOException {
        CommitSignal signal = signal(checkpoint);
        signal.write(new SignalState(5, false));
        File file = new File(new File(checkpoint, "sources/0/ack-signal"), "inst-1");
        assertTrue(file.isFile());
        assertEquals("{\"committed_batch_id\":5,\"stopped\":false,\"superseded\":[]}",
                Files.readString(file.toPath()));
        assertTrue(file.setLastModified(1000L));
        signal.write(new SignalState(5, false));
        assertEquals(1000L, file.lastModified(), "unchanged state must not rewrite the file");
        signal.write(new SignalState(6, false));
        assertEquals(new SignalState(6, false), CommitSignal.read(signal.signalPath(), conf));
        String[] leftovers = file.getParentFile().list((d, n) -> n.endsWith(".tmp") || n.contains(".tmp."));
        assertEquals(0, leftovers.length, "temp files must not be left behind");
    }

    @Test
    void signalStateJsonRoundTripsAndReadsSignalsWithoutSupersededReads() throws IOException {
        SignalState state = new SignalState(123, true, List.of(new SignalState.Superseded(120, 3, "7")));
        assertEquals(state, SignalState.fromJson(state.toJson()));
        SignalState old = SignalState.fromJson("{\"committed_batch_id\":-1,\"stopped\":false}");
        assertFalse(old.stopped());
        assertTrue(old.superseded().isEmpty());
    }

    @Test
    void supersededBatchesAreThoseOfThisExecutorAndPartitionUpToTheCommit() {
        SignalState state = new SignalState(10, false, List.of(
                new SignalState.Superseded(8, 1, "exec-a"),
                new SignalState.Superseded(9, 1, "exec-b"),
                new SignalState.Superseded(9, 2, "exec-a"),
                new SignalState.Superseded(11, 1, "exec-a")));
        assertEquals(List.of(8L), state.supersededBatches("exec-a", 1, 10));
        assertEquals(List.of(8L, 11L), state.supersededBatches("exec-a", 1, 11));
        assertTrue(state.supersededBatches("exec-c", 1, 11).isEmpty());
    }

    @Test
    void refreshPublishesANewCommitWithoutWaitingForTheNextTrigger(@TempDir File checkpoint) throws IOException {
        File commits = new File(checkpoint, "commits");
        assertTrue(commits.mkdirs());
        CommitSignal signal = signal(checkpoint);
        assertEquals(SignalState.NONE, signal.refresh().committedBatchId());
        Files.writeString(new File(commits, "0").toPath(), "v1");
        assertEquals(0, signal.refresh().committedBatchId());
        assertEquals(new SignalState(0, false), CommitSignal.read(signal.signalPath(), conf));
        assertEquals(0, signal.refresh().committedBatchId(), "no new commit file: nothing changes");
    }
}
