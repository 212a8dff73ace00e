package io.pubsubnative.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.pubsub.v1.ReceivedMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.Trigger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every read of (batch N, partition p) returns the same messages (DESIGN §4, "Replayable
 * batches"): a {@code foreachBatch} that runs two actions on the batch sees the same rows twice and
 * loses nothing, and a batch re-run after the driver died between the sink's write and the commit
 * log replays what the sink already has.
 */
class ReplayableBatchesIT extends PubSubSparkITBase {
  private static final int ACK_DEADLINE_S = 10;
  private static final int PUBLISH_ROUNDS = 60;
  private static final int PER_ROUND = 100;
  private static final long ROUND_PAUSE_MS = 330;
  /** After the publisher is done, a wait ends once the output has not grown for this long. */
  private static final Duration QUIET = Duration.ofSeconds(30);

  /**
   * foreachBatch writes the batch to Parquet ({@code out/batch=<id>}, overwritten: idempotent by
   * batch id) and then counts it, while a publisher keeps publishing. Spark re-runs the scan for
   * the count; the count must see exactly the rows the write saw, and nothing may be acknowledged
   * that the write did not see.
   */
  @ParameterizedTest(name = "replayLog={0}")
  @ValueSource(strings = {"memory", "checkpoint"})
  void twoActionsPerBatchWhilePublishingLoseNothing(String replayLog) throws Exception {
    TopicAndSubscription names = freshSubscription("twoact-" + replayLog, ACK_DEADLINE_S);
    String topic = names.topic();
    String sub = names.sub();
    Path out = tempDir.resolve("out-" + sub);

    Set<String> published = ConcurrentHashMap.newKeySet();
    AtomicReference<Throwable> publishError = new AtomicReference<>();
    Thread publisher = new Thread(() -> {
      try {
        for (int round = 0; round < PUBLISH_ROUNDS; round++) {
          published.addAll(fx.publish(topic,
              AckOnCommitIT.ints(round * PER_ROUND, (round + 1) * PER_ROUND)));
          Thread.sleep(ROUND_PAUSE_MS);
        }
      } catch (Throwable t) {
        publishError.set(t);
      }
    }, "replay-it-publisher");

    Map<Long, Long> counts = new ConcurrentHashMap<>();
    Set<String> written = ConcurrentHashMap.newKeySet();
    AtomicLong lastDataBatch = new AtomicLong(-1);
    AtomicLong lastGrowthNanos = new AtomicLong(System.nanoTime());
    StreamingQuery q = pubsub(sub)
        .option("replayLog", replayLog)
        .option("maxMessagesPerTrigger", "400")
        .load().writeStream()
        .option("checkpointLocation", checkpoint(sub))
        .trigger(Trigger.ProcessingTime(500))
        .foreachBatch((BatchFn) (df, batchId) -> {
          String dir = out.resolve("batch=" + batchId).toString();
          df.write().mode(SaveMode.Overwrite).parquet(dir);
          long n = df.count();
          counts.put(batchId, n);
          // what the sink holds for this batch, read back from the files
          Set<String> ids = readIds(df.sparkSession(), dir);
          if (written.addAll(ids)) {
            lastGrowthNanos.set(System.nanoTime());
          }
          if (!ids.isEmpty() || n > 0) {
            lastDataBatch.set(batchId);
          }
        })
        .start();
    publisher.start();
    try {
      publisher.join(Duration.ofSeconds(180).toMillis());
      assertFalse(publisher.isAlive(), "the publisher did not finish within 180 s");
      assertNull(publishError.get(), "publishing failed");
      assertEquals(PUBLISH_ROUNDS * PER_ROUND, published.size());
      // every message in the output, or no progress for QUIET (lost messages never come back)
      long deadline = System.nanoTime() + Duration.ofSeconds(240).toNanos();
      while (!written.containsAll(published) && System.nanoTime() < deadline
          && System.nanoTime() - lastGrowthNanos.get() < QUIET.toNanos()) {
        if (q.exception().isDefined()) {
          throw new AssertionError("query failed: " + allMessages(q.exception().get()),
              q.exception().get());
        }
        sleep(200);
      }
      awaitCommitted(q, lastDataBatch.get(), Duration.ofSeconds(60));
    } finally {
      publisher.interrupt();
      q.stop();
    }

    Output output = Output.read(spark, out);
    Set<String> missing = new HashSet<>(published);
    missing.removeAll(output.occurrences.keySet());
    Map<Long, String> countMismatch = new TreeMap<>();
    counts.forEach((batch, n) -> {
      long rows = output.rowsPerBatch.getOrDefault(batch, 0L);
      if (rows != n) {
        countMismatch.put(batch, "count " + n + ", rows written " + rows);
      }
    });
    Map<String, Integer> duplicates = output.duplicates();

    // past the ack deadline: anything the query did not acknowledge is handed out again
    sleep((ACK_DEADLINE_S + 5) * 1000L);
    Set<String> left = new HashSet<>();
    for (ReceivedMessage m : fx.pull(sub, 10_000, Duration.ofSeconds(5))) {
      left.add(m.getMessage().getMessageId());
    }
    Set<String> lost = new HashSet<>(missing);
    lost.removeAll(left);
    String summary = "replayLog=" + replayLog + ": published " + published.size() + " in "
        + counts.size() + " batches; output " + output.rows + " rows; missing " + missing.size()
        + " (lost, i.e. acknowledged but never written: " + lost.size() + "; still in the "
        + "subscription: " + (missing.size() - lost.size()) + "); batches whose count differs from "
        + "their rows: " + countMismatch.size() + "; duplicates " + duplicates.size()
        + "; unacknowledged after stop " + left.size();
    System.out.println("ReplayableBatchesIT " + summary);
    assertAll(summary,
        () -> assertEquals(0, lost.size(), "lost " + lost.size() + " of " + published.size()
            + " messages: acknowledged, yet in no batch's output"),
        () -> assertEquals(0, missing.size(), missing.size() + " of " + published.size()
            + " published messages are not in the output"),
        () -> assertEquals(Map.of(), countMismatch,
            "df.count() differs from the rows the write saw, by batch"),
        () -> assertEquals(0, duplicates.size(), "message ids written more than once: "
            + first(duplicates, 10)),
        () -> assertEquals(0, left.size(), left.size()
            + " messages still unacknowledged past the ack deadline after the query stopped"));
  }

  /**
   * replayLog=checkpoint with a sink idempotent by batch id is exactly-once across a driver crash:
   * a child JVM halts right after the sink wrote batch 1 (so the commit log lacks it); the restart
   * re-runs batch 1, which must replay the same messages, and drains the subscription.
   */
  @Test
  void checkpointReplayIsExactlyOnceAcrossAHaltBetweenSinkAndCommit() throws Exception {
    TopicAndSubscription names = freshSubscription("halt", ACK_DEADLINE_S);
    String sub = names.sub();
    // part A before the crash; a small flow-control window keeps what the halted JVM holds beyond
    // its batches (leased until its leases lapse) small
    Set<String> published = new HashSet<>(fx.publish(names.topic(), AckOnCommitIT.ints(0, 600)));
    Path out = tempDir.resolve("out-" + sub);
    String cp = checkpoint(sub);
    String perTrigger = "300";
    String maxOutstanding = "150";

    ChildJvm.Result child = ChildJvm.run(HaltAfterSinkMain.class,
        List.of(emu.hostPort(), fx.subscriptionPath(sub), cp, out.toString(), "1", perTrigger,
            maxOutstanding),
        tempDir, Duration.ofSeconds(180));
    assertEquals(1, child.exitCode(), "the child JVM should halt with status 1 after writing batch 1"
        + (child.timedOut() ? " (it timed out)" : "") + "; output tail:\n" + child.tail());
    assertTrue(child.log().contains(HaltAfterSinkMain.HALTING + "1"), child.tail());
    Set<String> batch1BeforeCrash = readIds(spark, out.resolve("batch=1").toString());
    assertFalse(batch1BeforeCrash.isEmpty(), "the halted run wrote batch 1 with data");
    assertTrue(Files.isDirectory(Path.of(cp, "offsets")), "the halted run left its offset log");
    published.addAll(fx.publish(names.topic(), AckOnCommitIT.ints(600, 1200))); // part B

    // restart from the same checkpoint until the subscription is drained (what the halted JVM
    // held beyond its batches comes back once its leases lapse)
    long deadline = System.nanoTime() + Duration.ofSeconds(240).toNanos();
    int rounds = 0;
    List<String> batchesWritten = java.util.Collections.synchronizedList(new ArrayList<>());
    Output output = Output.read(spark, out);
    // the first restart run (AvailableNow) re-runs batch 1; then one processing-time run keeps
    // its sessions open until what the halted JVM held comes back, and drains the rest
    for (Trigger trigger : List.of(Trigger.AvailableNow(), Trigger.ProcessingTime(500))) {
      if (output.occurrences.keySet().containsAll(published)) {
        break;
      }
      StreamingQuery q = pubsub(sub)
          .option("replayLog", "checkpoint")
          .option("maxMessagesPerTrigger", perTrigger)
          .option("maxOutstandingMessages", maxOutstanding)
          .load().writeStream()
          .option("checkpointLocation", cp)
          .trigger(trigger)
          .foreachBatch((BatchFn) (df, batchId) -> {
            String dir = out.resolve("batch=" + batchId).toString();
            df.write().mode(SaveMode.Overwrite).parquet(dir);
            batchesWritten.add(batchId + ":" + readIds(df.sparkSession(), dir).size());
          })
          .start();
      rounds++;
      if (rounds == 1) {
        awaitTermination(q, Duration.ofSeconds(120));
        output = Output.read(spark, out);
        continue;
      }
      try {
        while (!output.occurrences.keySet().containsAll(published) && System.nanoTime() < deadline
            && q.exception().isEmpty()) {
          sleep(2_000);
          output = Output.read(spark, out);
        }
        sleep(3_000); // let a duplicate, if any, show up
      } finally {
        q.stop();
      }
      output = Output.read(spark, out);
    }
    Set<String> batch1AfterRestart = readIds(spark, out.resolve("batch=1").toString());
    Set<String> gone = new HashSet<>(batch1BeforeCrash);
    gone.removeAll(batch1AfterRestart);
    Set<String> added = new HashSet<>(batch1AfterRestart);
    added.removeAll(batch1BeforeCrash);

    Set<String> missing = new HashSet<>(published);
    missing.removeAll(output.occurrences.keySet());
    Set<String> unknown = new HashSet<>(output.occurrences.keySet());
    unknown.removeAll(published);
    Map<String, Integer> duplicates = output.duplicates();
    sleep((ACK_DEADLINE_S + 5) * 1000L);
    List<ReceivedMessage> left = fx.pull(sub, 10_000, Duration.ofSeconds(5));
    String stranded = missing.isEmpty() ? "" : "; " + strandedReport(sub, missing,
        Duration.ofSeconds(70));
    String summary = "after " + rounds + " restart runs (AvailableNow, then processing-time; "
        + "batch:rows written "
        + batchesWritten + "): output " + output.rows + " rows of "
        + published.size() + " published; missing " + missing.size() + ", duplicates "
        + duplicates.size() + "; batch 1 had " + batch1BeforeCrash.size() + " messages before the "
        + "crash and " + batch1AfterRestart.size() + " after the restart (" + gone.size()
        + " gone, " + added.size() + " new); unacknowledged " + left.size() + stranded;
    System.out.println("ReplayableBatchesIT exactly-once: " + summary);
    final Output finalOutput = output;
    assertAll(summary,
        () -> assertEquals(batch1BeforeCrash, batch1AfterRestart,
            "the re-run of batch 1 after the restart must replay the messages the halted run "
                + "wrote (" + gone.size() + " gone, " + added.size() + " new)"),
        () -> assertEquals(0, missing.size(), missing.size() + " published messages missing"),
        () -> assertEquals(0, duplicates.size(), "message ids written more than once: "
            + first(duplicates, 10)),
        () -> assertEquals(Set.of(), unknown, "ids in the output that were never published"),
        () -> assertEquals(published.size(), finalOutput.rows, "rows in the output"),
        () -> assertEquals(0, left.size(), "messages unacknowledged after the drain"));
  }

  /** The message ids of the Parquet output in {@code dir}; none if it holds no data files. */
  static Set<String> readIds(SparkSession s, String dir) {
    Set<String> ids = new HashSet<>();
    if (!Files.isDirectory(Path.of(dir))) {
      return ids;
    }
    try {
      for (Row r : s.read().parquet(dir).select("message_id").collectAsList()) {
        ids.add(r.getString(0));
      }
    } catch (Exception e) {
      if (!(e instanceof org.apache.spark.sql.AnalysisException)) {
        throw e;
      }
      // an empty batch's directory without a schema-carrying file
    }
    return ids;
  }

  /** The whole output: every row's message id, by batch ({@code out/batch=<id>}). */
  record Output(long rows, Map<String, Integer> occurrences, Map<Long, Long> rowsPerBatch) {
    static Output read(SparkSession s, Path out) {
      Map<String, Integer> occurrences = new HashMap<>();
      Map<Long, Long> perBatch = new HashMap<>();
      long rows = 0;
      if (!Files.isDirectory(out)) {
        return new Output(0, occurrences, perBatch);
      }
      Dataset<Row> df;
      try {
        df = s.read().parquet(out.toString());
      } catch (Exception e) {
        if (!(e instanceof org.apache.spark.sql.AnalysisException)) {
          throw e;
        }
        return new Output(0, occurrences, perBatch); // no data file yet
      }
      for (Row r : df.select("message_id", "batch").collectAsList()) {
        occurrences.merge(r.getString(0), 1, Integer::sum);
        perBatch.merge(((Number) r.get(1)).longValue(), 1L, Long::sum);
        rows++;
      }
      return new Output(rows, occurrences, perBatch);
    }

    Map<String, Integer> duplicates() {
      Map<String, Integer> d = new HashMap<>();
      occurrences.forEach((id, n) -> {
        if (n > 1) {
          d.put(id, n);
        }
      });
      return d;
    }
  }

  static <K, V> String first(Map<K, V> m, int n) {
    List<String> out = new ArrayList<>();
    for (Map.Entry<K, V> e : m.entrySet()) {
      if (out.size() == n) {
        out.add("...");
        break;
      }
      out.add(e.getKey() + "=" + e.getValue());
    }
    return out.toString();
  }
}
