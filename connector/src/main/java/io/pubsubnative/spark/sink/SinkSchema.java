package io.pubsubnative.spark.sink;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The sink's input columns, checked once when the write starts: {@code payload} (BINARY or STRING,
 * required), {@code attributes} (MAP&lt;STRING,STRING&gt;), {@code ordering_key} (STRING) and
 * {@code topic} (STRING). Names are matched exactly (lower case). Any other column is rejected, so
 * that a misspelt column never silently drops data; select the columns before writing.
 */
public final class SinkSchema implements Serializable {

    private static final long serialVersionUID = 1L;

    public static final String PAYLOAD = "payload";
    public static final String ATTRIBUTES = "attributes";
    public static final String ORDERING_KEY = "ordering_key";
    public static final String TOPIC = "topic";

    static final String ALLOWED = "payload (BINARY or STRING, required), attributes (MAP<STRING,STRING>), "
            + "ordering_key (STRING), topic (STRING)";
    private static final Set<String> COLUMNS = Set.of(PAYLOAD, ATTRIBUTES, ORDERING_KEY, TOPIC);
    private static final int ABSENT = -1;

    private final int payload;
    private final boolean payloadIsString;
    private final int attributes;
    private final int orderingKey;
    private final int topic;

    private SinkSchema(int payload, boolean payloadIsString, int attributes, int orderingKey, int topic) {
        this.payload = payload;
        this.payloadIsString = payloadIsString;
        this.attributes = attributes;
        this.orderingKey = orderingKey;
        this.topic = topic;
    }

    /**
     * Validates the input schema of a write.
     *
     * @param hasDefaultTopic whether option {@code topicId} is set; without it a {@code topic}
     *                        column is required
     * @throws IllegalArgumentException naming the column, its type and what is valid
     */
    public static SinkSchema validate(StructType schema, boolean hasDefaultTopic) {
        List<String> unknown = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (StructField f : schema.fields()) {
            if (!seen.add(f.name())) {
                throw new IllegalArgumentException(String.format(
                        "The pubsub sink's input has two columns named '%s'; input columns: %s",
                        f.name(), columns(schema)));
            }
            if (!COLUMNS.contains(f.name())) {
                unknown.add("'" + f.name() + "'");
            }
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException(String.format(
                    "The pubsub sink does not accept the column(s) %s; allowed columns: %s. "
                            + "Select or rename the columns before writing (input columns: %s)",
                    String.join(", ", unknown), ALLOWED, columns(schema)));
        }
        if (!seen.contains(PAYLOAD)) {
            throw new IllegalArgumentException(String.format(
                    "The pubsub sink needs a column 'payload' (BINARY or STRING); input columns: %s",
                    columns(schema)));
        }
        DataType payloadType = typeOf(schema, PAYLOAD);
        if (!(payloadType instanceof BinaryType) && !(payloadType instanceof StringType)) {
            throw typeError(PAYLOAD, payloadType, "BINARY or STRING");
        }
        if (seen.contains(ATTRIBUTES) && !isStringMap(typeOf(schema, ATTRIBUTES))) {
            throw typeError(ATTRIBUTES, typeOf(schema, ATTRIBUTES), "MAP<STRING,STRING>");
        }
        for (String name : new String[] {ORDERING_KEY, TOPIC}) {
            if (seen.contains(name) && !(typeOf(schema, name) instanceof StringType)) {
                throw typeError(name, typeOf(schema, name), "STRING");
            }
        }
        if (!hasDefaultTopic && !seen.contains(TOPIC)) {
            throw new IllegalArgumentException(
                    "Option 'topicId' is not set and the input has no column 'topic': set 'topicId' to "
                            + "'projects/<project>/topics/<topic>' (or a topic name with 'projectId'), or "
                            + "name every row's topic in a STRING column 'topic'");
        }
        return new SinkSchema(schema.fieldIndex(PAYLOAD), payloadType instanceof StringType,
                indexOf(schema, ATTRIBUTES), indexOf(schema, ORDERING_KEY), indexOf(schema, TOPIC));
    }

    /** Ordinal of {@code payload} in the input row. */
    int payload() {
        return payload;
    }

    boolean payloadIsString() {
        return payloadIsString;
    }

    /** Ordinal of {@code attributes}, or -1 when absent. */
    int attributes() {
        return attributes;
    }

    /** Ordinal of {@code ordering_key}, or -1 when absent. */
    int orderingKey() {
        return orderingKey;
    }

    /** Ordinal of {@code topic}, or -1 when absent. */
    int topic() {
        return topic;
    }

    static boolean present(int ordinal) {
        return ordinal != ABSENT;
    }

    private static boolean isStringMap(DataType type) {
        return type instanceof MapType map && map.keyType() instanceof StringType
                && map.valueType() instanceof StringType;
    }

    private static DataType typeOf(StructType schema, String name) {
        return schema.apply(name).dataType();
    }

    private static int indexOf(StructType schema, String name) {
        return schema.getFieldIndex(name).isDefined() ? schema.fieldIndex(name) : ABSENT;
    }

    private static IllegalArgumentException typeError(String column, DataType actual, String valid) {
        return new IllegalArgumentException(String.format(
                "Column '%s' of the pubsub sink must be %s, got %s", column, valid, actual.sql()));
    }

    private static String columns(StructType schema) {
        return schema.fields().length == 0 ? "(none)" : schema.simpleString();
    }
}
