//! The lease manager: keeps held messages' ack deadlines extended until they
//! are acknowledged, nacked, or reach `max_ack_extension_seconds`.

use super::rpc::{self, chunk_by_limits, Call};
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
        let call = Call::ModifyDeadline(config.stream_ack_deadline_seconds());
        let mut extended = Vec::new();
        let mut failed = Vec::new();
        for chunk in chunk_by_limits(scan.due, |(_, id)| id.as_str()) {
            let (arrivals, ids): (Vec<u64>, Vec<String>) = chunk.into_iter().unzip();
            let sent_at = Instant::now();
            if rpc::send(&shared.client, &config.subscription, &call, ids)
                .await
                .is_ok()
            {
                bump(&shared.counters.modacks_sent, arrivals.len());
                extended.push((arrivals, sent_at));
            } else {
                failed.extend(arrivals);
            }
        }
        // An arrival counts as extended only if every chunk holding part of
        // it succeeded; a failed one stays due and is retried on the next tick.
        failed.sort_unstable();
        let mut held = shared.held();
        for (mut arrivals, sent_at) in extended {
            arrivals.retain(|a| failed.binary_search(a).is_err());
            held.reservoir
                .record_extension(&arrivals, sent_at + deadline);
        }
    }
}
