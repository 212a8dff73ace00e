package io.pubsubnative.spark.source;

import java.io.Serializable;

import org.apache.spark.SparkContext;
import org.apache.spark.util.LongAccumulator;

/**
 * Totals the reader tasks report to the driver: messages and payload bytes read, and how many
 * tasks ended because their stream fell silent (which tells AvailableNow the subscription is
 * drained without running one more, empty, micro-batch).
 */
final class ReadCounters implements Serializable {

    private static final long serialVersionUID = 1L;

    final LongAccumulator rows;
    final LongAccumulator bytes;
    final LongAccumulator silentEndings;

    private ReadCounters(LongAccumulator rows, LongAccumulator bytes, LongAccumulator silentEndings) {
        this.rows = rows;
        this.bytes = bytes;
        this.silentEndings = silentEndings;
    }

    static ReadCounters register(SparkContext sc) {
        return new ReadCounters(
                sc.longAccumulator("pubsub." + PubSubMicroBatchStream.METRIC_MESSAGES_READ),
                sc.longAccumulator("pubsub." + PubSubMicroBatchStream.METRIC_BYTES_READ),
                sc.longAccumulator("pubsub.tasksEndedSilent"));
    }
}
