package io.pubsubnative.bench.jmh;

import io.pubsubnative.bench.FirehoseProcess;
import io.pubsubnative.spark.nativelib.BatchImporter;
import io.pubsubnative.spark.nativelib.FfiFetchBench;
import io.pubsubnative.spark.nativelib.SubscriberSession;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Benchmark (d), the FFI cost of the read path: one operation is {@code fetch} of a batch of
 * {@code rows} rows that are already buffered natively and its import into the reused vector of the
 * connector's {@link BatchImporter}, then releasing it (which fires the Rust release callback). Messages come from a firehose
 * (path in the system property {@code bench.firehose}); each fetched batch is nacked outside the
 * measured operation, so the firehose redelivers it and the supply never runs out. Before each
 * operation the session is given time to buffer a full batch, so the operation never waits for
 * the network. The session's flow control holds exactly one batch, so once it is buffered nothing
 * more arrives and the operation runs without the decoding of further messages competing for the
 * cores: it measures the FFI path, not the machine's load.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class FfiFetchJmh {

    private static final String SUBSCRIPTION = "projects/bench-proj/subscriptions/ffi-jmh";
    private static final long PREFILL_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);

    @Param({"1000", "10000"})
    public int rows;

    @Param({"1024"})
    public int size;

    private FirehoseProcess firehose;
    private SubscriberSession session;
    private BufferAllocator allocator;
    private BatchImporter importer;
    private long batchId;
    private int fetched;
    private long fetchedTotal;

    @Setup(Level.Trial)
    public void open() throws Exception {
        String binary = System.getProperty("bench.firehose");
        if (binary == null) {
            throw new IllegalStateException("set -Dbench.firehose=PATH of tools/firehose's binary");
        }
        firehose = FirehoseProcess.start(Path.of(binary), List.of("--messages", Integer.toString(rows * 20),
                "--size", Integer.toString(size), "--attributes", "2", "--ack-deadline-secs", "600"));
        allocator = new RootAllocator();
        session = SubscriberSession.open(SUBSCRIPTION,
                FfiFetchBench.sessionConfig(SUBSCRIPTION, firehose.hostPort(), rows));
        importer = new BatchImporter(allocator);
        skipBatchesCutBeforeTheFirstFetch();
    }

    /**
     * The session cuts batches at the row count its first fetch asks for (1,000 before any fetch), so
     * the batches that arrived before it are smaller than {@code rows}: take and nack those first.
     */
    private void skipBatchesCutBeforeTheFirstFetch() throws InterruptedException {
        long deadline = System.nanoTime() + PREFILL_TIMEOUT_NANOS;
        while (true) {
            prepare();
            fetchImportClose();
            boolean full = fetched == rows;
            releaseAndNack();
            if (full) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no batch of " + rows + " rows within 30 s");
            }
        }
    }

    /** Waits (outside the measurement) until a whole batch is buffered natively. */
    @Setup(Level.Invocation)
    public void prepare() throws InterruptedException {
        long deadline = System.nanoTime() + PREFILL_TIMEOUT_NANOS;
        while (session.metrics()[SubscriberSession.METRIC_INGESTED_MESSAGES] - fetchedTotal < rows) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("fewer than " + rows + " messages buffered after 30 s");
            }
            Thread.sleep(1);
        }
    }

    @Benchmark
    public int fetchImportClose() {
        fetched = importer.fetchNext(session, batchId, rows, Long.MAX_VALUE, 0);
        importer.release();
        return fetched;
    }

    /** Nacks the batch (outside the measurement) so the firehose redelivers it. */
    @TearDown(Level.Invocation)
    public void recycle() {
        releaseAndNack();
        if (fetched != rows) {
            throw new IllegalStateException("fetched " + fetched + " rows, expected " + rows);
        }
    }

    private void releaseAndNack() {
        fetchedTotal += fetched;
        session.nackBatch(batchId++);
    }

    @TearDown(Level.Trial)
    public void close() throws Exception {
        importer.close();
        session.close();
        allocator.close();
        firehose.close();
    }
}
