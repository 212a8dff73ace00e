package io.pubsubnative.spark.replay;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.arrow.c.ArrowArray;
import org.apache.arrow.c.Data;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.complex.MapVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;

import io.pubsubnative.spark.source.RawSchema;

/**
 * Batches in the raw read layout, loaded into one reused {@link StructVector} the way
 * {@code BatchImporter} loads them: each batch is built in a fresh vector, exported through the C
 * data interface and imported into the same vector objects.
 */
final class RawBatches implements AutoCloseable {

    private static final Field FIELD = rawField();

    private final BufferAllocator allocator;
    private final StructVector vector;

    RawBatches(BufferAllocator allocator) {
        this.allocator = allocator;
        this.vector = (StructVector) FIELD.createVector(allocator);
    }

    /** The reused vector, holding the batch last loaded. */
    StructVector vector() {
        return vector;
    }

    /** Releases the batch held and loads {@code messages}; returns the row count. */
    int load(List<Message> messages) {
        vector.clear();
        try (StructVector source = (StructVector) FIELD.createVector(allocator);
             ArrowArray array = ArrowArray.allocateNew(allocator)) {
            fill(source, messages);
            Data.exportVector(allocator, source, null, array);
            Data.importIntoVector(allocator, array, vector, null);
        }
        return vector.getValueCount();
    }

    /** The first {@code rows} rows of columns in the raw schema's order. */
    static List<Message> decode(List<FieldVector> columns, int rows) {
        VarCharVector ids = (VarCharVector) columns.get(0);
        TimeStampMicroTZVector times = (TimeStampMicroTZVector) columns.get(1);
        MapVector attributes = (MapVector) columns.get(2);
        VarBinaryVector payloads = (VarBinaryVector) columns.get(3);
        VarCharVector keys = (VarCharVector) columns.get(4);
        IntVector attempts = (IntVector) columns.get(5);
        List<Message> out = new ArrayList<>();
        for (int i = 0; i < rows; i++) {
            out.add(new Message(text(ids, i), times.get(i), attributesAt(attributes, i), payloads.get(i),
                    keys.isNull(i) ? null : text(keys, i), attempts.isNull(i) ? null : attempts.get(i)));
        }
        return out;
    }

    @Override
    public void close() {
        vector.close();
    }

    private static void fill(StructVector source, List<Message> messages) {
        source.allocateNew();
        VarCharVector ids = source.getChild(RawSchema.MESSAGE_ID, VarCharVector.class);
        TimeStampMicroTZVector times = source.getChild(RawSchema.PUBLISH_TIME, TimeStampMicroTZVector.class);
        MapVector attributes = source.getChild(RawSchema.ATTRIBUTES, MapVector.class);
        StructVector entries = (StructVector) attributes.getDataVector();
        VarCharVector attributeKeys = entries.getChild(MapVector.KEY_NAME, VarCharVector.class);
        VarCharVector attributeValues = entries.getChild(MapVector.VALUE_NAME, VarCharVector.class);
        VarBinaryVector payloads = source.getChild(RawSchema.PAYLOAD, VarBinaryVector.class);
        VarCharVector keys = source.getChild(RawSchema.ORDERING_KEY, VarCharVector.class);
        IntVector attempts = source.getChild(RawSchema.DELIVERY_ATTEMPT, IntVector.class);
        for (int i = 0; i < messages.size(); i++) {
            Message m = messages.get(i);
            source.setIndexDefined(i);
            ids.setSafe(i, utf8(m.messageId()));
            times.setSafe(i, m.publishTimeMicros());
            int entry = attributes.startNewValue(i);
            for (Map.Entry<String, String> e : m.attributes().entrySet()) {
                entries.setIndexDefined(entry);
                attributeKeys.setSafe(entry, utf8(e.getKey()));
                attributeValues.setSafe(entry, utf8(e.getValue()));
                entry++;
            }
            attributes.endValue(i, m.attributes().size());
            payloads.setSafe(i, m.payload());
            if (m.orderingKey() == null) {
                keys.setNull(i);
            } else {
                keys.setSafe(i, utf8(m.orderingKey()));
            }
            if (m.deliveryAttempt() == null) {
                attempts.setNull(i);
            } else {
                attempts.setSafe(i, m.deliveryAttempt());
            }
        }
        source.setValueCount(messages.size());
    }

    private static Map<String, String> attributesAt(MapVector attributes, int row) {
        StructVector entries = (StructVector) attributes.getDataVector();
        VarCharVector keys = (VarCharVector) entries.getChildByOrdinal(0);
        VarCharVector values = (VarCharVector) entries.getChildByOrdinal(1);
        Map<String, String> out = new LinkedHashMap<>();
        for (int e = attributes.getElementStartIndex(row); e < attributes.getElementEndIndex(row); e++) {
            out.put(text(keys, e), text(values, e));
        }
        return out;
    }

    private static String text(VarCharVector vector, int index) {
        return new String(vector.get(index), StandardCharsets.UTF_8);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static Field rawField() {
        FieldType utf8 = FieldType.notNullable(ArrowType.Utf8.INSTANCE);
        Field entries = new Field(MapVector.DATA_VECTOR_NAME, FieldType.notNullable(ArrowType.Struct.INSTANCE),
                List.of(new Field(MapVector.KEY_NAME, utf8, null), new Field(MapVector.VALUE_NAME, utf8, null)));
        return new Field("raw", FieldType.notNullable(ArrowType.Struct.INSTANCE), List.of(
                new Field(RawSchema.MESSAGE_ID, utf8, null),
                new Field(RawSchema.PUBLISH_TIME,
                        FieldType.notNullable(new ArrowType.Timestamp(TimeUnit.MICROSECOND, "UTC")), null),
                new Field(RawSchema.ATTRIBUTES, FieldType.notNullable(new ArrowType.Map(false)), List.of(entries)),
                new Field(RawSchema.PAYLOAD, FieldType.notNullable(ArrowType.Binary.INSTANCE), null),
                new Field(RawSchema.ORDERING_KEY, FieldType.nullable(ArrowType.Utf8.INSTANCE), null),
                new Field(RawSchema.DELIVERY_ATTEMPT, FieldType.nullable(new ArrowType.Int(32, true)), null)));
    }
}
