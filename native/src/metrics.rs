//! Per-session counters; the order of `Snapshot` is the ABI of `metrics(h)`.

use std::sync::atomic::{AtomicI64, Ordering};

/// Length of the `long[]` returned by `metrics(h)`.
pub const METRIC_COUNT: usize = 11;

#[derive(Debug, Default)]
pub struct Counters {
    pub ingested_messages: AtomicI64,
    pub ingested_bytes: AtomicI64,
    pub acks_sent: AtomicI64,
    pub modacks_sent: AtomicI64,
    pub nacks_sent: AtomicI64,
    pub lease_expiries: AtomicI64,
    pub stream_reconnects: AtomicI64,
    /// Ack ids whose Acknowledge request failed (after its own retries).
    pub ack_failures: AtomicI64,
    /// Rows returned by fetches replaying a read record.
    pub replayed_messages: AtomicI64,
}

pub fn bump(counter: &AtomicI64, by: usize) {
    counter.fetch_add(i64::try_from(by).unwrap_or(i64::MAX), Ordering::Relaxed);
}

impl Counters {
    /// The metrics array: counters plus the reservoir's two gauges.
    pub fn snapshot(&self, buffered_bytes: usize, unacked_messages: usize) -> [i64; METRIC_COUNT] {
        let get = |c: &AtomicI64| c.load(Ordering::Relaxed);
        [
            get(&self.ingested_messages),
            get(&self.ingested_bytes),
            i64::try_from(buffered_bytes).unwrap_or(i64::MAX),
            i64::try_from(unacked_messages).unwrap_or(i64::MAX),
            get(&self.acks_sent),
            get(&self.modacks_sent),
            get(&self.nacks_sent),
            get(&self.lease_expiries),
            get(&self.stream_reconnects),
            get(&self.ack_failures),
            get(&self.replayed_messages),
        ]
    }
}
