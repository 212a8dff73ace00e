package io.pubsubnative.spark.source;

import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.spark.sql.vectorized.ArrowColumnVector;
import org.apache.spark.sql.vectorized.ColumnVector;
import org.apache.spark.sql.vectorized.ColumnarBatch;

/**
 * Spark's view of a {@link io.pubsubnative.spark.nativelib.BatchImporter}'s reused vector, without
 * copying: the column vectors and the {@link ColumnarBatch} are built once, and each imported batch
 * only sets the row count, because the importer loads every batch into the same vector objects.
 */
final class BatchColumns {

    private final BaseVariableWidthVector payload;
    private final ColumnarBatch batch;

    BatchColumns(StructVector vector) {
        String[] names = RawSchema.columnNames();
        ColumnVector[] columns = new ColumnVector[names.length];
        for (int i = 0; i < names.length; i++) {
            FieldVector child = (FieldVector) vector.getChild(names[i]);
            if (child == null) {
                throw new IllegalStateException("the native batch has no column '" + names[i]
                        + "'; its columns are " + vector.getField().getChildren());
            }
            columns[i] = new ArrowColumnVector(child);
        }
        this.payload = (BaseVariableWidthVector) vector.getChild(RawSchema.PAYLOAD);
        this.batch = new ColumnarBatch(columns);
    }

    /** The batch over the vector's current contents, {@code rows} long. */
    ColumnarBatch batch(int rows) {
        batch.setNumRows(rows);
        return batch;
    }

    /** Sum of the current batch's payload lengths, read from the offset buffer (no copy). */
    long payloadBytes(int rows) {
        if (rows == 0) {
            return 0;
        }
        long width = BaseVariableWidthVector.OFFSET_WIDTH;
        return payload.getOffsetBuffer().getInt(rows * width) - payload.getOffsetBuffer().getInt(0);
    }
}
