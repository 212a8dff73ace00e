package io.pubsubnative.spark.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CheckpointLayoutTest {

    @Test
    void commitLogIsBesideTheSourcesFolder() {
        CheckpointLayout layout = CheckpointLayout.of("file:/tmp/ckpt/sources/3");
        assertEquals("file:/tmp/ckpt/sources/3", layout.sourceRoot().toString());
        assertEquals("file:/tmp/ckpt/commits", layout.commitsDir().toString());
    }

    @Test
    void unexpectedLayoutFailsClearly() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> CheckpointLayout.of("/tmp/ckpt/offsets/0"));
        assertTrue(e.getMessage().contains("'/tmp/ckpt/offsets/0'"), e.getMessage());
        assertTrue(e.getMessage().contains("<checkpointLocation>/sources/<n>"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> CheckpointLayout.of("/tmp/ckpt/sources/x"));
    }
}
