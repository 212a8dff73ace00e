package io.pubsubnative.spark.metrics;

import java.util.Arrays;
import java.util.Locale;

import org.apache.spark.sql.connector.metric.CustomMetric;

/**
 * Publish latency: each writer task reports its mean time per successful Publish request (first
 * attempt to message ids, so retries count) in microseconds, 0 when it sent no request. The
 * aggregate is "min/med/max" of those task means in milliseconds, over the tasks that published.
 */
public final class PublishLatencyMetric implements CustomMetric {

    public static final String NAME = "native_publish_latency";

    public PublishLatencyMetric() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "Publish latency per request, task means (min/med/max)";
    }

    @Override
    public String aggregateTaskMetrics(long[] taskMetrics) {
        long[] published = Arrays.stream(taskMetrics).filter(v -> v > 0).sorted().toArray();
        if (published.length == 0) {
            return "n/a";
        }
        return String.format(Locale.ROOT, "%s / %s / %s",
                millis(published[0]), millis(published[published.length / 2]),
                millis(published[published.length - 1]));
    }

    /** A task's value: mean microseconds per request, 0 without requests. */
    public static long taskValue(long latencySumMicros, long requests) {
        return requests <= 0 ? 0L : Math.max(1L, latencySumMicros / requests);
    }

    private static String millis(long micros) {
        return String.format(Locale.ROOT, "%.1f ms", micros / 1000.0);
    }
}
