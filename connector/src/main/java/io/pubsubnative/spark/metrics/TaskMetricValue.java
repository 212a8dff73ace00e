package io.pubsubnative.spark.metrics;

import org.apache.spark.sql.connector.metric.CustomTaskMetric;

/** One value of a custom metric reported by a reader task. */
public final class TaskMetricValue implements CustomTaskMetric {

    private final String name;
    private final long value;

    public TaskMetricValue(String name, long value) {
        this.name = name;
        this.value = value;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public long value() {
        return value;
    }
}
