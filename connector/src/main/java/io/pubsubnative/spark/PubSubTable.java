package io.pubsubnative.spark;

import java.util.EnumSet;
import java.util.Set;

import org.apache.spark.sql.connector.catalog.SupportsRead;
import org.apache.spark.sql.connector.catalog.TableCapability;
import org.apache.spark.sql.connector.read.ScanBuilder;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;

import io.pubsubnative.spark.config.ReadOptions;
import io.pubsubnative.spark.source.PubSubScanBuilder;
import io.pubsubnative.spark.source.RawSchema;

/** A Pub/Sub subscription (read) as a Spark table. */
public final class PubSubTable implements SupportsRead {

    private final String name;

    PubSubTable(String name) {
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public StructType schema() {
        return RawSchema.SCHEMA;
    }

    @Override
    public Set<TableCapability> capabilities() {
        return EnumSet.of(TableCapability.MICRO_BATCH_READ);
    }

    @Override
    public ScanBuilder newScanBuilder(CaseInsensitiveStringMap options) {
        return new PubSubScanBuilder(ReadOptions.parse(options));
    }
}
