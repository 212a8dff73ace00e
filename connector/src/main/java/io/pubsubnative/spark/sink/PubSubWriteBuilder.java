package io.pubsubnative.spark.sink;

import org.apache.spark.sql.connector.write.LogicalWriteInfo;
import org.apache.spark.sql.connector.write.Write;
import org.apache.spark.sql.connector.write.WriteBuilder;

import io.pubsubnative.spark.config.WriteOptions;

/**
 * Validates a write when Spark plans it (at {@code save()}, and for every micro-batch of a streaming
 * query): the options, the input columns ({@link SinkSchema}) and, when {@code topicId} is set, that
 * the topic exists ({@link TopicValidation}, once per table).
 */
public final class PubSubWriteBuilder implements WriteBuilder {

    private final PubSubWrite write;

    public PubSubWriteBuilder(LogicalWriteInfo info, TopicValidation topics) {
        WriteOptions options = WriteOptions.parse(info.options());
        SinkSchema schema = SinkSchema.validate(info.schema(), options.topic() != null);
        if (options.topic() != null) {
            topics.requireExists(options);
        }
        this.write = new PubSubWrite(options, schema);
    }

    @Override
    public Write build() {
        return write;
    }
}
