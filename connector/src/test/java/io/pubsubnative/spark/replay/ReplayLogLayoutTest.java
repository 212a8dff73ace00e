package io.pubsubnative.spark.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;

class ReplayLogLayoutTest {

    private final ReplayLogLayout layout = new ReplayLogLayout(new Path("gs://bucket/cp/sources/0"), "inst-1");

    @Test
    void replayFilesAreKeptAcrossStreamInstances() {
        assertEquals("gs://bucket/cp/sources/0/replay-log/7/3.arrows", layout.logFile(7, 3).toString());
        assertEquals("gs://bucket/cp/sources/0/replay-log/7", layout.logDir(7).toString());
    }

    @Test
    void claimsAndMarkersArePerStreamInstance() {
        assertEquals("gs://bucket/cp/sources/0/replay-claims/inst-1/7/claim-3", layout.claimFile(7, 3).toString());
        assertEquals("gs://bucket/cp/sources/0/replay-claims/inst-1/7/superseded-3-12",
                layout.supersededMarker(7, 3, "12").toString());
    }

    @Test
    void tempFilesAreHiddenUniqueAndBesideTheirTarget() {
        Path first = layout.newLogTempFile(7, 3);
        Path second = layout.newLogTempFile(7, 3);
        assertNotEquals(first, second);
        assertEquals(layout.logDir(7), first.getParent());
        assertTrue(first.getName().matches("\\.3\\.arrows\\.[0-9a-f-]{36}\\.tmp"), first.getName());
        assertTrue(layout.newClaimTempFile(7, 3).getName().matches("\\.claim-3\\.[0-9a-f-]{36}\\.tmp"));
    }

    @Test
    void supersededMarkerNamesParseBackIncludingDashedExecutorIds() {
        assertEquals(new ReadClaims.Superseded(7, 3, "exec-12"),
                ReplayLogLayout.supersededOf(7, layout.supersededMarker(7, 3, "exec-12").getName()).orElseThrow());
        assertTrue(ReplayLogLayout.supersededOf(7, "claim-3").isEmpty());
        assertTrue(ReplayLogLayout.supersededOf(7, "superseded-x-12").isEmpty());
        assertTrue(ReplayLogLayout.supersededOf(7, "superseded-3-").isEmpty());
    }

    @Test
    void onlyDecimalNamesAreBatches() {
        assertEquals(12, ReplayLogLayout.batchOf("12").orElseThrow());
        assertTrue(ReplayLogLayout.batchOf("x").isEmpty());
        assertTrue(ReplayLogLayout.batchOf("-1").isEmpty());
        assertTrue(ReplayLogLayout.batchOf("99999999999999999999").isEmpty());
        assertTrue(ReplayLogLayout.batchOf("").isEmpty());
    }

    @Test
    void namesThatCannotBeFileNamesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new ReplayLogLayout(new Path("/cp/sources/0"), "a/b"));
        assertThrows(IllegalArgumentException.class, () -> layout.supersededMarker(7, 3, "host:1"));
        assertThrows(IllegalArgumentException.class, () -> layout.supersededMarker(7, 3, ""));
    }
}
