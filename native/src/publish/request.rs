//! A Publish request whose messages are already encoded: the tonic codec
//! writes the topic field and then the batch's encoded message records as
//! they are, so a retry re-sends the same bytes without re-encoding.

use crate::proto::google::pubsub::v1::PublishResponse;
use crate::publish::batcher::REQUEST_TOPIC;
use crate::publish::wire::put_bytes_field;
use bytes::{BufMut, Bytes};
use std::sync::Arc;
use tonic::codec::{Codec, EncodeBuf, Encoder};
use tonic::Status;
use tonic_prost::ProstDecoder;

pub const PUBLISH_PATH: &str = "/google.pubsub.v1.Publisher/Publish";

#[derive(Debug, Clone)]
pub struct EncodedPublishRequest {
    pub topic: Arc<str>,
    /// `messages` fields of a `PublishRequest`, encoded.
    pub records: Bytes,
}

/// Encodes `EncodedPublishRequest`, decodes `PublishResponse` with prost.
#[derive(Debug, Default, Clone, Copy)]
pub struct PublishCodec;

pub struct RecordsEncoder;

impl Encoder for RecordsEncoder {
    type Item = EncodedPublishRequest;
    type Error = Status;

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
        RecordsEncoder
    }

    fn decoder(&mut self) -> Self::Decoder {
        ProstDecoder::default()
    }
}
