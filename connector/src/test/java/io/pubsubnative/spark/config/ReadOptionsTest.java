package io.pubsubnative.spark.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;

import org.apache.spark.sql.util.CaseInsensitiveStringMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReadOptionsTest {

    private static final String SUB = "projects/test-proj/subscriptions/sub-1";
    private static final Map<String, String> NO_ENV = Collections.emptyMap();

    private static ReadOptions parse(String... keyValues) {
        return ReadOptions.parse(map(keyValues), NO_ENV);
    }

    private static CaseInsensitiveStringMap map(String... keyValues) {
        return Maps.options(keyValues);
    }

    private static String error(String... keyValues) {
        return assertThrows(IllegalArgumentException.class, () -> parse(keyValues)).getMessage();
    }

    @Test
    void defaultsApplyWhenOnlySubscriptionIsGiven() {
        ReadOptions o = parse("subscriptionId", SUB);
        assertEquals(SUB, o.subscription());
        assertEquals("https://pubsub.googleapis.com", o.endpoint());
        assertNull(o.emulatorHost());
        assertNull(o.credentialsPath());
        assertFalse(o.parallelism().isPresent());
        assertEquals(1000, o.batchSize());
        assertEquals(100, o.maxWaitTimeMs());
        assertEquals(10_000, o.maxBatchDurationMs());
        assertFalse(o.maxMessagesPerTrigger().isPresent());
        assertFalse(o.maxBytesPerTrigger().isPresent());
        assertEquals(100_000, o.maxOutstandingMessages());
        assertEquals(104_857_600L, o.maxOutstandingBytes());
        assertEquals(3600, o.maxAckExtensionSeconds());
        assertTrue(o.ackOnCommit());
        assertEquals(ReplayLog.MEMORY, o.replayLog());
        assertEquals(PayloadFormat.RAW, o.format());
        assertEquals(10_000, o.connectTimeoutMs());
    }

    @Test
    void replayLogAcceptsMemoryAndCheckpointInAnyCase() {
        assertEquals(ReplayLog.CHECKPOINT, parse("subscriptionId", SUB, "replayLog", "Checkpoint").replayLog());
        assertEquals(ReplayLog.MEMORY, parse("subscriptionId", SUB, "REPLAYLOG", "memory").replayLog());
    }

    @Test
    void anUnknownReplayLogIsRejectedListingTheValidValues() {
        assertEquals("Option 'replayLog' has unknown value 'disk'; valid values: memory (default), checkpoint",
                error("subscriptionId", SUB, "replayLog", "disk"));
    }

    @Test
    void checkpointReplayCannotBeCombinedWithAtMostOnceAcks() {
        String message = error("subscriptionId", SUB, "replayLog", "checkpoint", "ackOnCommit", "false");
        assertTrue(message.contains("'ackOnCommit' ('false') cannot be combined with 'replayLog' ('checkpoint')"),
                message);
    }

    @Test
    void optionNamesAreCaseInsensitiveAndValuesAreParsed() {
        ReadOptions o = parse("SUBSCRIPTIONID", SUB, "Parallelism", "4", "batchsize", "500",
                "maxWaitTimeMs", "250", "maxBatchDurationMs", "2000", "maxMessagesPerTrigger", "10",
                "maxBytesPerTrigger", "4096", "maxOutstandingMessages", "7", "maxOutstandingBytes", "8",
                "maxAckExtensionSeconds", "0", "ackOnCommit", "FALSE", "format", "RAW",
                "connectTimeoutMs", "1234", "emulatorHost", "127.0.0.1:8085");
        assertEquals(4, o.parallelism().getAsInt());
        assertEquals(500, o.batchSize());
        assertEquals(250, o.maxWaitTimeMs());
        assertEquals(2000, o.maxBatchDurationMs());
        assertEquals(10, o.maxMessagesPerTrigger().getAsLong());
        assertEquals(4096, o.maxBytesPerTrigger().getAsLong());
        assertEquals(7, o.maxOutstandingMessages());
        assertEquals(8, o.maxOutstandingBytes());
        assertEquals(0, o.maxAckExtensionSeconds());
        assertFalse(o.ackOnCommit());
        assertEquals(1234, o.connectTimeoutMs());
        assertEquals("127.0.0.1:8085", o.emulatorHost());
    }

    @Test
    void missingSubscriptionIdIsRejected() {
        String msg = error("projectId", "test-proj");
        assertTrue(msg.contains("Option 'subscriptionId' is required"), msg);
        assertTrue(msg.contains("projects/<project>/subscriptions/<subscription>"), msg);
    }

    @Test
    void malformedSubscriptionPathIsRejected() {
        String msg = error("subscriptionId", "projects/test-proj/topics/t1");
        assertTrue(msg.contains("Option 'subscriptionId'"), msg);
        assertTrue(msg.contains("'projects/test-proj/topics/t1'"), msg);
        assertTrue(msg.contains("projects/<project>/subscriptions/<subscription>"), msg);
    }

    @Test
    void invalidProjectIdInPathIsRejected() {
        String msg = error("subscriptionId", "projects/Test_Proj/subscriptions/sub-1");
        assertTrue(msg.contains("invalid project id 'Test_Proj'"), msg);
        assertTrue(msg.contains("lower-case letters"), msg);
    }

    @Test
    void invalidSubscriptionIdIsRejected() {
        String msg = error("subscriptionId", "projects/test-proj/subscriptions/1sub");
        assertTrue(msg.contains("invalid subscription id '1sub'"), msg);
        assertTrue(msg.contains("starting with a letter"), msg);
        assertTrue(error("subscriptionId", "projects/test-proj/subscriptions/goog-sub")
                .contains("'goog-sub'"));
        assertTrue(error("subscriptionId", "projects/test-proj/subscriptions/a b c")
                .contains("'a b c'"));
        assertTrue(error("subscriptionId", "projects/test-proj/subscriptions/s1")
                .contains("invalid subscription id 's1'"));
    }

    @Test
    void shortNameWithoutProjectIdIsRejected() {
        String msg = error("subscriptionId", "sub-1");
        assertTrue(msg.contains("Option 'subscriptionId' is a short name ('sub-1')"), msg);
        assertTrue(msg.contains("'projectId' is not set"), msg);
    }

    @Test
    void shortNameWithProjectIdBecomesFullPath() {
        assertEquals(SUB, parse("subscriptionId", "sub-1", "projectId", "test-proj").subscription());
    }

    @Test
    void invalidProjectIdOptionIsRejected() {
        String msg = error("subscriptionId", "sub-1", "projectId", "-bad");
        assertTrue(msg.contains("Option 'projectId'"), msg);
        assertTrue(msg.contains("'-bad'"), msg);
    }

    @Test
    void projectIdDisagreeingWithPathIsRejected() {
        String msg = error("subscriptionId", SUB, "projectId", "other-proj");
        assertTrue(msg.contains("Option 'projectId' ('other-proj') does not match"), msg);
    }

    @Test
    void parallelismZeroIsRejected() {
        assertEquals("Option 'parallelism' must be an integer between 1 and 2147483647, got '0'",
                error("subscriptionId", SUB, "parallelism", "0"));
    }

    @Test
    void parallelismNegativeIsRejected() {
        assertEquals("Option 'parallelism' must be an integer between 1 and 2147483647, got '-1'",
                error("subscriptionId", SUB, "parallelism", "-1"));
    }

    @Test
    void parallelismNotANumberIsRejected() {
        assertEquals("Option 'parallelism' must be an integer between 1 and 2147483647, got 'abc'",
                error("subscriptionId", SUB, "parallelism", "abc"));
    }

    @Test
    void numPartitionsIsAnAliasOfParallelism() {
        assertEquals(3, parse("subscriptionId", SUB, "numPartitions", "3").parallelism().getAsInt());
        assertEquals(3, parse("subscriptionId", SUB, "numPartitions", "3", "parallelism", "3")
                .parallelism().getAsInt());
        assertEquals("Option 'numPartitions' must be an integer between 1 and 2147483647, got '0'",
                error("subscriptionId", SUB, "numPartitions", "0"));
    }

    @Test
    void aliasConflictIsRejected() {
        String msg = error("subscriptionId", SUB, "parallelism", "2", "numPartitions", "3");
        assertTrue(msg.contains("'parallelism' and 'numPartitions'"), msg);
        assertTrue(msg.contains("'2' and '3'"), msg);
        String wait = error("subscriptionId", SUB, "maxWaitTimeMs", "5", "readWaitMs", "6");
        assertTrue(wait.contains("'maxWaitTimeMs' and 'readWaitMs'"), wait);
    }

    @Test
    void readWaitMsIsAnAliasOfMaxWaitTimeMs() {
        assertEquals(42, parse("subscriptionId", SUB, "readWaitMs", "42").maxWaitTimeMs());
    }

    @Test
    void batchSizeZeroIsRejected() {
        assertEquals("Option 'batchSize' must be an integer between 1 and 100000, got '0'",
                error("subscriptionId", SUB, "batchSize", "0"));
    }

    @Test
    void batchSizeAboveMaximumIsRejected() {
        assertTrue(error("subscriptionId", SUB, "batchSize", "100001").contains("between 1 and 100000"));
    }

    @Test
    void rangesOfNumericOptionsAreEnforced() {
        assertTrue(error("subscriptionId", SUB, "maxWaitTimeMs", "0")
                .startsWith("Option 'maxWaitTimeMs' must be an integer between 1 and 600000"));
        assertTrue(error("subscriptionId", SUB, "maxBatchDurationMs", "3600001")
                .startsWith("Option 'maxBatchDurationMs' must be an integer between 1 and 3600000"));
        assertTrue(error("subscriptionId", SUB, "maxAckExtensionSeconds", "86401")
                .startsWith("Option 'maxAckExtensionSeconds' must be an integer between 0 and 86400"));
        assertTrue(error("subscriptionId", SUB, "maxOutstandingMessages", "0")
                .startsWith("Option 'maxOutstandingMessages'"));
        assertTrue(error("subscriptionId", SUB, "maxOutstandingBytes", "x")
                .startsWith("Option 'maxOutstandingBytes'"));
        assertTrue(error("subscriptionId", SUB, "connectTimeoutMs", "0")
                .startsWith("Option 'connectTimeoutMs'"));
    }

    @Test
    void perTriggerLimitsMustBePositive() {
        assertEquals("Option 'maxMessagesPerTrigger' must be an integer of at least 1, got '0'",
                error("subscriptionId", SUB, "maxMessagesPerTrigger", "0"));
        assertEquals("Option 'maxBytesPerTrigger' must be an integer of at least 1, got '-5'",
                error("subscriptionId", SUB, "maxBytesPerTrigger", "-5"));
    }

    @Test
    void ackOnCommitMustBeBoolean() {
        assertEquals("Option 'ackOnCommit' must be 'true' or 'false' (default true), got 'yes'",
                error("subscriptionId", SUB, "ackOnCommit", "yes"));
    }

    @Test
    void unknownFormatIsRejected() {
        assertEquals("Option 'format' has unknown value 'xml'; valid values: raw (default), json, avro, protobuf",
                error("subscriptionId", SUB, "format", "xml"));
    }

    @Test
    void recognisedButUnsupportedFormatsAreRejected() {
        for (String format : new String[] {"json", "avro", "protobuf"}) {
            String msg = error("subscriptionId", SUB, "format", format);
            assertTrue(msg.contains("format '" + format + "' is not supported yet; supported: raw"), msg);
        }
    }

    @Test
    void deadLetterTopicIsRejectedWithRawFormat() {
        String msg = error("subscriptionId", SUB, "deadLetterTopic", "projects/test-proj/topics/dlq");
        assertTrue(msg.contains("Option 'deadLetterTopic'"), msg);
        assertTrue(msg.contains("cannot be used with format 'raw'"), msg);
    }

    @Test
    void missingCredentialsFileIsRejected(@TempDir Path dir) {
        String missing = dir.resolve("nope.json").toString();
        String msg = error("subscriptionId", SUB, "credentials", missing);
        assertTrue(msg.contains("Option 'credentials'"), msg);
        assertTrue(msg.contains("'" + missing + "'"), msg);
        assertTrue(msg.contains("no such file"), msg);
    }

    @Test
    void existingCredentialsFileIsAccepted(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("sa.json"), "{}");
        assertEquals(file.toAbsolutePath().toString(),
                parse("subscriptionId", SUB, "credentials", file.toString()).credentialsPath());
    }

    @Test
    void emulatorHostComesFromEnvironmentWhenNotSet() {
        ReadOptions o = ReadOptions.parse(map("subscriptionId", SUB),
                Map.of("PUBSUB_EMULATOR_HOST", "localhost:8681"));
        assertEquals("localhost:8681", o.emulatorHost());
        ReadOptions explicit = ReadOptions.parse(map("subscriptionId", SUB, "emulatorHost", "127.0.0.1:1"),
                Map.of("PUBSUB_EMULATOR_HOST", "localhost:8681"));
        assertEquals("127.0.0.1:1", explicit.emulatorHost());
    }

    @Test
    void malformedEmulatorHostIsRejected() {
        assertEquals("Option 'emulatorHost' must be host:port with a port between 1 and 65535, got 'localhost'",
                error("subscriptionId", SUB, "emulatorHost", "localhost"));
        assertTrue(error("subscriptionId", SUB, "emulatorHost", "localhost:70000").contains("'localhost:70000'"));
        String fromEnv = assertThrows(IllegalArgumentException.class,
                () -> ReadOptions.parse(map("subscriptionId", SUB), Map.of("PUBSUB_EMULATOR_HOST", "bad")))
                .getMessage();
        assertTrue(fromEnv.contains("PUBSUB_EMULATOR_HOST"), fromEnv);
    }

    @Test
    void malformedEndpointIsRejected() {
        String msg = error("subscriptionId", SUB, "endpoint", "pubsub.googleapis.com");
        assertTrue(msg.startsWith("Option 'endpoint' must be an http(s) URL"), msg);
        assertEquals("https://eu-pubsub.example:443",
                parse("subscriptionId", SUB, "endpoint", "https://eu-pubsub.example:443").endpoint());
    }

    /** A plaintext endpoint never carries a token: without credentials it is used as it is. */
    @Test
    void aPlaintextEndpointIsAcceptedWithoutCredentialsOrBehindTheEmulator() {
        String key = Path.of("../native/tests/data/service_account_test_key.json")
                .toAbsolutePath().toString();
        assertEquals("http://127.0.0.1:8085",
                parse("subscriptionId", SUB, "endpoint", "http://127.0.0.1:8085").endpoint());
        ReadOptions emulator = parse("subscriptionId", SUB, "endpoint", "http://127.0.0.1:8085",
                "credentials", key, "emulatorHost", "127.0.0.1:8086");
        assertEquals("127.0.0.1:8086", emulator.emulatorHost());
    }
}
