package io.pubsubnative.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.pubsubnative.spark.nativelib.NativeDiagnostics;
import java.io.File;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.Trigger;
import org.junit.jupiter.api.Test;

/** Starting and stopping streams many times leaks neither native memory, sessions nor threads. */
class NativeLifecycleIT extends PubSubSparkITBase {
  private static final int CYCLES = Integer.getInteger("it.lifecycle.cycles", 50);
  private static final long BYTES_TOLERANCE = 1L << 20; // 1 MiB
  private static final int THREAD_TOLERANCE = 8;

  /**
   * Thread pools that grow lazily and are neither the connector's nor leaks: Spark's cached pools
   * (idle threads live 60 s) and the Google client's executors used by the test fixtures.
   */
  private static final String[] NOT_CONNECTOR = {"Gax-", "grpc-", "block-manager-",
      "map-output-dispatcher", "task-result-getter", "Executor task", "process reaper"};

  /** Live Java threads, without the lazily growing pools above. */
  private static int liveThreads() {
    int n = 0;
    outer:
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      for (String prefix : NOT_CONNECTOR) {
        if (t.getName().startsWith(prefix)) {
          continue outer;
        }
      }
      n++;
    }
    return n;
  }

  /** OS threads of this process that are not Java threads (JVM internals, native runtime threads). */
  private static int nonJavaThreads() {
    String[] tasks = new File("/proc/self/task").list();
    if (tasks == null) {
      return 0; // not Linux
    }
    return Math.max(0, tasks.length - ManagementFactory.getThreadMXBean().getThreadCount());
  }

  @Test
  void fiftyStartStopCyclesLeakNothing() throws Exception {
    TopicAndSubscription names = freshSubscription("life", 30);
    String topic = names.topic();
    String sub = names.sub();

    Set<String> published = new HashSet<>();
    Set<String> seen = new HashSet<>();
    long baselineBytes = -1;
    int baselineThreads = -1;
    int baselineNative = -1;
    for (int cycle = 0; cycle < CYCLES; cycle++) {
      published.addAll(fx.publish(topic, AckOnCommitIT.ints(cycle * 5, cycle * 5 + 5)));
      Collector c = new Collector();
      StreamingQuery q = collectInto(c, sub, checkpoint(sub + "-" + cycle), Trigger.AvailableNow());
      awaitTermination(q, Duration.ofSeconds(60));
      c.snapshot().forEach(m -> seen.add(m.messageId()));
      if (cycle == 0) {
        awaitSessionsClosed();
        System.gc();
        baselineBytes = NativeDiagnostics.allocatedBytes();
        baselineThreads = liveThreads();
        baselineNative = nonJavaThreads();
        System.out.println("NativeLifecycleIT baseline: native bytes=" + baselineBytes
            + " java threads=" + baselineThreads + " non-java threads=" + baselineNative);
      }
    }
    awaitSessionsClosed();
    final long bytesLimit = baselineBytes + BYTES_TOLERANCE;
    final int threadLimit = baselineThreads + THREAD_TOLERANCE;
    final int nativeLimit = baselineNative + THREAD_TOLERANCE;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    long bytes;
    int threads;
    int nativeThreads;
    do {
      System.gc();
      bytes = NativeDiagnostics.allocatedBytes();
      threads = liveThreads();
      nativeThreads = nonJavaThreads();
      if (bytes <= bytesLimit && threads <= threadLimit && nativeThreads <= nativeLimit) {
        break;
      }
      sleep(500);
    } while (System.nanoTime() < deadline);
    System.out.println("NativeLifecycleIT after " + CYCLES + " cycles: native bytes=" + bytes
        + " java threads=" + threads + " non-java threads=" + nativeThreads);
    assertTrue(bytes <= bytesLimit, "native memory grew from " + baselineBytes + " to " + bytes
        + " bytes over " + CYCLES + " start/stop cycles");
    assertTrue(threads <= threadLimit, "live threads grew from " + baselineThreads + " to "
        + threads + " over " + CYCLES + " cycles: " + threadNames());
    assertTrue(nativeThreads <= nativeLimit, "non-Java (native) threads grew from " + baselineNative
        + " to " + nativeThreads + " over " + CYCLES + " cycles");

    // every published message was read at least once by some cycle (read the rest now; a message
    // whose lease lapsed comes back after the 30 s ack deadline)
    Set<String> missing = new HashSet<>(published);
    missing.removeAll(seen);
    if (!missing.isEmpty()) {
      System.out.println("NativeLifecycleIT: " + missing.size() + " messages not read by the cycles");
      try {
        Collector rest = readUntil(sub, missing.size(), Duration.ofSeconds(90));
        rest.snapshot().forEach(m -> seen.add(m.messageId()));
      } catch (org.opentest4j.AssertionFailedError e) {
        // reported below
      }
    }
    missing.removeAll(seen);
    assertTrue(missing.isEmpty(), "messages never read: " + missing.size() + "; "
        + strandedReport(sub, missing, Duration.ofSeconds(40)));
  }

  private static void awaitSessionsClosed() {
    awaitTrue("native sessions to close (open: " + NativeDiagnostics.openSessionCount() + ")",
        Duration.ofSeconds(30), () -> NativeDiagnostics.openSessionCount() == 0);
  }

  private static String threadNames() {
    List<String> names = new ArrayList<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      names.add(t.getName() + (t.isDaemon() ? "" : "(non-daemon)"));
    }
    names.sort(null);
    return names.toString();
  }

  @Test
  void jvmExitsAfterMainReturns() throws Exception {
    TopicAndSubscription names = freshSubscription("exit", 30);
    String topic = names.topic();
    String sub = names.sub();
    fx.publish(topic, AckOnCommitIT.ints(0, 20));

    ChildJvm.Result child = ChildJvm.run(JvmExitMain.class,
        List.of(emu.hostPort(), fx.subscriptionPath(sub), checkpoint(sub)), tempDir, Duration.ofSeconds(60));
    if (child.timedOut()) {
      fail("child JVM did not exit within 60 s after main returned; output tail:\n" + child.tail());
    }
    assertEquals(0, child.exitCode(), "child JVM failed; output tail:\n" + child.tail());
    assertTrue(child.log().contains("JvmExitMain: main returns"), child.tail());
  }
}
