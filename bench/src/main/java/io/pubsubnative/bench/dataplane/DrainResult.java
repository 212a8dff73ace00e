package io.pubsubnative.bench.dataplane;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * What one drain process measured of itself, printed as the one JSON line the orchestrator reads
 * (the same keys as bench/native-drain prints). {@link Clock} starts the measurement at the
 * beginning of the drain, so JVM start-up and class loading before it are not counted.
 */
public record DrainResult(String side, long messages, long payloadBytes, double wallSeconds, double cpuSeconds,
                   long gcMillis, long peakHeapBytes, long peakRssBytes) {

    public String toJson() {
        return String.format(Locale.ROOT, "{\"side\":\"%s\",\"messages\":%d,\"payload_bytes\":%d,"
                + "\"wall_s\":%.6f,\"cpu_s\":%.6f,\"gc_ms\":%d,\"peak_heap_bytes\":%d,\"peak_rss_bytes\":%d}",
                side, messages, payloadBytes, wallSeconds, cpuSeconds, gcMillis, peakHeapBytes, peakRssBytes);
    }

    /** Wall time, process CPU time, GC time and peak heap of this JVM from {@link #start()} on. */
    public static final class Clock {
        private static final com.sun.management.OperatingSystemMXBean OS =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

        private final long wall0;
        private final long cpu0;
        private final long gc0;

        private Clock() {
            for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                if (pool.getType() == MemoryType.HEAP) {
                    pool.resetPeakUsage();
                }
            }
            gc0 = gcMillis();
            cpu0 = OS.getProcessCpuTime();
            wall0 = System.nanoTime();
        }

        public static Clock start() {
            return new Clock();
        }

        public DrainResult stop(String side, long messages, long payloadBytes) {
            double wall = (System.nanoTime() - wall0) / 1e9;
            double cpu = (OS.getProcessCpuTime() - cpu0) / 1e9;
            long peakHeap = 0;
            for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) {
                    peakHeap += pool.getPeakUsage().getUsed();
                }
            }
            return new DrainResult(side, messages, payloadBytes, wall, cpu, gcMillis() - gc0, peakHeap,
                    peakRssBytes());
        }

        private static long gcMillis() {
            long total = 0;
            for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                total += Math.max(0, gc.getCollectionTime());
            }
            return total;
        }

        /** VmHWM of /proc/self/status: the process's peak resident set, Java heap and native alike. */
        private static long peakRssBytes() {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                    if (line.startsWith("VmHWM:")) {
                        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                    }
                }
            } catch (java.io.IOException | NumberFormatException e) {
                return -1;
            }
            return -1;
        }
    }
}
