package io.pubsubnative.spark.metrics;

/** Reads counters out of the arrays the native library returns (shorter arrays read as 0). */
final class MetricArrays {

    private MetricArrays() {
    }

    static long at(long[] values, int index) {
        return values != null && index < values.length ? values[index] : 0L;
    }
}
