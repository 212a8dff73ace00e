package io.pubsubnative.bench;

import static io.pubsubnative.bench.FirehoseBenchReport.num;
import static io.pubsubnative.bench.FirehoseBenchReport.verdict;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Benchmark (b), end to end in Spark on the firehose: for each sink ({@code noop} with
 * {@code count(*)} and {@code sum(length(payload))}, and Parquet), each message count and each
 * {@code replayLog} mode, one Spark JVM ({@link SparkFirehoseRead}, {@code local[2]}) against its
 * own fresh firehose. Checks the targets: messages per CPU-second of the Spark process, GC time as a
 * share of wall time, and peak heap no larger at the largest count than at the smallest; and prints
 * what checkpoint mode costs against memory mode in the same run.
 */
public final class SparkFirehoseBench {

    private static final double TARGET_MSGS_PER_CPU_SECOND = 500_000;
    private static final double TARGET_GC_SHARE = 0.01;

    private record Run(String sink, long messages, String mode, FirehoseRun result) {
        String label() {
            return sink + "/" + mode;
        }
    }

    private SparkFirehoseBench() {
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> a = new LinkedHashMap<>(Map.of("messages", "1000000,10000000", "sinks",
                "noop,parquet", "size", "1024", "firehose", "", "read-options", "", "modes", "memory,checkpoint"));
        BenchArgs.apply(argv, a, "SparkFirehoseBench");
        Path firehose = Path.of(a.get("firehose"));
        int size = Integer.parseInt(a.get("size"));
        List<Run> runs = new ArrayList<>();
        for (String sink : a.get("sinks").split(",")) {
            for (String count : a.get("messages").split(",")) {
                long messages = Long.parseLong(count.trim());
                // The modes alternate within each sink and count, so machine drift hits both alike.
                for (String mode : a.get("modes").split(",")) {
                    runs.add(runOne(firehose, sink, messages, size, mode.trim(), a.get("read-options")));
                }
            }
        }
        System.out.print(report(runs, size, a.get("read-options")));
    }

    private static Run runOne(Path firehose, String sink, long messages, int size, String mode, String readOptions)
            throws Exception {
        List<String> flags = List.of("--messages", Long.toString(messages), "--size", Integer.toString(size),
                "--attributes", "2", "--ack-deadline-secs", "60");
        String options = (readOptions.isBlank() ? "" : readOptions + ",") + "replayLog=" + mode;
        FirehoseRun r = FirehoseRun.run(firehose, flags, messages, hostPort -> FirehoseRun.javaCommand(
                SparkFirehoseRead.class, List.of("--subscription", "projects/bench-proj/subscriptions/spark",
                        "--host", hostPort, "--messages", Long.toString(messages), "--size",
                        Integer.toString(size), "--sink", sink, "--read-options", options)));
        System.out.println("-- " + sink + " " + messages + " " + mode + ": " + (r.error() == null ? r.reader()
                : "FAILED: " + r.error()));
        return new Run(sink, messages, mode, r);
    }

    private static String report(List<Run> runs, int size, String readOptions) {
        StringBuilder out = FirehoseBenchReport.header("spark-firehose results");
        out.append(String.format(Locale.ROOT, "parameters : %d B messages with 2 attributes, local[2], parallelism 2, "
                + "Trigger.AvailableNow, read options: %s; one Spark JVM per row%n", size,
                readOptions.isBlank() ? "the defaults" : readOptions));
        out.append("noop    = readStream.format(\"pubsub\") -> agg(count(*), sum(length(payload))) -> noop sink "
                + "(complete mode)\nparquet = readStream.format(\"pubsub\") -> select(message_id, publish_time, "
                + "attributes, payload) -> parquet\nCPU, GC and heap: the Spark JVM from query start to termination; "
                + "live: heap in use after a full GC once the query ended\n\n");
        String fmt = "%-18s %11s %10s %8s %9s %12s %8s %6s %9s %9s %8s %9s  %s%n";
        out.append(String.format(Locale.ROOT, fmt, "sink/replayLog", "messages", "msg/s", "MB/s", "CPU-s/1M",
                "msgs/CPU-s", "GC ms", "GC %", "heap MiB", "live MiB", "RSS MiB", "ckpt B/msg", "firehose check"));
        out.append("-".repeat(142)).append('\n');
        for (Run run : runs) {
            FirehoseRun r = run.result();
            out.append(String.format(Locale.ROOT, fmt, run.label(), String.format(Locale.ROOT, "%,d", run.messages()),
                    num("%,.0f", r.msgPerSec()), num("%.1f", r.mbPerSec()), num("%.3f", 1e6 / r.msgPerCpuSecond()),
                    num("%,.0f", r.msgPerCpuSecond()), num("%,.0f", r.get("gc_ms")), num("%.2f", gcShare(r) * 100),
                    num("%,.0f", r.get("peak_heap_bytes") / 1048576.0),
                    num("%,.0f", r.get("live_heap_bytes") / 1048576.0), num("%,.0f", r.get("peak_rss_bytes") / 1048576.0),
                    num("%,.0f", r.get("replay_log_bytes") / run.messages()),
                    r.error() == null ? "acked once: all" : "!! " + r.error()));
        }
        appendModeRatios(out, runs);
        out.append("\nwarm: the same queries from the end of the micro-batch that completed half the messages to "
                + "termination (JIT compiled, Spark's first micro-batches done); n/a when that micro-batch was the "
                + "last one with data\n\n");
        String warmFmt = "%-18s %11s %11s %10s %8s %9s %12s %8s %6s%n";
        out.append(String.format(Locale.ROOT, warmFmt, "sink", "messages", "of query", "msg/s", "MB/s", "CPU-s/1M",
                "msgs/CPU-s", "GC ms", "GC %"));
        out.append("-".repeat(92)).append('\n');
        for (Run run : runs) {
            FirehoseRun w = run.result().warm();
            out.append(String.format(Locale.ROOT, warmFmt, run.label(), num("%,.0f", w.get("messages")),
                    String.format(Locale.ROOT, "%,d", run.messages()), num("%,.0f", w.msgPerSec()),
                    num("%.1f", w.mbPerSec()), num("%.3f", 1e6 / w.msgPerCpuSecond()), num("%,.0f", w.msgPerCpuSecond()),
                    num("%,.0f", w.get("gc_ms")), num("%.2f", gcShare(w) * 100)));
        }
        out.append("\ntargets (1 KB messages; whole query, and warm in brackets):\n");
        for (Run run : runs) {
            FirehoseRun r = run.result();
            FirehoseRun w = r.warm();
            out.append(String.format(Locale.ROOT, "  %-18s %,11d: >= %,.0f msgs/CPU-s %s (%s); GC <= 1%% of wall %s (%s)%n",
                    run.label(), run.messages(), TARGET_MSGS_PER_CPU_SECOND,
                    verdict(r.msgPerCpuSecond() >= TARGET_MSGS_PER_CPU_SECOND),
                    verdict(w.msgPerCpuSecond(), w.msgPerCpuSecond() >= TARGET_MSGS_PER_CPU_SECOND),
                    verdict(gcShare(r) <= TARGET_GC_SHARE), verdict(gcShare(w), gcShare(w) <= TARGET_GC_SHARE)));
        }
        for (String label : runs.stream().map(Run::label).distinct().toList()) {
            List<Run> bySink = runs.stream().filter(r -> r.label().equals(label)).toList();
            Run smallest = bySink.get(0);
            Run largest = bySink.get(bySink.size() - 1);
            if (smallest != largest) {
                double small = smallest.result().get("peak_heap_bytes");
                double large = largest.result().get("peak_heap_bytes");
                out.append(String.format(Locale.ROOT, "  %-8s peak heap at %,d (%s MiB) no larger than at %,d "
                        + "(%s MiB): %s%n", label, largest.messages(), num("%,.0f", large / 1048576.0),
                        smallest.messages(), num("%,.0f", small / 1048576.0), verdict(large <= small)));
                double smallLive = smallest.result().get("live_heap_bytes");
                double largeLive = largest.result().get("live_heap_bytes");
                out.append(String.format(Locale.ROOT, "  %-8s   (heap live after a full GC at the end: %s MiB at %,d, "
                        + "%s MiB at %,d)%n", label, num("%,.0f", largeLive / 1048576.0), largest.messages(),
                        num("%,.0f", smallLive / 1048576.0), smallest.messages()));
            }
        }
        return out.toString();
    }

    /** Each mode against memory mode (today's behaviour) on the same sink and count, from this run. */
    private static void appendModeRatios(StringBuilder out, List<Run> runs) {
        out.append("\nreplayLog modes against memory mode in this run (ratio > 1: the mode needs more):\n");
        for (Run run : runs) {
            if (run.mode().equals("memory")) {
                continue;
            }
            runs.stream().filter(m -> m.mode().equals("memory") && m.sink().equals(run.sink())
                    && m.messages() == run.messages()).findFirst().ifPresent(memory -> out.append(String.format(
                    Locale.ROOT, "  %-18s %,11d: CPU-s/1M x%s, wall x%s, GC ms x%s%n", run.label(), run.messages(),
                    num("%.2f", memory.result().msgPerCpuSecond() / run.result().msgPerCpuSecond()),
                    num("%.2f", memory.result().msgPerSec() / run.result().msgPerSec()),
                    num("%.2f", run.result().get("gc_ms") / memory.result().get("gc_ms")))));
        }
    }

    private static double gcShare(FirehoseRun r) {
        return r.get("gc_ms") / 1000.0 / r.get("wall_s");
    }

}
