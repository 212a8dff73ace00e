package io.pubsubnative.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.pubsub.v1.PubsubMessage;
import com.google.pubsub.v1.ReceivedMessage;
import io.pubsubnative.testkit.TaskMetricSums;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.spark.sql.DataFrameWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.execution.ui.SQLExecutionUIData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import scala.jdk.javaapi.CollectionConverters;

/** Helpers of the sink tests: writers with the test options, and checks through Google's client. */
abstract class SinkITBase extends PubSubSparkITBase {

  TaskMetricSums metrics;

  @BeforeEach
  void listenToTaskMetrics() {
    metrics = new TaskMetricSums();
    spark.sparkContext().addSparkListener(metrics);
  }

  @AfterEach
  void stopListening() {
    spark.sparkContext().removeSparkListener(metrics);
  }

  /** A batch write to Pub/Sub with the test's emulator ({@code mode("append")}, see docs/sink.md). */
  static DataFrameWriter<Row> pubsubWrite(Dataset<Row> df) {
    return df.write().format("pubsub").mode("append").option("emulatorHost", emu.hostPort());
  }

  /** A fresh topic and a subscription on it (with or without message ordering), created before publishing. */
  static TopicAndSubscription freshTopic(String prefix, boolean ordering) {
    String topic = unique(prefix + "-topic");
    String sub = unique(prefix + "-sub");
    fx.createTopic(topic);
    fx.createSubscription(sub, topic, 60, ordering);
    return new TopicAndSubscription(topic, sub);
  }

  /**
   * Pulls with Google's client until {@code expected} messages arrived (then 3 s more, so that
   * extras would show) and asserts the count is exact; returns the messages by payload (UTF-8).
   */
  static Map<String, PubsubMessage> receiveExactly(String sub, int expected, Duration timeout) {
    List<ReceivedMessage> got = fx.pullAndAckUntil(sub, expected, timeout, Duration.ofSeconds(3));
    Map<String, PubsubMessage> byPayload = new HashMap<>();
    for (ReceivedMessage m : got) {
      String payload = m.getMessage().getData().toString(StandardCharsets.UTF_8);
      assertTrue(byPayload.put(payload, m.getMessage()) == null, "payload '" + payload + "' arrived twice");
    }
    assertEquals(expected, got.size(), "messages on " + sub);
    return byPayload;
  }

  /**
   * The aggregated values (as the SQL tab shows them) of every metric of every SQL execution so
   * far; waits until one of them matches {@code pattern} or 20 s passed.
   */
  static List<String> awaitSqlMetricValue(Pattern pattern) {
    List<String> values = new ArrayList<>();
    awaitTrue(() -> "a SQL metric value matching " + pattern + " among " + values, Duration.ofSeconds(20), () -> {
      values.clear();
      for (SQLExecutionUIData e
          : CollectionConverters.asJava(spark.sharedState().statusStore().executionsList())) {
        values.addAll(CollectionConverters.asJava(
            spark.sharedState().statusStore().executionMetrics(e.executionId())).values());
      }
      return values.stream().anyMatch(v -> pattern.matcher(v).matches());
    });
    return values;
  }

  /** Waits until the listener saw the tasks' metric reach at least {@code atLeast}. */
  void awaitMetricAtLeast(String description, long atLeast) {
    long value = metrics.awaitAtLeast(description, atLeast, Duration.ofSeconds(20));
    assertTrue(value >= atLeast, "metric '" + description + "' is " + value + ", expected >= " + atLeast);
  }
}
