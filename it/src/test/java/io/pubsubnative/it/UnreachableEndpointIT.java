package io.pubsubnative.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pubsubnative.spark.nativelib.PubSubRpcException;
import java.util.Map;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryException;
import org.apache.spark.sql.streaming.Trigger;
import org.junit.jupiter.api.Test;

/**
 * Executors that can never reach the endpoint: the driver's check at {@code load()} passes against
 * an emulator that is then stopped, so every reader task's stream fails to connect (nothing listens
 * on the port any more). The query must fail within {@code unreachableTimeoutMs}, naming the
 * endpoint and the last gRPC status, instead of running empty batches forever; under AvailableNow
 * it must not end "drained" with nothing read.
 */
class UnreachableEndpointIT extends PubSubSparkITBase {
  private static final long UNREACHABLE_TIMEOUT_MS = 10_000;
  /** Scheduling, the first batch's planning and the task's last fetch, on a loaded machine. */
  private static final long SLACK_MS = 20_000;

  private static GoneEndpoint streamWhoseEmulatorIsGone() {
    return loadThenStopEmulator(Map.of("parallelism", "2",
        "unreachableTimeoutMs", Long.toString(UNREACHABLE_TIMEOUT_MS)));
  }

  /** How a query on a {@link GoneEndpoint} stream ended: its failure, after how long. */
  private record Failure(StreamingQueryException error, long ms) {
  }

  /** Runs the stream into {@code rows} until it fails; fails the test if it ends or runs on. */
  private static Failure runUntilFailure(GoneEndpoint doomed, Trigger trigger, Collector rows)
      throws Exception {
    long t0 = System.nanoTime();
    StreamingQuery q = doomed.stream().writeStream()
        .option("checkpointLocation", checkpoint(unique("unreachable")))
        .trigger(trigger)
        .foreachBatch((BatchFn) (df, batchId) -> rows.add(df, batchId))
        .start();
    long bound = UNREACHABLE_TIMEOUT_MS + SLACK_MS;
    StreamingQueryException error = assertThrows(StreamingQueryException.class, () -> {
      if (q.awaitTermination(bound)) {
        throw new AssertionError("the query ended without an error after reading " + rows.size()
            + " rows in batches " + rows.batchIds + ": an unreachable endpoint passed for drained");
      }
      q.stop();
      throw new AssertionError("the query neither failed nor ended within " + bound + " ms, batches "
          + rows.batchIds);
    });
    long ms = (System.nanoTime() - t0) / 1_000_000;
    System.out.printf("UnreachableEndpointIT %s: the query failed %d ms after start() "
        + "(unreachableTimeoutMs %d)%n", trigger, ms, UNREACHABLE_TIMEOUT_MS);
    return new Failure(error, ms);
  }

  /** The failure names the endpoint, the option and the last status, and carries that status. */
  private static void assertNamesEndpointStatusAndOption(Throwable t, String hostPort) {
    String all = allMessages(t);
    for (String fragment : new String[] {"http://" + hostPort, "last status Unavailable",
        "unreachableTimeoutMs is " + UNREACHABLE_TIMEOUT_MS}) {
      assertTrue(all.contains(fragment), "'" + fragment + "' missing from:\n" + all);
    }
    Throwable cause = t;
    while (cause != null && !(cause instanceof PubSubRpcException)) {
      cause = cause.getCause();
    }
    assertTrue(cause != null, "no PubSubRpcException among the causes:\n" + all);
    assertEquals("UNAVAILABLE", ((PubSubRpcException) cause).status(), all);
  }

  @Test
  void aQueryWhoseExecutorsCannotReachTheEndpointFailsWithinTheTimeoutNamingEndpointAndStatus()
      throws Exception {
    GoneEndpoint doomed = streamWhoseEmulatorIsGone();
    Collector rows = new Collector();
    Failure failure = runUntilFailure(doomed, Trigger.ProcessingTime(500), rows);
    assertNamesEndpointStatusAndOption(failure.error(), doomed.hostPort());
    assertTrue(failure.ms() >= UNREACHABLE_TIMEOUT_MS,
        "failed after " + failure.ms() + " ms, before the timeout");
    assertEquals(0, rows.size());
  }

  @Test
  void anAvailableNowQueryThatCannotConnectFailsInsteadOfReportingDrained() throws Exception {
    GoneEndpoint doomed = streamWhoseEmulatorIsGone();
    Collector rows = new Collector();
    Failure failure = runUntilFailure(doomed, Trigger.AvailableNow(), rows);
    assertNamesEndpointStatusAndOption(failure.error(), doomed.hostPort());
    assertEquals(0, rows.size());
  }
}
