package io.pubsubnative.spark;

import java.util.Map;

import org.apache.spark.sql.connector.catalog.Table;
import org.apache.spark.sql.connector.catalog.TableProvider;
import org.apache.spark.sql.connector.expressions.Transform;
import org.apache.spark.sql.sources.DataSourceRegister;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;

import io.pubsubnative.spark.config.OptionCatalog;
import io.pubsubnative.spark.config.ReadOptions;
import io.pubsubnative.spark.source.RawSchema;
import io.pubsubnative.spark.source.SubscriptionValidation;

/**
 * The {@code pubsub} data source. Read options are validated, and the subscription looked up, when
 * the table is created, that is at {@code load()}; a user schema ({@code .schema(...)}) is accepted
 * only if it is the raw schema. Writes are validated when Spark plans them
 * ({@link io.pubsubnative.spark.sink.PubSubWriteBuilder}).
 *
 * <p>Spark creates the table the same way for reads and writes, so the options tell them apart:
 * {@code subscriptionId} means a read; otherwise {@code topicId}, or an input schema that is not
 * the raw read schema (a write passes its input schema; a write may name every row's topic in a
 * {@code topic} column instead of setting {@code topicId}), means a write.
 */
public final class PubSubProvider implements TableProvider, DataSourceRegister {

    public static final String SHORT_NAME = "pubsub";

    @Override
    public String shortName() {
        return SHORT_NAME;
    }

    @Override
    public StructType inferSchema(CaseInsensitiveStringMap options) {
        return RawSchema.SCHEMA;
    }

    @Override
    public boolean supportsExternalMetadata() {
        return true;
    }

    @Override
    public Table getTable(StructType schema, Transform[] partitioning, Map<String, String> properties) {
        CaseInsensitiveStringMap options = new CaseInsensitiveStringMap(properties);
        boolean write = !options.containsKey(OptionCatalog.SUBSCRIPTION_ID)
                && (options.containsKey(OptionCatalog.TOPIC_ID) || (schema != null && !RawSchema.matches(schema)));
        if (write) {
            String topicId = options.get(OptionCatalog.TOPIC_ID);
            return new PubSubTable(SHORT_NAME + ":" + (topicId != null ? topicId : "topic column"));
        }
        ReadOptions read = ReadOptions.parse(options);
        if (schema != null && !RawSchema.matches(schema)) {
            throw new IllegalArgumentException(String.format(
                    "The pubsub source with format '%s' has a fixed schema; a user schema (.schema(...)) is "
                            + "accepted only if it equals it. Expected %s, got %s",
                    read.format().optionValue(), RawSchema.SCHEMA.toDDL(), schema.toDDL()));
        }
        SubscriptionValidation.requireUsable(read);
        return new PubSubTable(SHORT_NAME + ":" + read.subscription());
    }
}
