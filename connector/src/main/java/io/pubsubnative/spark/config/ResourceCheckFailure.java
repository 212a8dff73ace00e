package io.pubsubnative.spark.config;

import io.pubsubnative.spark.nativelib.PubSubRpcException;

/**
 * How a failed driver-side check of the configured subscription or topic (GetSubscription,
 * GetTopic) is reported. Only a status that blames the resource (NOT_FOUND, INVALID_ARGUMENT,
 * PERMISSION_DENIED) blames the option: an {@link IllegalArgumentException} naming the option, its
 * value and what is valid. Any other status is no fault of the option: a {@link PubSubRpcException}
 * (with the same status) saying that Pub/Sub could not be reached, or what it answered.
 */
public final class ResourceCheckFailure {

    private ResourceCheckFailure() {
    }

    /** The failure of GetSubscription on {@code subscription} at {@code where}. */
    public static RuntimeException ofSubscription(String subscription, String where, PubSubRpcException e) {
        return of(ResourcePath.SUBSCRIPTION, "GetSubscription", subscription, where, e);
    }

    /** The failure of GetTopic on {@code topic} at {@code where}. */
    public static RuntimeException ofTopic(String topic, String where, PubSubRpcException e) {
        return of(ResourcePath.TOPIC, "GetTopic", topic, where, e);
    }

    private static RuntimeException of(ResourcePath path, String rpc, String value, String where,
                                       PubSubRpcException e) {
        String noun = path.noun();
        String blamed = String.format("Option '%s' ('%s'): ", path.option(), value);
        String detail = e.status() + ": " + e.getMessage();
        return switch (e.status()) {
            case "NOT_FOUND" -> new IllegalArgumentException(blamed + String.format(
                    "the %s does not exist on %s (%s); valid: the path of an existing %s, '%s'",
                    noun, where, detail, noun, path.template()), e);
            case "INVALID_ARGUMENT" -> new IllegalArgumentException(blamed + String.format(
                    "Pub/Sub at %s rejected the %s name (%s); valid: '%s' naming an existing %s",
                    where, noun, detail, path.template(), noun), e);
            case "PERMISSION_DENIED" -> new IllegalArgumentException(blamed + String.format(
                    "the credentials may not use this %s on %s (%s); valid: a %s the credentials have "
                            + "access to, or option 'credentials' naming an account that has it",
                    noun, where, detail, noun), e);
            case "UNAVAILABLE", "DEADLINE_EXCEEDED" -> new PubSubRpcException(String.format(
                    "Could not reach Pub/Sub at %s to check %s '%s' (%s); check that the server is "
                            + "up and reachable from the driver, or raise 'connectTimeoutMs'",
                    where, noun, value, detail), e);
            default -> new PubSubRpcException(String.format(
                    "Pub/Sub at %s failed %s of %s '%s' (%s)", where, rpc, noun, value, detail), e);
        };
    }
}
