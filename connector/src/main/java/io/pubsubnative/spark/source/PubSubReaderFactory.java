package io.pubsubnative.spark.source;

import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.connector.read.InputPartition;
import org.apache.spark.sql.connector.read.PartitionReader;
import org.apache.spark.sql.connector.read.PartitionReaderFactory;
import org.apache.spark.sql.vectorized.ColumnarBatch;

/**
 * Creates columnar readers; the source has no row-based reader. It carries the read counters:
 * the factory is deserialized inside the running task (with the RDD), which is what registers an
 * accumulator for the task; an input partition is deserialized before the task context exists.
 */
final class PubSubReaderFactory implements PartitionReaderFactory {

    private static final long serialVersionUID = 1L;

    private final ReadCounters counters;

    PubSubReaderFactory(ReadCounters counters) {
        this.counters = counters;
    }

    @Override
    public boolean supportColumnarReads(InputPartition partition) {
        return true;
    }

    @Override
    public PartitionReader<ColumnarBatch> createColumnarReader(InputPartition partition) {
        return new PubSubColumnarReader((PubSubInputPartition) partition, counters);
    }

    @Override
    public PartitionReader<InternalRow> createReader(InputPartition partition) {
        throw new UnsupportedOperationException("the pubsub source reads columnar batches only");
    }
}
