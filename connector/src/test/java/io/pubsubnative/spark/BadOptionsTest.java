package io.pubsubnative.spark;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.apache.spark.sql.connector.expressions.Transform;
import org.apache.spark.sql.connector.write.LogicalWriteInfo;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.pubsubnative.spark.sink.PubSubWriteBuilder;
import io.pubsubnative.spark.sink.TopicValidation;
import io.pubsubnative.spark.source.RawSchema;

/**
 * A catalogue of bad read and write options, each failing where Spark first hands the options
 * to the connector ({@link PubSubProvider#getTable} at {@code load()}, {@link PubSubWriteBuilder}
 * at {@code start()}/{@code save()}) with a message naming the option, the value and what is valid.
 * All of them fail before any network call. The same through a real SparkSession: it/BadInputIT.
 */
class BadOptionsTest {

    private static final String SUB = "projects/test-proj/subscriptions/sub-1";
    private static final String TOPIC = "projects/test-proj/topics/topic-1";
    private static final StructType SINK_INPUT = StructType.fromDDL("payload BINARY");
    /** A readable service-account key file (the native tests' test key). */
    private static final String KEY_FILE =
            Path.of("../native/tests/data/service_account_test_key.json").toAbsolutePath().toString();
    private static final String TLS_OR_EMULATOR = "valid: an https:// URL, or option 'emulatorHost'";

    /** A read with {@code option=value} (null: unset) besides a valid subscription and {@code more}. */
    private static Arguments read(String option, String value, String valid, String... more) {
        return bad("read", Map.of("subscriptionId", SUB), option, value, valid, more);
    }

    /** A write with {@code option=value} besides a valid topic and {@code more}. */
    private static Arguments write(String option, String value, String valid, String... more) {
        return bad("write", Map.of("topicId", TOPIC), option, value, valid, more);
    }

    /** A misspelt option name: the bad input is the name itself, what is valid the name meant. */
    private static Arguments misspelt(String side, String typo, String meant) {
        Map<String, String> options = side.equals("read") ? Map.of("subscriptionId", SUB, typo, "10")
                : Map.of("topicId", TOPIC, typo, "10");
        return Arguments.of(side + " " + typo, side, options,
                List.of("Unknown option '" + typo + "'", "did you mean '" + meant + "'?"));
    }

    private static Arguments bad(String side, Map<String, String> base, String option, String value,
                                 String valid, String... more) {
        Map<String, String> options = new HashMap<>(base);
        for (int i = 0; i < more.length; i += 2) {
            options.put(more[i], more[i + 1]);
        }
        options.remove(option);
        List<String> fragments = new ArrayList<>(List.of("'" + option + "'", valid));
        if (value != null) {
            options.put(option, value);
            fragments.add("'" + value + "'");
        }
        return Arguments.of(side + " " + option + "=" + value, side, options, fragments);
    }

    static Stream<Arguments> badOptions() {
        return Stream.of(
                read("subscriptionId", null, "projects/<project>/subscriptions/<subscription>"),
                read("subscriptionId", "projects/test-proj/topics/t1", "projects/<project>/subscriptions/<subscription>"),
                read("subscriptionId", "projects/test-proj/subscriptions/goog-sub", "starting with a letter and not with 'goog'"),
                read("subscriptionId", "sub-1", "set 'projectId'"),
                read("projectId", "Bad_Proj", "lower-case letters, digits and hyphens", "subscriptionId", "sub-1"),
                read("projectId", "other-proj", "make them agree"),
                read("parallelism", "-1", "an integer between 1 and 2147483647"),
                read("parallelism", "abc", "an integer between 1 and 2147483647"),
                read("numPartitions", "3", "set only one of them", "parallelism", "2"),
                read("batchSize", "100001", "an integer between 1 and 100000"),
                read("maxWaitTimeMs", "0", "an integer between 1 and 600000"),
                read("readWaitMs", "ten", "an integer between 1 and 600000"),
                read("maxBatchDurationMs", "3600001", "an integer between 1 and 3600000"),
                read("maxMessagesPerTrigger", "0", "an integer of at least 1"),
                read("maxBytesPerTrigger", "-5", "an integer of at least 1"),
                read("maxOutstandingMessages", "1e6", "an integer of at least 1"),
                read("maxOutstandingBytes", "0", "an integer of at least 1"),
                read("maxAckExtensionSeconds", "86401", "an integer between 0 and 86400"),
                read("connectTimeoutMs", "600001", "an integer between 1 and 600000"),
                read("unreachableTimeoutMs", "4999", "an integer between 5000 and 86400000"),
                read("ackOnCommit", "yes", "'true' or 'false'"),
                read("ackOnCommit", "false", "use replayLog=memory", "replayLog", "checkpoint"),
                read("replayLog", "disk", "valid values: memory (default), checkpoint"),
                read("format", "xml", "valid values: raw (default), json, avro, protobuf"),
                read("format", "json", "supported: raw"),
                read("deadLetterTopic", "projects/test-proj/topics/dlq", "cannot be used with format 'raw'"),
                read("emulatorHost", "localhost", "host:port with a port between 1 and 65535"),
                read("emulatorHost", "localhost:70000", "host:port with a port between 1 and 65535"),
                read("endpoint", "pubsub.googleapis.com", "an http(s) URL"),
                read("credentials", "/nonexistent/sa.json", "readable service-account JSON file"),
                read("endpoint", "http://pubsub.example:8080", TLS_OR_EMULATOR, "credentials", KEY_FILE),
                read("endpoint", "HTTP://pubsub.example", TLS_OR_EMULATOR, "credentials", KEY_FILE),
                misspelt("read", "maxMessagesPerTriger", "maxMessagesPerTrigger"),
                read("publishBatchSize", "100", "is a write (sink) option"),
                write("topicId", "projects/test-proj/subscriptions/s1", "projects/<project>/topics/<topic>"),
                write("topicId", "topic-1", "set 'projectId'"),
                write("topicId", "projects/test-proj/topics/t1", "3 to 255 letters"),
                write("publishBatchSize", "1001", "an integer between 1 and 1000"),
                write("publishBatchBytes", "10000001", "an integer between 1 and 10000000"),
                write("publishLingerMs", "-1", "an integer of at least 0"),
                write("maxInFlightBatches", "0", "an integer between 1 and 2147483647"),
                write("publishTimeoutMs", "1m", "an integer of at least 1"),
                write("compression", "zstd", "valid values: none (default), gzip"),
                write("maxPendingBytes", "9999999", "an integer of at least 10000000"),
                write("batchSize", "0", "an integer between 1 and 100000"),
                write("connectTimeoutMs", "-1", "an integer between 1 and 600000"),
                write("emulatorHost", "127.0.0.1", "host:port"),
                write("endpoint", "http://pubsub.example:8080", TLS_OR_EMULATOR, "credentials", KEY_FILE),
                write("replayLog", "checkpoint", "is a read (source) option"),
                misspelt("write", "publishBatchSzie", "publishBatchSize"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badOptions")
    void failsAtParseTimeNamingOptionValueAndWhatIsValid(String label, String side, Map<String, String> options,
                                                          List<String> fragments) {
        String message = assertThrows(IllegalArgumentException.class, () -> {
            if (side.equals("read")) {
                new PubSubProvider().getTable(RawSchema.SCHEMA, new Transform[0], options);
            } else {
                new PubSubWriteBuilder(writeInfo(options), new TopicValidation());
            }
        }).getMessage();
        for (String fragment : fragments) {
            assertTrue(message.contains(fragment), "'" + fragment + "' missing from: " + message);
        }
    }

    private static LogicalWriteInfo writeInfo(Map<String, String> options) {
        return new LogicalWriteInfo() {
            @Override
            public CaseInsensitiveStringMap options() {
                return new CaseInsensitiveStringMap(options);
            }

            @Override
            public String queryId() {
                return "bad-options-test";
            }

            @Override
            public StructType schema() {
                return SINK_INPUT;
            }
        };
    }
}
