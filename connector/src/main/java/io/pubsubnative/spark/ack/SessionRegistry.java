package io.pubsubnative.spark.ack;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.pubsubnative.spark.nativelib.SubscriberSession;
import org.apache.hadoop.conf.Configuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The executor-wide cache of native subscriber sessions, keyed by (stream instance, partition),
 * and of the {@link CommitWatcher} of each instance. A session is used by one task at a time;
 * between tasks it stays open so its StreamingPull stream keeps receiving.
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
     * Takes the session of {@code key} for exclusive use, opening it (and the instance's watcher)
     * when needed. Waits up to {@code waitMs} for a previous user of the same session.
     */
    public SessionLease acquire(SessionKey key, Supplier<SubscriberSession> opener, String signalPath,
                                Configuration hadoopConf, long waitMs) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMs);
        synchronized (this) {
            while (true) {
                Entry entry = sessions.get(key);
                if (entry == null) {
                    entry = new Entry(opener.get());
                    entry.busy = true;
                    sessions.put(key, entry);
                    ensureWatcher(key.instanceId(), signalPath, hadoopConf);
                    LOG.info("Opened subscriber session {} for {}", key, entry.session.subscription());
                    return new SessionLease(this, key, entry.session, entry.reportedMetrics, true);
                }
                if (!entry.busy) {
                    entry.busy = true;
                    ensureWatcher(key.instanceId(), signalPath, hadoopConf);
                    return new SessionLease(this, key, entry.session, entry.reportedMetrics, false);
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

    synchronized void release(SessionKey key, SubscriberSession session) {
        Entry entry = sessions.get(key);
        if (entry != null && entry.session == session) {
            entry.busy = false;
            entry.idleSinceNanos = System.nanoTime();
        }
        notifyAll();
    }

    /** The sessions of an instance (busy or not). */
    synchronized List<SubscriberSession> sessionsOf(String instanceId) {
        List<SubscriberSession> out = new ArrayList<>();
        for (Map.Entry<SessionKey, Entry> e : sessions.entrySet()) {
            if (e.getKey().instanceId().equals(instanceId)) {
                out.add(e.getValue().session);
            }
        }
        return out;
    }

    /** Removes every session of the instance; the caller closes them. */
    synchronized List<SubscriberSession> removeAll(String instanceId) {
        return removeWhere(instanceId, Long.MIN_VALUE, false);
    }

    /** Removes the sessions of the instance that had no task for {@code idleMs}; the caller closes them. */
    synchronized List<SubscriberSession> removeIdle(String instanceId, long idleMs) {
        return removeWhere(instanceId, System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(idleMs), true);
    }

    private List<SubscriberSession> removeWhere(String instanceId, long idleBeforeNanos, boolean onlyIdle) {
        List<SubscriberSession> removed = new ArrayList<>();
        Iterator<Map.Entry<SessionKey, Entry>> it = sessions.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<SessionKey, Entry> e = it.next();
            Entry entry = e.getValue();
            if (!e.getKey().instanceId().equals(instanceId)) {
                continue;
            }
            if (onlyIdle && (entry.busy || entry.idleSinceNanos - idleBeforeNanos > 0)) {
                continue;
            }
            it.remove();
            removed.add(entry.session);
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

    /** Sessions currently open in this JVM. */
    public synchronized int openSessionCount() {
        return sessions.size();
    }

    private void ensureWatcher(String instanceId, String signalPath, Configuration hadoopConf) {
        if (!watchers.containsKey(instanceId)) {
            CommitWatcher watcher = new CommitWatcher(instanceId, signalPath, hadoopConf, this);
            watchers.put(instanceId, watcher);
            watcher.start();
        }
    }
}
