//! Who holds which message: leases, redelivery, per-stream flow control, and
//! the counts the final report is made of. One mutex guards it all; callers
//! take it once per response or per ack request, never per message.

use crate::catalog::Catalog;
use crate::wire::Delivery;
use std::collections::{HashMap, HashSet, VecDeque};
use std::fmt;
use std::sync::Arc;
use tokio::sync::Notify;

/// Stream id of deliveries made by the unary Pull RPC (no flow control).
pub const NO_STREAM: u32 = 0;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// In the ready queue (never delivered, expired or nacked).
    Ready,
    Leased,
    Acked,
}

/// What happened to a message that can make it be delivered again: a set of
/// bit flags, one byte per message (it fits in `Entry`'s padding).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Causes(u8);

impl Causes {
    pub const NONE: Causes = Causes(0);
    /// A lease of it lapsed unacked.
    pub const LEASE_EXPIRED: Causes = Causes(1);
    /// A deadline-0 modack of its current lease.
    pub const NACKED: Causes = Causes(1 << 1);
    /// It was in a response a `--stall` held at least as long as its lease.
    pub const HELD_PAST_LEASE: Causes = Causes(1 << 2);
    /// An ack id of it was dropped by `--reject-ack-share`.
    pub const ACK_IGNORED: Causes = Causes(1 << 3);
    /// An ack id of it was in an Acknowledge call `--fail-first-acks` failed.
    pub const ACK_FAILED: Causes = Causes(1 << 4);
    /// It was leased to a stream that a drop or an outage ended.
    pub const STREAM_ENDED: Causes = Causes(1 << 5);
    /// In the order they are listed (`--redeliveries-file`).
    const NAMES: [(Causes, &'static str); 6] = [
        (Causes::LEASE_EXPIRED, "lease_expired"),
        (Causes::NACKED, "nacked"),
        (Causes::HELD_PAST_LEASE, "held_past_lease"),
        (Causes::ACK_IGNORED, "ack_ignored"),
        (Causes::ACK_FAILED, "ack_failed"),
        (Causes::STREAM_ENDED, "stream_ended"),
    ];

    pub fn contains(self, other: Causes) -> bool {
        self.0 & other.0 == other.0
    }

    pub fn insert(&mut self, other: Causes) {
        self.0 |= other.0;
    }
}

/// Comma-separated names, `-` for none.
impl fmt::Display for Causes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut names = Causes::NAMES
            .iter()
            .filter(|(c, _)| self.contains(*c))
            .map(|(_, name)| name);
        let Some(first) = names.next() else {
            return f.write_str("-");
        };
        f.write_str(first)?;
        names.try_for_each(|name| write!(f, ",{name}"))
    }
}

/// A message delivered more than once, and what happened to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Redelivery {
    pub index: u32,
    pub deliveries: u32,
    pub causes: Causes,
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    state: State,
    causes: Causes,
    /// Deliveries so far; the current lease's ack id carries this number.
    generation: u32,
    stream: u32,
    deadline_ms: u64,
    acks: u32,
}

/// A lease's due time, queued by lease length: leases of one length are
/// granted in time order, so each queue is sorted and expiry is O(1) each.
#[derive(Debug, Clone, Copy)]
struct Due {
    deadline_ms: u64,
    index: u32,
    generation: u32,
}

/// Flow control of one StreamingPull stream, from its first request.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FlowLimits {
    /// 0 = no limit
    pub max_messages: u64,
    /// 0 = no limit
    pub max_bytes: u64,
}

#[derive(Debug)]
struct StreamFlow {
    limits: FlowLimits,
    messages: u64,
    bytes: u64,
    notify: Arc<Notify>,
}

/// Event counts; per-message figures are computed from the entries.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub served: u64,
    pub served_bytes: u64,
    pub redelivered: u64,
    pub expired: u64,
    pub nacked: u64,
    pub ack_ids_received: u64,
    pub ack_ids_invalid: u64,
    pub modacks_received: u64,
    pub streams_opened: u64,
}

/// Per-message figures at one moment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub messages: u64,
    pub distinct_served: u64,
    pub acked_once: u64,
    pub acked_more_than_once: u64,
    pub never_acked: u64,
    pub outstanding: u64,
    pub counts: Counts,
}

#[derive(Debug)]
pub struct Ledger {
    catalog: Arc<Catalog>,
    entries: Vec<Entry>,
    ready: VecDeque<u32>,
    dues: HashMap<u64, VecDeque<Due>>,
    streams: HashMap<u32, StreamFlow>,
    /// Streams a drop or an outage ended. A lease that ends (or is still
    /// held at the end) on one of them was held when it ended: marking it
    /// then costs nothing per message at the time of the fault.
    faulted_streams: HashSet<u32>,
    next_stream: u32,
    acked_distinct: u64,
    counts: Counts,
}

impl Ledger {
    pub fn new(catalog: Arc<Catalog>) -> Ledger {
        let n = catalog.messages();
        Ledger {
            entries: vec![
                Entry {
                    state: State::Ready,
                    causes: Causes::NONE,
                    generation: 0,
                    stream: NO_STREAM,
                    deadline_ms: 0,
                    acks: 0,
                };
                n as usize
            ],
            ready: (0..n).collect(),
            catalog,
            dues: HashMap::new(),
            streams: HashMap::new(),
            faulted_streams: HashSet::new(),
            next_stream: NO_STREAM + 1,
            acked_distinct: 0,
            counts: Counts::default(),
        }
    }

    pub fn open_stream(&mut self, limits: FlowLimits, notify: Arc<Notify>) -> u32 {
        let id = self.next_stream;
        self.next_stream = self.next_stream.wrapping_add(1).max(NO_STREAM + 1);
        self.streams.insert(
            id,
            StreamFlow {
                limits,
                messages: 0,
                bytes: 0,
                notify,
            },
        );
        self.counts.streams_opened += 1;
        id
    }

    /// The stream's leases stay until acked or expired, as on Pub/Sub.
    pub fn close_stream(&mut self, stream: u32) {
        self.streams.remove(&stream);
    }

    /// Records that a drop or an outage ended `stream` (see `faulted_streams`).
    pub fn stream_faulted(&mut self, stream: u32) {
        self.faulted_streams.insert(stream);
    }

    /// Leases up to `max_messages` ready messages and `max_bytes` (at least
    /// one message) to `stream` for `lease_ms`, within the stream's flow
    /// control, into `out`.
    pub fn deliver(
        &mut self,
        stream: u32,
        max_messages: u64,
        max_bytes: u64,
        lease_ms: u64,
        now_ms: u64,
        out: &mut Vec<Delivery>,
    ) {
        let (mut room_messages, mut flow_bytes, mut held) = (max_messages, u64::MAX, 0);
        if let Some(flow) = self.streams.get(&stream) {
            if flow.limits.max_messages > 0 {
                room_messages =
                    room_messages.min(flow.limits.max_messages.saturating_sub(flow.messages));
            }
            if flow.limits.max_bytes > 0 {
                flow_bytes = flow.limits.max_bytes.saturating_sub(flow.bytes);
            }
            held = flow.messages;
        }
        let deadline_ms = now_ms + lease_ms;
        let (mut sent_messages, mut sent_bytes) = (0u64, 0u64);
        while sent_messages < room_messages {
            let Some(&index) = self.ready.front() else {
                break;
            };
            let entry = &mut self.entries[index as usize];
            if entry.state != State::Ready {
                // acked through an older ack id while waiting for redelivery
                self.ready.pop_front();
                continue;
            }
            let size = self.catalog.message_len(index) as u64;
            let after = sent_bytes + size;
            // A response carries at least one message, however large; the
            // stream's byte cap may be exceeded by one message when it holds
            // nothing, or a large message could never be delivered.
            if (after > max_bytes && sent_messages > 0)
                || (after > flow_bytes && (sent_messages > 0 || held > 0))
            {
                break;
            }
            self.ready.pop_front();
            entry.state = State::Leased;
            entry.generation += 1;
            entry.stream = stream;
            entry.deadline_ms = deadline_ms;
            if entry.generation > 1 {
                self.counts.redelivered += 1;
            }
            let generation = entry.generation;
            self.dues.entry(lease_ms).or_default().push_back(Due {
                deadline_ms,
                index,
                generation,
            });
            out.push(Delivery { index, generation });
            sent_messages += 1;
            sent_bytes += size;
        }
        self.counts.served += sent_messages;
        self.counts.served_bytes += sent_bytes;
        if let Some(flow) = self.streams.get_mut(&stream) {
            flow.messages += sent_messages;
            flow.bytes += sent_bytes;
        }
    }

    /// Applies acks; returns how many ids were valid.
    pub fn ack(&mut self, ids: impl IntoIterator<Item = Option<(u32, u32)>>) -> u64 {
        self.ack_unless(ids, |_| false)
    }

    /// Applies acks except the well-formed ids `ignored` picks, which only
    /// mark their message `ACK_IGNORED` (and are not counted as received, as
    /// if they never came); returns how many applied ids were valid.
    pub fn ack_unless(
        &mut self,
        ids: impl IntoIterator<Item = Option<(u32, u32)>>,
        ignored: impl Fn((u32, u32)) -> bool,
    ) -> u64 {
        let mut valid = 0;
        for id in ids {
            if id.is_some_and(&ignored) {
                self.mark([id], Causes::ACK_IGNORED);
                continue;
            }
            self.counts.ack_ids_received += 1;
            let Some(index) = self.lookup(id) else {
                self.counts.ack_ids_invalid += 1;
                continue;
            };
            valid += 1;
            let entry = self.entries[index as usize];
            if entry.state == State::Leased {
                self.release(index);
            }
            let entry = &mut self.entries[index as usize];
            if entry.acks == 0 {
                self.acked_distinct += 1;
            }
            entry.acks += 1;
            entry.state = State::Acked;
        }
        valid
    }

    /// ModifyAckDeadline: 0 s nacks (redelivered next), more extends the
    /// current lease. Ids of an older delivery or of acked messages are ignored.
    pub fn modify(
        &mut self,
        ids: impl IntoIterator<Item = (Option<(u32, u32)>, u32)>,
        now_ms: u64,
    ) -> bool {
        let mut requeued = false;
        for (id, seconds) in ids {
            self.counts.modacks_received += 1;
            let Some(index) = self.lookup(id) else {
                self.counts.ack_ids_invalid += 1;
                continue;
            };
            let entry = self.entries[index as usize];
            let current = id.map(|(_, g)| g) == Some(entry.generation);
            if entry.state != State::Leased || !current {
                continue;
            }
            if seconds == 0 {
                self.release(index);
                let entry = &mut self.entries[index as usize];
                entry.state = State::Ready;
                entry.causes.insert(Causes::NACKED);
                self.ready.push_front(index);
                self.counts.nacked += 1;
                requeued = true;
            } else {
                let lease_ms = u64::from(seconds) * 1000;
                let deadline_ms = now_ms + lease_ms;
                self.entries[index as usize].deadline_ms = deadline_ms;
                self.dues.entry(lease_ms).or_default().push_back(Due {
                    deadline_ms,
                    index,
                    generation: entry.generation,
                });
            }
        }
        if requeued {
            self.wake_all();
        }
        requeued
    }

    /// Returns leases past their deadline to the ready queue; how many.
    pub fn expire(&mut self, now_ms: u64) -> u64 {
        let mut expired = 0;
        let mut lapsed = Vec::new();
        for queue in self.dues.values_mut() {
            while let Some(due) = queue.front().copied() {
                if due.deadline_ms > now_ms {
                    break;
                }
                queue.pop_front();
                lapsed.push(due);
            }
        }
        for due in lapsed {
            let entry = self.entries[due.index as usize];
            // A later modack or delivery left a newer due behind this one.
            if entry.state != State::Leased
                || entry.generation != due.generation
                || entry.deadline_ms != due.deadline_ms
            {
                continue;
            }
            self.release(due.index);
            let entry = &mut self.entries[due.index as usize];
            entry.state = State::Ready;
            entry.causes.insert(Causes::LEASE_EXPIRED);
            self.ready.push_back(due.index);
            expired += 1;
        }
        self.dues.retain(|_, q| !q.is_empty());
        self.counts.expired += expired;
        if expired > 0 {
            self.wake_all();
        }
        expired
    }

    /// Adds `cause` to the messages of the valid ack ids among `ids`.
    pub fn mark(&mut self, ids: impl IntoIterator<Item = Option<(u32, u32)>>, cause: Causes) {
        for id in ids {
            if let Some(index) = self.lookup(id) {
                self.entries[index as usize].causes.insert(cause);
            }
        }
    }

    /// The messages delivered more than once, in id order. A lease still held
    /// on a faulted stream counts as ended by it.
    pub fn redeliveries(&self) -> Vec<Redelivery> {
        self.entries
            .iter()
            .zip(0..)
            .filter(|(e, _)| e.generation > 1)
            .map(|(e, index)| {
                let mut causes = e.causes;
                if e.state == State::Leased && self.on_faulted_stream(e) {
                    causes.insert(Causes::STREAM_ENDED);
                }
                Redelivery {
                    index,
                    deliveries: e.generation,
                    causes,
                }
            })
            .collect()
    }

    pub fn all_acked(&self) -> bool {
        self.acked_distinct == self.entries.len() as u64
    }

    pub fn tally(&self) -> Tally {
        let mut t = Tally {
            messages: self.entries.len() as u64,
            counts: self.counts,
            ..Tally::default()
        };
        for e in &self.entries {
            t.distinct_served += u64::from(e.generation > 0);
            match e.acks {
                0 => t.never_acked += 1,
                1 => t.acked_once += 1,
                _ => t.acked_more_than_once += 1,
            }
            t.outstanding += u64::from(e.state == State::Leased);
        }
        t
    }

    /// Index of a well-formed ack id of a delivery that happened.
    fn lookup(&self, id: Option<(u32, u32)>) -> Option<u32> {
        let (index, generation) = id?;
        let entry = self.entries.get(index as usize)?;
        (generation >= 1 && generation <= entry.generation).then_some(index)
    }

    /// Whether `entry`'s (last) lease was given to a stream a fault ended.
    fn on_faulted_stream(&self, entry: &Entry) -> bool {
        // Checked whenever a lease ends: no hashing unless a stream faulted.
        !self.faulted_streams.is_empty() && self.faulted_streams.contains(&entry.stream)
    }

    /// Takes a lease off its stream's books; the caller sets the new state.
    fn release(&mut self, index: u32) {
        let size = self.catalog.message_len(index) as u64;
        let entry = self.entries[index as usize];
        if self.on_faulted_stream(&entry) {
            self.entries[index as usize]
                .causes
                .insert(Causes::STREAM_ENDED);
        }
        let stream = entry.stream;
        if let Some(flow) = self.streams.get_mut(&stream) {
            flow.messages = flow.messages.saturating_sub(1);
            flow.bytes = flow.bytes.saturating_sub(size);
            flow.notify.notify_one();
        }
    }

    fn wake_all(&self) {
        for flow in self.streams.values() {
            flow.notify.notify_one();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::MessageSpec;

    const LEASE: u64 = 1_000;

    fn ledger(messages: u32) -> Ledger {
        Ledger::new(Arc::new(Catalog::new(&MessageSpec {
            messages,
            size: 10,
            attributes: 0,
            ordering_keys: 0,
        })))
    }

    fn deliver(l: &mut Ledger, stream: u32, max: u64, now: u64) -> Vec<Delivery> {
        let mut out = Vec::new();
        l.deliver(stream, max, u64::MAX, LEASE, now, &mut out);
        out
    }

    fn ids(d: &[Delivery]) -> Vec<Option<(u32, u32)>> {
        d.iter().map(|d| Some((d.index, d.generation))).collect()
    }

    #[test]
    fn each_message_is_served_once_until_acked() {
        let mut l = ledger(5);
        let first = deliver(&mut l, NO_STREAM, 3, 0);
        let rest = deliver(&mut l, NO_STREAM, 10, 0);
        assert_eq!(first.len() + rest.len(), 5);
        assert!(deliver(&mut l, NO_STREAM, 10, 0).is_empty());
        assert_eq!(l.ack(ids(&first).into_iter().chain(ids(&rest))), 5);
        assert!(l.all_acked());
        let t = l.tally();
        assert_eq!(
            (t.acked_once, t.acked_more_than_once, t.never_acked),
            (5, 0, 0)
        );
        assert_eq!(
            (t.counts.served, t.distinct_served, t.outstanding),
            (5, 5, 0)
        );
    }

    #[test]
    fn expired_leases_are_redelivered_with_a_new_ack_id() {
        let mut l = ledger(2);
        let first = deliver(&mut l, NO_STREAM, 10, 0);
        assert_eq!(l.expire(LEASE - 1), 0);
        assert_eq!(l.expire(LEASE), 2);
        let again = deliver(&mut l, NO_STREAM, 10, LEASE);
        assert_eq!(again.len(), 2);
        assert!(again.iter().all(|d| d.generation == 2));
        let t = l.tally();
        assert_eq!(
            (t.counts.expired, t.counts.redelivered, t.counts.served),
            (2, 2, 4)
        );
        // Both copies acked: counted as acked more than once.
        l.ack(ids(&first));
        l.ack(ids(&again));
        assert_eq!(l.tally().acked_more_than_once, 2);
    }

    #[test]
    fn an_ack_of_an_older_delivery_still_settles_the_message() {
        let mut l = ledger(1);
        let first = deliver(&mut l, NO_STREAM, 1, 0);
        l.expire(LEASE);
        l.ack(ids(&first));
        assert!(deliver(&mut l, NO_STREAM, 1, LEASE).is_empty());
        assert_eq!(l.tally().acked_once, 1);
    }

    #[test]
    fn modack_extends_and_zero_nacks() {
        let mut l = ledger(2);
        let d = deliver(&mut l, NO_STREAM, 2, 0);
        l.modify([(ids(&d)[0], 5)], 0);
        assert_eq!(l.expire(LEASE), 1, "only the unextended lease lapses");
        assert_eq!(l.expire(4_999), 0);
        assert_eq!(l.expire(5_000), 1);
        let again = deliver(&mut l, NO_STREAM, 2, 5_000);
        assert!(l.modify([(ids(&again)[1], 0)], 5_000));
        assert_eq!(l.tally().counts.nacked, 1);
        assert_eq!(
            deliver(&mut l, NO_STREAM, 2, 5_000),
            vec![Delivery {
                index: again[1].index,
                generation: 3
            }]
        );
    }

    #[test]
    fn flow_control_caps_what_a_stream_holds() {
        let mut l = ledger(10);
        let notify = Arc::new(Notify::new());
        let s = l.open_stream(
            FlowLimits {
                max_messages: 3,
                max_bytes: 0,
            },
            notify,
        );
        let d = deliver(&mut l, s, 100, 0);
        assert_eq!(d.len(), 3);
        assert!(deliver(&mut l, s, 100, 0).is_empty());
        l.ack(ids(&d[..2]));
        assert_eq!(l.streams[&s].messages, 1);
        assert_eq!(deliver(&mut l, s, 100, 0).len(), 2);
    }

    #[test]
    fn byte_limit_lets_one_message_through_when_nothing_is_held() {
        let mut l = ledger(4);
        let size = l.catalog.message_len(0) as u64;
        let s = l.open_stream(
            FlowLimits {
                max_messages: 0,
                max_bytes: size + size / 2,
            },
            Arc::new(Notify::new()),
        );
        assert_eq!(deliver(&mut l, s, 100, 0).len(), 1);
        assert!(deliver(&mut l, s, 100, 0).is_empty());
        let tiny = l.open_stream(
            FlowLimits {
                max_messages: 0,
                max_bytes: 1,
            },
            Arc::new(Notify::new()),
        );
        assert_eq!(deliver(&mut l, tiny, 100, 0).len(), 1);
    }

    #[test]
    fn responses_smaller_than_a_message_still_carry_one_each() {
        let mut l = ledger(3);
        let s = l.open_stream(FlowLimits::default(), Arc::new(Notify::new()));
        for _ in 0..3 {
            let mut out = Vec::new();
            l.deliver(s, 100, 1, LEASE, 0, &mut out);
            assert_eq!(out.len(), 1);
        }
    }

    /// (message index, deliveries, causes) of each message served more than once.
    fn redelivered(l: &Ledger) -> Vec<(u32, u32, String)> {
        l.redeliveries()
            .iter()
            .map(|r| (r.index, r.deliveries, r.causes.to_string()))
            .collect()
    }

    #[test]
    fn causes_take_one_byte_of_an_entry_that_did_not_grow() {
        assert_eq!(std::mem::size_of::<Causes>(), 1);
        assert!(std::mem::size_of::<Entry>() <= 24);
    }

    #[test]
    fn an_expired_lease_marks_the_message_and_each_delivery_is_counted() {
        let mut l = ledger(3);
        let first = deliver(&mut l, NO_STREAM, 3, 0);
        l.ack(ids(&first[..1]));
        l.expire(LEASE);
        deliver(&mut l, NO_STREAM, 3, LEASE);
        l.expire(2 * LEASE);
        let third = deliver(&mut l, NO_STREAM, 1, 2 * LEASE);
        assert_eq!(third[0].index, 1);
        assert_eq!(
            redelivered(&l),
            vec![
                (1, 3, "lease_expired".into()),
                (2, 2, "lease_expired".into())
            ],
            "message 0 was acked at once: served once, not listed"
        );
    }

    #[test]
    fn a_nack_marks_the_message() {
        let mut l = ledger(2);
        let d = deliver(&mut l, NO_STREAM, 2, 0);
        l.modify([(ids(&d)[1], 0), (ids(&d)[0], 30)], 0);
        deliver(&mut l, NO_STREAM, 2, 0);
        assert_eq!(redelivered(&l), vec![(1, 2, "nacked".into())]);
    }

    #[test]
    fn a_stall_past_the_lease_marks_its_response() {
        let mut l = ledger(3);
        let held = deliver(&mut l, NO_STREAM, 2, 0);
        // What the stream does when it holds `held` for longer than LEASE.
        l.mark(ids(&held), Causes::HELD_PAST_LEASE);
        l.expire(LEASE);
        assert_eq!(deliver(&mut l, NO_STREAM, 3, LEASE).len(), 3);
        let both = "lease_expired,held_past_lease".to_string();
        assert_eq!(redelivered(&l), vec![(0, 2, both.clone()), (1, 2, both)]);
    }

    #[test]
    fn an_ignored_ack_marks_the_message_and_is_not_counted_as_received() {
        let mut l = ledger(3);
        let d = deliver(&mut l, NO_STREAM, 3, 0);
        let ignored = d[2].index;
        let valid = l.ack_unless(ids(&d), |(index, _)| index == ignored);
        assert_eq!(valid, 2);
        assert_eq!(l.tally().counts.ack_ids_received, 2);
        assert_eq!(l.tally().outstanding, 1, "the ignored ack left its lease");
        l.expire(LEASE);
        let again = deliver(&mut l, NO_STREAM, 3, LEASE);
        l.ack(ids(&again));
        assert!(l.all_acked());
        assert_eq!(
            redelivered(&l),
            vec![(ignored, 2, "lease_expired,ack_ignored".into())]
        );
    }

    #[test]
    fn a_failed_acknowledge_marks_its_valid_ids() {
        let mut l = ledger(3);
        let d = deliver(&mut l, NO_STREAM, 2, 0);
        l.mark(
            ids(&d).into_iter().chain([None, Some((2, 1))]),
            Causes::ACK_FAILED,
        );
        l.expire(LEASE);
        deliver(&mut l, NO_STREAM, 3, LEASE);
        let failed = "lease_expired,ack_failed".to_string();
        assert_eq!(
            redelivered(&l),
            vec![(0, 2, failed.clone()), (1, 2, failed)],
            "message 2 had not been delivered when the failed call named it"
        );
    }

    #[test]
    fn a_faulted_stream_marks_the_leases_it_held_then() {
        let mut l = ledger(5);
        let dropped = l.open_stream(FlowLimits::default(), Arc::new(Notify::new()));
        let d = deliver(&mut l, dropped, 4, 0);
        l.ack(ids(&d[..1]));
        l.stream_faulted(dropped);
        l.close_stream(dropped);
        // Held when the stream ended: acked later, expired, still leased.
        l.ack(ids(&d[1..2]));
        l.expire(LEASE);
        let next = l.open_stream(FlowLimits::default(), Arc::new(Notify::new()));
        let again = deliver(&mut l, next, 5, LEASE);
        assert_eq!(again.len(), 3, "message 4, and 2 and 3 again");
        let two = again.iter().find(|d| d.index == 2).expect("message 2");
        l.modify([(Some((two.index, two.generation)), 0)], LEASE);
        deliver(&mut l, next, 5, LEASE);
        // Message 3's second lease is held by a healthy stream: no new mark.
        assert_eq!(
            redelivered(&l),
            vec![
                (2, 3, "lease_expired,nacked,stream_ended".into()),
                (3, 2, "lease_expired,stream_ended".into()),
            ]
        );
        let tally = l.tally();
        assert_eq!(tally.counts.redelivered, 3);
    }

    #[test]
    fn a_lease_still_held_on_a_faulted_stream_is_reported_as_ended() {
        let mut l = ledger(1);
        let s = l.open_stream(FlowLimits::default(), Arc::new(Notify::new()));
        deliver(&mut l, s, 1, 0);
        l.expire(LEASE);
        deliver(&mut l, s, 1, LEASE);
        l.stream_faulted(s);
        assert_eq!(
            redelivered(&l),
            vec![(0, 2, "lease_expired,stream_ended".into())]
        );
        assert_eq!(l.entries[0].causes, Causes::LEASE_EXPIRED, "not stored");
    }

    #[test]
    fn malformed_and_future_ack_ids_are_invalid() {
        let mut l = ledger(2);
        let d = deliver(&mut l, NO_STREAM, 1, 0);
        let index = d[0].index;
        assert_eq!(
            l.ack([None, Some((index, 2)), Some((99, 1)), Some((index, 0))]),
            0
        );
        let t = l.tally();
        assert_eq!(
            (t.counts.ack_ids_received, t.counts.ack_ids_invalid),
            (4, 4)
        );
        assert_eq!(t.never_acked, 2);
    }
}
