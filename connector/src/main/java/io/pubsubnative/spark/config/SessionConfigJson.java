package io.pubsubnative.spark.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Builds the session config JSON of docs/architecture.md from {@link ReadOptions}. */
final class SessionConfigJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private SessionConfigJson() {
    }

    static String of(ReadOptions options) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("subscription", options.subscription());
        node.put("endpoint", options.endpoint());
        node.put("emulator_host", options.emulatorHost());
        node.put("credentials_path", options.credentialsPath());
        node.put("max_outstanding_messages", options.maxOutstandingMessages());
        node.put("max_outstanding_bytes", options.maxOutstandingBytes());
        node.put("max_ack_extension_seconds", options.maxAckExtensionSeconds());
        node.put("connect_timeout_ms", options.connectTimeoutMs());
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("could not write the session config JSON", e);
        }
    }
}
