package io.pubsubnative.it;

import org.apache.spark.api.java.function.VoidFunction2;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.Trigger;

/**
 * Run in a child JVM by {@link ReplayableBatchesIT}: reads a subscription with
 * {@code replayLog=checkpoint} (AvailableNow) into a sink idempotent by batch id (Parquet under
 * {@code out/batch=<id>}, overwritten), and halts the JVM right after the sink wrote batch
 * {@code haltBatch}: the sink has that batch, the commit log does not.
 *
 * <p>Args: emulatorHostPort subscriptionPath checkpointDir outDir haltBatch maxMessagesPerTrigger
 * maxOutstandingMessages
 */
public final class HaltAfterSinkMain {
  static final String HALTING = "HaltAfterSinkMain: halting after the write of batch ";

  private HaltAfterSinkMain() {}

  public static void main(String[] args) throws Exception {
    String hostPort = args[0];
    String subscription = args[1];
    String checkpoint = args[2];
    String outDir = args[3];
    long haltBatch = Long.parseLong(args[4]);
    String maxPerTrigger = args[5];
    String maxOutstanding = args[6];
    SparkSession spark = SparkSession.builder()
        .master("local[2]")
        .appName("pubsub-halt-after-sink")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .getOrCreate();
    StreamingQuery q = spark.readStream().format("pubsub")
        .option("subscriptionId", subscription)
        .option("emulatorHost", hostPort)
        .option("parallelism", "2")
        .option("replayLog", "checkpoint")
        .option("maxMessagesPerTrigger", maxPerTrigger)
        .option("maxOutstandingMessages", maxOutstanding)
        // The emulator keeps a StreamingPull stream whose client died registered and goes on
        // delivering to it; each message it hands that stream stays leased for the stream's ack
        // deadline. 10 s (not the default 60 s) keeps that detour short for the restart.
        .option("maxAckExtensionSeconds", "10")
        .load()
        .writeStream()
        .option("checkpointLocation", checkpoint)
        .trigger(Trigger.AvailableNow())
        .foreachBatch((VoidFunction2<Dataset<Row>, Long>) (df, batchId) -> {
          df.write().mode(SaveMode.Overwrite).parquet(outDir + "/batch=" + batchId);
          System.out.println("HaltAfterSinkMain: wrote batch " + batchId);
          if (batchId == haltBatch) {
            System.out.println(HALTING + batchId);
            System.out.flush();
            Runtime.getRuntime().halt(1);
          }
        })
        .start();
    boolean ended = q.awaitTermination(120_000);
    System.out.println("HaltAfterSinkMain: the query ended without reaching batch " + haltBatch
        + " (terminated: " + ended + ")");
    System.out.flush();
    Runtime.getRuntime().halt(ended ? 0 : 3);
  }
}
