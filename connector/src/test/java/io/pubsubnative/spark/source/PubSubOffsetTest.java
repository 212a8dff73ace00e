package io.pubsubnative.spark.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class PubSubOffsetTest {

    @Test
    void jsonIsTheBareNumberAndRoundTrips() {
        PubSubOffset offset = new PubSubOffset(42);
        assertEquals("42", offset.json());
        assertEquals(offset, PubSubOffset.fromJson(offset.json()));
        assertEquals(Long.MAX_VALUE, PubSubOffset.fromJson(Long.toString(Long.MAX_VALUE)).value());
        assertEquals(7, PubSubOffset.fromJson(" 7\n").value());
    }

    @Test
    void nonNumericJsonIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PubSubOffset.fromJson("{\"a\":1}"));
        assertEquals("not a pubsub source offset (expected a number): '{\"a\":1}'", e.getMessage());
    }
}
