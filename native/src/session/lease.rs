//! The lease manager: keeps held messages' ack deadlines extended until they
//! are acknowledged, nacked, or reach `max_ack_extension_seconds`, and
//! retries the Acknowledge of messages whose ack failed transiently.

use super::ack_request::Call;
use super::Shared;
use crate::backoff::Backoff;
use crate::metrics::bump;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::time::MissedTickBehavior;

const MAX_PERIOD: Duration = Duration::from_secs(5);

pub(super) async fn run(shared: Arc<Shared>) {
    let deadline = shared.config.stream_ack_deadline();
    let mut ticker = tokio::time::interval((deadline / 3).min(MAX_PERIOD));
    ticker.set_missed_tick_behavior(MissedTickBehavior::Delay);
    // Failed retries space out (up to 10 s) on top of the ticks.
    let mut retry_backoff = Backoff::default();
    let mut retry_at = Instant::now();
    loop {
        ticker.tick().await;
        #[cfg(test)]
        crate::task::inject::fail_point(super::LEASE_TASK, &shared.config.subscription);
        extend(&shared).await;
        if Instant::now() < retry_at {
            continue;
        }
        // After the extension: a retry takes its ids out of the reservoir
        // (out of the scans) until it is answered.
        let acks = shared.held().reservoir.take_retry();
        // A permanent failure has let its ids go; there is no caller to tell.
        let _ = shared.acknowledge(acks).await;
        if shared.held().reservoir.retry_pending() {
            retry_at = Instant::now() + retry_backoff.next_delay();
        } else {
            retry_backoff.reset();
        }
    }
}

/// Lets go of leases past the maximum extension and extends those due.
async fn extend(shared: &Shared) {
    let config = &shared.config;
    let deadline = config.stream_ack_deadline();
    let scan =
        shared
            .held()
            .reservoir
            .scan_leases(Instant::now(), deadline, config.max_ack_extension());
    if scan.expired > 0 {
        bump(&shared.counters.lease_expiries, scan.expired);
        shared.space_freed.notify_one();
    }
    if scan.due.is_empty() {
        return;
    }
    let call = Call::ModifyDeadline(config.stream_ack_deadline_seconds());
    let arrivals = &scan.due_arrivals;
    let (mut extended, mut failed) = (Vec::new(), Vec::new());
    // Leases count from before the first request: never later than Pub/Sub's.
    let sent_at = Instant::now();
    shared
        .acks
        .send(call, &scan.due, |range, result| {
            let arrivals = &arrivals[range];
            // The ids of one arrival are consecutive: keep its id once.
            let distinct = arrivals.chunk_by(|a, b| a == b).map(|run| run[0]);
            if result.is_ok() {
                bump(&shared.counters.modacks_sent, arrivals.len());
                extended.extend(distinct);
            } else {
                failed.extend(distinct);
            }
        })
        .await;
    // An arrival counts as extended only if every request holding part of
    // it succeeded; a failed one stays due and is retried on the next tick.
    failed.sort_unstable();
    extended.retain(|a| failed.binary_search(a).is_err());
    if !extended.is_empty() {
        let mut held = shared.held();
        held.reservoir
            .record_extension(&extended, sent_at + deadline);
    }
}
