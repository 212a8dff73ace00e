package io.pubsubnative.spark.ack;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;

import io.pubsubnative.spark.nativelib.SubscriberSession;
import org.apache.hadoop.conf.Configuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The executor-wide cache of native subscriber sessions, keyed by (stream instance, partition),
 * and of the {@link CommitWatcher} of each instance. A session is used by one task at a time;
 * between tasks it stays open so its StreamingPull stream keeps receiving, and it keeps the reads
 * of batches that have not committed yet, so that re-reads replay them.
 */
public final class SessionRegistry {

    private static final Logger LOG = LoggerFactory.getLogger(SessionRegistry.class);
    private static final SessionRegistry INSTANCE = new SessionRegistry();

    private final Map<SessionKey, Entry> sessions = new HashMap<>();
    private final Map<String, CommitWatcher> watchers = new HashMap<>();

    private static final class Entry {
        final SubscriberSession session;
        final long[] reportedMetrics = new long[SubscriberSession.METRIC_COUNT];
        boolean busy;
        long idleSinceNanos;
        /** The highest batch a task read through this session. */
        long lastReadBatch = SignalState.NONE;

        Entry(SubscriberSession session) {
            this.session = session;
        }
    }

    SessionRegistry() {
    }

    public static SessionRegistry get() {
        return INSTANCE;
    }

    /**
     * Takes the session of {@code key} for exclusive use by a task reading {@code batchId}, opening
     * it (and the instance's watcher) when needed. Waits up to {@code waitMs} for a previous user of
     * the same session. Fails when this executor cannot read the instance's commit signal.
     */
    public SessionLease acquire(SessionKey key, long batchId, Supplier<SubscriberSession> opener,
                                String signalPath, Configuration hadoopConf, long waitMs)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMs);
        synchronized (this) {
            ensureWatcher(key.instanceId(), signalPath, hadoopConf);
            while (true) {
                Entry entry = sessions.get(key);
                if (entry == null) {
                    entry = new Entry(opener.get());
                    sessions.put(key, entry);
                    LOG.info("Opened subscriber session {} for {}", key, entry.session.subscription());
                    return lease(key, entry, batchId, true);
                }
                if (!entry.busy) {
                    return lease(key, entry, batchId, false);
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IllegalStateException(String.format(
                            "subscriber session %s is still used by another task after %d ms", key, waitMs));
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        }
    }

    private SessionLease lease(SessionKey key, Entry entry, long batchId, boolean fresh) {
        entry.busy = true;
        entry.lastReadBatch = Math.max(entry.lastReadBatch, batchId);
        return new SessionLease(this, key, entry.session, entry.reportedMetrics, fresh);
    }

    synchronized void release(SessionKey key, SubscriberSession session) {
        Entry entry = sessions.get(key);
        if (entry != null && entry.session == session) {
            entry.busy = false;
            entry.idleSinceNanos = System.nanoTime();
        }
        notifyAll();
    }

    /** The sessions of an instance (busy or not), by key. */
    synchronized Map<SessionKey, SubscriberSession> sessionsOf(String instanceId) {
        Map<SessionKey, SubscriberSession> out = new HashMap<>();
        for (Map.Entry<SessionKey, Entry> e : sessions.entrySet()) {
            if (e.getKey().instanceId().equals(instanceId)) {
                out.put(e.getKey(), e.getValue().session);
            }
        }
        return out;
    }

    /** Removes every session of the instance; the caller closes them. */
    synchronized List<SubscriberSession> removeAll(String instanceId) {
        return removeWhere(instanceId, entry -> true);
    }

    /**
     * Removes the sessions of the instance that had no task for {@code idleMs} and whose reads are
     * all of batches up to {@code committedThrough}: closing a session nacks what it holds, and the
     * reads of an uncommitted batch must stay for its re-reads and its acknowledgement. The caller
     * closes them.
     */
    synchronized List<SubscriberSession> removeIdle(String instanceId, long idleMs, long committedThrough) {
        long idleBefore = System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(idleMs);
        return removeWhere(instanceId, entry -> !entry.busy && entry.idleSinceNanos - idleBefore <= 0
                && entry.lastReadBatch <= committedThrough);
    }

    /**
     * Removes the idle sessions of the instance whose partition the batches after the last one they
     * read were read without them: {@code laterBatches} of those batches have committed. Every
     * batch reads every partition, so another executor reads theirs now; such a session would keep
     * pulling messages no task takes and hold them until their leases lapse. The caller closes
     * them, which hands what they buffer back to Pub/Sub at once.
     */
    synchronized List<SubscriberSession> removeOrphaned(String instanceId, long committedThrough,
                                                        int laterBatches) {
        return removeWhere(instanceId, entry -> !entry.busy
                && entry.lastReadBatch + laterBatches <= committedThrough);
    }

    private List<SubscriberSession> removeWhere(String instanceId, Predicate<Entry> removable) {
        List<SubscriberSession> removed = new ArrayList<>();
        Iterator<Map.Entry<SessionKey, Entry>> it = sessions.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<SessionKey, Entry> e = it.next();
            if (e.getKey().instanceId().equals(instanceId) && removable.test(e.getValue())) {
                it.remove();
                removed.add(e.getValue().session);
            }
        }
        notifyAll();
        return removed;
    }

    /** Forgets the watcher if its instance has no sessions left; true if the watcher must exit. */
    synchronized boolean retireWatcherIfEmpty(String instanceId, CommitWatcher watcher) {
        for (SessionKey key : sessions.keySet()) {
            if (key.instanceId().equals(instanceId)) {
                return false;
            }
        }
        if (watchers.get(instanceId) == watcher) {
            watchers.remove(instanceId);
        }
        return true;
    }

    /** The instance's current watcher, or null (tests). */
    synchronized CommitWatcher watcherOf(String instanceId) {
        return watchers.get(instanceId);
    }

    /** Sessions currently open in this JVM. */
    public synchronized int openSessionCount() {
        return sessions.size();
    }

    /**
     * Starts the instance's watcher unless a live one runs; a watcher thread that died is replaced.
     * A new watcher first reads the signal once, so an executor that cannot read the checkpoint
     * fails its first task instead of never acknowledging.
     */
    private void ensureWatcher(String instanceId, String signalPath, Configuration hadoopConf)
            throws InterruptedException {
        CommitWatcher running = watchers.get(instanceId);
        if (running != null && running.isAlive()) {
            running.throwIfChannelBroken();
            return;
        }
        if (running != null) {
            LOG.warn("The commit watcher of instance {} died; starting a new one", instanceId);
        }
        CommitChannel channel = CommitChannel.openReadable(signalPath, hadoopConf);
        CommitWatcher watcher = new CommitWatcher(instanceId, ExecutorIdentity.current(), channel, this);
        watchers.put(instanceId, watcher);
        watcher.start();
    }
}
