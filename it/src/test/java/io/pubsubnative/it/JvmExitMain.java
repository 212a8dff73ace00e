package io.pubsubnative.it;

import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.Trigger;

/**
 * Run in a child JVM by {@link NativeLifecycleIT}: reads a subscription once with AvailableNow,
 * stops the query and returns from main without calling System.exit or SparkSession.stop. The
 * JVM must then exit by itself (no non-daemon native threads left behind).
 *
 * <p>Args: emulatorHostPort subscriptionPath checkpointDir
 */
public final class JvmExitMain {
  private JvmExitMain() {}

  public static void main(String[] args) throws Exception {
    String hostPort = args[0];
    String subscription = args[1];
    String checkpoint = args[2];
    SparkSession spark = SparkSession.builder()
        .master("local[2]")
        .appName("pubsub-jvm-exit")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .getOrCreate();
    long[] rows = new long[1];
    StreamingQuery q = spark.readStream().format("pubsub")
        .option("subscriptionId", subscription)
        .option("emulatorHost", hostPort)
        .option("parallelism", "2")
        .load()
        .writeStream()
        .option("checkpointLocation", checkpoint)
        .trigger(Trigger.AvailableNow())
        .foreachBatch((org.apache.spark.api.java.function.VoidFunction2<org.apache.spark.sql.Dataset<org.apache.spark.sql.Row>, Long>) (df, id) -> {
          rows[0] += df.count();
        })
        .start();
    if (!q.awaitTermination(60_000)) {
      q.stop();
    }
    System.out.println("JvmExitMain: rows=" + rows[0]);
    // tell the parent which non-daemon threads are still alive (diagnostics if the JVM hangs)
    for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
      Thread t = e.getKey();
      if (!t.isDaemon() && t != Thread.currentThread() && t.isAlive()) {
        System.out.println("JvmExitMain: non-daemon thread alive: " + t.getName());
      }
    }
    System.out.println("JvmExitMain: main returns");
  }
}
