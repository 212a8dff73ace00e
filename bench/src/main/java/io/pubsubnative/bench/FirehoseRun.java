package io.pubsubnative.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * One measured reader process against its own fresh firehose: start the firehose, run the reader
 * (which prints its measurements as its last output line, see {@link DrainResult}), collect the
 * firehose's report and check that it saw every message acked exactly once.
 */
public record FirehoseRun(JsonNode reader, JsonNode firehose, String error) {

    public static FirehoseRun run(Path firehoseBinary, List<String> firehoseFlags, long messages,
                                  Function<String, List<String>> readerCommand) throws IOException,
            InterruptedException {
        try (FirehoseProcess firehose = FirehoseProcess.start(firehoseBinary, firehoseFlags)) {
            String error = null;
            JsonNode reader = null;
            try {
                reader = runChild(readerCommand.apply(firehose.hostPort()));
            } catch (IOException e) {
                error = e.getMessage();
            }
            JsonNode report = firehose.finish(reader == null ? 5 : 60);
            if (error == null && (report.get("acked_once").asLong() != messages
                    || report.get("acked_more_than_once").asLong() != 0)) {
                error = "firehose: acked once " + report.get("acked_once") + " of " + messages
                        + ", more than once " + report.get("acked_more_than_once");
            }
            return new FirehoseRun(reader, report, error);
        }
    }

    /** The command that runs {@code main} in a JVM like this one (same flags and classpath). */
    public static List<String> javaCommand(Class<?> main, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(main.getName());
        command.addAll(args);
        return command;
    }

    /** The reader's second window (see {@link DrainWindows}), with the same firehose check. */
    public FirehoseRun warm() {
        return new FirehoseRun(reader == null ? null : reader.get("warm"), firehose, error);
    }

    /** A reader figure, NaN when the reader failed. */
    public double get(String key) {
        return reader == null || reader.get(key) == null ? Double.NaN : reader.get(key).asDouble();
    }

    public double msgPerSec() {
        return get("messages") / get("wall_s");
    }

    public double mbPerSec() {
        return get("payload_bytes") / 1e6 / get("wall_s");
    }

    public double msgPerCpuSecond() {
        return get("messages") / get("cpu_s");
    }

    private static JsonNode runChild(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int exit = process.waitFor();
        String[] lines = output.strip().split("\n");
        String last = lines[lines.length - 1];
        if (exit != 0 || !last.startsWith("{")) {
            throw new IOException("exit code " + exit + ", output:\n" + output);
        }
        return new ObjectMapper().readTree(last);
    }
}
