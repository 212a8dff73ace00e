package io.pubsubnative.spark.ack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.File;
import java.util.List;
import java.util.function.BooleanSupplier;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.pubsubnative.spark.nativelib.SubscriberSession;

/** Registry and watcher behaviour with real native sessions (pointed at an unreachable host). */
class CommitWatcherTest {

    private static final String SUB = "projects/test-proj/subscriptions/sub-1";
    private static final String CONFIG = "{\"subscription\":\"" + SUB + "\","
            + "\"endpoint\":\"https://pubsub.googleapis.com\",\"emulator_host\":\"127.0.0.1:1\","
            + "\"credentials_path\":null,\"max_outstanding_messages\":1000,"
            + "\"max_outstanding_bytes\":1048576,\"max_ack_extension_seconds\":60,\"connect_timeout_ms\":500}";

    private final Configuration conf = new Configuration();

    @BeforeAll
    static void requireLibrary() {
        assumeFalse(Boolean.getBoolean("native.skip"), "built with -Dnative.skip=true");
    }

    @Test
    void sessionIsReusedAcrossTasksAndClosedWhenTheQueryStops(@TempDir File dir) throws Exception {
        SessionRegistry registry = new SessionRegistry();
        CommitSignal signal = new CommitSignal(new Path(dir.toURI()), new Path(dir.toURI().resolve("commits")),
                "inst-stop", conf);
        signal.publish(false);
        SessionKey key = new SessionKey("inst-stop", 0);

        SessionLease first = registry.acquire(key, 0, () -> SubscriberSession.open(SUB, CONFIG),
                signal.signalPath().toString(), conf, 1000);
        assertTrue(first.fresh());
        first.release();
        SessionLease second = registry.acquire(key, 0, () -> SubscriberSession.open(SUB, CONFIG),
                signal.signalPath().toString(), conf, 1000);
        assertFalse(second.fresh());
        assertSame(first.session(), second.session());
        second.release();
        assertEquals(1, registry.openSessionCount());

        signal.publish(true);
        waitUntil(() -> registry.openSessionCount() == 0);
        assertTrue(first.session().isClosed());
    }

    @Test
    void aBusySessionIsNotHandedToASecondTask(@TempDir File dir) throws Exception {
        SessionRegistry registry = new SessionRegistry();
        CommitSignal signal = new CommitSignal(new Path(dir.toURI()), new Path(dir.toURI().resolve("commits")),
                "inst-busy", conf);
        signal.publish(false);
        SessionKey key = new SessionKey("inst-busy", 3);
        SessionLease lease = registry.acquire(key, 0, () -> SubscriberSession.open(SUB, CONFIG),
                signal.signalPath().toString(), conf, 1000);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> registry.acquire(key, 0, () -> SubscriberSession.open(SUB, CONFIG),
                        signal.signalPath().toString(), conf, 100));
        assertTrue(e.getMessage().contains("inst-busy/3"), e.getMessage());
        SessionLease other = registry.acquire(new SessionKey("inst-busy", 4), 0,
                () -> SubscriberSession.open(SUB, CONFIG), signal.signalPath().toString(), conf, 100);
        assertNotSame(lease.session(), other.session());
        lease.release();
        other.release();
        signal.publish(true);
        waitUntil(() -> registry.openSessionCount() == 0);
    }

    @Test
    void anExecutorThatCannotReadTheCommitSignalFailsItsFirstTaskNamingTheCheckpoint(@TempDir File dir) {
        SessionRegistry registry = new SessionRegistry();
        // The driver never wrote the signal where this "executor" looks: a checkpoint it cannot see.
        String signalPath = new Path(new Path(dir.toURI()), "ack-signal/inst-unseen").toString();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> registry.acquire(new SessionKey("inst-unseen", 0), 0,
                        () -> SubscriberSession.open(SUB, CONFIG), signalPath, conf, 1000));
        assertTrue(e.getMessage().contains("cannot read the commit signal " + signalPath), e.getMessage());
        assertTrue(e.getMessage().contains("must be on storage every executor can read"), e.getMessage());
        assertEquals(0, registry.openSessionCount(), "no session is opened without a commit channel");
    }

    @Test
    void aWatcherThreadThatDiedIsReplacedAndStillAcknowledgesCommits(@TempDir File dir) throws Exception {
        SessionRegistry registry = new SessionRegistry();
        CommitSignal signal = new CommitSignal(new Path(dir.toURI()), new Path(dir.toURI().resolve("commits")),
                "inst-dead", conf);
        signal.publish(false);
        SessionKey key = new SessionKey("inst-dead", 0);
        registry.acquire(key, 0, () -> SubscriberSession.open(SUB, CONFIG), signal.signalPath().toString(),
                conf, 1000).release();
        CommitWatcher first = registry.watcherOf("inst-dead");
        first.thread().interrupt();
        first.thread().join(5000);
        assertFalse(first.isAlive());

        registry.acquire(key, 1, () -> SubscriberSession.open(SUB, CONFIG), signal.signalPath().toString(),
                conf, 1000).release();
        CommitWatcher second = registry.watcherOf("inst-dead");
        assertNotSame(first, second);
        assertTrue(second.isAlive());
        signal.publish(true);
        waitUntil(() -> registry.openSessionCount() == 0);
    }

    @Test
    void anIdleSessionIsClosedOnlyOnceEveryBatchItReadIsCommitted(@TempDir File dir) throws Exception {
        SessionRegistry registry = new SessionRegistry();
        CommitSignal signal = new CommitSignal(new Path(dir.toURI()), new Path(dir.toURI().resolve("commits")),
                "inst-idle", conf);
        signal.publish(false);
        SessionKey key = new SessionKey("inst-idle", 0);
        registry.acquire(key, 5, () -> SubscriberSession.open(SUB, CONFIG), signal.signalPath().toString(),
                conf, 1000).release();
        assertTrue(registry.removeIdle("inst-idle", 0, 4).isEmpty(),
                "batch 5 is not committed: closing would nack what its re-reads and its ack need");
        List<SubscriberSession> removed = registry.removeIdle("inst-idle", 0, 5);
        assertEquals(1, removed.size());
        removed.get(0).close();
        signal.publish(true);
        waitUntil(() -> registry.openSessionCount() == 0);
    }

    @Test
    void aSessionWhosePartitionIsReadElsewhereIsClosedOnceTwoLaterBatchesCommitted(@TempDir File dir)
            throws Exception {
        SessionRegistry registry = new SessionRegistry();
        File commits = new File(dir, "commits");
        CommitSignal signal = new CommitSignal(new Path(dir.toURI()), new Path(commits.toURI()),
                "inst-moved", conf);
        signal.publish(false);
        // partition 0 read batch 5 here, then moved to another executor; partition 1 stays here
        SessionLease moved = registry.acquire(new SessionKey("inst-moved", 0), 5,
                () -> SubscriberSession.open(SUB, CONFIG), signal.signalPath().toString(), conf, 1000);
        moved.release();
        SessionLease stays = registry.acquire(new SessionKey("inst-moved", 1), 7,
                () -> SubscriberSession.open(SUB, CONFIG), signal.signalPath().toString(), conf, 1000);
        stays.release();
        assertTrue(registry.removeOrphaned("inst-moved", 6, CommitWatcher.ORPHANED_AFTER_BATCHES).isEmpty(),
                "one later batch read elsewhere may be a task that missed its locality wait");

        assertTrue(commits.mkdirs());
        for (int batch = 0; batch <= 7; batch++) {
            assertTrue(new File(commits, Integer.toString(batch)).createNewFile());
        }
        signal.publish(false);
        waitUntil(() -> moved.session().isClosed());
        assertFalse(stays.session().isClosed(), "its partition is still read here");
        assertEquals(1, registry.openSessionCount());
        signal.publish(true);
        waitUntil(() -> registry.openSessionCount() == 0);
    }

    @Test
    void aSessionInUseIsNeverClosedAsOrphaned(@TempDir File dir) throws Exception {
        SessionRegistry registry = new SessionRegistry();
        CommitSignal signal = new CommitSignal(new Path(dir.toURI()), new Path(dir.toURI().resolve("commits")),
                "inst-inuse", conf);
        signal.publish(false);
        SessionLease lease = registry.acquire(new SessionKey("inst-inuse", 0), 1,
                () -> SubscriberSession.open(SUB, CONFIG), signal.signalPath().toString(), conf, 1000);
        assertTrue(registry.removeOrphaned("inst-inuse", 100, CommitWatcher.ORPHANED_AFTER_BATCHES).isEmpty());
        lease.release();
        signal.publish(true);
        waitUntil(() -> registry.openSessionCount() == 0);
    }

    private static void waitUntil(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 5000;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("condition not met within 5 s");
            }
            Thread.sleep(50);
        }
    }
}
