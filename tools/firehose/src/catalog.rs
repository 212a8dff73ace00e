//! The messages the firehose serves, encoded once at start.
//!
//! Message `i` on the wire is a `PubsubMessage` whose fields are written in
//! three pieces, all pre-encoded except the id: a body (payload, attributes,
//! publish time) taken from a small pool of variants, the ordering-key field
//! of key `i % K`, and the message-id field (the decimal of `i + 1`). Protobuf
//! allows fields in any order, so the concatenation is a valid message. The
//! pool keeps memory small (2,000,000 x 1 KiB would need 2 GB) while payloads
//! still differ between neighbouring messages.

use crate::config::MessageSpec;
use crate::proto::server::google::pubsub::v1::PubsubMessage;
use bytes::{BufMut, Bytes};
use prost::encoding::{encode_key, encode_varint, encoded_len_varint, WireType};
use prost::Message;
use std::collections::HashMap;

/// At most this many distinct bodies...
const MAX_VARIANTS: usize = 256;
/// ...and at most this many bytes of them.
const MAX_POOL_BYTES: usize = 64 * 1024 * 1024;
/// `PubsubMessage.message_id`
const MESSAGE_ID_FIELD: u32 = 3;
/// `ReceivedMessage.ack_id` and `.message`
const ACK_ID_FIELD: u32 = 1;
const MESSAGE_FIELD: u32 = 2;
/// `PullResponse.received_messages` and `StreamingPullResponse.received_messages`
pub const RECEIVED_MESSAGES_FIELD: u32 = 1;
/// Ack ids are 16 lowercase hex digits (see `ack_id`).
pub const ACK_ID_LEN: usize = 16;
/// Seconds since the epoch stamped as every message's publish time.
const PUBLISH_TIME_SECS: i64 = 1_767_225_600; // 2026-01-01T00:00:00Z

#[derive(Debug)]
pub struct Catalog {
    messages: u32,
    bodies: Vec<Bytes>,
    /// Pre-encoded `ordering_key` fields; empty when messages have no key.
    keys: Vec<Bytes>,
}

impl Catalog {
    pub fn new(spec: &MessageSpec) -> Catalog {
        let per_body = spec.size.max(1);
        let variants = (MAX_POOL_BYTES / per_body)
            .clamp(1, MAX_VARIANTS)
            .min(spec.messages.max(1) as usize);
        let bodies = (0..variants).map(|v| encode_body(spec, v as u64)).collect();
        let keys = (0..spec.ordering_keys)
            .map(|k| {
                let field = PubsubMessage {
                    ordering_key: ordering_key(k),
                    ..PubsubMessage::default()
                };
                Bytes::from(field.encode_to_vec())
            })
            .collect();
        Catalog {
            messages: spec.messages,
            bodies,
            keys,
        }
    }

    pub fn messages(&self) -> u32 {
        self.messages
    }

    /// Encoded length of message `i`'s `PubsubMessage`.
    pub fn message_len(&self, i: u32) -> usize {
        let id_len = digits(message_id(i));
        self.body(i).len() + self.key(i).len() + 1 + encoded_len_varint(id_len as u64) + id_len
    }

    /// Encoded length of a `ReceivedMessage` carrying message `i`.
    fn received_len(&self, i: u32) -> usize {
        let msg = self.message_len(i);
        1 + 1 + ACK_ID_LEN + 1 + encoded_len_varint(msg as u64) + msg
    }

    /// Length of the `received_messages` entry for message `i`, tag included.
    pub fn entry_len(&self, i: u32) -> usize {
        let rm = self.received_len(i);
        1 + encoded_len_varint(rm as u64) + rm
    }

    /// Writes one `received_messages` entry: message `i` under `ack_id`.
    pub fn write_entry(&self, i: u32, ack_id: u64, buf: &mut impl BufMut) {
        encode_key(RECEIVED_MESSAGES_FIELD, WireType::LengthDelimited, buf);
        encode_varint(self.received_len(i) as u64, buf);
        encode_key(ACK_ID_FIELD, WireType::LengthDelimited, buf);
        encode_varint(ACK_ID_LEN as u64, buf);
        buf.put_slice(&format_ack_id(ack_id));
        encode_key(MESSAGE_FIELD, WireType::LengthDelimited, buf);
        encode_varint(self.message_len(i) as u64, buf);
        buf.put_slice(self.body(i));
        buf.put_slice(self.key(i));
        let id = message_id(i);
        let mut digits_buf = [0u8; 20];
        let id_digits = write_decimal(id, &mut digits_buf);
        encode_key(MESSAGE_ID_FIELD, WireType::LengthDelimited, buf);
        encode_varint(id_digits.len() as u64, buf);
        buf.put_slice(id_digits);
    }

    fn body(&self, i: u32) -> &[u8] {
        &self.bodies[i as usize % self.bodies.len()]
    }

    fn key(&self, i: u32) -> &[u8] {
        if self.keys.is_empty() {
            &[]
        } else {
            &self.keys[i as usize % self.keys.len()]
        }
    }
}

pub fn ordering_key(k: u32) -> String {
    format!("key-{k:06}")
}

fn encode_body(spec: &MessageSpec, variant: u64) -> Bytes {
    // Lowercase letters from a xorshift sequence: varied, and readable as text.
    let mut state = 0x9E37_79B9_7F4A_7C15u64 ^ (variant + 1).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    let data: Vec<u8> = (0..spec.size)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            b'a' + (state % 26) as u8
        })
        .collect();
    let attributes: HashMap<String, String> = (0..spec.attributes)
        .map(|a| (format!("attr-{a:02}"), format!("value-{a:02}-{variant:03}")))
        .collect();
    let body = PubsubMessage {
        data: Bytes::from(data),
        attributes,
        publish_time: Some(prost_types::Timestamp {
            seconds: PUBLISH_TIME_SECS,
            nanos: 0,
        }),
        ..PubsubMessage::default()
    };
    Bytes::from(body.encode_to_vec())
}

/// `message_id` (as a number) of message `index`: ids run from 1.
pub fn message_id(index: u32) -> u64 {
    u64::from(index) + 1
}

/// Ack id of delivery `generation` of message `index`.
pub fn ack_id(index: u32, generation: u32) -> u64 {
    (u64::from(index) << 32) | u64::from(generation)
}

/// (message index, delivery generation) of a well-formed ack id.
pub fn parse_ack_id(ack_id: &str) -> Option<(u32, u32)> {
    if ack_id.len() != ACK_ID_LEN || !ack_id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let v = u64::from_str_radix(ack_id, 16).ok()?;
    Some(((v >> 32) as u32, v as u32))
}

pub fn format_ack_id(ack_id: u64) -> [u8; ACK_ID_LEN] {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = [0u8; ACK_ID_LEN];
    for (n, c) in out.iter_mut().enumerate() {
        *c = HEX[((ack_id >> (60 - 4 * n)) & 0xF) as usize];
    }
    out
}

fn digits(mut n: u64) -> usize {
    let mut d = 1;
    while n >= 10 {
        n /= 10;
        d += 1;
    }
    d
}

fn write_decimal(mut n: u64, buf: &mut [u8; 20]) -> &[u8] {
    let mut pos = buf.len();
    loop {
        pos -= 1;
        buf[pos] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            return &buf[pos..];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::client::google::pubsub::v1::PullResponse;

    fn spec(messages: u32, size: usize, attributes: u32, ordering_keys: u32) -> MessageSpec {
        MessageSpec {
            messages,
            size,
            attributes,
            ordering_keys,
        }
    }

    fn decode_entries(catalog: &Catalog, indexes: &[u32]) -> PullResponse {
        let mut buf = Vec::new();
        for &i in indexes {
            let before = buf.len();
            catalog.write_entry(i, ack_id(i, 7), &mut buf);
            assert_eq!(buf.len() - before, catalog.entry_len(i), "entry_len of {i}");
        }
        PullResponse::decode(buf.as_slice()).expect("valid PullResponse")
    }

    #[test]
    fn spliced_entries_decode_as_the_messages_they_claim() {
        let catalog = Catalog::new(&spec(1_000, 1024, 3, 4));
        let indexes = [0, 1, 9, 10, 99, 256, 999];
        let response = decode_entries(&catalog, &indexes);
        assert_eq!(response.received_messages.len(), indexes.len());
        for (rm, &i) in response.received_messages.iter().zip(&indexes) {
            assert_eq!(parse_ack_id(&rm.ack_id), Some((i, 7)));
            let m = rm.message.as_ref().expect("message");
            assert_eq!(m.message_id, (i + 1).to_string());
            assert_eq!(m.data.len(), 1024);
            assert!(m.data.iter().all(u8::is_ascii_lowercase));
            assert_eq!(m.attributes.len(), 3);
            assert_eq!(m.ordering_key, ordering_key(i % 4));
            assert_eq!(
                m.publish_time.as_ref().map(|t| t.seconds),
                Some(PUBLISH_TIME_SECS)
            );
            assert_eq!(m.encoded_len(), catalog.message_len(i));
        }
    }

    #[test]
    fn neighbouring_messages_have_different_payloads() {
        let catalog = Catalog::new(&spec(10, 64, 0, 0));
        let response = decode_entries(&catalog, &[0, 1]);
        let payloads: Vec<_> = response
            .received_messages
            .iter()
            .map(|rm| rm.message.as_ref().map(|m| m.data.clone()))
            .collect();
        assert_ne!(payloads[0], payloads[1]);
    }

    #[test]
    fn empty_payloads_and_no_keys_still_encode() {
        let catalog = Catalog::new(&spec(3, 0, 0, 0));
        let response = decode_entries(&catalog, &[0, 2]);
        let m = response.received_messages[1]
            .message
            .as_ref()
            .expect("message");
        assert!(m.data.is_empty());
        assert_eq!(m.ordering_key, "");
        assert_eq!(m.message_id, "3");
    }

    #[test]
    fn ack_ids_round_trip_and_reject_malformed_text() {
        let id = ack_id(0xDEAD_BEEF, 42);
        let text = String::from_utf8(format_ack_id(id).to_vec()).unwrap();
        assert_eq!(text, "deadbeef0000002a");
        assert_eq!(parse_ack_id(&text), Some((0xDEAD_BEEF, 42)));
        assert_eq!(parse_ack_id("deadbeef"), None);
        assert_eq!(parse_ack_id("zzzzzzzzzzzzzzzz"), None);
        assert_eq!(parse_ack_id("+00000000000000a"), None);
    }

    #[test]
    fn decimal_writer_matches_to_string() {
        for n in [0u64, 7, 10, 99, 100, 123_456_789, u64::MAX] {
            let mut buf = [0u8; 20];
            assert_eq!(write_decimal(n, &mut buf), n.to_string().as_bytes());
            assert_eq!(digits(n), n.to_string().len());
        }
    }
}
