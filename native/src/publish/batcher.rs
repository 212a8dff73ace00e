//! Batching per (topic, ordering key): open batches are cut by message count,
//! request bytes and linger time; cut batches wait in their group until they
//! may be sent. A group with an ordering key has at most one batch in flight,
//! so its messages reach Pub/Sub in order. Pure bookkeeping, no I/O.

use crate::protobuf_write::{field_len, put_header};
use bytes::{Bytes, BytesMut};
use hashbrown::HashTable;
use std::collections::hash_map::RandomState;
use std::collections::VecDeque;
use std::hash::BuildHasher;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// PublishRequest field numbers (google/pubsub/v1/pubsub.proto).
pub const REQUEST_TOPIC: u32 = 1;
const REQUEST_MESSAGES: u32 = 2;

/// Open batches start with this much buffer and grow as needed.
const INITIAL_BUFFER: usize = 64 * 1024;

/// Emptied request buffers kept for reuse, at most this many bytes of them:
/// a new buffer would grow by reallocation and fault in fresh pages again.
const MAX_SPARE_BYTES: usize = 16 * 1024 * 1024;

#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub batch_size: usize,
    pub batch_bytes: usize,
    pub linger: Duration,
}

/// A cut batch, ready for a Publish request.
#[derive(Debug)]
pub struct Batch {
    pub topic: Arc<str>,
    /// The encoded `messages` fields of the request (key, length, message each).
    pub records: Bytes,
    pub messages: usize,
    /// Sum of the encoded message sizes (the unit of pending and published bytes).
    pub message_bytes: usize,
    /// The batcher's group; handed back to `complete`.
    pub group: usize,
}

struct OpenBatch {
    records: BytesMut,
    messages: usize,
    message_bytes: usize,
    /// Bytes of the request this batch becomes.
    request_bytes: usize,
    seq: u64,
}

impl OpenBatch {
    /// Makes room for a record of `record_len` bytes. A full buffer grows
    /// straight to the size the batch is heading for (`batch_size` records
    /// of the current mean size, within `batch_bytes`) instead of doubling,
    /// which would copy the batch several times over.
    fn reserve(&mut self, record_len: usize, limits: Limits) {
        let len = self.records.len();
        if self.records.capacity() - len >= record_len {
            return;
        }
        let projected = match len.checked_div(self.messages) {
            Some(mean) => (mean * limits.batch_size).min(limits.batch_bytes),
            None => 0,
        };
        self.records
            .reserve(record_len.max(projected.saturating_sub(len)));
    }
}

struct Group {
    topic: Arc<str>,
    ordering_key: Box<str>,
    /// False once released; the slot waits in `free` for reuse.
    live: bool,
    open: Option<OpenBatch>,
    queued: VecDeque<Batch>,
    in_flight: usize,
}

impl Group {
    fn ordered(&self) -> bool {
        !self.ordering_key.is_empty()
    }

    fn idle(&self) -> bool {
        self.open.is_none() && self.queued.is_empty() && self.in_flight == 0
    }

    /// Moves the open batch to the queue; marks the group runnable if it may send it now.
    fn cut(&mut self, slot: usize, runnable: &mut VecDeque<usize>) {
        let Some(open) = self.open.take() else {
            return;
        };
        let was_waiting = !self.queued.is_empty();
        self.queued.push_back(Batch {
            topic: Arc::clone(&self.topic),
            records: open.records.freeze(),
            messages: open.messages,
            message_bytes: open.message_bytes,
            group: slot,
        });
        if !self.ordered() || (self.in_flight == 0 && !was_waiting) {
            runnable.push_back(slot);
        }
    }
}

pub struct Batcher {
    limits: Limits,
    /// Groups by slot; released slots are reused.
    groups: Vec<Group>,
    free: Vec<usize>,
    /// Live slots by (topic, ordering key), looked up without allocating.
    index: HashTable<usize>,
    hasher: RandomState,
    /// Groups whose front queued batch may be sent now (once per batch for
    /// groups without a key; at most once, with nothing in flight, for keyed ones).
    runnable: VecDeque<usize>,
    /// Open batches in creation order, so by linger deadline: (deadline, slot, seq).
    lingering: VecDeque<(Instant, usize, u64)>,
    next_seq: u64,
    /// The slot of the previous message: consecutive rows mostly share
    /// topic and key, and comparing is cheaper than hashing.
    last_slot: usize,
    /// Emptied buffers of finished requests, and their total capacity.
    spare: Vec<BytesMut>,
    spare_bytes: usize,
}

/// Adds the messages of one array. A row whose topic and ordering key are the
/// very same strings as the previous row's (as the configured default topic
/// is) goes to the previous row's group without comparing them: the strings
/// are borrowed for the whole array, and no group is released while adding.
pub struct Appender<'b, 'a> {
    batcher: &'b mut Batcher,
    now: Instant,
    last: Option<(&'a str, &'a str, usize)>,
}

impl<'a> Appender<'_, 'a> {
    /// Appends one message of `message_len` bytes for (topic, key); `write`
    /// writes exactly those bytes. Cuts the batch before it if the message
    /// does not fit and after it if the batch is full.
    pub fn add(
        &mut self,
        topic: &'a str,
        ordering_key: &'a str,
        message_len: usize,
        write: impl FnOnce(&mut BytesMut),
    ) {
        let slot = match self.last {
            Some((t, k, slot)) if std::ptr::eq(t, topic) && std::ptr::eq(k, ordering_key) => slot,
            _ => {
                let slot = self.batcher.slot_for(topic, ordering_key);
                self.last = Some((topic, ordering_key, slot));
                slot
            }
        };
        self.batcher.add_to(slot, message_len, self.now, write);
    }
}

impl Batcher {
    pub fn new(limits: Limits) -> Self {
        Batcher {
            limits,
            groups: Vec::new(),
            free: Vec::new(),
            index: HashTable::new(),
            hasher: RandomState::new(),
            runnable: VecDeque::new(),
            lingering: VecDeque::new(),
            next_seq: 0,
            last_slot: 0,
            spare: Vec::new(),
            spare_bytes: 0,
        }
    }

    /// An appender for the messages of one array (one `publish` call), all
    /// added at `now`.
    pub fn appender<'a>(&mut self, now: Instant) -> Appender<'_, 'a> {
        Appender {
            batcher: self,
            now,
            last: None,
        }
    }

    /// `Appender::add` for the group in `slot`.
    fn add_to(
        &mut self,
        slot: usize,
        message_len: usize,
        now: Instant,
        write: impl FnOnce(&mut BytesMut),
    ) {
        let limits = self.limits;
        let record_len = field_len(message_len);
        let group = &mut self.groups[slot];
        let fits = |open: &OpenBatch| {
            open.messages < limits.batch_size
                && open.request_bytes + record_len <= limits.batch_bytes
        };
        if group.open.as_ref().is_some_and(|open| !fits(open)) {
            group.cut(slot, &mut self.runnable);
        }
        let open = match &mut group.open {
            Some(open) => open,
            None => {
                let seq = self.next_seq;
                self.next_seq += 1;
                self.lingering.push_back((now + limits.linger, slot, seq));
                let records = match self.spare.pop() {
                    Some(spare) => {
                        self.spare_bytes -= spare.capacity();
                        spare
                    }
                    None => BytesMut::with_capacity(INITIAL_BUFFER.min(limits.batch_bytes)),
                };
                group.open.insert(OpenBatch {
                    records,
                    messages: 0,
                    message_bytes: 0,
                    request_bytes: field_len(group.topic.len()),
                    seq,
                })
            }
        };
        open.reserve(record_len, limits);
        put_header(&mut open.records, REQUEST_MESSAGES, message_len);
        let before = open.records.len();
        write(&mut open.records);
        debug_assert_eq!(open.records.len() - before, message_len);
        open.messages += 1;
        open.message_bytes += message_len;
        open.request_bytes += record_len;
        if open.messages >= limits.batch_size || open.request_bytes >= limits.batch_bytes {
            group.cut(slot, &mut self.runnable);
        }
    }

    /// Takes back the records of a finished request for reuse by a later
    /// batch, when nothing else holds them and the spares stay within
    /// [`MAX_SPARE_BYTES`]; otherwise they are freed.
    pub fn recycle(&mut self, records: Bytes) {
        let Ok(mut buffer) = records.try_into_mut() else {
            return;
        };
        if self.spare_bytes + buffer.capacity() <= MAX_SPARE_BYTES {
            buffer.clear();
            self.spare_bytes += buffer.capacity();
            self.spare.push(buffer);
        }
    }

    /// Cuts the open batches whose linger time has passed.
    pub fn cut_expired(&mut self, now: Instant) {
        while let Some(&(deadline, slot, seq)) = self.lingering.front() {
            if deadline > now {
                break;
            }
            self.lingering.pop_front();
            self.cut_if_open(slot, seq);
        }
    }

    /// Cuts every open batch (flush, or a zero linger time).
    pub fn cut_all(&mut self) {
        while let Some((_, slot, seq)) = self.lingering.pop_front() {
            self.cut_if_open(slot, seq);
        }
    }

    /// When the oldest open batch's linger time ends (maybe one already cut).
    pub fn next_deadline(&self) -> Option<Instant> {
        self.lingering.front().map(|&(deadline, _, _)| deadline)
    }

    /// The next batch that may be sent now; its group counts it in flight
    /// until `complete`.
    pub fn next_sendable(&mut self) -> Option<Batch> {
        while let Some(slot) = self.runnable.pop_front() {
            let group = &mut self.groups[slot];
            if let Some(batch) = group.queued.pop_front() {
                group.in_flight += 1;
                return Some(batch);
            }
        }
        None
    }

    /// A batch of group `slot` is no longer in flight (published or failed).
    pub fn complete(&mut self, slot: usize) {
        let Some(group) = self.groups.get_mut(slot) else {
            return;
        };
        group.in_flight = group.in_flight.saturating_sub(1);
        if group.ordered() && group.in_flight == 0 && !group.queued.is_empty() {
            self.runnable.push_back(slot);
        }
        self.release_if_idle(slot);
    }

    /// Drops every batch not in flight; returns their (messages, message bytes).
    pub fn abandon(&mut self) -> (usize, usize) {
        let (mut messages, mut bytes) = (0, 0);
        for group in &mut self.groups {
            if let Some(open) = group.open.take() {
                messages += open.messages;
                bytes += open.message_bytes;
            }
            for batch in group.queued.drain(..) {
                messages += batch.messages;
                bytes += batch.message_bytes;
            }
        }
        self.runnable.clear();
        self.lingering.clear();
        for slot in 0..self.groups.len() {
            self.release_if_idle(slot);
        }
        (messages, bytes)
    }

    fn cut_if_open(&mut self, slot: usize, seq: u64) {
        let group = &mut self.groups[slot];
        if group.open.as_ref().is_some_and(|open| open.seq == seq) {
            group.cut(slot, &mut self.runnable);
        }
    }

    fn slot_for(&mut self, topic: &str, ordering_key: &str) -> usize {
        let same_as_last = self
            .groups
            .get(self.last_slot)
            .is_some_and(|g| g.live && &*g.ordering_key == ordering_key && &*g.topic == topic);
        if !same_as_last {
            self.last_slot = self.find_or_create(topic, ordering_key);
        }
        self.last_slot
    }

    fn find_or_create(&mut self, topic: &str, ordering_key: &str) -> usize {
        let hash = self.hasher.hash_one((topic, ordering_key));
        let groups = &self.groups;
        let found = self.index.find(hash, |&slot| {
            let g = &groups[slot];
            &*g.topic == topic && &*g.ordering_key == ordering_key
        });
        if let Some(&slot) = found {
            return slot;
        }
        let group = Group {
            topic: Arc::from(topic),
            ordering_key: Box::from(ordering_key),
            live: true,
            open: None,
            queued: VecDeque::new(),
            in_flight: 0,
        };
        let slot = match self.free.pop() {
            Some(slot) => {
                self.groups[slot] = group;
                slot
            }
            None => {
                self.groups.push(group);
                self.groups.len() - 1
            }
        };
        let (groups, hasher) = (&self.groups, &self.hasher);
        self.index.insert_unique(hash, slot, |&s| {
            hasher.hash_one((&*groups[s].topic, &*groups[s].ordering_key))
        });
        slot
    }

    /// Forgets a group with nothing open, queued or in flight, so that
    /// many distinct ordering keys do not accumulate.
    fn release_if_idle(&mut self, slot: usize) {
        let group = &mut self.groups[slot];
        if !group.live || !group.idle() {
            return;
        }
        group.live = false;
        let hash = self.hasher.hash_one((&*group.topic, &*group.ordering_key));
        if let Ok(entry) = self.index.find_entry(hash, |&s| s == slot) {
            entry.remove();
        }
        self.free.push(slot);
    }

    /// Live groups, for tests and leak checks.
    pub fn group_count(&self) -> usize {
        self.index.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::google::pubsub::v1::PublishRequest;
    use crate::protobuf_write::put_bytes_field;
    use bytes::BufMut;
    use prost::Message;

    const T: &str = "projects/p/topics/t";

    fn batcher(batch_size: usize, batch_bytes: usize, linger_ms: u64) -> Batcher {
        Batcher::new(Limits {
            batch_size,
            batch_bytes,
            linger: Duration::from_millis(linger_ms),
        })
    }

    /// Adds a message whose encoded form is `len` bytes of `fill`.
    fn add(b: &mut Batcher, key: &str, len: usize, fill: u8, now: Instant) {
        b.appender(now)
            .add(T, key, len, |buf| buf.put_bytes(fill, len));
    }

    fn drain(b: &mut Batcher) -> Vec<Batch> {
        std::iter::from_fn(|| b.next_sendable()).collect()
    }

    fn counts(batches: &[Batch]) -> Vec<usize> {
        batches.iter().map(|b| b.messages).collect()
    }

    #[test]
    fn batches_are_cut_at_batch_size_and_the_rest_waits_for_linger() {
        let now = Instant::now();
        let mut b = batcher(3, 1_000_000, 10);
        for _ in 0..7 {
            add(&mut b, "", 10, 1, now);
        }
        let sent = drain(&mut b);
        assert_eq!(
            counts(&sent),
            vec![3, 3],
            "two full batches, one message lingers"
        );
        b.cut_expired(now + Duration::from_millis(9));
        assert!(b.next_sendable().is_none(), "linger time not over");
        assert_eq!(b.next_deadline(), Some(now + Duration::from_millis(10)));
        b.cut_expired(now + Duration::from_millis(10));
        assert_eq!(counts(&drain(&mut b)), vec![1]);
    }

    #[test]
    fn batches_are_cut_before_exceeding_batch_bytes_and_a_large_message_goes_alone() {
        let now = Instant::now();
        // The request starts with the topic field (21 bytes); each 98-byte message adds 100.
        let topic_field = field_len(T.len());
        let mut b = batcher(1000, topic_field + 300, 10);
        for _ in 0..4 {
            add(&mut b, "", 98, 1, now);
        }
        add(&mut b, "", 5_000, 2, now);
        add(&mut b, "", 98, 3, now);
        b.cut_all();
        let sent = drain(&mut b);
        assert_eq!(counts(&sent), vec![3, 1, 1, 1]);
        for batch in &sent {
            let request = topic_field + batch.records.len();
            assert!(
                request <= topic_field + 300 || batch.messages == 1,
                "{request}"
            );
        }
        assert_eq!(sent[2].message_bytes, 5_000);
    }

    #[test]
    fn ordering_keys_get_their_own_batches_with_one_in_flight_per_key() {
        let now = Instant::now();
        let mut b = batcher(2, 1_000_000, 10);
        for i in 0..4 {
            add(&mut b, "a", 10, i, now);
            add(&mut b, "b", 10, 10 + i, now);
        }
        let first = drain(&mut b);
        assert_eq!(
            first.len(),
            2,
            "one batch per key; the second of each waits"
        );
        assert_ne!(first[0].group, first[1].group);
        assert!(first
            .iter()
            .all(|batch| batch.records.len() == 2 * field_len(10)));
        // Keyed messages stay in their key's batches, in order.
        let fills: Vec<u8> = first.iter().map(|batch| batch.records[2]).collect();
        assert_eq!(fills, vec![0, 10]);
        b.complete(first[0].group);
        let next = drain(&mut b);
        assert_eq!(next.len(), 1);
        assert_eq!(
            next[0].records[2], 2,
            "key a's second batch follows its first"
        );
        b.complete(first[1].group);
        b.complete(next[0].group);
        let last = drain(&mut b);
        assert_eq!(last.len(), 1);
        b.complete(last[0].group);
        assert_eq!(b.group_count(), 0, "idle groups are released");
    }

    #[test]
    fn batches_without_a_key_may_all_be_in_flight_and_abandon_counts_what_is_dropped() {
        let now = Instant::now();
        let mut b = batcher(2, 1_000_000, 10);
        for _ in 0..6 {
            add(&mut b, "", 10, 0, now);
        }
        add(&mut b, "k", 10, 0, now);
        assert_eq!(counts(&drain(&mut b)), vec![2, 2, 2]);
        assert_eq!(b.abandon(), (1, 10), "the lingering keyed message");
        assert!(b.next_sendable().is_none());
        assert_eq!(
            b.group_count(),
            1,
            "the unkeyed group still has 3 in flight"
        );
    }

    #[test]
    fn a_finished_requests_buffer_is_reused_once_nothing_else_holds_it() {
        let now = Instant::now();
        let mut b = batcher(2, 1_000_000, 10);
        let next_batch = |b: &mut Batcher| {
            add(b, "", 10, 0, now);
            add(b, "", 10, 0, now);
            let batch = b.next_sendable().unwrap();
            b.complete(batch.group);
            batch
        };
        let first = next_batch(&mut b);
        let still_sending = first.records.clone();
        b.recycle(first.records);
        let second = next_batch(&mut b);
        assert_ne!(
            second.records.as_ptr(),
            still_sending.as_ptr(),
            "a buffer still held elsewhere is not reused"
        );
        let second_buffer = second.records.as_ptr();
        b.recycle(second.records);
        let third = next_batch(&mut b);
        assert_eq!(third.records.as_ptr(), second_buffer);
        assert_eq!(third.records.len(), 2 * field_len(10), "emptied first");
    }

    #[test]
    fn records_with_the_topic_field_decode_as_a_publish_request() {
        let now = Instant::now();
        let mut b = batcher(10, 1_000_000, 0);
        let mut appender = b.appender(now);
        for i in 0..3u8 {
            appender.add(T, "", 3, |buf| put_bytes_field(buf, 1, &[i]));
        }
        b.cut_all();
        let batch = b.next_sendable().unwrap();
        let mut request = Vec::new();
        put_bytes_field(&mut request, REQUEST_TOPIC, batch.topic.as_bytes());
        request.extend_from_slice(&batch.records);
        let decoded = PublishRequest::decode(&request[..]).unwrap();
        assert_eq!(decoded.topic, T);
        let data: Vec<&[u8]> = decoded.messages.iter().map(|m| &m.data[..]).collect();
        assert_eq!(data, vec![&[0u8][..], &[1], &[2]]);
        assert_eq!(batch.message_bytes, 9);
    }
}
