package io.pubsubnative.spark.ack;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A driver daemon thread that checks the commit log every 200 ms and publishes the commit signal
 * when a batch committed, so executors acknowledge within about a second of the commit-log write
 * whatever the trigger interval (Spark itself tells the source only at the next trigger).
 */
public final class CommitSignalPoller implements AutoCloseable {

    static final long POLL_MS = 200;
    /** A failing poll is logged at most this often. */
    private static final long LOG_EVERY_MS = 60_000;

    private static final Logger LOG = LoggerFactory.getLogger(CommitSignalPoller.class);

    private final CommitSignal signal;
    private final Thread thread;
    private volatile boolean closed;

    private CommitSignalPoller(CommitSignal signal, String instanceId) {
        this.signal = signal;
        this.thread = new Thread(this::run, "pubsub-commit-poller-" + instanceId);
        this.thread.setDaemon(true);
    }

    public static CommitSignalPoller start(CommitSignal signal, String instanceId) {
        CommitSignalPoller poller = new CommitSignalPoller(signal, instanceId);
        poller.thread.start();
        return poller;
    }

    private void run() {
        long lastLoggedMs = 0;
        while (!closed) {
            try {
                signal.refresh();
            } catch (RuntimeException e) {
                long now = System.currentTimeMillis();
                if (now - lastLoggedMs > LOG_EVERY_MS) {
                    LOG.warn("Could not publish the commit signal {} (will retry every {} ms)",
                            signal.signalPath(), POLL_MS, e);
                    lastLoggedMs = now;
                }
            }
            try {
                Thread.sleep(POLL_MS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Stops the thread; waits at most a second for a poll in progress. */
    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join(1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
