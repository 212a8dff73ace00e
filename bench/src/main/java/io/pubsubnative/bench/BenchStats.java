package io.pubsubnative.bench;

import java.util.Arrays;
import java.util.Locale;

/** Small statistics for benchmark reports. */
final class BenchStats {

  private BenchStats() { }

  /** Median of the values that are not NaN (mean of the two middle ones for an even count); NaN if none. */
  static double median(double[] values) {
    double[] v = Arrays.stream(values).filter(d -> !Double.isNaN(d)).sorted().toArray();
    if (v.length == 0) {
      return Double.NaN;
    }
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  /** "min-max" of the values (e.g. msg/s of the runs), "n/a" when there are none. */
  static String range(double[] values) {
    if (values.length == 0) {
      return "n/a";
    }
    double lo = Arrays.stream(values).min().orElse(Double.NaN);
    double hi = Arrays.stream(values).max().orElse(Double.NaN);
    return String.format(Locale.ROOT, "%,.0f-%,.0f", lo, hi);
  }

  /** "ours/base" as "1.23x", or "n/a" when either is missing or base is 0. */
  static String ratio(double ours, double base) {
    return base == 0 || Double.isNaN(base) || Double.isNaN(ours) ? "n/a"
        : String.format(Locale.ROOT, "%.2fx", ours / base);
  }
}
