package io.pubsubnative.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One run of the firehose load server (tools/firehose): started with {@code --exit-after-acked} and a
 * report file, so that once the reader has acked every message it exits by itself and its report
 * (served, acked once, acked more than once, never acked, its own CPU time) can be read.
 */
public final class FirehoseProcess implements AutoCloseable {

    private static final String LISTENING = "FIREHOSE_LISTENING ";
    private static final long START_TIMEOUT_SECONDS = 60;

    private static final int KEPT_OUTPUT_LINES = 20;

    private final Process process;
    private final Path reportFile;
    private final String hostPort;
    /** The last lines the firehose printed, for the error when it fails. */
    private final Deque<String> lastOutput = new ArrayDeque<>();
    private Thread outputReader;

    private FirehoseProcess(Process process, Path reportFile, String hostPort) {
        this.process = process;
        this.reportFile = reportFile;
        this.hostPort = hostPort;
    }

    /** Starts {@code binary} with the message flags given, and waits until it listens. */
    public static FirehoseProcess start(Path binary, List<String> messageFlags) throws IOException {
        Path report = Files.createTempFile("firehose-report-", ".json");
        List<String> command = new ArrayList<>(List.of(binary.toString(), "serve", "--exit-after-acked",
                "--report-file", report.toString(), "--watch-pid", Long.toString(ProcessHandle.current().pid())));
        command.addAll(messageFlags);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_TIMEOUT_SECONDS);
        StringBuilder seen = new StringBuilder();
        String line;
        while (System.nanoTime() < deadline && (line = out.readLine()) != null) {
            if (line.startsWith(LISTENING)) {
                FirehoseProcess firehose = new FirehoseProcess(process, report,
                        line.substring(LISTENING.length()).trim());
                firehose.keepOutputInBackground(out);
                return firehose;
            }
            seen.append(line).append('\n');
        }
        process.destroyForcibly();
        throw new IOException("firehose did not report '" + LISTENING.trim() + "' (command " + command
                + "); its output:\n" + seen);
    }

    /** Keeps reading its output, so that it never blocks on a full pipe, and keeps the last lines. */
    private void keepOutputInBackground(BufferedReader out) {
        Thread thread = new Thread(() -> {
            try {
                String line;
                while ((line = out.readLine()) != null) {
                    synchronized (lastOutput) {
                        lastOutput.addLast(line);
                        if (lastOutput.size() > KEPT_OUTPUT_LINES) {
                            lastOutput.removeFirst();
                        }
                    }
                }
            } catch (IOException e) {
                // The process ended.
            }
        }, "firehose-output");
        thread.setDaemon(true);
        thread.start();
        outputReader = thread;
    }

    public String hostPort() {
        return hostPort;
    }

    /**
     * Waits up to {@code seconds} for the firehose to exit on its own (every message acked), stops it
     * otherwise, and returns its report.
     */
    public JsonNode finish(long seconds) throws IOException, InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException("firehose did not stop within 30 s of SIGTERM");
            }
        }
        // Let the reader take in what the process printed last.
        outputReader.join(TimeUnit.SECONDS.toMillis(5));
        String json = Files.readString(reportFile).trim();
        if (json.isEmpty()) {
            synchronized (lastOutput) {
                throw new IOException("firehose wrote no report to " + reportFile + " (exit code "
                        + process.exitValue() + "); its last output:\n" + String.join("\n", lastOutput));
            }
        }
        return new ObjectMapper().readTree(json);
    }

    @Override
    public void close() throws IOException {
        process.destroyForcibly();
        Files.deleteIfExists(reportFile);
    }
}
