package io.pubsubnative.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Google's Pub/Sub emulator on a free loopback port, started and stopped through
 * {@code tools/emulator/start.sh} and {@code tools/emulator/stop.sh}.
 *
 * <p>A JVM shutdown hook stops the emulator too, so a failing test never leaks the process.
 * The repository root is found through the system property or environment variable
 * {@code PUBSUB_REPO_ROOT}, otherwise by walking up from {@code user.dir} until
 * {@code tools/emulator/start.sh} exists.
 */
public final class LocalPubSubEmulator implements AutoCloseable {
  private static final long START_TIMEOUT_SECONDS = 120;
  private static final long STOP_TIMEOUT_SECONDS = 60;

  private final Path repoRoot;
  private final Path stateDir;
  private final String hostPort;
  private final Thread shutdownHook;
  private boolean closed;

  private LocalPubSubEmulator(Path repoRoot, Path stateDir, String hostPort) {
    this.repoRoot = repoRoot;
    this.stateDir = stateDir;
    this.hostPort = hostPort;
    this.shutdownHook = new Thread(this::stopQuietly, "pubsub-emulator-stop");
  }

  /** Starts a new emulator with a fresh state directory. */
  public static LocalPubSubEmulator start() {
    Path root = findRepoRoot();
    Path stateDir;
    try {
      stateDir = Files.createTempDirectory("pubsub-emulator-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create emulator state dir", e);
    }
    Path script = root.resolve("tools/emulator/start.sh");
    // EMULATOR_WATCH_PID: the emulator also stops when this JVM is killed without shutdown hooks
    Result r = run(List.of("env", "EMULATOR_WATCH_PID=" + ProcessHandle.current().pid(), "bash",
        script.toString(), stateDir.toString()), START_TIMEOUT_SECONDS);
    if (r.exitCode != 0) {
      // leave nothing behind, whatever start.sh managed to do
      run(List.of("bash", root.resolve("tools/emulator/stop.sh").toString(), stateDir.toString()),
          STOP_TIMEOUT_SECONDS);
      throw new IllegalStateException("Pub/Sub emulator did not start (exit " + r.exitCode + "): "
          + r.output + logTail(stateDir));
    }
    String hp;
    try {
      hp = Files.readString(stateDir.resolve("host_port"), StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      hp = lastLine(r.output);
    }
    if (hp.isEmpty()) {
      throw new IllegalStateException("start.sh printed no host:port: " + r.output);
    }
    LocalPubSubEmulator emu = new LocalPubSubEmulator(root, stateDir, hp);
    Runtime.getRuntime().addShutdownHook(emu.shutdownHook);
    return emu;
  }

  /** {@code 127.0.0.1:PORT}, suitable for {@code PUBSUB_EMULATOR_HOST} and option {@code emulatorHost}. */
  public String hostPort() {
    return hostPort;
  }

  /** The state directory (holds {@code emulator.log}). */
  public Path stateDir() {
    return stateDir;
  }

  /** Stops the emulator; idempotent. */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException alreadyShuttingDown) {
      // the hook is running or will run; stopping twice is harmless
    }
    stopNow();
  }

  private void stopQuietly() {
    try {
      stopNow();
    } catch (RuntimeException ignored) {
      // shutting down anyway
    }
  }

  private void stopNow() {
    Result r = run(List.of("bash", repoRoot.resolve("tools/emulator/stop.sh").toString(),
        stateDir.toString()), STOP_TIMEOUT_SECONDS);
    if (r.exitCode == 0) {
      TempDirectories.deleteRecursively(stateDir);
    } else {
      throw new IllegalStateException("stop.sh failed (exit " + r.exitCode + "): " + r.output);
    }
  }

  /** Finds the repository root (the folder holding {@code tools/emulator/start.sh}). */
  public static Path findRepoRoot() {
    String configured = System.getProperty("PUBSUB_REPO_ROOT");
    if (configured == null || configured.isBlank()) {
      configured = System.getenv("PUBSUB_REPO_ROOT");
    }
    if (configured != null && !configured.isBlank()) {
      Path p = Paths.get(configured).toAbsolutePath().normalize();
      if (Files.isRegularFile(p.resolve("tools/emulator/start.sh"))) {
        return p;
      }
      throw new IllegalStateException("PUBSUB_REPO_ROOT=" + configured
          + " does not contain tools/emulator/start.sh");
    }
    Path dir = Paths.get(System.getProperty("user.dir")).toAbsolutePath().normalize();
    for (Path d = dir; d != null; d = d.getParent()) {
      if (Files.isRegularFile(d.resolve("tools/emulator/start.sh"))) {
        return d;
      }
    }
    throw new IllegalStateException("cannot find tools/emulator/start.sh above " + dir
        + "; set PUBSUB_REPO_ROOT (system property or environment) to the repository root");
  }

  private record Result(int exitCode, String output) {}

  private static Result run(List<String> command, long timeoutSeconds) {
    ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true);
    pb.environment().remove("PUBSUB_EMULATOR_HOST");
    try {
      Process p = pb.start();
      p.getOutputStream().close();
      StringBuilder out = new StringBuilder();
      Thread reader = new Thread(() -> {
        try (InputStream in = p.getInputStream()) {
          out.append(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException ignored) {
          // process gone
        }
      }, "emulator-script-output");
      reader.setDaemon(true);
      reader.start();
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return new Result(-1, "timed out after " + timeoutSeconds + " s: " + command);
      }
      // the script's own children (the emulator) may keep the pipe open; do not wait for EOF forever
      reader.join(2000);
      synchronized (out) {
        return new Result(p.exitValue(), out.toString().trim());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + command, e);
    }
  }

  private static String lastLine(String s) {
    String[] lines = s.strip().split("\n");
    return lines.length == 0 ? "" : lines[lines.length - 1].trim();
  }

  private static String logTail(Path stateDir) {
    Path log = stateDir.resolve("emulator.log");
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return "\n--- emulator.log tail ---\n"
          + String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "";
    }
  }

  @Override
  public String toString() {
    return "LocalPubSubEmulator[" + hostPort + ", state " + stateDir + "]";
  }
}
