package io.pubsubnative.spark.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** emulatorHost option > explicit endpoint/credentials > PUBSUB_EMULATOR_HOST > default endpoint. */
class EmulatorHostPrecedenceTest {

    private static final String SUB = "projects/test-proj/subscriptions/sub-1";
    private static final String TOPIC = "projects/test-proj/topics/topic-1";
    private static final Map<String, String> ENV = Map.of("PUBSUB_EMULATOR_HOST", "localhost:8681");

    private final List<String> warnings = new ArrayList<>();

    private ConnectionOptions read(String... keyValues) {
        List<String> all = new ArrayList<>(List.of("subscriptionId", SUB));
        all.addAll(List.of(keyValues));
        return ReadOptions.parse(Maps.options(all.toArray(new String[0])), ENV, warnings::add).connection();
    }

    @Test
    void theEmulatorHostOptionBeatsExplicitEndpointAndEnvironment() {
        ConnectionOptions c = read("emulatorHost", "127.0.0.1:1", "endpoint", "https://eu.example:443");
        assertEquals("127.0.0.1:1", c.emulatorHost());
        assertEquals(List.of(), warnings);
    }

    @Test
    void anExplicitEndpointBeatsTheEnvironmentVariableWithAWarningNamingBoth() {
        ConnectionOptions c = read("endpoint", "https://eu.example:443");
        assertNull(c.emulatorHost());
        assertEquals("https://eu.example:443", c.endpoint());
        assertEquals(List.of("Ignoring environment variable PUBSUB_EMULATOR_HOST='localhost:8681' because "
                + "option 'endpoint' ('https://eu.example:443') is set; set option 'emulatorHost' to use an "
                + "emulator"), warnings);
    }

    @Test
    void explicitCredentialsBeatTheEnvironmentVariableWithAWarningNamingBoth(@TempDir Path dir)
            throws IOException {
        Path key = Files.writeString(dir.resolve("sa.json"), "{}");
        ConnectionOptions c = read("credentials", key.toString());
        assertNull(c.emulatorHost());
        assertEquals("https://pubsub.googleapis.com", c.endpoint());
        assertEquals(key.toAbsolutePath().toString(), c.credentialsPath());
        assertEquals(1, warnings.size());
        assertTrue(warnings.get(0).contains("PUBSUB_EMULATOR_HOST='localhost:8681'")
                && warnings.get(0).contains("option 'credentials' ('" + key + "')"), warnings.get(0));
    }

    @Test
    void theEnvironmentVariableBeatsTheDefaultEndpoint() {
        assertEquals("localhost:8681", read().emulatorHost());
        assertEquals(List.of(), warnings);
    }

    @Test
    void writesFollowTheSameOrder() {
        ConnectionOptions c = WriteOptions.parse(Maps.options("topicId", TOPIC, "endpoint", "https://eu.example"),
                ENV, warnings::add).connection();
        assertNull(c.emulatorHost());
        assertEquals("https://eu.example", c.endpoint());
        assertEquals(1, warnings.size());
        assertEquals("localhost:8681", WriteOptions.parse(Maps.options("topicId", TOPIC), ENV, warnings::add)
                .connection().emulatorHost());
    }
}
