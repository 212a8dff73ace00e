package io.pubsubnative.bench;

import java.util.Map;
import java.util.function.Function;

/** Command-line flags of the benchmark drivers: {@code --name value}, defaults from BENCH_* variables. */
final class BenchArgs {

  private BenchArgs() { }

  /** What a driver does with its parameters. */
  interface Runner<P> {
    void run(P params) throws Exception;
  }

  /**
   * The shared {@code main}: parses the flags (exit code 2 on a bad flag), runs the benchmark and
   * exits with 0, or with 1 after printing the failure.
   */
  static <P> void main(String program, String[] args, Function<String[], P> parse,
                       Runner<P> runner) {
    P params;
    try {
      params = parse.apply(args);
    } catch (IllegalArgumentException e) {
      System.err.println(program + ": " + e.getMessage());
      System.exit(2);
      return;
    }
    try {
      runner.run(params);
    } catch (Throwable t) {
      System.err.println("BENCHMARK FAILED:");
      t.printStackTrace();
      System.exit(1);
    }
    System.exit(0);
  }

  /** The environment variable's trimmed value, or {@code dflt} when unset or blank. */
  static String env(String name, String dflt) {
    String s = System.getenv(name);
    return s == null || s.isBlank() ? dflt : s.trim();
  }

  /**
   * Overrides the entries of {@code values} (flag name without "--" to value) with {@code args};
   * {@code --help} prints the flags and exits.
   *
   * @throws IllegalArgumentException for an unknown flag or a flag without value
   */
  static void apply(String[] args, Map<String, String> values, String program) {
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("-h") || a.equals("--help")) {
        System.out.println("usage: " + program + " " + String.join(" ",
            values.keySet().stream().map(k -> "[--" + k + " V]").toList()));
        System.exit(0);
      }
      if (!a.startsWith("--") || !values.containsKey(a.substring(2)) || i + 1 >= args.length) {
        throw new IllegalArgumentException("unknown argument or missing value: " + a + " (try --help)");
      }
      values.put(a.substring(2), args[++i]);
    }
  }
}
