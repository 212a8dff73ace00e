package io.pubsubnative.spark.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.pubsubnative.spark.replay.ReadClaims;
import io.pubsubnative.spark.replay.ReplayLogLayout;

class ReadHoldersTest {

    private static final String SUB = "projects/p/subscriptions/s";

    private static ReadClaims claims(File checkpoint) throws IOException {
        ReplayLogLayout layout = new ReplayLogLayout(new Path(new File(checkpoint, "sources/0").toURI()), "run-1");
        return new ReadClaims(FileSystem.getLocal(new Configuration()), layout);
    }

    @Test
    void theFirstReaderHoldsTheBatchAndItsOwnRetryStillDoes(@TempDir File checkpoint) throws IOException {
        ReadClaims claims = claims(checkpoint);
        assertTrue(ReadHolders.claim(claims, 4, 1, "exec-a", SUB));
        assertTrue(ReadHolders.claim(claims, 4, 1, "exec-a", SUB));
    }

    @Test
    void aReReadOnAnotherExecutorWhileTheHolderMayLiveFailsNamingTheWaysOut(@TempDir File checkpoint)
            throws IOException {
        ReadClaims claims = claims(checkpoint);
        ReadHolders.claim(claims, 4, 1, "exec-a", SUB);
        // Outside a running Spark application the driver cannot be asked: the holder counts as alive.
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> ReadHolders.claim(claims, 4, 1, "exec-b", SUB));
        String message = e.getMessage();
        assertTrue(message.contains("batch 4 partition 1 of " + SUB + " on executor exec-b"), message);
        assertTrue(message.contains("first read by executor exec-a"), message);
        assertTrue(message.contains("persist()"), message);
        assertTrue(message.contains(".option(\"replayLog\", \"checkpoint\")"), message);
        assertEquals(0, claims.supersededThrough(10).size(), "a live holder's read is not superseded");
    }
}
