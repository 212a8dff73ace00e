package io.pubsubnative.testkit;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.scheduler.AccumulableInfo;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import scala.jdk.javaapi.CollectionConverters;

/**
 * A Spark listener that sums the tasks' accumulator updates by name. A connector's custom task
 * metrics are accumulators named after the metric's description, so this reads them without the UI.
 * Listener events arrive asynchronously: use {@link #awaitAtLeast} after a job.
 */
public final class TaskMetricSums extends SparkListener {
  private final Map<String, AtomicLong> sums = new ConcurrentHashMap<>();

  @Override
  public void onTaskEnd(SparkListenerTaskEnd taskEnd) {
    for (AccumulableInfo a : CollectionConverters.asJava(taskEnd.taskInfo().accumulables())) {
      if (a.name().isDefined() && a.update().isDefined() && a.update().get() instanceof Long v) {
        sums.computeIfAbsent(a.name().get(), k -> new AtomicLong()).addAndGet(v);
      }
    }
  }

  /** The sum so far of the accumulator (metric description) {@code name}; 0 if none was seen. */
  public long get(String name) {
    AtomicLong v = sums.get(name);
    return v == null ? 0 : v.get();
  }

  /** Waits until {@code get(name) >= atLeast} or {@code timeout} passed; returns the sum then. */
  public long awaitAtLeast(String name, long atLeast, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (get(name) < atLeast && System.nanoTime() < deadline) {
      try {
        TimeUnit.MILLISECONDS.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    return get(name);
  }
}
