package io.pubsubnative.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.pubsub.v1.PubsubMessage;
import com.google.pubsub.v1.ReceivedMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryException;
import org.apache.spark.sql.streaming.Trigger;
import org.junit.jupiter.api.Test;

/** A message is acknowledged only after Spark committed its batch, and then it is. */
class AckOnCommitIT extends PubSubSparkITBase {

  static List<PubsubMessage> ints(int from, int to) {
    List<PubsubMessage> msgs = new ArrayList<>();
    for (int i = from; i < to; i++) {
      msgs.add(PubsubMessage.newBuilder()
          .setData(ByteString.copyFromUtf8(Integer.toString(i)))
          .putAttributes("i", Integer.toString(i))
          .build());
    }
    return msgs;
  }

  @Test
  void committedMessagesAreAcknowledgedAfterTheQueryStops() throws Exception {
    TopicAndSubscription names = freshSubscription("ack", 10);
    String topic = names.topic();
    String sub = names.sub();
    List<String> ids = fx.publish(topic, ints(0, 500));

    Collector c = readAllAvailableNow(sub, ids.size());
    Set<String> got = new HashSet<>();
    c.snapshot().forEach(m -> got.add(m.messageId()));
    assertEquals(new HashSet<>(ids), got, "the query read every message");

    // past the 10 s ack deadline: anything not acknowledged would be redelivered by now
    sleep(15_000);
    List<ReceivedMessage> left = fx.pull(sub, 1000, Duration.ofSeconds(5));
    assertEquals(0, left.size(), "messages still unacknowledged after commit+stop: " + left.size());
  }

  @Test
  void killedMidBatchLosesNothing() throws Exception {
    TopicAndSubscription names = freshSubscription("kill", 30);
    String topic = names.topic();
    String sub = names.sub();
    List<String> ids = fx.publish(topic, ints(0, 600));
    Set<String> all = new HashSet<>(ids);

    // run 1: the second batch that has data throws
    Collector committed1 = new Collector();
    Collector failedBatch = new Collector();
    AtomicInteger nonEmpty = new AtomicInteger();
    AtomicLong failedBatchId = new AtomicLong(-1);
    StreamingQuery q1 = pubsub(sub).option("maxMessagesPerTrigger", "100").load().writeStream()
        .option("checkpointLocation", checkpoint(sub))
        .trigger(Trigger.ProcessingTime(300))
        .foreachBatch((BatchFn) (df, batchId) -> {
          Collector tmp = new Collector();
          tmp.add(df, batchId);
          if (tmp.size() > 0 && nonEmpty.incrementAndGet() == 2) {
            failedBatch.rows.addAll(tmp.rows);
            failedBatchId.set(batchId);
            throw new IllegalStateException("sink fails on purpose in batch " + batchId);
          }
          committed1.rows.addAll(tmp.rows);
        })
        .start();
    StreamingQueryException e = assertThrows(StreamingQueryException.class,
        () -> q1.awaitTermination(120_000));
    assertTrue(allMessages(e).contains("sink fails on purpose"), allMessages(e));
    assertTrue(failedBatchId.get() >= 0);
    assertTrue(committed1.size() > 0, "the first data batch committed");

    // run 2: same checkpoint, working sink
    Collector run2 = new Collector();
    StreamingQuery q2 = collectInto(run2, sub, checkpoint(sub), Trigger.ProcessingTime(300));
    Set<String> union = ConcurrentHashMap.newKeySet();
    try {
      awaitTrue(() -> "every message in the committed output (have " + union.size() + " of "
          + all.size() + "; run 1 committed " + committed1.size() + ", failed batch "
          + failedBatch.size() + ", run 2 " + run2.size() + ")", Duration.ofSeconds(120), () -> {
            union.clear();
            committed1.snapshot().forEach(m -> union.add(m.messageId()));
            run2.snapshot().forEach(m -> union.add(m.messageId()));
            return union.containsAll(all);
          });
    } catch (org.opentest4j.AssertionFailedError err) {
      q2.stop();
      Set<String> missing = new HashSet<>(all);
      missing.removeAll(union);
      throw new org.opentest4j.AssertionFailedError(err.getMessage() + "; "
          + strandedReport(sub, missing, Duration.ofSeconds(45)), err);
    }
    // let a stray redelivery of committed messages show up, if there is one
    sleep(3_000);
    q2.stop();

    Set<String> committedIds = new HashSet<>();
    committed1.snapshot().forEach(m -> committedIds.add(m.messageId()));
    Set<String> failedIds = new HashSet<>();
    failedBatch.snapshot().forEach(m -> failedIds.add(m.messageId()));
    List<String> dupOfCommitted = new ArrayList<>();
    Set<String> run2Ids = new HashSet<>();
    for (Msg m : run2.snapshot()) {
      if (committedIds.contains(m.messageId())) {
        dupOfCommitted.add(m.messageId());
      }
      assertTrue(run2Ids.add(m.messageId()), "run 2 delivered " + m.messageId() + " twice");
    }
    assertEquals(List.of(), dupOfCommitted, "messages of a committed batch were delivered again");
    assertTrue(run2Ids.containsAll(failedIds),
        "the failed (uncommitted) batch's messages are read again after restart");
    assertEquals(all, union);
  }
}
