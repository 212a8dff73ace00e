//! The ack reservoir: every message held by a session, from its arrival on the
//! stream until it is acknowledged, nacked, or its lease runs out. Messages
//! arrive straight into the columns of the batch being filled; a batch is cut
//! at the target row count, waits in the ready queue, and `take_batch` hands
//! it over whole into the read record of its Spark batch id (see `record`).
//! Committing a batch id settles the records at or below it; acks that fail
//! transiently wait in the retry list. Buffered (not yet fetched), recorded
//! and retried messages are all held and leased, and the lease clock starts
//! at arrival.
//!
//! Pure data structure; the session guards it with a mutex held only briefly.

use super::ack_ids::AckIds;
use super::acks::{ArrivalClock, HeldAcks, Released};
use super::record::{ReadRecord, Records};
use super::wire::{PulledSink, Received, WireError};
use crate::arrow_batch::{copy_rows, RawBatchBuilder, MAX_BATCH_VAR_BYTES};
use crate::client::MAX_MESSAGE_SIZE;
use arrow_array::StructArray;
use arrow_schema::ArrowError;
use std::collections::VecDeque;
use std::ops::Range;
use std::time::{Duration, Instant};

pub use super::record::{ReadError, ReadStart};

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

/// What settling records gives the session to send: `acks` are still held
/// (and count under flow control) until `settle_acks`; `nacks` are released.
#[derive(Debug, Default)]
pub struct Settlement {
    pub acks: HeldAcks,
    pub nacks: AckIds,
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
    records: Records,
    /// Messages whose Acknowledge failed transiently, to be sent again.
    retry: HeldAcks,
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
            records: Records::default(),
            retry: HeldAcks::default(),
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

/// Moves the held messages of `groups` into `acks`, where they stay held.
fn to_acknowledge(groups: impl IntoIterator<Item = HeldAcks>, acks: &mut HeldAcks) {
    for mut group in groups {
        group.move_held_into(acks);
    }
}

/// The acks of messages handed out: recorded, or waiting for an ack retry.
fn handed_out<'a>(
    records: &'a mut Records,
    retry: &'a mut HeldAcks,
) -> impl Iterator<Item = &'a mut HeldAcks> {
    records.acks_mut().chain(std::iter::once(retry))
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

    /// Messages held and not yet acknowledged (buffered, recorded or retried).
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

    /// Starts a read of `tag`: a replay of its complete record, else a fresh
    /// read into a new record, after dropping an incomplete one (left by an
    /// attempt that failed without `abort_read`) whose ack ids it returns
    /// released, for a nack. Errors if `tag` was acknowledged through.
    pub fn begin_read(
        &mut self,
        tag: i64,
        acknowledge: bool,
    ) -> Result<(ReadStart, AckIds), ReadError> {
        let (start, replaced) = self.records.begin(tag, acknowledge)?;
        Ok((start, self.nack_record(replaced)))
    }

    /// True when a fetch of `tag` takes fresh messages, false when it replays.
    pub fn reads_fresh(&self, tag: i64) -> Result<bool, ReadError> {
        self.records.reads_fresh(tag)
    }

    /// Ends the read of `tag`: later reads replay it. Without a record (the
    /// read got nothing) an empty one replays nothing.
    pub fn complete_read(&mut self, tag: i64) {
        self.records.complete(tag);
    }

    /// The read of `tag` failed: an incomplete record is dropped and its ack
    /// ids returned released, for a nack; a complete one stays for a replay.
    pub fn abort_read(&mut self, tag: i64) -> AckIds {
        let aborted = self.records.remove_incomplete(tag);
        self.nack_record(aborted)
    }

    /// The next array of a complete record of `tag` (never waiting, whatever
    /// the limits), else the oldest buffered batch, recorded under `tag`:
    /// whole when it fits the limits, else its first rows within them, but
    /// always one row if any is buffered. `None` when nothing is buffered or
    /// `max_rows` is 0.
    pub fn take_batch(
        &mut self,
        tag: i64,
        limits: BatchLimits,
    ) -> Result<Option<StructArray>, ReadError> {
        if !self.reads_fresh(tag)? {
            return Ok(self.records.next_replayed(tag));
        }
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
        self.records.push(tag, &array, acks);
        Ok(Some(array))
    }

    /// Releases the held messages of `groups`, adding their ack ids to `ids`.
    fn release(&mut self, groups: impl IntoIterator<Item = HeldAcks>, ids: &mut AckIds) {
        for mut acks in groups {
            let released = acks.release_all(ids);
            subtract(&mut self.held, released);
        }
    }

    /// Settles every record tagged `<= committed`: a complete one that
    /// acknowledges is acknowledged, any other is nacked. Reads of those tags
    /// fail as stale from now on.
    pub fn ack_through(&mut self, committed: i64) -> Settlement {
        let settled: Vec<ReadRecord> = self.records.commit_through(committed).collect();
        let mut out = Settlement::default();
        for record in settled {
            if record.acknowledges() {
                to_acknowledge(record.into_acks(), &mut out.acks);
            } else {
                self.release(record.into_acks(), &mut out.nacks);
            }
        }
        out
    }

    /// The held messages of the record of `tag`, to acknowledge now whatever
    /// its state; drops the record.
    pub fn ack_batch(&mut self, tag: i64) -> HeldAcks {
        let mut acks = HeldAcks::default();
        let record = self.records.remove(tag);
        to_acknowledge(
            record.into_iter().flat_map(ReadRecord::into_acks),
            &mut acks,
        );
        acks
    }

    /// Ack ids of the record of `tag`, released; drops the record.
    pub fn nack_batch(&mut self, tag: i64) -> AckIds {
        let record = self.records.remove(tag);
        self.nack_record(record)
    }

    fn nack_record(&mut self, record: Option<ReadRecord>) -> AckIds {
        let mut ids = AckIds::default();
        self.release(record.into_iter().flat_map(ReadRecord::into_acks), &mut ids);
        ids
    }

    /// Ends an Acknowledge of `sent` (from a `Settlement` or `take_retry`):
    /// the rows of the `retry` ranges wait for another attempt, every other
    /// row is let go.
    pub fn settle_acks(&mut self, sent: &HeldAcks, retry: &[Range<usize>]) {
        let mut done = sent.held();
        for range in retry {
            subtract(&mut done, self.retry.extend_held_from(sent, range.clone()));
        }
        subtract(&mut self.held, done);
    }

    /// True while some ack waits for a retry.
    pub fn retry_pending(&self) -> bool {
        self.retry.held().messages > 0
    }

    /// The messages waiting for an ack retry, still held until `settle_acks`.
    pub fn take_retry(&mut self) -> HeldAcks {
        let mut acks = HeldAcks::default();
        std::mem::take(&mut self.retry).move_held_into(&mut acks);
        acks
    }

    /// Everything held, for closing: the acks waiting for a retry (still held)
    /// and, released for a nack, every other message.
    pub fn drain_all(&mut self) -> Settlement {
        self.filling = RawBatchBuilder::default();
        let filling = std::mem::take(&mut self.filling_acks);
        let ready: Vec<HeldAcks> = self.ready.drain(..).map(|r| r.acks).collect();
        let records: Vec<ReadRecord> = self.records.take_all().collect();
        self.buffered = Released::default();
        let groups = ready
            .into_iter()
            .chain(std::iter::once(filling))
            .chain(records.into_iter().flat_map(ReadRecord::into_acks));
        let mut out = Settlement {
            acks: self.take_retry(),
            nacks: AckIds::default(),
        };
        self.release(groups, &mut out.nacks);
        out
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
            .chain(handed_out(&mut self.records, &mut self.retry))
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
        for acks in handed_out(&mut self.records, &mut self.retry) {
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

    /// Every fetch of `tag` until one returns nothing, one id list per array.
    fn read_all(r: &mut Reservoir, tag: i64, limits: BatchLimits) -> Vec<Vec<String>> {
        std::iter::from_fn(|| Some(take(r, tag, limits)).filter(|ids| !ids.is_empty())).collect()
    }

    /// A complete read of `tag` taking every buffered message.
    fn complete_read_of(r: &mut Reservoir, tag: i64, acknowledge: bool) -> Vec<Vec<String>> {
        let (start, nacks) = r.begin_read(tag, acknowledge).unwrap();
        assert_eq!((start, nacks.len()), (ReadStart::Fresh, 0));
        let arrays = read_all(r, tag, UNLIMITED);
        r.complete_read(tag);
        arrays
    }

    /// Completes the read of `tag` begun already, taking every buffered message.
    fn complete_read_of_rest(r: &mut Reservoir, tag: i64) -> Vec<Vec<String>> {
        let arrays = read_all(r, tag, UNLIMITED);
        r.complete_read(tag);
        arrays
    }

    /// A complete read of `tag` taking one buffered batch.
    fn complete_read_of_one(r: &mut Reservoir, tag: i64, acknowledge: bool) {
        r.begin_read(tag, acknowledge).unwrap();
        take(r, tag, UNLIMITED);
        r.complete_read(tag);
    }

    /// The acked and the nacked ack ids of a settlement.
    fn ids_of(s: &Settlement) -> (Vec<String>, Vec<String>) {
        (s.acks.ids().to_strings(), s.nacks.to_strings())
    }

    fn none() -> Vec<String> {
        Vec::new()
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
        for tag in 1..=3 {
            take(&mut r, tag, limits(if tag == 3 { 1 } else { 2 }));
            r.complete_read(tag);
        }
        let settled = r.ack_through(2);
        assert_eq!(ids_of(&settled).0, ["ack-0", "ack-1", "ack-2", "ack-3"]);
        r.settle_acks(&settled.acks, &[]);
        assert_eq!(ids_of(&r.ack_through(2)), (none(), none()));
        let last = r.ack_through(i64::MAX);
        assert_eq!(ids_of(&last), (vec!["ack-4".into()], none()));
        r.settle_acks(&last.acks, &[]);
        // The buffered message is not delivered, so no ack touches it.
        assert_eq!(r.held_len(), 1);
        assert_eq!(r.buffered_len(), 1);
    }

    #[test]
    fn a_complete_read_replays_the_same_rows_in_the_same_order_twice() {
        let mut r = filled(5, 2);
        let first = complete_read_of(&mut r, 1, true);
        assert_eq!(first, [vec!["m-0", "m-1"], vec!["m-2", "m-3"], vec!["m-4"]]);
        // Messages arriving later are not part of the record.
        push(&mut r, 5..7, Instant::now());
        for _ in 0..2 {
            let (start, nacks) = r.begin_read(1, true).unwrap();
            assert_eq!(start, ReadStart::Replay { rows: 5 });
            assert!(nacks.is_empty());
            // A replay ignores the limits: each fetch returns a recorded array.
            assert_eq!(read_all(&mut r, 1, limits(1)), first);
        }
        assert_eq!(r.buffered_len(), 2);
        assert_eq!(r.held_len(), 7);
        let settled = r.ack_through(1);
        let acked = ["ack-0", "ack-1", "ack-2", "ack-3", "ack-4"];
        assert_eq!(ids_of(&settled), (acked.map(String::from).to_vec(), none()));
    }

    #[test]
    fn a_fetch_of_a_complete_read_without_begin_read_returns_nothing_fresh() {
        let mut r = filled(4, 2);
        take(&mut r, 1, UNLIMITED);
        r.complete_read(1);
        assert!(take(&mut r, 1, UNLIMITED).is_empty());
        assert_eq!(r.buffered_len(), 2);
    }

    #[test]
    fn an_empty_complete_read_replays_nothing() {
        let mut r = Reservoir::default();
        r.complete_read(1);
        push(&mut r, 0..3, Instant::now());
        let (start, _) = r.begin_read(1, true).unwrap();
        assert_eq!(start, ReadStart::Replay { rows: 0 });
        assert!(take(&mut r, 1, UNLIMITED).is_empty());
        assert_eq!(r.buffered_len(), 3);
        assert_eq!(ids_of(&r.ack_through(1)), (none(), none()));
        assert_eq!(take(&mut r, 2, UNLIMITED), vec!["m-0", "m-1", "m-2"]);
    }

    #[test]
    fn aborting_an_incomplete_read_nacks_it_and_the_next_read_is_fresh() {
        let mut r = filled(4, 2);
        r.begin_read(1, true).unwrap();
        take(&mut r, 1, UNLIMITED);
        assert_eq!(r.abort_read(1).to_strings(), ["ack-0", "ack-1"]);
        assert_eq!(r.held_len(), 2);
        assert!(r.abort_read(1).is_empty(), "no record left");
        let (start, nacks) = r.begin_read(1, true).unwrap();
        assert_eq!((start, nacks.len()), (ReadStart::Fresh, 0));
        assert_eq!(take(&mut r, 1, UNLIMITED), vec!["m-2", "m-3"]);
    }

    #[test]
    fn a_read_begun_over_an_unaborted_failed_attempt_nacks_that_attempt() {
        let mut r = filled(4, 2);
        r.begin_read(1, true).unwrap();
        take(&mut r, 1, UNLIMITED);
        let (start, nacks) = r.begin_read(1, true).unwrap();
        assert_eq!(start, ReadStart::Fresh);
        assert_eq!(nacks.to_strings(), ["ack-0", "ack-1"]);
        assert_eq!(complete_read_of_rest(&mut r, 1), [vec!["m-2", "m-3"]]);
    }

    #[test]
    fn aborting_a_complete_read_keeps_it_for_the_next_read() {
        let mut r = filled(4, 2);
        let first = complete_read_of(&mut r, 1, true);
        r.begin_read(1, true).unwrap();
        take(&mut r, 1, UNLIMITED);
        assert!(r.abort_read(1).is_empty());
        let (start, _) = r.begin_read(1, true).unwrap();
        assert_eq!(start, ReadStart::Replay { rows: 4 });
        assert_eq!(read_all(&mut r, 1, UNLIMITED), first);
        assert_eq!(r.held_len(), 4);
    }

    #[test]
    fn ack_through_acknowledges_complete_acknowledging_reads_and_nacks_the_others() {
        let mut r = filled(4, 1);
        complete_read_of_one(&mut r, 1, true);
        r.begin_read(2, true).unwrap();
        take(&mut r, 2, UNLIMITED);
        complete_read_of_one(&mut r, 3, false);
        complete_read_of_one(&mut r, 4, true);
        let settled = r.ack_through(3);
        let nacked = vec!["ack-1".to_string(), "ack-2".to_string()];
        assert_eq!(ids_of(&settled), (vec!["ack-0".into()], nacked));
        // The nacked are let go at once; the acked once the ack is settled.
        assert_eq!(r.held_len(), 2);
        r.settle_acks(&settled.acks, &[]);
        assert_eq!(r.held_len(), 1);
        let (start, _) = r.begin_read(4, true).unwrap();
        assert_eq!(start, ReadStart::Replay { rows: 1 });
    }

    #[test]
    fn reads_of_a_batch_acknowledged_through_fail_as_stale() {
        let mut r = filled(2, 1);
        r.ack_through(5);
        r.ack_through(2);
        for tag in [3, 5] {
            let stale = r.begin_read(tag, true).unwrap_err();
            assert!(
                matches!(stale, ReadError::Stale { committed: 5 }),
                "{stale:?}"
            );
            let stale = r.take_batch(tag, UNLIMITED).unwrap_err();
            assert!(
                matches!(stale, ReadError::Stale { committed: 5 }),
                "{stale:?}"
            );
        }
        assert_eq!(r.buffered_len(), 2, "a stale fetch takes nothing");
        assert_eq!(r.begin_read(6, true).unwrap().0, ReadStart::Fresh);
    }

    #[test]
    fn ack_batch_acknowledges_one_read_and_leaves_committed_through_alone() {
        let mut r = filled(4, 2);
        r.begin_read(1, false).unwrap();
        take(&mut r, 1, UNLIMITED);
        complete_read_of_one(&mut r, 2, true);
        // Incomplete and not acknowledging on commit: ack_batch acks it all the same.
        let acks = r.ack_batch(1);
        assert_eq!(acks.ids().to_strings(), ["ack-0", "ack-1"]);
        assert_eq!(r.held_len(), 4, "held until settled");
        r.settle_acks(&acks, &[]);
        assert_eq!(r.held_len(), 2);
        assert_eq!(r.ack_batch(1).len(), 0);
        // Not committed: batch 1 can be read again (fresh, its record is gone).
        assert_eq!(r.begin_read(1, true).unwrap().0, ReadStart::Fresh);
        assert_eq!(
            r.begin_read(2, true).unwrap().0,
            ReadStart::Replay { rows: 2 }
        );
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
    fn flow_control_counts_recorded_messages_until_released() {
        let mut r = filled(3, 1_000);
        complete_read_of(&mut r, 1, true);
        r.begin_read(1, true).unwrap();
        read_all(&mut r, 1, UNLIMITED);
        assert!(
            r.is_full(3, usize::MAX),
            "replayed and recorded still count"
        );
        let settled = r.ack_through(1);
        assert!(r.is_full(3, 30), "an ack in flight still counts");
        // The Acknowledge of rows 1..3 failed transiently.
        r.settle_acks(&settled.acks, std::slice::from_ref(&(1..3)));
        assert_eq!((r.held_len(), r.retry_pending()), (2, true));
        assert!(r.is_full(2, 20) && !r.is_full(3, 30));
        let retry = r.take_retry();
        assert_eq!(retry.ids().to_strings(), ["ack-1", "ack-2"]);
        assert_eq!(r.held_len(), 2, "a retry in flight still counts");
        r.settle_acks(&retry, &[]);
        assert_eq!((r.held_len(), r.retry_pending()), (0, false));
    }

    #[test]
    fn acks_waiting_for_a_retry_stay_leased_until_max_extension() {
        let start = Instant::now();
        let mut r = Reservoir::default();
        push(&mut r, 0..2, start);
        complete_read_of(&mut r, 1, true);
        let settled = r.ack_through(1);
        r.settle_acks(&settled.acks, std::slice::from_ref(&(0..2)));
        let max_ext = Duration::from_secs(60);
        let at = start + Duration::from_secs(5);
        let scan = r.scan_leases(at, DEADLINE, max_ext);
        assert_eq!(scan.due.to_strings(), ["ack-0", "ack-1"]);
        r.record_extension(&scan.due_arrivals, at + DEADLINE);
        assert!(r.scan_leases(at, DEADLINE, max_ext).due.is_empty());
        let scan = r.scan_leases(start + max_ext, DEADLINE, max_ext);
        assert_eq!((scan.expired, r.held_len()), (2, 0));
        assert!(!r.retry_pending());
        assert_eq!(r.take_retry().len(), 0);
    }

    #[test]
    fn a_recorded_message_past_max_extension_is_let_go_but_still_replayed() {
        let start = Instant::now();
        let mut r = Reservoir::default();
        push(&mut r, 0..2, start);
        let first = complete_read_of(&mut r, 1, true);
        let max_ext = Duration::from_secs(60);
        assert_eq!(r.scan_leases(start + max_ext, DEADLINE, max_ext).expired, 2);
        assert_eq!(r.held_len(), 0);
        r.begin_read(1, true).unwrap();
        assert_eq!(read_all(&mut r, 1, UNLIMITED), first);
        assert_eq!(ids_of(&r.ack_through(1)), (none(), none()));
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
        assert_eq!(ids_of(&r.ack_through(1)), (none(), none()));
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
        let drained = r.drain_all();
        assert_eq!(drained.acks.len(), 0);
        let mut ids = drained.nacks.to_strings();
        ids.sort();
        assert_eq!(ids, vec!["ack-0", "ack-1", "ack-2", "ack-3", "ack-4"]);
        assert_eq!(r.held_len(), 0);
        assert_eq!(r.buffered_bytes(), 0);
        assert!(!r.is_full(1, 1));
        assert!(take(&mut r, 2, UNLIMITED).is_empty());
    }
}
