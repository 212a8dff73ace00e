package io.pubsubnative.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pubsubnative.testkit.LocalPubSubEmulator;
import io.pubsubnative.testkit.TempDirectories;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The firehose load server (tools/firehose) on a free loopback port, started and stopped through
 * {@code tools/firehose/start.sh} / {@code stop.sh} (as the emulator is): it builds the binary if
 * needed, and with {@code FIREHOSE_WATCH_PID} it also stops by itself once this JVM is gone.
 * Its final accounting is {@code STATE_DIR/report.json}.
 */
final class FirehoseServer implements AutoCloseable {
  /** start.sh may have to build the firehose first. */
  private static final long START_TIMEOUT_SECONDS = 900;

  private final Path repoRoot;
  private final Path stateDir;
  private final String hostPort;
  private boolean stopped;

  private FirehoseServer(Path repoRoot, Path stateDir, String hostPort) {
    this.repoRoot = repoRoot;
    this.stateDir = stateDir;
    this.hostPort = hostPort;
  }

  static FirehoseServer start(List<String> flags) throws IOException, InterruptedException {
    Path root = LocalPubSubEmulator.findRepoRoot();
    Path state = Files.createTempDirectory("pubsub-it-firehose-");
    List<String> cmd = new ArrayList<>(List.of("bash",
        root.resolve("tools/firehose/start.sh").toString(), state.toString()));
    cmd.addAll(flags);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(state.resolve("start.out").toFile());
    pb.environment().put("FIREHOSE_WATCH_PID", Long.toString(ProcessHandle.current().pid()));
    Process p = pb.start();
    boolean done = p.waitFor(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    if (!done) {
      p.destroyForcibly();
    }
    Path hostPortFile = state.resolve("host_port");
    if (!done || p.exitValue() != 0 || !Files.isRegularFile(hostPortFile)) {
      String out = Files.readString(state.resolve("start.out"), StandardCharsets.UTF_8);
      new FirehoseServer(root, state, "").close();
      throw new IllegalStateException("tools/firehose/start.sh " + flags + " failed"
          + (done ? " (exit " + p.exitValue() + ")" : " (timed out)") + ":\n" + out);
    }
    String hp = Files.readString(hostPortFile, StandardCharsets.UTF_8).trim();
    return new FirehoseServer(root, state, hp);
  }

  String hostPort() {
    return hostPort;
  }

  /**
   * The report: waits up to {@code wait} for the firehose to exit by itself (with
   * {@code --exit-after-acked}, once every message was acked), stops it otherwise.
   */
  JsonNode report(Duration wait) throws IOException, InterruptedException {
    Path report = stateDir.resolve("report.json");
    long deadline = System.nanoTime() + wait.toNanos();
    while (!nonEmpty(report) && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
    stop();
    if (!nonEmpty(report)) {
      throw new IllegalStateException("the firehose wrote no report; log tail:\n" + logTail());
    }
    return new ObjectMapper().readTree(Files.readString(report, StandardCharsets.UTF_8));
  }

  private static boolean nonEmpty(Path p) throws IOException {
    return Files.isRegularFile(p) && Files.size(p) > 0;
  }

  String logTail() {
    try {
      List<String> lines = Files.readAllLines(stateDir.resolve("firehose.log"), StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  private synchronized void stop() throws IOException, InterruptedException {
    if (stopped) {
      return;
    }
    stopped = true;
    Process p = new ProcessBuilder("bash", repoRoot.resolve("tools/firehose/stop.sh").toString(),
        stateDir.toString()).redirectErrorStream(true)
        .redirectOutput(stateDir.resolve("stop.out").toFile()).start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
    }
  }

  @Override
  public void close() throws IOException, InterruptedException {
    try {
      stop();
    } finally {
      TempDirectories.deleteRecursively(stateDir);
    }
  }
}
