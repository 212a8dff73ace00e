//! Ack ids packed back to back in one byte buffer with an end offset each:
//! how a batch holds them, and how acks, nacks and lease extensions carry them
//! to the requests, which take index ranges of at most Pub/Sub's limits.

use std::ops::Range;

/// At most this many ack ids per request.
pub const MAX_IDS_PER_REQUEST: usize = 1_000;
/// At most this many bytes of ack ids per request.
pub const MAX_ID_BYTES_PER_REQUEST: usize = 512 * 1024;

/// Where item `index` starts, given the end of every item.
pub fn start_of(ends: &[usize], index: usize) -> usize {
    match index {
        0 => 0,
        _ => ends[index - 1],
    }
}

/// Ack ids as bytes: ids come from protobuf strings and go back out as the
/// same bytes, so nothing here re-validates UTF-8.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct AckIds {
    bytes: Vec<u8>,
    /// End of each id in `bytes`.
    ends: Vec<usize>,
}

impl AckIds {
    /// Room for `ids` ids of `bytes` bytes together.
    pub fn with_capacity(ids: usize, bytes: usize) -> AckIds {
        AckIds {
            bytes: Vec::with_capacity(bytes),
            ends: Vec::with_capacity(ids),
        }
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Bytes of all ids together.
    pub fn byte_len(&self) -> usize {
        self.bytes.len()
    }

    fn start(&self, index: usize) -> usize {
        start_of(&self.ends, index)
    }

    /// Bytes of ids `range` together.
    pub fn bytes_between(&self, range: Range<usize>) -> usize {
        self.start(range.end) - self.start(range.start)
    }

    pub fn push(&mut self, id: &[u8]) {
        self.bytes.extend_from_slice(id);
        self.ends.push(self.bytes.len());
    }

    pub fn get(&self, index: usize) -> &[u8] {
        &self.bytes[self.start(index)..self.ends[index]]
    }

    pub fn iter(&self, range: Range<usize>) -> impl Iterator<Item = &[u8]> + '_ {
        range.map(|index| self.get(index))
    }

    /// Appends ids `range` of `other` with one copy of their bytes.
    pub fn extend_from(&mut self, other: &AckIds, range: Range<usize>) {
        let (from, to) = (other.start(range.start), other.start(range.end));
        let shift = self.bytes.len();
        self.bytes.extend_from_slice(&other.bytes[from..to]);
        self.ends
            .extend(other.ends[range].iter().map(|end| end - from + shift));
    }

    /// Splits off ids `at..`.
    pub fn split_off(&mut self, at: usize) -> AckIds {
        let cut = self.start(at);
        let bytes = self.bytes.split_off(cut);
        let ends = self.ends.split_off(at).into_iter().map(|e| e - cut);
        AckIds {
            bytes,
            ends: ends.collect(),
        }
    }

    /// Index ranges of consecutive ids, each within the request limits:
    /// at most 1,000 ids and 512 KiB of ids.
    pub fn request_ranges(&self) -> Vec<Range<usize>> {
        let mut ranges = Vec::new();
        let mut start = 0;
        for end in 1..=self.len() {
            let full = end - start > MAX_IDS_PER_REQUEST
                || self.bytes_between(start..end) > MAX_ID_BYTES_PER_REQUEST;
            // A single id over the byte limit still goes, alone.
            if full && end - 1 > start {
                ranges.push(start..end - 1);
                start = end - 1;
            }
        }
        if start < self.len() {
            ranges.push(start..self.len());
        }
        ranges
    }
}

#[cfg(test)]
impl AckIds {
    pub fn from_strs<'a>(ids: impl IntoIterator<Item = &'a str>) -> AckIds {
        let mut packed = AckIds::default();
        for id in ids {
            packed.push(id.as_bytes());
        }
        packed
    }

    pub fn to_strings(&self) -> Vec<String> {
        self.iter(0..self.len())
            .map(|id| String::from_utf8_lossy(id).into_owned())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sizes(ranges: &[Range<usize>]) -> Vec<usize> {
        ranges.iter().map(ExactSizeIterator::len).collect()
    }

    #[test]
    fn requests_hold_at_most_1000_ids() {
        let ids: Vec<String> = (0..2_500).map(|i| format!("{i:05}")).collect();
        let packed = AckIds::from_strs(ids.iter().map(String::as_str));
        let ranges = packed.request_ranges();
        assert_eq!(sizes(&ranges), vec![1_000, 1_000, 500]);
        assert_eq!(ranges[1], 1_000..2_000);
    }

    #[test]
    fn exactly_1000_ids_make_one_request() {
        let packed = AckIds::from_strs((0..1_000).map(|_| "id"));
        assert_eq!(packed.request_ranges(), vec![0..1_000]);
    }

    #[test]
    fn requests_hold_at_most_512_kib_of_ack_ids() {
        let id = "x".repeat(1_024);
        let packed = AckIds::from_strs((0..1_100).map(|_| id.as_str()));
        let ranges = packed.request_ranges();
        assert_eq!(sizes(&ranges), vec![512, 512, 76]);
        for range in ranges {
            assert!(packed.bytes_between(range) <= MAX_ID_BYTES_PER_REQUEST);
        }
    }

    #[test]
    fn ids_filling_exactly_512_kib_make_one_request() {
        let id = "x".repeat(MAX_ID_BYTES_PER_REQUEST / 4);
        let packed = AckIds::from_strs((0..5).map(|_| id.as_str()));
        assert_eq!(sizes(&packed.request_ranges()), vec![4, 1]);
    }

    #[test]
    fn no_ids_means_no_requests() {
        assert!(AckIds::default().request_ranges().is_empty());
    }

    #[test]
    fn extend_from_and_split_off_keep_each_id_whole() {
        let source = AckIds::from_strs(["a", "bb", "ccc", "dddd"]);
        let mut packed = AckIds::from_strs(["z"]);
        packed.extend_from(&source, 1..3);
        assert_eq!(packed.to_strings(), ["z", "bb", "ccc"]);
        assert_eq!(packed.byte_len(), 6);
        let rest = packed.split_off(2);
        assert_eq!(packed.to_strings(), ["z", "bb"]);
        assert_eq!(rest.to_strings(), ["ccc"]);
        assert_eq!(rest.bytes_between(0..1), 3);
    }
}
