package io.pubsubnative.spark.nativelib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Loads the bundled native library. Skipped only when the build ran with -Dnative.skip=true; a
 * normal build without the library fails here.
 */
class NativeLibraryTest {

    private static final String UNREACHABLE_CONFIG = "{\"subscription\":\"projects/test-proj/subscriptions/sub-1\","
            + "\"endpoint\":\"https://pubsub.googleapis.com\",\"emulator_host\":\"127.0.0.1:1\","
            + "\"credentials_path\":null,\"max_outstanding_messages\":1000,"
            + "\"max_outstanding_bytes\":1048576,\"max_ack_extension_seconds\":60,\"connect_timeout_ms\":500}";

    @BeforeAll
    static void requireLibrary() {
        assumeFalse(Boolean.getBoolean("native.skip"), "built with -Dnative.skip=true");
        assertTrue(NativeLibraryTest.class.getResource(NativeLoader.RESOURCE) != null,
                NativeLoader.RESOURCE + " must be on the classpath when native.skip is false");
    }

    @Test
    void libraryLoadsAndAbiVersionMatches() {
        NativeLoader.ensureLoaded();
        assertEquals(NativeLoader.ABI_VERSION, NativeBridge.abiVersion());
        assertTrue(NativeDiagnostics.allocatedBytes() >= 0);
    }

    @Test
    void nativePanicBecomesNativeExceptionWithTheMessage() {
        NativeException e = assertThrows(NativeException.class, () -> NativeDiagnostics.panicForTest("boom"));
        assertTrue(e.getMessage().contains("boom"), e.getMessage());
        // The library stays usable after a panic.
        assertEquals(NativeLoader.ABI_VERSION, NativeBridge.abiVersion());
    }

    @Test
    void checkSubscriptionOnUnreachableHostIsAnUnavailableRpcFailureNamingTheHost() {
        PubSubRpcException e = assertThrows(PubSubRpcException.class,
                () -> SubscriptionCheck.check(UNREACHABLE_CONFIG));
        assertTrue(e.getMessage().contains("127.0.0.1:1"), e.getMessage());
        assertEquals("UNAVAILABLE", e.status());
        assertEquals(14, e.statusCode());
    }

    @Test
    void badConfigReachesJavaAsIllegalArgumentException() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SubscriptionCheck.check("{\"subscription\":\"sub-1\"}"));
        assertTrue(e.getMessage().contains("projects/<project>/subscriptions/<name>"), e.getMessage());
        IllegalArgumentException unknownKey = assertThrows(IllegalArgumentException.class,
                () -> Publisher.open("t", "{\"lingerMs\":5}"));
        assertTrue(unknownKey.getMessage().contains("lingerMs"), unknownKey.getMessage());
    }

    @Test
    void sessionClosesExactlyOnceAndRefusesLaterCalls() {
        SubscriberSession session = SubscriberSession.open("projects/test-proj/subscriptions/sub-1", UNREACHABLE_CONFIG);
        assertFalse(session.isClosed());
        assertEquals(SubscriberSession.METRIC_COUNT, session.metrics().length);
        session.close();
        session.close();
        assertTrue(session.isClosed());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> session.ackThrough(1));
        assertTrue(e.getMessage().contains("projects/test-proj/subscriptions/sub-1"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> session.fetch(1, 10, 1024, 1, 0, 0));
    }
}
