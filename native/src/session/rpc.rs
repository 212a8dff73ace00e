//! Acknowledge and ModifyAckDeadline as unary RPCs of pre-encoded requests:
//! one call's ids go out in requests within Pub/Sub's limits, up to 8 at
//! once, each retried with the same bytes on transient errors.

use super::ack_ids::AckIds;
use super::ack_request::Call;
use crate::backoff::{is_transient, Backoff};
use crate::client::AuthChannel;
use crate::error::error_chain;
use crate::preencoded::PreEncodedCodec;
use bytes::Bytes;
use futures_util::stream::{FuturesUnordered, StreamExt};
use std::ops::Range;
use std::time::Duration;
use tonic::client::Grpc;
use tonic::codegen::http::uri::PathAndQuery;
use tonic::{GrpcMethod, Status};

const SERVICE: &str = "google.pubsub.v1.Subscriber";
const ATTEMPTS: usize = 3;
const RPC_TIMEOUT: Duration = Duration::from_secs(30);
/// Requests of one call in flight at once.
const MAX_IN_FLIGHT: usize = 8;

#[derive(Clone)]
pub struct AckSender {
    grpc: Grpc<AuthChannel>,
    subscription: String,
}

impl AckSender {
    pub fn new(channel: AuthChannel, subscription: &str) -> AckSender {
        AckSender {
            grpc: Grpc::new(channel),
            subscription: subscription.to_string(),
        }
    }

    /// Sends every id of `ids`, up to 8 requests at once; `done` learns each
    /// request's id range and final result as it completes. Returns when
    /// every request has succeeded or failed for good.
    pub async fn send(
        &self,
        call: Call,
        ids: &AckIds,
        mut done: impl FnMut(Range<usize>, Result<(), Status>),
    ) {
        let mut ranges = ids.request_ranges().into_iter();
        let mut in_flight = FuturesUnordered::new();
        loop {
            while in_flight.len() < MAX_IN_FLIGHT {
                let Some(range) = ranges.next() else { break };
                let request = call.encode(&self.subscription, ids, range.clone());
                in_flight.push(async move { (range, self.send_one(call, request).await) });
            }
            match in_flight.next().await {
                Some((range, result)) => done(range, result),
                None => return,
            }
        }
    }

    /// Sends one request, retrying transient errors.
    async fn send_one(&self, call: Call, request: Bytes) -> Result<(), Status> {
        let mut backoff = Backoff::default();
        let mut attempt = 1;
        loop {
            match self.attempt(call, request.clone()).await {
                Ok(()) => return Ok(()),
                Err(status) if attempt < ATTEMPTS && is_transient(status.code()) => {
                    attempt += 1;
                    tokio::time::sleep(backoff.next_delay()).await;
                }
                Err(status) => return Err(status),
            }
        }
    }

    async fn attempt(&self, call: Call, request: Bytes) -> Result<(), Status> {
        let mut grpc = self.grpc.clone();
        grpc.ready()
            .await
            .map_err(|e| Status::unknown(format!("Service was not ready: {}", error_chain(&e))))?;
        let mut request = tonic::Request::new(request);
        request.set_timeout(RPC_TIMEOUT);
        request
            .extensions_mut()
            .insert(GrpcMethod::new(SERVICE, call.method()));
        let path = PathAndQuery::from_static(call.path());
        grpc.unary(request, path, PreEncodedCodec::<()>::default())
            .await
            .map(drop)
    }
}
