package io.pubsubnative.spark.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SessionConfigJsonTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Test
    void defaultConfigHasEveryKeyOfTheContract() throws Exception {
        Map<String, String> m = new HashMap<>();
        m.put("subscriptionId", "projects/test-proj/subscriptions/sub-1");
        m.put("emulatorHost", "127.0.0.1:8085");
        String json = ReadOptions.parse(new CaseInsensitiveStringMap(m), Collections.emptyMap())
                .sessionConfigJson();
        JsonNode node = MAPPER.readTree(json);
        assertEquals(9, node.size(), json);
        assertEquals("projects/test-proj/subscriptions/sub-1", node.get("subscription").asText());
        assertEquals("https://pubsub.googleapis.com", node.get("endpoint").asText());
        assertEquals("127.0.0.1:8085", node.get("emulator_host").asText());
        assertTrue(node.get("credentials_path").isNull());
        assertEquals(100_000, node.get("max_outstanding_messages").asLong());
        assertEquals(104_857_600L, node.get("max_outstanding_bytes").asLong());
        assertEquals(3600, node.get("max_ack_extension_seconds").asLong());
        assertEquals(10_000, node.get("connect_timeout_ms").asLong());
        assertEquals(120_000, node.get("unreachable_timeout_ms").asLong());
    }

    @Test
    void everyKeyIsSentExplicitlyWithTheJavaDefaultWhenTheUserGaveNone() throws Exception {
        JsonNode node = MAPPER.readTree(ReadOptions.parse(
                Maps.options("subscriptionId", "projects/test-proj/subscriptions/sub-1"), Collections.emptyMap())
                .sessionConfigJson());
        assertEquals(List.of("subscription", "endpoint", "emulator_host", "credentials_path", "connect_timeout_ms",
                "max_outstanding_messages", "max_outstanding_bytes", "max_ack_extension_seconds",
                "unreachable_timeout_ms"), fieldNames(node));
        assertEquals(ConnectionOptions.DEFAULT_ENDPOINT, node.get("endpoint").asText());
        assertEquals(defaultOf(OptionCatalog.CONNECT_TIMEOUT_MS), node.get("connect_timeout_ms").asLong());
        assertEquals(defaultOf(OptionCatalog.MAX_OUTSTANDING_MESSAGES), node.get("max_outstanding_messages").asLong());
        assertEquals(defaultOf(OptionCatalog.MAX_OUTSTANDING_BYTES), node.get("max_outstanding_bytes").asLong());
        assertEquals(defaultOf(OptionCatalog.MAX_ACK_EXTENSION_SECONDS),
                node.get("max_ack_extension_seconds").asLong());
        assertEquals(defaultOf(OptionCatalog.UNREACHABLE_TIMEOUT_MS), node.get("unreachable_timeout_ms").asLong());
    }

    static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    static long defaultOf(NumericOption option) {
        return option.defaultValue().getAsLong();
    }

    @Test
    void noEmulatorGivesNullEmulatorHostAndEscapesPaths(@TempDir Path dir) throws Exception {
        Path creds = Files.writeString(dir.resolve("we\"ird\\name.json"), "{}");
        Map<String, String> m = new HashMap<>();
        m.put("subscriptionId", "sub-1");
        m.put("projectId", "test-proj");
        m.put("credentials", creds.toString());
        m.put("maxOutstandingMessages", "5");
        m.put("maxOutstandingBytes", "6");
        m.put("maxAckExtensionSeconds", "7");
        m.put("connectTimeoutMs", "8");
        m.put("unreachableTimeoutMs", "9000");
        JsonNode node = MAPPER.readTree(ReadOptions.parse(new CaseInsensitiveStringMap(m),
                Collections.emptyMap()).sessionConfigJson());
        assertTrue(node.get("emulator_host").isNull());
        assertEquals(creds.toAbsolutePath().toString(), node.get("credentials_path").asText());
        assertEquals(5, node.get("max_outstanding_messages").asLong());
        assertEquals(6, node.get("max_outstanding_bytes").asLong());
        assertEquals(7, node.get("max_ack_extension_seconds").asLong());
        assertEquals(8, node.get("connect_timeout_ms").asLong());
        assertEquals(9000, node.get("unreachable_timeout_ms").asLong());
    }
}
