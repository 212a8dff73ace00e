package io.pubsubnative.bench;

import io.pubsubnative.spark.nativelib.FfiFetchBench;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;

/**
 * CPU ({@code OperatingSystemMXBean.getProcessCpuTime}), GC and heap of this process over one
 * benchmark run, and optionally the native library's peak allocation (sampled every 10 ms).
 */
final class Probe {
  private static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  record Sample(double seconds, double cpuSeconds, long gcMillis, long gcCount, long peakHeapBytes,
                long nativePeakBytes) { }

  private final long t0;
  private final long cpu0;
  private final long gcMs0;
  private final long gcN0;
  private final NativeSampler sampler;

  private Probe(boolean sampleNative, boolean fresh) {
    if (fresh) {
      System.gc();
      for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
        if (pool.getType() == MemoryType.HEAP) {
          pool.resetPeakUsage();
        }
      }
    }
    long ms = 0;
    long n = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      ms += Math.max(0, gc.getCollectionTime());
      n += Math.max(0, gc.getCollectionCount());
    }
    this.gcMs0 = ms;
    this.gcN0 = n;
    this.sampler = sampleNative ? new NativeSampler() : null;
    this.cpu0 = OS.getProcessCpuTime();
    this.t0 = System.nanoTime();
  }

  static Probe start(boolean sampleNative) {
    return new Probe(sampleNative, true);
  }

  /**
   * A probe that starts now, in the middle of a run: no full GC first, and the heap peak is not reset,
   * so its peak heap is the one since the last {@link #start} (as peak RSS is the process's).
   */
  static Probe startWithoutGc() {
    return new Probe(false, false);
  }

  /**
   * The heap still in use after a full GC: what the process retains, as opposed to a peak, which
   * follows how far the collector lets garbage pile up.
   */
  static long liveHeapBytes() {
    System.gc();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private Sample result;

  synchronized Sample stop() {
    if (result != null) {
      return result;
    }
    long t1 = System.nanoTime();
    long cpu1 = OS.getProcessCpuTime();
    long ms = 0;
    long n = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      ms += Math.max(0, gc.getCollectionTime());
      n += Math.max(0, gc.getCollectionCount());
    }
    long peak = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) {
        peak += pool.getPeakUsage().getUsed();
      }
    }
    long nativePeak = sampler == null ? -1 : sampler.stop();
    result = new Sample((t1 - t0) / 1e9, (cpu1 - cpu0) / 1e9, ms - gcMs0, n - gcN0, peak, nativePeak);
    return result;
  }

  /** Samples the native library's allocated bytes every 10 ms (the connector side only). */
  private static final class NativeSampler implements Runnable {
    private final Thread thread;
    private volatile boolean running = true;
    private volatile long peak;

    NativeSampler() {
      thread = new Thread(this, "native-mem-sampler");
      thread.setDaemon(true);
      thread.start();
    }

    @Override public void run() {
      while (running) {
        try {
          long v = FfiFetchBench.nativeAllocatedBytes();
          if (v > peak) {
            peak = v;
          }
          Thread.sleep(10);
        } catch (InterruptedException e) {
          return;
        } catch (RuntimeException e) {
          peak = -1;
          return;
        }
      }
    }

    long stop() {
      running = false;
      try {
        thread.join(1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return peak;
    }
  }
}
