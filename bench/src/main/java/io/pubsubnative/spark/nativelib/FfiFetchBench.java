package io.pubsubnative.spark.nativelib;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.arrow.c.ArrowArray;
import org.apache.arrow.c.ArrowSchema;
import org.apache.arrow.c.Data;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Times the JNI/Arrow boundary of the read path: one {@code NativeBridge.fetch} of a batch that is
 * already buffered natively, plus {@code Data.importVectorSchemaRoot}, plus closing the imported
 * root (which fires the Rust release callback). Lives in the connector's package because
 * {@link NativeBridge} is package-private; it uses the bridge exactly as docs/architecture.md
 * describes and nothing else of the connector.
 *
 * <p>Procedure: open one native session per subscription, wait until each has ingested its
 * expected messages (metrics[0]), take the first batch as a template and warm the JIT on the Java
 * import path by exporting/importing that template in a loop (no native calls), then time every
 * further fetch. The last iterations of the warm-up are timed as a reference: import + close of a
 * batch with the same layout exported by arrow-java itself (the Java-side floor of the boundary). Only fetches that returned exactly {@code batchRows} rows from a buffer that held
 * at least that many count as samples.
 */
public final class FfiFetchBench {

  /** Per-sample nanoseconds: total = fetch + import + close. */
  public record Result(
      int sessions,
      long ingested,
      long[] totalNs,
      long[] fetchNs,
      long[] importNs,
      long[] closeNs,
      int skippedPartial,
      long prefillMillis,
      int javaWarmupIterations,
      long allocatorLeakBytes,
      long nativeAllocatedAfterClose,
      List<String> errors,
      long[] javaOnlyImportCloseNs) {

    public String describe() {
      return String.format(Locale.ROOT, "%d samples over %d sessions (%d partial batches skipped)",
          totalNs.length, sessions, skippedPartial);
    }
  }

  private FfiFetchBench() { }

  public static String sessionConfig(String subscription, String emulatorHost) {
    // Flow control large enough to buffer everything.
    return sessionConfig(subscription, emulatorHost, 1_000_000);
  }

  /** The same with flow control of {@code maxOutstandingMessages} messages. */
  public static String sessionConfig(String subscription, String emulatorHost, long maxOutstandingMessages) {
    // Keys of docs/architecture.md "Session config JSON".
    return "{"
        + "\"subscription\":\"" + subscription + "\","
        + "\"endpoint\":\"https://pubsub.googleapis.com\","
        + "\"emulator_host\":\"" + emulatorHost + "\","
        + "\"credentials_path\":null,"
        + "\"max_outstanding_messages\":" + maxOutstandingMessages + ","
        + "\"max_outstanding_bytes\":2147483648,"
        + "\"max_ack_extension_seconds\":3600,"
        + "\"connect_timeout_ms\":10000"
        + "}";
  }

  /** Bytes the native library currently has allocated (its counting allocator). */
  public static long nativeAllocatedBytes() {
    NativeLoader.ensureLoaded();
    return NativeBridge.allocatedBytes();
  }

  public static Result run(String emulatorHost, List<String> subscriptions, long expectedPerSession,
                           int batchRows, long prefillTimeoutMs, int javaWarmupIterations) throws InterruptedException {
    NativeLoader.ensureLoaded();
    long[] handles = new long[subscriptions.size()];
    List<Long> total = new ArrayList<>();
    List<Long> fetch = new ArrayList<>();
    List<Long> imp = new ArrayList<>();
    List<Long> close = new ArrayList<>();
    int skipped = 0;
    long ingestedAll = 0;
    long prefillMillis;
    long leak;
    List<String> errors = new ArrayList<>();
    List<Long> javaOnly = new ArrayList<>();
    try (BufferAllocator allocator = new RootAllocator()) {
      try {
        for (int i = 0; i < handles.length; i++) {
          handles[i] = NativeBridge.openSubscriber(sessionConfig(subscriptions.get(i), emulatorHost));
        }
        // Prefill: wait until every session has buffered what was published (or the timeout).
        long t0 = System.nanoTime();
        long deadline = t0 + prefillTimeoutMs * 1_000_000L;
        while (true) {
          boolean all = true;
          for (long h : handles) {
            if (NativeBridge.metrics(h)[0] < expectedPerSession) {
              all = false;
            }
          }
          if (all || System.nanoTime() > deadline) {
            break;
          }
          Thread.sleep(20);
        }
        prefillMillis = (System.nanoTime() - t0) / 1_000_000L;
        // Let in-flight responses settle so "ingested" is stable while we time.
        Thread.sleep(200);

        long[] ingested = new long[handles.length];
        long[] taken = new long[handles.length];
        for (int i = 0; i < handles.length; i++) {
          ingested[i] = NativeBridge.metrics(handles[i])[0];
          ingestedAll += ingested[i];
        }

        long batchId = 0;
        // Template batch for warming the Java import path without native calls.
        VectorSchemaRoot template = null;
        try (ArrowArray arr = ArrowArray.allocateNew(allocator);
             ArrowSchema sch = ArrowSchema.allocateNew(allocator)) {
          int n = NativeBridge.fetch(handles[0], batchId++, batchRows, 1L << 30, 1000,
              arr.memoryAddress(), sch.memoryAddress());
          if (n <= 0) {
            throw new IllegalStateException("no message buffered after " + prefillMillis
                + " ms of prefill; ingested per session: " + Arrays.toString(ingested));
          }
          taken[0] += n;
          template = Data.importVectorSchemaRoot(allocator, arr, sch, null);
        }
        try {
          int timedFrom = javaWarmupIterations - Math.min(5000, javaWarmupIterations / 2);
          for (int k = 0; k < javaWarmupIterations; k++) {
            try (ArrowArray arr = ArrowArray.allocateNew(allocator);
                 ArrowSchema sch = ArrowSchema.allocateNew(allocator)) {
              Data.exportVectorSchemaRoot(allocator, template, null, arr, sch);
              long a = System.nanoTime();
              VectorSchemaRoot r = Data.importVectorSchemaRoot(allocator, arr, sch, null);
              r.close();
              long b = System.nanoTime();
              if (k >= timedFrom) {
                javaOnly.add(b - a);
              }
            }
          }
        } finally {
          template.close();
        }

        // Timed native fetches: only from a buffer holding at least batchRows messages.
        for (int i = 0; i < handles.length; i++) {
          long h = handles[i];
          while (ingested[i] - taken[i] >= batchRows) {
            ArrowArray arr = ArrowArray.allocateNew(allocator);
            ArrowSchema sch = ArrowSchema.allocateNew(allocator);
            long addrA = arr.memoryAddress();
            long addrS = sch.memoryAddress();
            long a = System.nanoTime();
            int n = NativeBridge.fetch(h, batchId++, batchRows, 1L << 30, 0, addrA, addrS);
            long b = System.nanoTime();
            if (n == 0) {
              arr.close();
              sch.close();
              break;
            }
            VectorSchemaRoot root = Data.importVectorSchemaRoot(allocator, arr, sch, null);
            long c = System.nanoTime();
            int rows = root.getRowCount();
            root.close();
            long d = System.nanoTime();
            arr.close();
            sch.close();
            taken[i] += n;
            if (n == batchRows && rows == batchRows) {
              total.add(d - a);
              fetch.add(b - a);
              imp.add(c - b);
              close.add(d - c);
            } else {
              skipped++;
            }
          }
        }
      } finally {
        for (long h : handles) {
          if (h != 0) {
            try {
              NativeBridge.closeSubscriber(h);
            } catch (RuntimeException e) {
              // Report, do not lose the measurements taken.
              errors.add("closeSubscriber: " + e.getMessage());
            }
          }
        }
      }
      leak = allocator.getAllocatedMemory();
    }
    return new Result(handles.length, ingestedAll, toArray(total), toArray(fetch), toArray(imp), toArray(close),
        skipped, prefillMillis, javaWarmupIterations, leak, NativeBridge.allocatedBytes(), errors,
        toArray(javaOnly));
  }

  private static long[] toArray(List<Long> xs) {
    long[] a = new long[xs.size()];
    for (int i = 0; i < a.length; i++) {
      a[i] = xs.get(i);
    }
    return a;
  }
}
