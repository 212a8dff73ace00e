package io.pubsubnative.spark.source;

import org.apache.spark.sql.connector.metric.CustomMetric;
import org.apache.spark.sql.connector.read.Scan;
import org.apache.spark.sql.connector.read.streaming.MicroBatchStream;
import org.apache.spark.sql.types.StructType;

import io.pubsubnative.spark.config.ReadOptions;
import io.pubsubnative.spark.metrics.SourceMetrics;

/** The columnar scan of a subscription in raw format. */
public final class PubSubScan implements Scan {

    private final ReadOptions options;

    public PubSubScan(ReadOptions options) {
        this.options = options;
    }

    @Override
    public StructType readSchema() {
        return RawSchema.SCHEMA;
    }

    @Override
    public String description() {
        return "PubSubScan[" + options.subscription() + "]";
    }

    @Override
    public MicroBatchStream toMicroBatchStream(String checkpointLocation) {
        return new PubSubMicroBatchStream(options, checkpointLocation);
    }

    @Override
    public CustomMetric[] supportedCustomMetrics() {
        return SourceMetrics.supported();
    }

    @Override
    public ColumnarSupportMode columnarSupportMode() {
        return ColumnarSupportMode.SUPPORTED;
    }
}
