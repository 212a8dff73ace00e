package io.pubsubnative.spark.replay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.pubsubnative.spark.source.RawSchema;

class ReplayLogRoundTripTest {

    private static final long BATCH = 4;
    private static final int PARTITION = 2;

    private final BufferAllocator allocator = new RootAllocator(Long.MAX_VALUE);
    private FileSystem fs;
    private ReplayLogLayout layout;
    private File batchDir;

    @TempDir
    File checkpoint;

    @BeforeEach
    void setUp() throws IOException {
        // The checksummed local file system, as Path.getFileSystem returns it for file:// paths.
        fs = FileSystem.getLocal(new Configuration());
        layout = new ReplayLogLayout(new Path(new File(checkpoint, "sources/0").toURI()), "inst-1");
        batchDir = new File(checkpoint, "sources/0/replay-log/" + BATCH);
    }

    @AfterEach
    void noArrowMemoryIsLeft() {
        assertEquals(0, allocator.getAllocatedMemory(), "Arrow memory still allocated");
        allocator.close();
    }

    private static List<Message> messages(int first, int count) {
        List<Message> out = new ArrayList<>();
        for (int i = first; i < first + count; i++) {
            Map<String, String> attributes = new LinkedHashMap<>();
            for (int a = 0; a < i % 3; a++) {
                attributes.put("key-" + a, "value-" + i + "-" + a);
            }
            byte[] payload = new byte[i % 5];
            for (int b = 0; b < payload.length; b++) {
                payload[b] = (byte) (0xF0 + b + i);
            }
            out.add(new Message("id-" + i, 1_700_000_000_000_000L + i, attributes, payload,
                    i % 2 == 0 ? null : "order-" + i, i % 4 == 0 ? null : i));
        }
        return out;
    }

    /** Writes one read of (BATCH, PARTITION) made of {@code batches}; returns whether it was published. */
    private boolean record(List<List<Message>> batches) throws IOException {
        try (RawBatches source = new RawBatches(allocator);
             ReplayLogWriter writer = ReplayLogWriter.open(fs, layout, BATCH, PARTITION)) {
            for (List<Message> batch : batches) {
                writer.append(source.vector(), source.load(batch));
            }
            return writer.publish();
        }
    }

    /** Every batch a replay of (BATCH, PARTITION) returns. */
    private List<List<Message>> replay() throws IOException {
        Optional<ReplayLogReader> opened = ReplayLogReader.openIfPresent(fs, layout.logFile(BATCH, PARTITION),
                allocator);
        assertTrue(opened.isPresent(), "the replay file exists");
        try (ReplayLogReader reader = opened.get()) {
            return drain(reader);
        }
    }

    private static List<List<Message>> drain(ReplayLogReader reader) {
        List<List<Message>> batches = new ArrayList<>();
        for (int rows = reader.next(); rows > 0; rows = reader.next()) {
            batches.add(RawBatches.decode(reader.vectors(), rows));
        }
        return batches;
    }

    private List<List<Message>> severalBatches() {
        return List.of(messages(0, 3), messages(3, 1), messages(4, 17));
    }

    @Test
    void replayReturnsTheRecordedBatches() throws IOException {
        List<List<Message>> written = severalBatches();
        assertTrue(record(written));
        assertEquals(written, replay());
    }

    @Test
    void replayHasTheRawColumnsInSchemaOrder() throws IOException {
        assertTrue(record(severalBatches()));
        try (ReplayLogReader reader = ReplayLogReader.openIfPresent(fs, layout.logFile(BATCH, PARTITION),
                allocator).orElseThrow()) {
            assertEquals(List.of(RawSchema.columnNames()),
                    reader.vectors().stream().map(FieldVector::getName).toList());
            List<FieldVector> first = reader.vectors();
            reader.next();
            reader.next();
            for (int i = 0; i < first.size(); i++) {
                assertSame(first.get(i), reader.vectors().get(i), "the same vector objects for every batch");
            }
        }
    }

    @Test
    void everyReplayReturnsTheSameBatches() throws IOException {
        assertTrue(record(severalBatches()));
        assertEquals(replay(), replay());
    }

    @Test
    void emptyReadReplaysAsNoBatches() throws IOException {
        assertTrue(record(List.of()));
        assertEquals(List.of(), replay());
        assertEquals(List.of(), replay());
    }

    @Test
    void zeroRowBatchesAreSkipped() throws IOException {
        assertTrue(record(List.of(messages(0, 2), List.of(), messages(2, 3))));
        assertEquals(List.of(messages(0, 2), messages(2, 3)), replay());
    }

    @Test
    void byteCountsMatchTheFile() throws IOException {
        long written;
        try (RawBatches source = new RawBatches(allocator);
             ReplayLogWriter writer = ReplayLogWriter.open(fs, layout, BATCH, PARTITION)) {
            assertEquals(0, writer.bytesWritten());
            writer.append(source.vector(), source.load(messages(0, 9)));
            assertTrue(writer.bytesWritten() > 0);
            assertTrue(writer.publish());
            written = writer.bytesWritten();
        }
        assertEquals(new File(batchDir, PARTITION + ".arrows").length(), written);
        try (ReplayLogReader reader = ReplayLogReader.openIfPresent(fs, layout.logFile(BATCH, PARTITION),
                allocator).orElseThrow()) {
            drain(reader);
            assertEquals(written, reader.bytesRead());
        }
    }

    @Test
    void publishedFileIsTheOnlyFileLeft() throws IOException {
        assertTrue(record(severalBatches()));
        assertArrayEquals(new String[] {PARTITION + ".arrows"}, batchDir.list(), "no temp or .crc files");
    }

    @Test
    void losingWriterLeavesTheWinnersFileUntouched() throws IOException {
        try (RawBatches first = new RawBatches(allocator);
             RawBatches second = new RawBatches(allocator);
             ReplayLogWriter winner = ReplayLogWriter.open(fs, layout, BATCH, PARTITION);
             ReplayLogWriter loser = ReplayLogWriter.open(fs, layout, BATCH, PARTITION)) {
            winner.append(first.vector(), first.load(messages(0, 5)));
            loser.append(second.vector(), second.load(messages(100, 7)));
            assertTrue(winner.publish());
            byte[] published = Files.readAllBytes(new File(batchDir, PARTITION + ".arrows").toPath());
            assertFalse(loser.publish());
            assertArrayEquals(published, Files.readAllBytes(new File(batchDir, PARTITION + ".arrows").toPath()));
        }
        assertEquals(List.of(messages(0, 5)), replay());
        assertArrayEquals(new String[] {PARTITION + ".arrows"}, batchDir.list(), "the loser's temp file is gone");
    }

    @Test
    void abortedWriterLeavesNothing() throws IOException {
        try (RawBatches source = new RawBatches(allocator);
             ReplayLogWriter writer = ReplayLogWriter.open(fs, layout, BATCH, PARTITION)) {
            writer.append(source.vector(), source.load(messages(0, 5)));
            writer.abort();
            writer.abort();
            assertThrows(IllegalStateException.class, writer::publish);
        }
        assertArrayEquals(new String[0], batchDir.list());
        assertTrue(ReplayLogReader.openIfPresent(fs, layout.logFile(BATCH, PARTITION), allocator).isEmpty());
    }

    @Test
    void closingAnUnpublishedWriterDiscardsItsTempFile() throws IOException {
        try (RawBatches source = new RawBatches(allocator);
             ReplayLogWriter writer = ReplayLogWriter.open(fs, layout, BATCH, PARTITION)) {
            writer.append(source.vector(), source.load(messages(0, 5)));
        }
        assertArrayEquals(new String[0], batchDir.list());
    }

    @Test
    void missingFileOpensAsAbsent() throws IOException {
        assertTrue(ReplayLogReader.openIfPresent(fs, layout.logFile(BATCH, PARTITION), allocator).isEmpty());
    }

    @Test
    void truncatedFileFailsNamingTheFile() throws IOException {
        assertTrue(record(severalBatches()));
        File file = new File(batchDir, PARTITION + ".arrows");
        byte[] whole = Files.readAllBytes(file.toPath());
        // Inside the schema, inside a batch, exactly before the end-of-stream marker, inside the marker.
        for (int length : new int[] {0, 10, whole.length / 2, whole.length - 8, whole.length - 3}) {
            Files.write(file.toPath(), whole);
            try (RandomAccessFile cut = new RandomAccessFile(file, "rw")) {
                cut.setLength(length);
            }
            Exception e = assertThrows(Exception.class, this::replay, "a file cut to " + length + " bytes");
            Throwable io = e instanceof IOException ? e : e.getCause();
            assertTrue(io instanceof IOException, "an IOException for a cut at " + length + ": " + e);
            assertTrue(io.getMessage().contains(layout.logFile(BATCH, PARTITION).toString()),
                    "the message names the file: " + io.getMessage());
        }
    }
}
