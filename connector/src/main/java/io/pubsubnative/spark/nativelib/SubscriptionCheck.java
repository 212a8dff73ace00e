package io.pubsubnative.spark.nativelib;

/** The driver-side fail-fast check of a subscription (GetSubscription through the native library). */
public final class SubscriptionCheck {

    private SubscriptionCheck() {
    }

    /**
     * Connects with the session config and calls GetSubscription. Returns
     * {@code {"ack_deadline_seconds":N,"message_ordering":bool,"dead_letter_policy":bool}}.
     *
     * @throws NativeException when the subscription does not exist, the host is unreachable, ...
     */
    public static String check(String configJson) {
        NativeLoader.ensureLoaded();
        return NativeBridge.checkSubscription(configJson);
    }
}
