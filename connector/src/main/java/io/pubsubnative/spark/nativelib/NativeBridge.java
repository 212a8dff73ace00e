package io.pubsubnative.spark.nativelib;

/**
 * The JNI entry points of {@code libpubsub_spark_native} (docs/architecture.md). Every method may
 * throw {@link IllegalArgumentException} (a bad argument or config), {@link PubSubRpcException} (a
 * gRPC call failed; it carries the status) or {@link NativeException} (anything else). Callers must run {@link NativeLoader#ensureLoaded()} first; this
 * class deliberately has no static initializer so that a failed load surfaces its real cause.
 */
final class NativeBridge {

    private NativeBridge() {
    }

    static native int abiVersion();

    static native long allocatedBytes();

    static native String checkSubscription(String configJson);

    static native long openSubscriber(String configJson);

    static native int fetch(long handle, long batchId, int maxRows, long maxBytes, long waitMs,
                            long arrayAddr, long schemaAddr);

    static native long beginRead(long handle, long batchId, boolean acknowledge);

    static native void completeRead(long handle, long batchId);

    static native void abortRead(long handle, long batchId);

    static native void ackBatch(long handle, long batchId);

    static native void ackThrough(long handle, long committedBatchId);

    static native void nackBatch(long handle, long batchId);

    static native boolean streamConnected(long handle);

    static native long[] metrics(long handle);

    static native void closeSubscriber(long handle);

    static native String checkTopic(String publisherConfigJson);

    static native long openPublisher(String publisherConfigJson);

    static native void publish(long handle, long arrayAddr, long schemaAddr);

    static native long flush(long handle);

    static native long[] publisherMetrics(long handle);

    static native void closePublisher(long handle);

    static native void panicForTest(String message);
}
