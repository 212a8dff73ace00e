package io.pubsubnative.it;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pubsubnative.testkit.LocalPubSubEmulator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryProgress;
import org.apache.spark.sql.streaming.Trigger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Reads and writes with {@code credentials=<service-account key file>} that fail (an endpoint
 * nothing listens on) leave no key material anywhere a user or operator looks: exception messages
 * and stack traces, everything logged (Spark's INFO and the connector's DEBUG), query plans
 * ({@code explain}), streaming progress JSON, and the Spark event log (what the Spark UI and the
 * history server show). The key file is a copy of the native tests' key with a unique key id and
 * account, so that a hit cannot be a coincidence. The key file's path may appear; its content, the
 * signed token and the account may not.
 */
class CredentialsNeverLeakIT extends PubSubSparkITBase {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static Path eventLogDir;
  private static Path keyFile;
  private static List<String> secrets;
  private LogCapture logs;

  @BeforeAll
  static void sessionWithEventLogAndCanaryKey() throws IOException {
    eventLogDir = Files.createDirectories(tempDir.resolve("event-log"));
    spark.stop();
    spark = newSparkSession(Map.of("spark.eventLog.enabled", "true", "spark.eventLog.compress", "false",
        "spark.eventLog.dir", eventLogDir.toUri().toString()));
    String canary = UUID.randomUUID().toString().replace("-", "");
    ObjectNode key = (ObjectNode) JSON.readTree(LocalPubSubEmulator.findRepoRoot()
        .resolve("native/tests/data/service_account_test_key.json").toFile());
    key.put("private_key_id", "key-id-" + canary);
    key.put("client_email", "canary-" + canary + "@test-proj.iam.gserviceaccount.com");
    keyFile = tempDir.resolve("canary-service-account.json");
    Files.writeString(keyFile, JSON.writeValueAsString(key));
    secrets = secretsOf(key);
  }

  /** The key's lines, its id, its account, and what any signed token or header starts with. */
  private static List<String> secretsOf(ObjectNode key) {
    List<String> found = new ArrayList<>();
    for (String line : key.get("private_key").asText().split("\n")) {
      if (!line.isBlank() && !line.startsWith("-----")) {
        found.add(line.trim());
      }
    }
    found.add(key.get("private_key").asText());
    found.add(key.get("private_key_id").asText());
    found.add(key.get("client_email").asText());
    // base64url of '{"alg"', how every JWT the native auth signs begins
    found.add("eyJhbGciOi");
    found.add("Bearer ");
    return found;
  }

  @AfterAll
  static void deleteKey() throws IOException {
    Files.deleteIfExists(keyFile);
  }

  @BeforeEach
  void captureLogs() {
    logs = new LogCapture();
  }

  @AfterEach
  void stopCapture() {
    logs.close();
  }

  private static String closedTlsEndpoint() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return "https://127.0.0.1:" + s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void assertNoSecret(String what, String text) {
    assertFalse(text.isBlank(), what + " is empty: the test looked at nothing");
    for (int i = 0; i < secrets.size(); i++) {
      int at = text.indexOf(secrets.get(i));
      if (at >= 0) {
        // The report names the secret by number and shows its surroundings with the secret cut out.
        String around = text.substring(Math.max(0, at - 300), Math.min(text.length(), at + 300));
        for (String secret : secrets) {
          around = around.replace(secret, "<secret>");
        }
        fail(what + " shows key material (secret #" + i + ") at " + at + ":\n" + around);
      }
    }
  }

  /** The messages and full stack trace of {@code t} and its causes. */
  private static String traceOf(Throwable t) {
    StringWriter out = new StringWriter();
    t.printStackTrace(new PrintWriter(out));
    return allMessages(t) + out;
  }

  /** What {@code action} prints through Scala's Console (explain output). */
  private static String printed(Runnable action) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    scala.Console.withOut(new PrintStream(out, true, StandardCharsets.UTF_8), () -> {
      action.run();
      return null;
    });
    return out.toString(StandardCharsets.UTF_8);
  }

  private static String progressOf(StreamingQuery q) {
    StringBuilder json = new StringBuilder();
    for (StreamingQueryProgress p : q.recentProgress()) {
      json.append(p.prettyJson()).append('\n');
    }
    return json.toString();
  }

  /** The event log written so far (every file under the log dir), once Spark's listeners caught up. */
  private static String eventLog() throws Exception {
    spark.sparkContext().listenerBus().waitUntilEmpty();
    StringBuilder all = new StringBuilder();
    try (Stream<Path> files = Files.walk(eventLogDir)) {
      // Hadoop's local file system writes a binary .crc file next to each log
      for (Path file : files.filter(f -> Files.isRegularFile(f) && !f.toString().endsWith(".crc")).toList()) {
        all.append(Files.readString(file, StandardCharsets.UTF_8));
      }
    }
    return all.toString();
  }

  /** The logs and the event log of the test so far, which must show {@code expected}. */
  private void assertLogsShowNoSecret(String expected) throws Exception {
    String log = logs.text();
    assertTrue(log.contains(expected), "the log does not show '" + expected + "'");
    assertNoSecret("the log", log);
    String events = eventLog();
    assertTrue(events.contains("SparkListenerSQLExecutionStart"), "no SQL execution in the event log");
    assertNoSecret("the event log", events);
    System.out.printf("CredentialsNeverLeakIT: no key material in %,d chars of log and %,d chars of event "
        + "log; the key file's path appears in the log: %b, in the event log: %b%n", log.length(),
        events.length(), log.contains(keyFile.toString()), events.contains(keyFile.toString()));
  }

  @Test
  void aReadWithCredentialsThatCannotConnectShowsNoKeyMaterial() throws Exception {
    Throwable atLoad = assertThrows(Exception.class, () -> spark.readStream().format("pubsub")
        .option("subscriptionId", fx.subscriptionPath(unique("creds-sub")))
        .option("endpoint", closedTlsEndpoint())
        .option("credentials", keyFile.toString())
        .load());
    assertNoSecret("the load() error", traceOf(atLoad));
    TopicAndSubscription live = freshSubscription("creds", 10);
    Dataset<Row> stream = pubsub(live.sub()).option("credentials", keyFile.toString()).load();
    assertNoSecret("the stream's plan", printed(() -> stream.explain(true)));

    // Explaining this stream would look its subscription up again, on an emulator that is gone.
    GoneEndpoint gone = loadThenStopEmulator(Map.of("credentials", keyFile.toString(),
        "unreachableTimeoutMs", "5000", "parallelism", "1"));
    StreamingQuery q = gone.stream().writeStream()
        .option("checkpointLocation", checkpoint(unique("creds-read")))
        .trigger(Trigger.ProcessingTime(500))
        .foreachBatch((BatchFn) (df, batchId) -> df.count())
        .start();
    awaitTrue("the first micro-batch", Duration.ofSeconds(60), () -> q.lastProgress() != null);
    assertNoSecret("the running query's plan", printed(() -> q.explain(true)));
    Throwable failure = assertThrows(Exception.class, () -> q.awaitTermination(60_000));
    assertNoSecret("the query's failure", traceOf(failure));
    assertNoSecret("the query's progress", progressOf(q));
    assertLogsShowNoSecret("unreachableTimeoutMs");
  }

  @Test
  void writesWithCredentialsThatCannotConnectShowNoKeyMaterial() throws Exception {
    // Rows naming their topic: no driver-side check, so the executors load the key, sign tokens
    // and retry their Publish requests until publishTimeoutMs runs out.
    Map<String, String> options = Map.of("endpoint", closedTlsEndpoint(),
        "credentials", keyFile.toString(), "publishTimeoutMs", "2000");
    String topic = "projects/" + PROJECT + "/topics/" + unique("creds-topic");
    Dataset<Row> rows = spark.range(10).selectExpr("CAST(CAST(id AS STRING) AS BINARY) AS payload",
        "'" + topic + "' AS topic");
    Throwable batch = assertThrows(Exception.class,
        () -> rows.write().format("pubsub").mode("append").options(options).save());
    assertTrue(allMessages(batch).contains("Publish to topic '" + topic + "' failed"), allMessages(batch));
    assertNoSecret("the batch write's failure", traceOf(batch));

    StreamingQuery q = spark.readStream().format("rate").option("rowsPerSecond", "10").load()
        .selectExpr("CAST(CAST(value AS STRING) AS BINARY) AS payload", "'" + topic + "' AS topic")
        .writeStream().format("pubsub").options(options)
        .option("checkpointLocation", checkpoint(unique("creds-write")))
        .start();
    Throwable failure = assertThrows(Exception.class, () -> q.awaitTermination(60_000));
    assertNoSecret("the streaming write's failure", traceOf(failure));
    assertNoSecret("the streaming write's plan", printed(() -> q.explain(true)));
    String progress = progressOf(q);
    if (!progress.isEmpty()) {
      assertNoSecret("the streaming write's progress", progress);
    }
    assertLogsShowNoSecret("Publish to topic '" + topic + "' failed");
  }
}
