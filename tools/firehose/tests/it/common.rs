//! Shared test fixtures: an in-process firehose and generated tonic clients.

use firehose::config::{MessageSpec, ServeConfig};
use firehose::proto::client::google::pubsub::v1::publisher_client::PublisherClient;
use firehose::proto::client::google::pubsub::v1::subscriber_client::SubscriberClient;
use firehose::proto::client::google::pubsub::v1::{
    ReceivedMessage, StreamingPullRequest, StreamingPullResponse,
};
use firehose::report::Report;
use firehose::server::{self, Running};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tonic::transport::Channel;
use tonic::Streaming;

pub const SUBSCRIPTION: &str = "projects/test-proj/subscriptions/firehose-sub";
pub const TOPIC: &str = "projects/test-proj/topics/firehose-topic";
/// Upper bound on any wait in these tests; reached only when a test fails.
pub const PATIENCE: Duration = Duration::from_secs(20);

pub fn config(messages: u32) -> ServeConfig {
    ServeConfig {
        spec: MessageSpec {
            messages,
            size: 100,
            attributes: 1,
            ordering_keys: 0,
        },
        ..ServeConfig::default()
    }
}

pub struct Fixture {
    pub running: Running,
    pub subscriber: SubscriberClient<Channel>,
    pub publisher: PublisherClient<Channel>,
}

pub async fn start(config: ServeConfig) -> Fixture {
    let running = server::start(config).await.expect("firehose starts");
    let channel = Channel::from_shared(format!("http://{}", running.addr))
        .expect("uri")
        .connect()
        .await
        .expect("connects");
    Fixture {
        running,
        subscriber: SubscriberClient::new(channel.clone()).max_decoding_message_size(64 << 20),
        publisher: PublisherClient::new(channel),
    }
}

impl Fixture {
    pub fn report(&self) -> Report {
        self.running.firehose.report()
    }

    /// Waits until the report satisfies `done`, or fails after PATIENCE.
    pub async fn wait_report(&self, what: &str, done: impl Fn(&Report) -> bool) -> Report {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let report = self.report();
            if done(&report) {
                return report;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}: {report:?}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    pub async fn open_stream(&mut self, first: StreamingPullRequest) -> PullStream {
        let (requests, rx) = mpsc::channel(16);
        requests.send(first).await.expect("first request queued");
        let responses = self
            .subscriber
            .streaming_pull(ReceiverStream::new(rx))
            .await
            .expect("StreamingPull opens")
            .into_inner();
        PullStream {
            requests,
            responses,
        }
    }
}

pub fn first_request(deadline_secs: i32) -> StreamingPullRequest {
    StreamingPullRequest {
        subscription: SUBSCRIPTION.to_string(),
        stream_ack_deadline_seconds: deadline_secs,
        ..StreamingPullRequest::default()
    }
}

pub struct PullStream {
    pub requests: mpsc::Sender<StreamingPullRequest>,
    pub responses: Streaming<StreamingPullResponse>,
}

impl PullStream {
    /// The next response's messages, or None if none came within `wait`.
    pub async fn next_within(&mut self, wait: Duration) -> Option<Vec<ReceivedMessage>> {
        match tokio::time::timeout(wait, self.responses.message()).await {
            Ok(Ok(Some(r))) => Some(r.received_messages),
            Ok(Ok(None)) => panic!("stream ended"),
            Ok(Err(status)) => panic!("stream failed: {status}"),
            Err(_) => None,
        }
    }

    pub async fn next(&mut self) -> Vec<ReceivedMessage> {
        self.next_within(PATIENCE)
            .await
            .expect("a response within PATIENCE")
    }

    /// Reads until `n` messages arrived (more may come in the last response).
    pub async fn read(&mut self, n: usize) -> Vec<ReceivedMessage> {
        let mut got = Vec::new();
        while got.len() < n {
            got.extend(self.next().await);
        }
        got
    }

    pub async fn send(&self, request: StreamingPullRequest) {
        self.requests.send(request).await.expect("request queued");
    }

    pub async fn ack(&self, messages: &[ReceivedMessage]) {
        self.send(StreamingPullRequest {
            ack_ids: ack_ids(messages),
            ..StreamingPullRequest::default()
        })
        .await;
    }

    pub async fn modack(&self, messages: &[ReceivedMessage], seconds: i32) {
        self.send(StreamingPullRequest {
            modify_deadline_ack_ids: ack_ids(messages),
            modify_deadline_seconds: vec![seconds; messages.len()],
            ..StreamingPullRequest::default()
        })
        .await;
    }
}

pub fn ack_ids(messages: &[ReceivedMessage]) -> Vec<String> {
    messages.iter().map(|m| m.ack_id.clone()).collect()
}

pub fn message_ids(messages: &[ReceivedMessage]) -> Vec<String> {
    messages
        .iter()
        .map(|m| m.message.as_ref().expect("message").message_id.clone())
        .collect()
}
