//! The ack reservoir: every message held by a session, from its arrival on the
//! stream until it is acknowledged, nacked, or its lease runs out. Messages
//! arrive straight into the columns of the batch being filled; a batch is cut
//! at the target row count, waits in the ready queue, and `take_batch` hands
//! it over whole. Buffered (not yet fetched) and delivered (tagged with a
//! Spark batch id) messages are both leased, and the lease clock starts at
//! arrival.
//!
//! Pure data structure; the session guards it with a mutex held only briefly.

use super::ack_ids::AckIds;
use super::acks::{ArrivalClock, HeldAcks, Released};
use super::wire::{PulledSink, Received, WireError};
use crate::arrow_batch::{copy_rows, RawBatchBuilder, MAX_BATCH_VAR_BYTES};
use crate::client::MAX_MESSAGE_SIZE;
use arrow_array::StructArray;
use arrow_schema::ArrowError;
use std::collections::{BTreeMap, VecDeque};
use std::time::{Duration, Instant};

/// Rows per batch before the first fetch (the default `batchSize`).
pub const DEFAULT_TARGET_ROWS: usize = 1_000;

/// A batch is cut once its variable-length bytes pass this, so the next
/// message (smaller than a response) never takes it past 512 MiB.
const CUT_VAR_BYTES: usize = MAX_BATCH_VAR_BYTES - MAX_MESSAGE_SIZE;

/// How much one fetch may take out of the buffer.
#[derive(Debug, Clone, Copy)]
pub struct BatchLimits {
    pub max_rows: usize,
    pub max_payload_bytes: usize,
}

/// Leases that need an extension now, and how many leases were let go.
pub struct LeaseScan {
    pub due: AckIds,
    /// The arrival id of each id in `due`.
    pub due_arrivals: Vec<u64>,
    pub expired: usize,
}

/// A finished batch waiting for a fetch.
struct Ready {
    array: StructArray,
    acks: HeldAcks,
}

pub struct Reservoir {
    target_rows: usize,
    /// True once a fetch set `target_rows`.
    target_from_fetch: bool,
    cut_var_bytes: usize,
    next_arrival: u64,
    filling: RawBatchBuilder,
    filling_acks: HeldAcks,
    ready: VecDeque<Ready>,
    delivered: BTreeMap<i64, Vec<HeldAcks>>,
    buffered: Released,
    held: Released,
}

impl Default for Reservoir {
    fn default() -> Self {
        Reservoir {
            target_rows: DEFAULT_TARGET_ROWS,
            target_from_fetch: false,
            cut_var_bytes: CUT_VAR_BYTES,
            next_arrival: 0,
            filling: RawBatchBuilder::default(),
            filling_acks: HeldAcks::default(),
            ready: VecDeque::new(),
            delivered: BTreeMap::new(),
            buffered: Released::default(),
            held: Released::default(),
        }
    }
}

/// Appends the messages of one response, all arrived at the same instant.
pub struct Intake<'r> {
    reservoir: &'r mut Reservoir,
    clock: ArrivalClock,
    /// Messages and payload bytes appended so far.
    pub added: Released,
}

impl PulledSink for Intake<'_> {
    fn attribute(&mut self, key: &str, value: &str) {
        self.reservoir.filling.push_attribute(key, value);
    }

    fn message(&mut self, message: &Received<'_>) -> Result<(), WireError> {
        let r = &mut *self.reservoir;
        let payload = message.row.payload.len();
        r.filling.push_row(&message.row);
        r.filling_acks.push(message.ack_id, payload, self.clock);
        let added = Released {
            messages: 1,
            payload_bytes: payload,
        };
        r.buffered.add(added);
        r.held.add(added);
        self.added.add(added);
        if r.filling.rows() >= r.target_rows || r.filling.var_bytes() > r.cut_var_bytes {
            r.cut().map_err(|e| WireError::Batch(e.to_string()))?;
        }
        Ok(())
    }

    fn discard_attributes(&mut self) {
        self.reservoir.filling.discard_attributes();
    }
}

fn subtract(total: &mut Released, gone: Released) {
    total.messages -= gone.messages;
    total.payload_bytes -= gone.payload_bytes;
}

impl Reservoir {
    /// Where the messages of a response that arrived `now` go.
    pub fn intake(&mut self, now: Instant, deadline: Duration) -> Intake<'_> {
        let clock = ArrivalClock {
            id: self.next_arrival,
            arrived: now,
            lease_until: now + deadline,
        };
        self.next_arrival += 1;
        Intake {
            reservoir: self,
            clock,
            added: Released::default(),
        }
    }

    /// Learns the rows per batch from a fetch's `maxRows`: the first fetch
    /// sets it, later ones only raise it. A fetch asks for fewer rows than its
    /// `batchSize` only at the end of its task's budget, and batches cut that
    /// small would then serve the next task, whose fetches ask for more.
    pub fn set_target_rows(&mut self, rows: usize) {
        if rows == 0 {
            return;
        }
        self.target_rows = if self.target_from_fetch {
            self.target_rows.max(rows)
        } else {
            rows
        };
        self.target_from_fetch = true;
    }

    pub fn buffered_len(&self) -> usize {
        self.buffered.messages
    }

    pub fn buffered_bytes(&self) -> usize {
        self.buffered.payload_bytes
    }

    /// Messages held and not yet acknowledged (buffered or delivered).
    pub fn held_len(&self) -> usize {
        self.held.messages
    }

    /// True while the stream must not deliver more (native flow control).
    pub fn is_full(&self, max_messages: usize, max_bytes: usize) -> bool {
        self.held.messages >= max_messages || self.held.payload_bytes >= max_bytes
    }

    /// Moves the batch being filled to the ready queue. A batch that cannot
    /// be built is let go (its messages are redelivered after their deadline).
    fn cut(&mut self) -> Result<(), ArrowError> {
        if self.filling.rows() == 0 {
            return Ok(());
        }
        let next = self.filling.sized_for(self.target_rows);
        let filled = std::mem::replace(&mut self.filling, next);
        let next_acks = self.filling_acks.sized_for(self.target_rows);
        let acks = std::mem::replace(&mut self.filling_acks, next_acks);
        match filled.finish() {
            Ok(array) => {
                self.ready.push_back(Ready { array, acks });
                Ok(())
            }
            Err(e) => {
                let lost = acks.held();
                subtract(&mut self.buffered, lost);
                subtract(&mut self.held, lost);
                Err(e)
            }
        }
    }

    /// Hands over the oldest buffered batch tagged `tag`: whole when it fits
    /// the limits, else its first rows within them, but always one row if any
    /// is buffered. `None` when nothing is buffered or `max_rows` is 0.
    pub fn take_batch(
        &mut self,
        tag: i64,
        limits: BatchLimits,
    ) -> Result<Option<StructArray>, ArrowError> {
        if limits.max_rows == 0 {
            return Ok(None);
        }
        if self.ready.is_empty() {
            self.cut()?;
        }
        let Some(front) = self.ready.front_mut() else {
            return Ok(None);
        };
        let rows = front.acks.len();
        let take = rows.min(limits.max_rows).min(
            front
                .acks
                .rows_within_payload(limits.max_payload_bytes)
                .max(1),
        );
        let (array, acks) = if take == rows {
            let whole = self.ready.pop_front().map(|r| (r.array, r.acks));
            match whole {
                Some(whole) => whole,
                None => return Ok(None),
            }
        } else {
            // Rare: the caller may take less than a finished batch holds.
            let prefix = copy_rows(&front.array, 0, take)?;
            front.array = copy_rows(&front.array, take, rows)?;
            let rest = front.acks.split_off(take);
            (prefix, std::mem::replace(&mut front.acks, rest))
        };
        subtract(&mut self.buffered, acks.held());
        self.delivered.entry(tag).or_default().push(acks);
        Ok(Some(array))
    }

    fn release(&mut self, groups: impl IntoIterator<Item = HeldAcks>) -> AckIds {
        let mut ids = AckIds::default();
        for mut acks in groups {
            let released = acks.release_all(&mut ids);
            subtract(&mut self.held, released);
        }
        ids
    }

    /// Ack ids of every delivered message tagged `<= committed`, released.
    pub fn ack_through(&mut self, committed: i64) -> AckIds {
        let keep = match committed.checked_add(1) {
            Some(first_kept) => self.delivered.split_off(&first_kept),
            None => BTreeMap::new(),
        };
        let released = std::mem::replace(&mut self.delivered, keep);
        self.release(released.into_values().flatten())
    }

    /// Ack ids of the messages tagged exactly `tag`, released.
    pub fn nack_batch(&mut self, tag: i64) -> AckIds {
        let groups = self.delivered.remove(&tag).unwrap_or_default();
        self.release(groups)
    }

    /// Ack ids of everything held (buffered and delivered), released.
    pub fn drain_all(&mut self) -> AckIds {
        self.filling = RawBatchBuilder::default();
        let filling = std::mem::take(&mut self.filling_acks);
        let ready: Vec<HeldAcks> = self.ready.drain(..).map(|r| r.acks).collect();
        let delivered = std::mem::take(&mut self.delivered);
        self.buffered = Released::default();
        let groups = ready
            .into_iter()
            .chain(std::iter::once(filling))
            .chain(delivered.into_values().flatten());
        self.release(groups)
    }

    /// Lets go of buffered messages `max_extension` old: they leave the
    /// buffer, so Spark never reads a message whose lease lapsed.
    fn expire_buffered(&mut self, now: Instant, max_extension: Duration) -> Released {
        let mut gone = Released::default();
        while let Some(front) = self.ready.front_mut() {
            let expired = front.acks.expired_prefix(now, max_extension);
            let rows = front.acks.len();
            if expired == 0 {
                return gone;
            }
            if expired < rows {
                // Should the copy fail, the whole batch goes below.
                if let Ok(rest_array) = copy_rows(&front.array, expired, rows) {
                    front.array = rest_array;
                    let rest = front.acks.split_off(expired);
                    gone.add(std::mem::replace(&mut front.acks, rest).held());
                    return gone;
                }
            }
            if let Some(old) = self.ready.pop_front() {
                gone.add(old.acks.held());
            }
        }
        // The batch being filled cannot drop its first rows: an old one lets
        // go of the whole partial batch (it sat unread for max_extension).
        if self.filling_acks.expired_prefix(now, max_extension) > 0 {
            gone.add(std::mem::take(&mut self.filling_acks).held());
            self.filling = RawBatchBuilder::default();
        }
        gone
    }

    fn all_acks_mut(&mut self) -> impl Iterator<Item = &mut HeldAcks> {
        self.ready
            .iter_mut()
            .map(|r| &mut r.acks)
            .chain(std::iter::once(&mut self.filling_acks))
            .chain(self.delivered.values_mut().flatten())
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
        let mut gone = self.expire_buffered(now, max_extension);
        subtract(&mut self.buffered, gone);
        for acks in self.delivered.values_mut().flatten() {
            gone.add(acks.expire(now, max_extension));
        }
        subtract(&mut self.held, gone);
        let threshold = now + deadline.mul_f64(0.75);
        let (mut due, mut due_arrivals) = (AckIds::default(), Vec::new());
        for acks in self.all_acks_mut() {
            acks.due(threshold, &mut due, &mut due_arrivals);
        }
        LeaseScan {
            due,
            due_arrivals,
            expired: gone.messages,
        }
    }

    /// Records a successful extension of the given arrivals' leases.
    pub fn record_extension(&mut self, arrival_ids: &[u64], until: Instant) {
        let mut ids = arrival_ids.to_vec();
        ids.sort_unstable();
        ids.dedup();
        for acks in self.all_acks_mut() {
            acks.extend(&ids, until);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arrow_batch::RawRow;
    use arrow_array::cast::AsArray;
    use arrow_array::Array;

    const DEADLINE: Duration = Duration::from_secs(10);
    const UNLIMITED: BatchLimits = BatchLimits {
        max_rows: usize::MAX,
        max_payload_bytes: usize::MAX,
    };

    /// Messages `ack-{i}` for `i` in `ids`, each with a 10-byte payload and
    /// one attribute, arriving together at `now`.
    fn push(r: &mut Reservoir, ids: std::ops::Range<usize>, now: Instant) {
        let payload = [7u8; 10];
        let mut intake = r.intake(now, DEADLINE);
        for i in ids {
            let ack_id = format!("ack-{i}");
            let message_id = format!("m-{i}");
            intake.attribute("n", &message_id);
            let received = Received {
                ack_id: &ack_id,
                row: RawRow {
                    message_id: &message_id,
                    payload: &payload,
                    ..Default::default()
                },
            };
            intake.message(&received).unwrap();
        }
    }

    fn filled(n: usize, target_rows: usize) -> Reservoir {
        let mut r = Reservoir::default();
        r.set_target_rows(target_rows);
        push(&mut r, 0..n, Instant::now());
        r
    }

    fn limits(rows: usize) -> BatchLimits {
        BatchLimits {
            max_rows: rows,
            ..UNLIMITED
        }
    }

    fn take(r: &mut Reservoir, tag: i64, limits: BatchLimits) -> Vec<String> {
        let Some(batch) = r.take_batch(tag, limits).unwrap() else {
            return Vec::new();
        };
        for column in batch.columns() {
            assert_eq!(column.offset(), 0, "exported arrays are never sliced");
        }
        let ids = batch.column(0).as_string::<i32>();
        ids.iter()
            .map(|id| id.unwrap_or_default().to_string())
            .collect()
    }

    #[test]
    fn batches_are_cut_at_the_target_row_count_and_handed_over_whole() {
        let mut r = filled(7, 3);
        assert_eq!(r.ready.len(), 2);
        assert_eq!(r.filling.rows(), 1);
        assert_eq!(r.buffered_len(), 7);
        assert_eq!(r.buffered_bytes(), 70);
        assert_eq!(take(&mut r, 1, limits(3)), vec!["m-0", "m-1", "m-2"]);
        assert_eq!(take(&mut r, 1, limits(3)), vec!["m-3", "m-4", "m-5"]);
        // The partial batch being filled is cut when nothing else is ready.
        assert_eq!(take(&mut r, 2, limits(3)), vec!["m-6"]);
        assert!(take(&mut r, 3, limits(3)).is_empty());
        assert_eq!(r.buffered_len(), 0);
        assert_eq!(r.held_len(), 7);
    }

    #[test]
    fn the_first_fetch_sets_the_row_count_of_later_batches_and_later_ones_only_raise_it() {
        let mut r = Reservoir::default();
        push(&mut r, 0..2, Instant::now());
        r.set_target_rows(2);
        r.set_target_rows(0);
        r.set_target_rows(1);
        push(&mut r, 2..6, Instant::now());
        let sizes: Vec<usize> = r.ready.iter().map(|b| b.array.len()).collect();
        assert_eq!(sizes, vec![3, 2]);
        assert_eq!(r.filling.rows(), 1);
    }

    #[test]
    fn batches_are_cut_before_their_variable_length_bytes_grow_too_large() {
        // Each message adds 10 payload + 3 id + 1 key + 3 value bytes.
        let mut r = Reservoir {
            cut_var_bytes: 30,
            ..Default::default()
        };
        push(&mut r, 0..5, Instant::now());
        let sizes: Vec<usize> = r.ready.iter().map(|b| b.array.len()).collect();
        assert_eq!(sizes, vec![2, 2]);
        assert_eq!(r.filling.rows(), 1);
    }

    #[test]
    fn a_fetch_limited_below_a_batch_takes_a_fresh_prefix_and_leaves_the_rest() {
        let mut r = filled(5, 5);
        assert_eq!(take(&mut r, 1, limits(2)), vec!["m-0", "m-1"]);
        assert_eq!(r.buffered_len(), 3);
        let by_bytes = BatchLimits {
            max_payload_bytes: 25,
            ..UNLIMITED
        };
        assert_eq!(take(&mut r, 2, by_bytes), vec!["m-2", "m-3"]);
        let tiny = BatchLimits {
            max_rows: 10,
            max_payload_bytes: 1,
        };
        assert_eq!(take(&mut r, 3, tiny), vec!["m-4"], "always one row");
        assert!(take(&mut r, 4, limits(0)).is_empty());
        assert_eq!(r.nack_batch(1).to_strings(), ["ack-0", "ack-1"]);
        assert_eq!(r.nack_batch(2).to_strings(), ["ack-2", "ack-3"]);
        assert_eq!(r.nack_batch(3).to_strings(), ["ack-4"]);
    }

    #[test]
    fn a_prefix_keeps_attributes_and_payloads_of_its_rows() {
        let mut r = filled(3, 3);
        let batch = r.take_batch(1, limits(2)).unwrap().unwrap();
        let attributes = batch.column(2).as_map();
        assert_eq!(attributes.len(), 2);
        let values = attributes.value(1);
        assert_eq!(values.column(1).as_string::<i32>().value(0), "m-1");
        assert_eq!(batch.column(3).as_binary::<i32>().value(1), [7u8; 10]);
        let rest = r.take_batch(2, UNLIMITED).unwrap().unwrap();
        assert_eq!(rest.column(2).as_map().value(0).len(), 1);
    }

    #[test]
    fn ack_through_selects_every_batch_at_or_below_the_committed_id() {
        let mut r = filled(6, 2);
        take(&mut r, 1, limits(2));
        take(&mut r, 2, limits(2));
        take(&mut r, 3, limits(1));
        let mut acked = r.ack_through(2).to_strings();
        acked.sort();
        assert_eq!(acked, vec!["ack-0", "ack-1", "ack-2", "ack-3"]);
        assert!(r.ack_through(2).is_empty());
        assert_eq!(r.ack_through(i64::MAX).to_strings(), ["ack-4"]);
        // The buffered message is not delivered, so no ack touches it.
        assert_eq!(r.held_len(), 1);
        assert_eq!(r.buffered_len(), 1);
    }

    #[test]
    fn nack_batch_selects_exactly_one_tag() {
        let mut r = filled(3, 1);
        take(&mut r, 1, limits(1));
        take(&mut r, 2, limits(1));
        take(&mut r, 3, limits(1));
        assert_eq!(r.nack_batch(2).to_strings(), ["ack-1"]);
        assert!(r.nack_batch(2).is_empty());
        assert_eq!(r.held_len(), 2);
    }

    #[test]
    fn flow_control_counts_filling_buffered_and_delivered_until_acknowledged() {
        let mut r = filled(3, 1_000);
        assert!(r.is_full(3, usize::MAX), "the batch being filled counts");
        assert!(r.is_full(100, 30));
        take(&mut r, 1, limits(3));
        assert!(r.is_full(3, usize::MAX));
        r.ack_through(1);
        assert!(!r.is_full(3, 30));
    }

    #[test]
    fn leases_past_max_extension_are_dropped_and_counted() {
        let start = Instant::now();
        let mut r = Reservoir::default();
        r.set_target_rows(2);
        push(&mut r, 0..3, start);
        take(&mut r, 1, limits(1));
        let later = start + Duration::from_secs(5);
        push(&mut r, 3..4, later);
        let scan = r.scan_leases(
            start + Duration::from_secs(60),
            DEADLINE,
            Duration::from_secs(60),
        );
        assert_eq!(scan.expired, 3);
        assert_eq!(r.held_len(), 1);
        assert_eq!(r.buffered_len(), 1);
        assert_eq!(r.buffered_bytes(), 10);
        // The expired delivered message is gone: committing its batch acks nothing.
        assert!(r.ack_through(1).is_empty());
        assert_eq!(scan.due.to_strings(), ["ack-3"]);
        assert_eq!(scan.due_arrivals.len(), 1);
        assert_eq!(take(&mut r, 2, UNLIMITED), vec!["m-3"]);
    }

    #[test]
    fn an_expired_prefix_of_a_ready_batch_leaves_the_rest_readable() {
        let start = Instant::now();
        let mut r = Reservoir::default();
        r.set_target_rows(4);
        push(&mut r, 0..2, start);
        push(&mut r, 2..4, start + Duration::from_secs(30));
        let scan = r.scan_leases(
            start + Duration::from_secs(60),
            DEADLINE,
            Duration::from_secs(60),
        );
        assert_eq!(scan.expired, 2);
        assert_eq!(take(&mut r, 1, UNLIMITED), vec!["m-2", "m-3"]);
        assert_eq!(r.nack_batch(1).to_strings(), ["ack-2", "ack-3"]);
    }

    #[test]
    fn leases_are_due_for_extension_only_when_a_quarter_deadline_has_passed() {
        let start = Instant::now();
        let mut r = Reservoir::default();
        push(&mut r, 0..1, start);
        let max_ext = Duration::from_secs(3600);
        assert!(r
            .scan_leases(start + Duration::from_secs(2), DEADLINE, max_ext)
            .due
            .is_empty());
        let at = start + Duration::from_secs(3);
        let scan = r.scan_leases(at, DEADLINE, max_ext);
        assert_eq!(scan.due.len(), 1);
        r.record_extension(&scan.due_arrivals, at + DEADLINE);
        assert!(r.scan_leases(at, DEADLINE, max_ext).due.is_empty());
    }

    #[test]
    fn drain_all_returns_filling_ready_and_delivered_ack_ids() {
        let mut r = filled(5, 2);
        take(&mut r, 1, limits(1));
        let mut ids = r.drain_all().to_strings();
        ids.sort();
        assert_eq!(ids, vec!["ack-0", "ack-1", "ack-2", "ack-3", "ack-4"]);
        assert_eq!(r.held_len(), 0);
        assert_eq!(r.buffered_bytes(), 0);
        assert!(!r.is_full(1, 1));
        assert!(take(&mut r, 2, UNLIMITED).is_empty());
    }
}
