package io.pubsubnative.spark.sink;

import java.util.ArrayList;
import java.util.List;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.complex.MapVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeMapData;
import org.apache.spark.sql.catalyst.expressions.UnsafeRow;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.catalyst.util.MapData;

/**
 * Buffers sink rows in a reused Arrow struct vector laid out as the native publisher expects
 * (docs/architecture.md, "Arrow layout handed to publish"): children {@code payload} Binary,
 * {@code attributes} Map&lt;Utf8, Utf8&gt;, {@code ordering_key} and {@code topic} Utf8, each present
 * only when the input has that column. The struct is what is exported, so a batch crosses as it is,
 * without being unloaded into a record batch and loaded into a new struct first. A batch is full at
 * {@code maxRows} rows or once it holds {@link #MAX_BATCH_BYTES} of variable-length data; after
 * {@link #finish()} and the export, {@link #reset()} makes the vectors ready for the next batch
 * without freeing their buffers.
 *
 * <p>A null {@code attributes} map is written as an empty map: Pub/Sub has no null attributes.
 */
final class ArrowRowWriter implements AutoCloseable {

    /** Bytes (payloads, attributes, keys, topics) after which a batch is handed over. */
    static final long MAX_BATCH_BYTES = 8L * 1024 * 1024;

    private final SinkSchema schema;
    private final int maxRows;
    private final StructVector batch;
    private final VarBinaryVector payload;
    private final MapVector attributes;
    private final StructVector entries;
    private final VarCharVector keys;
    private final VarCharVector values;
    private final VarCharVector orderingKey;
    private final VarCharVector topic;
    private final UnsafeMapData reusableMap = new UnsafeMapData();
    private int rows;
    private int entryCount;
    private long bytes;

    ArrowRowWriter(SinkSchema schema, BufferAllocator allocator, int maxRows) {
        this.schema = schema;
        this.maxRows = maxRows;
        this.batch = (StructVector) arrowField(schema).createVector(allocator);
        batch.allocateNew();
        this.payload = (VarBinaryVector) batch.getChild(SinkSchema.PAYLOAD);
        this.attributes = (MapVector) batch.getChild(SinkSchema.ATTRIBUTES);
        this.entries = attributes == null ? null : (StructVector) attributes.getDataVector();
        this.keys = entries == null ? null : (VarCharVector) entries.getChild(MapVector.KEY_NAME);
        this.values = entries == null ? null : (VarCharVector) entries.getChild(MapVector.VALUE_NAME);
        this.orderingKey = (VarCharVector) batch.getChild(SinkSchema.ORDERING_KEY);
        this.topic = (VarCharVector) batch.getChild(SinkSchema.TOPIC);
    }

    /** The struct field whose children are the columns present in {@code schema}. */
    static Field arrowField(SinkSchema schema) {
        List<Field> fields = new ArrayList<>();
        fields.add(Field.nullable(SinkSchema.PAYLOAD, ArrowType.Binary.INSTANCE));
        if (SinkSchema.present(schema.attributes())) {
            Field key = new Field(MapVector.KEY_NAME, FieldType.notNullable(ArrowType.Utf8.INSTANCE), null);
            Field value = new Field(MapVector.VALUE_NAME, FieldType.nullable(ArrowType.Utf8.INSTANCE), null);
            Field entry = new Field(MapVector.DATA_VECTOR_NAME,
                    FieldType.notNullable(ArrowType.Struct.INSTANCE), List.of(key, value));
            fields.add(new Field(SinkSchema.ATTRIBUTES,
                    FieldType.nullable(new ArrowType.Map(false)), List.of(entry)));
        }
        if (SinkSchema.present(schema.orderingKey())) {
            fields.add(Field.nullable(SinkSchema.ORDERING_KEY, ArrowType.Utf8.INSTANCE));
        }
        if (SinkSchema.present(schema.topic())) {
            fields.add(Field.nullable(SinkSchema.TOPIC, ArrowType.Utf8.INSTANCE));
        }
        return new Field("", FieldType.notNullable(ArrowType.Struct.INSTANCE), fields);
    }

    /**
     * Copies one row into the vectors.
     *
     * @return true when the batch is full and must be handed over before the next append
     */
    boolean append(InternalRow row) {
        batch.setIndexDefined(rows);
        bytes += VarWidthAppender.append(row, schema.payload(), schema.payloadIsString(), payload, rows);
        if (attributes != null) {
            appendAttributes(row);
        }
        if (orderingKey != null) {
            bytes += VarWidthAppender.append(row, schema.orderingKey(), true, orderingKey, rows);
        }
        if (topic != null) {
            bytes += VarWidthAppender.append(row, schema.topic(), true, topic, rows);
        }
        rows++;
        return rows >= maxRows || bytes >= MAX_BATCH_BYTES;
    }

    private void appendAttributes(InternalRow row) {
        attributes.startNewValue(rows);
        int size = 0;
        if (!row.isNullAt(schema.attributes())) {
            MapData map = mapOf(row, schema.attributes());
            ArrayData mapKeys = map.keyArray();
            ArrayData mapValues = map.valueArray();
            size = map.numElements();
            for (int i = 0; i < size; i++) {
                entries.setIndexDefined(entryCount);
                bytes += VarWidthAppender.append(mapKeys, i, true, keys, entryCount);
                bytes += VarWidthAppender.append(mapValues, i, true, values, entryCount);
                entryCount++;
            }
        }
        attributes.endValue(rows, size);
    }

    /** The map at {@code ordinal}; for an unsafe row a reused view onto the row's bytes. */
    private MapData mapOf(InternalRow row, int ordinal) {
        if (row instanceof UnsafeRow unsafe) {
            long offsetAndSize = unsafe.getLong(ordinal);
            reusableMap.pointTo(unsafe.getBaseObject(), unsafe.getBaseOffset() + (int) (offsetAndSize >> 32),
                    (int) offsetAndSize);
            return reusableMap;
        }
        return row.getMap(ordinal);
    }

    int rowCount() {
        return rows;
    }

    /** Variable-length bytes buffered in this batch. */
    long byteCount() {
        return bytes;
    }

    /** Sets the value counts and returns the batch, ready for export. */
    StructVector finish() {
        batch.setValueCount(rows);
        return batch;
    }

    /** Empties the batch, keeping the allocated buffers for the next one. */
    void reset() {
        batch.reset();
        rows = 0;
        entryCount = 0;
        bytes = 0;
    }

    @Override
    public void close() {
        batch.close();
    }
}
