package io.pubsubnative.spark.source;

import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.connector.read.InputPartition;
import org.apache.spark.sql.connector.read.PartitionReader;
import org.apache.spark.sql.connector.read.PartitionReaderFactory;
import org.apache.spark.sql.vectorized.ColumnarBatch;
import org.apache.spark.util.LongAccumulator;

/**
 * Creates columnar readers; the source has no row-based reader. It carries the read counters:
 * the factory is deserialized inside the running task (with the RDD), which is what registers an
 * accumulator for the task; an input partition is deserialized before the task context exists.
 */
final class PubSubReaderFactory implements PartitionReaderFactory {

    private static final long serialVersionUID = 1L;

    private final LongAccumulator rowsRead;
    private final LongAccumulator bytesRead;

    PubSubReaderFactory(LongAccumulator rowsRead, LongAccumulator bytesRead) {
        this.rowsRead = rowsRead;
        this.bytesRead = bytesRead;
    }

    @Override
    public boolean supportColumnarReads(InputPartition partition) {
        return true;
    }

    @Override
    public PartitionReader<ColumnarBatch> createColumnarReader(InputPartition partition) {
        return new PubSubColumnarReader((PubSubInputPartition) partition, rowsRead, bytesRead);
    }

    @Override
    public PartitionReader<InternalRow> createReader(InputPartition partition) {
        throw new UnsupportedOperationException("the pubsub source reads columnar batches only");
    }
}
