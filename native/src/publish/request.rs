//! A Publish request whose messages are already encoded: the tonic codec
//! writes the topic field and then the batch's encoded message records as
//! they are, so a retry re-sends the same bytes without re-encoding.

use crate::proto::google::pubsub::v1::PublishResponse;
use crate::protobuf_write::{field_len, put_bytes_field};
use crate::publish::batcher::REQUEST_TOPIC;
use bytes::{BufMut, Bytes};
use std::sync::Arc;
use tonic::codec::{BufferSettings, Codec, EncodeBuf, Encoder};
use tonic::Status;
use tonic_prost::ProstDecoder;

pub const PUBLISH_PATH: &str = "/google.pubsub.v1.Publisher/Publish";

/// tonic's default: an encoded request is handed to the transport once it
/// holds this many bytes (a Publish request is one message, handed over whole).
const YIELD_THRESHOLD: usize = 32 * 1024;

#[derive(Debug, Clone)]
pub struct EncodedPublishRequest {
    pub topic: Arc<str>,
    /// `messages` fields of a `PublishRequest`, encoded.
    pub records: Bytes,
}

impl EncodedPublishRequest {
    /// Bytes of the encoded `PublishRequest`.
    pub fn encoded_len(&self) -> usize {
        field_len(self.topic.len()) + self.records.len()
    }
}

/// Encodes `EncodedPublishRequest`, decodes `PublishResponse` with prost.
#[derive(Debug, Clone, Copy)]
pub struct PublishCodec {
    buffer_size: usize,
}

impl PublishCodec {
    /// A codec whose encode buffer holds `request` and its gRPC frame header
    /// from the start, so that it is allocated once instead of doubling.
    pub fn for_request(request: &EncodedPublishRequest) -> Self {
        PublishCodec {
            buffer_size: GRPC_HEADER_BYTES + request.encoded_len(),
        }
    }
}

/// The length-prefixed message header of a gRPC frame.
const GRPC_HEADER_BYTES: usize = 5;

pub struct RecordsEncoder {
    buffer_size: usize,
}

impl Encoder for RecordsEncoder {
    type Item = EncodedPublishRequest;
    type Error = Status;

    fn buffer_settings(&self) -> BufferSettings {
        BufferSettings::new(self.buffer_size, YIELD_THRESHOLD)
    }

    fn encode(&mut self, item: Self::Item, buf: &mut EncodeBuf<'_>) -> Result<(), Status> {
        put_bytes_field(buf, REQUEST_TOPIC, item.topic.as_bytes());
        buf.put_slice(&item.records);
        Ok(())
    }
}

impl Codec for PublishCodec {
    type Encode = EncodedPublishRequest;
    type Decode = PublishResponse;
    type Encoder = RecordsEncoder;
    type Decoder = ProstDecoder<PublishResponse>;

    fn encoder(&mut self) -> Self::Encoder {
        RecordsEncoder {
            buffer_size: self.buffer_size,
        }
    }

    fn decoder(&mut self) -> Self::Decoder {
        ProstDecoder::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::google::pubsub::v1::PublishRequest;
    use prost::Message;

    #[test]
    fn encoded_len_is_the_length_of_the_publish_request_the_encoder_writes() {
        let mut records = Vec::new();
        put_bytes_field(&mut records, 2, &[10, 3, b'a', b'b', b'c']);
        let request = EncodedPublishRequest {
            topic: Arc::from("projects/p/topics/t"),
            records: Bytes::from(records),
        };
        let mut written = Vec::new();
        put_bytes_field(&mut written, REQUEST_TOPIC, request.topic.as_bytes());
        written.extend_from_slice(&request.records);
        assert_eq!(request.encoded_len(), written.len());
        let decoded = PublishRequest::decode(&written[..]).unwrap();
        assert_eq!(decoded.topic, "projects/p/topics/t");
        assert_eq!(&decoded.messages[0].data[..], b"abc");
    }
}
