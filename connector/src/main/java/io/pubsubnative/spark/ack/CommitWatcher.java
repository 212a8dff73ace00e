package io.pubsubnative.spark.ack;

import java.util.List;

import io.pubsubnative.spark.nativelib.SubscriberSession;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Executor side of ack-on-commit (docs/ack-on-commit.md): one daemon thread per stream instance
 * that polls the instance's commit-signal file every 200 ms. When the committed batch id grows it
 * acknowledges through it on every session of the instance; when the signal says stopped it
 * acknowledges through the final id, closes the instance's sessions (nacking the rest) and exits.
 * It also closes sessions that had no task for 120 s, and exits when its instance has no sessions.
 */
final class CommitWatcher implements Runnable {

    static final long POLL_MS = 200;
    static final long IDLE_CLOSE_MS = 120_000;

    private static final Logger LOG = LoggerFactory.getLogger(CommitWatcher.class);

    private final String instanceId;
    private final String signalPath;
    private final Configuration hadoopConf;
    private final SessionRegistry registry;
    private long ackedThrough = SignalState.NONE;
    private boolean loggedReadError;

    CommitWatcher(String instanceId, String signalPath, Configuration hadoopConf, SessionRegistry registry) {
        this.instanceId = instanceId;
        this.signalPath = signalPath;
        this.hadoopConf = hadoopConf;
        this.registry = registry;
    }

    void start() {
        Thread thread = new Thread(this, "pubsub-commit-watcher-" + instanceId);
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void run() {
        LOG.info("Commit watcher started for instance {} ({})", instanceId, signalPath);
        try {
            Path path = new Path(signalPath);
            FileSystem fs = path.getFileSystem(hadoopConf);
            while (true) {
                SignalState state = readSignal(fs, path);
                if (state != null && state.committedBatchId() > ackedThrough) {
                    ackAll(registry.sessionsOf(instanceId), state.committedBatchId());
                    ackedThrough = state.committedBatchId();
                }
                if (state != null && state.stopped()) {
                    closeAll(registry.removeAll(instanceId), "the query stopped");
                } else {
                    closeAll(registry.removeIdle(instanceId, IDLE_CLOSE_MS), "no task for 120 s");
                }
                if (registry.retireWatcherIfEmpty(instanceId, this)) {
                    break;
                }
                Thread.sleep(POLL_MS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.error("Commit watcher for instance {} failed; closing its sessions", instanceId, e);
            closeAll(registry.removeAll(instanceId), "the commit watcher failed");
            registry.retireWatcherIfEmpty(instanceId, this);
        }
        LOG.info("Commit watcher for instance {} exited", instanceId);
    }

    private SignalState readSignal(FileSystem fs, Path path) {
        try {
            return SignalFiles.read(fs, path);
        } catch (Exception e) {
            if (!loggedReadError) {
                LOG.warn("Cannot read commit signal {} (will retry)", path, e);
                loggedReadError = true;
            }
            return null;
        }
    }

    private void ackAll(List<SubscriberSession> sessions, long committed) {
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
