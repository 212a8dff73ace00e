package io.pubsubnative.spark;

import java.util.EnumSet;
import java.util.Set;

import org.apache.spark.sql.connector.catalog.SupportsRead;
import org.apache.spark.sql.connector.catalog.SupportsWrite;
import org.apache.spark.sql.connector.catalog.TableCapability;
import org.apache.spark.sql.connector.read.ScanBuilder;
import org.apache.spark.sql.connector.write.LogicalWriteInfo;
import org.apache.spark.sql.connector.write.WriteBuilder;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;

import io.pubsubnative.spark.config.ReadOptions;
import io.pubsubnative.spark.sink.PubSubWriteBuilder;
import io.pubsubnative.spark.sink.TopicValidation;
import io.pubsubnative.spark.source.PubSubScanBuilder;
import io.pubsubnative.spark.source.RawSchema;

/**
 * A Pub/Sub subscription (read) or topic (write) as a Spark table. Its schema is the raw read
 * schema; writes accept any input schema ({@link TableCapability#ACCEPT_ANY_SCHEMA}) because the
 * sink's input columns differ from it, and check the input in {@link PubSubWriteBuilder}.
 */
public final class PubSubTable implements SupportsRead, SupportsWrite {

    private final String name;
    private final TopicValidation topics = new TopicValidation();

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
        return EnumSet.of(TableCapability.MICRO_BATCH_READ, TableCapability.STREAMING_WRITE,
                TableCapability.BATCH_WRITE, TableCapability.ACCEPT_ANY_SCHEMA);
    }

    @Override
    public ScanBuilder newScanBuilder(CaseInsensitiveStringMap options) {
        return new PubSubScanBuilder(ReadOptions.parse(options));
    }

    @Override
    public WriteBuilder newWriteBuilder(LogicalWriteInfo info) {
        return new PubSubWriteBuilder(info, topics);
    }
}
