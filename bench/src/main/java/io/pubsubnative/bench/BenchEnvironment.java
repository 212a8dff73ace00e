package io.pubsubnative.bench;

import com.google.cloud.pubsub.v1.Subscriber;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Locale;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;

/** The machine and the versions a benchmark ran on, for its report. */
final class BenchEnvironment {

  private BenchEnvironment() { }

  /** A Spark session on {@code master} without UI, bound to loopback, logging warnings only. */
  static SparkSession localSpark(String appName, String master) {
    SparkSession spark = SparkSession.builder()
        .appName(appName)
        .master(master)
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate();
    spark.sparkContext().setLogLevel("WARN");
    return spark;
  }

  /** Two report lines: "machine : ..." and "versions : ...". */
  static String header(String sparkVersion) {
    return String.format(Locale.ROOT, "machine    : %d cores (availableProcessors), %s, %s %s, %.1f GiB RAM%n",
        Runtime.getRuntime().availableProcessors(), cpuModel(), System.getProperty("os.name"),
        System.getProperty("os.arch"), totalMemoryGiB())
        + String.format(Locale.ROOT, "versions   : Java %s (%s), Spark %s, Arrow %s, google-cloud-pubsub %s, emulator %s%n",
        System.getProperty("java.runtime.version"), System.getProperty("java.vm.name"), sparkVersion,
        mavenVersion("org.apache.arrow", "arrow-vector", org.apache.arrow.vector.VectorSchemaRoot.class),
        mavenVersion("com.google.cloud", "google-cloud-pubsub", Subscriber.class), emulatorVersion());
  }

  static String cpuModel() {
    try (Stream<String> lines = Files.lines(Paths.get("/proc/cpuinfo"))) {
      return lines.filter(l -> l.startsWith("model name")).map(l -> l.substring(l.indexOf(':') + 1).trim())
          .findFirst().orElse("unknown CPU");
    } catch (IOException e) {
      return "unknown CPU";
    }
  }

  static String loadAverage() {
    try {
      String[] f = Files.readString(Paths.get("/proc/loadavg")).trim().split("\\s+");
      return f[0] + "/" + f[1] + "/" + f[2];
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  static double totalMemoryGiB() {
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    return os.getTotalMemorySize() / (1024.0 * 1024 * 1024);
  }

  static String mavenVersion(String group, String artifact, Class<?> anyClass) {
    String res = "/META-INF/maven/" + group + "/" + artifact + "/pom.properties";
    try (InputStream in = anyClass.getResourceAsStream(res)) {
      if (in != null) {
        Properties props = new Properties();
        props.load(in);
        String v = props.getProperty("version");
        if (v != null) {
          return v;
        }
      }
    } catch (IOException ignored) {
      // fall through
    }
    String v = anyClass.getPackage() == null ? null : anyClass.getPackage().getImplementationVersion();
    if (v != null) {
      return v;
    }
    // Last resort: the jar's file name (…/artifact-VERSION.jar).
    try {
      String loc = anyClass.getProtectionDomain().getCodeSource().getLocation().getPath();
      String name = loc.substring(loc.lastIndexOf('/') + 1);
      if (name.startsWith(artifact + "-") && name.endsWith(".jar")) {
        return name.substring(artifact.length() + 1, name.length() - 4);
      }
    } catch (RuntimeException ignored) {
      // fall through
    }
    return "unknown";
  }

  static String emulatorVersion() {
    Path lib = Paths.get("/usr/lib/google-cloud-sdk/platform/pubsub-emulator/lib");
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(lib, "cloud-pubsub-emulator-*.jar")) {
      for (Path jar : ds) {
        String n = jar.getFileName().toString();
        return n.substring("cloud-pubsub-emulator-".length(), n.length() - 4).replace("-all", "");
      }
    } catch (IOException ignored) {
      // fall through
    }
    return "unknown";
  }
}
