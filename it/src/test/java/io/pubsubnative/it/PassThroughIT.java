package io.pubsubnative.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.pubsub.v1.PubsubMessage;
import com.google.pubsub.v1.ReceivedMessage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.Trigger;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** What is published comes out of the connector unchanged, field by field. */
class PassThroughIT extends PubSubSparkITBase {

  static long micros(Instant i) {
    return i.getEpochSecond() * 1_000_000L + i.getNano() / 1_000;
  }

  static long micros(com.google.protobuf.Timestamp t) {
    return t.getSeconds() * 1_000_000L + t.getNanos() / 1_000;
  }

  /** Publishes, reads with AvailableNow, and checks against a copy pulled with Google's client. */
  private void publishAndCompare(int n, boolean orderingSubscription, boolean withOrderingKeys,
      boolean availableNow)
      throws Exception {
    String topic = unique("pass-topic");
    String sub = unique("pass-sub");
    String verify = unique("pass-verify");
    fx.createTopic(topic);
    fx.createSubscription(sub, topic, 60, orderingSubscription);
    fx.createSubscription(verify, topic, 60, false);

    List<PubsubMessage> msgs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      PubsubMessage.Builder b = PubsubMessage.newBuilder()
          .setData(ByteString.copyFromUtf8(Integer.toString(i)))
          .putAttributes("i", Integer.toString(i))
          .putAttributes("kind", "int");
      if (withOrderingKeys && i % 4 == 0) {
        b.setOrderingKey("key-" + (i % 25));
      }
      msgs.add(b.build());
    }
    List<String> ids = fx.publish(topic, msgs);
    assertEquals(n, ids.size());
    Map<String, PubsubMessage> published = new HashMap<>();
    for (int i = 0; i < n; i++) {
      published.put(ids.get(i), msgs.get(i));
    }

    // the server's view (incl. publish_time), through Google's client on a second subscription
    List<ReceivedMessage> copy = fx.pullAndAck(verify, n, Duration.ofSeconds(60));
    assertEquals(n, copy.size(), "Google's client pulled a different number of messages");
    Map<String, PubsubMessage> server = new HashMap<>();
    for (ReceivedMessage m : copy) {
      server.put(m.getMessage().getMessageId(), m.getMessage());
    }
    assertEquals(published.keySet(), server.keySet());

    Collector c = availableNow
        ? readAllAvailableNow(sub, n)
        : readUntil(sub, n, Duration.ofSeconds(180));

    List<Msg> got = c.snapshot();
    assertEquals(n, got.size(), "row count");
    long sum = 0;
    HashSet<String> seen = new HashSet<>();
    for (Msg m : got) {
      assertTrue(seen.add(m.messageId()), "duplicate message_id " + m.messageId());
      PubsubMessage pub = published.get(m.messageId());
      assertNotNull(pub, "unknown message_id " + m.messageId());
      PubsubMessage srv = server.get(m.messageId());
      assertArrayEquals(pub.getData().toByteArray(), m.payload(), "payload of " + m.messageId());
      assertEquals(pub.getAttributesMap(), m.attributes(), "attributes of " + m.messageId());
      if (pub.getOrderingKey().isEmpty()) {
        assertNull(m.orderingKey(), "ordering_key must be null when none: " + m.messageId());
      } else {
        assertEquals(pub.getOrderingKey(), m.orderingKey(), "ordering_key of " + m.messageId());
      }
      assertNull(m.deliveryAttempt(), "delivery_attempt without a dead-letter policy");
      assertNotNull(m.publishTime(), "publish_time");
      assertEquals(micros(srv.getPublishTime()), micros(m.publishTime()),
          "publish_time (microseconds) of " + m.messageId());
      sum += Long.parseLong(m.payloadUtf8());
    }
    assertEquals((long) n * (n - 1) / 2, sum, "sum of the integers");
    assertEquals(published.keySet(), seen);
  }

  @Test
  void thousandIntegersWithOrderingKeysArriveUnchanged() throws Exception {
    // The emulator hands out the next message of an ordering key only after the previous one is
    // acknowledged, and the connector acknowledges on commit: ordered keys advance one message
    // per commit, so read with a processing-time trigger until everything arrived.
    publishAndCompare(1000, true, true, false);
  }

  @Test
  void thousandIntegersWithoutOrderingArriveUnchanged() throws Exception {
    publishAndCompare(1000, false, false, true);
  }

  @Test
  void readSchemaIsTheRawContract() {
    TopicAndSubscription names = freshSubscription("schema", 60);
    String topic = names.topic();
    String sub = names.sub();
    StructType schema = pubsub(sub).load().schema();
    assertEquals(List.of("message_id", "publish_time", "attributes", "payload", "ordering_key",
        "delivery_attempt"), List.of(schema.fieldNames()));
    assertEquals(DataTypes.StringType, schema.apply("message_id").dataType());
    assertEquals(DataTypes.TimestampType, schema.apply("publish_time").dataType());
    assertTrue(schema.apply("attributes").dataType().sameType(
        DataTypes.createMapType(DataTypes.StringType, DataTypes.StringType)));
    assertEquals(DataTypes.BinaryType, schema.apply("payload").dataType());
    assertEquals(DataTypes.StringType, schema.apply("ordering_key").dataType());
    assertEquals(DataTypes.IntegerType, schema.apply("delivery_attempt").dataType());
  }

  @Test
  void emptyPayloadAndNoAttributesArriveUnchanged() throws Exception {
    TopicAndSubscription names = freshSubscription("empty", 60);
    String topic = names.topic();
    String sub = names.sub();
    // Pub/Sub needs data or attributes: one with empty data + an attribute, one with data only
    List<String> ids = fx.publish(topic, List.of(
        PubsubMessage.newBuilder().putAttributes("only", "attr").build(),
        PubsubMessage.newBuilder().setData(ByteString.copyFrom("x", StandardCharsets.UTF_8)).build()));
    Collector c = new Collector();
    StreamingQuery q = collectInto(c, sub, checkpoint(sub), Trigger.AvailableNow());
    awaitTermination(q, Duration.ofSeconds(120));
    Map<String, Msg> byId = new HashMap<>();
    for (Msg m : c.snapshot()) {
      byId.put(m.messageId(), m);
    }
    assertEquals(new HashSet<>(ids), byId.keySet());
    Msg a = byId.get(ids.get(0));
    assertEquals(0, a.payload().length);
    assertEquals(Map.of("only", "attr"), a.attributes());
    Msg b = byId.get(ids.get(1));
    assertEquals("x", b.payloadUtf8());
    assertEquals(Map.of(), b.attributes());
  }
}
