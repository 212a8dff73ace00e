package io.pubsubnative.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.pubsub.v1.PubsubMessage;
import com.google.pubsub.v1.ReceivedMessage;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.Trigger;
import org.junit.jupiter.api.Test;

/** What the sink does with bad or unusual input: limits, empty and null payloads, bad topics and columns. */
class SinkBadInputIT extends SinkITBase {

  private static void assertMentions(Throwable t, String... fragments) {
    String all = allMessages(t);
    for (String f : fragments) {
      assertTrue(all.toLowerCase(Locale.ROOT).contains(f.toLowerCase(Locale.ROOT)),
          "error does not mention '" + f + "':\n" + all);
    }
  }

  private static Throwable writeFails(Dataset<Row> rows, String topicPath) {
    return assertThrows(Throwable.class, () -> pubsubWrite(rows).option("topicId", topicPath).save());
  }

  @Test
  void messageOverTenMegabytesFailsTheTaskNamingTheLimit() {
    TopicAndSubscription names = freshTopic("big", false);
    Dataset<Row> rows = spark.range(1).selectExpr("CAST(REPEAT('x', 10000001) AS BINARY) AS payload");
    Throwable t = writeFails(rows, fx.topicPath(names.topic()));
    assertMentions(t, "limit of 10000000 bytes", fx.topicPath(names.topic()));
  }

  @Test
  void moreThanHundredAttributesFailTheTaskNamingTheLimit() {
    TopicAndSubscription names = freshTopic("attrs", false);
    Dataset<Row> rows = spark.range(1).selectExpr(
        "'x' AS payload", "map_from_entries(transform(sequence(1, 101), i -> struct(CAST(i AS STRING), 'v'))) AS attributes");
    assertMentions(writeFails(rows, fx.topicPath(names.topic())), "limit of 100");
  }

  @Test
  void emptyPayloadWithAnAttributeIsPublished() {
    TopicAndSubscription names = freshTopic("empty", false);
    pubsubWrite(spark.range(1).selectExpr("X'' AS payload", "map('kind', 'empty') AS attributes"))
        .option("topicId", fx.topicPath(names.topic())).save();
    List<ReceivedMessage> got = fx.pullAndAckUntil(names.sub(), 1, Duration.ofSeconds(30), Duration.ofSeconds(2));
    assertEquals(1, got.size());
    PubsubMessage m = got.get(0).getMessage();
    assertEquals(0, m.getData().size());
    assertEquals(Map.of("kind", "empty"), m.getAttributesMap());
  }

  @Test
  void nullPayloadIsPublishedAsEmptyDataWhenTheRowHasAttributes() {
    TopicAndSubscription names = freshTopic("null", false);
    pubsubWrite(spark.range(1).selectExpr("CAST(NULL AS BINARY) AS payload", "map('kind', 'null') AS attributes"))
        .option("topicId", fx.topicPath(names.topic())).save();
    List<ReceivedMessage> got = fx.pullAndAckUntil(names.sub(), 1, Duration.ofSeconds(30), Duration.ofSeconds(2));
    assertEquals(1, got.size());
    assertEquals(0, got.get(0).getMessage().getData().size());
    assertEquals(Map.of("kind", "null"), got.get(0).getMessage().getAttributesMap());
  }

  @Test
  void nullPayloadWithoutAttributesFailsTheTask() {
    TopicAndSubscription names = freshTopic("nothing", false);
    Throwable t = writeFails(spark.range(1).selectExpr("CAST(NULL AS BINARY) AS payload"),
        fx.topicPath(names.topic()));
    assertMentions(t, "neither data nor attributes");
  }

  @Test
  void topicThatDoesNotExistFailsAtStartNamingIt() {
    String missing = fx.topicPath(unique("no-such-topic"));
    Throwable batch = writeFails(spark.range(1).selectExpr("'x' AS payload"), missing);
    assertMentions(batch, missing, "does not exist");

    Throwable streaming = assertThrows(Throwable.class, () -> {
      StreamingQuery q = spark.readStream().format("rate").load().selectExpr("CAST(value AS STRING) AS payload")
          .writeStream().format("pubsub")
          .option("topicId", missing)
          .option("emulatorHost", emu.hostPort())
          .option("checkpointLocation", checkpoint(unique("missing-topic")))
          .start();
      q.awaitTermination(60_000);
      q.stop();
    });
    assertMentions(streaming, missing, "does not exist");
  }

  @Test
  void wrongColumnTypeFailsAtStart() {
    TopicAndSubscription names = freshTopic("types", false);
    Throwable t = writeFails(spark.range(1).selectExpr("id AS payload"), fx.topicPath(names.topic()));
    assertMentions(t, "Column 'payload'", "BINARY or STRING", "BIGINT");
    Throwable attrs = writeFails(spark.range(1).selectExpr("'x' AS payload", "map('a', 1) AS attributes"),
        fx.topicPath(names.topic()));
    assertMentions(attrs, "Column 'attributes'", "MAP<STRING,STRING>");
  }

  @Test
  void unknownColumnFailsAtStartListingTheAllowedOnes() {
    TopicAndSubscription names = freshTopic("unknown", false);
    Throwable t = writeFails(spark.range(1).selectExpr("'x' AS payload", "id"), fx.topicPath(names.topic()));
    assertMentions(t, "'id'", "allowed columns", "ordering_key");
  }

  @Test
  void missingTopicIdWithoutTopicColumnFailsAtStart() {
    Throwable t = assertThrows(Throwable.class,
        () -> pubsubWrite(spark.range(1).selectExpr("'x' AS payload")).save());
    assertMentions(t, "topicId", "topic");
  }

  @Test
  void malformedTopicInTheTopicColumnFailsTheTaskNamingIt() {
    Throwable t = assertThrows(Throwable.class,
        () -> pubsubWrite(spark.range(1).selectExpr("'x' AS payload", "'not-a-topic' AS topic")).save());
    assertMentions(t, "not-a-topic", "projects/<project>/topics/<name>");
  }
}
