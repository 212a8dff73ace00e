package io.pubsubnative.spark.source;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

class RawSchemaTest {

    @Test
    void rawSchemaHasTheContractColumnsTypesAndNullability() {
        StructType s = RawSchema.SCHEMA;
        assertArrayEquals(new String[] {"message_id", "publish_time", "attributes", "payload",
            "ordering_key", "delivery_attempt"}, s.fieldNames());
        assertField(s.fields()[0], DataTypes.StringType, false);
        assertField(s.fields()[1], DataTypes.TimestampType, false);
        assertField(s.fields()[3], DataTypes.BinaryType, false);
        assertField(s.fields()[4], DataTypes.StringType, true);
        assertField(s.fields()[5], DataTypes.IntegerType, true);
        StructField attributes = s.fields()[2];
        assertFalse(attributes.nullable());
        MapType map = (MapType) attributes.dataType();
        assertEquals(DataTypes.StringType, map.keyType());
        assertEquals(DataTypes.StringType, map.valueType());
        assertFalse(map.valueContainsNull());
    }

    @Test
    void ddlSchemaWithSameColumnsMatchesIgnoringNullability() {
        StructType ddl = StructType.fromDDL("message_id STRING, publish_time TIMESTAMP, "
                + "attributes MAP<STRING,STRING>, payload BINARY, ordering_key STRING, delivery_attempt INT");
        assertTrue(RawSchema.matches(ddl));
        assertTrue(RawSchema.matches(RawSchema.SCHEMA));
    }

    @Test
    void differentSchemaDoesNotMatch() {
        assertFalse(RawSchema.matches(StructType.fromDDL("payload BINARY")));
        assertFalse(RawSchema.matches(StructType.fromDDL("message_id STRING, publish_time TIMESTAMP, "
                + "attributes MAP<STRING,STRING>, payload STRING, ordering_key STRING, delivery_attempt INT")));
    }

    private static void assertField(StructField f, DataType type, boolean nullable) {
        assertEquals(type, f.dataType(), f.name());
        assertEquals(nullable, f.nullable(), f.name());
    }
}
