package io.pubsubnative.spark.sink;

import org.apache.spark.sql.connector.write.WriterCommitMessage;

/** What a committed writer task reports to the driver: how many messages it published. */
record PubSubCommitMessage(long messagesPublished) implements WriterCommitMessage {

    private static final long serialVersionUID = 1L;
}
