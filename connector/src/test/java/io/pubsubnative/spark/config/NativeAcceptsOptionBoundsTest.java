package io.pubsubnative.spark.config;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.util.Map;
import java.util.stream.Stream;

import org.apache.spark.sql.util.CaseInsensitiveStringMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.pubsubnative.spark.nativelib.Publisher;
import io.pubsubnative.spark.nativelib.SubscriberSession;

/**
 * The other side of {@link NumericOptionBoundsTest}: every value Java's {@link OptionCatalog}
 * accepts, at both ends of each numeric option's range, is accepted by the native library too
 * when it opens a subscriber session or a publisher from the config JSON Java sends. (Rust keeps
 * no bounds of its own; a value it cannot represent or use would fail here.) Nothing connects:
 * the emulator address is a closed port and opening does not wait for the network.
 */
class NativeAcceptsOptionBoundsTest {

    private static final String SUB = "projects/test-proj/subscriptions/sub-1";
    private static final String TOPIC = "projects/test-proj/topics/topic-1";
    private static final String CLOSED_PORT = "127.0.0.1:1";

    @BeforeAll
    static void requireLibrary() {
        assumeFalse(Boolean.getBoolean("native.skip"), "built with -Dnative.skip=true");
    }

    static Stream<Arguments> optionsAndSides() {
        return NumericOptionBoundsTest.optionsAndParsers();
    }

    @ParameterizedTest(name = "{0} ({1})")
    @MethodSource("optionsAndSides")
    void nativeOpensWithTheMinimumAndTheMaximumJavaAccepts(String name, String side, NumericOption option) {
        for (long value : new long[] {option.min(), option.max()}) {
            String described = name + "=" + value;
            if (side.equals("read")) {
                ReadOptions read = ReadOptions.parse(options("subscriptionId", SUB, name, value), Map.of(), w -> { });
                assertDoesNotThrow(() -> SubscriberSession.open(SUB, SessionConfigJson.of(read)).close(), described);
            } else {
                WriteOptions write = WriteOptions.parse(options("topicId", TOPIC, name, value), Map.of(), w -> { });
                assertDoesNotThrow(() -> Publisher.open(TOPIC, PublisherConfigJson.of(write)).close(), described);
            }
        }
    }

    private static CaseInsensitiveStringMap options(String resourceKey, String resource, String name, long value) {
        return Maps.options(resourceKey, resource, "emulatorHost", CLOSED_PORT, name, Long.toString(value));
    }
}
