package io.pubsubnative.it;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.to_timestamp;
import static org.apache.spark.sql.functions.window;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.pubsub.v1.PubsubMessage;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryProgress;
import org.apache.spark.sql.streaming.Trigger;
import org.junit.jupiter.api.Test;

/** Event time from an attribute works with Spark's watermark: late records are dropped by the aggregation. */
class WatermarkIT extends PubSubSparkITBase {
  private static final DateTimeFormatter FMT =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);
  private static final Instant T = Instant.parse("2024-01-01T12:00:00Z");

  private static PubsubMessage event(String name, Instant at) {
    return PubsubMessage.newBuilder()
        .setData(ByteString.copyFromUtf8(name))
        .putAttributes("event_time", FMT.format(at))
        .putAttributes("name", name)
        .build();
  }

  private static long inputRows(StreamingQuery q) {
    long n = 0;
    for (StreamingQueryProgress p : q.recentProgress()) {
      n += p.numInputRows();
    }
    return n;
  }

  private static long droppedByWatermark(StreamingQuery q) {
    long n = 0;
    for (StreamingQueryProgress p : q.recentProgress()) {
      for (var op : p.stateOperators()) {
        n += op.numRowsDroppedByWatermark();
      }
    }
    return n;
  }

  @Test
  void lateRecordIsDroppedByWindowedAggregationButDeliveredRaw() throws Exception {
    String topic = unique("wm-topic");
    String aggSub = unique("wm-agg");
    String rawSub = unique("wm-raw");
    fx.createTopic(topic);
    fx.createSubscription(aggSub, topic, 60, false);
    fx.createSubscription(rawSub, topic, 60, false);

    // windowed count with a 30-minute watermark, append mode
    Map<Instant, Long> windows = new ConcurrentHashMap<>();
    Dataset<Row> events = pubsub(aggSub).load()
        .withColumn("event_time", to_timestamp(col("attributes").getItem("event_time")));
    StreamingQuery agg = events
        .withWatermark("event_time", "30 minutes")
        .groupBy(window(col("event_time"), "5 minutes"))
        .count()
        .writeStream()
        .outputMode("append")
        .option("checkpointLocation", checkpoint(aggSub))
        .trigger(Trigger.ProcessingTime(300))
        .foreachBatch((BatchFn) (df, batchId) -> {
          for (Row r : df.collectAsList()) {
            Row w = r.getStruct(0);
            windows.merge((Instant) w.get(0), r.getLong(1), Long::sum);
          }
        })
        .start();

    // the raw stream, from a second subscription on the same topic
    List<String> rawNames = Collections.synchronizedList(new ArrayList<>());
    StreamingQuery raw = pubsub(rawSub).load()
        .withColumn("event_time", to_timestamp(col("attributes").getItem("event_time")))
        .writeStream()
        .option("checkpointLocation", checkpoint(rawSub))
        .trigger(Trigger.ProcessingTime(300))
        .foreachBatch((BatchFn) (df, batchId) -> {
          for (Row r : df.select(col("attributes").getItem("name"), col("event_time")).collectAsList()) {
            if (!r.isNullAt(1)) { // event_time parsed
              rawNames.add(r.getString(0));
            }
          }
        })
        .start();

    // 1. T: the watermark moves to T-30m after this batch
    fx.publish(topic, List.of(event("T", T)));
    awaitTrue("the batch with T", Duration.ofSeconds(60), () -> inputRows(agg) >= 1);
    // 2. one more batch so the watermark also applies to late-event filtering
    //    (Spark filters late rows with the previous batch's watermark)
    fx.publish(topic, List.of(event("T-filler", T)));
    awaitTrue("the filler batch", Duration.ofSeconds(60), () -> inputRows(agg) >= 2);
    // 3. the late ones: T-10m is within the watermark, T-1h is behind it
    fx.publish(topic, List.of(event("T-10m", T.minus(Duration.ofMinutes(10))),
        event("T-1h", T.minus(Duration.ofHours(1)))));
    awaitTrue("the late batch", Duration.ofSeconds(60), () -> inputRows(agg) >= 4);
    // 4. advance the watermark past the windows of T and T-10m so append mode emits them
    Instant tPlus1h = T.plus(Duration.ofHours(1));
    Instant t10 = T.minus(Duration.ofMinutes(10));
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (!(windows.containsKey(T) && windows.containsKey(t10)) && System.nanoTime() < deadline) {
      fx.publish(topic, List.of(event("flush", tPlus1h)));
      sleep(3_000);
    }
    sleep(2_000);
    awaitTrue("the raw stream to deliver T, T-10m and T-1h", Duration.ofSeconds(60),
        () -> new HashSet<>(rawNames).containsAll(Set.of("T", "T-10m", "T-1h")));
    agg.stop();
    raw.stop();

    assertEquals(2L, windows.get(T), "window of T: " + windows);
    assertEquals(1L, windows.get(t10), "window of T-10m: " + windows);
    assertFalse(windows.containsKey(T.minus(Duration.ofHours(1))),
        "the T-1h record was behind the watermark and must be dropped: " + windows);
    assertTrue(new HashSet<>(rawNames).containsAll(Set.of("T", "T-filler", "T-10m", "T-1h")),
        "the connector delivered every record: " + rawNames);
    System.out.println("WatermarkIT: rows dropped by watermark (Spark metric): " + droppedByWatermark(agg));
  }
}
