//! The StreamingPull codec: requests are encoded by prost; responses are not
//! decoded into prost messages but read straight from tonic's receive buffer
//! into the reservoir's batch being filled (see `wire`), on the stream task.

use super::wire::read_response;
use super::Shared;
use crate::metrics::bump;
use crate::proto::google::pubsub::v1::StreamingPullRequest;
use bytes::Buf;
use std::sync::Arc;
use std::time::Instant;
use tonic::codec::{Codec, DecodeBuf, Decoder};
use tonic::Status;
use tonic_prost::ProstEncoder;

pub(super) struct PullCodec {
    pub shared: Arc<Shared>,
}

impl Codec for PullCodec {
    type Encode = StreamingPullRequest;
    type Decode = ();
    type Encoder = ProstEncoder<StreamingPullRequest>;
    type Decoder = PullDecoder;

    fn encoder(&mut self) -> Self::Encoder {
        ProstEncoder::default()
    }

    fn decoder(&mut self) -> Self::Decoder {
        PullDecoder {
            shared: Arc::clone(&self.shared),
        }
    }
}

/// Reads each response into the reservoir; yields `()` per response.
pub(super) struct PullDecoder {
    shared: Arc<Shared>,
}

impl Decoder for PullDecoder {
    type Item = ();
    type Error = Status;

    fn decode(&mut self, src: &mut DecodeBuf<'_>) -> Result<Option<()>, Status> {
        let len = src.remaining();
        let result = if src.chunk().len() == len {
            let read = ingest(&self.shared, src.chunk());
            src.advance(len);
            read
        } else {
            // tonic hands a whole message in one chunk; stay correct if not.
            let bytes = src.copy_to_bytes(len);
            ingest(&self.shared, &bytes)
        };
        result.map(Some)
    }
}

/// Appends one response's messages to the reservoir and wakes waiting fetches.
/// The lock is held for the whole response, which copies each payload once.
fn ingest(shared: &Shared, response: &[u8]) -> Result<(), Status> {
    let now = Instant::now();
    let deadline = shared.config.stream_ack_deadline();
    let (read, added) = {
        let mut held = shared.held();
        let mut intake = held.reservoir.intake(now, deadline);
        let read = read_response(response, &mut intake);
        (read, intake.added)
    };
    bump(&shared.counters.ingested_messages, added.messages);
    bump(&shared.counters.ingested_bytes, added.payload_bytes);
    if added.messages > 0 {
        shared.arrived.notify_all();
    }
    read.map(drop).map_err(|e| Status::internal(e.to_string()))
}
