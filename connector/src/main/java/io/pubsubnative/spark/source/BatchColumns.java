package io.pubsubnative.spark.source;

import java.util.ArrayList;
import java.util.List;

import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.spark.sql.vectorized.ArrowColumnVector;
import org.apache.spark.sql.vectorized.ColumnVector;
import org.apache.spark.sql.vectorized.ColumnarBatch;

/**
 * Spark's view of reused Arrow vectors (a {@link io.pubsubnative.spark.nativelib.BatchImporter}'s
 * struct, or a replay file's root), without copying: the column vectors and the
 * {@link ColumnarBatch} are built once, and each batch only sets the row count, because every
 * batch is loaded into the same vector objects.
 */
final class BatchColumns {

    private final BaseVariableWidthVector payload;
    private final ColumnarBatch batch;

    private BatchColumns(List<FieldVector> vectors) {
        String[] names = RawSchema.columnNames();
        ColumnVector[] columns = new ColumnVector[names.length];
        BaseVariableWidthVector payloadVector = null;
        for (int i = 0; i < names.length; i++) {
            FieldVector child = byName(vectors, names[i]);
            columns[i] = new ArrowColumnVector(child);
            if (RawSchema.PAYLOAD.equals(names[i])) {
                payloadVector = (BaseVariableWidthVector) child;
            }
        }
        this.payload = payloadVector;
        this.batch = new ColumnarBatch(columns);
    }

    /** Over an imported native batch. */
    static BatchColumns of(StructVector vector) {
        return new BatchColumns(vector.getChildrenFromFields());
    }

    /** Over the vectors of a replayed file, in any order. */
    static BatchColumns of(List<FieldVector> vectors) {
        return new BatchColumns(vectors);
    }

    private static FieldVector byName(List<FieldVector> vectors, String name) {
        for (FieldVector v : vectors) {
            if (name.equals(v.getName())) {
                return v;
            }
        }
        List<String> present = new ArrayList<>();
        vectors.forEach(v -> present.add(v.getName()));
        throw new IllegalStateException("the batch has no column '" + name + "'; its columns are " + present);
    }

    /** The batch over the vectors' current contents, {@code rows} long. */
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
