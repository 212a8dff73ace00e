package io.pubsubnative.spark.source;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.pubsubnative.spark.config.ReadOptions;
import io.pubsubnative.spark.config.ResourceCheckFailure;
import io.pubsubnative.spark.nativelib.PubSubRpcException;
import io.pubsubnative.spark.nativelib.SubscriptionCheck;

/**
 * The driver's fail-fast check at {@code load()}: the subscription exists and the service (or the
 * emulator) answers within {@code connectTimeoutMs}.
 */
public final class SubscriptionValidation {

    private static final Logger LOG = LoggerFactory.getLogger(SubscriptionValidation.class);

    private SubscriptionValidation() {
    }

    /**
     * Throws an {@link IllegalArgumentException} naming the subscription and where it was looked up
     * when the subscription is at fault, or a {@link PubSubRpcException} when Pub/Sub could not be
     * reached ({@link ResourceCheckFailure}).
     */
    public static void requireUsable(ReadOptions options) {
        String where = options.connection().describeTarget();
        try {
            String info = SubscriptionCheck.check(options.sessionConfigJson());
            LOG.info("Subscription {} on {}: {}", options.subscription(), where, info);
        } catch (PubSubRpcException e) {
            throw ResourceCheckFailure.ofSubscription(options.subscription(), where, e);
        }
    }
}
