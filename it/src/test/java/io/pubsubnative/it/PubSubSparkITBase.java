package io.pubsubnative.it;

import static org.junit.jupiter.api.Assertions.fail;

import io.pubsubnative.testkit.LocalPubSubEmulator;
import io.pubsubnative.testkit.PubSubFixtures;
import io.pubsubnative.testkit.TempDirectories;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.DataStreamReader;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryProgress;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/**
 * One emulator and one local Spark session per test class; unique topic/subscription names per
 * test; checkpoints under a temp dir. Fixtures go through Google's client ({@link PubSubFixtures}).
 */
abstract class PubSubSparkITBase {
  static final String PROJECT = "test-proj";
  private static final AtomicInteger COUNTER = new AtomicInteger();

  static LocalPubSubEmulator emu;
  static PubSubFixtures fx;
  static SparkSession spark;
  static Path tempDir;

  @BeforeAll
  static void startEmulatorAndSpark() throws IOException {
    tempDir = Files.createTempDirectory("pubsub-it-");
    emu = LocalPubSubEmulator.start();
    fx = new PubSubFixtures(emu.hostPort(), PROJECT);
    spark = newSparkSession();
  }

  @AfterAll
  static void stopEmulatorAndSpark() {
    try {
      if (spark != null) {
        stopAllQueries(spark);
        spark.stop();
      }
    } finally {
      spark = null;
      try {
        if (fx != null) {
          fx.close();
        }
      } finally {
        fx = null;
        if (emu != null) {
          emu.close();
        }
        emu = null;
        TempDirectories.deleteRecursively(tempDir);
      }
    }
  }

  @AfterEach
  void stopQueriesOfThisTest() {
    if (spark != null) {
      stopAllQueries(spark);
    }
  }

  static SparkSession newSparkSession() {
    return newSparkSession(Map.of());
  }

  /** The tests' local session with {@code extraConf} on top. */
  static SparkSession newSparkSession(Map<String, String> extraConf) {
    SparkSession.Builder builder = SparkSession.builder()
        .master("local[2]")
        .appName("pubsub-it")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.datetime.java8API.enabled", "true")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.streaming.stopTimeout", "60s")
        .config("spark.sql.streaming.numRecentProgressUpdates", "100000");
    extraConf.forEach(builder::config);
    return builder.getOrCreate();
  }

  static void stopAllQueries(SparkSession s) {
    for (StreamingQuery q : s.streams().active()) {
      try {
        q.stop();
      } catch (Exception ignored) {
        // best effort
      }
    }
  }

  /** A unique resource id (3+ chars, starts with a letter). */
  static String unique(String prefix) {
    return prefix + "-" + System.currentTimeMillis() % 1_000_000 + "-" + COUNTER.incrementAndGet();
  }

  static String checkpoint(String name) {
    return tempDir.resolve("checkpoints").resolve(name).toString();
  }

  /** A fresh topic and one subscription on it, both named uniquely after {@code prefix}. */
  record TopicAndSubscription(String topic, String sub) {
  }

  static TopicAndSubscription freshSubscription(String prefix, int ackDeadlineSeconds) {
    String topic = unique(prefix + "-topic");
    String sub = unique(prefix + "-sub");
    fx.createTopic(topic);
    fx.createSubscription(sub, topic, ackDeadlineSeconds, false);
    return new TopicAndSubscription(topic, sub);
  }

  /** A stream loaded on an emulator that was stopped right after {@code load()} checked it. */
  record GoneEndpoint(Dataset<Row> stream, String hostPort) {
  }

  /**
   * Loads a stream with {@code options} from a fresh subscription on an emulator of its own, then
   * stops that emulator: the driver's check at {@code load()} passes, and every reader's stream
   * fails to connect afterwards (nothing listens on the port any more).
   */
  static GoneEndpoint loadThenStopEmulator(Map<String, String> options) {
    try (LocalPubSubEmulator doomed = LocalPubSubEmulator.start();
         PubSubFixtures doomedFx = new PubSubFixtures(doomed.hostPort(), PROJECT)) {
      String topic = unique("gone-topic");
      String sub = unique("gone-sub");
      doomedFx.createTopic(topic);
      doomedFx.createSubscription(sub, topic, 10, false);
      Dataset<Row> stream = spark.readStream()
          .format("pubsub")
          .option("subscriptionId", doomedFx.subscriptionPath(sub))
          .option("emulatorHost", doomed.hostPort())
          .options(options)
          .load();
      return new GoneEndpoint(stream, doomed.hostPort());
    }
  }

  /** The source with the options every test uses. */
  static DataStreamReader pubsub(String subscriptionShortName) {
    return spark.readStream()
        .format("pubsub")
        .option("subscriptionId", fx.subscriptionPath(subscriptionShortName))
        .option("emulatorHost", emu.hostPort())
        .option("parallelism", "2");
  }

  /** foreachBatch's Java overload (a cast to it resolves the Scala/Java ambiguity). */
  interface BatchFn extends org.apache.spark.api.java.function.VoidFunction2<Dataset<Row>, Long> {}

  /** A row of the raw read schema, copied out of Spark. */
  record Msg(String messageId, Instant publishTime, Map<String, String> attributes, byte[] payload,
      String orderingKey, Integer deliveryAttempt, long batchId) {
    String payloadUtf8() {
      return new String(payload, java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  static Msg toMsg(Row r, long batchId) {
    Object pt = r.get(r.fieldIndex("publish_time"));
    Instant publish = pt instanceof Instant i ? i
        : pt instanceof java.sql.Timestamp ts ? ts.toInstant() : null;
    Map<String, String> attrs = r.isNullAt(r.fieldIndex("attributes"))
        ? Map.of() : r.getJavaMap(r.fieldIndex("attributes"));
    int da = r.fieldIndex("delivery_attempt");
    return new Msg(
        r.getString(r.fieldIndex("message_id")),
        publish,
        new java.util.HashMap<>(attrs),
        (byte[]) r.get(r.fieldIndex("payload")),
        r.getString(r.fieldIndex("ordering_key")),
        r.isNullAt(da) ? null : r.getInt(da),
        batchId);
  }

  /** Collects every committed-or-not row a foreachBatch sink saw. */
  static final class Collector implements java.io.Serializable {
    final List<Msg> rows = Collections.synchronizedList(new ArrayList<>());
    final List<Long> batchIds = Collections.synchronizedList(new ArrayList<>());

    void add(Dataset<Row> df, long batchId) {
      List<Row> got = df.collectAsList();
      for (Row r : got) {
        rows.add(toMsg(r, batchId));
      }
      batchIds.add(batchId);
    }

    List<Msg> snapshot() {
      synchronized (rows) {
        return new ArrayList<>(rows);
      }
    }

    int size() {
      return rows.size();
    }

    /** Every message id read, with the batch id of each delivery of it (ids in order). */
    Map<String, List<Long>> batchesById() {
      Map<String, List<Long>> byId = new TreeMap<>();
      for (Msg m : snapshot()) {
        byId.computeIfAbsent(m.messageId(), k -> new ArrayList<>()).add(m.batchId());
      }
      return byId;
    }

    /** {@link #batchesById()}, only the ids delivered more than once. */
    Map<String, List<Long>> duplicates() {
      Map<String, List<Long>> dups = batchesById();
      dups.values().removeIf(batches -> batches.size() < 2);
      return dups;
    }
  }

  /** Starts a query that reads the subscription into {@code c}, every row of every micro-batch. */
  static StreamingQuery collectInto(Collector c, String subscriptionShortName, String checkpointDir,
                                    org.apache.spark.sql.streaming.Trigger trigger) throws Exception {
    return pubsub(subscriptionShortName).load().writeStream()
        .option("checkpointLocation", checkpointDir)
        .trigger(trigger)
        .foreachBatch((BatchFn) (df, batchId) -> c.add(df, batchId))
        .start();
  }

  static Collector readAllAvailableNow(String subscriptionShortName, int expected) throws Exception {
    Collector c = new Collector();
    for (int round = 0; c.size() < expected && round < 6; round++) {
      StreamingQuery q = collectInto(c, subscriptionShortName, checkpoint(subscriptionShortName),
          org.apache.spark.sql.streaming.Trigger.AvailableNow());
      awaitTermination(q, Duration.ofSeconds(120));
    }
    return c;
  }

  static Collector readUntil(String subscriptionShortName, int expected, Duration timeout)
      throws Exception {
    Collector c = new Collector();
    java.util.concurrent.atomic.AtomicLong lastDataBatch = new java.util.concurrent.atomic.AtomicLong(-1);
    java.util.Set<String> ids = java.util.concurrent.ConcurrentHashMap.newKeySet();
    StreamingQuery q = pubsub(subscriptionShortName).load().writeStream()
        .option("checkpointLocation", checkpoint(subscriptionShortName))
        .trigger(org.apache.spark.sql.streaming.Trigger.ProcessingTime(200))
        .foreachBatch((BatchFn) (df, batchId) -> {
          int before = c.size();
          c.add(df, batchId);
          for (Msg m : c.snapshot().subList(before, c.size())) {
            ids.add(m.messageId());
          }
          if (c.size() > before) {
            lastDataBatch.set(batchId);
          }
        })
        .start();
    try {
      awaitTrue(() -> expected + " messages (have " + ids.size() + ")", timeout,
          () -> ids.size() >= expected);
      awaitCommitted(q, lastDataBatch.get(), Duration.ofSeconds(60));
    } finally {
      q.stop();
    }
    return c;
  }

  /**
   * Failure diagnostics: after the connector stopped, pulls with Google's client for up to
   * {@code wait} and says how many of the {@code missing} ids the server still hands out (they were
   * held by leases that lapsed, or nacked late) versus never (still being extended by someone).
   */
  static String strandedReport(String subscriptionShortName, Set<String> missing, Duration wait) {
    if (missing.isEmpty()) {
      return "nothing missing";
    }
    long t0 = System.nanoTime();
    Set<String> back = new java.util.HashSet<>();
    long firstBackMs = -1;
    long deadline = t0 + wait.toNanos();
    while (System.nanoTime() < deadline && !back.containsAll(missing)) {
      for (com.google.pubsub.v1.ReceivedMessage m
          : fx.pullAndAck(subscriptionShortName, 1000, Duration.ofSeconds(2))) {
        if (missing.contains(m.getMessage().getMessageId()) && back.add(m.getMessage().getMessageId())
            && firstBackMs < 0) {
          firstBackMs = (System.nanoTime() - t0) / 1_000_000;
        }
      }
    }
    return missing.size() + " missing; Google's client got " + back.size()
        + " of them back within " + wait.toSeconds() + " s after the query stopped"
        + (firstBackMs >= 0 ? " (first after " + firstBackMs + " ms)" : "");
  }

  static void awaitTrue(String what, Duration timeout, BooleanSupplier cond) {
    awaitTrue(() -> what, timeout, cond);
  }

  /** Like {@link #awaitTrue(String, Duration, BooleanSupplier)}; the description is built on failure. */
  static void awaitTrue(java.util.function.Supplier<String> what, Duration timeout,
      BooleanSupplier cond) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!cond.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        fail("timed out after " + timeout + " waiting for " + what.get());
      }
      sleep(100);
    }
  }

  /** Waits until the query's latest finished (committed) batch id is at least {@code batchId}. */
  static void awaitCommitted(StreamingQuery q, long batchId, Duration timeout) {
    awaitTrue("batch " + batchId + " to commit", timeout, () -> {
      if (q.exception().isDefined()) {
        fail("query failed: " + q.exception().get());
      }
      StreamingQueryProgress p = q.lastProgress();
      return p != null && p.batchId() >= batchId;
    });
  }

  /** Waits until an AvailableNow query ends by itself; fails on timeout (and stops it). */
  static void awaitTermination(StreamingQuery q, Duration timeout) throws Exception {
    if (!q.awaitTermination(timeout.toMillis())) {
      q.stop();
      fail("query did not terminate within " + timeout);
    }
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** All messages of a throwable and its causes (and suppressed), for message assertions. */
  static String allMessages(Throwable t) {
    StringBuilder sb = new StringBuilder();
    java.util.Set<Throwable> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    java.util.ArrayDeque<Throwable> todo = new java.util.ArrayDeque<>();
    todo.add(t);
    while (!todo.isEmpty()) {
      Throwable x = todo.poll();
      if (x == null || !seen.add(x)) {
        continue;
      }
      sb.append(x.getClass().getName()).append(": ").append(x.getMessage()).append('\n');
      if (x.getCause() != null) {
        todo.add(x.getCause());
      }
      for (Throwable s : x.getSuppressed()) {
        todo.add(s);
      }
    }
    return sb.toString();
  }
}
