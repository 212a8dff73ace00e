//! The StreamingPull task: opens the stream, feeds the reservoir while flow
//! control allows, and reconnects after transient failures.

use super::backoff::{is_transient, Backoff};
use super::{Shared, StreamFailure};
use crate::arrow_batch::PulledMessage;
use crate::metrics::bump;
use crate::proto::google::pubsub::v1::{StreamingPullRequest, StreamingPullResponse};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, watch};
use tokio_stream::wrappers::ReceiverStream;
use tonic::codec::Streaming;
use tonic::Status;

/// Empty requests keep an idle stream from being closed by the server.
const HEARTBEAT: Duration = Duration::from_secs(30);
/// How long a stopping stream waits for the server to end it.
const STOP_GRACE: Duration = Duration::from_secs(3);

/// Runs StreamingPull until `stop` turns true or a permanent error occurs.
pub(super) async fn run(shared: Arc<Shared>, mut stop: watch::Receiver<bool>) {
    let mut backoff = Backoff::default();
    loop {
        let status = match pull(&shared, &mut backoff, &mut stop).await {
            Ended::Stopped => return,
            Ended::Failed(status) => status,
        };
        if !is_transient(status.code()) {
            let mut held = shared.held();
            held.failure = Some(StreamFailure {
                code: status.code(),
                message: status.message().to_string(),
            });
            shared.arrived.notify_all();
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

/// Runs one stream until it ends; returns why it ended.
async fn pull(shared: &Shared, backoff: &mut Backoff, stop: &mut watch::Receiver<bool>) -> Ended {
    let (requests, receiver) = mpsc::channel(2);
    if requests.try_send(first_request(shared)).is_err() {
        return Ended::Failed(Status::internal(
            "cannot queue the first StreamingPull request",
        ));
    }
    let mut client = shared.client.clone();
    // The emulator answers a StreamingPull only once it has a message for it,
    // so stopping must also work while the call is still being answered.
    let call = client.streaming_pull(ReceiverStream::new(receiver));
    tokio::pin!(call);
    let mut responses = tokio::select! {
        answered = &mut call => match answered {
            Ok(response) => response.into_inner(),
            Err(status) => return Ended::Failed(status),
        },
        _ = stopped(stop) => {
            // Half-closed, the server ends the call; wait for that, bounded.
            drop(requests);
            if let Ok(Ok(response)) = tokio::time::timeout(STOP_GRACE, call).await {
                finish(shared, response.into_inner()).await;
            }
            return Ended::Stopped;
        }
    };
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
                finish(shared, responses).await;
                return Ended::Stopped;
            }
            next = next_response(shared, &mut responses) => match next {
                Ok(Some(response)) => {
                    backoff.reset();
                    ingest(shared, response);
                }
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
async fn finish(shared: &Shared, mut responses: Streaming<StreamingPullResponse>) {
    let drain = async {
        while let Ok(Some(response)) = responses.message().await {
            ingest(shared, response);
        }
    };
    let _ = tokio::time::timeout(STOP_GRACE, drain).await;
}

/// The next response once flow control allows reading; cancel-safe.
async fn next_response(
    shared: &Shared,
    responses: &mut Streaming<StreamingPullResponse>,
) -> Result<Option<StreamingPullResponse>, Status> {
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

fn ingest(shared: &Shared, response: StreamingPullResponse) {
    let now = Instant::now();
    let deadline = shared.config.stream_ack_deadline();
    let count = response.received_messages.len();
    let mut bytes = 0;
    {
        let mut held = shared.held();
        for received in response.received_messages {
            let message = received.message.unwrap_or_default();
            bytes += message.data.len();
            let pulled = PulledMessage {
                message,
                delivery_attempt: received.delivery_attempt,
            };
            held.reservoir.push(received.ack_id, pulled, now, deadline);
        }
    }
    bump(&shared.counters.ingested_messages, count);
    bump(&shared.counters.ingested_bytes, bytes);
    shared.arrived.notify_all();
}
