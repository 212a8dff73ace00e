package io.pubsubnative.spark.replay;

import java.util.Arrays;
import java.util.Map;
import java.util.Objects;

/** One row of the raw read schema, as the tests write and expect it. */
record Message(String messageId, long publishTimeMicros, Map<String, String> attributes, byte[] payload,
               String orderingKey, Integer deliveryAttempt) {

    @Override
    public boolean equals(Object o) {
        return o instanceof Message m
                && messageId.equals(m.messageId)
                && publishTimeMicros == m.publishTimeMicros
                && attributes.equals(m.attributes)
                && Arrays.equals(payload, m.payload)
                && Objects.equals(orderingKey, m.orderingKey)
                && Objects.equals(deliveryAttempt, m.deliveryAttempt);
    }

    @Override
    public int hashCode() {
        return Objects.hash(messageId, publishTimeMicros, attributes, Arrays.hashCode(payload), orderingKey,
                deliveryAttempt);
    }

    @Override
    public String toString() {
        return "Message[" + messageId + ", " + publishTimeMicros + ", " + attributes + ", "
                + Arrays.toString(payload) + ", " + orderingKey + ", " + deliveryAttempt + "]";
    }
}
