package io.pubsubnative.spark.ack;

import java.util.List;
import java.util.Map;

import io.pubsubnative.spark.nativelib.SubscriberSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Executor side of ack-on-commit (docs/replayable-batches.md): one daemon thread per stream
 * instance that polls the instance's commit signal every 200 ms. When the committed batch id grows
 * it nacks the reads of this executor that the signal says were superseded, then acknowledges
 * through the committed id on every session of the instance; when the signal says stopped it
 * acknowledges through the final id, closes the instance's sessions (nacking the rest) and exits.
 * It closes the sessions whose partition moved to another executor (two batches after the last one
 * they read committed without them) and those that had no task for 120 s and hold no uncommitted
 * read, and exits when its instance has no sessions. If the signal stays unreadable for {@link #UNREADABLE_FAIL_MS} it
 * records a failure that fails the instance's next tasks, instead of silently never acknowledging.
 */
final class CommitWatcher implements Runnable {

    static final long POLL_MS = 200;
    static final long IDLE_CLOSE_MS = 120_000;
    /** Two, not one: a single batch read elsewhere may be a task that missed its locality wait. */
    static final int ORPHANED_AFTER_BATCHES = 2;
    static final long UNREADABLE_FAIL_MS = 60_000;

    private static final Logger LOG = LoggerFactory.getLogger(CommitWatcher.class);

    private final String instanceId;
    private final String executorId;
    private final CommitChannel channel;
    private final SessionRegistry registry;
    private final Thread thread;
    private long ackedThrough = SignalState.NONE;
    private long lastReadNanos = System.nanoTime();
    private volatile IllegalStateException failure;

    CommitWatcher(String instanceId, String executorId, CommitChannel channel, SessionRegistry registry) {
        this.instanceId = instanceId;
        this.executorId = executorId;
        this.channel = channel;
        this.registry = registry;
        this.thread = new Thread(this, "pubsub-commit-watcher-" + instanceId);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    boolean isAlive() {
        return thread.isAlive();
    }

    /** The watcher's thread (tests). */
    Thread thread() {
        return thread;
    }

    /** Throws the channel failure, if the signal has been unreadable for too long. */
    void throwIfChannelBroken() {
        IllegalStateException broken = failure;
        if (broken != null) {
            throw broken;
        }
    }

    @Override
    public void run() {
        LOG.info("Commit watcher started for instance {} ({})", instanceId, channel.path());
        try {
            while (!pollOnce()) {
                Thread.sleep(POLL_MS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.info("Commit watcher for instance {} exited", instanceId);
    }

    /** One poll; true when the watcher is done. A failing poll is logged and retried, never fatal. */
    private boolean pollOnce() {
        try {
            SignalState state = readSignal();
            if (state != null) {
                onSignal(state);
                if (state.stopped()) {
                    closeAll(registry.removeAll(instanceId), "the query stopped");
                    return registry.retireWatcherIfEmpty(instanceId, this);
                }
            }
            closeAll(registry.removeOrphaned(instanceId, ackedThrough, ORPHANED_AFTER_BATCHES),
                    ORPHANED_AFTER_BATCHES + " later batches committed without them: their partitions "
                            + "are read on other executors");
            closeAll(registry.removeIdle(instanceId, IDLE_CLOSE_MS, ackedThrough),
                    "no task for 120 s and no uncommitted read");
            return registry.retireWatcherIfEmpty(instanceId, this);
        } catch (RuntimeException e) {
            LOG.warn("Commit watcher for instance {}: a poll failed (will retry)", instanceId, e);
            return false;
        }
    }

    private SignalState readSignal() {
        try {
            SignalState state = channel.read();
            if (state != null) {
                lastReadNanos = System.nanoTime();
                if (failure != null) {
                    LOG.info("Commit signal {} is readable again", channel.path());
                    failure = null;
                }
                return state;
            }
            noteUnreadable("the file does not exist on this executor", null);
        } catch (Exception e) {
            noteUnreadable(e.toString(), e);
        }
        return null;
    }

    private void noteUnreadable(String cause, Exception error) {
        if (failure == null && (System.nanoTime() - lastReadNanos) / 1_000_000L > UNREADABLE_FAIL_MS) {
            failure = CommitChannel.unreadable(channel.path(), cause + " for more than "
                    + UNREADABLE_FAIL_MS / 1000 + " s", error);
            LOG.error("Failing the tasks of instance {}", instanceId, failure);
        }
    }

    private void onSignal(SignalState state) {
        long committed = state.committedBatchId();
        if (committed <= ackedThrough) {
            return;
        }
        Map<SessionKey, SubscriberSession> sessions = registry.sessionsOf(instanceId);
        for (Map.Entry<SessionKey, SubscriberSession> e : sessions.entrySet()) {
            for (long batch : state.supersededBatches(executorId, e.getKey().partition(), committed)) {
                nack(e.getValue(), batch);
            }
        }
        ackAll(sessions.values(), committed);
        ackedThrough = committed;
    }

    private void nack(SubscriberSession session, long batch) {
        try {
            // Another executor re-read this batch and the output may hold its messages, not ours.
            session.nackBatch(batch);
            LOG.info("Batch {} of {} was re-read by another executor; its messages here were nacked",
                    batch, session.subscription());
        } catch (RuntimeException e) {
            LOG.warn("nackBatch({}) failed for a session of {}", batch, session.subscription(), e);
        }
    }

    private void ackAll(Iterable<SubscriberSession> sessions, long committed) {
        for (SubscriberSession session : sessions) {
            try {
                session.ackThrough(committed);
            } catch (RuntimeException e) {
                LOG.warn("ackThrough({}) failed for a session of {}", committed, session.subscription(), e);
            }
        }
    }

    private void closeAll(List<SubscriberSession> sessions, String why) {
        if (sessions.isEmpty()) {
            return;
        }
        // Acknowledge what was committed before closing: closing nacks everything else.
        if (ackedThrough != SignalState.NONE) {
            ackAll(sessions, ackedThrough);
        }
        for (SubscriberSession session : sessions) {
            try {
                session.close();
            } catch (RuntimeException e) {
                LOG.warn("Closing a session of {} failed", session.subscription(), e);
            }
        }
        LOG.info("Closed {} subscriber session(s) of instance {}: {}", sessions.size(), instanceId, why);
    }
}
