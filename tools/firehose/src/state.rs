//! State shared by the services: the catalog, the ledger, faults, counts.

use crate::catalog::{ack_id, parse_ack_id, Catalog};
use crate::config::ServeConfig;
use crate::faults::Faults;
use crate::ledger::{Causes, Ledger, Redelivery};
use crate::report::{PublishCounts, Report};
use crate::wire::Delivery;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Instant;
use tokio::sync::Notify;

#[derive(Debug)]
pub struct Firehose {
    pub config: ServeConfig,
    pub catalog: Arc<Catalog>,
    pub faults: Faults,
    ledger: Mutex<Ledger>,
    started: Instant,
    published_messages: AtomicU64,
    published_bytes: AtomicU64,
    publish_requests: AtomicU64,
    /// Notified once every message has been acked.
    pub all_acked: Notify,
}

impl Firehose {
    pub fn new(config: ServeConfig) -> Firehose {
        let started = Instant::now();
        let catalog = Arc::new(Catalog::new(&config.spec));
        Firehose {
            faults: Faults::new(config.faults.clone(), started),
            ledger: Mutex::new(Ledger::new(catalog.clone())),
            catalog,
            config,
            started,
            published_messages: AtomicU64::new(0),
            published_bytes: AtomicU64::new(0),
            publish_requests: AtomicU64::new(0),
            all_acked: Notify::new(),
        }
    }

    /// The ledger; a panic elsewhere while holding it leaves counts usable.
    pub fn ledger(&self) -> MutexGuard<'_, Ledger> {
        self.ledger.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Milliseconds since start: the clock of leases.
    pub fn now_ms(&self) -> u64 {
        self.started.elapsed().as_millis() as u64
    }

    /// Acks from an Acknowledge RPC or a StreamingPull request.
    pub fn ack(&self, ack_ids: &[String]) {
        if ack_ids.is_empty() {
            return;
        }
        let parsed = ack_ids.iter().map(|a| parse_ack_id(a));
        let all_acked = {
            let mut ledger = self.ledger();
            ledger.ack_unless(parsed, |(i, g)| self.faults.rejects_ack(ack_id(i, g)));
            ledger.all_acked()
        };
        if all_acked {
            self.all_acked.notify_one();
        }
    }

    /// The ids of an Acknowledge call that failed on purpose (none applied).
    pub fn acks_failed(&self, ack_ids: &[String]) {
        let parsed = ack_ids.iter().map(|a| parse_ack_id(a));
        self.ledger().mark(parsed, Causes::ACK_FAILED);
    }

    /// A stall holds `deliveries` past their lease.
    pub fn held_past_lease(&self, deliveries: &[Delivery]) {
        let ids = deliveries.iter().map(|d| Some((d.index, d.generation)));
        self.ledger().mark(ids, Causes::HELD_PAST_LEASE);
    }

    /// A drop or an outage ended `stream`; its leases stay.
    pub fn stream_faulted(&self, stream: u32) {
        self.faults.stream_dropped();
        self.ledger().stream_faulted(stream);
    }

    /// The messages served more than once so far, in id order.
    pub fn redeliveries(&self) -> Vec<Redelivery> {
        self.ledger().redeliveries()
    }

    /// Deadline changes, `ack_ids[n]` to `seconds[n]` (0 = nack).
    pub fn modify(&self, ack_ids: &[String], seconds: impl IntoIterator<Item = u32>) {
        let now = self.now_ms();
        let pairs = ack_ids.iter().map(|a| parse_ack_id(a)).zip(seconds);
        self.ledger().modify(pairs, now);
    }

    pub fn published(&self, messages: u64, bytes: u64) -> u64 {
        self.publish_requests.fetch_add(1, Relaxed);
        self.published_bytes.fetch_add(bytes, Relaxed);
        self.published_messages.fetch_add(messages, Relaxed)
    }

    pub fn report(&self) -> Report {
        let tally = self.ledger().tally();
        let published = PublishCounts {
            messages: self.published_messages.load(Relaxed),
            bytes: self.published_bytes.load(Relaxed),
            requests: self.publish_requests.load(Relaxed),
        };
        Report::new(
            tally,
            self.faults.counts(),
            published,
            self.started.elapsed(),
        )
    }
}
