package io.pubsubnative.bench;

import static io.pubsubnative.bench.FirehoseBenchReport.num;
import static io.pubsubnative.bench.FirehoseBenchReport.verdict;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Benchmark (a), the data plane without Spark, on the firehose load server: for each message size,
 * one fresh firehose per reader, and three readers in their own processes, so that each one's CPU
 * time, GC and peak RSS are its own: the native subscriber in a plain Rust program
 * (bench/native-drain), the native subscriber through JNI with Arrow import in a plain JVM
 * ({@link JniDrain}), and Google's Java {@code Subscriber} with an ack-only receiver
 * ({@link GoogleSubscriberDrain}). The firehose's report checks that every message was acked once.
 * Each reader drains {@code 2 * --messages} and reports two windows of {@code --messages} each (see
 * {@link DrainWindows}): from its start (cold) and right after (warm); both are tabled.
 */
public final class DataPlaneBench {

    private static final String PROJECT = "bench-proj";
    private static final double TARGET_MSGS_PER_CPU_SECOND = 1_000_000;
    private static final double TARGET_RATIO = 10;
    private static final double TARGET_CEILING_SHARE = 0.5;
    private static final String CEILING_LINE = "FIREHOSE_CEILING ";

    private record Params(long messages, List<Integer> sizes, List<String> sides, Path firehose, Path nativeDrain) {
    }

    private record Run(String side, int size, FirehoseRun result) {
    }

    private DataPlaneBench() {
    }

    public static void main(String[] args) throws Exception {
        Params p = parse(args);
        List<Run> runs = new ArrayList<>();
        Map<Integer, JsonNode> ceilings = new LinkedHashMap<>();
        for (int size : p.sizes()) {
            ceilings.put(size, ceiling(p, size));
            System.out.println("-- ceiling " + size + " B: " + ceilings.get(size));
            for (String side : p.sides()) {
                Run run = runOne(p, side, size);
                FirehoseRun r = run.result();
                System.out.println("-- " + side + " " + size + " B: " + (r.error() == null ? r.reader()
                        : "FAILED: " + r.error()));
                runs.add(run);
            }
        }
        System.out.print(report(p, runs, ceilings));
    }

    private static Run runOne(Params p, String side, int size) throws Exception {
        String subscription = "projects/" + PROJECT + "/subscriptions/drain-" + side;
        long served = 2 * p.messages();
        List<String> flags = List.of("--messages", Long.toString(served), "--size", Integer.toString(size),
                "--attributes", "2", "--ack-deadline-secs", "60");
        return new Run(side, size, FirehoseRun.run(p.firehose(), flags, served, hostPort -> {
            List<String> args = List.of("--subscription", subscription, "--host", hostPort,
                    "--messages", Long.toString(p.messages()));
            return switch (side) {
                case "native-rust" -> Stream.concat(Stream.of(p.nativeDrain().toString()), args.stream()).toList();
                case "jni-arrow" -> FirehoseRun.javaCommand(JniDrain.class, args);
                case "google-java" -> FirehoseRun.javaCommand(GoogleSubscriberDrain.class, args);
                default -> throw new IllegalArgumentException("unknown reader '" + side
                        + "'; valid: native-rust, jni-arrow, google-java");
            };
        }));
    }

    /** Benchmark (c): the firehose writes the same message bytes to a plain loopback socket reader. */
    private static JsonNode ceiling(Params p, int size) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(p.firehose().toString(), "ceiling", "--messages",
                Long.toString(p.messages()), "--size", Integer.toString(size), "--attributes", "2")
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int exit = process.waitFor();
        for (String line : output.split("\n")) {
            if (line.startsWith(CEILING_LINE)) {
                return new ObjectMapper().readTree(line.substring(CEILING_LINE.length()));
            }
        }
        throw new IOException("firehose ceiling printed no '" + CEILING_LINE.trim() + "' line (exit " + exit
                + "):\n" + output);
    }

    private static String report(Params p, List<Run> runs, Map<Integer, JsonNode> ceilings) {
        StringBuilder out = FirehoseBenchReport.header("dataplane-firehose results");
        out.append(String.format(Locale.ROOT, "parameters : %,d messages per window, sizes %s B, 2 attributes each, "
                + "1 StreamingPull stream per reader, batches of 1,000 rows acked after every 32 MiB or 50,000 messages, "
                + "flow control 100,000 messages / 100 MiB (the connector's defaults; Google's Subscriber gets the same)%n",
                p.messages(), p.sizes()));
        out.append("each reader runs in its own process against its own firehose and drains two windows of that many "
                + "messages; CPU and GC are that process's own over the window, peak heap and RSS since its start\n");
        Map<Integer, Map<String, FirehoseRun>> cold = new LinkedHashMap<>();
        Map<Integer, Map<String, FirehoseRun>> warm = new LinkedHashMap<>();
        for (Run run : runs) {
            cold.computeIfAbsent(run.size(), k -> new LinkedHashMap<>()).put(run.side(), run.result());
            warm.computeIfAbsent(run.size(), k -> new LinkedHashMap<>()).put(run.side(), run.result().warm());
        }
        window(out, "cold: the first window, from the start of the drain (JIT compiling, connections opening)",
                cold, ceilings);
        window(out, "warm: the second window, right after the first in the same process", warm, ceilings);
        return out.toString();
    }

    private static void window(StringBuilder out, String title, Map<Integer, Map<String, FirehoseRun>> bySize,
                               Map<Integer, JsonNode> ceilings) {
        out.append("\n").append(title).append("\n\n");
        String fmt = "%-7s %-12s %12s %9s %10s %14s %8s %10s %10s  %s%n";
        out.append(String.format(Locale.ROOT, fmt, "size", "reader", "msg/s", "MB/s", "CPU-s/1M", "msgs/CPU-s",
                "GC ms", "heap MiB", "RSS MiB", "firehose check"));
        out.append("-".repeat(118)).append('\n');
        for (Map.Entry<Integer, Map<String, FirehoseRun>> e : bySize.entrySet()) {
            for (Map.Entry<String, FirehoseRun> side : e.getValue().entrySet()) {
                FirehoseRun r = side.getValue();
                out.append(String.format(Locale.ROOT, fmt, e.getKey() + " B", side.getKey(),
                        num("%,.0f", r.msgPerSec()), num("%.1f", r.mbPerSec()),
                        num("%.3f", 1e6 / r.msgPerCpuSecond()), num("%,.0f", r.msgPerCpuSecond()),
                        num("%,.0f", r.get("gc_ms")),
                        num("%,.0f", r.get("peak_heap_bytes") / 1048576.0),
                        num("%,.0f", r.get("peak_rss_bytes") / 1048576.0),
                        r.error() == null ? "acked once: all" : "!! " + r.error()));
            }
        }
        for (Map.Entry<Integer, JsonNode> c : ceilings.entrySet()) {
            double msgs = c.getValue().get("messages_per_sec").asDouble();
            out.append(String.format(Locale.ROOT, fmt, c.getKey() + " B", "ceiling", num("%,.0f", msgs),
                    num("%.1f", msgs * c.getKey() / 1e6), "", "", "", "", "",
                    "plain loopback socket, same message bytes (c)"));
        }
        out.append("\nratios (messages per CPU-second; higher is better):\n");
        for (Map.Entry<Integer, Map<String, FirehoseRun>> e : bySize.entrySet()) {
            FirehoseRun google = e.getValue().get("google-java");
            for (String side : List.of("native-rust", "jni-arrow")) {
                FirehoseRun ours = e.getValue().get(side);
                if (ours == null || google == null) {
                    continue;
                }
                double ratio = ours.msgPerCpuSecond() / google.msgPerCpuSecond();
                out.append(String.format(Locale.ROOT, "  %6d B  %-11s / google-java = %6.2fx", e.getKey(), side,
                        ratio));
                if (side.equals("jni-arrow") && e.getKey() == 1024) {
                    out.append(String.format(Locale.ROOT, "   targets: >= %.0fx %s, >= %,.0f msgs/CPU-s %s",
                            TARGET_RATIO, verdict(ratio >= TARGET_RATIO), TARGET_MSGS_PER_CPU_SECOND,
                            verdict(ours.msgPerCpuSecond() >= TARGET_MSGS_PER_CPU_SECOND)));
                }
                out.append('\n');
                JsonNode ceiling = ceilings.get(e.getKey());
                if (ceiling != null) {
                    double share = ours.msgPerSec() / ceiling.get("messages_per_sec").asDouble();
                    out.append(String.format(Locale.ROOT, "  %6d B  %-11s / ceiling     = %6.2f   (msg/s, i.e. "
                            + "payload bytes/s)%s%n", e.getKey(), side, share, e.getKey() == 1024
                            ? "   target >= 0.50 " + verdict(share >= TARGET_CEILING_SHARE) : ""));
                }
            }
        }
    }

    private static Params parse(String[] args) {
        Map<String, String> v = new LinkedHashMap<>();
        v.put("messages", "2000000");
        v.put("sizes", "100,1024,10240");
        v.put("only", "native-rust,jni-arrow,google-java");
        v.put("firehose", "");
        v.put("native-drain", "");
        BenchArgs.apply(args, v, "DataPlaneBench");
        if (v.get("firehose").isEmpty() || v.get("native-drain").isEmpty()) {
            throw new IllegalArgumentException("--firehose and --native-drain (paths of the built binaries) are "
                    + "required; bench/dataplane-firehose.sh passes them");
        }
        List<Integer> sizes = new ArrayList<>();
        for (String s : v.get("sizes").split(",")) {
            sizes.add(Integer.parseInt(s.trim()));
        }
        return new Params(Long.parseLong(v.get("messages")), sizes, List.of(v.get("only").split(",")),
                Path.of(v.get("firehose")), Path.of(v.get("native-drain")));
    }
}
