package io.pubsubnative.spark.nativelib;

/** The driver-side fail-fast check of a topic (GetTopic through the native library). */
public final class TopicCheck {

    private TopicCheck() {
    }

    /**
     * Connects with the publisher config and calls GetTopic on its topic; returns the topic's name.
     *
     * @throws NativeException when the topic does not exist, the host is unreachable, ...
     */
    public static String check(String publisherConfigJson) {
        NativeLoader.ensureLoaded();
        return NativeBridge.checkTopic(publisherConfigJson);
    }
}
