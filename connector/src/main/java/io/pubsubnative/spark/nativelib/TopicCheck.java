package io.pubsubnative.spark.nativelib;

/** The driver-side fail-fast check of a topic (GetTopic through the native library). */
public final class TopicCheck {

    private TopicCheck() {
    }

    /**
     * Connects with the publisher config and calls GetTopic on its topic; returns the topic's name.
     *
     * @throws PubSubRpcException when the call fails with a status (NOT_FOUND: no such topic;
     *         UNAVAILABLE: the host is unreachable, ...)
     * @throws IllegalArgumentException when the config is malformed
     */
    public static String check(String publisherConfigJson) {
        NativeLoader.ensureLoaded();
        return NativeBridge.checkTopic(publisherConfigJson);
    }
}
