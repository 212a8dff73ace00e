package io.pubsubnative.spark.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Writes the JSON configs handed to the native library (docs/architecture.md). */
final class ConfigJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private ConfigJson() {
    }

    static ObjectNode newObject() {
        return MAPPER.createObjectNode();
    }

    static String write(ObjectNode node, String what) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("could not write the " + what + " config JSON", e);
        }
    }
}
