//! Property tests of the StreamingPull response decoder (`session::wire`), the
//! code that reads every byte the server sends before any of it is trusted.
//!
//! Valid encodings (prost's own, and hand-made ones with reordered and unknown
//! fields) must decode to exactly what prost decodes; truncated, mutated and
//! random inputs must never panic and either decode or fail with a `WireError`,
//! leaving the reservoir with only whole messages and valid Arrow batches.
//!
//! 256 cases per property by default; `PROPTEST_CASES=20000 cargo test --release
//! --test pull_decode_properties` is the long run (see README.md).

use arrow_array::cast::AsArray;
use arrow_array::types::{Int32Type, TimestampMicrosecondType};
use arrow_array::{Array, StructArray};
use proptest::prelude::*;
use proptest::sample::Index;
use prost::Message;
use prost_types::Timestamp;
use pubsub_spark_native::proto::google::pubsub::v1::{
    PubsubMessage, ReceivedMessage, StreamingPullResponse,
};
use pubsub_spark_native::session::reservoir::{BatchLimits, Reservoir};
use pubsub_spark_native::session::wire::{read_response, PulledSink, Received, WireError};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// What the decoder reports of one message, owned; attributes in wire order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Row {
    message_id: String,
    publish_micros: i64,
    payload: Vec<u8>,
    ordering_key: String,
    delivery_attempt: i32,
    attributes: Vec<(String, String)>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Decoded {
    ack_id: String,
    row: Row,
}

/// Collects what the decoder reports.
#[derive(Default)]
struct Collected {
    pending: Vec<(String, String)>,
    messages: Vec<Decoded>,
}

impl PulledSink for Collected {
    fn attribute(&mut self, key: &str, value: &str) {
        self.pending.push((key.into(), value.into()));
    }

    fn message(&mut self, m: &Received<'_>) -> Result<(), WireError> {
        let r = &m.row;
        self.messages.push(Decoded {
            ack_id: m.ack_id.into(),
            row: Row {
                message_id: r.message_id.into(),
                publish_micros: r.publish_micros,
                payload: r.payload.to_vec(),
                ordering_key: r.ordering_key.into(),
                delivery_attempt: r.delivery_attempt,
                attributes: std::mem::take(&mut self.pending),
            },
        });
        Ok(())
    }

    fn discard_attributes(&mut self) {
        self.pending.clear();
    }
}

fn decode(bytes: &[u8]) -> (Result<usize, WireError>, Collected) {
    let mut sink = Collected::default();
    (read_response(bytes, &mut sink), sink)
}

/// Protobuf's map semantics: the last entry of a key wins; sorted by key.
fn as_map(attributes: &[(String, String)]) -> Vec<(String, String)> {
    let map: BTreeMap<&String, &String> = attributes.iter().map(|(k, v)| (k, v)).collect();
    map.into_iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// The decoder's view of a prost message: protobuf defaults for absent fields,
/// the publish time in microseconds as the read schema holds it.
fn expected(message: &ReceivedMessage) -> Decoded {
    let mut row = Row {
        delivery_attempt: message.delivery_attempt,
        ..Row::default()
    };
    if let Some(m) = &message.message {
        row.message_id = m.message_id.clone();
        row.payload = m.data.to_vec();
        row.ordering_key = m.ordering_key.clone();
        row.publish_micros = m.publish_time.as_ref().map_or(0, |t| {
            t.seconds
                .saturating_mul(1_000_000)
                .saturating_add(i64::from(t.nanos / 1_000))
        });
        row.attributes = m
            .attributes
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        row.attributes.sort();
    }
    Decoded {
        ack_id: message.ack_id.clone(),
        row,
    }
}

fn expected_all(response: &StreamingPullResponse) -> Vec<Decoded> {
    response.received_messages.iter().map(expected).collect()
}

/// Decoded messages with their attributes as a map, comparable to `expected`.
fn normalized(messages: &[Decoded]) -> Vec<Decoded> {
    messages
        .iter()
        .map(|m| {
            let mut m = m.clone();
            m.row.attributes = as_map(&m.row.attributes);
            m
        })
        .collect()
}

// ---------------------------------------------------------------- generators

fn text() -> impl Strategy<Value = String> {
    prop_oneof![Just(String::new()), "\\PC{1,12}"]
}

fn pubsub_message() -> impl Strategy<Value = PubsubMessage> {
    (
        prop::collection::vec(any::<u8>(), 0..48),
        prop::collection::btree_map("\\PC{0,6}", "\\PC{0,6}", 0..4),
        text(),
        prop::option::of((any::<i64>(), any::<i32>())),
        text(),
    )
        .prop_map(
            |(data, attributes, message_id, time, ordering_key)| PubsubMessage {
                data: data.into(),
                attributes: attributes.into_iter().collect(),
                message_id,
                publish_time: time.map(|(seconds, nanos)| Timestamp { seconds, nanos }),
                ordering_key,
            },
        )
}

fn received_message() -> impl Strategy<Value = ReceivedMessage> {
    (
        text(),
        prop::option::of(pubsub_message()),
        prop_oneof![Just(0), any::<i32>()],
    )
        .prop_map(|(ack_id, message, delivery_attempt)| ReceivedMessage {
            ack_id,
            message,
            delivery_attempt,
        })
}

fn response() -> impl Strategy<Value = StreamingPullResponse> {
    prop::collection::vec(received_message(), 0..6).prop_map(|received_messages| {
        StreamingPullResponse {
            received_messages,
            ..Default::default()
        }
    })
}

// ------------------------------------------- a hand encoder of the wire format

/// One field of a hand-encoded message.
#[derive(Debug, Clone)]
enum Piece {
    Varint(u32, u64),
    Bytes(u32, Vec<u8>),
    Fixed64(u32, u64),
    Fixed32(u32, u32),
    Nested(u32, Vec<Piece>),
}

fn put_varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push(value as u8 | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

fn put_key(out: &mut Vec<u8>, field: u32, wire_type: u8) {
    put_varint(out, u64::from(field) << 3 | u64::from(wire_type));
}

/// Appends `pieces` to `out`; `lengths` gets the position of every length prefix.
fn encode_pieces(pieces: &[Piece], out: &mut Vec<u8>, lengths: &mut Vec<usize>) {
    for piece in pieces {
        match piece {
            Piece::Varint(field, v) => {
                put_key(out, *field, 0);
                put_varint(out, *v);
            }
            Piece::Fixed64(field, v) => {
                put_key(out, *field, 1);
                out.extend_from_slice(&v.to_le_bytes());
            }
            Piece::Bytes(field, bytes) => {
                put_key(out, *field, 2);
                lengths.push(out.len());
                put_varint(out, bytes.len() as u64);
                out.extend_from_slice(bytes);
            }
            Piece::Fixed32(field, v) => {
                put_key(out, *field, 5);
                out.extend_from_slice(&v.to_le_bytes());
            }
            Piece::Nested(field, children) => {
                let (mut body, mut inner) = (Vec::new(), Vec::new());
                encode_pieces(children, &mut body, &mut inner);
                put_key(out, *field, 2);
                lengths.push(out.len());
                put_varint(out, body.len() as u64);
                let start = out.len();
                lengths.extend(inner.into_iter().map(|at| start + at));
                out.extend_from_slice(&body);
            }
        }
    }
}

fn encode(pieces: &[Piece]) -> (Vec<u8>, Vec<usize>) {
    let (mut out, mut lengths) = (Vec::new(), Vec::new());
    encode_pieces(pieces, &mut out, &mut lengths);
    (out, lengths)
}

/// A scalar field numbered from `fields`, of any wire type but length-delimited
/// messages, with up to `max_bytes` bytes when length-delimited.
fn scalar_piece(fields: std::ops::Range<u32>, max_bytes: usize) -> impl Strategy<Value = Piece> {
    (
        fields,
        any::<u64>(),
        prop::collection::vec(any::<u8>(), 0..max_bytes),
        0..4u8,
    )
        .prop_map(|(field, v, bytes, kind)| match kind {
            0 => Piece::Varint(field, v),
            1 => Piece::Fixed64(field, v),
            2 => Piece::Bytes(field, bytes),
            _ => Piece::Fixed32(field, v as u32),
        })
}

/// A field unknown to every message the decoder reads (numbers from 16 up, so
/// no known field of any of them), of any wire type.
fn unknown_piece() -> impl Strategy<Value = Piece> {
    scalar_piece(16..(1 << 29), 8)
}

/// `fields` in a random order, with up to two unknown fields mixed in.
fn shuffled_with_unknown(fields: Vec<Piece>) -> impl Strategy<Value = Vec<Piece>> {
    prop::collection::vec(unknown_piece(), 0..3).prop_flat_map(move |unknown| {
        let mut all = fields.clone();
        all.extend(unknown);
        Just(all).prop_shuffle()
    })
}

/// A strategy for `Some` of what `strategy` generates, or for `None`.
fn optional<S>(strategy: Option<S>) -> BoxedStrategy<Option<S::Value>>
where
    S: Strategy + 'static,
    S::Value: Clone,
{
    match strategy {
        Some(s) => s.prop_map(Some).boxed(),
        None => Just(None).boxed(),
    }
}

/// The fields of `message` as pieces; absent or default fields are left out
/// (or, for empty strings, sometimes written: both are valid protobuf).
fn pubsub_pieces(message: &PubsubMessage) -> BoxedStrategy<Vec<Piece>> {
    let mut entries = Vec::new();
    for (key, value) in &message.attributes {
        let entry = vec![
            Piece::Bytes(1, key.clone().into_bytes()),
            Piece::Bytes(2, value.clone().into_bytes()),
        ];
        entries.push(shuffled_with_unknown(entry).prop_map(|e| Piece::Nested(2, e)));
    }
    let time = message.publish_time.as_ref().map(|t| {
        let fields = vec![
            Piece::Varint(1, t.seconds as u64),
            Piece::Varint(2, i64::from(t.nanos) as u64),
        ];
        shuffled_with_unknown(fields).prop_map(|f| Piece::Nested(4, f))
    });
    let scalars = vec![
        Piece::Bytes(1, message.data.to_vec()),
        Piece::Bytes(3, message.message_id.clone().into_bytes()),
        Piece::Bytes(5, message.ordering_key.clone().into_bytes()),
    ];
    (entries, optional(time))
        .prop_flat_map(move |(entries, time)| {
            let mut fields = scalars.clone();
            fields.extend(entries);
            fields.extend(time);
            shuffled_with_unknown(fields)
        })
        .boxed()
}

fn received_pieces(message: &ReceivedMessage) -> BoxedStrategy<Vec<Piece>> {
    let ack = Piece::Bytes(1, message.ack_id.clone().into_bytes());
    let attempt = Piece::Varint(3, i64::from(message.delivery_attempt) as u64);
    optional(message.message.as_ref().map(pubsub_pieces))
        .prop_flat_map(move |inner| {
            let mut fields = vec![ack.clone(), attempt.clone()];
            fields.extend(inner.map(|f| Piece::Nested(2, f)));
            shuffled_with_unknown(fields)
        })
        .boxed()
}

/// A valid, non-canonical encoding of a response: fields in random order,
/// unknown fields of every wire type at every level. Messages keep their order.
fn hand_encoded() -> impl Strategy<Value = (StreamingPullResponse, Vec<u8>, Vec<usize>)> {
    response().prop_flat_map(|response| {
        let messages: Vec<_> = response
            .received_messages
            .iter()
            .map(received_pieces)
            .collect();
        let extra = prop::collection::vec(unknown_piece(), 0..3);
        (messages, extra).prop_map(move |(messages, extra)| {
            let mut pieces: Vec<Piece> =
                messages.into_iter().map(|m| Piece::Nested(1, m)).collect();
            // Unknown response fields go after the messages, whose order is kept.
            pieces.extend(extra);
            let (bytes, lengths) = encode(&pieces);
            (response.clone(), bytes, lengths)
        })
    })
}

/// A message whose PubsubMessage comes in two parts, its fields spread over
/// both at random and its publish time split (seconds in the first, nanos in
/// the second), after a decoy ack id that the real one replaces: protobuf
/// merges a repeated embedded message field by field, the last scalar winning.
fn split_in_two() -> impl Strategy<Value = (ReceivedMessage, Vec<u8>)> {
    (received_message(), prop::collection::vec(any::<bool>(), 8)).prop_map(|(m, sides)| {
        let (mut first, mut second) = (Vec::new(), Vec::new());
        if let Some(p) = &m.message {
            let mut fields = vec![
                Piece::Bytes(1, p.data.to_vec()),
                Piece::Bytes(3, p.message_id.clone().into_bytes()),
                Piece::Bytes(5, p.ordering_key.clone().into_bytes()),
            ];
            fields.extend(p.attributes.iter().map(|(k, v)| {
                let entry = vec![
                    Piece::Bytes(1, k.clone().into_bytes()),
                    Piece::Bytes(2, v.clone().into_bytes()),
                ];
                Piece::Nested(2, entry)
            }));
            for (i, field) in fields.into_iter().enumerate() {
                if sides[i % sides.len()] {
                    first.push(field);
                } else {
                    second.push(field);
                }
            }
            if let Some(t) = &p.publish_time {
                first.push(Piece::Nested(4, vec![Piece::Varint(1, t.seconds as u64)]));
                let nanos = i64::from(t.nanos) as u64;
                second.push(Piece::Nested(4, vec![Piece::Varint(2, nanos)]));
            }
        }
        let received = vec![
            Piece::Bytes(1, b"decoy".to_vec()),
            Piece::Nested(2, first),
            Piece::Bytes(1, m.ack_id.clone().into_bytes()),
            Piece::Nested(2, second),
            Piece::Varint(3, i64::from(m.delivery_attempt) as u64),
        ];
        (m, encode(&[Piece::Nested(1, received)]).0)
    })
}

/// Arbitrary protobuf-shaped input: fields 0..=6 of every wire type, nested
/// up to three levels, so known fields appear with wrong types, twice, or as
/// messages that are not what the decoder expects.
fn protobuf_shaped() -> impl Strategy<Value = Vec<Piece>> {
    let leaf = scalar_piece(0..7, 6);
    let tree = leaf.prop_recursive(3, 48, 6, |inner| {
        (0u32..7, prop::collection::vec(inner, 0..6)).prop_map(|(f, c)| Piece::Nested(f, c))
    });
    prop::collection::vec(tree, 0..6)
}

/// One corruption of an encoding.
#[derive(Debug, Clone)]
enum Mutation {
    FlipBit(Index, u8),
    SetByte(Index, u8),
    Insert(Index, u8),
    Remove(Index, usize),
    /// Adds `delta` to the length prefix at one of the recorded positions.
    Length(Index, i64),
    /// Replaces a length prefix with an arbitrary varint (up to 10 bytes).
    HugeLength(Index, u64),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<Index>(), 0..8u8).prop_map(|(i, b)| Mutation::FlipBit(i, b)),
        (any::<Index>(), any::<u8>()).prop_map(|(i, v)| Mutation::SetByte(i, v)),
        (any::<Index>(), any::<u8>()).prop_map(|(i, v)| Mutation::Insert(i, v)),
        (any::<Index>(), 1..4usize).prop_map(|(i, n)| Mutation::Remove(i, n)),
        (any::<Index>(), -3i64..=3).prop_map(|(i, d)| Mutation::Length(i, d)),
        (any::<Index>(), any::<u64>()).prop_map(|(i, v)| Mutation::HugeLength(i, v)),
    ]
}

/// Reads the varint at `at`; returns it and its length (test-side, input known valid).
fn varint_at(bytes: &[u8], at: usize) -> (u64, usize) {
    let mut value = 0u64;
    for (i, byte) in bytes[at..].iter().enumerate() {
        value |= u64::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            return (value, i + 1);
        }
    }
    (value, bytes.len() - at)
}

/// Applies `mutation`; length mutations only while `lengths` still describes
/// `bytes` (`lengths_valid`), i.e. before any byte-level mutation.
fn mutate(bytes: &mut Vec<u8>, lengths: &[usize], lengths_valid: &mut bool, mutation: &Mutation) {
    let rewrite_length = |bytes: &mut Vec<u8>, at: usize, value: u64| {
        let (_, old_len) = varint_at(bytes, at);
        let mut new = Vec::new();
        put_varint(&mut new, value);
        bytes.splice(at..at + old_len, new);
    };
    match mutation {
        Mutation::Length(which, delta) if *lengths_valid && !lengths.is_empty() => {
            let at = lengths[which.index(lengths.len())];
            let (old, _) = varint_at(bytes, at);
            rewrite_length(bytes, at, old.saturating_add_signed(*delta));
            *lengths_valid = false;
        }
        Mutation::HugeLength(which, value) if *lengths_valid && !lengths.is_empty() => {
            let at = lengths[which.index(lengths.len())];
            rewrite_length(bytes, at, *value);
            *lengths_valid = false;
        }
        Mutation::Insert(at, value) => {
            let at = at.index(bytes.len() + 1);
            bytes.insert(at, *value);
            *lengths_valid = false;
        }
        _ if bytes.is_empty() => {}
        Mutation::FlipBit(at, bit) => {
            let at = at.index(bytes.len());
            bytes[at] ^= 1 << bit;
            *lengths_valid = false;
        }
        Mutation::SetByte(at, value) => {
            let at = at.index(bytes.len());
            bytes[at] = *value;
            *lengths_valid = false;
        }
        Mutation::Remove(at, n) => {
            let at = at.index(bytes.len());
            let end = (at + n).min(bytes.len());
            bytes.drain(at..end);
            *lengths_valid = false;
        }
        Mutation::Length(..) | Mutation::HugeLength(..) => {}
    }
}

// ------------------------------------------------ the reservoir, as the codec

const DEADLINE: Duration = Duration::from_secs(60);

/// The rows of every batch the reservoir cuts, each batch fully validated.
fn batch_rows(reservoir: &mut Reservoir) -> Vec<Row> {
    let limits = BatchLimits {
        max_rows: usize::MAX,
        max_payload_bytes: usize::MAX,
    };
    let mut rows = Vec::new();
    while let Some(batch) = reservoir.take_batch(1, limits).expect("a fresh read") {
        batch
            .to_data()
            .validate_full()
            .expect("a cut batch is valid Arrow");
        rows.extend(arrow_rows(&batch));
    }
    rows
}

fn arrow_rows(batch: &StructArray) -> Vec<Row> {
    let column = |name| batch.column_by_name(name).expect(name);
    let ids = column("message_id").as_string::<i32>();
    let times = column("publish_time").as_primitive::<TimestampMicrosecondType>();
    let attributes = column("attributes").as_map();
    let payloads = column("payload").as_binary::<i32>();
    let keys = column("ordering_key").as_string::<i32>();
    let attempts = column("delivery_attempt").as_primitive::<Int32Type>();
    (0..batch.len())
        .map(|i| {
            let entries = attributes.value(i);
            let (k, v) = (entries.column(0), entries.column(1));
            let (k, v) = (k.as_string::<i32>(), v.as_string::<i32>());
            Row {
                message_id: ids.value(i).into(),
                publish_micros: times.value(i),
                payload: payloads.value(i).to_vec(),
                ordering_key: if keys.is_valid(i) { keys.value(i) } else { "" }.into(),
                delivery_attempt: if attempts.is_valid(i) {
                    attempts.value(i)
                } else {
                    0
                },
                attributes: (0..entries.len())
                    .map(|j| (k.value(j).to_string(), v.value(j).to_string()))
                    .collect(),
            }
        })
        .collect()
}

/// Reads `bytes` into a reservoir as the StreamingPull codec does; returns the
/// result and the rows of the batches it then hands out.
fn through_reservoir(bytes: &[u8]) -> (Result<usize, WireError>, Vec<Row>) {
    let mut reservoir = Reservoir::default();
    let mut intake = reservoir.intake(Instant::now(), DEADLINE);
    let read = read_response(bytes, &mut intake);
    let added = intake.added.messages;
    assert_eq!(reservoir.held_len(), added);
    let rows = batch_rows(&mut reservoir);
    assert_eq!(rows.len(), added, "every held message is in a batch");
    (read, rows)
}

/// What every input, valid or not, must satisfy: no panic (reaching here),
/// a count that matches what was delivered, no attributes left over from a
/// dropped message, and the reservoir holding exactly the delivered messages.
fn check_any_input(bytes: &[u8]) -> (Result<usize, WireError>, Collected) {
    let (read, sink) = decode(bytes);
    check_delivery(&read, &sink);
    let (reservoir_read, rows) = through_reservoir(bytes);
    assert_eq!(reservoir_read, read, "the reservoir sees the same result");
    let delivered: Vec<Row> = sink.messages.iter().map(|m| m.row.clone()).collect();
    assert_eq!(
        rows, delivered,
        "the batches hold exactly the delivered messages"
    );
    (read, sink)
}

fn check_delivery(read: &Result<usize, WireError>, sink: &Collected) {
    assert!(
        sink.pending.is_empty(),
        "attributes of a dropped message kept"
    );
    if let Ok(n) = read {
        assert_eq!(*n, sink.messages.len());
    }
    if let Err(e) = read {
        let text = e.to_string();
        assert!(
            text.starts_with("malformed StreamingPullResponse: "),
            "{text}"
        );
    }
}

/// Where the decoder and prost both accept an input they must agree. The
/// decoder may reject what prost lets through: the groups prost skips (wire
/// types 3 and 4), and a map entry (`attributes`, PubsubMessage field 2) of
/// another wire type, which prost's map decoding reads as length-delimited
/// without looking at the wire type.
fn check_against_prost(bytes: &[u8], read: &Result<usize, WireError>, sink: &Collected) {
    let Ok(reference) = StreamingPullResponse::decode(bytes) else {
        return;
    };
    match read {
        Ok(_) => assert_eq!(normalized(&sink.messages), expected_all(&reference)),
        Err(WireError::WireType { found, .. }) if *found == 3 || *found == 4 => {}
        Err(WireError::WireType {
            message: "PubsubMessage",
            field: 2,
            ..
        }) => {}
        Err(e) => panic!("prost accepts what the decoder rejects ({e}): {bytes:02x?}"),
    }
}

proptest! {
    #[test]
    fn prost_encodings_decode_to_the_same_messages(response in response()) {
        let bytes = response.encode_to_vec();
        let (read, sink) = check_any_input(&bytes);
        prop_assert_eq!(read, Ok(response.received_messages.len()));
        prop_assert_eq!(normalized(&sink.messages), expected_all(&response));
        // Attributes reach the sink in wire order, and are exactly the map's.
        for (got, m) in sink.messages.iter().zip(&response.received_messages) {
            prop_assert_eq!(got.row.attributes.len(), m.message.as_ref().map_or(0, |m| m.attributes.len()));
        }
    }

    #[test]
    fn reordered_fields_and_unknown_fields_decode_like_prost((response, bytes, _) in hand_encoded()) {
        let reference = StreamingPullResponse::decode(bytes.as_slice());
        prop_assert!(reference.is_ok(), "the hand encoding is valid protobuf");
        let (read, sink) = check_any_input(&bytes);
        prop_assert_eq!(read, Ok(response.received_messages.len()));
        prop_assert_eq!(normalized(&sink.messages), expected_all(&response));
    }

    #[test]
    fn an_embedded_message_given_twice_merges_field_by_field_like_prost(
        (message, bytes) in split_in_two(),
    ) {
        let reference = StreamingPullResponse::decode(bytes.as_slice());
        prop_assert!(reference.is_ok(), "the split encoding is valid protobuf");
        let (read, sink) = check_any_input(&bytes);
        check_against_prost(&bytes, &read, &sink);
        prop_assert_eq!(read, Ok(1));
        prop_assert_eq!(normalized(&sink.messages), vec![expected(&message)]);
    }

    #[test]
    fn a_truncated_encoding_fails_as_truncated_after_delivering_the_whole_messages_before_the_cut(
        response in response(),
        cut in any::<Index>(),
    ) {
        let bytes = response.encode_to_vec();
        let cut = cut.index(bytes.len() + 1);
        // The end of each message's entry in the response.
        let mut ends = Vec::new();
        let mut end = 0;
        for m in &response.received_messages {
            end += StreamingPullResponse { received_messages: vec![m.clone()], ..Default::default() }
                .encoded_len();
            ends.push(end);
        }
        let whole = ends.iter().filter(|&&e| e <= cut).count();
        let (read, sink) = check_any_input(&bytes[..cut]);
        if cut == 0 || ends.contains(&cut) {
            prop_assert_eq!(read, Ok(whole));
        } else {
            prop_assert_eq!(read, Err(WireError::Truncated("StreamingPullResponse")));
        }
        let expected = expected_all(&response);
        prop_assert_eq!(normalized(&sink.messages), expected[..whole].to_vec());
    }

    #[test]
    fn mutated_encodings_never_panic_and_agree_with_prost_where_both_accept(
        (_, bytes, lengths) in hand_encoded(),
        mutations in prop::collection::vec(mutation(), 1..4),
    ) {
        let mut bytes = bytes;
        let mut lengths_valid = true;
        for m in &mutations {
            mutate(&mut bytes, &lengths, &mut lengths_valid, m);
        }
        let (read, sink) = check_any_input(&bytes);
        check_against_prost(&bytes, &read, &sink);
    }

    #[test]
    fn a_corrupted_length_prefix_never_panics_and_agrees_with_prost_where_both_accept(
        (_, bytes, lengths) in hand_encoded(),
        corruption in prop_oneof![
            (any::<Index>(), -3i64..=3).prop_map(|(i, d)| Mutation::Length(i, d)),
            (any::<Index>(), any::<u64>()).prop_map(|(i, v)| Mutation::HugeLength(i, v)),
        ],
    ) {
        let mut bytes = bytes;
        mutate(&mut bytes, &lengths, &mut true, &corruption);
        let (read, sink) = check_any_input(&bytes);
        check_against_prost(&bytes, &read, &sink);
    }

    #[test]
    fn random_bytes_never_panic_and_fail_only_with_a_wire_error(
        bytes in prop::collection::vec(any::<u8>(), 0..256),
    ) {
        let (read, sink) = check_any_input(&bytes);
        check_against_prost(&bytes, &read, &sink);
    }

    #[test]
    fn protobuf_shaped_garbage_never_panics_and_agrees_with_prost_where_both_accept(
        pieces in protobuf_shaped(),
    ) {
        let (bytes, _) = encode(&pieces);
        let (read, sink) = check_any_input(&bytes);
        check_against_prost(&bytes, &read, &sink);
    }
}
