//! Faults injected on purpose (see `FaultSpec`), and how often each struck.

use crate::config::FaultSpec;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Mutex;
use std::time::{Duration, Instant};
use tokio::sync::Notify;
use tonic::{Request, Status};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FaultCounts {
    pub rpcs_unavailable: u64,
    pub publishes_unavailable: u64,
    /// Acknowledge RPCs failed on purpose (`--fail-first-acks`).
    pub acks_failed: u64,
    /// Ack ids those failed RPCs carried (none of them was applied).
    pub ack_ids_failed: u64,
    pub acks_rejected: u64,
    pub streams_dropped: u64,
    pub stalls: u64,
    /// Outages started by SIGUSR1 (`--outage-on-signal-secs`).
    pub outages: u64,
}

#[derive(Debug)]
pub struct Faults {
    spec: FaultSpec,
    started: Instant,
    publishes: AtomicU64,
    acknowledges: AtomicU64,
    rpcs_unavailable: AtomicU64,
    publishes_unavailable: AtomicU64,
    acks_failed: AtomicU64,
    ack_ids_failed: AtomicU64,
    acks_rejected: AtomicU64,
    streams_dropped: AtomicU64,
    stalls: AtomicU64,
    outages: AtomicU64,
    /// The end of the outage SIGUSR1 started last, if any.
    outage_until: Mutex<Option<Instant>>,
    /// Wakes streams waiting for messages when an outage begins, so they end.
    pub outage_begun: Notify,
}

impl Faults {
    pub fn new(spec: FaultSpec, started: Instant) -> Faults {
        Faults {
            spec,
            started,
            publishes: AtomicU64::new(0),
            acknowledges: AtomicU64::new(0),
            rpcs_unavailable: AtomicU64::new(0),
            publishes_unavailable: AtomicU64::new(0),
            acks_failed: AtomicU64::new(0),
            ack_ids_failed: AtomicU64::new(0),
            acks_rejected: AtomicU64::new(0),
            streams_dropped: AtomicU64::new(0),
            stalls: AtomicU64::new(0),
            outages: AtomicU64::new(0),
            outage_until: Mutex::new(None),
            outage_begun: Notify::new(),
        }
    }

    /// Every RPC fails with UNAVAILABLE during the outage at start and during
    /// one started by a signal.
    pub fn check_outage(&self, request: Request<()>) -> Result<Request<()>, Status> {
        if self.started.elapsed() < self.spec.unavailable_for {
            self.rpcs_unavailable.fetch_add(1, Relaxed);
            return Err(Status::unavailable(format!(
                "firehose: injected outage for the first {:?} (--unavailable-secs)",
                self.spec.unavailable_for
            )));
        }
        if let Some(status) = self.signalled_outage() {
            self.rpcs_unavailable.fetch_add(1, Relaxed);
            return Err(status);
        }
        Ok(request)
    }

    /// Starts an outage of `--outage-on-signal-secs` from now; false if that
    /// flag is not set.
    pub fn start_outage(&self) -> bool {
        if self.spec.outage_on_signal.is_zero() {
            return false;
        }
        let until = Instant::now() + self.spec.outage_on_signal;
        *self.outage_until.lock().unwrap_or_else(|e| e.into_inner()) = Some(until);
        self.outages.fetch_add(1, Relaxed);
        self.outage_begun.notify_waiters();
        true
    }

    /// The error of the signalled outage, while it lasts.
    pub fn signalled_outage(&self) -> Option<Status> {
        // Checked on every response of every stream: no lock unless the flag is set.
        if self.spec.outage_on_signal.is_zero() {
            return None;
        }
        let until = (*self.outage_until.lock().unwrap_or_else(|e| e.into_inner()))?;
        (Instant::now() < until).then(|| {
            Status::unavailable(format!(
                "firehose: injected outage of {:?} (SIGUSR1, --outage-on-signal-secs)",
                self.spec.outage_on_signal
            ))
        })
    }

    /// The first K Publish calls fail with UNAVAILABLE.
    pub fn check_publish(&self) -> Result<(), Status> {
        let k = self.spec.unavailable_publishes;
        if k > 0 && self.publishes.fetch_add(1, Relaxed) < k {
            self.publishes_unavailable.fetch_add(1, Relaxed);
            return Err(Status::unavailable(format!(
                "firehose: injected failure of the first {k} publishes (--unavailable-publishes)"
            )));
        }
        Ok(())
    }

    /// The first K Acknowledge RPCs fail with UNAVAILABLE; none of the
    /// `ack_ids` such a call carries is applied, so their leases stay (and
    /// lapse unless a later ack or modack comes).
    pub fn check_acknowledge(&self, ack_ids: usize) -> Result<(), Status> {
        let k = self.spec.fail_first_acks;
        if k > 0 && self.acknowledges.fetch_add(1, Relaxed) < k {
            self.acks_failed.fetch_add(1, Relaxed);
            self.ack_ids_failed.fetch_add(ack_ids as u64, Relaxed);
            return Err(Status::unavailable(format!(
                "firehose: injected failure of the first {k} Acknowledge calls (--fail-first-acks)"
            )));
        }
        Ok(())
    }

    /// Whether this ack id is ignored (so its message is redelivered). The
    /// choice is a hash of the id: the same on every run, and a redelivery's
    /// new id gets a fresh draw.
    pub fn rejects_ack(&self, ack_id: u64) -> bool {
        let share = self.spec.reject_ack_share;
        if share <= 0.0 {
            return false;
        }
        let rejected = unit_hash(ack_id) < share;
        if rejected {
            self.acks_rejected.fetch_add(1, Relaxed);
        }
        rejected
    }

    /// Messages a stream may send before it is dropped, if it is.
    pub fn drop_stream_after(&self) -> Option<u64> {
        self.spec.drop_stream_every
    }

    pub fn stream_dropped(&self) {
        self.streams_dropped.fetch_add(1, Relaxed);
    }

    /// (pause, every K messages) of a stream, if streams stall.
    pub fn stall(&self) -> Option<(Duration, u64)> {
        self.spec.stall
    }

    pub fn stalled(&self) {
        self.stalls.fetch_add(1, Relaxed);
    }

    pub fn counts(&self) -> FaultCounts {
        FaultCounts {
            rpcs_unavailable: self.rpcs_unavailable.load(Relaxed),
            publishes_unavailable: self.publishes_unavailable.load(Relaxed),
            acks_failed: self.acks_failed.load(Relaxed),
            ack_ids_failed: self.ack_ids_failed.load(Relaxed),
            acks_rejected: self.acks_rejected.load(Relaxed),
            streams_dropped: self.streams_dropped.load(Relaxed),
            stalls: self.stalls.load(Relaxed),
            outages: self.outages.load(Relaxed),
        }
    }
}

/// splitmix64 mapped to [0, 1).
fn unit_hash(x: u64) -> f64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn faults(spec: FaultSpec) -> Faults {
        Faults::new(spec, Instant::now())
    }

    #[test]
    fn rejected_share_is_close_to_the_flag_and_repeatable() {
        let f = faults(FaultSpec {
            reject_ack_share: 0.2,
            ..FaultSpec::default()
        });
        let rejected: Vec<u64> = (0..10_000u64).filter(|&id| f.rejects_ack(id)).collect();
        assert!(
            (1_800..2_200).contains(&rejected.len()),
            "{}",
            rejected.len()
        );
        assert!(rejected.iter().all(|&id| f.rejects_ack(id)));
        assert_eq!(f.counts().acks_rejected, 2 * rejected.len() as u64);
    }

    #[test]
    fn no_share_rejects_nothing() {
        let f = faults(FaultSpec::default());
        assert!((0..1_000u64).all(|id| !f.rejects_ack(id)));
    }

    #[test]
    fn only_the_first_k_publishes_fail() {
        let f = faults(FaultSpec {
            unavailable_publishes: 2,
            ..FaultSpec::default()
        });
        let results: Vec<bool> = (0..4).map(|_| f.check_publish().is_ok()).collect();
        assert_eq!(results, vec![false, false, true, true]);
        assert_eq!(f.counts().publishes_unavailable, 2);
    }

    #[test]
    fn only_the_first_k_acknowledges_fail_and_their_ids_are_counted() {
        let f = faults(FaultSpec {
            fail_first_acks: 3,
            ..FaultSpec::default()
        });
        let results: Vec<bool> = [10, 20, 30, 40, 50]
            .iter()
            .map(|&n| f.check_acknowledge(n).is_ok())
            .collect();
        assert_eq!(results, vec![false, false, false, true, true]);
        let err = faults(FaultSpec {
            fail_first_acks: 1,
            ..FaultSpec::default()
        })
        .check_acknowledge(1)
        .unwrap_err();
        assert_eq!(err.code(), tonic::Code::Unavailable);
        assert!(err.message().contains("--fail-first-acks"), "{err}");
        let counts = f.counts();
        assert_eq!((counts.acks_failed, counts.ack_ids_failed), (3, 60));
        let none = faults(FaultSpec::default());
        assert!((0..100).all(|_| none.check_acknowledge(5).is_ok()));
        assert_eq!(none.counts().acks_failed, 0);
    }

    #[test]
    fn a_signalled_outage_rejects_rpcs_until_it_ends_and_only_when_configured() {
        let f = faults(FaultSpec {
            outage_on_signal: Duration::from_millis(200),
            ..FaultSpec::default()
        });
        assert!(
            f.check_outage(Request::new(())).is_ok(),
            "no outage before the signal"
        );
        assert!(f.start_outage());
        let err = f.check_outage(Request::new(())).unwrap_err();
        assert_eq!(err.code(), tonic::Code::Unavailable);
        assert!(err.message().contains("SIGUSR1"), "{err}");
        std::thread::sleep(Duration::from_millis(250));
        assert!(
            f.check_outage(Request::new(())).is_ok(),
            "over after 200 ms"
        );
        assert_eq!((f.counts().outages, f.counts().rpcs_unavailable), (1, 1));
        assert!(!faults(FaultSpec::default()).start_outage());
    }

    #[test]
    fn outage_rejects_rpcs_only_while_it_lasts() {
        let f = faults(FaultSpec {
            unavailable_for: Duration::from_secs(3600),
            ..FaultSpec::default()
        });
        let err = f.check_outage(Request::new(())).unwrap_err();
        assert_eq!(err.code(), tonic::Code::Unavailable);
        let none = faults(FaultSpec::default());
        assert!(none.check_outage(Request::new(())).is_ok());
        assert_eq!(f.counts().rpcs_unavailable, 1);
    }
}
