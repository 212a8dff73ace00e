package io.pubsubnative.spark.nativelib;

/**
 * Thrown by the native library (from its panic barrier) when a Rust error or panic happens that is
 * neither the caller's bad input ({@link IllegalArgumentException}) nor a failed gRPC call
 * ({@link PubSubRpcException}). The native side constructs it through the {@code (String)}
 * constructor: keep it.
 */
public class NativeException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public NativeException(String message) {
        super(message);
    }

    protected NativeException(String message, Throwable cause) {
        super(message, cause);
    }
}
