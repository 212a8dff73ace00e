package io.pubsubnative.spark.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Collections;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WriteOptionsTest {

    private static final String TOPIC = "projects/test-proj/topics/topic-1";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static WriteOptions parse(String... keyValues) {
        return WriteOptions.parse(Maps.options(keyValues), Collections.emptyMap());
    }

    private static String error(String... keyValues) {
        return assertThrows(IllegalArgumentException.class, () -> parse(keyValues)).getMessage();
    }

    /** The error for {@code option=value}, asserting it names the option and the value. */
    private static String rejected(String option, String value) {
        String msg = error("topicId", TOPIC, option, value);
        assertTrue(msg.startsWith("Option '" + option + "'"), msg);
        assertTrue(msg.contains("'" + value + "'"), msg);
        return msg;
    }

    @Test
    void defaultsApplyWhenOnlyTopicIsGiven() {
        WriteOptions o = parse("topicId", TOPIC);
        assertEquals(TOPIC, o.topic());
        assertEquals(1000, o.publishBatchSize());
        assertEquals(10_000_000L, o.publishBatchBytes());
        assertEquals(10, o.publishLingerMs());
        assertEquals(10, o.maxInFlightBatches());
        assertEquals(60_000, o.publishTimeoutMs());
        assertEquals(Compression.NONE, o.compression());
        assertEquals(134_217_728L, o.maxPendingBytes());
        assertEquals(1000, o.batchSize());
        assertEquals("https://pubsub.googleapis.com", o.connection().endpoint());
        assertNull(o.connection().emulatorHost());
        assertEquals(10_000, o.connection().connectTimeoutMs());
    }

    @Test
    void optionNamesAreCaseInsensitiveAndValuesAreParsed() {
        WriteOptions o = parse("TOPICID", TOPIC, "publishbatchsize", "7", "PublishBatchBytes", "1",
                "publishLingerMs", "0", "maxInFlightBatches", "1", "publishTimeoutMs", "1",
                "compression", "GZIP", "maxPendingBytes", "10000000", "batchSize", "100000",
                "emulatorHost", "127.0.0.1:8085", "connectTimeoutMs", "99");
        assertEquals(7, o.publishBatchSize());
        assertEquals(1, o.publishBatchBytes());
        assertEquals(0, o.publishLingerMs());
        assertEquals(1, o.maxInFlightBatches());
        assertEquals(1, o.publishTimeoutMs());
        assertEquals(Compression.GZIP, o.compression());
        assertEquals(10_000_000L, o.maxPendingBytes());
        assertEquals(100_000, o.batchSize());
        assertEquals("127.0.0.1:8085", o.connection().emulatorHost());
        assertEquals(99, o.connection().connectTimeoutMs());
    }

    @Test
    void topicIdIsOptionalBecauseRowsMayNameTheirTopic() {
        assertNull(parse("emulatorHost", "127.0.0.1:8085").topic());
    }

    @Test
    void shortTopicNameNeedsProjectId() {
        assertEquals(TOPIC, parse("topicId", "topic-1", "projectId", "test-proj").topic());
        String msg = error("topicId", "topic-1");
        assertTrue(msg.contains("Option 'topicId' is a short name ('topic-1')"), msg);
        assertTrue(msg.contains("projects/<project>/topics/topic-1"), msg);
    }

    @Test
    void malformedTopicPathsAreRejected() {
        String sub = error("topicId", "projects/test-proj/subscriptions/s1");
        assertTrue(sub.contains("Option 'topicId' must be 'projects/<project>/topics/<topic>'"), sub);
        assertTrue(sub.contains("'projects/test-proj/subscriptions/s1'"), sub);
        assertTrue(error("topicId", "projects/test-proj/topics/t1").contains("invalid topic id 't1'"));
        assertTrue(error("topicId", "projects/test-proj/topics/goog-t").contains("invalid topic id 'goog-t'"));
        assertTrue(error("topicId", "projects/Bad_Proj/topics/topic-1").contains("invalid project id 'Bad_Proj'"));
        String mismatch = error("topicId", TOPIC, "projectId", "other-proj");
        assertTrue(mismatch.contains("Option 'projectId' ('other-proj') does not match"), mismatch);
    }

    @Test
    void publishBatchSizeMustBeBetweenOneAndThousand() {
        for (String bad : new String[] {"0", "1001", "-1", "many"}) {
            assertTrue(rejected("publishBatchSize", bad).contains("between 1 and 1000"));
        }
    }

    @Test
    void publishBatchBytesMustBeBetweenOneAndTenMillion() {
        for (String bad : new String[] {"0", "10000001", "1.5"}) {
            assertTrue(rejected("publishBatchBytes", bad).contains("between 1 and 10000000"));
        }
    }

    @Test
    void publishLingerMsMustNotBeNegative() {
        for (String bad : new String[] {"-1", "soon"}) {
            assertTrue(rejected("publishLingerMs", bad).contains("at least 0"));
        }
    }

    @Test
    void maxInFlightBatchesMustBePositive() {
        for (String bad : new String[] {"0", "-3", "x", "2147483648"}) {
            assertTrue(rejected("maxInFlightBatches", bad).contains("between 1 and 2147483647"));
        }
    }

    @Test
    void publishTimeoutMsMustBePositive() {
        for (String bad : new String[] {"0", "-1", "1m"}) {
            assertTrue(rejected("publishTimeoutMs", bad).contains("at least 1"));
        }
    }

    @Test
    void compressionMustBeNoneOrGzip() {
        assertEquals("Option 'compression' has unknown value 'zstd'; valid values: none (default), gzip",
                error("topicId", TOPIC, "compression", "zstd"));
    }

    @Test
    void maxPendingBytesMustHoldOneFullRequest() {
        for (String bad : new String[] {"9999999", "0", "lots"}) {
            assertTrue(rejected("maxPendingBytes", bad).contains("at least 10000000"));
        }
    }

    @Test
    void batchSizeMustBeBetweenOneAndHundredThousand() {
        for (String bad : new String[] {"0", "100001"}) {
            assertTrue(rejected("batchSize", bad).contains("between 1 and 100000"));
        }
    }

    @Test
    void connectionOptionsAreValidatedAsForReads(@TempDir Path dir) {
        assertTrue(rejected("emulatorHost", "localhost").contains("host:port"));
        assertTrue(rejected("endpoint", "pubsub.googleapis.com").contains("http(s) URL"));
        assertTrue(rejected("connectTimeoutMs", "0").contains("between 1 and 600000"));
        String missing = dir.resolve("nope.json").toString();
        String creds = error("topicId", TOPIC, "credentials", missing);
        assertTrue(creds.contains("Option 'credentials'") && creds.contains(missing), creds);
    }

    @Test
    void publisherConfigJsonHasExactlyTheContractKeys() throws Exception {
        JsonNode node = MAPPER.readTree(parse("topicId", TOPIC, "emulatorHost", "127.0.0.1:8085",
                "publishBatchSize", "500", "compression", "gzip", "publishLingerMs", "0").publisherConfigJson());
        assertEquals(12, node.size(), node.toString());
        assertEquals(TOPIC, node.get("topic").asText());
        assertEquals("https://pubsub.googleapis.com", node.get("endpoint").asText());
        assertEquals("127.0.0.1:8085", node.get("emulator_host").asText());
        assertTrue(node.get("credentials_path").isNull());
        assertEquals(10_000, node.get("connect_timeout_ms").asLong());
        assertEquals(500, node.get("batch_size").asInt());
        assertEquals(10_000_000L, node.get("batch_bytes").asLong());
        assertEquals(0, node.get("linger_ms").asLong());
        assertEquals(10, node.get("max_in_flight_batches").asInt());
        assertEquals(60_000, node.get("publish_timeout_ms").asLong());
        assertEquals("gzip", node.get("compression").asText());
        assertEquals(134_217_728L, node.get("max_pending_bytes").asLong());
    }

    @Test
    void everyPublisherKeyIsSentExplicitlyWithTheJavaDefaultWhenTheUserGaveNone() throws Exception {
        JsonNode node = MAPPER.readTree(parse().publisherConfigJson());
        assertEquals(List.of("topic", "endpoint", "emulator_host", "credentials_path", "connect_timeout_ms",
                "batch_size", "batch_bytes", "linger_ms", "max_in_flight_batches", "publish_timeout_ms",
                "compression", "max_pending_bytes"), SessionConfigJsonTest.fieldNames(node));
        assertEquals(SessionConfigJsonTest.defaultOf(OptionCatalog.CONNECT_TIMEOUT_MS),
                node.get("connect_timeout_ms").asLong());
        assertEquals(SessionConfigJsonTest.defaultOf(OptionCatalog.PUBLISH_BATCH_SIZE), node.get("batch_size").asLong());
        assertEquals(SessionConfigJsonTest.defaultOf(OptionCatalog.PUBLISH_BATCH_BYTES),
                node.get("batch_bytes").asLong());
        assertEquals(SessionConfigJsonTest.defaultOf(OptionCatalog.PUBLISH_LINGER_MS), node.get("linger_ms").asLong());
        assertEquals(SessionConfigJsonTest.defaultOf(OptionCatalog.MAX_IN_FLIGHT_BATCHES),
                node.get("max_in_flight_batches").asLong());
        assertEquals(SessionConfigJsonTest.defaultOf(OptionCatalog.PUBLISH_TIMEOUT_MS),
                node.get("publish_timeout_ms").asLong());
        assertEquals(SessionConfigJsonTest.defaultOf(OptionCatalog.MAX_PENDING_BYTES),
                node.get("max_pending_bytes").asLong());
    }

    @Test
    void publisherConfigJsonHasNullTopicWhenRowsNameTheirTopic() throws Exception {
        JsonNode node = MAPPER.readTree(parse("emulatorHost", "127.0.0.1:8085").publisherConfigJson());
        assertTrue(node.get("topic").isNull(), node.toString());
        assertEquals("none", node.get("compression").asText());
    }
}
