package io.pubsubnative.spark.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

class SinkSchemaTest {

    private static String error(String ddl, boolean hasDefaultTopic) {
        return assertThrows(IllegalArgumentException.class,
                () -> SinkSchema.validate(StructType.fromDDL(ddl), hasDefaultTopic)).getMessage();
    }

    @Test
    void binaryPayloadAloneIsEnoughWithTopicId() {
        SinkSchema s = SinkSchema.validate(StructType.fromDDL("payload BINARY"), true);
        assertEquals(0, s.payload());
        assertFalse(s.payloadIsString());
        assertFalse(SinkSchema.present(s.attributes()));
        assertFalse(SinkSchema.present(s.orderingKey()));
        assertFalse(SinkSchema.present(s.topic()));
    }

    @Test
    void allColumnsInAnyOrderAreFound() {
        SinkSchema s = SinkSchema.validate(StructType.fromDDL(
                "topic STRING, ordering_key STRING, attributes MAP<STRING,STRING>, payload STRING"), false);
        assertEquals(3, s.payload());
        assertTrue(s.payloadIsString());
        assertEquals(2, s.attributes());
        assertEquals(1, s.orderingKey());
        assertEquals(0, s.topic());
    }

    @Test
    void missingPayloadIsRejected() {
        String msg = error("attributes MAP<STRING,STRING>", true);
        assertTrue(msg.contains("needs a column 'payload' (BINARY or STRING)"), msg);
        assertTrue(msg.contains("attributes:map<string,string>"), msg);
    }

    @Test
    void payloadOfAnotherTypeIsRejected() {
        assertEquals("Column 'payload' of the pubsub sink must be BINARY or STRING, got INT",
                error("payload INT", true));
    }

    @Test
    void attributesMustBeAStringToStringMap() {
        assertEquals("Column 'attributes' of the pubsub sink must be MAP<STRING,STRING>, got MAP<STRING, INT>",
                error("payload BINARY, attributes MAP<STRING,INT>", true));
        assertTrue(error("payload BINARY, attributes STRING", true).contains("got STRING"));
    }

    @Test
    void orderingKeyAndTopicMustBeStrings() {
        assertEquals("Column 'ordering_key' of the pubsub sink must be STRING, got BIGINT",
                error("payload BINARY, ordering_key BIGINT", true));
        assertEquals("Column 'topic' of the pubsub sink must be STRING, got BINARY",
                error("payload BINARY, topic BINARY", true));
    }

    @Test
    void unknownColumnsAreRejectedWithTheAllowedOnes() {
        String msg = error("payload BINARY, message_id STRING, key STRING", true);
        assertTrue(msg.contains("does not accept the column(s) 'message_id', 'key'"), msg);
        assertTrue(msg.contains(SinkSchema.ALLOWED), msg);
    }

    @Test
    void columnNamesAreMatchedExactly() {
        assertTrue(error("Payload BINARY", true).contains("'Payload'"));
    }

    @Test
    void topicColumnIsRequiredWithoutTopicId() {
        String msg = error("payload BINARY", false);
        assertTrue(msg.contains("Option 'topicId' is not set and the input has no column 'topic'"), msg);
        assertEquals(1, SinkSchema.validate(StructType.fromDDL("payload BINARY, topic STRING"), false).topic());
    }

    @Test
    void duplicateColumnsAreRejected() {
        StructType twice = new StructType().add("payload", "binary").add("payload", "string");
        String msg = assertThrows(IllegalArgumentException.class, () -> SinkSchema.validate(twice, true))
                .getMessage();
        assertTrue(msg.contains("two columns named 'payload'"), msg);
    }
}
