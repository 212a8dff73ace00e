//! The read records of a session, one per batch tag: the arrays handed out
//! for the tag, in order, and their ack ids. Spark reads one micro-batch
//! partition more than once (each action of a foreachBatch, a recomputed map
//! task, a retried task); a later read of the same tag replays the record
//! instead of taking fresh messages, which the first read's output never saw.
//!
//! The arrays are clones of the exported ones: the buffers are shared, not
//! copied, and stay allocated until the record is dropped. Leases of recorded
//! messages are still extended and may still reach `max_ack_extension`: those
//! messages are let go, but the record keeps their rows, so a replay still
//! returns them while Pub/Sub redelivers them (a duplicate, never a loss).

use super::acks::HeldAcks;
use arrow_array::{Array, StructArray};
use arrow_schema::ArrowError;
use std::collections::BTreeMap;

/// How a read of a batch tag starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadStart {
    /// A complete record exists: fetches return its arrays, `rows` together.
    Replay { rows: usize },
    /// Fetches take fresh messages into a new record.
    Fresh,
}

#[derive(Debug)]
pub enum ReadError {
    /// The tag is at or below `committed`, the highest tag acknowledged through.
    Stale {
        committed: i64,
    },
    Arrow(ArrowError),
}

impl From<ArrowError> for ReadError {
    fn from(e: ArrowError) -> Self {
        ReadError::Arrow(e)
    }
}

pub struct ReadRecord {
    arrays: Vec<StructArray>,
    acks: Vec<HeldAcks>,
    /// The read finished: later reads replay instead of taking fresh messages.
    complete: bool,
    /// False when committing must nack rather than acknowledge the messages.
    acknowledge: bool,
    /// Arrays the current replay has returned.
    replayed: usize,
}

impl ReadRecord {
    pub fn new(acknowledge: bool) -> ReadRecord {
        ReadRecord {
            arrays: Vec::new(),
            acks: Vec::new(),
            complete: false,
            acknowledge,
            replayed: 0,
        }
    }

    /// Records an array handed out (a clone sharing its buffers) and its acks.
    pub fn push(&mut self, array: &StructArray, acks: HeldAcks) {
        self.arrays.push(array.clone());
        self.acks.push(acks);
    }

    pub fn is_complete(&self) -> bool {
        self.complete
    }

    /// True when committing the record's batch acknowledges its messages.
    pub fn acknowledges(&self) -> bool {
        self.complete && self.acknowledge
    }

    /// Ends the read; nothing is left to replay until `start_replay`.
    pub fn complete(&mut self) {
        self.complete = true;
        self.replayed = self.arrays.len();
    }

    /// Rewinds the replay to the first array; returns the record's rows.
    pub fn start_replay(&mut self) -> usize {
        self.replayed = 0;
        self.arrays.iter().map(Array::len).sum()
    }

    /// The next array of the replay, `None` once every one was returned.
    pub fn next_replayed(&mut self) -> Option<StructArray> {
        let array = self.arrays.get(self.replayed)?.clone();
        self.replayed += 1;
        Some(array)
    }

    pub fn into_acks(self) -> Vec<HeldAcks> {
        self.acks
    }
}

/// The records by tag, and the highest tag committed (acknowledged through).
#[derive(Default)]
pub struct Records {
    by_tag: BTreeMap<i64, ReadRecord>,
    committed_through: Option<i64>,
}

impl Records {
    fn check_not_stale(&self, tag: i64) -> Result<(), ReadError> {
        match self.committed_through {
            Some(committed) if tag <= committed => Err(ReadError::Stale { committed }),
            _ => Ok(()),
        }
    }

    /// True when a fetch of `tag` takes fresh messages, false when it replays.
    pub fn reads_fresh(&self, tag: i64) -> Result<bool, ReadError> {
        self.check_not_stale(tag)?;
        Ok(!self.by_tag.get(&tag).is_some_and(ReadRecord::is_complete))
    }

    /// Starts a read of `tag`: a replay of its complete record, else a fresh
    /// one in a new record, returning the incomplete record it replaces.
    pub fn begin(
        &mut self,
        tag: i64,
        acknowledge: bool,
    ) -> Result<(ReadStart, Option<ReadRecord>), ReadError> {
        if !self.reads_fresh(tag)? {
            let rows = self
                .by_tag
                .get_mut(&tag)
                .map_or(0, ReadRecord::start_replay);
            return Ok((ReadStart::Replay { rows }, None));
        }
        let replaced = self.by_tag.insert(tag, ReadRecord::new(acknowledge));
        Ok((ReadStart::Fresh, replaced))
    }

    /// Records an array handed out for `tag` by a fresh read.
    pub fn push(&mut self, tag: i64, array: &StructArray, acks: HeldAcks) {
        self.by_tag
            .entry(tag)
            .or_insert_with(|| ReadRecord::new(true))
            .push(array, acks);
    }

    /// The next array of the replay of `tag`.
    pub fn next_replayed(&mut self, tag: i64) -> Option<StructArray> {
        self.by_tag.get_mut(&tag)?.next_replayed()
    }

    /// Completes the read of `tag`; without a record, an empty one.
    pub fn complete(&mut self, tag: i64) {
        self.by_tag
            .entry(tag)
            .or_insert_with(|| ReadRecord::new(true))
            .complete();
    }

    pub fn remove(&mut self, tag: i64) -> Option<ReadRecord> {
        self.by_tag.remove(&tag)
    }

    /// Removes the record of `tag` unless it is complete.
    pub fn remove_incomplete(&mut self, tag: i64) -> Option<ReadRecord> {
        match self.by_tag.get(&tag) {
            Some(record) if !record.is_complete() => self.by_tag.remove(&tag),
            _ => None,
        }
    }

    /// Removes the records tagged `<= committed`, whose reads are stale from now on.
    pub fn commit_through(&mut self, committed: i64) -> impl Iterator<Item = ReadRecord> {
        let kept = match committed.checked_add(1) {
            Some(first_kept) => self.by_tag.split_off(&first_kept),
            None => BTreeMap::new(),
        };
        self.committed_through = self.committed_through.max(Some(committed));
        std::mem::replace(&mut self.by_tag, kept).into_values()
    }

    /// Removes every record.
    pub fn take_all(&mut self) -> impl Iterator<Item = ReadRecord> {
        std::mem::take(&mut self.by_tag).into_values()
    }

    pub fn acks_mut(&mut self) -> impl Iterator<Item = &mut HeldAcks> {
        self.by_tag.values_mut().flat_map(|r| r.acks.iter_mut())
    }
}
