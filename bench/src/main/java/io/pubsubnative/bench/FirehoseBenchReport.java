package io.pubsubnative.bench;

import java.util.Locale;

/** The lines every firehose benchmark table starts with: machine and versions. */
final class FirehoseBenchReport {

    private FirehoseBenchReport() {
    }

    static StringBuilder header(String title) {
        StringBuilder out = new StringBuilder("\n==================== " + title + " ====================\n");
        out.append(BenchEnvironment.header(org.apache.spark.package$.MODULE$.SPARK_VERSION()));
        out.append("load average now: ").append(BenchEnvironment.loadAverage()).append('\n');
        return out;
    }

    static String verdict(boolean met) {
        return met ? "MET" : "NOT MET";
    }

    /** As {@link #verdict(boolean)}, or "n/a" when there is no figure to judge. */
    static String verdict(double figure, boolean met) {
        return Double.isNaN(figure) ? "n/a" : verdict(met);
    }

    static String num(String format, double value) {
        return Double.isNaN(value) || Double.isInfinite(value) ? "n/a" : String.format(Locale.ROOT, format, value);
    }
}
