package io.pubsubnative.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.cloud.pubsub.v1.Subscriber;
import io.pubsubnative.bench.dataplane.FirehoseProcess;
import io.pubsubnative.bench.dataplane.GoogleSubscriberDrain;
import io.pubsubnative.bench.dataplane.JniDrain;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Benchmark (a), the data plane without Spark, on the firehose load server: for each message size,
 * one fresh firehose per reader, and three readers in their own processes, so that each one's CPU
 * time, GC and peak RSS are its own: the native subscriber in a plain Rust program
 * (bench/native-drain), the native subscriber through JNI with Arrow import in a plain JVM
 * ({@link JniDrain}), and Google's Java {@code Subscriber} with an ack-only receiver
 * ({@link GoogleSubscriberDrain}). The firehose's report checks that every message was acked once.
 */
public final class DataPlaneBench {

    private static final String PROJECT = "bench-proj";
    private static final double TARGET_MSGS_PER_CPU_SECOND = 1_000_000;
    private static final double TARGET_RATIO = 10;

    private record Params(long messages, List<Integer> sizes, List<String> sides, Path firehose, Path nativeDrain) {
    }

    private record Run(String side, int size, JsonNode drain, JsonNode firehose, String error) {
        double get(String key) {
            return drain == null ? Double.NaN : drain.get(key).asDouble();
        }

        double msgPerSec() {
            return get("messages") / get("wall_s");
        }

        double mbPerSec() {
            return get("payload_bytes") / 1e6 / get("wall_s");
        }

        double msgPerCpuSecond() {
            return get("messages") / get("cpu_s");
        }
    }

    private DataPlaneBench() {
    }

    public static void main(String[] args) throws Exception {
        Params p = parse(args);
        List<Run> runs = new ArrayList<>();
        for (int size : p.sizes()) {
            for (String side : p.sides()) {
                Run run = runOne(p, side, size);
                System.out.println("-- " + side + " " + size + " B: "
                        + (run.error() == null ? run.drain() : "FAILED: " + run.error()));
                runs.add(run);
            }
        }
        System.out.print(report(p, runs));
    }

    private static Run runOne(Params p, String side, int size) throws Exception {
        String subscription = "projects/" + PROJECT + "/subscriptions/drain-" + side;
        List<String> flags = List.of("--messages", Long.toString(p.messages()), "--size", Integer.toString(size),
                "--attributes", "2", "--ack-deadline-secs", "60");
        try (FirehoseProcess firehose = FirehoseProcess.start(p.firehose(), flags)) {
            List<String> drainArgs = List.of("--subscription", subscription, "--host", firehose.hostPort(),
                    "--messages", Long.toString(p.messages()));
            String error = null;
            JsonNode drain = null;
            try {
                drain = runChild(command(p, side, drainArgs));
            } catch (IOException e) {
                error = e.getMessage();
            }
            JsonNode report = firehose.finish(drain == null ? 5 : 60);
            long messages = p.messages();
            if (error == null && (report.get("acked_once").asLong() != messages
                    || report.get("acked_more_than_once").asLong() != 0)) {
                error = "firehose: acked once " + report.get("acked_once") + " of " + messages
                        + ", more than once " + report.get("acked_more_than_once");
            }
            return new Run(side, size, drain, report, error);
        }
    }

    private static List<String> command(Params p, String side, List<String> drainArgs) {
        List<String> command = new ArrayList<>();
        switch (side) {
            case "native-rust" -> command.add(p.nativeDrain().toString());
            case "jni-arrow", "google-java" -> {
                command.add(ProcessHandle.current().info().command().orElse("java"));
                command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
                command.add("-cp");
                command.add(System.getProperty("java.class.path"));
                command.add(side.equals("jni-arrow") ? JniDrain.class.getName() : GoogleSubscriberDrain.class.getName());
            }
            default -> throw new IllegalArgumentException("unknown side '" + side
                    + "'; valid: native-rust, jni-arrow, google-java");
        }
        command.addAll(drainArgs);
        return command;
    }

    /** Runs one drain process; its last output line is its JSON result. */
    private static JsonNode runChild(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int exit = process.waitFor();
        String[] lines = output.strip().split("\n");
        String last = lines[lines.length - 1];
        if (exit != 0 || !last.startsWith("{")) {
            throw new IOException("exit code " + exit + ", output:\n" + output);
        }
        return new ObjectMapper().readTree(last);
    }

    private static String report(Params p, List<Run> runs) {
        StringBuilder out = new StringBuilder("\n==================== dataplane-firehose results ====================\n");
        out.append(String.format(Locale.ROOT, "machine    : %d cores, %s, %.1f GiB RAM, load average now %s%n",
                Runtime.getRuntime().availableProcessors(), ReadEmulatorBench.cpuModel(),
                ReadEmulatorBench.totalMemoryGiB(), ReadEmulatorBench.loadAverage()));
        out.append(String.format(Locale.ROOT, "versions   : Java %s, Arrow %s, google-cloud-pubsub %s%n",
                System.getProperty("java.runtime.version"),
                ReadEmulatorBench.mavenVersion("org.apache.arrow", "arrow-vector",
                        org.apache.arrow.vector.VectorSchemaRoot.class),
                ReadEmulatorBench.mavenVersion("com.google.cloud", "google-cloud-pubsub", Subscriber.class)));
        out.append(String.format(Locale.ROOT, "parameters : %,d messages per run, sizes %s B, 2 attributes each, "
                + "1 StreamingPull stream per reader, batches of 1,000 rows acked every 100 batches%n",
                p.messages(), p.sizes()));
        out.append("each reader runs in its own process against its own firehose; CPU, GC, heap and RSS are that "
                + "process's own, from the start of the drain to its last ack\n\n");
        String fmt = "%-7s %-12s %12s %9s %10s %14s %8s %10s %10s  %s%n";
        out.append(String.format(Locale.ROOT, fmt, "size", "reader", "msg/s", "MB/s", "CPU-s/1M", "msgs/CPU-s",
                "GC ms", "heap MiB", "RSS MiB", "firehose check"));
        out.append("-".repeat(118)).append('\n');
        Map<Integer, Map<String, Run>> bySize = new LinkedHashMap<>();
        for (Run r : runs) {
            bySize.computeIfAbsent(r.size(), k -> new LinkedHashMap<>()).put(r.side(), r);
            out.append(String.format(Locale.ROOT, fmt, r.size() + " B", r.side(), num("%,.0f", r.msgPerSec()),
                    num("%.1f", r.mbPerSec()), num("%.3f", 1e6 / r.msgPerCpuSecond()),
                    num("%,.0f", r.msgPerCpuSecond()), num("%,.0f", r.get("gc_ms")),
                    num("%,.0f", r.get("peak_heap_bytes") / 1048576.0), num("%,.0f", r.get("peak_rss_bytes") / 1048576.0),
                    r.error() == null ? "acked once: all" : "!! " + r.error()));
        }
        out.append("\nratios (messages per CPU-second; higher is better):\n");
        for (Map.Entry<Integer, Map<String, Run>> e : bySize.entrySet()) {
            Run google = e.getValue().get("google-java");
            for (String side : List.of("native-rust", "jni-arrow")) {
                Run ours = e.getValue().get(side);
                if (ours == null || google == null) {
                    continue;
                }
                double ratio = ours.msgPerCpuSecond() / google.msgPerCpuSecond();
                out.append(String.format(Locale.ROOT, "  %6d B  %-11s / google-java = %6.2fx", e.getKey(), side, ratio));
                if (side.equals("jni-arrow") && e.getKey() == 1024) {
                    out.append(String.format(Locale.ROOT, "   targets: >= %.0fx %s, >= %,.0f msgs/CPU-s %s", TARGET_RATIO,
                            ratio >= TARGET_RATIO ? "MET" : "NOT MET", TARGET_MSGS_PER_CPU_SECOND,
                            ours.msgPerCpuSecond() >= TARGET_MSGS_PER_CPU_SECOND ? "MET" : "NOT MET"));
                }
                out.append('\n');
            }
        }
        return out.toString();
    }

    private static String num(String format, double value) {
        return Double.isNaN(value) || Double.isInfinite(value) ? "n/a" : String.format(Locale.ROOT, format, value);
    }

    private static Params parse(String[] args) {
        Map<String, String> v = new LinkedHashMap<>();
        v.put("messages", "2000000");
        v.put("sizes", "100,1024,10240");
        v.put("only", "native-rust,jni-arrow,google-java");
        v.put("firehose", "");
        v.put("native-drain", "");
        for (int i = 0; i < args.length; i += 2) {
            String key = args[i].startsWith("--") ? args[i].substring(2) : "";
            if (!v.containsKey(key) || i + 1 >= args.length) {
                throw new IllegalArgumentException("unknown flag or missing value: " + args[i] + "; flags: "
                        + v.keySet());
            }
            v.put(key, args[i + 1]);
        }
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
