package io.pubsubnative.spark.metrics;

import org.apache.spark.sql.connector.metric.CustomSumMetric;

/**
 * A summed custom metric of the source. Subclasses need a public no-arg constructor: Spark
 * instantiates metric classes by name on the driver to aggregate task values.
 */
public abstract class NativeMetric extends CustomSumMetric {

    private final String name;
    private final String description;

    protected NativeMetric(String name, String description) {
        this.name = name;
        this.description = description;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String description() {
        return description;
    }
}
