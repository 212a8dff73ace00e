package io.pubsubnative.spark.source;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.pubsubnative.spark.config.ReadOptions;
import io.pubsubnative.spark.nativelib.NativeException;
import io.pubsubnative.spark.nativelib.SubscriptionCheck;

/**
 * The driver's fail-fast check at {@code load()}: the subscription exists and the service (or the
 * emulator) answers within {@code connectTimeoutMs}.
 */
public final class SubscriptionValidation {

    private static final Logger LOG = LoggerFactory.getLogger(SubscriptionValidation.class);

    private SubscriptionValidation() {
    }

    /** Throws an {@link IllegalArgumentException} naming the subscription and where it was looked up. */
    public static void requireUsable(ReadOptions options) {
        String where = options.connection().describeTarget();
        try {
            String info = SubscriptionCheck.check(options.sessionConfigJson());
            LOG.info("Subscription {} on {}: {}", options.subscription(), where, info);
        } catch (NativeException e) {
            throw new IllegalArgumentException(String.format(
                    "Option 'subscriptionId' ('%s'): the subscription cannot be used (%s): %s",
                    options.subscription(), where, e.getMessage()), e);
        }
    }
}
