package io.pubsubnative.spark.metrics;

import org.apache.spark.sql.connector.metric.CustomMetric;
import org.apache.spark.sql.connector.metric.CustomTaskMetric;

import io.pubsubnative.spark.nativelib.SubscriberSession;

/** The custom metrics of the source and how a task turns native counters into their values. */
public final class SourceMetrics {

    private SourceMetrics() {
    }

    public static CustomMetric[] supported() {
        return new CustomMetric[] {
            new IngestedBytesMetric(),
            new OffHeapMemoryMetric(),
            new UnackedMessagesMetric(),
            new AcksSentMetric(),
            new ModacksSentMetric(),
            new NacksSentMetric(),
            new LeaseExpiriesMetric(),
            new StreamReconnectsMetric(),
            new AckFailuresMetric(),
            new ReplayedMessagesMetric(),
            new ReplayLogBytesMetric(),
        };
    }

    /**
     * Task metric values: counters as the growth since {@code baseline}, unacked messages as the
     * current value, off-heap memory as {@code allocatedBytes}, and the task's own replay-log bytes.
     */
    public static CustomTaskMetric[] taskValues(long[] current, long[] baseline, long allocatedBytes,
                                                long replayLogBytes) {
        return new CustomTaskMetric[] {
            new TaskMetricValue(IngestedBytesMetric.NAME,
                    delta(current, baseline, SubscriberSession.METRIC_INGESTED_BYTES)),
            new TaskMetricValue(OffHeapMemoryMetric.NAME, allocatedBytes),
            new TaskMetricValue(UnackedMessagesMetric.NAME,
                    MetricArrays.at(current, SubscriberSession.METRIC_UNACKED_MESSAGES)),
            new TaskMetricValue(AcksSentMetric.NAME,
                    delta(current, baseline, SubscriberSession.METRIC_ACKS_SENT)),
            new TaskMetricValue(ModacksSentMetric.NAME,
                    delta(current, baseline, SubscriberSession.METRIC_MODACKS_SENT)),
            new TaskMetricValue(NacksSentMetric.NAME,
                    delta(current, baseline, SubscriberSession.METRIC_NACKS_SENT)),
            new TaskMetricValue(LeaseExpiriesMetric.NAME,
                    delta(current, baseline, SubscriberSession.METRIC_LEASE_EXPIRIES)),
            new TaskMetricValue(StreamReconnectsMetric.NAME,
                    delta(current, baseline, SubscriberSession.METRIC_STREAM_RECONNECTS)),
            new TaskMetricValue(AckFailuresMetric.NAME,
                    delta(current, baseline, SubscriberSession.METRIC_ACK_FAILURES)),
            new TaskMetricValue(ReplayedMessagesMetric.NAME,
                    delta(current, baseline, SubscriberSession.METRIC_REPLAYED_MESSAGES)),
            new TaskMetricValue(ReplayLogBytesMetric.NAME, replayLogBytes),
        };
    }

    private static long delta(long[] current, long[] baseline, int index) {
        return Math.max(0L, MetricArrays.at(current, index) - MetricArrays.at(baseline, index));
    }
}
