//! Walks the protobuf wire format of a StreamingPullResponse without building
//! prost messages: every received message reaches a [`PulledSink`] as slices
//! borrowed from the response buffer, so nothing is allocated per message.
//!
//! Fields read (google/pubsub/v1/pubsub.proto): StreamingPullResponse
//! `received_messages = 1`; ReceivedMessage `ack_id = 1`, `message = 2`,
//! `delivery_attempt = 3`; PubsubMessage `data = 1`, `attributes = 2`,
//! `message_id = 3`, `publish_time = 4`, `ordering_key = 5`; Timestamp
//! `seconds = 1`, `nanos = 2`. Every other field is skipped.

use crate::arrow_batch::RawRow;
use thiserror::Error;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum WireError {
    #[error("malformed StreamingPullResponse: {0} is truncated")]
    Truncated(&'static str),
    #[error("malformed StreamingPullResponse: a varint in {0} is longer than 10 bytes")]
    LongVarint(&'static str),
    #[error("malformed StreamingPullResponse: field {field} of {message} has wire type {found}")]
    WireType {
        message: &'static str,
        field: u32,
        found: u8,
    },
    #[error("malformed StreamingPullResponse: {0} is not valid UTF-8")]
    Utf8(&'static str),
    #[error("cannot build an Arrow batch of StreamingPull messages: {0}")]
    Batch(String),
}

/// One received message; absent fields hold their protobuf defaults.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Received<'a> {
    pub ack_id: &'a str,
    pub row: RawRow<'a>,
}

/// Receives the messages of a response in order.
pub trait PulledSink {
    /// One attribute of the message being read; its `message` call follows.
    fn attribute(&mut self, key: &str, value: &str);
    /// Completes a message whose attributes were passed before.
    fn message(&mut self, message: &Received<'_>) -> Result<(), WireError>;
    /// Drops the attributes passed since the last `message` (malformed input).
    fn discard_attributes(&mut self);
}

const VARINT: u8 = 0;
const FIXED64: u8 = 1;
const LEN: u8 = 2;
const FIXED32: u8 = 5;

enum Value<'a> {
    Varint(u64),
    Bytes(&'a [u8]),
    Fixed(u8),
}

/// The fields of one protobuf message, in wire order.
struct Fields<'a> {
    buf: &'a [u8],
    what: &'static str,
}

impl<'a> Fields<'a> {
    fn new(buf: &'a [u8], what: &'static str) -> Self {
        Fields { buf, what }
    }

    #[inline]
    fn varint(&mut self) -> Result<u64, WireError> {
        // Field keys and short lengths fit one byte.
        if let Some((&byte, rest)) = self.buf.split_first() {
            if byte < 0x80 {
                self.buf = rest;
                return Ok(u64::from(byte));
            }
        }
        let mut value = 0u64;
        for (i, byte) in self.buf.iter().enumerate().take(10) {
            value |= u64::from(byte & 0x7f) << (7 * i);
            if byte & 0x80 == 0 {
                self.buf = &self.buf[i + 1..];
                return Ok(value);
            }
        }
        if self.buf.len() >= 10 {
            Err(WireError::LongVarint(self.what))
        } else {
            Err(WireError::Truncated(self.what))
        }
    }

    #[inline]
    fn take(&mut self, len: u64) -> Result<&'a [u8], WireError> {
        let len = usize::try_from(len).map_err(|_| WireError::Truncated(self.what))?;
        if len > self.buf.len() {
            return Err(WireError::Truncated(self.what));
        }
        let (head, rest) = self.buf.split_at(len);
        self.buf = rest;
        Ok(head)
    }

    /// The next field number and value, or `None` at the end of the message.
    #[inline]
    fn next_field(&mut self) -> Result<Option<(u32, Value<'a>)>, WireError> {
        if self.buf.is_empty() {
            return Ok(None);
        }
        let key = self.varint()?;
        let wire_type = (key & 7) as u8;
        let field = u32::try_from(key >> 3).unwrap_or(u32::MAX);
        let value = match wire_type {
            VARINT => Value::Varint(self.varint()?),
            LEN => {
                let len = self.varint()?;
                Value::Bytes(self.take(len)?)
            }
            FIXED64 => {
                self.take(8)?;
                Value::Fixed(FIXED64)
            }
            FIXED32 => {
                self.take(4)?;
                Value::Fixed(FIXED32)
            }
            found => {
                // Groups (3, 4) are not used by Pub/Sub; 6 and 7 do not exist.
                return Err(WireError::WireType {
                    message: self.what,
                    field,
                    found,
                });
            }
        };
        Ok(Some((field, value)))
    }

    fn wrong_type(&self, field: u32, value: &Value<'_>) -> WireError {
        let found = match value {
            Value::Varint(_) => VARINT,
            Value::Bytes(_) => LEN,
            Value::Fixed(wire_type) => *wire_type,
        };
        WireError::WireType {
            message: self.what,
            field,
            found,
        }
    }
}

fn utf8<'a>(bytes: &'a [u8], what: &'static str) -> Result<&'a str, WireError> {
    std::str::from_utf8(bytes).map_err(|_| WireError::Utf8(what))
}

/// Reads every received message of `response` into `sink`; returns how many.
/// On malformed input the messages before the bad one stay delivered to the
/// sink and the bad one is dropped whole.
pub fn read_response(response: &[u8], sink: &mut impl PulledSink) -> Result<usize, WireError> {
    let mut fields = Fields::new(response, "StreamingPullResponse");
    let mut count = 0;
    while let Some((field, value)) = fields.next_field()? {
        match (field, value) {
            (1, Value::Bytes(received)) => {
                if let Err(e) = read_received(received, sink) {
                    sink.discard_attributes();
                    return Err(e);
                }
                count += 1;
            }
            (1, other) => return Err(fields.wrong_type(1, &other)),
            _ => {}
        }
    }
    Ok(count)
}

fn read_received(buf: &[u8], sink: &mut impl PulledSink) -> Result<(), WireError> {
    let mut fields = Fields::new(buf, "ReceivedMessage");
    let mut received = Received::default();
    // The publish time's seconds and nanos: a message or timestamp given more
    // than once merges field by field, as protobuf merges embedded messages.
    let mut time = (0i64, 0i32);
    while let Some((field, value)) = fields.next_field()? {
        match (field, value) {
            (1, Value::Bytes(b)) => received.ack_id = utf8(b, "ack_id")?,
            (2, Value::Bytes(b)) => read_message(b, &mut received.row, &mut time, sink)?,
            // int32 is a sign-extended varint; truncation is protobuf's rule.
            (3, Value::Varint(v)) => received.row.delivery_attempt = v as i32,
            (1..=3, other) => return Err(fields.wrong_type(field, &other)),
            _ => {}
        }
    }
    let (seconds, nanos) = time;
    received.row.publish_micros = seconds
        .saturating_mul(1_000_000)
        .saturating_add(i64::from(nanos / 1_000));
    sink.message(&received)
}

fn read_message<'a>(
    buf: &'a [u8],
    row: &mut RawRow<'a>,
    time: &mut (i64, i32),
    sink: &mut impl PulledSink,
) -> Result<(), WireError> {
    let mut fields = Fields::new(buf, "PubsubMessage");
    while let Some((field, value)) = fields.next_field()? {
        match (field, value) {
            (1, Value::Bytes(b)) => row.payload = b,
            (2, Value::Bytes(b)) => read_attribute(b, sink)?,
            (3, Value::Bytes(b)) => row.message_id = utf8(b, "message_id")?,
            (4, Value::Bytes(b)) => read_timestamp(b, time)?,
            (5, Value::Bytes(b)) => row.ordering_key = utf8(b, "ordering_key")?,
            (1..=5, other) => return Err(fields.wrong_type(field, &other)),
            _ => {}
        }
    }
    Ok(())
}

fn read_attribute(buf: &[u8], sink: &mut impl PulledSink) -> Result<(), WireError> {
    let mut fields = Fields::new(buf, "attributes entry");
    let (mut key, mut value) = ("", "");
    while let Some((field, v)) = fields.next_field()? {
        match (field, v) {
            (1, Value::Bytes(b)) => key = utf8(b, "attribute key")?,
            (2, Value::Bytes(b)) => value = utf8(b, "attribute value")?,
            (1..=2, other) => return Err(fields.wrong_type(field, &other)),
            _ => {}
        }
    }
    sink.attribute(key, value);
    Ok(())
}

/// Sets the fields of `time` the timestamp in `buf` has.
fn read_timestamp(buf: &[u8], (seconds, nanos): &mut (i64, i32)) -> Result<(), WireError> {
    let mut fields = Fields::new(buf, "publish_time");
    while let Some((field, value)) = fields.next_field()? {
        match (field, value) {
            (1, Value::Varint(v)) => *seconds = v as i64,
            (2, Value::Varint(v)) => *nanos = v as i32,
            (1..=2, other) => return Err(fields.wrong_type(field, &other)),
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::google::pubsub::v1::{PubsubMessage, ReceivedMessage, StreamingPullResponse};
    use prost::Message;
    use prost_types::Timestamp;

    /// ack id, message id, publish micros, payload, ordering key, attempt, attributes.
    type Owned = (
        String,
        String,
        i64,
        Vec<u8>,
        String,
        i32,
        Vec<(String, String)>,
    );

    /// Collects what the walker reports, owning it.
    #[derive(Default)]
    struct Collected {
        pending: Vec<(String, String)>,
        messages: Vec<Owned>,
    }

    impl PulledSink for Collected {
        fn attribute(&mut self, key: &str, value: &str) {
            self.pending.push((key.into(), value.into()));
        }
        fn message(&mut self, m: &Received<'_>) -> Result<(), WireError> {
            let attributes = std::mem::take(&mut self.pending);
            let r = &m.row;
            self.messages.push((
                m.ack_id.into(),
                r.message_id.into(),
                r.publish_micros,
                r.payload.to_vec(),
                r.ordering_key.into(),
                r.delivery_attempt,
                attributes,
            ));
            Ok(())
        }
        fn discard_attributes(&mut self) {
            self.pending.clear();
        }
    }

    fn full_message() -> ReceivedMessage {
        let mut message = PubsubMessage {
            data: b"payload".to_vec().into(),
            message_id: "m-1".into(),
            publish_time: Some(Timestamp {
                seconds: 1_700_000_000,
                nanos: 123_456_789,
            }),
            ordering_key: "key-1".into(),
            ..Default::default()
        };
        message.attributes.insert("a".into(), "1".into());
        message.attributes.insert("b".into(), "2".into());
        ReceivedMessage {
            ack_id: "ack-1".into(),
            message: Some(message),
            delivery_attempt: 4,
        }
    }

    fn encode(messages: Vec<ReceivedMessage>) -> Vec<u8> {
        StreamingPullResponse {
            received_messages: messages,
            ..Default::default()
        }
        .encode_to_vec()
    }

    fn read(bytes: &[u8]) -> (Result<usize, WireError>, Collected) {
        let mut sink = Collected::default();
        (read_response(bytes, &mut sink), sink)
    }

    #[test]
    fn every_field_is_read() {
        let (count, sink) = read(&encode(vec![full_message()]));
        assert_eq!(count, Ok(1));
        let (ack, id, micros, payload, key, attempt, mut attrs) = sink.messages[0].clone();
        assert_eq!(ack, "ack-1");
        assert_eq!(id, "m-1");
        assert_eq!(micros, 1_700_000_000_123_456);
        assert_eq!(payload, b"payload");
        assert_eq!(key, "key-1");
        assert_eq!(attempt, 4);
        attrs.sort();
        assert_eq!(
            attrs,
            vec![("a".into(), "1".into()), ("b".into(), "2".into())]
        );
    }

    #[test]
    fn missing_optional_fields_read_as_defaults() {
        let bare = ReceivedMessage {
            ack_id: "ack-2".into(),
            message: Some(PubsubMessage {
                message_id: "m-2".into(),
                ..Default::default()
            }),
            delivery_attempt: 0,
        };
        let no_message = ReceivedMessage {
            ack_id: "ack-3".into(),
            ..Default::default()
        };
        let (count, sink) = read(&encode(vec![bare, no_message]));
        assert_eq!(count, Ok(2));
        let first = &sink.messages[0];
        assert_eq!((first.1.as_str(), first.2), ("m-2", 0));
        assert!(first.3.is_empty(), "empty payload");
        assert!(first.4.is_empty() && first.6.is_empty());
        assert_eq!(first.5, 0);
        assert_eq!(sink.messages[1].0, "ack-3");
        assert_eq!(sink.messages[1].1, "");
    }

    #[test]
    fn an_empty_response_has_no_messages() {
        assert_eq!(read(&[]).0, Ok(0));
    }

    #[test]
    fn unknown_fields_of_every_wire_type_are_skipped() {
        let mut bytes = encode(vec![full_message()]);
        // Field 2 (acknowledge_confirmation) as bytes, field 9 varint,
        // field 10 fixed64, field 11 fixed32.
        bytes.extend_from_slice(&[0x12, 0x02, 0xAA, 0xBB]);
        bytes.extend_from_slice(&[0x48, 0x96, 0x01]);
        bytes.extend_from_slice(&[0x51, 1, 2, 3, 4, 5, 6, 7, 8]);
        bytes.extend_from_slice(&[0x5D, 1, 2, 3, 4]);
        let (count, sink) = read(&bytes);
        assert_eq!(count, Ok(1));
        assert_eq!(sink.messages[0].1, "m-1");
    }

    #[test]
    fn truncated_input_is_an_error_and_keeps_earlier_messages() {
        let mut second = full_message();
        second.ack_id = "ack-2".into();
        let bytes = encode(vec![full_message(), second]);
        for cut in 1..bytes.len() {
            let (result, sink) = read(&bytes[..cut]);
            if let Ok(n) = result {
                // A cut between the two messages leaves a valid shorter response.
                assert_eq!(n, sink.messages.len());
                continue;
            }
            assert!(sink.messages.len() <= 1, "cut {cut}");
            assert!(
                sink.pending.is_empty(),
                "cut {cut}: attributes of the bad message kept"
            );
        }
    }

    #[test]
    fn wrong_wire_types_invalid_utf8_and_long_varints_are_errors() {
        // received_messages (field 1) as a varint.
        assert!(matches!(
            read(&[0x08, 0x01]).0,
            Err(WireError::WireType { field: 1, .. })
        ));
        // A ReceivedMessage whose ack_id is not UTF-8.
        assert_eq!(
            read(&[0x0A, 0x03, 0x0A, 0x01, 0xFF]).0,
            Err(WireError::Utf8("ack_id"))
        );
        assert_eq!(
            read(&[0x80; 12]).0,
            Err(WireError::LongVarint("StreamingPullResponse"))
        );
        // Wire type 3 (start group) is not supported.
        assert!(matches!(
            read(&[0x0B]).0,
            Err(WireError::WireType { found: 3, .. })
        ));
        let message = WireError::Utf8("ack_id").to_string();
        assert!(message.contains("ack_id") && message.contains("UTF-8"));
    }

    #[test]
    fn corrupted_responses_never_panic_and_never_leave_pending_attributes() {
        let valid = encode(vec![full_message(), full_message()]);
        // A fixed xorshift sequence: the same corruptions on every run.
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..20_000 {
            let mut bytes = valid.clone();
            for _ in 0..1 + next() % 4 {
                let at = (next() % bytes.len() as u64) as usize;
                bytes[at] = next() as u8;
            }
            let (result, sink) = read(&bytes);
            assert!(sink.pending.is_empty());
            if let Ok(n) = result {
                assert_eq!(n, sink.messages.len());
            }
        }
    }

    #[test]
    fn negative_delivery_attempt_and_timestamp_saturate_like_prost() {
        let mut m = full_message();
        m.delivery_attempt = -1;
        if let Some(message) = m.message.as_mut() {
            message.publish_time = Some(Timestamp {
                seconds: i64::MAX,
                nanos: 0,
            });
        }
        let (_, sink) = read(&encode(vec![m]));
        assert_eq!(sink.messages[0].5, -1);
        assert_eq!(sink.messages[0].2, i64::MAX);
    }
}
