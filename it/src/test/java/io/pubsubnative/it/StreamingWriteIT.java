package io.pubsubnative.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.google.protobuf.ByteString;
import com.google.pubsub.v1.PubsubMessage;
import com.google.pubsub.v1.ReceivedMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.Trigger;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** {@code df.writeStream.format("pubsub")}, checked with Google's client. */
class StreamingWriteIT extends SinkITBase {

  @Test
  void hundredThousandRowsFromAFileStreamArriveExactlyOnce() throws Exception {
    int n = 100_000;
    TopicAndSubscription names = freshTopic("stream", false);
    String input = tempDir.resolve(unique("stream-input")).toString();
    spark.range(n).selectExpr("id", "CONCAT('row-', CAST(id AS STRING)) AS text").write().parquet(input);
    StructType schema = spark.read().parquet(input).schema();

    StreamingQuery q = spark.readStream().schema(schema).parquet(input)
        .selectExpr("CAST(text AS BINARY) AS payload",
            "map('id', CAST(id AS STRING), 'source', 'parquet') AS attributes")
        .writeStream()
        .format("pubsub")
        .option("topicId", fx.topicPath(names.topic()))
        .option("emulatorHost", emu.hostPort())
        .option("checkpointLocation", checkpoint(names.topic()))
        .trigger(Trigger.AvailableNow())
        .start();
    awaitTermination(q, Duration.ofSeconds(300));

    Map<String, PubsubMessage> got = receiveExactly(names.sub(), n, Duration.ofSeconds(300));
    for (int i = 0; i < n; i++) {
      PubsubMessage m = got.get("row-" + i);
      assertNotNull(m, "row " + i + " missing");
      assertEquals(Map.of("id", Integer.toString(i), "source", "parquet"), m.getAttributesMap(), "row " + i);
    }
  }

  @Test
  void pipelineReadsSubscriptionATransformsAndWritesToTopicB() throws Exception {
    int n = 2_000;
    TopicAndSubscription a = freshSubscription("pipe-a", 60);
    TopicAndSubscription b = freshTopic("pipe-b", false);
    List<PubsubMessage> input = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      input.add(PubsubMessage.newBuilder().setData(ByteString.copyFromUtf8("m" + i))
          .putAttributes("i", Integer.toString(i)).build());
    }
    fx.publish(a.topic(), input);

    Dataset<Row> transformed = pubsub(a.sub()).load().selectExpr(
        "CAST(UPPER(CAST(payload AS STRING)) AS BINARY) AS payload",
        "map_concat(attributes, map('source_id', message_id)) AS attributes");
    // AvailableNow ends a run once the subscription looks drained; run again until B has everything.
    List<ReceivedMessage> onB = new ArrayList<>();
    for (int round = 0; round < 6 && onB.size() < n; round++) {
      StreamingQuery q = transformed.writeStream()
          .format("pubsub")
          .option("topicId", fx.topicPath(b.topic()))
          .option("emulatorHost", emu.hostPort())
          .option("checkpointLocation", checkpoint(a.sub()))
          .trigger(Trigger.AvailableNow())
          .start();
      awaitTermination(q, Duration.ofSeconds(120));
      onB.addAll(fx.pullAndAckUntil(b.sub(), n - onB.size(), Duration.ofSeconds(10), Duration.ofSeconds(1)));
    }
    assertEquals(n, onB.size(), "messages on topic B");
    Set<String> payloads = new HashSet<>();
    for (ReceivedMessage m : onB) {
      PubsubMessage msg = m.getMessage();
      String payload = msg.getData().toStringUtf8();
      assertEquals("M" + msg.getAttributesMap().get("i"), payload, "transformed payload");
      assertNotNull(msg.getAttributesMap().get("source_id"), "source message id attribute");
      payloads.add(payload);
    }
    assertEquals(n, payloads.size(), "distinct payloads on topic B");
  }
}
