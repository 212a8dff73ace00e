package io.pubsubnative.spark.nativelib;

/**
 * A Pub/Sub gRPC call of the native library failed with a status (a connection that cannot be
 * established counts as {@code UNAVAILABLE}, as in gRPC). The native side constructs it through the
 * {@code (String, String, int)} constructor: keep it.
 */
public class PubSubRpcException extends NativeException {

    private static final long serialVersionUID = 1L;

    private final String status;
    private final int statusCode;

    /**
     * @param status the canonical name of the gRPC status, e.g. {@code NOT_FOUND}
     * @param statusCode its number, e.g. 5
     */
    public PubSubRpcException(String message, String status, int statusCode) {
        super(message);
        this.status = status;
        this.statusCode = statusCode;
    }

    /** The same failure as {@code cause}, with more context in the message. */
    public PubSubRpcException(String message, PubSubRpcException cause) {
        super(message, cause);
        this.status = cause.status;
        this.statusCode = cause.statusCode;
    }

    /** The canonical name of the gRPC status, e.g. {@code NOT_FOUND} or {@code UNAVAILABLE}. */
    public String status() {
        return status;
    }

    /** The number of the gRPC status, e.g. 5 for {@code NOT_FOUND}. */
    public int statusCode() {
        return statusCode;
    }
}
