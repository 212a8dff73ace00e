package io.pubsubnative.spark.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.pubsubnative.spark.nativelib.PubSubRpcException;

class ResourceCheckFailureTest {

    private static final String SUB = "projects/test-proj/subscriptions/sub-1";
    private static final String TOPIC = "projects/test-proj/topics/topic-1";
    private static final String WHERE = "endpoint https://pubsub.example.com";

    private static void assertContains(String message, String... fragments) {
        for (String fragment : fragments) {
            assertTrue(message.contains(fragment), "'" + fragment + "' missing from: " + message);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "NOT_FOUND | 5 | does not exist | existing subscription, 'projects/<project>/subscriptions/<subscription>'",
        "INVALID_ARGUMENT | 3 | rejected the subscription name | 'projects/<project>/subscriptions/<subscription>' naming",
        "PERMISSION_DENIED | 7 | the credentials may not use this subscription | or option 'credentials' naming an account",
    })
    void statusesThatBlameTheSubscriptionNameTheOptionItsValueAndWhatIsValid(
            String status, int code, String what, String valid) {
        PubSubRpcException cause = new PubSubRpcException("native detail", status, code);
        RuntimeException e = ResourceCheckFailure.ofSubscription(SUB, WHERE, cause);
        assertInstanceOf(IllegalArgumentException.class, e);
        assertSame(cause, e.getCause());
        assertContains(e.getMessage(), "Option 'subscriptionId' ('" + SUB + "')", what, WHERE,
                status + ": native detail", valid);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "NOT_FOUND | 5 | does not exist | existing topic, 'projects/<project>/topics/<topic>'",
        "INVALID_ARGUMENT | 3 | rejected the topic name | 'projects/<project>/topics/<topic>' naming",
        "PERMISSION_DENIED | 7 | the credentials may not use this topic | or option 'credentials' naming an account",
    })
    void statusesThatBlameTheTopicNameTheOptionItsValueAndWhatIsValid(
            String status, int code, String what, String valid) {
        RuntimeException e = ResourceCheckFailure.ofTopic(TOPIC, WHERE,
                new PubSubRpcException("native detail", status, code));
        assertInstanceOf(IllegalArgumentException.class, e);
        assertContains(e.getMessage(), "Option 'topicId' ('" + TOPIC + "')", what, WHERE,
                status + ": native detail", valid);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"UNAVAILABLE, 14", "DEADLINE_EXCEEDED, 4"})
    void anUnreachableEndpointSaysSoWithTheStatusAndBlamesNoOption(String status, int code) {
        PubSubRpcException cause = new PubSubRpcException("transport error", status, code);
        for (RuntimeException e : new RuntimeException[] {
            ResourceCheckFailure.ofSubscription(SUB, WHERE, cause),
            ResourceCheckFailure.ofTopic(TOPIC, WHERE, cause)}) {
            PubSubRpcException rpc = assertInstanceOf(PubSubRpcException.class, e);
            assertEquals(status, rpc.status());
            assertEquals(code, rpc.statusCode());
            assertSame(cause, e.getCause());
            assertContains(e.getMessage(), "Could not reach Pub/Sub at " + WHERE,
                    status + ": transport error", "connectTimeoutMs");
            assertFalse(e.getMessage().contains("Option '"), e.getMessage());
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"UNAUTHENTICATED, 16", "INTERNAL, 13"})
    void otherStatusesSayWhatPubSubAnsweredAndBlameNoOption(String status, int code) {
        RuntimeException e = ResourceCheckFailure.ofSubscription(SUB, WHERE,
                new PubSubRpcException("detail", status, code));
        PubSubRpcException rpc = assertInstanceOf(PubSubRpcException.class, e);
        assertEquals(status, rpc.status());
        assertContains(e.getMessage(), "Pub/Sub at " + WHERE + " failed GetSubscription of subscription '"
                + SUB + "'", status + ": detail");
        assertFalse(e.getMessage().contains("Option '"), e.getMessage());
    }
}
