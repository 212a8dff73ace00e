//! Publisher counters; the order of `snapshot` is the ABI of `publisherMetrics(h)`.

use crate::metrics::bump;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

/// Length of the `long[]` returned by `publisherMetrics(h)`.
pub const PUBLISHER_METRIC_COUNT: usize = 8;

#[derive(Debug, Default)]
pub struct PublisherCounters {
    pub messages_published: AtomicI64,
    pub bytes_published: AtomicI64,
    pub publish_requests: AtomicI64,
    pub publish_retries: AtomicI64,
    pub latency_sum_micros: AtomicI64,
    pub latency_max_micros: AtomicI64,
}

impl PublisherCounters {
    /// Records one successful Publish request.
    pub fn published(&self, messages: usize, bytes: usize, latency: Duration) {
        bump(&self.messages_published, messages);
        bump(&self.bytes_published, bytes);
        bump(&self.publish_requests, 1);
        let micros = i64::try_from(latency.as_micros()).unwrap_or(i64::MAX);
        self.latency_sum_micros.fetch_add(micros, Ordering::Relaxed);
        self.latency_max_micros.fetch_max(micros, Ordering::Relaxed);
    }

    pub fn messages_published(&self) -> i64 {
        self.messages_published.load(Ordering::Relaxed)
    }

    /// The metrics array: counters plus the two pending gauges.
    pub fn snapshot(
        &self,
        pending_bytes: usize,
        pending_messages: usize,
    ) -> [i64; PUBLISHER_METRIC_COUNT] {
        let get = |c: &AtomicI64| c.load(Ordering::Relaxed);
        [
            get(&self.messages_published),
            get(&self.bytes_published),
            get(&self.publish_requests),
            get(&self.publish_retries),
            get(&self.latency_sum_micros),
            get(&self.latency_max_micros),
            i64::try_from(pending_bytes).unwrap_or(i64::MAX),
            i64::try_from(pending_messages).unwrap_or(i64::MAX),
        ]
    }
}
