package io.pubsubnative.examples;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.hour;
import static org.apache.spark.sql.functions.length;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.to_date;

import com.google.protobuf.ByteString;
import com.google.pubsub.v1.PubsubMessage;
import io.pubsubnative.testkit.LocalPubSubEmulator;
import io.pubsubnative.testkit.PubSubFixtures;
import io.pubsubnative.testkit.TempDirectories;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryListener;
import org.apache.spark.sql.streaming.Trigger;

/**
 * Pub/Sub to Parquet, end to end on one machine.
 *
 * <ol>
 *   <li>starts Google's Pub/Sub emulator on a free port,</li>
 *   <li>creates {@code projects/demo-proj/topics/demo-events} and a subscription on it (ack deadline 60 s),</li>
 *   <li>publishes N messages (default 200,000 of 1 KB, with attributes) with Google's Java client,</li>
 *   <li>reads them with the native connector in a local Spark streaming query
 *       ({@code Trigger.AvailableNow()}), adds {@code date}/{@code hour} from {@code publish_time} and
 *       writes Parquet partitioned by date and hour, with a checkpoint,</li>
 *   <li>counts the Parquet output with Spark and fails unless rows and distinct message ids equal N.</li>
 * </ol>
 *
 * <p>Arguments (each also settable by environment variable):
 * {@code --messages N} ({@code DEMO_MESSAGES}, default 200000),
 * {@code --size BYTES} ({@code DEMO_MESSAGE_SIZE}, default 1024),
 * {@code --parallelism P} ({@code DEMO_PARALLELISM}, default 4),
 * {@code --output DIR} ({@code DEMO_OUTPUT_DIR}, default {@code ./work-output/demo}),
 * {@code --master URL} ({@code DEMO_SPARK_MASTER}, default {@code local[max(cores, parallelism)]}).
 */
public final class PubSubToParquetDemo {

  static final String PROJECT = "demo-proj";
  static final String TOPIC = "demo-events";
  static final String SUBSCRIPTION = "demo-events-sub";
  static final int PUBLISH_BATCH = 10_000; // PubSubFixtures splits into requests of <= 1,000 messages (the emulator's limit)

  public static void main(String[] args) {
    Config cfg;
    try {
      cfg = Config.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("PubSubToParquetDemo: " + e.getMessage() + " (try --help)");
      System.exit(2);
      return;
    }
    int exit;
    try {
      exit = run(cfg);
    } catch (Throwable t) {
      System.err.println("DEMO FAILED with an error:");
      t.printStackTrace();
      exit = 1;
    }
    // Exit explicitly: library threads (gRPC, Spark) must not keep a failed demo alive.
    System.exit(exit);
  }

  static int run(Config cfg) throws Exception {
    Path out = Paths.get(cfg.outputDir).toAbsolutePath().normalize();
    Path parquetDir = out.resolve("parquet");
    Path checkpointDir = out.resolve("checkpoint");
    // Each run uses a fresh emulator and subscription, so old output would only mix runs.
    TempDirectories.deleteRecursively(parquetDir);
    TempDirectories.deleteRecursively(checkpointDir);
    Files.createDirectories(out);

    System.out.printf(Locale.ROOT,
        "demo: %,d messages of %,d bytes, parallelism %d, master %s, output %s%n",
        cfg.messages, cfg.size, cfg.parallelism, cfg.master, out);

    int exit;
    try (LocalPubSubEmulator emulator = LocalPubSubEmulator.start()) {
      String hostPort = emulator.hostPort();
      System.out.println("emulator: " + hostPort);
      String subscriptionPath = "projects/" + PROJECT + "/subscriptions/" + SUBSCRIPTION;

      PubSubFixtures fixtures = new PubSubFixtures(hostPort, PROJECT);
      try {
        fixtures.createTopic(TOPIC);
        // Subscription first: Pub/Sub only delivers messages published after it exists.
        fixtures.createSubscription(SUBSCRIPTION, TOPIC, 60, false);
        publish(fixtures, cfg);
      } finally {
        fixtures.close();
      }

      exit = runSpark(cfg, hostPort, subscriptionPath, parquetDir, checkpointDir);
    }
    return exit;
  }

  static void publish(PubSubFixtures fixtures, Config cfg) throws Exception {
    Random random = new Random(42);
    byte[] filler = new byte[Math.max(0, cfg.size)];
    random.nextBytes(filler);
    long t0 = System.nanoTime();
    List<PubsubMessage> batch = new ArrayList<>(PUBLISH_BATCH);
    long published = 0;
    for (long seq = 0; seq < cfg.messages; seq++) {
      batch.add(message(seq, filler));
      if (batch.size() == PUBLISH_BATCH || seq == cfg.messages - 1) {
        List<String> ids = fixtures.publish(TOPIC, batch);
        if (ids.size() != batch.size()) {
          throw new IllegalStateException("publish returned " + ids.size() + " ids for " + batch.size() + " messages");
        }
        published += batch.size();
        batch = new ArrayList<>(PUBLISH_BATCH);
        if (published % 50_000 == 0) {
          System.out.printf(Locale.ROOT, "  published %,d%n", published);
        }
      }
    }
    double secs = (System.nanoTime() - t0) / 1e9;
    System.out.printf(Locale.ROOT, "published %,d messages in %.1f s (%,.0f msg/s) with Google's Java client%n",
        published, secs, published / secs);
  }

  /** 1 KB-ish payload: the sequence number in front of fixed random filler, and a few attributes. */
  static PubsubMessage message(long seq, byte[] filler) {
    byte[] payload = filler.clone();
    byte[] prefix = String.format(Locale.ROOT, "%012d|", seq).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    System.arraycopy(prefix, 0, payload, 0, Math.min(prefix.length, payload.length));
    return PubsubMessage.newBuilder()
        .setData(ByteString.copyFrom(payload))
        .putAttributes("seq", Long.toString(seq))
        .putAttributes("source", "pubsub-to-parquet-demo")
        .putAttributes("kind", switch ((int) (seq % 3)) {
          case 0 -> "click";
          case 1 -> "view";
          default -> "purchase";
        })
        .build();
  }

  static int runSpark(Config cfg, String hostPort, String subscriptionPath, Path parquetDir, Path checkpointDir)
      throws Exception {
    SparkSession spark = SparkSession.builder()
        .appName("pubsub-to-parquet-demo")
        .master(cfg.master)
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate();
    spark.sparkContext().setLogLevel("WARN");
    try {
      AtomicLong rowsRead = new AtomicLong();
      AtomicLong batches = new AtomicLong();
      // The listener bus is asynchronous: the terminated event comes after the last progress event.
      java.util.concurrent.CountDownLatch terminated = new java.util.concurrent.CountDownLatch(1);
      spark.streams().addListener(new StreamingQueryListener() {
        @Override public void onQueryStarted(QueryStartedEvent event) { }
        @Override public void onQueryProgress(QueryProgressEvent event) {
          long n = event.progress().numInputRows();
          rowsRead.addAndGet(n);
          batches.incrementAndGet();
          if (n > 0) {
            System.out.printf(Locale.ROOT, "  batch %d: %,d rows (%,.0f rows/s processed)%n",
                event.progress().batchId(), n, event.progress().processedRowsPerSecond());
          }
        }
        @Override public void onQueryIdle(QueryIdleEvent event) { }
        @Override public void onQueryTerminated(QueryTerminatedEvent event) {
          terminated.countDown();
        }
      });

      Dataset<Row> raw = spark.readStream()
          .format("pubsub")
          .option("subscriptionId", subscriptionPath)
          .option("emulatorHost", hostPort)
          .option("parallelism", Integer.toString(cfg.parallelism))
          .option("batchSize", "1000")
          .option("maxWaitTimeMs", "100")
          .load();

      Dataset<Row> withPartitions = raw
          .withColumn("date", to_date(col("publish_time")))
          .withColumn("hour", hour(col("publish_time")));

      long t0 = System.nanoTime();
      StreamingQuery query = withPartitions.writeStream()
          .queryName("pubsub_to_parquet")
          .format("parquet")
          .option("path", parquetDir.toString())
          .option("checkpointLocation", checkpointDir.toString())
          .partitionBy("date", "hour")
          .trigger(Trigger.AvailableNow())
          .start();
      query.awaitTermination();
      double readSecs = (System.nanoTime() - t0) / 1e9;
      terminated.await(30, java.util.concurrent.TimeUnit.SECONDS);
      if (query.exception().isDefined()) {
        throw new IllegalStateException("streaming query failed", query.exception().get());
      }

      Dataset<Row> written = spark.read().parquet(parquetDir.toString());
      Row stats = written.agg(
          org.apache.spark.sql.functions.count(org.apache.spark.sql.functions.lit(1)).as("rows"),
          countDistinct(col("message_id")).as("distinct_ids"),
          sum(length(col("payload"))).as("payload_bytes")).first();
      long rows = stats.getLong(0);
      long distinct = stats.getLong(1);
      long payloadBytes = stats.isNullAt(2) ? 0L : stats.getLong(2);
      long partitions = written.select("date", "hour").distinct().count();

      double mb = payloadBytes / 1e6;
      System.out.println();
      System.out.println("==== Pub/Sub -> Parquet demo ====");
      System.out.printf(Locale.ROOT, "messages read        : %,d (in %d micro-batches)%n", rowsRead.get(), batches.get());
      System.out.printf(Locale.ROOT, "read elapsed         : %.2f s (query start to AvailableNow termination)%n", readSecs);
      System.out.printf(Locale.ROOT, "throughput           : %,.0f msg/s, %.2f MB/s (payload)%n",
          rowsRead.get() / readSecs, mb / readSecs);
      System.out.printf(Locale.ROOT, "parquet rows         : %,d%n", rows);
      System.out.printf(Locale.ROOT, "distinct message_id  : %,d%n", distinct);
      System.out.printf(Locale.ROOT, "date/hour partitions : %d%n", partitions);
      System.out.printf(Locale.ROOT, "output path          : %s%n", parquetDir);
      System.out.printf(Locale.ROOT, "checkpoint           : %s%n", checkpointDir);
      System.out.println("(the emulator serves ~2,000 msg/s per StreamingPull stream: these figures show the "
          + "pipeline, not the connector's speed; see bench/)");

      if (rows != cfg.messages || distinct != cfg.messages) {
        System.err.printf(Locale.ROOT,
            "DEMO FAILED: expected %,d rows and %,d distinct message ids in the Parquet output, found %,d rows and %,d distinct%n",
            cfg.messages, cfg.messages, rows, distinct);
        return 1;
      }
      System.out.println("DEMO OK: every published message is in the Parquet output exactly once.");
      return 0;
    } finally {
      spark.stop();
    }
  }

  record Config(long messages, int size, int parallelism, String outputDir, String master) {
    static Config parse(String[] args) {
      long messages = Long.parseLong(env("DEMO_MESSAGES", "200000"));
      int size = Integer.parseInt(env("DEMO_MESSAGE_SIZE", "1024"));
      int parallelism = Integer.parseInt(env("DEMO_PARALLELISM", "4"));
      String output = env("DEMO_OUTPUT_DIR", "./work-output/demo");
      String master = env("DEMO_SPARK_MASTER", null);
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        String v = i + 1 < args.length ? args[i + 1] : null;
        switch (a) {
          case "--messages" -> { messages = Long.parseLong(req(a, v)); i++; }
          case "--size" -> { size = Integer.parseInt(req(a, v)); i++; }
          case "--parallelism" -> { parallelism = Integer.parseInt(req(a, v)); i++; }
          case "--output" -> { output = req(a, v); i++; }
          case "--master" -> { master = req(a, v); i++; }
          case "-h", "--help" -> {
            System.out.println("usage: PubSubToParquetDemo [--messages N] [--size BYTES] [--parallelism P] "
                + "[--output DIR] [--master URL]");
            System.exit(0);
          }
          default -> throw new IllegalArgumentException("unknown argument: " + a);
        }
      }
      if (master == null) {
        // One task slot per partition at least: each partition is a reader that mostly waits on its
        // StreamingPull stream, and a partition queued behind another would open its stream late.
        master = "local[" + Math.max(Runtime.getRuntime().availableProcessors(), parallelism) + "]";
      }
      if (messages <= 0) throw new IllegalArgumentException("--messages must be > 0, got " + messages);
      if (size < 16) throw new IllegalArgumentException("--size must be >= 16 bytes, got " + size);
      if (parallelism <= 0) throw new IllegalArgumentException("--parallelism must be > 0, got " + parallelism);
      return new Config(messages, size, parallelism, output, master);
    }

    private static String env(String name, String dflt) {
      String v = System.getenv(name);
      return v == null || v.isBlank() ? dflt : v.trim();
    }

    private static String req(String flag, String v) {
      if (v == null) throw new IllegalArgumentException(flag + " needs a value");
      return v;
    }
  }

  private PubSubToParquetDemo() { }
}
