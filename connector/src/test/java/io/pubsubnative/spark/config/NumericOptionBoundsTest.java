package io.pubsubnative.spark.config;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;

import org.apache.spark.sql.util.CaseInsensitiveStringMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Walks every integer option of {@link OptionCatalog} through the read and/or write parser. */
class NumericOptionBoundsTest {

    private static final Map<String, String> NO_ENV = Map.of();

    /** Each numeric option with every side that parses it. */
    static Stream<Arguments> optionsAndParsers() {
        return OptionCatalog.numericOptions().stream().flatMap(option -> {
            OptionCatalog.Side side = OptionCatalog.sideOf(option.name());
            Stream.Builder<Arguments> cases = Stream.builder();
            if (side.usedBy(OptionCatalog.Side.READ)) {
                cases.add(Arguments.of(option.name(), "read", option));
            }
            if (side.usedBy(OptionCatalog.Side.WRITE)) {
                cases.add(Arguments.of(option.name(), "write", option));
            }
            return cases.build();
        });
    }

    private static Function<CaseInsensitiveStringMap, Object> parser(String side) {
        return side.equals("read") ? o -> ReadOptions.parse(o, NO_ENV, w -> { })
                : o -> WriteOptions.parse(o, NO_ENV, w -> { });
    }

    private static CaseInsensitiveStringMap withValue(String side, String name, String value) {
        return side.equals("read")
                ? Maps.options("subscriptionId", "projects/test-proj/subscriptions/sub-1", name, value)
                : Maps.options("topicId", "projects/test-proj/topics/topic-1", name, value);
    }

    @ParameterizedTest(name = "{0} ({1})")
    @MethodSource("optionsAndParsers")
    void minAndMaxAreAcceptedAndOneBeyondEitherIsRejectedNamingOptionValueAndRange(
            String name, String side, NumericOption option) {
        Function<CaseInsensitiveStringMap, Object> parse = parser(side);
        for (long accepted : new long[] {option.min(), option.max()}) {
            CaseInsensitiveStringMap options = withValue(side, name, Long.toString(accepted));
            assertDoesNotThrow(() -> parse.apply(options), name + "=" + accepted);
            assertEquals(accepted, option.find(options).getAsLong());
        }
        for (BigInteger rejected : List.of(BigInteger.valueOf(option.min()).subtract(BigInteger.ONE),
                BigInteger.valueOf(option.max()).add(BigInteger.ONE))) {
            String message = assertThrows(IllegalArgumentException.class,
                    () -> parse.apply(withValue(side, name, rejected.toString())), name + "=" + rejected)
                    .getMessage();
            assertTrue(message.contains("'" + name + "'"), message);
            assertTrue(message.contains("'" + rejected + "'"), message);
            assertTrue(message.contains(option.validValues()), message);
            assertTrue(message.contains(Long.toString(option.min())), message);
        }
    }

    @ParameterizedTest(name = "{0} ({1})")
    @MethodSource("optionsAndParsers")
    void theAliasObeysTheSameBounds(String name, String side, NumericOption option) {
        if (option.alias() != null) {
            String message = assertThrows(IllegalArgumentException.class, () -> parser(side).apply(
                    withValue(side, option.alias(), Long.toString(option.min() - 1)))).getMessage();
            assertTrue(message.startsWith("Option '" + option.alias() + "' must be " + option.validValues()),
                    message);
        }
    }

    @ParameterizedTest(name = "{0} ({1})")
    @MethodSource("optionsAndParsers")
    void theDefaultLiesWithinTheBounds(String name, String side, NumericOption option) {
        option.defaultValue().ifPresent(d -> assertTrue(d >= option.min() && d <= option.max(), name + "=" + d));
    }
}
