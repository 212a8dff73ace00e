package io.pubsubnative.bench;

import com.google.api.gax.core.NoCredentialsProvider;
import com.google.api.gax.grpc.GrpcTransportChannel;
import com.google.api.gax.rpc.FixedTransportChannelProvider;
import com.google.cloud.pubsub.v1.AckReplyConsumer;
import com.google.cloud.pubsub.v1.MessageReceiver;
import com.google.cloud.pubsub.v1.Subscriber;
import com.google.protobuf.ByteString;
import com.google.pubsub.v1.ProjectSubscriptionName;
import com.google.pubsub.v1.PubsubMessage;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.pubsubnative.spark.nativelib.FfiFetchBench;
import io.pubsubnative.testkit.LocalPubSubEmulator;
import io.pubsubnative.testkit.PubSubFixtures;
import io.pubsubnative.testkit.TempDirectories;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryListener;
import org.apache.spark.sql.streaming.Trigger;

/**
 * Read benchmark against Google's Pub/Sub emulator: the native connector (Spark local mode, noop
 * sink, AvailableNow) against Google's Java {@link Subscriber} (receiver that only acks), same
 * emulator, same message count and size, fresh subscription and messages for every run; then the
 * cost of the JNI/Arrow boundary per 1,000-row batch. Prints one table. See bench/README.md.
 */
public final class ReadEmulatorBench {

  static final String PROJECT = "bench-proj";
  static final int PUBLISH_BATCH = 10_000; // PubSubFixtures splits into requests of <= 1,000 messages

  public static void main(String[] args) {
    BenchArgs.main("ReadEmulatorBench", args, Params::parse, ReadEmulatorBench::run);
  }

  static void run(Params p) throws Exception {
    Path work = Files.createTempDirectory("pubsub-read-bench");
    long started = System.nanoTime();
    String loadAtStart = BenchEnvironment.loadAverage();
    List<Measurement> results = new ArrayList<>();
    FfiFetchBench.Result ffi = null;
    String ffiError = null;
    String sparkVersion;
    String emulatorHostPort;

    System.out.println("== read-emulator benchmark ==");
    System.out.println(p);

    try (LocalPubSubEmulator emulator = LocalPubSubEmulator.start()) {
      emulatorHostPort = emulator.hostPort();
      System.out.println("emulator: " + emulatorHostPort);
      PubSubFixtures fx = new PubSubFixtures(emulatorHostPort, PROJECT);
      SparkSession spark = BenchEnvironment.localSpark("pubsub-read-bench", p.master);
      sparkVersion = spark.version();
      RowCounter counter = new RowCounter();
      spark.streams().addListener(counter);
      try {
        int run = 0;
        int maxPar = p.parallelisms.stream().mapToInt(Integer::intValue).max().orElse(1);
        if (p.warmupMessages > 0) {
          System.out.printf(Locale.ROOT, "-- warm-up: %,d messages each, parallelism %d (not reported)%n",
              p.warmupMessages, maxPar);
          if (p.sides.contains("connector")) {
            Measurement w1 = runConnector(spark, counter, fx, emulatorHostPort, p, maxPar, p.warmupMessages,
                "warm" + (run++), work);
            System.out.println("   " + w1.oneLine());
          }
          if (p.sides.contains("java-client")) {
            Measurement w2 = runJavaClient(fx, emulatorHostPort, p, maxPar, p.warmupMessages, "warm" + (run++));
            System.out.println("   " + w2.oneLine());
          }
        }
        for (int par : p.parallelisms) {
          for (int rep = 0; rep < p.repeat; rep++) {
            // Alternate which side goes first so neither always meets a "cold" or "tired" emulator.
            List<String> order = (par + rep) % 2 == 0
                ? List.of("java-client", "connector") : List.of("connector", "java-client");
            for (String side : order) {
              if (!p.sides.contains(side)) {
                continue;
              }
              Measurement m;
              String tag = "r" + (run++);
              try {
                m = side.equals("connector")
                    ? runConnector(spark, counter, fx, emulatorHostPort, p, par, p.messages, tag, work)
                    : runJavaClient(fx, emulatorHostPort, p, par, p.messages, tag);
              } catch (Exception e) {
                // Keep going: the table reports the failure instead of losing the other figures.
                e.printStackTrace();
                m = Measurement.failed(side, par, p.messages, e);
              }
              System.out.println("   " + m.oneLine());
              results.add(m);
            }
          }
        }
        if (p.ffiMessages > 0 && p.sides.contains("ffi")) {
          try {
            ffi = runFfi(fx, emulatorHostPort, p);
          } catch (Exception e) {
            e.printStackTrace();
            ffiError = e.toString();
          }
        }
      } finally {
        spark.stop();
        fx.close();
      }
    } finally {
      TempDirectories.deleteRecursively(work);
    }

    printReport(p, results, ffi, ffiError, sparkVersion, (System.nanoTime() - started) / 1e9, loadAtStart);
  }

  // ---------------------------------------------------------------- publishing

  static void publish(PubSubFixtures fx, String topic, long count, int size, long seed) throws Exception {
    Random random = new Random(seed);
    byte[] filler = new byte[size];
    random.nextBytes(filler);
    long t0 = System.nanoTime();
    List<PubsubMessage> batch = new ArrayList<>(PUBLISH_BATCH);
    for (long i = 0; i < count; i++) {
      byte[] payload = filler.clone();
      long v = i;
      for (int b = 0; b < Math.min(8, size); b++) {
        payload[b] = (byte) (v >>> (8 * b));
      }
      batch.add(PubsubMessage.newBuilder()
          .setData(ByteString.copyFrom(payload))
          .putAttributes("seq", Long.toString(i))
          .putAttributes("bench", "read-emulator")
          .build());
      if (batch.size() == PUBLISH_BATCH || i == count - 1) {
        fx.publish(topic, batch);
        batch = new ArrayList<>(PUBLISH_BATCH);
      }
    }
    System.out.printf(Locale.ROOT, "   published %,d x %,d B to %s in %.1f s%n", count, size, topic,
        (System.nanoTime() - t0) / 1e9);
  }

  /** Fresh topic and subscription (created before publishing), then the messages. */
  static String freshSubscription(PubSubFixtures fx, String tag, long count, int size) throws Exception {
    String topic = "t-" + tag;
    String sub = "s-" + tag;
    fx.createTopic(topic);
    fx.createSubscription(sub, topic, 60, false);
    publish(fx, topic, count, size, tag.hashCode());
    return sub;
  }

  // ---------------------------------------------------------------- our connector

  static Measurement runConnector(SparkSession spark, RowCounter counter, PubSubFixtures fx, String hostPort,
                                  Params p, int par, long messages, String tag, Path work) throws Exception {
    String sub = freshSubscription(fx, tag, messages, p.size);
    Path checkpoint = work.resolve("chk-" + tag);
    String queryName = "bench_" + tag;
    Probe probe = Probe.start(true);
    try {
      return readConnector(spark, counter, p, par, messages, sub, hostPort, checkpoint, queryName, probe);
    } finally {
      probe.stop(); // idempotent; stops the sampler if the run threw
    }
  }

  static Measurement readConnector(SparkSession spark, RowCounter counter, Params p, int par, long messages,
                                   String sub, String hostPort, Path checkpoint, String queryName, Probe probe)
      throws Exception {
    StreamingQuery q = spark.readStream()
        .format("pubsub")
        .option("subscriptionId", "projects/" + PROJECT + "/subscriptions/" + sub)
        .option("emulatorHost", hostPort)
        .option("parallelism", Integer.toString(par))
        .option("batchSize", Integer.toString(p.batchSize))
        .option("maxWaitTimeMs", Long.toString(p.maxWaitTimeMs))
        .load()
        .writeStream()
        .queryName(queryName)
        .format("noop")
        .option("checkpointLocation", checkpoint.toString())
        .trigger(Trigger.AvailableNow())
        .start();
    boolean finished = q.awaitTermination(p.runTimeoutSeconds * 1000L);
    if (!finished) {
      q.stop();
    }
    Probe.Sample s = probe.stop();
    if (q.exception().isDefined()) {
      throw new IllegalStateException("connector query " + queryName + " failed", q.exception().get());
    }
    long rows = counter.rows(q.id().toString());
    String note = finished ? "" : "TIMEOUT after " + p.runTimeoutSeconds + " s";
    if (rows != messages) {
      note = (note.isEmpty() ? "" : note + "; ") + "read " + rows + " of " + messages;
    }
    return new Measurement("connector", par, messages, rows, (long) rows * p.size, s, note);
  }

  /** Sums numInputRows per query id. */
  static final class RowCounter extends StreamingQueryListener {
    private final Map<String, AtomicLong> rows = new java.util.concurrent.ConcurrentHashMap<>();

    private final Map<String, CountDownLatch> terminated = new java.util.concurrent.ConcurrentHashMap<>();

    /** Rows of a query; waits (bounded) for its terminated event, which follows its last progress event. */
    long rows(String id) throws InterruptedException {
      terminated.computeIfAbsent(id, k -> new CountDownLatch(1)).await(30, TimeUnit.SECONDS);
      AtomicLong a = rows.get(id);
      return a == null ? 0 : a.get();
    }

    @Override public void onQueryStarted(QueryStartedEvent event) { }

    @Override public void onQueryProgress(QueryProgressEvent event) {
      rows.computeIfAbsent(event.progress().id().toString(), k -> new AtomicLong())
          .addAndGet(event.progress().numInputRows());
    }

    @Override public void onQueryIdle(QueryIdleEvent event) { }

    @Override public void onQueryTerminated(QueryTerminatedEvent event) {
      terminated.computeIfAbsent(event.id().toString(), k -> new CountDownLatch(1)).countDown();
    }
  }

  // ---------------------------------------------------------------- baseline: Google's Java Subscriber

  static Measurement runJavaClient(PubSubFixtures fx, String hostPort, Params p, int par, long messages, String tag)
      throws Exception {
    String sub = freshSubscription(fx, tag, messages, p.size);
    AtomicLong received = new AtomicLong();
    AtomicLong bytes = new AtomicLong();
    CountDownLatch done = new CountDownLatch(1);
    MessageReceiver receiver = (PubsubMessage message, AckReplyConsumer consumer) -> {
      consumer.ack();
      bytes.addAndGet(message.getData().size());
      if (received.incrementAndGet() == messages) {
        done.countDown();
      }
    };
    // Google's documented emulator setup: a plaintext channel, no credentials.
    ManagedChannel channel = ManagedChannelBuilder.forTarget(hostPort).usePlaintext()
        .maxInboundMessageSize(20 << 20).build();
    Probe probe = Probe.start(false);
    Subscriber subscriber = Subscriber.newBuilder(ProjectSubscriptionName.of(PROJECT, sub), receiver)
        .setChannelProvider(FixedTransportChannelProvider.create(GrpcTransportChannel.create(channel)))
        .setCredentialsProvider(NoCredentialsProvider.create())
        .setParallelPullCount(par)
        .build();
    boolean finished;
    try {
      subscriber.startAsync().awaitRunning();
      finished = done.await(p.runTimeoutSeconds, TimeUnit.SECONDS);
    } finally {
      // Stopping flushes the pending acks; it belongs to the run like the connector's last commit.
      subscriber.stopAsync().awaitTerminated(60, TimeUnit.SECONDS);
    }
    Probe.Sample s = probe.stop();
    channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    long rows = received.get();
    String note = finished ? "" : "TIMEOUT after " + p.runTimeoutSeconds + " s";
    if (rows != messages) {
      note = (note.isEmpty() ? "" : note + "; ") + "received " + rows + " of " + messages;
    }
    return new Measurement("java-client", par, messages, rows, bytes.get(), s, note);
  }

  // ---------------------------------------------------------------- FFI boundary

  static FfiFetchBench.Result runFfi(PubSubFixtures fx, String hostPort, Params p) throws Exception {
    System.out.printf(Locale.ROOT, "-- FFI: %,d messages x %d subscriptions, batches of %,d rows%n",
        p.ffiMessages, p.ffiSessions, p.batchSize);
    String topic = "t-ffi";
    fx.createTopic(topic);
    List<String> subs = new ArrayList<>();
    for (int i = 0; i < p.ffiSessions; i++) {
      fx.createSubscription("s-ffi-" + i, topic, 600, false);
      subs.add("projects/" + PROJECT + "/subscriptions/s-ffi-" + i);
    }
    publish(fx, topic, p.ffiMessages, p.size, 7);
    FfiFetchBench.Result r = FfiFetchBench.run(hostPort, subs, p.ffiMessages, p.batchSize,
        p.runTimeoutSeconds * 1000L, p.ffiJavaWarmup);
    System.out.printf(Locale.ROOT, "   prefill %,d ms, %,d messages buffered; %s%n", r.prefillMillis(), r.ingested(),
        r.describe());
    return r;
  }

  // ---------------------------------------------------------------- measurement

  record Measurement(String side, int parallelism, long expected, long rows, long payloadBytes,
                     Probe.Sample s, String note) {
    static Measurement failed(String side, int par, long expected, Exception e) {
      return new Measurement(side, par, expected, 0, 0,
          new Probe.Sample(Double.NaN, Double.NaN, 0, 0, 0, -1), "FAILED: " + e);
    }

    double msgPerSec() { return rows / s.seconds(); }
    double mbPerSec() { return payloadBytes / 1e6 / s.seconds(); }
    double cpuPerMillion() { return rows == 0 ? Double.NaN : s.cpuSeconds() / rows * 1e6; }
    double gcMsPerMillion() { return rows == 0 ? Double.NaN : s.gcMillis() / (double) rows * 1e6; }

    String oneLine() {
      return String.format(Locale.ROOT,
          "%-11s p=%d: %,d msgs in %.2f s = %,.0f msg/s, %.2f MB/s, cpu %.2f s, gc %d ms (%d), peak heap %.0f MiB%s",
          side, parallelism, rows, s.seconds(), msgPerSec(), mbPerSec(), s.cpuSeconds(), s.gcMillis(), s.gcCount(),
          s.peakHeapBytes() / 1048576.0, note.isEmpty() ? "" : "  [" + note + "]");
    }
  }

  // ---------------------------------------------------------------- report

  static void printReport(Params p, List<Measurement> results, FfiFetchBench.Result ffi, String ffiError,
                          String sparkVersion, double totalSecs, String loadAtStart) {
    StringBuilder out = new StringBuilder();
    out.append('\n').append("==================== read-emulator results ====================\n");
    out.append(BenchEnvironment.header(sparkVersion));
    out.append("parameters : ").append(p).append('\n');
    out.append("connector  = spark.readStream.format(\"pubsub\") -> noop sink, Trigger.AvailableNow, master ")
        .append(p.master).append(", parallelism = partitions = StreamingPull streams\n");
    out.append("java-client= com.google.cloud.pubsub.v1.Subscriber, ack-only receiver, setParallelPullCount(p), ")
        .append("default flow control/executor\n");
    out.append("each side runs --repeat times per parallelism; every row below is the median of that metric over the side's runs.\n");
    out.append("time = start of read to all messages read and the reader stopped (connector: AvailableNow termination; ")
        .append("java-client: N received + stopAsync/awaitTerminated). CPU/GC/heap = this JVM over the same window.\n\n");

    String fmt = "%-4s %-26s %14s %14s %9s%n";
    out.append(String.format(Locale.ROOT, fmt, "p", "metric", "connector", "java-client", "ratio"));
    out.append("-".repeat(71)).append('\n');
    for (int par : p.parallelisms) {
      List<Measurement> cs = runs(results, "connector", par);
      List<Measurement> js = runs(results, "java-client", par);
      if (cs.isEmpty() && js.isEmpty()) {
        continue;
      }
      out.append(String.format(Locale.ROOT, fmt, par, "runs", cs.size(), js.size(), ""));
      out.append(String.format(Locale.ROOT, fmt, par, "msg/s min-max of runs", range(cs), range(js), ""));
      row(out, fmt, par, "messages read", med(cs, m -> m.rows()), med(js, m -> m.rows()), "%,.0f", false);
      row(out, fmt, par, "elapsed s", med(cs, m -> m.s().seconds()), med(js, m -> m.s().seconds()), "%.2f", true);
      row(out, fmt, par, "msg/s", med(cs, Measurement::msgPerSec), med(js, Measurement::msgPerSec), "%,.0f", false);
      row(out, fmt, par, "MB/s (payload)", med(cs, Measurement::mbPerSec), med(js, Measurement::mbPerSec), "%.2f",
          false);
      row(out, fmt, par, "CPU s / 1M msgs", med(cs, Measurement::cpuPerMillion), med(js, Measurement::cpuPerMillion),
          "%.2f", true);
      row(out, fmt, par, "GC ms", med(cs, m -> m.s().gcMillis()), med(js, m -> m.s().gcMillis()), "%,.0f", true);
      row(out, fmt, par, "GC count", med(cs, m -> m.s().gcCount()), med(js, m -> m.s().gcCount()), "%,.0f", true);
      row(out, fmt, par, "GC ms / 1M msgs", med(cs, Measurement::gcMsPerMillion), med(js, Measurement::gcMsPerMillion),
          "%,.0f", true);
      row(out, fmt, par, "peak heap MiB", med(cs, m -> m.s().peakHeapBytes() / 1048576.0),
          med(js, m -> m.s().peakHeapBytes() / 1048576.0), "%,.0f", true);
      double nativePeak = med(cs, m -> m.s().nativePeakBytes() / 1048576.0);
      out.append(String.format(Locale.ROOT, fmt, par, "native peak MiB (sampled)",
          Double.isNaN(nativePeak) || nativePeak < 0 ? "n/a" : String.format(Locale.ROOT, "%.1f", nativePeak),
          "n/a", ""));
      for (Measurement m : results) {
        if (m.parallelism() == par && !m.note().isEmpty()) {
          out.append("     !! ").append(m.side()).append(" p=").append(par).append(": ").append(m.note()).append('\n');
        }
      }
      out.append('\n');
    }
    out.append("ratio = connector / java-client (msg/s, MB/s: higher is better; elapsed, CPU, GC, heap: lower is better)\n");
    out.append("peak heap = sum of heap memory pools' peak usage after a System.gc() at the start of the run; "
        + "the connector's includes the Spark driver and executor of local mode.\n");

    out.append('\n').append("FFI boundary (NativeBridge.fetch + Data.importVectorSchemaRoot + root.close), per batch of ")
        .append(p.batchSize).append(" rows already buffered natively:\n");
    if (ffi == null) {
      out.append(ffiError == null ? "  not run\n" : "  FAILED: " + ffiError + "\n");
    } else if (ffi.totalNs().length == 0) {
      out.append("  NO SAMPLES: ").append(ffi.describe()).append('\n');
    } else {
      String f2 = "  %-32s %10s %10s %10s %10s%n";
      out.append(String.format(Locale.ROOT, f2, "", "median us", "p90 us", "p99 us", "min us"));
      ffiRow(out, f2, "fetch+import+close", ffi.totalNs());
      ffiRow(out, f2, "  JNI fetch", ffi.fetchNs());
      ffiRow(out, f2, "  importVectorSchemaRoot", ffi.importNs());
      ffiRow(out, f2, "  root.close", ffi.closeNs());
      if (ffi.javaOnlyImportCloseNs().length > 0) {
        ffiRow(out, f2, "ref: Java-exported import+close", ffi.javaOnlyImportCloseNs());
      }
      double median = percentile(ffi.totalNs(), 50) / 1000.0;
      out.append(String.format(Locale.ROOT, "  %s; JIT warm-up: %,d Java export/import round trips; "
              + "target median <= 20 us: %s%n", ffi.describe(), ffi.javaWarmupIterations(),
          median <= 20.0 ? "MET" : "NOT MET"));
      out.append(String.format(Locale.ROOT, "  after close: Java allocator %d bytes, native allocated %,d bytes%n",
          ffi.allocatorLeakBytes(), ffi.nativeAllocatedAfterClose()));
      for (String e : ffi.errors()) {
        out.append("  !! ").append(e).append('\n');
      }
    }
    out.append(String.format(Locale.ROOT, "%ntotal wall time %.0f s; load average (1/5/15 min) at start %s, at end %s "
        + "(above the core count means other processes competed for the CPU)%n", totalSecs, loadAtStart, BenchEnvironment.loadAverage()));
    System.out.print(out);
    System.out.flush();
  }

  static List<Measurement> runs(List<Measurement> xs, String side, int par) {
    return xs.stream().filter(m -> m.side().equals(side) && m.parallelism() == par).toList();
  }

  /** Median of one metric over a side's runs (mean of the two middle values for an even count). */
  static double med(List<Measurement> rs, java.util.function.ToDoubleFunction<Measurement> f) {
    return BenchStats.median(rs.stream().mapToDouble(f).toArray());
  }

  static String range(List<Measurement> rs) {
    return BenchStats.range(rs.stream().mapToDouble(Measurement::msgPerSec).toArray());
  }

  static void row(StringBuilder out, String fmt, int par, String name, double ours, double base, String nf,
                  boolean lowerBetter) {
    row(out, fmt, par, name, ours, base, nf, lowerBetter, "", "");
  }

  static void row(StringBuilder out, String fmt, int par, String name, double ours, double base, String nf,
                  boolean lowerBetter, String oursSuffix, String baseSuffix) {
    String ratio = BenchStats.ratio(ours, base);
    out.append(String.format(Locale.ROOT, fmt, par, name,
        String.format(Locale.ROOT, nf, ours) + oursSuffix, String.format(Locale.ROOT, nf, base) + baseSuffix, ratio));
  }

  static void ffiRow(StringBuilder out, String fmt, String name, long[] ns) {
    out.append(String.format(Locale.ROOT, fmt, name,
        String.format(Locale.ROOT, "%.1f", percentile(ns, 50) / 1000.0),
        String.format(Locale.ROOT, "%.1f", percentile(ns, 90) / 1000.0),
        String.format(Locale.ROOT, "%.1f", percentile(ns, 99) / 1000.0),
        String.format(Locale.ROOT, "%.1f", Arrays.stream(ns).min().orElse(0) / 1000.0)));
  }

  /** Nearest-rank percentile. */
  static double percentile(long[] xs, double pct) {
    long[] s = xs.clone();
    Arrays.sort(s);
    int rank = (int) Math.ceil(pct / 100.0 * s.length);
    return s[Math.max(0, Math.min(s.length - 1, rank - 1))];
  }

  // ---------------------------------------------------------------- parameters

  record Params(long messages, int size, List<Integer> parallelisms, String master, int batchSize,
                long maxWaitTimeMs, long warmupMessages, long ffiMessages, int ffiSessions, int ffiJavaWarmup,
                int runTimeoutSeconds, List<String> sides, int repeat) {

    static Params parse(String[] args) {
      Map<String, String> v = new LinkedHashMap<>();
      v.put("messages", BenchArgs.env("BENCH_MESSAGES", "40000"));
      v.put("size", BenchArgs.env("BENCH_MESSAGE_SIZE", "1024"));
      v.put("parallelism", BenchArgs.env("BENCH_PARALLELISM", "1,4"));
      v.put("master", BenchArgs.env("BENCH_SPARK_MASTER", "local[4]"));
      v.put("batch-size", BenchArgs.env("BENCH_BATCH_SIZE", "1000"));
      v.put("max-wait-ms", BenchArgs.env("BENCH_MAX_WAIT_MS", "100"));
      v.put("warmup-messages", BenchArgs.env("BENCH_WARMUP_MESSAGES", "8000"));
      v.put("ffi-messages", BenchArgs.env("BENCH_FFI_MESSAGES", "30000"));
      v.put("ffi-sessions", BenchArgs.env("BENCH_FFI_SESSIONS", "4"));
      v.put("ffi-java-warmup", BenchArgs.env("BENCH_FFI_JAVA_WARMUP", "20000"));
      v.put("run-timeout-s", BenchArgs.env("BENCH_RUN_TIMEOUT_S", "120"));
      v.put("only", BenchArgs.env("BENCH_ONLY", "connector,java-client,ffi"));
      v.put("repeat", BenchArgs.env("BENCH_REPEAT", "3"));
      BenchArgs.apply(args, v, "ReadEmulatorBench");
      List<Integer> pars = new ArrayList<>();
      for (String s : v.get("parallelism").split(",")) {
        pars.add(Integer.parseInt(s.trim()));
      }
      return new Params(Long.parseLong(v.get("messages")), Integer.parseInt(v.get("size")), pars, v.get("master"),
          Integer.parseInt(v.get("batch-size")), Long.parseLong(v.get("max-wait-ms")),
          Long.parseLong(v.get("warmup-messages")), Long.parseLong(v.get("ffi-messages")),
          Integer.parseInt(v.get("ffi-sessions")), Integer.parseInt(v.get("ffi-java-warmup")),
          Integer.parseInt(v.get("run-timeout-s")),
          Arrays.stream(v.get("only").split(",")).map(String::trim).toList(),
          Integer.parseInt(v.get("repeat")));
    }

    @Override public String toString() {
      return String.format(Locale.ROOT,
          "messages=%,d size=%,d B parallelism=%s master=%s batchSize=%d maxWaitTimeMs=%d warmup=%,d msgs "
              + "ffiMessages=%,d x %d sessions ffiJavaWarmup=%,d runTimeout=%d s only=%s repeat=%d",
          messages, size, parallelisms, master, batchSize, maxWaitTimeMs, warmupMessages, ffiMessages, ffiSessions,
          ffiJavaWarmup, runTimeoutSeconds, String.join(",", sides), repeat);
    }
  }

  private ReadEmulatorBench() { }
}
