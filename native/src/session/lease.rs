//! The lease manager: keeps held messages' ack deadlines extended until they
//! are acknowledged, nacked, or reach `max_ack_extension_seconds`.

use super::ack_request::Call;
use super::Shared;
use crate::metrics::bump;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::time::MissedTickBehavior;

const MAX_PERIOD: Duration = Duration::from_secs(5);

pub(super) async fn run(shared: Arc<Shared>) {
    let config = &shared.config;
    let deadline = config.stream_ack_deadline();
    let max_extension = config.max_ack_extension();
    let mut ticker = tokio::time::interval((deadline / 3).min(MAX_PERIOD));
    ticker.set_missed_tick_behavior(MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        let scan = shared
            .held()
            .reservoir
            .scan_leases(Instant::now(), deadline, max_extension);
        if scan.expired > 0 {
            bump(&shared.counters.lease_expiries, scan.expired);
            shared.space_freed.notify_one();
        }
        if scan.due.is_empty() {
            continue;
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
}
