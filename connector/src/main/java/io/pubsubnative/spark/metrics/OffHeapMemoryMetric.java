package io.pubsubnative.spark.metrics;

import org.apache.spark.sql.connector.metric.CustomMetric;

/** Bytes allocated by the native library; aggregated as the maximum over tasks. */
public final class OffHeapMemoryMetric implements CustomMetric {

    public static final String NAME = "native_off_heap_memory";

    public OffHeapMemoryMetric() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "bytes allocated by the native library (max over tasks)";
    }

    @Override
    public String aggregateTaskMetrics(long[] taskMetrics) {
        long max = 0;
        for (long v : taskMetrics) {
            max = Math.max(max, v);
        }
        return Long.toString(max);
    }
}
