package io.pubsubnative.spark.metrics;

import org.apache.spark.sql.connector.metric.CustomMetric;
import org.apache.spark.sql.connector.metric.CustomTaskMetric;

import io.pubsubnative.spark.nativelib.Publisher;

/**
 * The custom metrics of the sink and how a writer task turns its publisher's counters into their
 * values. Every writer task owns its own publisher, so the counters are the task's own.
 */
public final class SinkMetrics {

    private SinkMetrics() {
    }

    public static CustomMetric[] supported() {
        return new CustomMetric[] {
            new PublishLatencyMetric(),
            new MessagesPublishedMetric(),
            new BytesPublishedMetric(),
            new PublishRetriesMetric(),
        };
    }

    public static CustomTaskMetric[] taskValues(long[] publisherMetrics) {
        long[] m = publisherMetrics;
        return new CustomTaskMetric[] {
            new TaskMetricValue(PublishLatencyMetric.NAME, PublishLatencyMetric.taskValue(
                    MetricArrays.at(m, Publisher.METRIC_LATENCY_SUM_MICROS),
                    MetricArrays.at(m, Publisher.METRIC_PUBLISH_REQUESTS))),
            new TaskMetricValue(MessagesPublishedMetric.NAME, MetricArrays.at(m, Publisher.METRIC_MESSAGES_PUBLISHED)),
            new TaskMetricValue(BytesPublishedMetric.NAME, MetricArrays.at(m, Publisher.METRIC_BYTES_PUBLISHED)),
            new TaskMetricValue(PublishRetriesMetric.NAME, MetricArrays.at(m, Publisher.METRIC_PUBLISH_RETRIES)),
        };
    }
}
