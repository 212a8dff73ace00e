package io.pubsubnative.spark.nativelib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

class HandleGuardTest {

    @Test
    void closeRunsOnceAndCallsAfterItThrowNamingTheHandle() {
        HandleGuard guard = new HandleGuard("the publisher of projects/p/topics/t1");
        AtomicInteger closes = new AtomicInteger();
        assertEquals(7, guard.call(() -> 7));
        assertFalse(guard.isClosed());
        guard.closeOnce(closes::incrementAndGet);
        guard.closeOnce(closes::incrementAndGet);
        assertEquals(1, closes.get());
        assertTrue(guard.isClosed());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> guard.run(() -> { }));
        assertEquals("the publisher of projects/p/topics/t1 is closed", e.getMessage());
        assertThrows(IllegalStateException.class, () -> guard.call(() -> 1));
    }

    @Test
    void closeWaitsForACallInFlight() throws Exception {
        HandleGuard guard = new HandleGuard("handle");
        CountDownLatch inCall = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean closedDuringCall = new AtomicBoolean();
        AtomicBoolean callDone = new AtomicBoolean();
        Thread caller = new Thread(() -> guard.run(() -> {
            inCall.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            callDone.set(true);
        }));
        caller.start();
        assertTrue(inCall.await(10, TimeUnit.SECONDS));
        Thread closer = new Thread(() -> guard.closeOnce(() -> closedDuringCall.set(!callDone.get())));
        closer.start();
        // the closer must be parked on the lock before the call may finish
        while (closer.getState() != Thread.State.WAITING) {
            assertTrue(closer.isAlive(), "close returned while a call was in flight");
            Thread.onSpinWait();
        }
        release.countDown();
        caller.join();
        closer.join();
        assertTrue(guard.isClosed());
        assertFalse(closedDuringCall.get(), "close ran while a call was in flight");
    }
}
