//! The ack reservoir: every message held by a session, from its arrival on the
//! stream until it is acknowledged, nacked, or its lease runs out. Buffered
//! (not yet fetched) and delivered (tagged with a Spark batch id) messages are
//! both leased, and the lease clock starts at arrival.
//!
//! Pure data structure; the session guards it with a mutex held only briefly.

use crate::arrow_batch::PulledMessage;
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::time::{Duration, Instant};

struct Lease {
    ack_id: String,
    arrived: Instant,
    lease_until: Instant,
    payload_bytes: usize,
}

/// How much one fetch may take out of the buffer.
#[derive(Debug, Clone, Copy)]
pub struct BatchLimits {
    pub max_rows: usize,
    pub max_payload_bytes: usize,
    pub max_var_bytes: usize,
}

/// Leases that need an extension now, and how many leases were let go.
pub struct LeaseScan {
    pub due: Vec<(u64, String)>,
    pub expired: usize,
}

#[derive(Default)]
pub struct Reservoir {
    next_seq: u64,
    leases: HashMap<u64, Lease>,
    buffer: VecDeque<(u64, PulledMessage)>,
    delivered: BTreeMap<i64, Vec<u64>>,
    buffered_bytes: usize,
    held_bytes: usize,
}

impl Reservoir {
    pub fn push(
        &mut self,
        ack_id: String,
        message: PulledMessage,
        now: Instant,
        deadline: Duration,
    ) {
        let seq = self.next_seq;
        self.next_seq += 1;
        let payload_bytes = message.message.data.len();
        self.leases.insert(
            seq,
            Lease {
                ack_id,
                arrived: now,
                lease_until: now + deadline,
                payload_bytes,
            },
        );
        self.buffer.push_back((seq, message));
        self.buffered_bytes += payload_bytes;
        self.held_bytes += payload_bytes;
    }

    pub fn buffered_len(&self) -> usize {
        self.buffer.len()
    }

    pub fn buffered_bytes(&self) -> usize {
        self.buffered_bytes
    }

    /// Messages held and not yet acknowledged (buffered or delivered).
    pub fn held_len(&self) -> usize {
        self.leases.len()
    }

    /// True while the stream must not deliver more (native flow control).
    pub fn is_full(&self, max_messages: usize, max_bytes: usize) -> bool {
        self.leases.len() >= max_messages || self.held_bytes >= max_bytes
    }

    /// Moves messages from the buffer into a batch tagged `tag`: up to
    /// `max_rows`, within the byte limits, but always one if any is buffered.
    pub fn take_batch(&mut self, tag: i64, limits: BatchLimits) -> Vec<PulledMessage> {
        let mut taken = Vec::new();
        let mut payload = 0usize;
        let mut var = 0usize;
        while taken.len() < limits.max_rows {
            let Some((_, front)) = self.buffer.front() else {
                break;
            };
            let next_payload = payload + front.message.data.len();
            let next_var = var + front.var_len();
            let over = next_payload > limits.max_payload_bytes || next_var > limits.max_var_bytes;
            if over && !taken.is_empty() {
                break;
            }
            let Some((seq, message)) = self.buffer.pop_front() else {
                break;
            };
            payload = next_payload;
            var = next_var;
            self.buffered_bytes -= message.message.data.len();
            self.delivered.entry(tag).or_default().push(seq);
            taken.push(message);
        }
        taken
    }

    /// Ack ids of every delivered message tagged `<= committed`, released.
    pub fn ack_through(&mut self, committed: i64) -> Vec<String> {
        let keep = match committed.checked_add(1) {
            Some(first_kept) => self.delivered.split_off(&first_kept),
            None => BTreeMap::new(),
        };
        let released = std::mem::replace(&mut self.delivered, keep);
        let seqs: Vec<u64> = released.into_values().flatten().collect();
        self.release(&seqs)
    }

    /// Ack ids of the messages tagged exactly `tag`, released.
    pub fn nack_batch(&mut self, tag: i64) -> Vec<String> {
        let seqs = self.delivered.remove(&tag).unwrap_or_default();
        self.release(&seqs)
    }

    /// Ack ids of everything held (buffered and delivered), released.
    pub fn drain_all(&mut self) -> Vec<String> {
        self.buffer.clear();
        self.delivered.clear();
        self.buffered_bytes = 0;
        self.held_bytes = 0;
        self.leases.drain().map(|(_, lease)| lease.ack_id).collect()
    }

    /// Lets go of leases older than `max_extension` and returns those whose
    /// remaining time is under three quarters of `deadline`, so each is
    /// extended about a quarter deadline before Pub/Sub would redeliver it.
    pub fn scan_leases(
        &mut self,
        now: Instant,
        deadline: Duration,
        max_extension: Duration,
    ) -> LeaseScan {
        let expired: Vec<u64> = self
            .leases
            .iter()
            .filter(|(_, lease)| now.saturating_duration_since(lease.arrived) >= max_extension)
            .map(|(seq, _)| *seq)
            .collect();
        self.release(&expired);
        if !expired.is_empty() {
            let leases = &self.leases;
            let mut dropped_bytes = 0;
            self.buffer.retain(|(seq, m)| {
                let keep = leases.contains_key(seq);
                if !keep {
                    dropped_bytes += m.message.data.len();
                }
                keep
            });
            self.buffered_bytes -= dropped_bytes;
        }
        let threshold = now + deadline.mul_f64(0.75);
        let due = self
            .leases
            .iter()
            .filter(|(_, lease)| lease.lease_until < threshold)
            .map(|(seq, lease)| (*seq, lease.ack_id.clone()))
            .collect();
        LeaseScan {
            due,
            expired: expired.len(),
        }
    }

    /// Records a successful extension of the given leases.
    pub fn record_extension(&mut self, seqs: &[u64], until: Instant) {
        for seq in seqs {
            if let Some(lease) = self.leases.get_mut(seq) {
                lease.lease_until = until;
            }
        }
    }

    fn release(&mut self, seqs: &[u64]) -> Vec<String> {
        let mut ids = Vec::with_capacity(seqs.len());
        for seq in seqs {
            // A delivered seq may already be gone when its lease expired.
            if let Some(lease) = self.leases.remove(seq) {
                self.held_bytes -= lease.payload_bytes;
                ids.push(lease.ack_id);
            }
        }
        ids
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::google::pubsub::v1::PubsubMessage;

    const DEADLINE: Duration = Duration::from_secs(10);
    const UNLIMITED: BatchLimits = BatchLimits {
        max_rows: usize::MAX,
        max_payload_bytes: usize::MAX,
        max_var_bytes: usize::MAX,
    };

    fn msg(payload_len: usize) -> PulledMessage {
        PulledMessage {
            message: PubsubMessage {
                data: vec![7u8; payload_len].into(),
                message_id: "m".into(),
                ..Default::default()
            },
            delivery_attempt: 0,
        }
    }

    fn filled(n: usize, now: Instant) -> Reservoir {
        let mut r = Reservoir::default();
        for i in 0..n {
            r.push(format!("ack-{i}"), msg(10), now, DEADLINE);
        }
        r
    }

    fn limits(rows: usize) -> BatchLimits {
        BatchLimits {
            max_rows: rows,
            ..UNLIMITED
        }
    }

    #[test]
    fn take_batch_tags_messages_and_moves_them_out_of_the_buffer() {
        let mut r = filled(5, Instant::now());
        assert_eq!(r.take_batch(3, limits(2)).len(), 2);
        assert_eq!(r.buffered_len(), 3);
        assert_eq!(r.buffered_bytes(), 30);
        assert_eq!(r.held_len(), 5);
        assert_eq!(r.nack_batch(3), vec!["ack-0", "ack-1"]);
        assert_eq!(r.held_len(), 3);
    }

    #[test]
    fn ack_through_selects_every_batch_at_or_below_the_committed_id() {
        let mut r = filled(6, Instant::now());
        r.take_batch(1, limits(2));
        r.take_batch(2, limits(2));
        r.take_batch(3, limits(1));
        let mut acked = r.ack_through(2);
        acked.sort();
        assert_eq!(acked, vec!["ack-0", "ack-1", "ack-2", "ack-3"]);
        assert!(r.ack_through(2).is_empty());
        assert_eq!(r.ack_through(i64::MAX), vec!["ack-4"]);
        // The buffered message is not delivered, so no ack touches it.
        assert_eq!(r.held_len(), 1);
        assert_eq!(r.buffered_len(), 1);
    }

    #[test]
    fn nack_batch_selects_exactly_one_tag() {
        let mut r = filled(3, Instant::now());
        r.take_batch(1, limits(1));
        r.take_batch(2, limits(1));
        r.take_batch(3, limits(1));
        assert_eq!(r.nack_batch(2), vec!["ack-1"]);
        assert!(r.nack_batch(2).is_empty());
        assert_eq!(r.held_len(), 2);
    }

    #[test]
    fn take_batch_respects_byte_limits_but_always_takes_one() {
        let mut r = filled(4, Instant::now());
        let payload_capped = BatchLimits {
            max_payload_bytes: 25,
            ..UNLIMITED
        };
        assert_eq!(r.take_batch(1, payload_capped).len(), 2);
        let tiny = BatchLimits {
            max_payload_bytes: 1,
            max_var_bytes: 1,
            max_rows: 10,
        };
        assert_eq!(r.take_batch(2, tiny).len(), 1);
        let var_capped = BatchLimits {
            max_var_bytes: 11,
            ..UNLIMITED
        };
        // payload 10 + message id 1 = 11 variable-length bytes per message.
        assert_eq!(r.take_batch(3, var_capped).len(), 1);
        assert!(r.take_batch(4, limits(0)).is_empty());
    }

    #[test]
    fn a_batch_never_exceeds_512_mib_of_variable_length_data() {
        use crate::arrow_batch::MAX_BATCH_VAR_BYTES;
        // Clones share one 100 MiB buffer, so the test holds only 100 MiB.
        let payload = bytes::Bytes::from(vec![1u8; 100 * 1024 * 1024]);
        let mut r = Reservoir::default();
        for i in 0..7 {
            let mut m = msg(0);
            m.message.data = payload.clone();
            r.push(format!("ack-{i}"), m, Instant::now(), DEADLINE);
        }
        assert_eq!(MAX_BATCH_VAR_BYTES, 512 * 1024 * 1024);
        let capped = BatchLimits {
            max_var_bytes: MAX_BATCH_VAR_BYTES,
            ..UNLIMITED
        };
        assert_eq!(r.take_batch(1, capped).len(), 5);
        assert_eq!(r.take_batch(2, capped).len(), 2);
    }

    #[test]
    fn flow_control_counts_buffered_and_delivered_until_acknowledged() {
        let mut r = filled(3, Instant::now());
        assert!(r.is_full(3, usize::MAX));
        assert!(r.is_full(100, 30));
        r.take_batch(1, limits(3));
        assert!(r.is_full(3, usize::MAX));
        r.ack_through(1);
        assert!(!r.is_full(3, 30));
    }

    #[test]
    fn leases_past_max_extension_are_dropped_and_counted() {
        let start = Instant::now();
        let mut r = filled(2, start);
        r.take_batch(1, limits(1));
        let later = start + Duration::from_secs(5);
        r.push("young".into(), msg(10), later, DEADLINE);
        let scan = r.scan_leases(
            start + Duration::from_secs(60),
            DEADLINE,
            Duration::from_secs(60),
        );
        assert_eq!(scan.expired, 2);
        assert_eq!(r.held_len(), 1);
        assert_eq!(r.buffered_len(), 1);
        assert_eq!(r.buffered_bytes(), 10);
        // The expired delivered message is gone: committing its batch acks nothing.
        assert!(r.ack_through(1).is_empty());
        assert_eq!(
            scan.due
                .iter()
                .map(|(_, id)| id.as_str())
                .collect::<Vec<_>>(),
            vec!["young"]
        );
    }

    #[test]
    fn leases_are_due_for_extension_only_when_a_quarter_deadline_has_passed() {
        let start = Instant::now();
        let mut r = filled(1, start);
        let max_ext = Duration::from_secs(3600);
        assert!(r
            .scan_leases(start + Duration::from_secs(2), DEADLINE, max_ext)
            .due
            .is_empty());
        let at = start + Duration::from_secs(3);
        let scan = r.scan_leases(at, DEADLINE, max_ext);
        assert_eq!(scan.due.len(), 1);
        let seqs: Vec<u64> = scan.due.iter().map(|(s, _)| *s).collect();
        r.record_extension(&seqs, at + DEADLINE);
        assert!(r.scan_leases(at, DEADLINE, max_ext).due.is_empty());
    }

    #[test]
    fn drain_all_returns_buffered_and_delivered_ack_ids() {
        let mut r = filled(3, Instant::now());
        r.take_batch(1, limits(1));
        let mut ids = r.drain_all();
        ids.sort();
        assert_eq!(ids, vec!["ack-0", "ack-1", "ack-2"]);
        assert_eq!(r.held_len(), 0);
        assert_eq!(r.buffered_bytes(), 0);
        assert!(!r.is_full(1, 1));
    }
}
