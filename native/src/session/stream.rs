//! The StreamingPull task: opens the stream, feeds the reservoir while flow
//! control allows, and reconnects after transient failures. Each attempt
//! connects anew and tells the session whether it works (`link`), so that a
//! session whose endpoint cannot be reached is told from an idle one.

use super::codec::PullCodec;
use super::{Failure, Shared, StreamFailure};
use crate::backoff::{is_transient, Backoff};
use crate::client::{connect, AuthChannel, MAX_MESSAGE_SIZE};
use crate::error::error_chain;
use crate::metrics::bump;
use crate::proto::google::pubsub::v1::StreamingPullRequest;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use tokio_stream::wrappers::ReceiverStream;
use tonic::codec::Streaming;
use tonic::codegen::http::uri::PathAndQuery;
use tonic::{GrpcMethod, Status};

const SERVICE: &str = "google.pubsub.v1.Subscriber";
const METHOD: &str = "StreamingPull";
const PATH: &str = "/google.pubsub.v1.Subscriber/StreamingPull";

/// Empty requests keep an idle stream from being closed by the server.
const HEARTBEAT: Duration = Duration::from_secs(30);
/// How long a stopping stream waits for the server to end it.
const STOP_GRACE: Duration = Duration::from_secs(3);
/// A stream still open this long after its connection was made works: a
/// server refuses a stream within a round trip, while the emulator answers
/// (even with headers) only once it has a message, so an idle stream that
/// works gets no answer at all.
const WORKS_AFTER: Duration = Duration::from_secs(1);

/// Runs StreamingPull until `stop` turns true or a permanent error occurs.
pub(super) async fn run(shared: Arc<Shared>, mut stop: watch::Receiver<bool>) {
    let mut backoff = Backoff::default();
    loop {
        #[cfg(test)]
        crate::task::inject::fail_point(super::STREAM_TASK, &shared.config.subscription);
        let status = match pull(&shared, &mut backoff, &mut stop).await {
            Ended::Stopped => return,
            Ended::Failed(status) => status,
        };
        shared.stream_failed(&status);
        if !is_transient(status.code()) {
            shared.fail(Failure::Stream(StreamFailure {
                code: status.code(),
                message: status.message().to_string(),
            }));
            return;
        }
        bump(&shared.counters.stream_reconnects, 1);
        tokio::select! {
            _ = tokio::time::sleep(backoff.next_delay()) => {}
            _ = stopped(&mut stop) => return,
        }
    }
}

/// Resolves once `stop` turns true (or its sender is gone).
async fn stopped(stop: &mut watch::Receiver<bool>) {
    // The borrowed value must not live across an await, so drop it here.
    let _ = stop.wait_for(|stopped| *stopped).await.map(drop);
}

enum Ended {
    Stopped,
    Failed(Status),
}

fn first_request(shared: &Shared) -> StreamingPullRequest {
    let config = &shared.config;
    // Flow-control fields are only honoured on the first request of a stream.
    StreamingPullRequest {
        subscription: config.subscription.clone(),
        stream_ack_deadline_seconds: config.stream_ack_deadline_seconds(),
        client_id: shared.client_id.clone(),
        max_outstanding_messages: config.max_outstanding_messages,
        max_outstanding_bytes: config.max_outstanding_bytes,
        ..Default::default()
    }
}

/// A channel of its own for one stream attempt, connected now (bounded by
/// `connect_timeout_ms`); a failure is the attempt's UNAVAILABLE status.
async fn connected(shared: &Shared) -> Result<AuthChannel, Status> {
    let channel = connect(&shared.config, &shared.endpoint)
        .await
        .map_err(|e| Status::unavailable(e.to_string()))?;
    Ok(shared.auth.wrap(channel))
}

/// Opens StreamingPull with the codec that reads responses into the reservoir.
async fn open(
    shared: &Arc<Shared>,
    channel: AuthChannel,
    requests: ReceiverStream<StreamingPullRequest>,
) -> Result<Streaming<()>, Status> {
    let mut grpc = tonic::client::Grpc::new(channel).max_decoding_message_size(MAX_MESSAGE_SIZE);
    grpc.ready().await.map_err(|e| {
        Status::unavailable(format!("Pub/Sub channel not ready: {}", error_chain(&e)))
    })?;
    let mut request = tonic::Request::new(requests);
    request
        .extensions_mut()
        .insert(GrpcMethod::new(SERVICE, METHOD));
    let codec = PullCodec {
        shared: Arc::clone(shared),
    };
    let response = grpc
        .streaming(request, PathAndQuery::from_static(PATH), codec)
        .await?;
    Ok(response.into_inner())
}

/// Runs one stream until it ends; returns why it ended.
async fn pull(
    shared: &Arc<Shared>,
    backoff: &mut Backoff,
    stop: &mut watch::Receiver<bool>,
) -> Ended {
    let channel = tokio::select! {
        channel = connected(shared) => match channel {
            Ok(channel) => channel,
            Err(status) => return Ended::Failed(status),
        },
        _ = stopped(stop) => return Ended::Stopped,
    };
    let (requests, receiver) = mpsc::channel(2);
    if requests.try_send(first_request(shared)).is_err() {
        return Ended::Failed(Status::internal(
            "cannot queue the first StreamingPull request",
        ));
    }
    // The emulator answers a StreamingPull only once it has a message for it,
    // so stopping must also work while the call is still being answered.
    let call = open(shared, channel, ReceiverStream::new(receiver));
    tokio::pin!(call);
    let works_after = tokio::time::sleep(WORKS_AFTER);
    tokio::pin!(works_after);
    let mut working = false;
    let mut responses = loop {
        tokio::select! {
            answered = &mut call => match answered {
                Ok(responses) => break responses,
                Err(status) => return Ended::Failed(status),
            },
            () = &mut works_after, if !working => {
                working = true;
                shared.stream_working();
            }
            _ = stopped(stop) => {
                // Half-closed, the server ends the call; wait for that, bounded.
                drop(requests);
                if let Ok(Ok(responses)) = tokio::time::timeout(STOP_GRACE, call).await {
                    finish(responses).await;
                }
                return Ended::Stopped;
            }
        }
    };
    if !working {
        shared.stream_working();
    }
    let mut heartbeat =
        tokio::time::interval_at(tokio::time::Instant::now() + HEARTBEAT, HEARTBEAT);
    loop {
        tokio::select! {
            _ = heartbeat.tick() => {
                // A full queue already holds a request, which serves as well.
                let _ = requests.try_send(StreamingPullRequest::default());
            }
            _ = stopped(stop) => {
                drop(requests);
                finish(responses).await;
                return Ended::Stopped;
            }
            next = next_response(shared, &mut responses) => match next {
                // The codec already put the response's messages in the reservoir.
                Ok(Some(())) => backoff.reset(),
                Ok(None) => {
                    return Ended::Failed(Status::unavailable(
                        "StreamingPull was closed by the server",
                    ))
                }
                Err(status) => return Ended::Failed(status),
            },
        }
    }
}

/// Ends a stream the way servers handle best: the request side is already
/// half-closed; read until the server closes its side, keeping what still
/// arrives (the caller nacks it). A cancelled stream (RST_STREAM) can stay
/// registered in the emulator and swallow later deliveries, so cancel only
/// after `STOP_GRACE`.
async fn finish(mut responses: Streaming<()>) {
    let drain = async { while let Ok(Some(())) = responses.message().await {} };
    let _ = tokio::time::timeout(STOP_GRACE, drain).await;
}

/// The next response once flow control allows reading; cancel-safe.
async fn next_response(
    shared: &Shared,
    responses: &mut Streaming<()>,
) -> Result<Option<()>, Status> {
    wait_for_capacity(shared).await;
    responses.message().await
}

/// Native flow control: no reading while the reservoir is at its limits.
async fn wait_for_capacity(shared: &Shared) {
    let max_messages = shared.config.max_outstanding_messages();
    let max_bytes = shared.config.max_outstanding_bytes();
    loop {
        let freed = shared.space_freed.notified();
        let full = shared.held().reservoir.is_full(max_messages, max_bytes);
        if !full {
            return;
        }
        freed.await;
    }
}
