package io.pubsubnative.spark.sink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.arrow.c.ArrowArray;
import org.apache.arrow.c.ArrowSchema;
import org.apache.arrow.c.Data;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.complex.MapVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.complex.impl.UnionMapReader;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeProjection;
import org.apache.spark.sql.catalyst.util.ArrayBasedMapData;
import org.apache.spark.sql.catalyst.util.GenericArrayData;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.types.UTF8String;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ArrowRowWriterTest {

    private static final StructType FULL = StructType.fromDDL(
            "payload BINARY, attributes MAP<STRING,STRING>, ordering_key STRING, topic STRING");
    private static final String TOPIC = "projects/test-proj/topics/topic-1";

    private final BufferAllocator allocator = new RootAllocator(Long.MAX_VALUE);

    @AfterEach
    void noArrowMemoryIsLeft() {
        assertEquals(0, allocator.getAllocatedMemory(), "Arrow memory still allocated");
        allocator.close();
    }

    private static InternalRow row(Object payload, Map<String, String> attributes, String orderingKey,
                                   String topic) {
        return new GenericInternalRow(new Object[] {payload, map(attributes), utf8(orderingKey), utf8(topic)});
    }

    private static ArrayBasedMapData map(Map<String, String> m) {
        if (m == null) {
            return null;
        }
        List<Object> keys = new ArrayList<>();
        List<Object> values = new ArrayList<>();
        m.forEach((k, v) -> {
            keys.add(UTF8String.fromString(k));
            values.add(utf8(v));
        });
        return new ArrayBasedMapData(new GenericArrayData(keys.toArray()), new GenericArrayData(values.toArray()));
    }

    private static UTF8String utf8(String s) {
        return s == null ? null : UTF8String.fromString(s);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private final Map<StructType, UnsafeProjection> projections = new HashMap<>();

    private InternalRow unsafe(StructType schema, InternalRow row) {
        return projections.computeIfAbsent(schema, UnsafeProjection::create).apply(row).copy();
    }

    private static Map<String, String> attributesAt(MapVector vector, int index) {
        if (vector.isNull(index)) {
            return null;
        }
        Map<String, String> out = new LinkedHashMap<>();
        UnionMapReader reader = vector.getReader();
        reader.setPosition(index);
        while (reader.next()) {
            Object value = reader.value().readObject();
            out.put(reader.key().readText().toString(), value == null ? null : value.toString());
        }
        return out;
    }

    private static String text(VarCharVector v, int i) {
        return v.isNull(i) ? null : new String(v.get(i), StandardCharsets.UTF_8);
    }

    private static void assertRows(StructVector batch, List<Object[]> expected) {
        assertEquals(expected.size(), batch.getValueCount());
        VarBinaryVector payload = (VarBinaryVector) batch.getChild("payload");
        MapVector attributes = (MapVector) batch.getChild("attributes");
        VarCharVector key = (VarCharVector) batch.getChild("ordering_key");
        VarCharVector topic = (VarCharVector) batch.getChild("topic");
        for (int i = 0; i < expected.size(); i++) {
            assertFalse(batch.isNull(i), "row " + i + " is a non-null struct");
            Object[] e = expected.get(i);
            if (e[0] == null) {
                assertTrue(payload.isNull(i), "payload of row " + i + " should be null");
            } else {
                assertArrayEquals((byte[]) e[0], payload.get(i), "payload of row " + i);
            }
            assertEquals(e[1], attributesAt(attributes, i), "attributes of row " + i);
            assertEquals(e[2], text(key, i), "ordering_key of row " + i);
            assertEquals(e[3], text(topic, i), "topic of row " + i);
        }
    }

    private static Map<String, String> attrs(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    private List<InternalRow> sampleRows() {
        Map<String, String> nullValue = new LinkedHashMap<>();
        nullValue.put("k", null);
        return List.of(
                row(bytes("hello"), attrs("a", "1", "b", "2"), "key-1", TOPIC),
                row(null, attrs("only", "attr"), null, null),
                row(new byte[0], null, "", TOPIC),
                row(bytes("ü€"), nullValue, "key-2", null));
    }

    private static List<Object[]> sampleExpected() {
        Map<String, String> nullValue = new LinkedHashMap<>();
        nullValue.put("k", null);
        List<Object[]> e = new ArrayList<>();
        e.add(new Object[] {bytes("hello"), attrs("a", "1", "b", "2"), "key-1", TOPIC});
        e.add(new Object[] {null, attrs("only", "attr"), null, null});
        // a null map is written as an empty one; an empty string stays empty (not null)
        e.add(new Object[] {new byte[0], attrs(), "", TOPIC});
        e.add(new Object[] {bytes("ü€"), nullValue, "key-2", null});
        return e;
    }

    @Test
    void genericRowsBecomeVectorsWithNullsAndMaps() {
        SinkSchema schema = SinkSchema.validate(FULL, true);
        try (ArrowRowWriter w = new ArrowRowWriter(schema, allocator, 100)) {
            for (InternalRow r : sampleRows()) {
                assertFalse(w.append(r));
            }
            assertRows(w.finish(), sampleExpected());
        }
    }

    @Test
    void byteCountSumsEveryVariableLengthValue() {
        SinkSchema schema = SinkSchema.validate(FULL, true);
        try (ArrowRowWriter w = new ArrowRowWriter(schema, allocator, 100)) {
            w.append(row(bytes("hello"), attrs("ab", "cde"), "key", TOPIC));
            assertEquals(5 + 2 + 3 + 3 + TOPIC.length(), w.byteCount());
            w.append(row(null, null, null, null));
            assertEquals(5 + 2 + 3 + 3 + TOPIC.length(), w.byteCount());
            assertEquals(2, w.rowCount());
        }
    }

    @Test
    void unsafeRowsAreCopiedInPlaceWithTheSameResult() {
        SinkSchema schema = SinkSchema.validate(FULL, true);
        try (ArrowRowWriter w = new ArrowRowWriter(schema, allocator, 100)) {
            for (InternalRow r : sampleRows()) {
                w.append(unsafe(FULL, r));
            }
            assertRows(w.finish(), sampleExpected());
        }
    }

    @Test
    void stringPayloadIsWrittenAsItsUtf8Bytes() {
        StructType input = StructType.fromDDL("payload STRING");
        SinkSchema schema = SinkSchema.validate(input, true);
        try (ArrowRowWriter w = new ArrowRowWriter(schema, allocator, 10)) {
            w.append(new GenericInternalRow(new Object[] {UTF8String.fromString("grüße")}));
            w.append(unsafe(input, new GenericInternalRow(new Object[] {UTF8String.fromString("ok")})));
            w.append(new GenericInternalRow(new Object[] {null}));
            StructVector batch = w.finish();
            assertEquals(List.of("payload"), batch.getField().getChildren().stream().map(Field::getName).toList());
            VarBinaryVector payload = (VarBinaryVector) batch.getChild("payload");
            assertArrayEquals(bytes("grüße"), payload.get(0));
            assertArrayEquals(bytes("ok"), payload.get(1));
            assertTrue(payload.isNull(2));
        }
    }

    @Test
    void batchIsFullAtMaxRows() {
        SinkSchema schema = SinkSchema.validate(StructType.fromDDL("payload BINARY"), true);
        try (ArrowRowWriter w = new ArrowRowWriter(schema, allocator, 3)) {
            assertFalse(w.append(new GenericInternalRow(new Object[] {bytes("1")})));
            assertFalse(w.append(new GenericInternalRow(new Object[] {bytes("2")})));
            assertTrue(w.append(new GenericInternalRow(new Object[] {bytes("3")})));
        }
    }

    @Test
    void batchIsFullAtTheByteBoundAndALargeRowGoesWhole() {
        SinkSchema schema = SinkSchema.validate(StructType.fromDDL("payload BINARY"), true);
        byte[] big = new byte[(int) ArrowRowWriter.MAX_BATCH_BYTES + 10];
        big[big.length - 1] = 7;
        try (ArrowRowWriter w = new ArrowRowWriter(schema, allocator, 1000)) {
            assertFalse(w.append(new GenericInternalRow(new Object[] {bytes("small")})));
            assertTrue(w.append(new GenericInternalRow(new Object[] {big})));
            VarBinaryVector payload = (VarBinaryVector) w.finish().getChild("payload");
            assertArrayEquals(big, payload.get(1));
        }
    }

    @Test
    void resetReusesTheVectorsWithoutLeftovers() {
        SinkSchema schema = SinkSchema.validate(FULL, true);
        try (ArrowRowWriter w = new ArrowRowWriter(schema, allocator, 100)) {
            for (InternalRow r : sampleRows()) {
                w.append(r);
            }
            w.finish();
            w.reset();
            assertEquals(0, w.rowCount());
            assertEquals(0, w.byteCount());
            w.append(row(null, null, null, null));
            w.append(row(bytes("x"), attrs("z", "9"), "k", TOPIC));
            List<Object[]> expected = new ArrayList<>();
            expected.add(new Object[] {null, attrs(), null, null});
            expected.add(new Object[] {bytes("x"), attrs("z", "9"), "k", TOPIC});
            assertRows(w.finish(), expected);
        }
    }

    @Test
    void manyRowsGrowTheBuffers() {
        SinkSchema schema = SinkSchema.validate(FULL, true);
        int n = 20_000;
        List<Object[]> expected = new ArrayList<>();
        try (ArrowRowWriter w = new ArrowRowWriter(schema, allocator, n)) {
            for (int i = 0; i < n; i++) {
                byte[] payload = bytes("p".repeat(i % 50) + i);
                Map<String, String> a = attrs("i", Integer.toString(i), "even", Boolean.toString(i % 2 == 0));
                String key = i % 3 == 0 ? null : "key-" + (i % 7);
                w.append(unsafe(FULL, row(payload, a, key, TOPIC)));
                expected.add(new Object[] {payload, a, key, TOPIC});
            }
            assertRows(w.finish(), expected);
        }
    }

    @Test
    void exportedBatchHasTheContractLayout() {
        SinkSchema schema = SinkSchema.validate(FULL, true);
        try (ArrowRowWriter w = new ArrowRowWriter(schema, allocator, 100)) {
            for (InternalRow r : sampleRows()) {
                w.append(r);
            }
            StructVector batch = w.finish();
            try (ArrowArray array = ArrowArray.allocateNew(allocator);
                 ArrowSchema arrowSchema = ArrowSchema.allocateNew(allocator)) {
                Data.exportField(allocator, batch.getField(), null, arrowSchema);
                Data.exportVector(allocator, batch, null, array);
                try (StructVector imported = (StructVector) Data.importVector(allocator, array, arrowSchema, null)) {
                    List<Field> fields = imported.getField().getChildren();
                    assertEquals(List.of("payload", "attributes", "ordering_key", "topic"),
                            fields.stream().map(Field::getName).toList());
                    assertEquals(ArrowType.Binary.INSTANCE, fields.get(0).getType());
                    assertTrue(fields.get(1).getType() instanceof ArrowType.Map);
                    Field entries = fields.get(1).getChildren().get(0);
                    assertFalse(entries.getChildren().get(0).isNullable(), "map keys are non-null");
                    assertTrue(entries.getChildren().get(1).isNullable(), "map values are nullable");
                    assertEquals(ArrowType.Utf8.INSTANCE, fields.get(2).getType());
                    assertRows(imported, sampleExpected());
                }
            }
            w.reset();
        }
    }

    @Test
    void nullPayloadStaysNullForTheNativeSideToJudge() {
        SinkSchema schema = SinkSchema.validate(StructType.fromDDL("payload BINARY"), true);
        try (ArrowRowWriter w = new ArrowRowWriter(schema, allocator, 10)) {
            w.append(new GenericInternalRow(new Object[] {null}));
            assertNull(((VarBinaryVector) w.finish().getChild("payload")).get(0));
        }
    }
}
