package io.pubsubnative.spark.source;

import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/** The raw read schema (docs/architecture.md, "Arrow layout of a raw batch"). */
public final class RawSchema {

    public static final String MESSAGE_ID = "message_id";
    public static final String PUBLISH_TIME = "publish_time";
    public static final String ATTRIBUTES = "attributes";
    public static final String PAYLOAD = "payload";
    public static final String ORDERING_KEY = "ordering_key";
    public static final String DELIVERY_ATTEMPT = "delivery_attempt";

    public static final StructType SCHEMA = new StructType(new StructField[] {
        DataTypes.createStructField(MESSAGE_ID, DataTypes.StringType, false),
        DataTypes.createStructField(PUBLISH_TIME, DataTypes.TimestampType, false),
        DataTypes.createStructField(ATTRIBUTES,
                DataTypes.createMapType(DataTypes.StringType, DataTypes.StringType, false), false),
        DataTypes.createStructField(PAYLOAD, DataTypes.BinaryType, false),
        DataTypes.createStructField(ORDERING_KEY, DataTypes.StringType, true),
        DataTypes.createStructField(DELIVERY_ATTEMPT, DataTypes.IntegerType, true),
    });

    private RawSchema() {
    }

    /** Column names in schema order. */
    public static String[] columnNames() {
        return SCHEMA.fieldNames();
    }

    /**
     * True when {@code schema} has the raw schema's column names and types in the same order;
     * nullability is not compared (a DDL schema string makes every column nullable).
     */
    public static boolean matches(StructType schema) {
        StructField[] expected = SCHEMA.fields();
        StructField[] actual = schema.fields();
        if (expected.length != actual.length) {
            return false;
        }
        for (int i = 0; i < expected.length; i++) {
            if (!expected[i].name().equals(actual[i].name())
                    || !sameTypeIgnoringNullability(expected[i].dataType(), actual[i].dataType())) {
                return false;
            }
        }
        return true;
    }

    private static boolean sameTypeIgnoringNullability(DataType a, DataType b) {
        if (a instanceof MapType && b instanceof MapType) {
            MapType ma = (MapType) a;
            MapType mb = (MapType) b;
            return ma.keyType().equals(mb.keyType()) && ma.valueType().equals(mb.valueType());
        }
        return a.equals(b);
    }
}
