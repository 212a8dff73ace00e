package io.pubsubnative.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.Trigger;
import org.junit.jupiter.api.Test;

/** Stopping after the last commit acknowledges it: a restart sees none of it again. */
class StopRestartIT extends PubSubSparkITBase {

  @Test
  void restartAfterStopSeesNoDuplicatesOfCommittedMessages() throws Exception {
    TopicAndSubscription names = freshSubscription("restart", 60);
    String topic = names.topic();
    String sub = names.sub();
    Set<String> partA = new HashSet<>(fx.publish(topic, AckOnCommitIT.ints(0, 300)));

    // run 1: continuous trigger; stop it once the batch holding the last message committed
    Collector run1 = new Collector();
    AtomicLong lastDataBatch = new AtomicLong(-1);
    StreamingQuery q1 = pubsub(sub).load().writeStream()
        .option("checkpointLocation", checkpoint(sub))
        .trigger(Trigger.ProcessingTime(300))
        .foreachBatch((BatchFn) (df, batchId) -> {
          int before = run1.size();
          run1.add(df, batchId);
          if (run1.size() > before) {
            lastDataBatch.set(batchId);
          }
        })
        .start();
    awaitTrue(() -> "run 1 to read part A (have " + ids(run1).size() + " of " + partA.size() + ")",
        Duration.ofSeconds(120), () -> ids(run1).containsAll(partA));
    awaitCommitted(q1, lastDataBatch.get(), Duration.ofSeconds(60));
    q1.stop();
    Set<String> run1Ids = ids(run1);
    assertEquals(partA, run1Ids);
    assertEquals(partA.size(), run1.size(), "run 1 saw duplicates");

    // the executors close the stopped instance's sessions asynchronously (commit watcher)
    awaitTrue("the first run's sessions to close", Duration.ofSeconds(30),
        () -> io.pubsubnative.spark.nativelib.NativeDiagnostics.openSessionCount() == 0);
    Set<String> partB = new HashSet<>(fx.publish(topic, AckOnCommitIT.ints(300, 600)));

    // run 2: same checkpoint
    Collector run2 = new Collector();
    StreamingQuery q2 = collectInto(run2, sub, checkpoint(sub), Trigger.ProcessingTime(300));
    awaitPartB(q2, sub, run2, partB, run1Ids);
    sleep(5_000); // a redelivered committed message would show up by now
    q2.stop();

    List<String> dups = new ArrayList<>();
    for (Msg m : run2.snapshot()) {
      if (run1Ids.contains(m.messageId())) {
        dups.add(m.messageId());
      }
    }
    assertEquals(List.of(), dups, "restarted query re-read messages the first run committed");
    assertEquals(partB, ids(run2));
    assertTrue(run2.size() == partB.size(), "run 2 saw duplicates: " + run2.size());
  }

  /** Waits for part B; on timeout stops the query and reports whether the rest was stranded. */
  static void awaitPartB(StreamingQuery q2, String sub, Collector run2, Set<String> partB,
      Set<String> run1Ids) throws Exception {
    try {
      awaitTrue(() -> "run 2 to read part B (run 2 has " + run2.size() + " rows, "
          + countIn(run2, partB) + " of part B's " + partB.size() + ", " + countIn(run2, run1Ids)
          + " of run 1's; batches " + run2.batchIds.size() + ")",
          Duration.ofSeconds(120), () -> ids(run2).containsAll(partB));
    } catch (org.opentest4j.AssertionFailedError e) {
      q2.stop();
      Set<String> missing = new HashSet<>(partB);
      missing.removeAll(ids(run2));
      throw new org.opentest4j.AssertionFailedError(e.getMessage() + "; "
          + strandedReport(sub, missing, Duration.ofSeconds(75)), e);
    }
  }

  /**
   * Messages published right after stop() returned (while the executors still close the stopped
   * run's sessions) must not be stranded: the next run reads them.
   */
  @Test
  void messagesPublishedRightAfterStopAreReadByTheNextRun() throws Exception {
    TopicAndSubscription names = freshSubscription("afterstop", 60);
    String topic = names.topic();
    String sub = names.sub();
    Set<String> partA = new HashSet<>(fx.publish(topic, AckOnCommitIT.ints(0, 50)));
    Collector run1 = readUntil(sub, partA.size(), Duration.ofSeconds(120));
    Set<String> run1Ids = ids(run1);
    assertEquals(partA, run1Ids);
    Set<String> partB = new HashSet<>(fx.publish(topic, AckOnCommitIT.ints(50, 350)));

    Collector run2 = new Collector();
    StreamingQuery q2 = collectInto(run2, sub, checkpoint(sub), Trigger.ProcessingTime(300));
    awaitPartB(q2, sub, run2, partB, run1Ids);
    q2.stop();
    assertEquals(0, countIn(run2, run1Ids), "restarted query re-read committed messages");
  }

  static long countIn(Collector c, Set<String> ids) {
    return ids(c).stream().filter(ids::contains).count();
  }

  static Set<String> ids(Collector c) {
    Set<String> s = new HashSet<>();
    for (Msg m : c.snapshot()) {
      s.add(m.messageId());
    }
    return s;
  }
}
