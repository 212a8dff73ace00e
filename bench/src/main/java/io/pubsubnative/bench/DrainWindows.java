package io.pubsubnative.bench;

/**
 * The two measured windows of one drain process: the first {@code N} messages from the start of the
 * drain ("cold": the JIT still compiling the read path, connections opening) and the next {@code N}
 * ("warm": the same process in its steady state). Both are printed, so a reader's one-time start-up
 * cost and its cost per message can be told apart.
 */
final class DrainWindows {

    private final String side;
    private final long perWindow;
    private Probe probe = Probe.start(false);
    private DrainResult cold;
    private long coldMessages;
    private long coldBytes;

    DrainWindows(String side, long perWindow) {
        this.side = side;
        this.perWindow = perWindow;
    }

    /** Messages the process drains in all: both windows. */
    long total() {
        return 2 * perWindow;
    }

    /** Whether these running totals complete the cold window (the drain acks what it read first). */
    synchronized boolean coldEndsAt(long messages) {
        return cold == null && messages >= perWindow;
    }

    /**
     * Given the running totals, closes the cold window once it holds {@code N} messages (a batch can
     * take it past {@code N}; the windows count what they really held); later calls do nothing.
     */
    synchronized void closeColdAt(long messages, long payloadBytes) {
        if (!coldEndsAt(messages)) {
            return;
        }
        cold = DrainResult.of(side, messages, payloadBytes, probe);
        coldMessages = messages;
        coldBytes = payloadBytes;
        probe = Probe.startWithoutGc();
    }

    /** The JSON line of both windows, given the totals at the end of the drain. */
    synchronized String finish(long messages, long payloadBytes) {
        if (cold == null) {
            throw new IllegalStateException(side + " drained " + messages + " messages, fewer than the cold window's "
                    + perWindow);
        }
        return cold.withWarm(DrainResult.of(side, messages - coldMessages, payloadBytes - coldBytes, probe)).toJson();
    }
}
