package io.pubsubnative.bench;

import com.google.api.core.ApiFuture;
import com.google.api.core.ApiFutures;
import com.google.api.gax.batching.BatchingSettings;
import com.google.api.gax.batching.FlowControlSettings;
import com.google.api.gax.batching.FlowController.LimitExceededBehavior;
import com.google.api.gax.core.NoCredentialsProvider;
import com.google.api.gax.grpc.GrpcTransportChannel;
import com.google.api.gax.rpc.FixedTransportChannelProvider;
import com.google.cloud.pubsub.v1.Publisher;
import com.google.protobuf.ByteString;
import com.google.pubsub.v1.PubsubMessage;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.pubsubnative.testkit.LocalPubSubEmulator;
import io.pubsubnative.testkit.PubSubFixtures;
import io.pubsubnative.testkit.TaskMetricSums;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Publish benchmark against Google's Pub/Sub emulator: the connector ({@code df.write.format("pubsub")}
 * from a cached DataFrame, Spark local mode) against Google's Java {@link Publisher} (one publisher,
 * one publishing thread), same emulator, same message count, size and attributes, a fresh topic for
 * every run. Prints one table. See bench/README.md.
 */
public final class PublishEmulatorBench {

  static final String PROJECT = "bench-proj";
  /** The connector's default publisher settings, given to Google's publisher too. */
  static final long BATCH_MESSAGES = 1000;
  static final long BATCH_BYTES = 10_000_000L;
  static final Duration LINGER = Duration.ofMillis(10);
  static final long MAX_PENDING_BYTES = 134_217_728L;
  /** Bytes of the zero-padded sequence number at the start of every payload. */
  static final int SEQ_DIGITS = 12;
  static final String MESSAGES_PUBLISHED_METRIC = "messages published to Pub/Sub";

  public static void main(String[] args) {
    BenchArgs.main("PublishEmulatorBench", args, Params::parse, PublishEmulatorBench::run);
  }

  static void run(Params p) throws Exception {
    long started = System.nanoTime();
    String loadAtStart = BenchEnvironment.loadAverage();
    List<Measurement> results = new ArrayList<>();
    String sparkVersion;
    System.out.println("== publish-emulator benchmark ==");
    System.out.println(p);

    try (TopicServer server = p.firehose.isEmpty() ? TopicServer.emulator() : TopicServer.firehose(p.firehose)) {
      System.out.println(server.name() + ": " + server.hostPort());
      SparkSession spark = BenchEnvironment.localSpark("pubsub-publish-bench", p.master);
      sparkVersion = spark.version();
      TaskMetricSums counter = new TaskMetricSums();
      spark.sparkContext().addSparkListener(counter);
      try {
        Dataset<Row> warmRows = cachedRows(spark, p.warmupMessages, p);
        Dataset<Row> rows = cachedRows(spark, p.messages, p);
        int run = 0;
        if (p.warmupMessages > 0) {
          System.out.printf(Locale.ROOT, "-- warm-up: %,d messages each (not reported)%n", p.warmupMessages);
          if (p.sides.contains("connector")) {
            System.out.println("   " + runConnector(spark, counter, server, p, warmRows,
                p.warmupMessages, "warm" + run++).oneLine());
          }
          if (p.sides.contains("java-client")) {
            System.out.println("   " + runJavaClient(server, p, p.warmupMessages,
                "warm" + run++).oneLine());
          }
        }
        for (int rep = 0; rep < p.repeat; rep++) {
          // Alternate which side goes first so neither always meets a "tired" emulator.
          List<String> order = rep % 2 == 0 ? List.of("connector", "java-client") : List.of("java-client", "connector");
          for (String side : order) {
            if (!p.sides.contains(side)) {
              continue;
            }
            String tag = "r" + run++;
            Measurement m;
            try {
              m = side.equals("connector")
                  ? runConnector(spark, counter, server, p, rows, p.messages, tag)
                  : runJavaClient(server, p, p.messages, tag);
            } catch (Exception e) {
              // Keep going: the table reports the failure instead of losing the other figures.
              e.printStackTrace();
              m = Measurement.failed(side, p.messages, e);
            }
            System.out.println("   " + m.oneLine());
            results.add(m);
          }
        }
      } finally {
        spark.stop();
      }
    }
    printReport(p, results, sparkVersion, (System.nanoTime() - started) / 1e9, loadAtStart);
  }

  /** The server both sides publish to: Google's emulator (topics created), or the firehose (any topic exists). */
  interface TopicServer extends AutoCloseable {
    String name();

    String hostPort();

    /** The full path of a topic that exists on the server. */
    String newTopic(String id) throws Exception;

    static TopicServer emulator() throws Exception {
      LocalPubSubEmulator emulator = LocalPubSubEmulator.start();
      PubSubFixtures fx = new PubSubFixtures(emulator.hostPort(), PROJECT);
      return new TopicServer() {
        @Override public String name() { return "emulator"; }
        @Override public String hostPort() { return emulator.hostPort(); }
        @Override public String newTopic(String id) { return fx.createTopic(id); }
        @Override public void close() throws Exception {
          fx.close();
          emulator.close();
        }
      };
    }

    static TopicServer firehose(String binary) throws Exception {
      // The firehose serves no messages here; it only answers GetTopic and Publish.
      FirehoseProcess firehose = FirehoseProcess.start(Path.of(binary), List.of("--messages", "1", "--size", "1"));
      return new TopicServer() {
        @Override public String name() { return "firehose"; }
        @Override public String hostPort() { return firehose.hostPort(); }
        @Override public String newTopic(String id) { return "projects/" + PROJECT + "/topics/" + id; }
        @Override public void close() throws Exception { firehose.close(); }
      };
    }
  }

  /** The messages as a cached DataFrame (payload: zero-padded sequence number + filler; two attributes). */
  static Dataset<Row> cachedRows(SparkSession spark, long count, Params p) {
    Dataset<Row> rows = spark.range(0, count, 1, p.partitions).selectExpr(
        String.format(Locale.ROOT, "CAST(CONCAT(LPAD(CAST(id AS STRING), %d, '0'), REPEAT('x', %d)) AS BINARY) AS payload",
            SEQ_DIGITS, Math.max(0, p.size - SEQ_DIGITS)),
        "map('seq', CAST(id AS STRING), 'bench', 'publish-emulator') AS attributes").cache();
    rows.count();
    return rows;
  }

  // ---------------------------------------------------------------- our connector

  static Measurement runConnector(SparkSession spark, TaskMetricSums counter, TopicServer server, Params p,
                                  Dataset<Row> rows, long messages, String tag) throws Exception {
    String topic = server.newTopic("t-" + tag);
    long before = counter.get(MESSAGES_PUBLISHED_METRIC);
    Probe probe = Probe.start(true);
    Probe.Sample s;
    try {
      rows.write().format("pubsub").mode("append")
          .option("topicId", topic)
          .option("emulatorHost", server.hostPort())
          .option("batchSize", Integer.toString(p.batchSize))
          .save();
    } finally {
      s = probe.stop();
    }
    long published = counter.awaitAtLeast(MESSAGES_PUBLISHED_METRIC, before + messages, Duration.ofSeconds(10)) - before;
    String note = published == messages ? "" : "published " + published + " of " + messages;
    return new Measurement("connector", messages, published, published * p.size, s, note);
  }

  // ---------------------------------------------------------------- baseline: Google's Java Publisher

  static Measurement runJavaClient(TopicServer server, Params p, long messages, String tag) throws Exception {
    String topic = server.newTopic("t-" + tag);
    byte[] filler = "x".repeat(Math.max(0, p.size - SEQ_DIGITS)).getBytes(StandardCharsets.US_ASCII);
    // Google's documented emulator setup: a plaintext channel, no credentials.
    ManagedChannel channel = ManagedChannelBuilder.forTarget(server.hostPort()).usePlaintext().build();
    Probe probe = Probe.start(false);
    Publisher publisher = Publisher.newBuilder(topic)
        .setChannelProvider(FixedTransportChannelProvider.create(GrpcTransportChannel.create(channel)))
        .setCredentialsProvider(NoCredentialsProvider.create())
        .setBatchingSettings(BatchingSettings.newBuilder()
            .setElementCountThreshold(BATCH_MESSAGES)
            .setRequestByteThreshold(BATCH_BYTES)
            .setDelayThresholdDuration(LINGER)
            .setFlowControlSettings(FlowControlSettings.newBuilder()
                .setMaxOutstandingRequestBytes(MAX_PENDING_BYTES)
                .setMaxOutstandingElementCount(Long.MAX_VALUE)
                .setLimitExceededBehavior(LimitExceededBehavior.Block)
                .build())
            .build())
        .build();
    long published;
    try {
      List<ApiFuture<String>> futures = new ArrayList<>((int) messages);
      for (long i = 0; i < messages; i++) {
        String seq = Long.toString(i);
        byte[] payload = new byte[SEQ_DIGITS + filler.length];
        String padded = "0".repeat(Math.max(0, SEQ_DIGITS - seq.length())) + seq;
        System.arraycopy(padded.getBytes(StandardCharsets.US_ASCII), 0, payload, 0, SEQ_DIGITS);
        System.arraycopy(filler, 0, payload, SEQ_DIGITS, filler.length);
        futures.add(publisher.publish(PubsubMessage.newBuilder()
            .setData(ByteString.copyFrom(payload))
            .putAttributes("seq", seq)
            .putAttributes("bench", "publish-emulator")
            .build()));
      }
      published = ApiFutures.allAsList(futures).get(p.runTimeoutSeconds, TimeUnit.SECONDS).size();
    } finally {
      publisher.shutdown();
      publisher.awaitTermination(60, TimeUnit.SECONDS);
    }
    Probe.Sample s = probe.stop();
    channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    String note = published == messages ? "" : "published " + published + " of " + messages;
    return new Measurement("java-client", messages, published, published * p.size, s, note);
  }

  // ---------------------------------------------------------------- report

  record Measurement(String side, long expected, long published, long payloadBytes, Probe.Sample s, String note) {
    static Measurement failed(String side, long expected, Exception e) {
      return new Measurement(side, expected, 0, 0, new Probe.Sample(Double.NaN, Double.NaN, 0, 0, 0, -1),
          "FAILED: " + e);
    }

    double msgPerSec() { return published / s.seconds(); }
    double mbPerSec() { return payloadBytes / 1e6 / s.seconds(); }
    double cpuPerMillion() { return published == 0 ? Double.NaN : s.cpuSeconds() / published * 1e6; }

    String oneLine() {
      return String.format(Locale.ROOT, "%-11s: %,d msgs in %.2f s = %,.0f msg/s, %.2f MB/s, cpu %.2f s, gc %d ms%s",
          side, published, s.seconds(), msgPerSec(), mbPerSec(), s.cpuSeconds(), s.gcMillis(),
          note.isEmpty() ? "" : "  [" + note + "]");
    }
  }

  static void printReport(Params p, List<Measurement> results, String sparkVersion, double totalSecs,
                          String loadAtStart) {
    StringBuilder out = new StringBuilder();
    out.append('\n').append("==================== publish-").append(p.firehose.isEmpty() ? "emulator" : "firehose")
        .append(" results ====================\n");
    out.append(BenchEnvironment.header(sparkVersion));
    out.append("parameters : ").append(p).append('\n');
    out.append("connector  = cached DataFrame (").append(p.partitions)
        .append(" partitions = tasks = native publishers) .write.format(\"pubsub\").mode(\"append\").save(), master ")
        .append(p.master).append(", default publisher settings\n");
    out.append("java-client= com.google.cloud.pubsub.v1.Publisher, one publisher and one publishing thread, batching ")
        .append(BATCH_MESSAGES).append(" msgs / ").append(BATCH_BYTES).append(" B / ").append(LINGER.toMillis())
        .append(" ms, flow control ").append(MAX_PENDING_BYTES).append(" B (the connector's defaults)\n");
    out.append("time = save() (connector) or first publish() to every message id + shutdown (java-client); "
        + "CPU = process CPU time of this JVM over the same window (OperatingSystemMXBean).\n");
    out.append("each side runs --repeat times; every row is the median over the side's runs.\n\n");

    List<Measurement> cs = results.stream().filter(m -> m.side().equals("connector")).toList();
    List<Measurement> js = results.stream().filter(m -> m.side().equals("java-client")).toList();
    String fmt = "%-26s %14s %14s %9s%n";
    out.append(String.format(Locale.ROOT, fmt, "metric", "connector", "java-client", "ratio"));
    out.append("-".repeat(66)).append('\n');
    out.append(String.format(Locale.ROOT, fmt, "runs", cs.size(), js.size(), ""));
    out.append(String.format(Locale.ROOT, fmt, "msg/s min-max of runs", range(cs), range(js), ""));
    row(out, fmt, "messages published", cs, js, m -> m.published(), "%,.0f");
    row(out, fmt, "elapsed s", cs, js, m -> m.s().seconds(), "%.2f");
    row(out, fmt, "msg/s", cs, js, Measurement::msgPerSec, "%,.0f");
    row(out, fmt, "MB/s (payload)", cs, js, Measurement::mbPerSec, "%.2f");
    row(out, fmt, "CPU s / 1M msgs", cs, js, Measurement::cpuPerMillion, "%.2f");
    row(out, fmt, "GC ms", cs, js, m -> m.s().gcMillis(), "%,.0f");
    for (Measurement m : results) {
      if (!m.note().isEmpty()) {
        out.append("!! ").append(m.side()).append(": ").append(m.note()).append('\n');
      }
    }
    out.append("\nratio = connector / java-client (msg/s, MB/s: higher is better; elapsed, CPU, GC: lower is better)\n");
    out.append("The connector's CPU includes the Spark driver and executor of local mode; the emulator is another "
        + "process and is not counted.\n");
    out.append(String.format(Locale.ROOT, "%ntotal wall time %.0f s; load average (1/5/15 min) at start %s, at end %s "
        + "(above the core count means other processes competed for the CPU)%n", totalSecs, loadAtStart,
        BenchEnvironment.loadAverage()));
    System.out.print(out);
    System.out.flush();
  }

  static void row(StringBuilder out, String fmt, String name, List<Measurement> cs, List<Measurement> js,
                  ToDoubleFunction<Measurement> f, String nf) {
    double ours = BenchStats.median(cs.stream().mapToDouble(f).toArray());
    double base = BenchStats.median(js.stream().mapToDouble(f).toArray());
    out.append(String.format(Locale.ROOT, fmt, name, String.format(Locale.ROOT, nf, ours),
        String.format(Locale.ROOT, nf, base), BenchStats.ratio(ours, base)));
  }

  static String range(List<Measurement> rs) {
    return BenchStats.range(rs.stream().mapToDouble(Measurement::msgPerSec).toArray());
  }

  // ---------------------------------------------------------------- parameters

  record Params(long messages, int size, int partitions, String master, int batchSize, long warmupMessages,
                int runTimeoutSeconds, int repeat, List<String> sides, String firehose) {

    static Params parse(String[] args) {
      Map<String, String> v = new LinkedHashMap<>();
      v.put("messages", BenchArgs.env("BENCH_MESSAGES", "300000"));
      v.put("size", BenchArgs.env("BENCH_MESSAGE_SIZE", "1024"));
      v.put("partitions", BenchArgs.env("BENCH_PARTITIONS", "2"));
      v.put("master", BenchArgs.env("BENCH_SPARK_MASTER", "local[2]"));
      v.put("batch-size", BenchArgs.env("BENCH_BATCH_SIZE", "1000"));
      v.put("warmup-messages", BenchArgs.env("BENCH_WARMUP_MESSAGES", "50000"));
      v.put("run-timeout-s", BenchArgs.env("BENCH_RUN_TIMEOUT_S", "180"));
      v.put("repeat", BenchArgs.env("BENCH_REPEAT", "5"));
      v.put("only", BenchArgs.env("BENCH_ONLY", "connector,java-client"));
      v.put("firehose", BenchArgs.env("BENCH_FIREHOSE", ""));
      BenchArgs.apply(args, v, "PublishEmulatorBench");
      int size = Integer.parseInt(v.get("size"));
      if (size < SEQ_DIGITS) {
        throw new IllegalArgumentException("--size must be at least " + SEQ_DIGITS + " (the sequence number), got "
            + size);
      }
      return new Params(Long.parseLong(v.get("messages")), size, Integer.parseInt(v.get("partitions")),
          v.get("master"), Integer.parseInt(v.get("batch-size")), Long.parseLong(v.get("warmup-messages")),
          Integer.parseInt(v.get("run-timeout-s")), Integer.parseInt(v.get("repeat")),
          Arrays.stream(v.get("only").split(",")).map(String::trim).toList(), v.get("firehose"));
    }

    @Override public String toString() {
      return String.format(Locale.ROOT,
          "messages=%,d size=%,d B partitions=%d master=%s batchSize=%d warmup=%,d msgs runTimeout=%d s repeat=%d "
              + "only=%s server=%s", messages, size, partitions, master, batchSize, warmupMessages, runTimeoutSeconds,
          repeat, String.join(",", sides), firehose.isEmpty() ? "emulator" : "firehose");
    }
  }

  private PublishEmulatorBench() { }
}
