package io.pubsubnative.spark.nativelib;

import io.pubsubnative.spark.ack.SessionRegistry;

/** Diagnostics of the native library, used by tests and metrics. */
public final class NativeDiagnostics {

    private NativeDiagnostics() {
    }

    /** Bytes currently allocated by the native library. */
    public static long allocatedBytes() {
        NativeLoader.ensureLoaded();
        return NativeBridge.allocatedBytes();
    }

    /** Subscriber sessions currently open in this JVM's {@link SessionRegistry}. */
    public static int openSessionCount() {
        return SessionRegistry.get().openSessionCount();
    }

    /** Panics inside the native panic barrier; must throw {@link NativeException} with the message. */
    public static void panicForTest(String message) {
        NativeLoader.ensureLoaded();
        NativeBridge.panicForTest(message);
    }

}
