package io.pubsubnative.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.apache.spark.sql.connector.catalog.Table;
import org.apache.spark.sql.connector.catalog.TableCapability;
import org.apache.spark.sql.connector.expressions.Transform;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;
import org.junit.jupiter.api.Test;

import io.pubsubnative.spark.source.RawSchema;

class PubSubProviderTest {

    private static final Transform[] NONE = new Transform[0];
    private final PubSubProvider provider = new PubSubProvider();

    @Test
    void registersShortNamePubsub() throws Exception {
        assertEquals("pubsub", provider.shortName());
        try (InputStream in = getClass().getResourceAsStream(
                "/META-INF/services/org.apache.spark.sql.sources.DataSourceRegister")) {
            String services = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(services.contains(PubSubProvider.class.getName()), services);
        }
    }

    @Test
    void infersTheRawSchemaAndAcceptsExternalMetadata() {
        assertTrue(provider.supportsExternalMetadata());
        assertEquals(RawSchema.SCHEMA, provider.inferSchema(CaseInsensitiveStringMap.empty()));
    }

    @Test
    void getTableValidatesReadOptions() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> provider.getTable(RawSchema.SCHEMA, NONE, Map.of()));
        assertTrue(e.getMessage().contains("Option 'subscriptionId' is required"), e.getMessage());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> provider.getTable(RawSchema.SCHEMA, NONE,
                        Map.of("subscriptionId", "projects/test-proj/subscriptions/sub-1", "parallelism", "0")));
        assertEquals("Option 'parallelism' must be an integer between 1 and 2147483647, got '0'", bad.getMessage());
    }

    @Test
    void readTableSupportsMicroBatchRead() {
        // getTable would also look the subscription up (covered by the integration tests).
        Table table = new PubSubTable("pubsub:projects/test-proj/subscriptions/sub-1");
        assertEquals("pubsub:projects/test-proj/subscriptions/sub-1", table.name());
        assertEquals(RawSchema.SCHEMA, table.schema());
        assertTrue(table.capabilities().contains(TableCapability.MICRO_BATCH_READ));
    }

    @Test
    void tableSupportsBatchAndStreamingWritesOfAnyInputSchema() {
        Table table = new PubSubTable("pubsub:projects/test-proj/topics/t1");
        assertTrue(table.capabilities().contains(TableCapability.BATCH_WRITE));
        assertTrue(table.capabilities().contains(TableCapability.STREAMING_WRITE));
        assertTrue(table.capabilities().contains(TableCapability.ACCEPT_ANY_SCHEMA));
    }

    @Test
    void writeInputSchemaWithoutOptionsSkipsReadValidation() {
        // A write that names each row's topic sets no topicId; Spark passes the input schema.
        Table table = provider.getTable(StructType.fromDDL("payload BINARY, topic STRING"), NONE, Map.of());
        assertEquals("pubsub:topic column", table.name());
    }

    @Test
    void topicOnlyTableSkipsReadValidation() {
        Table table = provider.getTable(RawSchema.SCHEMA, NONE, Map.of("topicId", "projects/test-proj/topics/t1"));
        assertEquals("pubsub:projects/test-proj/topics/t1", table.name());
    }

    @Test
    void userSchemaMustEqualTheRawSchema() {
        Map<String, String> options = Map.of("subscriptionId", "projects/test-proj/subscriptions/sub-1");
        StructType ddl = StructType.fromDDL("message_id STRING, publish_time TIMESTAMP, "
                + "attributes MAP<STRING,STRING>, payload BINARY, ordering_key STRING, delivery_attempt INT");
        assertTrue(RawSchema.matches(ddl), "a DDL schema equal to the raw one, nullability aside");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> provider.getTable(StructType.fromDDL("value STRING"), NONE, options));
        assertTrue(e.getMessage().contains("format 'raw' has a fixed schema"), e.getMessage());
        assertTrue(e.getMessage().contains("value STRING"), e.getMessage());
    }
}
