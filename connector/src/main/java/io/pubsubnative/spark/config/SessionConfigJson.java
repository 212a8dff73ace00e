package io.pubsubnative.spark.config;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** Builds the session config JSON of docs/architecture.md from {@link ReadOptions}. */
final class SessionConfigJson {

    private SessionConfigJson() {
    }

    static String of(ReadOptions options) {
        ObjectNode node = ConfigJson.newObject();
        node.put("subscription", options.subscription());
        options.connection().putInto(node);
        node.put("max_outstanding_messages", options.maxOutstandingMessages());
        node.put("max_outstanding_bytes", options.maxOutstandingBytes());
        node.put("max_ack_extension_seconds", options.maxAckExtensionSeconds());
        node.put("unreachable_timeout_ms", options.unreachableTimeoutMs());
        return ConfigJson.write(node, "session");
    }
}
