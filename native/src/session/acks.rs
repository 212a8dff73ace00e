//! The ack ids of consecutive messages (one batch's worth) in one buffer, and
//! the leases of their arrival groups: the messages of one response arrive
//! together, so they share one lease clock.

use super::ack_ids::{start_of, AckIds};
use std::ops::Range;
use std::time::{Duration, Instant};

/// Messages of one response that are held together in one `HeldAcks`.
#[derive(Debug, Clone, Copy)]
struct Arrival {
    /// Shared by the parts of an arrival split across batches.
    id: u64,
    arrived: Instant,
    lease_until: Instant,
    /// One past the last row of this arrival in its `HeldAcks`.
    end: usize,
    /// Let go (acknowledged, nacked or expired): its ids are sent no more.
    released: bool,
}

/// The lease of the messages being added: their arrival's id and clock.
#[derive(Debug, Clone, Copy)]
pub struct ArrivalClock {
    pub id: u64,
    pub arrived: Instant,
    pub lease_until: Instant,
}

/// What releasing messages gave back to flow control.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Released {
    pub messages: usize,
    pub payload_bytes: usize,
}

impl Released {
    pub fn add(&mut self, other: Released) {
        self.messages += other.messages;
        self.payload_bytes += other.payload_bytes;
    }
}

#[derive(Debug, Default)]
pub struct HeldAcks {
    ids: AckIds,
    /// Cumulative payload bytes through each row.
    payload_ends: Vec<usize>,
    arrivals: Vec<Arrival>,
}

impl HeldAcks {
    /// An empty `HeldAcks` with room for `rows` ack ids like the ones held now.
    pub fn sized_for(&self, rows: usize) -> HeldAcks {
        let id_bytes = match self.len() {
            0 => 0,
            held => self.ids.byte_len().saturating_mul(rows) / held,
        };
        HeldAcks {
            ids: AckIds::with_capacity(rows, id_bytes),
            payload_ends: Vec::with_capacity(rows),
            arrivals: Vec::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Every ack id, released or not.
    pub fn ids(&self) -> &AckIds {
        &self.ids
    }

    /// Payload bytes of rows `start..end`.
    pub fn payload_between(&self, start: usize, end: usize) -> usize {
        start_of(&self.payload_ends, end) - start_of(&self.payload_ends, start)
    }

    /// How many leading rows hold at most `max` payload bytes together.
    pub fn rows_within_payload(&self, max: usize) -> usize {
        self.payload_ends.partition_point(|&end| end <= max)
    }

    pub fn push(&mut self, ack_id: &str, payload_len: usize, clock: ArrivalClock) {
        self.ids.push(ack_id.as_bytes());
        let payload = self.payload_ends.last().copied().unwrap_or(0) + payload_len;
        self.payload_ends.push(payload);
        let row_end = self.len();
        match self.arrivals.last_mut() {
            Some(last) if last.id == clock.id => last.end = row_end,
            _ => self.arrivals.push(Arrival {
                id: clock.id,
                arrived: clock.arrived,
                lease_until: clock.lease_until,
                end: row_end,
                released: false,
            }),
        }
    }

    /// Rows of each arrival, with the arrival.
    fn spans(&self) -> impl Iterator<Item = (usize, usize, &Arrival)> {
        let mut start = 0;
        self.arrivals.iter().map(move |a| {
            let span = (start, a.end, a);
            start = a.end;
            span
        })
    }

    /// Messages and payload bytes not yet released.
    pub fn held(&self) -> Released {
        let mut held = Released::default();
        for (start, end, a) in self.spans() {
            if !a.released {
                held.add(Released {
                    messages: end - start,
                    payload_bytes: self.payload_between(start, end),
                });
            }
        }
        held
    }

    /// Ack ids of every message not yet released; releases them.
    pub fn release_all(&mut self, ids: &mut AckIds) -> Released {
        let released = self.held();
        for (start, end, a) in self.spans() {
            if !a.released {
                ids.extend_from(&self.ids, start..end);
            }
        }
        for a in &mut self.arrivals {
            a.released = true;
        }
        released
    }

    /// Appends the rows `range` of `other` not yet released, each keeping its
    /// arrival's id and clock; returns what it appended.
    pub fn extend_held_from(&mut self, other: &HeldAcks, range: Range<usize>) -> Released {
        let mut added = Released::default();
        for (start, end, a) in other.spans() {
            let (from, to) = (start.max(range.start), end.min(range.end));
            if a.released || from >= to {
                continue;
            }
            self.ids.extend_from(&other.ids, from..to);
            let shift = self.payload_ends.last().copied().unwrap_or(0);
            let cut = start_of(&other.payload_ends, from);
            let ends = other.payload_ends[from..to].iter();
            self.payload_ends.extend(ends.map(|end| end - cut + shift));
            self.arrivals.push(Arrival {
                end: self.ids.len(),
                ..*a
            });
            added.add(Released {
                messages: to - from,
                payload_bytes: other.payload_between(from, to),
            });
        }
        added
    }

    /// Moves every message not yet released into `into` (see
    /// `extend_held_from`); here they count as released afterwards.
    pub fn move_held_into(&mut self, into: &mut HeldAcks) -> Released {
        let moved = into.extend_held_from(self, 0..self.len());
        for a in &mut self.arrivals {
            a.released = true;
        }
        moved
    }

    /// Rows at the front whose arrival is `max_extension` old (buffered
    /// messages arrive in order, so only a prefix can be that old).
    pub fn expired_prefix(&self, now: Instant, max_extension: Duration) -> usize {
        self.spans()
            .take_while(|(_, _, a)| now.saturating_duration_since(a.arrived) >= max_extension)
            .last()
            .map_or(0, |(_, end, _)| end)
    }

    /// Releases every arrival `max_extension` old; returns what it released.
    pub fn expire(&mut self, now: Instant, max_extension: Duration) -> Released {
        let mut released = Released::default();
        let expired: Vec<(usize, usize)> = self
            .spans()
            .filter(|(_, _, a)| {
                !a.released && now.saturating_duration_since(a.arrived) >= max_extension
            })
            .map(|(start, end, _)| (start, end))
            .collect();
        for (start, end) in expired {
            released.add(Released {
                messages: end - start,
                payload_bytes: self.payload_between(start, end),
            });
        }
        for a in &mut self.arrivals {
            if now.saturating_duration_since(a.arrived) >= max_extension {
                a.released = true;
            }
        }
        released
    }

    /// Adds the ack id of every held message whose lease ends before
    /// `threshold` to `ids`, and its arrival id to `arrivals`.
    pub fn due(&self, threshold: Instant, ids: &mut AckIds, arrivals: &mut Vec<u64>) {
        for (start, end, a) in self.spans() {
            if !a.released && a.lease_until < threshold {
                ids.extend_from(&self.ids, start..end);
                arrivals.resize(arrivals.len() + (end - start), a.id);
            }
        }
    }

    /// Moves the lease end of the given arrivals (sorted ids) to `until`.
    pub fn extend(&mut self, arrival_ids: &[u64], until: Instant) {
        for a in &mut self.arrivals {
            if arrival_ids.binary_search(&a.id).is_ok() {
                a.lease_until = until;
            }
        }
    }

    /// Splits off rows `at..`, which keep their arrivals' ids and clocks.
    pub fn split_off(&mut self, at: usize) -> HeldAcks {
        let payload_cut = start_of(&self.payload_ends, at);
        let payload_ends = self.payload_ends.split_off(at);
        let mut rest = HeldAcks {
            ids: self.ids.split_off(at),
            payload_ends: payload_ends.into_iter().map(|e| e - payload_cut).collect(),
            arrivals: Vec::new(),
        };
        let mut kept = Vec::new();
        let mut start = 0;
        for a in self.arrivals.drain(..) {
            if a.end <= at {
                kept.push(a);
            } else {
                if start < at {
                    // The arrival spans the cut: both sides keep a part.
                    kept.push(Arrival { end: at, ..a });
                }
                rest.arrivals.push(Arrival {
                    end: a.end - at,
                    ..a
                });
            }
            start = a.end;
        }
        self.arrivals = kept;
        rest
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clock(id: u64, arrived: Instant) -> ArrivalClock {
        ArrivalClock {
            id,
            arrived,
            lease_until: arrived + Duration::from_secs(10),
        }
    }

    fn acks(arrivals: &[(u64, usize)], now: Instant) -> HeldAcks {
        let mut acks = HeldAcks::default();
        let mut row = 0;
        for &(id, count) in arrivals {
            for _ in 0..count {
                acks.push(&format!("ack-{row}"), 10, clock(id, now));
                row += 1;
            }
        }
        acks
    }

    fn released_ids(acks: &mut HeldAcks) -> Vec<String> {
        let mut ids = AckIds::default();
        acks.release_all(&mut ids);
        ids.to_strings()
    }

    #[test]
    fn ids_are_stored_back_to_back_and_released_once() {
        let mut a = acks(&[(1, 2), (2, 1)], Instant::now());
        assert_eq!(a.len(), 3);
        assert_eq!(a.payload_between(0, 3), 30);
        assert_eq!(released_ids(&mut a), vec!["ack-0", "ack-1", "ack-2"]);
        assert!(released_ids(&mut a).is_empty());
        assert_eq!(a.held(), Released::default());
    }

    #[test]
    fn split_off_divides_ids_payload_and_the_arrival_spanning_the_cut() {
        let now = Instant::now();
        let mut front = acks(&[(1, 3), (2, 2)], now);
        let mut back = front.split_off(2);
        assert_eq!((front.len(), back.len()), (2, 3));
        assert_eq!(back.payload_between(0, 3), 30);
        // Arrival 1 spans the cut: extending it reaches both halves.
        let later = now + Duration::from_secs(60);
        front.extend(&[1], later);
        back.extend(&[1], later);
        let (mut due, mut arrivals) = (AckIds::default(), Vec::new());
        back.due(now + Duration::from_secs(30), &mut due, &mut arrivals);
        assert_eq!(due.to_strings(), ["ack-3", "ack-4"]);
        assert_eq!(arrivals, [2, 2]);
        assert_eq!(released_ids(&mut front), vec!["ack-0", "ack-1"]);
        assert_eq!(released_ids(&mut back), vec!["ack-2", "ack-3", "ack-4"]);
    }

    #[test]
    fn split_off_at_an_arrival_boundary_and_at_the_ends() {
        let mut a = acks(&[(1, 2), (2, 2)], Instant::now());
        let mut rest = a.split_off(2);
        assert_eq!(a.held().messages, 2);
        assert_eq!(rest.held().messages, 2);
        let empty = rest.split_off(2);
        assert_eq!(empty.len(), 0);
        assert_eq!(empty.held(), Released::default());
        let all = rest.split_off(0);
        assert_eq!(rest.len(), 0);
        assert_eq!(all.len(), 2);
    }

    #[test]
    fn held_rows_move_with_their_arrival_clocks_and_released_ones_stay_behind() {
        let start = Instant::now();
        let mut a = HeldAcks::default();
        a.push("old-0", 5, clock(1, start));
        a.push("old-1", 5, clock(1, start));
        a.push("young-0", 7, clock(2, start + Duration::from_secs(30)));
        a.push("young-1", 9, clock(2, start + Duration::from_secs(30)));
        a.expire(start + Duration::from_secs(60), Duration::from_secs(60));
        let mut moved = HeldAcks::default();
        let released = a.move_held_into(&mut moved);
        assert_eq!(
            released,
            Released {
                messages: 2,
                payload_bytes: 16
            }
        );
        assert_eq!(a.held(), Released::default());
        assert_eq!(moved.ids().to_strings(), ["young-0", "young-1"]);
        assert_eq!(moved.payload_between(1, 2), 9);
        let mut part = HeldAcks::default();
        part.extend_held_from(&moved, 1..2);
        assert_eq!(part.held().payload_bytes, 9);
        // The copy keeps arrival 2's clock: extending it reaches the copy.
        let (mut due, mut arrivals) = (AckIds::default(), Vec::new());
        part.due(start + Duration::from_secs(41), &mut due, &mut arrivals);
        assert_eq!(
            (due.to_strings(), arrivals),
            (vec!["young-1".into()], vec![2])
        );
        assert_eq!(
            part.expired_prefix(start + Duration::from_secs(90), Duration::from_secs(60)),
            1
        );
    }

    #[test]
    fn old_arrivals_expire_and_form_the_expired_prefix() {
        let start = Instant::now();
        let mut a = HeldAcks::default();
        a.push("old-0", 5, clock(1, start));
        a.push("old-1", 5, clock(1, start));
        a.push("young", 7, clock(2, start + Duration::from_secs(30)));
        let now = start + Duration::from_secs(60);
        let max = Duration::from_secs(60);
        assert_eq!(a.expired_prefix(now, max), 2);
        assert_eq!(
            a.expire(now, max),
            Released {
                messages: 2,
                payload_bytes: 10
            }
        );
        assert_eq!(a.expire(now, max), Released::default());
        assert_eq!(released_ids(&mut a), vec!["young"]);
    }
}
