package io.pubsubnative.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.pubsubnative.spark.metrics.SourceMetrics;
import io.pubsubnative.testkit.TaskMetricSums;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.connector.metric.CustomMetric;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.Trigger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An Acknowledge RPC that fails after its retries keeps its ids leased and is retried later
 * (DESIGN §4): against the firehose answering UNAVAILABLE to its first {@value #FAIL_FIRST_ACKS}
 * Acknowledge calls (more than the native 3 attempts of one request), every message is still
 * acknowledged exactly once, and the {@code ack_failures} task metric counts the failures.
 */
class FailedAcksIT extends PubSubSparkITBase {
  private static final int MESSAGES = 20_000;
  private static final int FAIL_FIRST_ACKS = 10;

  /** The description (the accumulator's name) of the source metric whose name ends with this. */
  static String metricDescription(String nameSuffix) {
    List<String> names = new ArrayList<>();
    for (CustomMetric m : SourceMetrics.supported()) {
      if (m.name().endsWith(nameSuffix)) {
        return m.description();
      }
      names.add(m.name());
    }
    return "(the connector has no metric named *" + nameSuffix + " among " + names + ")";
  }

  @ParameterizedTest(name = "replayLog={0}")
  @ValueSource(strings = {"memory", "checkpoint"})
  void failedAcknowledgeCallsAreRetriedUntilEveryMessageIsAckedOnce(String replayLog)
      throws Exception {
    String ackFailures = metricDescription("ack_failures");
    TaskMetricSums metrics = new TaskMetricSums();
    spark.sparkContext().addSparkListener(metrics);
    try (FirehoseServer firehose = FirehoseServer.start(List.of("--messages",
        Integer.toString(MESSAGES), "--size", "100", "--fail-first-acks",
        Integer.toString(FAIL_FIRST_ACKS)))) {
      String subscription = "projects/" + PROJECT + "/subscriptions/" + unique("firehose-" + replayLog);
      String cp = checkpoint(unique("firehose-" + replayLog));
      Map<String, Integer> seen = new ConcurrentHashMap<>();
      for (int round = 0; round < 5 && seen.size() < MESSAGES; round++) {
        StreamingQuery q = spark.readStream().format("pubsub")
            .option("subscriptionId", subscription)
            .option("emulatorHost", firehose.hostPort())
            .option("parallelism", "2")
            .option("replayLog", replayLog)
            .option("maxMessagesPerTrigger", "4000")
            .load().writeStream()
            .option("checkpointLocation", cp)
            .trigger(Trigger.AvailableNow())
            .foreachBatch((BatchFn) (df, batchId) -> {
              for (Row r : df.select("message_id").collectAsList()) {
                seen.merge(r.getString(0), 1, Integer::sum);
              }
            })
            .start();
        awaitTermination(q, Duration.ofSeconds(180));
      }
      // Stopped only now: the firehose must serve the last, empty batch, or AvailableNow could not
      // tell a drained subscription from a vanished server (--exit-after-acked would exit before
      // it). The acks of the last data batch went out during that empty batch's drain wait.
      JsonNode report = firehose.report(Duration.ofSeconds(3));
      long failures = metrics.awaitAtLeast(ackFailures, 1, Duration.ofSeconds(20));
      long duplicates = seen.values().stream().filter(n -> n > 1).count();
      String summary = "replayLog=" + replayLog + ": Spark read " + seen.size() + " distinct of "
          + MESSAGES + " (" + duplicates + " more than once); firehose " + report
          + "; metric '" + ackFailures + "' = " + failures;
      System.out.println("FailedAcksIT " + summary);
      assertNotNull(report.get("acks_failed"), "the firehose reports acks_failed: " + report);
      assertAll(summary,
          () -> assertEquals(FAIL_FIRST_ACKS, report.get("acks_failed").asLong(),
              "Acknowledge calls the fault failed (the connector must send at least "
                  + FAIL_FIRST_ACKS + ")"),
          () -> assertEquals(MESSAGES, report.get("acked_once").asLong(), "messages acked once"),
          () -> assertEquals(0, report.get("acked_more_than_once").asLong(),
              "messages acked more than once"),
          () -> assertEquals(0, report.get("never_acked").asLong(), "messages never acked"),
          () -> assertEquals(MESSAGES, seen.size(), "distinct messages Spark read"),
          () -> assertEquals(0, duplicates, "messages Spark read more than once (every batch "
              + "committed)"),
          () -> assertTrue(failures > 0, "the ack_failures task metric ('" + ackFailures
              + "') sums to " + failures + ", expected > 0"));
    } finally {
      spark.sparkContext().removeSparkListener(metrics);
    }
  }
}
