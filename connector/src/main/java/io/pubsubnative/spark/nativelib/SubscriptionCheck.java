package io.pubsubnative.spark.nativelib;

/** The driver-side fail-fast check of a subscription (GetSubscription through the native library). */
public final class SubscriptionCheck {

    private SubscriptionCheck() {
    }

    /**
     * Connects with the session config and calls GetSubscription. Returns
     * {@code {"ack_deadline_seconds":N,"message_ordering":bool,"dead_letter_policy":bool}}.
     *
     * @throws PubSubRpcException when the call fails with a status (NOT_FOUND: no such
     *         subscription; UNAVAILABLE: the host is unreachable, ...)
     * @throws IllegalArgumentException when the config is malformed
     */
    public static String check(String configJson) {
        NativeLoader.ensureLoaded();
        return NativeBridge.checkSubscription(configJson);
    }
}
