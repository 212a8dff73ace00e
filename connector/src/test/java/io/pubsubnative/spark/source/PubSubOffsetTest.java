package io.pubsubnative.spark.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class PubSubOffsetTest {

    @Test
    void jsonRecordsTheBatchAndThePartitionCountAndRoundTrips() {
        PubSubOffset offset = new PubSubOffset(42, 8);
        assertEquals("{\"batch\":42,\"partitions\":8}", offset.json());
        assertEquals(offset, PubSubOffset.fromJson(offset.json()));
        PubSubOffset max = PubSubOffset.fromJson(new PubSubOffset(Long.MAX_VALUE, 1).json());
        assertEquals(Long.MAX_VALUE, max.value());
        assertEquals(1, max.partitions());
    }

    @Test
    void aBareNumberFromAnOlderCheckpointHasNoPartitionCount() {
        PubSubOffset old = PubSubOffset.fromJson(" 7\n");
        assertEquals(7, old.value());
        assertEquals(PubSubOffset.UNKNOWN_PARTITIONS, old.partitions());
    }

    @Test
    void malformedJsonIsRejectedNamingTheExpectedShape() {
        for (String bad : new String[] {"{\"a\":1}", "{\"batch\":1}", "{\"batch\":1,\"partitions\":-2}",
                "{\"batch\":\"x\",\"partitions\":1}", "abc", ""}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> PubSubOffset.fromJson(bad), bad);
            assertEquals("not a pubsub source offset (expected {\"batch\":<number>,\"partitions\":<number>}): '"
                    + bad + "'", e.getMessage());
        }
    }
}
