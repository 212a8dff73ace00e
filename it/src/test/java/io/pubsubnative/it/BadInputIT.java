package io.pubsubnative.it;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.streaming.DataStreamReader;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.Trigger;
import org.junit.jupiter.api.Test;

/** Bad options fail fast (at load() or start()) with a message naming the option and value. */
class BadInputIT extends PubSubSparkITBase {
  private static final Duration FAST = Duration.ofSeconds(30);

  /** Builds, starts and briefly runs a query; returns the first failure, whichever stage throws. */
  /** Where the last {@link #failureOf} failed: "load", "start" or "run" (asynchronously, in the query). */
  private static volatile String lastStage;

  private static Throwable failureOf(Map<String, String> options) {
    return assertTimeoutPreemptively(FAST, () -> assertThrows(Throwable.class, () -> {
      DataStreamReader r = spark.readStream().format("pubsub");
      for (Map.Entry<String, String> e : options.entrySet()) {
        r = r.option(e.getKey(), e.getValue());
      }
      lastStage = "load";
      org.apache.spark.sql.Dataset<org.apache.spark.sql.Row> stream = r.load();
      lastStage = "start";
      StreamingQuery q = stream.writeStream()
          .option("checkpointLocation", checkpoint(unique("bad")))
          .trigger(Trigger.AvailableNow())
          .foreachBatch((BatchFn) (df, id) -> df.count())
          .start();
      lastStage = "run";
      try {
        if (q.awaitTermination(FAST.toMillis() - 5_000)) {
          fail("query with options " + options + " ran to the end without an error");
        }
        fail("query with options " + options + " neither failed nor ended");
      } finally {
        q.stop();
      }
    }), "options " + options + " did not fail within " + FAST);
  }

  private static void assertMentions(Throwable t, String... fragments) {
    String all = allMessages(t);
    for (String f : fragments) {
      assertTrue(all.toLowerCase(Locale.ROOT).contains(f.toLowerCase(Locale.ROOT)),
          "error does not mention '" + f + "':\n" + all);
    }
  }

  private String existingSubscription() {
    TopicAndSubscription names = freshSubscription("bad", 10);
    String topic = names.topic();
    String sub = names.sub();
    return fx.subscriptionPath(sub);
  }

  @Test
  void missingSubscriptionIdFails() {
    Throwable t = failureOf(Map.of("emulatorHost", emu.hostPort()));
    assertMentions(t, "subscriptionId");
  }

  @Test
  void malformedSubscriptionPathFails() {
    Throwable t = failureOf(Map.of("subscriptionId", "projects//subs", "emulatorHost", emu.hostPort()));
    assertMentions(t, "subscriptionId", "projects//subs");
  }

  @Test
  void subscriptionThatDoesNotExistFailsAtStart() {
    String missing = "projects/test-proj/subscriptions/" + unique("no-such-sub");
    Throwable t = failureOf(Map.of("subscriptionId", missing, "emulatorHost", emu.hostPort()));
    assertMentions(t, missing);
    assertTrue(!"run".equals(lastStage), "a missing subscription must fail at load() or start(), "
        + "not later inside the running query:\n" + allMessages(t));
  }

  @Test
  void parallelismZeroNegativeAndNonNumericFail() {
    String sub = existingSubscription();
    for (String bad : new String[] {"0", "-1", "abc"}) {
      Throwable t = failureOf(Map.of("subscriptionId", sub, "emulatorHost", emu.hostPort(),
          "parallelism", bad));
      assertMentions(t, "parallelism", "'" + bad + "'");
    }
  }

  @Test
  void batchSizeZeroFails() {
    String sub = existingSubscription();
    Throwable t = failureOf(Map.of("subscriptionId", sub, "emulatorHost", emu.hostPort(),
        "batchSize", "0"));
    assertMentions(t, "batchSize", "'0'");
  }

  @Test
  void unknownFormatFails() {
    String sub = existingSubscription();
    Throwable t = failureOf(Map.of("subscriptionId", sub, "emulatorHost", emu.hostPort(),
        "format", "xml"));
    assertMentions(t, "format", "xml");
  }

  @Test
  void unreachableEmulatorHostFailsWithinThirtySeconds() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    String host = "127.0.0.1:" + port;
    long t0 = System.nanoTime();
    Throwable t = failureOf(Map.of("subscriptionId", "projects/test-proj/subscriptions/unreachable-sub",
        "emulatorHost", host));
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertMentions(t, host);
    assertTrue(ms < 30_000, "took " + ms + " ms");
  }

  @Test
  void credentialsFileThatDoesNotExistFails() {
    String path = tempDir.resolve("no-such-dir").resolve("service-account.json").toString();
    Throwable t = failureOf(Map.of("subscriptionId", "projects/test-proj/subscriptions/creds-sub",
        "credentials", path));
    assertMentions(t, "credentials", path);
  }
}
