package io.pubsubnative.spark.source;

import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.spark.sql.vectorized.ArrowColumnVector;
import org.apache.spark.sql.vectorized.ColumnVector;
import org.apache.spark.sql.vectorized.ColumnarBatch;

/**
 * A batch imported from the native library through the C Data Interface, exposed to Spark as a
 * {@link ColumnarBatch} without copying. Closing it frees the native buffers.
 */
final class ImportedBatch implements AutoCloseable {

    private final VectorSchemaRoot root;
    private final ColumnarBatch batch;
    private final long payloadBytes;

    ImportedBatch(VectorSchemaRoot root) {
        this.root = root;
        String[] names = RawSchema.columnNames();
        ColumnVector[] vectors = new ColumnVector[names.length];
        for (int i = 0; i < names.length; i++) {
            FieldVector vector = root.getVector(names[i]);
            if (vector == null) {
                throw new IllegalStateException("the native batch has no column '" + names[i]
                        + "'; its columns are " + root.getSchema().getFields());
            }
            vectors[i] = new ArrowColumnVector(vector);
        }
        this.batch = new ColumnarBatch(vectors, root.getRowCount());
        this.payloadBytes = payloadBytes((BaseVariableWidthVector) root.getVector(RawSchema.PAYLOAD),
                root.getRowCount());
    }

    /** Sum of payload lengths, read from the offset buffer (no copy). */
    private static long payloadBytes(BaseVariableWidthVector payload, int rows) {
        if (rows == 0) {
            return 0;
        }
        long width = BaseVariableWidthVector.OFFSET_WIDTH;
        return payload.getOffsetBuffer().getInt(rows * width) - payload.getOffsetBuffer().getInt(0);
    }

    ColumnarBatch batch() {
        return batch;
    }

    int rows() {
        return root.getRowCount();
    }

    long payloadBytes() {
        return payloadBytes;
    }

    @Override
    public void close() {
        root.close();
    }
}
