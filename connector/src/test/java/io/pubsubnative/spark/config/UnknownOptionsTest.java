package io.pubsubnative.spark.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class UnknownOptionsTest {

    private static final String SUB = "projects/test-proj/subscriptions/sub-1";
    private static final String TOPIC = "projects/test-proj/topics/topic-1";
    private static final Map<String, String> NO_ENV = Map.of();

    private final List<String> warnings = new ArrayList<>();

    private void read(String... keyValues) {
        ReadOptions.parse(Maps.options(keyValues), NO_ENV, warnings::add);
    }

    private void write(String... keyValues) {
        WriteOptions.parse(Maps.options(keyValues), NO_ENV, warnings::add);
    }

    /** Parses {@code keyValues} both as a read (with a subscription) and as a write (with a topic). */
    private void readAndWrite(String... keyValues) {
        List<String> read = new ArrayList<>(List.of("subscriptionId", SUB));
        List<String> write = new ArrayList<>(List.of("topicId", TOPIC));
        read.addAll(List.of(keyValues));
        write.addAll(List.of(keyValues));
        read(read.toArray(new String[0]));
        write(write.toArray(new String[0]));
    }

    private static String readError(String... keyValues) {
        return assertThrows(IllegalArgumentException.class,
                () -> ReadOptions.parse(Maps.options(keyValues), NO_ENV, w -> { })).getMessage();
    }

    private static String writeError(String... keyValues) {
        return assertThrows(IllegalArgumentException.class,
                () -> WriteOptions.parse(Maps.options(keyValues), NO_ENV, w -> { })).getMessage();
    }

    @Test
    void aMisspeltReadOptionFailsNamingTheOptionMeant() {
        assertEquals("Unknown option 'maxMessagesPerTriger'; did you mean 'maxMessagesPerTrigger'?",
                readError("subscriptionId", SUB, "maxMessagesPerTriger", "1000"));
    }

    @Test
    void aMisspeltWriteOptionFailsNamingTheOptionMeant() {
        assertEquals("Unknown option 'publishBatchSzie'; did you mean 'publishBatchSize'?",
                writeError("topicId", TOPIC, "publishBatchSzie", "10"));
    }

    @Test
    void typosAreFoundIgnoringCaseAndAlsoForAliases() {
        assertEquals("Unknown option 'MAXOUTSTANDINGMESAGES'; did you mean 'maxOutstandingMessages'?",
                readError("subscriptionId", SUB, "MAXOUTSTANDINGMESAGES", "5"));
        assertEquals("Unknown option 'numPartition'; did you mean 'numPartitions'?",
                readError("subscriptionId", SUB, "numPartition", "2"));
    }

    @Test
    void shortNamesCountAsTyposOnlyOneEditAway() {
        assertEquals("Unknown option 'formt'; did you mean 'format'?", readError("subscriptionId", SUB, "formt", "raw"));
        read("subscriptionId", SUB, "frmat2", "raw");
        assertEquals(1, warnings.size(), warnings.toString());
    }

    @Test
    void anOptionOfNoSideIsIgnoredWithAWarningNamingIt() {
        read("subscriptionId", SUB, "kafka.bootstrap.servers", "x:9092");
        assertEquals(List.of("Ignoring option 'kafka.bootstrap.servers': the pubsub connector has no such "
                + "option (see README.md)"), warnings);
    }

    @Test
    void theSameUnknownOptionIsWarnedAboutOncePerJvm() {
        OnceWarning once = new OnceWarning(warnings::add);
        for (int i = 0; i < 3; i++) {
            ReadOptions.parse(Maps.options("subscriptionId", SUB, "someOtherOption", "1"), NO_ENV, once);
            WriteOptions.parse(Maps.options("topicId", TOPIC, "someOtherOption", "1"), NO_ENV, once);
        }
        ReadOptions.parse(Maps.options("subscriptionId", SUB, "yetAnotherOption", "1"), NO_ENV, once);
        assertEquals(2, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("'someOtherOption'"), warnings.toString());
        assertTrue(warnings.get(1).contains("'yetAnotherOption'"), warnings.toString());
    }

    @Test
    void keysSparkAddsNeitherFailNorWarn() {
        String[] sparkKeys = {"path", "/data", "paths", "[\"/a\"]", "checkpointLocation", "/chk",
            "queryName", "q1", "asyncProgressTrackingEnabled", "true",
            "asyncProgressTrackingCheckpointIntervalMs", "1000", "__partition_columns", "[]"};
        readAndWrite(sparkKeys);
        assertEquals(List.of(), warnings);
    }

    @Test
    void aWriteOptionGivenToAReadFailsNamingItsSide() {
        assertEquals("Option 'publishLingerMs' ('5') is a write (sink) option and does nothing in a read "
                + "(source); remove it", readError("subscriptionId", SUB, "publishLingerMs", "5"));
    }

    @Test
    void aReadOptionGivenToAWriteFailsNamingItsSide() {
        assertEquals("Option 'replayLog' ('checkpoint') is a read (source) option and does nothing in a write "
                + "(sink); remove it", writeError("topicId", TOPIC, "replayLog", "checkpoint"));
    }

    @Test
    void connectionOptionsAndBatchSizeAreKnownToBothSides() {
        String[] shared = {"projectId", "test-proj", "emulatorHost", "127.0.0.1:8085", "connectTimeoutMs", "5",
            "batchSize", "10"};
        readAndWrite(shared);
        assertEquals(List.of(), warnings);
    }

    @Test
    void editDistanceCountsInsertionsDeletionsAndSubstitutionsIgnoringCase() {
        assertEquals(0, EditDistance.between("BatchSize", "batchsize"));
        assertEquals(1, EditDistance.between("maxMessagesPerTriger", "maxMessagesPerTrigger"));
        assertEquals(2, EditDistance.between("publishBatchSzie", "publishBatchSize"));
        assertEquals(3, EditDistance.between("kitten", "sitting"));
        assertEquals(6, EditDistance.between("", "format"));
    }
}
