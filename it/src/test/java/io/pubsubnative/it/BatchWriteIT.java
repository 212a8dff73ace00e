package io.pubsubnative.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.pubsub.v1.PubsubMessage;
import com.google.pubsub.v1.ReceivedMessage;
import io.pubsubnative.testkit.FlakyPublisherProxy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;

/** {@code df.write.format("pubsub")}: routing, ordering, retries and metrics, checked with Google's client. */
class BatchWriteIT extends SinkITBase {

  @Test
  void tenThousandRowsAreRoutedToTwoTopicsByTheirTopicColumn() {
    TopicAndSubscription even = freshTopic("even", false);
    TopicAndSubscription odd = freshTopic("odd", false);
    Dataset<Row> rows = spark.range(10_000).selectExpr(
        "CAST(id AS STRING) AS payload",
        "map('i', CAST(id AS STRING), 'parity', IF(id % 2 = 0, 'even', 'odd')) AS attributes",
        String.format("IF(id %% 2 = 0, '%s', '%s') AS topic", fx.topicPath(even.topic()), fx.topicPath(odd.topic())));
    pubsubWrite(rows).save();

    Map<String, PubsubMessage> evens = receiveExactly(even.sub(), 5_000, Duration.ofSeconds(120));
    Map<String, PubsubMessage> odds = receiveExactly(odd.sub(), 5_000, Duration.ofSeconds(120));
    for (int i = 0; i < 10_000; i++) {
      PubsubMessage m = (i % 2 == 0 ? evens : odds).get(Integer.toString(i));
      assertNotNull(m, "row " + i + " is missing from its topic");
      assertEquals(Map.of("i", Integer.toString(i), "parity", i % 2 == 0 ? "even" : "odd"),
          m.getAttributesMap(), "attributes of row " + i);
    }
    awaitMetricAtLeast("messages published to Pub/Sub", 10_000);
    assertEquals(10_000, metrics.get("messages published to Pub/Sub"), "messages published metric");
    assertTrue(metrics.get("bytes published to Pub/Sub (encoded messages)") > 10_000 * 10,
        "bytes published metric");
    // native_publish_latency's aggregate: min / median / max of the tasks' mean request latency
    awaitSqlMetricValue(Pattern.compile("\\d+\\.\\d ms / \\d+\\.\\d ms / \\d+\\.\\d ms"));
  }

  @Test
  void orderingKeysArriveInOrderPerKeyOnAnOrderingSubscription() {
    TopicAndSubscription names = freshTopic("ordered", true);
    int keys = 5;
    int perKey = 200;
    // Pub/Sub orders per key within one publisher: keep each key in one task, in sequence.
    Dataset<Row> rows = spark.range(keys * perKey)
        .selectExpr("CONCAT('key-', CAST(id % " + keys + " AS STRING)) AS ordering_key",
            "LPAD(CAST(id DIV " + keys + " AS STRING), 6, '0') AS seq")
        .repartition(2, functions.col("ordering_key"))
        .sortWithinPartitions("ordering_key", "seq")
        .selectExpr("CONCAT(ordering_key, '/', seq) AS payload", "ordering_key");
    pubsubWrite(rows).option("topicId", fx.topicPath(names.topic())).option("publishLingerMs", "1").save();

    List<ReceivedMessage> got = fx.pullAndAckUntil(names.sub(), keys * perKey, Duration.ofSeconds(180),
        Duration.ofSeconds(2));
    assertEquals(keys * perKey, got.size(), "messages on the ordering subscription");
    Map<String, List<Integer>> arrival = new HashMap<>();
    for (ReceivedMessage m : got) {
      String[] parts = m.getMessage().getData().toString(StandardCharsets.UTF_8).split("/");
      assertEquals(parts[0], m.getMessage().getOrderingKey(), "ordering key of " + m.getMessage().getData());
      arrival.computeIfAbsent(parts[0], k -> new ArrayList<>()).add(Integer.parseInt(parts[1]));
    }
    assertEquals(keys, arrival.size());
    for (Map.Entry<String, List<Integer>> e : arrival.entrySet()) {
      List<Integer> expected = new ArrayList<>();
      for (int i = 0; i < perKey; i++) {
        expected.add(i);
      }
      assertEquals(expected, e.getValue(), "arrival order of key " + e.getKey());
    }
  }

  @Test
  void transientPublishErrorsAreRetriedAndNothingIsLost() {
    TopicAndSubscription names = freshTopic("retry", false);
    int failures = 3;
    try (FlakyPublisherProxy proxy = FlakyPublisherProxy.start(emu.hostPort(), failures)) {
      Dataset<Row> rows = spark.range(3_000).selectExpr("CAST(id AS STRING) AS payload");
      rows.write().format("pubsub").mode("append")
          .option("emulatorHost", proxy.hostPort())
          .option("topicId", fx.topicPath(names.topic()))
          .save();
      assertEquals(failures, proxy.failedPublishCalls(), "UNAVAILABLE answers injected");
      assertTrue(proxy.publishCalls() > failures, "Publish calls after the failures: " + proxy.publishCalls());
    }
    Map<String, PubsubMessage> got = receiveExactly(names.sub(), 3_000, Duration.ofSeconds(120));
    for (int i = 0; i < 3_000; i++) {
      assertNotNull(got.get(Integer.toString(i)), "row " + i + " missing");
    }
    awaitMetricAtLeast("Publish requests retried after a transient error", failures);
    awaitMetricAtLeast("messages published to Pub/Sub", 3_000);
  }

  @Test
  void defaultSaveModeIsRejectedInFavourOfAppend() {
    TopicAndSubscription names = freshTopic("mode", false);
    Throwable t = assertThrows(Throwable.class, () -> spark.range(1).selectExpr("'x' AS payload").write()
        .format("pubsub").option("emulatorHost", emu.hostPort())
        .option("topicId", fx.topicPath(names.topic())).save());
    String all = allMessages(t);
    assertTrue(all.contains("ErrorIfExists") && all.toLowerCase(Locale.ROOT).contains("append"), all);
  }
}
