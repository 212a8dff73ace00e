package io.pubsubnative.spark.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.File;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReadClaimsTest {

    private static ReadClaims claims(File checkpoint) throws IOException {
        return new ReadClaims(FileSystem.getLocal(new Configuration()),
                new ReplayLogLayout(new Path(new File(checkpoint, "sources/0").toURI()), "inst-1"));
    }

    @Test
    void firstClaimerWinsAndLaterOnesLearnTheHolder(@TempDir File checkpoint) throws IOException {
        ReadClaims claims = claims(checkpoint);
        assertEquals("1", claims.claim(5, 0, "1"));
        assertEquals("1", claims.claim(5, 0, "2"));
        assertEquals("1", claims.claim(5, 0, "1"));
        assertEquals("2", claims.claim(5, 1, "2"));
        assertEquals("2", claims.claim(6, 0, "2"));
        File dir = new File(checkpoint, "sources/0/replay-claims/inst-1/5");
        assertEquals(List.of("claim-0", "claim-1"), List.of(dir.list()).stream().sorted().toList(),
                "no temp or .crc files are left");
    }

    @Test
    void racingClaimersAgreeOnOneHolder(@TempDir File checkpoint) throws Exception {
        ReadClaims claims = claims(checkpoint);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int batch = 0; batch < 50; batch++) {
                long b = batch;
                CyclicBarrier start = new CyclicBarrier(2);
                Future<String> first = pool.submit(() -> {
                    start.await();
                    return claims.claim(b, 0, "1");
                });
                Future<String> second = pool.submit(() -> {
                    start.await();
                    return claims.claim(b, 0, "2");
                });
                String holder = first.get();
                assertEquals(holder, second.get(), "both learn the same holder of batch " + batch);
                assertEquals(holder, claims.claim(b, 0, "3"));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void supersededMarkersAreListedOnlyThroughTheCommittedBatch(@TempDir File checkpoint) throws IOException {
        ReadClaims claims = claims(checkpoint);
        claims.claim(3, 1, "7");
        claims.markSuperseded(3, 1, "7");
        claims.markSuperseded(3, 1, "7");
        claims.markSuperseded(4, 0, "exec-2");
        claims.markSuperseded(3, 0, "9");
        claims.markSuperseded(6, 2, "3");

        assertEquals(List.of(new ReadClaims.Superseded(3, 0, "9"), new ReadClaims.Superseded(3, 1, "7"),
                        new ReadClaims.Superseded(4, 0, "exec-2")),
                claims.supersededThrough(4));
        assertEquals(List.of(), claims.supersededThrough(2));
    }

    @Test
    void noClaimsDirectoryListsNoMarkers(@TempDir File checkpoint) throws IOException {
        assertEquals(List.of(), claims(checkpoint).supersededThrough(10));
    }
}
