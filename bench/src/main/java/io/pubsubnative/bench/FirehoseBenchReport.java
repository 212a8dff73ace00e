package io.pubsubnative.bench;

import com.google.cloud.pubsub.v1.Subscriber;
import java.util.Locale;

/** The lines every firehose benchmark table starts with: machine and versions. */
final class FirehoseBenchReport {

    private FirehoseBenchReport() {
    }

    static StringBuilder header(String title) {
        StringBuilder out = new StringBuilder("\n==================== " + title + " ====================\n");
        out.append(String.format(Locale.ROOT, "machine    : %d cores, %s, %.1f GiB RAM, load average now %s%n",
                Runtime.getRuntime().availableProcessors(), ReadEmulatorBench.cpuModel(),
                ReadEmulatorBench.totalMemoryGiB(), ReadEmulatorBench.loadAverage()));
        out.append(String.format(Locale.ROOT, "versions   : Java %s, Spark %s, Arrow %s, google-cloud-pubsub %s%n",
                System.getProperty("java.runtime.version"), org.apache.spark.package$.MODULE$.SPARK_VERSION(),
                ReadEmulatorBench.mavenVersion("org.apache.arrow", "arrow-vector",
                        org.apache.arrow.vector.VectorSchemaRoot.class),
                ReadEmulatorBench.mavenVersion("com.google.cloud", "google-cloud-pubsub", Subscriber.class)));
        return out;
    }

    static String num(String format, double value) {
        return Double.isNaN(value) || Double.isInfinite(value) ? "n/a" : String.format(Locale.ROOT, format, value);
    }
}
