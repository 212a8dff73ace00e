package io.pubsubnative.spark.source;

import java.io.Serializable;

import org.apache.spark.SparkContext;
import org.apache.spark.util.LongAccumulator;

/** Totals the reader tasks report to the driver: messages and payload bytes read. */
final class ReadCounters implements Serializable {

    private static final long serialVersionUID = 1L;

    final LongAccumulator rows;
    final LongAccumulator bytes;

    private ReadCounters(LongAccumulator rows, LongAccumulator bytes) {
        this.rows = rows;
        this.bytes = bytes;
    }

    static ReadCounters register(SparkContext sc) {
        return new ReadCounters(
                sc.longAccumulator("pubsub." + PubSubMicroBatchStream.METRIC_MESSAGES_READ),
                sc.longAccumulator("pubsub." + PubSubMicroBatchStream.METRIC_BYTES_READ));
    }
}
