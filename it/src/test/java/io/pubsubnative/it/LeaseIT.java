package io.pubsubnative.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.pubsub.v1.ReceivedMessage;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.Trigger;
import org.junit.jupiter.api.Test;

/** Leases keep held messages past the ack deadline: a slow batch causes no redelivery. */
class LeaseIT extends PubSubSparkITBase {

  @Test
  void slowBatchLongerThanAckDeadlineCausesNoRedelivery() throws Exception {
    TopicAndSubscription names = freshSubscription("lease", 10);
    String topic = names.topic();
    String sub = names.sub();
    Set<String> published = new java.util.HashSet<>(fx.publish(topic, AckOnCommitIT.ints(0, 300)));

    Collector c = new Collector();
    AtomicBoolean slept = new AtomicBoolean();
    AtomicLong lastDataBatch = new AtomicLong(-1);
    StreamingQuery q = pubsub(sub).option("maxMessagesPerTrigger", "100").load().writeStream()
        .option("checkpointLocation", checkpoint(sub))
        .trigger(Trigger.ProcessingTime(300))
        .foreachBatch((BatchFn) (df, batchId) -> {
          int before = c.size();
          c.add(df, batchId);
          if (c.size() > before) {
            lastDataBatch.set(batchId);
            if (slept.compareAndSet(false, true)) {
              Thread.sleep(30_000); // 3x the subscription's ack deadline
            }
          }
        })
        .start();
    awaitTrue("every message read", Duration.ofSeconds(180),
        () -> StopRestartIT.ids(c).containsAll(published));
    awaitCommitted(q, lastDataBatch.get(), Duration.ofSeconds(60));
    sleep(12_000); // past another ack deadline: a lapsed lease would redeliver meanwhile
    awaitCommitted(q, lastDataBatch.get(), Duration.ofSeconds(60));
    q.stop();

    assertEquals(Map.of(), c.duplicates(), "messages delivered more than once (id -> batches)");
    assertEquals(published, c.batchesById().keySet());

    sleep(12_000); // past the ack deadline again, after the stop
    List<ReceivedMessage> left = fx.pull(sub, 1000, Duration.ofSeconds(5));
    assertEquals(0, left.size(), "unacknowledged messages remain: " + left.size());
  }
}
