package io.pubsubnative.spark.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.spark.sql.util.CaseInsensitiveStringMap;
import org.junit.jupiter.api.Test;

import io.pubsubnative.spark.config.WriteOptions;
import io.pubsubnative.spark.nativelib.PubSubRpcException;

/**
 * Spark builds a write for every micro-batch of a streaming query; the table's validation asks
 * Pub/Sub about a topic once, so a service blip between batches cannot fail the running query.
 */
class TopicValidationTest {

    private static final String TOPIC_A = "projects/test-proj/topics/topic-a";
    private static final String TOPIC_B = "projects/test-proj/topics/topic-b";

    private final List<String> asked = new ArrayList<>();
    private boolean unavailable;

    private final TopicValidation validation = new TopicValidation(json -> {
        asked.add(json.contains(TOPIC_A) ? TOPIC_A : TOPIC_B);
        if (unavailable) {
            throw new PubSubRpcException("connection refused", "UNAVAILABLE", 14);
        }
        return json.contains(TOPIC_A) ? TOPIC_A : TOPIC_B;
    });

    private static WriteOptions write(String topic) {
        Map<String, String> options = new HashMap<>();
        options.put("topicId", topic);
        options.put("emulatorHost", "127.0.0.1:8085");
        return WriteOptions.parse(new CaseInsensitiveStringMap(options), Map.of());
    }

    @Test
    void aTopicFoundOnceIsNotAskedAboutAgainEvenWhileTheServiceIsDown() {
        validation.requireExists(write(TOPIC_A));
        unavailable = true;
        validation.requireExists(write(TOPIC_A));
        validation.requireExists(write(TOPIC_A));
        assertEquals(List.of(TOPIC_A), asked);
    }

    @Test
    void aFailedCheckFailsTheWriteAndTheNextWriteChecksAgain() {
        unavailable = true;
        RuntimeException e = assertThrows(RuntimeException.class, () -> validation.requireExists(write(TOPIC_A)));
        assertTrue(e.getMessage().contains("UNAVAILABLE"), e.getMessage());
        unavailable = false;
        validation.requireExists(write(TOPIC_A));
        assertEquals(List.of(TOPIC_A, TOPIC_A), asked);
    }

    @Test
    void anotherTopicIsCheckedOnItsOwn() {
        validation.requireExists(write(TOPIC_A));
        validation.requireExists(write(TOPIC_B));
        assertEquals(List.of(TOPIC_A, TOPIC_B), asked);
    }
}
