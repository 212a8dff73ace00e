package io.pubsubnative.spark;

import java.util.Map;

import org.apache.spark.sql.connector.catalog.Table;
import org.apache.spark.sql.connector.catalog.TableProvider;
import org.apache.spark.sql.connector.expressions.Transform;
import org.apache.spark.sql.sources.DataSourceRegister;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;

import io.pubsubnative.spark.config.ReadOptions;
import io.pubsubnative.spark.source.RawSchema;
import io.pubsubnative.spark.source.SubscriptionValidation;

/**
 * The {@code pubsub} data source. Read options are validated, and the subscription looked up, when
 * the table is created, that is at {@code load()}; a user schema ({@code .schema(...)}) is accepted only if it is the raw schema.
 */
public final class PubSubProvider implements TableProvider, DataSourceRegister {

    public static final String SHORT_NAME = "pubsub";
    static final String TOPIC_ID = "topicId";

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
        boolean readPath = options.containsKey(ReadOptions.SUBSCRIPTION_ID) || !options.containsKey(TOPIC_ID);
        if (!readPath) {
            // The write path (topicId) validates its own options.
            return new PubSubTable(SHORT_NAME + ":" + options.get(TOPIC_ID));
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
