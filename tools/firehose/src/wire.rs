//! The pull responses as the firehose sends them: a list of deliveries whose
//! bytes are spliced from the catalog straight into tonic's output buffer.
//!
//! `StreamingPullResponse` and `PullResponse` both carry their messages in
//! field 1 (`received_messages`), so one type serves both RPCs; build.rs maps
//! the two proto messages to it.

use crate::catalog::{ack_id, Catalog};
use bytes::{Buf, BufMut};
use prost::encoding::{skip_field, DecodeContext, WireType};
use prost::{DecodeError, Message};
use std::sync::Arc;

/// One delivery: message index and its delivery generation (the ack id).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Delivery {
    pub index: u32,
    pub generation: u32,
}

#[derive(Debug, Clone)]
pub struct EncodedPull {
    catalog: Arc<Catalog>,
    deliveries: Vec<Delivery>,
    len: usize,
}

impl EncodedPull {
    pub fn new(catalog: Arc<Catalog>, deliveries: Vec<Delivery>) -> EncodedPull {
        let len = deliveries.iter().map(|d| catalog.entry_len(d.index)).sum();
        EncodedPull {
            catalog,
            deliveries,
            len,
        }
    }
}

impl Message for EncodedPull {
    fn encode_raw(&self, buf: &mut impl BufMut) {
        for d in &self.deliveries {
            self.catalog
                .write_entry(d.index, ack_id(d.index, d.generation), buf);
        }
    }

    /// The firehose only sends these; anything received is skipped.
    fn merge_field(
        &mut self,
        tag: u32,
        wire_type: WireType,
        buf: &mut impl Buf,
        ctx: DecodeContext,
    ) -> Result<(), DecodeError> {
        skip_field(wire_type, tag, buf, ctx)
    }

    fn encoded_len(&self) -> usize {
        self.len
    }

    fn clear(&mut self) {
        self.deliveries.clear();
        self.len = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::parse_ack_id;
    use crate::config::MessageSpec;
    use crate::proto::client::google::pubsub::v1::StreamingPullResponse;

    #[test]
    fn encodes_a_streaming_pull_response_of_exactly_its_length() {
        let catalog = Arc::new(Catalog::new(&MessageSpec {
            messages: 50,
            size: 100,
            attributes: 1,
            ordering_keys: 0,
        }));
        let deliveries = vec![
            Delivery {
                index: 3,
                generation: 1,
            },
            Delivery {
                index: 49,
                generation: 2,
            },
        ];
        let pull = EncodedPull::new(catalog, deliveries);
        let bytes = pull.encode_to_vec();
        assert_eq!(bytes.len(), pull.encoded_len());
        let decoded = StreamingPullResponse::decode(bytes.as_slice()).expect("decodes");
        let acks: Vec<_> = decoded
            .received_messages
            .iter()
            .map(|rm| parse_ack_id(&rm.ack_id))
            .collect();
        assert_eq!(acks, vec![Some((3, 1)), Some((49, 2))]);
        assert_eq!(
            decoded.received_messages[1]
                .message
                .as_ref()
                .map(|m| m.message_id.as_str()),
            Some("50")
        );
    }
}
