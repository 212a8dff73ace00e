package io.pubsubnative.spark.sink;

import org.apache.spark.sql.connector.metric.CustomMetric;
import org.apache.spark.sql.connector.write.BatchWrite;
import org.apache.spark.sql.connector.write.DataWriterFactory;
import org.apache.spark.sql.connector.write.PhysicalWriteInfo;
import org.apache.spark.sql.connector.write.Write;
import org.apache.spark.sql.connector.write.WriterCommitMessage;
import org.apache.spark.sql.connector.write.streaming.StreamingDataWriterFactory;
import org.apache.spark.sql.connector.write.streaming.StreamingWrite;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.pubsubnative.spark.config.WriteOptions;
import io.pubsubnative.spark.metrics.SinkMetrics;

/**
 * A validated write to Pub/Sub, batch or streaming. The driver has nothing to commit or roll back:
 * every task's commit already waited for its messages' ids, and published messages cannot be taken
 * back, so {@code commit} only logs the count and {@code abort} only logs that published messages
 * stay published. There is no commit coordination either ({@link #useCommitCoordinator()} is
 * false): it could not prevent a second attempt's publishes, which happen before its commit.
 */
final class PubSubWrite implements Write, BatchWrite, StreamingWrite {

    private static final Logger LOG = LoggerFactory.getLogger(PubSubWrite.class);

    private final String description;
    private final PubSubWriterFactory factory;

    PubSubWrite(WriteOptions options, SinkSchema schema) {
        this.description = "pubsub:" + (options.topic() != null ? options.topic() : "topic column");
        this.factory = new PubSubWriterFactory(options, schema);
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public BatchWrite toBatch() {
        return this;
    }

    @Override
    public StreamingWrite toStreaming() {
        return this;
    }

    @Override
    public CustomMetric[] supportedCustomMetrics() {
        return SinkMetrics.supported();
    }

    @Override
    public DataWriterFactory createBatchWriterFactory(PhysicalWriteInfo info) {
        return factory;
    }

    @Override
    public StreamingDataWriterFactory createStreamingWriterFactory(PhysicalWriteInfo info) {
        return factory;
    }

    @Override
    public boolean useCommitCoordinator() {
        return false;
    }

    @Override
    public void commit(WriterCommitMessage[] messages) {
        LOG.info("{}: {} messages published by {} tasks", description(), published(messages), messages.length);
    }

    @Override
    public void abort(WriterCommitMessage[] messages) {
        LOG.warn("{}: write aborted; {} messages already published by committed tasks stay published",
                description(), published(messages));
    }

    @Override
    public void commit(long epochId, WriterCommitMessage[] messages) {
        LOG.debug("{}: epoch {}: {} messages published", description(), epochId, published(messages));
    }

    @Override
    public void abort(long epochId, WriterCommitMessage[] messages) {
        LOG.warn("{}: epoch {} aborted; {} messages already published by committed tasks stay published",
                description(), epochId, published(messages));
    }

    private static long published(WriterCommitMessage[] messages) {
        long total = 0;
        for (WriterCommitMessage m : messages) {
            if (m instanceof PubSubCommitMessage c) {
                total += c.messagesPublished();
            }
        }
        return total;
    }
}
