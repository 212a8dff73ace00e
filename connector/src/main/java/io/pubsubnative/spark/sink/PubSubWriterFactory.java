package io.pubsubnative.spark.sink;

import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.connector.write.DataWriter;
import org.apache.spark.sql.connector.write.DataWriterFactory;
import org.apache.spark.sql.connector.write.streaming.StreamingDataWriterFactory;

import io.pubsubnative.spark.config.WriteOptions;

/** Sent to the executors; creates one {@link PubSubDataWriter} (and native publisher) per task. */
final class PubSubWriterFactory implements DataWriterFactory, StreamingDataWriterFactory {

    private static final long serialVersionUID = 1L;

    private final WriteOptions options;
    private final SinkSchema schema;

    PubSubWriterFactory(WriteOptions options, SinkSchema schema) {
        this.options = options;
        this.schema = schema;
    }

    @Override
    public DataWriter<InternalRow> createWriter(int partitionId, long taskId) {
        return new PubSubDataWriter(options, schema, partitionId, taskId);
    }

    @Override
    public DataWriter<InternalRow> createWriter(int partitionId, long taskId, long epochId) {
        return new PubSubDataWriter(options, schema, partitionId, taskId);
    }
}
