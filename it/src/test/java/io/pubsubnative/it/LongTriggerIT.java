package io.pubsubnative.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.pubsub.v1.ReceivedMessage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryProgress;
import org.apache.spark.sql.streaming.Trigger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Committed messages are acknowledged promptly after the commit (DESIGN §4, "Ack on commit":
 * within a second of the commit-log write, not at the next trigger). With
 * {@code Trigger.ProcessingTime("150 seconds")}, a 10 s ack deadline and
 * {@code maxAckExtensionSeconds=20}, a batch acknowledged only at the next trigger would have its
 * leases end about 30 s after arrival, and Pub/Sub would redeliver its messages into the next
 * batch. Both replay modes run as two queries at the same time, for three triggers (about 7 min).
 */
class LongTriggerIT extends PubSubSparkITBase {
  private static final long TRIGGER_MS = 150_000;
  private static final int ACK_DEADLINE_S = 10;
  private static final int MAX_EXTENSION_S = 20;
  private static final int PER_SET = 200;
  private static final int TRIGGERS = 3;
  /** Each set is published this long before its trigger, so that it is read by that trigger. */
  private static final long PUBLISH_LEAD_MS = 10_000;
  /**
   * The first gap between triggers must outlast a lease that is no longer acknowledged: the
   * extension plus one ack deadline, and a margin for the redelivery to arrive.
   */
  private static final long MIN_FIRST_GAP_MS = (MAX_EXTENSION_S + ACK_DEADLINE_S + 20) * 1000L;

  /** One query of one replay mode, on its own topic and subscription. */
  private static final class Run {
    final String replayLog;
    final TopicAndSubscription names;
    final Set<String> published = new HashSet<>();
    final Collector collector = new Collector();
    StreamingQuery query;
    final List<String> leftWhileRunning = new ArrayList<>();
    final List<String> leftAfterStop = new ArrayList<>();

    Run(String replayLog) {
      this.replayLog = replayLog;
      this.names = freshSubscription("long-" + replayLog, ACK_DEADLINE_S);
    }

    void publishSet(int set) {
      published.addAll(fx.publish(names.topic(),
          AckOnCommitIT.ints(set * PER_SET, (set + 1) * PER_SET)));
    }

    void start() throws Exception {
      query = pubsub(names.sub())
          .option("replayLog", replayLog)
          .option("maxAckExtensionSeconds", Integer.toString(MAX_EXTENSION_S))
          .load().writeStream()
          .option("checkpointLocation", checkpoint(names.sub()))
          .trigger(Trigger.ProcessingTime("150 seconds"))
          .foreachBatch((BatchFn) (df, batchId) -> collector.add(df, batchId))
          .start();
    }

    void pullInto(List<String> into) {
      for (ReceivedMessage m : fx.pull(names.sub(), 10_000, Duration.ofSeconds(5))) {
        into.add(m.getMessage().getMessageId());
      }
    }

    /** Batch id to the rows it delivered, per batch. */
    Map<Long, Integer> rowsPerBatch() {
      Map<Long, Integer> m = new TreeMap<>();
      for (Msg msg : collector.snapshot()) {
        m.merge(msg.batchId(), 1, Integer::sum);
      }
      return m;
    }

    /**
     * The checks of this run. Messages never read are looked for with Google's client (up to
     * 70 s) to say whether they were stranded or lost.
     */
    List<Executable> checks() {
      Map<String, List<Long>> dups = collector.duplicates();
      Set<String> missing = new HashSet<>(published);
      missing.removeAll(collector.batchesById().keySet());
      String stranded = missing.isEmpty() ? "" : "; " + strandedReport(names.sub(), missing,
          Duration.ofSeconds(70));
      String what = "replayLog=" + replayLog + " (rows per batch " + rowsPerBatch() + "): ";
      return List.of(
          () -> assertEquals(0, dups.size(), what + dups.size() + " of " + published.size()
              + " messages were delivered in more than one batch (message id -> batches; first "
              + "10): " + ReplayableBatchesIT.first(dups, 10)),
          () -> assertEquals(0, missing.size(), what + missing.size() + " published messages "
              + "never read" + stranded),
          () -> assertEquals(List.of(), leftWhileRunning, what + leftWhileRunning.size()
              + " messages handed out to Google's client past the ack deadline after the last "
              + "batch committed, while the query ran"),
          () -> assertEquals(List.of(), leftAfterStop, what + leftAfterStop.size()
              + " messages unacknowledged past the ack deadline after the query stopped"));
    }
  }

  @Test
  void committedBatchesAreAcknowledgedLongBeforeTheNextTrigger() throws Exception {
    List<Run> runs = List.of(new Run("memory"), new Run("checkpoint"));
    // ProcessingTime triggers fire at multiples of the interval (epoch time): start early in an
    // interval, so that the first gap between triggers outlasts an unacknowledged lease too
    long toBoundary = TRIGGER_MS - System.currentTimeMillis() % TRIGGER_MS;
    if (toBoundary < MIN_FIRST_GAP_MS + 5_000) {
      sleep(toBoundary + 1_000);
    }
    for (Run r : runs) {
      r.publishSet(0);
    }
    for (Run r : runs) {
      r.start();
    }
    try {
      for (int trigger = 1; trigger < TRIGGERS; trigger++) {
        for (Run r : runs) {
          awaitCommitted(r.query, trigger - 1, Duration.ofSeconds(TRIGGER_MS / 1000 + 120));
        }
        long now = System.currentTimeMillis();
        long next = (now / TRIGGER_MS + 1) * TRIGGER_MS;
        sleep(Math.max(0, next - PUBLISH_LEAD_MS - now));
        for (Run r : runs) {
          r.publishSet(trigger);
        }
      }
      for (Run r : runs) {
        awaitCommitted(r.query, TRIGGERS - 1, Duration.ofSeconds(TRIGGER_MS / 1000 + 120));
      }
      // the gaps really outlasted a lease (the premise of the test)
      for (Run r : runs) {
        List<Long> starts = new ArrayList<>();
        for (StreamingQueryProgress p : r.query.recentProgress()) {
          if (p.batchId() < TRIGGERS) {
            starts.add(Instant.parse(p.timestamp()).toEpochMilli());
          }
        }
        assertEquals(TRIGGERS, starts.size(), "one progress per trigger: " + starts);
        for (int i = 1; i < starts.size(); i++) {
          assertTrue(starts.get(i) - starts.get(i - 1) >= MIN_FIRST_GAP_MS,
              "triggers " + (i - 1) + " and " + i + " only " + (starts.get(i) - starts.get(i - 1))
                  + " ms apart");
        }
      }
      // while the queries still run (the next trigger is ~2 minutes away): past the lease end
      // of anything the last batch left unacknowledged, Google's client would get it
      sleep((MAX_EXTENSION_S + ACK_DEADLINE_S) * 1000L);
      for (Run r : runs) {
        r.pullInto(r.leftWhileRunning);
      }
    } finally {
      for (Run r : runs) {
        if (r.query != null) {
          r.query.stop();
        }
      }
    }
    sleep((ACK_DEADLINE_S + 3) * 1000L);
    List<Executable> checks = new ArrayList<>();
    for (Run r : runs) {
      r.pullInto(r.leftAfterStop);
      System.out.println("LongTriggerIT replayLog=" + r.replayLog + ": published "
          + r.published.size() + ", rows per batch " + r.rowsPerBatch() + ", left while running "
          + r.leftWhileRunning.size() + ", after stop " + r.leftAfterStop.size());
      checks.addAll(r.checks());
    }
    assertAll(checks);
  }
}
