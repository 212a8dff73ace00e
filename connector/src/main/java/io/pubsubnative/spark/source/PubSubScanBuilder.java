package io.pubsubnative.spark.source;

import org.apache.spark.sql.connector.read.Scan;
import org.apache.spark.sql.connector.read.ScanBuilder;

import io.pubsubnative.spark.config.ReadOptions;

/** Builds the {@link PubSubScan}; the raw source supports no pushdown. */
public final class PubSubScanBuilder implements ScanBuilder {

    private final ReadOptions options;

    public PubSubScanBuilder(ReadOptions options) {
        this.options = options;
    }

    @Override
    public Scan build() {
        return new PubSubScan(options);
    }
}
