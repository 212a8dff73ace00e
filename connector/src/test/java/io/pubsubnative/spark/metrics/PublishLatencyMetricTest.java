package io.pubsubnative.spark.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.Map;

import org.apache.spark.sql.connector.metric.CustomTaskMetric;
import org.junit.jupiter.api.Test;

import io.pubsubnative.spark.nativelib.Publisher;

class PublishLatencyMetricTest {

    @Test
    void taskValueIsTheMeanMicrosPerRequest() {
        assertEquals(2_500, PublishLatencyMetric.taskValue(10_000, 4));
        assertEquals(0, PublishLatencyMetric.taskValue(0, 0));
    }

    @Test
    void aggregateIsMinMedianMaxOfTasksThatPublished() {
        PublishLatencyMetric m = new PublishLatencyMetric();
        assertEquals("1.0 ms / 2.5 ms / 40.0 ms", m.aggregateTaskMetrics(new long[] {40_000, 0, 1_000, 2_500}));
        assertEquals("n/a", m.aggregateTaskMetrics(new long[] {0, 0}));
    }

    @Test
    void sinkTaskValuesComeFromThePublisherCounters() {
        long[] counters = new long[Publisher.METRIC_COUNT];
        counters[Publisher.METRIC_MESSAGES_PUBLISHED] = 1000;
        counters[Publisher.METRIC_BYTES_PUBLISHED] = 123_456;
        counters[Publisher.METRIC_PUBLISH_REQUESTS] = 4;
        counters[Publisher.METRIC_PUBLISH_RETRIES] = 2;
        counters[Publisher.METRIC_LATENCY_SUM_MICROS] = 8_000;
        Map<String, Long> byName = new HashMap<>();
        for (CustomTaskMetric v : SinkMetrics.taskValues(counters)) {
            byName.put(v.name(), v.value());
        }
        assertEquals(Map.of(PublishLatencyMetric.NAME, 2_000L, MessagesPublishedMetric.NAME, 1000L,
                BytesPublishedMetric.NAME, 123_456L, PublishRetriesMetric.NAME, 2L), byName);
        assertEquals(SinkMetrics.supported().length, byName.size());
    }
}
