package io.pubsubnative.it;

import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a main class of this module in a child JVM with this JVM's class path and module flags (as
 * {@link NativeLifecycleIT} runs {@link JvmExitMain}), its output going to a log file.
 */
final class ChildJvm {
  /** How the child ended: its exit code ({@code -1} if it had to be killed) and its output. */
  record Result(int exitCode, boolean timedOut, String log) {
    String tail() {
      String[] lines = log.split("\n");
      int from = Math.max(0, lines.length - 80);
      return String.join("\n", Arrays.copyOfRange(lines, from, lines.length));
    }
  }

  private ChildJvm() {}

  static Result run(Class<?> mainClass, List<String> args, Path logDir, Duration timeout)
      throws IOException, InterruptedException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>();
    cmd.add(java);
    for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      // the same add-opens/flags as this JVM, but not agents or debug ports
      if (arg.startsWith("--add-opens") || arg.startsWith("--add-exports")
          || arg.startsWith("-Djdk.reflect") || arg.startsWith("-Dio.netty") || arg.startsWith("-Xmx")) {
        cmd.add(arg);
      }
    }
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(mainClass.getName());
    cmd.addAll(args);

    Path out = Files.createTempFile(logDir, mainClass.getSimpleName(), ".log");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile())
        .directory(new File(System.getProperty("user.dir"))).start();
    boolean exited = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    if (!exited) {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }
    String log = Files.readString(out, StandardCharsets.UTF_8);
    return new Result(exited ? p.exitValue() : -1, !exited, log);
  }
}
