package io.pubsubnative.bench;

import io.pubsubnative.spark.nativelib.BatchImporter;
import io.pubsubnative.spark.nativelib.SubscriberSession;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VarBinaryVector;

/**
 * The native subscriber through JNI in a plain JVM (no Spark): drains {@code 2 * --messages}, measured
 * as two windows (see {@link DrainWindows}). Fetch a batch and import it through
 * the C Data Interface with the connector's {@link BatchImporter}, read its payload size from the
 * offsets, release it; acknowledge through the last
 * batch whenever {@code --commit-bytes} of payload or {@code --commit-messages} messages were read since
 * the last ack, as Spark's commits of micro-batches would. Flow control: the connector's defaults. Prints one JSON line.
 */
public final class JniDrain {

    private static final long FETCH_WAIT_MS = 100;
    private static final long IDLE_LIMIT_NANOS = 30_000_000_000L;

    private JniDrain() {
    }

    public static void main(String[] argv) {
        DrainArgs args = DrainArgs.parse(argv);
        DrainWindows windows = new DrainWindows("jni-arrow", args.messages());
        long rows = 0;
        long bytes = 0;
        long batchId = 0;
        long ackedBytes = 0;
        long ackedRows = 0;
        String config = "{\"subscription\":\"" + args.subscription() + "\",\"emulator_host\":\"" + args.host() + "\"}";
        try (BufferAllocator allocator = new RootAllocator();
             SubscriberSession session = SubscriberSession.open(args.subscription(), config);
             BatchImporter importer = new BatchImporter(allocator)) {
            long lastArrival = System.nanoTime();
            while (rows < windows.total()) {
                int n = importer.fetchNext(session, batchId, args.batchRows(), Long.MAX_VALUE, FETCH_WAIT_MS);
                if (n == 0) {
                    if (System.nanoTime() - lastArrival > IDLE_LIMIT_NANOS) {
                        throw new IllegalStateException("no message for 30 s after " + rows + " rows");
                    }
                    continue;
                }
                VarBinaryVector payload = (VarBinaryVector) importer.vector().getChild("payload");
                bytes += payload.getOffsetBuffer().getInt((long) n * VarBinaryVector.OFFSET_WIDTH);
                importer.release();
                rows += n;
                lastArrival = System.nanoTime();
                if (windows.coldEndsAt(rows) || bytes - ackedBytes >= args.commitBytes()
                        || rows - ackedRows >= args.commitMessages()) {
                    session.ackThrough(batchId);
                    ackedBytes = bytes;
                    ackedRows = rows;
                }
                windows.closeColdAt(rows, bytes);
                batchId++;
            }
            session.ackThrough(batchId);
        }
        System.out.println(windows.finish(rows, bytes));
    }
}
