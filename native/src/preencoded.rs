//! A tonic codec for unary requests whose protobuf bytes were encoded
//! beforehand: the encoder writes them as they are, so a retry re-sends the
//! same bytes (a cheap `Bytes` clone) without encoding again. Responses are
//! decoded by prost.

use bytes::{BufMut, Bytes};
use std::marker::PhantomData;
use tonic::codec::{Codec, EncodeBuf, Encoder};
use tonic::Status;
use tonic_prost::ProstDecoder;

/// Sends `Bytes` as the request message, decodes `Response` with prost.
#[derive(Debug)]
pub struct PreEncodedCodec<Response>(PhantomData<Response>);

impl<Response> Default for PreEncodedCodec<Response> {
    fn default() -> Self {
        PreEncodedCodec(PhantomData)
    }
}

pub struct BytesEncoder;

impl Encoder for BytesEncoder {
    type Item = Bytes;
    type Error = Status;

    fn encode(&mut self, item: Bytes, buf: &mut EncodeBuf<'_>) -> Result<(), Status> {
        buf.put_slice(&item);
        Ok(())
    }
}

impl<Response> Codec for PreEncodedCodec<Response>
where
    Response: prost::Message + Default + Send + 'static,
{
    type Encode = Bytes;
    type Decode = Response;
    type Encoder = BytesEncoder;
    type Decoder = ProstDecoder<Response>;

    fn encoder(&mut self) -> Self::Encoder {
        BytesEncoder
    }

    fn decoder(&mut self) -> Self::Decoder {
        ProstDecoder::default()
    }
}
