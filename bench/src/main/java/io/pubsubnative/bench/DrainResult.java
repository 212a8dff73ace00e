package io.pubsubnative.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * What one reader process of a firehose benchmark measured of itself (a {@link Probe} over its read,
 * plus its peak RSS), printed as the one JSON line the orchestrator reads; bench/native-drain prints
 * the same keys.
 */
record DrainResult(String side, long messages, long payloadBytes, Probe.Sample sample, long peakRssBytes,
                   long liveHeapBytes, long replayLogBytes, DrainResult warm) {

    static DrainResult of(String side, long messages, long payloadBytes, Probe probe) {
        return new DrainResult(side, messages, payloadBytes, probe.stop(), readPeakRss(), -1, -1, null);
    }

    /** This result with a second, later window of the same process (see {@link DrainWindows}). */
    DrainResult withWarm(DrainResult later) {
        return new DrainResult(side, messages, payloadBytes, sample, peakRssBytes, liveHeapBytes, replayLogBytes,
                later);
    }

    /** This result with the heap in use after a full GC at the end of the run ({@link Probe#liveHeapBytes}). */
    DrainResult withLiveHeap(long bytes) {
        return new DrainResult(side, messages, payloadBytes, sample, peakRssBytes, bytes, replayLogBytes, warm);
    }

    /** This result with the bytes the reader wrote to the checkpoint's replay log (replayLog=checkpoint). */
    DrainResult withReplayLogBytes(long bytes) {
        return new DrainResult(side, messages, payloadBytes, sample, peakRssBytes, liveHeapBytes, bytes, warm);
    }

    String toJson() {
        return String.format(Locale.ROOT, "{\"side\":\"%s\",\"messages\":%d,\"payload_bytes\":%d,"
                + "\"wall_s\":%.6f,\"cpu_s\":%.6f,\"gc_ms\":%d,\"peak_heap_bytes\":%d,\"peak_rss_bytes\":%d%s%s%s}",
                side, messages, payloadBytes, sample.seconds(), sample.cpuSeconds(), sample.gcMillis(),
                sample.peakHeapBytes(), peakRssBytes,
                liveHeapBytes < 0 ? "" : ",\"live_heap_bytes\":" + liveHeapBytes,
                replayLogBytes < 0 ? "" : ",\"replay_log_bytes\":" + replayLogBytes,
                warm == null ? "" : ",\"warm\":" + warm.toJson());
    }

    /** VmHWM of /proc/self/status: the process's peak resident set, Java heap and native alike. */
    private static long readPeakRss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
