package io.pubsubnative.bench;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.length;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.DataStreamWriter;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryListener;
import org.apache.spark.sql.streaming.StreamingQueryListener.QueryIdleEvent;
import org.apache.spark.sql.streaming.StreamingQueryListener.QueryProgressEvent;
import org.apache.spark.sql.streaming.StreamingQueryListener.QueryStartedEvent;
import org.apache.spark.sql.streaming.StreamingQueryListener.QueryTerminatedEvent;
import org.apache.spark.sql.streaming.Trigger;

import io.pubsubnative.spark.metrics.ReplayLogBytesMetric;
import io.pubsubnative.testkit.TaskMetricSums;

/**
 * One end-to-end Spark read of benchmark (b), in its own JVM: {@code local[2]}, the connector reading
 * the firehose with {@code Trigger.AvailableNow}, either {@code count(*)} and
 * {@code sum(length(payload))} into the {@code noop} sink, or the rows into Parquet. Prints one JSON
 * line (see {@link DrainResult}) measured from query start to its termination, with, under
 * {@code "warm"}, the same from the end of the micro-batch that completed half the messages.
 */
public final class SparkFirehoseRead {

    private SparkFirehoseRead() {
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> a = new HashMap<>(Map.of("subscription", "", "host", "", "messages", "0", "size", "0",
                "sink", "noop", "master", "local[2]", "read-options", ""));
        BenchArgs.apply(argv, a, "SparkFirehoseRead");
        String sink = a.get("sink");
        long messages = Long.parseLong(a.get("messages"));
        int size = Integer.parseInt(a.get("size"));
        Path work = Files.createTempDirectory("spark-firehose-read");
        SparkSession spark = BenchEnvironment.localSpark("spark-firehose-read", a.get("master"));
        ReadEmulatorBench.RowCounter counter = new ReadEmulatorBench.RowCounter();
        spark.streams().addListener(counter);
        TaskMetricSums taskMetrics = new TaskMetricSums();
        spark.sparkContext().addSparkListener(taskMetrics);
        SecondHalf secondHalf = new SecondHalf(messages / 2);
        spark.streams().addListener(secondHalf);
        Probe probe = Probe.start(false);
        Dataset<Row> messagesRead = spark.readStream().format("pubsub")
                .option("subscriptionId", a.get("subscription"))
                .option("emulatorHost", a.get("host"))
                .options(readOptions(a.get("read-options")))
                .load();
        DataStreamWriter<Row> writer = sink.equals("parquet")
                ? messagesRead.select("message_id", "publish_time", "attributes", "payload").writeStream()
                        .format("parquet").option("path", work.resolve("out").toString())
                : messagesRead.agg(count(lit(1)), sum(length(col("payload")))).writeStream()
                        .outputMode("complete").format("noop");
        StreamingQuery query = writer.option("checkpointLocation", work.resolve("checkpoint").toString())
                .trigger(Trigger.AvailableNow()).start();
        query.awaitTermination();
        long rows = counter.rows(query.id().toString());
        DrainResult result = DrainResult.of("spark-" + sink, rows, rows * size, probe);
        long warmRows = rows - secondHalf.rowsBefore;
        if (secondHalf.probe != null && warmRows > 0) {
            result = result.withWarm(DrainResult.of("spark-" + sink, warmRows, warmRows * size, secondHalf.probe));
        }
        result = result.withLiveHeap(Probe.liveHeapBytes())
                .withReplayLogBytes(taskMetrics.get(new ReplayLogBytesMetric().description()));
        spark.stop();
        if (rows != messages) {
            throw new IllegalStateException("read " + rows + " rows, expected " + messages);
        }
        System.out.println(result.toJson());
    }

    /** Starts a probe at the first progress event by which {@code half} rows were read. */
    private static final class SecondHalf extends StreamingQueryListener {
        private final long half;
        private long rows;
        private volatile long rowsBefore;
        private volatile Probe probe;

        SecondHalf(long half) {
            this.half = half;
        }

        @Override
        public void onQueryProgress(QueryProgressEvent event) {
            rows += event.progress().numInputRows();
            if (probe == null && rows >= half) {
                rowsBefore = rows;
                probe = Probe.startWithoutGc();
            }
        }

        @Override
        public void onQueryStarted(QueryStartedEvent event) {
        }

        @Override
        public void onQueryIdle(QueryIdleEvent event) {
        }

        @Override
        public void onQueryTerminated(QueryTerminatedEvent event) {
        }
    }

    /** {@code "k=v,k=v"} as source options; empty for the defaults. */
    static Map<String, String> readOptions(String spec) {
        Map<String, String> options = new HashMap<>();
        for (String pair : spec.split(",")) {
            if (pair.isBlank()) {
                continue;
            }
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--read-options takes k=v pairs separated by commas, got '"
                        + pair + "'");
            }
            options.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
        }
        return options;
    }
}
