//! Acknowledge and ModifyAckDeadline requests encoded straight from packed
//! ack ids: the protobuf bytes are written once, and a retry re-sends them.

use super::ack_ids::AckIds;
use crate::protobuf_write::{field_len, put_bytes_field};
use bytes::Bytes;
use prost::encoding::int32;
use std::ops::Range;

/// Key and length of one ack id field: at most 4 bytes for ids within the
/// 512 KiB request limit (a longer id, sent alone, makes the buffer grow).
const MAX_ID_PREFIX: usize = 4;
/// `subscription = 1` in both requests.
const SUBSCRIPTION: u32 = 1;
/// `AcknowledgeRequest.ack_ids = 2`.
const ACK_IDS_OF_ACK: u32 = 2;
/// `ModifyAckDeadlineRequest.ack_ids = 4`.
const ACK_IDS_OF_MODIFY: u32 = 4;
/// `ModifyAckDeadlineRequest.ack_deadline_seconds = 3`.
const ACK_DEADLINE_SECONDS: u32 = 3;

#[derive(Debug, Clone, Copy)]
pub enum Call {
    Ack,
    ModifyDeadline(i32),
}

impl Call {
    /// How errors name the call.
    pub fn name(&self) -> &'static str {
        match self {
            Call::Ack => "Acknowledge",
            Call::ModifyDeadline(0) => "ModifyAckDeadline (nack)",
            Call::ModifyDeadline(_) => "ModifyAckDeadline",
        }
    }

    /// The gRPC method of the Subscriber service.
    pub fn method(&self) -> &'static str {
        match self {
            Call::Ack => "Acknowledge",
            Call::ModifyDeadline(_) => "ModifyAckDeadline",
        }
    }

    pub fn path(&self) -> &'static str {
        match self {
            Call::Ack => "/google.pubsub.v1.Subscriber/Acknowledge",
            Call::ModifyDeadline(_) => "/google.pubsub.v1.Subscriber/ModifyAckDeadline",
        }
    }

    /// The request for ids `range`, field for field as prost would encode it
    /// (fields in tag order; a zero deadline is the default and left out).
    pub fn encode(&self, subscription: &str, ids: &AckIds, range: Range<usize>) -> Bytes {
        let (ids_field, deadline) = match *self {
            Call::Ack => (ACK_IDS_OF_ACK, 0),
            Call::ModifyDeadline(seconds) => (ACK_IDS_OF_MODIFY, seconds),
        };
        let deadline_len = match deadline {
            0 => 0,
            seconds => int32::encoded_len(ACK_DEADLINE_SECONDS, &seconds),
        };
        let ids_len = ids.bytes_between(range.clone()) + range.len() * MAX_ID_PREFIX;
        // Vec's `put_slice` costs less per small field than BytesMut's.
        let mut buf = Vec::with_capacity(field_len(subscription.len()) + ids_len + deadline_len);
        put_bytes_field(&mut buf, SUBSCRIPTION, subscription.as_bytes());
        if deadline != 0 {
            int32::encode(ACK_DEADLINE_SECONDS, &deadline, &mut buf);
        }
        for id in ids.iter(range) {
            put_bytes_field(&mut buf, ids_field, id);
        }
        Bytes::from(buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::google::pubsub::v1::{AcknowledgeRequest, ModifyAckDeadlineRequest};
    use prost::Message;

    const SUB: &str = "projects/p/subscriptions/s";

    fn ids(n: usize) -> AckIds {
        let ids: Vec<String> = (0..n).map(|i| format!("ack-{i}")).collect();
        AckIds::from_strs(ids.iter().map(String::as_str))
    }

    #[test]
    fn an_encoded_acknowledge_request_decodes_to_its_ids_and_matches_prost() {
        let ids = ids(5);
        let bytes = Call::Ack.encode(SUB, &ids, 1..4);
        let decoded = AcknowledgeRequest::decode(bytes.clone()).unwrap();
        let expected = AcknowledgeRequest {
            subscription: SUB.into(),
            ack_ids: vec!["ack-1".into(), "ack-2".into(), "ack-3".into()],
        };
        assert_eq!(decoded, expected);
        assert_eq!(bytes, expected.encode_to_vec());
    }

    #[test]
    fn an_encoded_modify_ack_deadline_request_decodes_to_its_ids_and_deadline() {
        let ids = ids(3);
        for seconds in [60, 600, -1] {
            let bytes = Call::ModifyDeadline(seconds).encode(SUB, &ids, 0..3);
            let expected = ModifyAckDeadlineRequest {
                subscription: SUB.into(),
                ack_ids: ids.to_strings(),
                ack_deadline_seconds: seconds,
            };
            assert_eq!(
                ModifyAckDeadlineRequest::decode(bytes.clone()).unwrap(),
                expected
            );
            assert_eq!(bytes, expected.encode_to_vec(), "deadline {seconds}");
        }
    }

    #[test]
    fn a_nack_is_a_modify_ack_deadline_request_with_deadline_zero() {
        let ids = ids(2);
        let bytes = Call::ModifyDeadline(0).encode(SUB, &ids, 0..2);
        let decoded = ModifyAckDeadlineRequest::decode(bytes).unwrap();
        assert_eq!(decoded.ack_deadline_seconds, 0);
        assert_eq!(decoded.ack_ids, ["ack-0", "ack-1"]);
    }

    #[test]
    fn long_ids_get_multi_byte_length_prefixes() {
        let long = "x".repeat(300);
        let ids = AckIds::from_strs([long.as_str(), "y"]);
        let decoded = AcknowledgeRequest::decode(Call::Ack.encode(SUB, &ids, 0..2)).unwrap();
        assert_eq!(decoded.ack_ids, [long, "y".to_string()]);
    }
}
