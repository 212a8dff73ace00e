//! Test support shared by the emulator test binaries: starts Google's Pub/Sub
//! emulator on a free 127.0.0.1 port (killed on drop, also on failure) and
//! publishes and pulls with the generated clients.
// Each test binary uses a different subset of these helpers.
#![allow(dead_code)]

use arrow_array::cast::AsArray;
use arrow_array::ffi::from_ffi;
use arrow_array::{Array, StructArray};
use arrow_data::ffi::FFI_ArrowArray;
use arrow_schema::ffi::FFI_ArrowSchema;
use pubsub_spark_native::config::SessionConfig;
use pubsub_spark_native::ffi::export::export_to;
use pubsub_spark_native::proto::google::pubsub::v1::publisher_client::PublisherClient;
use pubsub_spark_native::proto::google::pubsub::v1::subscriber_client::SubscriberClient;
use pubsub_spark_native::proto::google::pubsub::v1::{
    PublishRequest, PubsubMessage, PullRequest, Subscription, Topic,
};
use pubsub_spark_native::runtime::runtime;
use pubsub_spark_native::session::{ReadStart, Session};
use std::collections::BTreeSet;
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tonic::transport::Channel;

pub mod sink;

pub const EMULATOR: &str =
    "/usr/lib/google-cloud-sdk/platform/pubsub-emulator/bin/cloud-pubsub-emulator";
pub const PROJECT: &str = "projects/test-proj";

// Metric indices from docs/architecture.md.
pub const INGESTED: usize = 0;
pub const BUFFERED_BYTES: usize = 2;
pub const UNACKED: usize = 3;
pub const ACKS: usize = 4;
pub const MODACKS: usize = 5;
pub const NACKS: usize = 6;
pub const EXPIRIES: usize = 7;
pub const ACK_FAILURES: usize = 9;
pub const REPLAYED: usize = 10;

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The emulator process; dropping it kills it.
pub struct Emulator {
    child: Child,
    pub host: String,
}

impl Emulator {
    pub fn start() -> Emulator {
        let port = free_port();
        let child = Command::new(EMULATOR)
            .args(["--host=127.0.0.1", &format!("--port={port}")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the Pub/Sub emulator");
        let emulator = Emulator {
            child,
            host: format!("127.0.0.1:{port}"),
        };
        let deadline = Instant::now() + Duration::from_secs(90);
        while TcpStream::connect(&emulator.host).is_err() {
            assert!(Instant::now() < deadline, "emulator did not open its port");
            std::thread::sleep(Duration::from_millis(200));
        }
        emulator
    }

    pub fn channel(&self) -> Channel {
        runtime()
            .unwrap()
            .block_on(
                Channel::from_shared(format!("http://{}", self.host))
                    .unwrap()
                    .connect(),
            )
            .unwrap()
    }

    /// Creates topic `t` and subscription `s` (ack deadline `ack_deadline` s).
    pub fn topic_and_subscription(&self, t: &str, s: &str, ack_deadline: i32) -> (String, String) {
        let topic = self.create_topic(t);
        let subscription = self.create_subscription(&topic, s, ack_deadline, false);
        (topic, subscription)
    }

    pub fn create_topic(&self, t: &str) -> String {
        let topic = format!("{PROJECT}/topics/{t}");
        let mut publisher = PublisherClient::new(self.channel());
        runtime().unwrap().block_on(async {
            // The port opens a little before the service answers.
            let deadline = Instant::now() + Duration::from_secs(30);
            while let Err(status) = publisher
                .create_topic(Topic {
                    name: topic.clone(),
                    ..Default::default()
                })
                .await
            {
                assert!(Instant::now() < deadline, "create_topic: {status}");
                tokio::time::sleep(Duration::from_millis(300)).await;
            }
        });
        topic
    }

    pub fn create_subscription(
        &self,
        topic: &str,
        s: &str,
        ack_deadline: i32,
        ordered: bool,
    ) -> String {
        let subscription = format!("{PROJECT}/subscriptions/{s}");
        runtime()
            .unwrap()
            .block_on(
                SubscriberClient::new(self.channel()).create_subscription(Subscription {
                    name: subscription.clone(),
                    topic: topic.to_string(),
                    ack_deadline_seconds: ack_deadline,
                    enable_message_ordering: ordered,
                    ..Default::default()
                }),
            )
            .unwrap();
        subscription
    }

    pub fn publish(&self, topic: &str, messages: Vec<PubsubMessage>) -> Vec<String> {
        let mut publisher = PublisherClient::new(self.channel());
        runtime()
            .unwrap()
            .block_on(publisher.publish(PublishRequest {
                topic: topic.to_string(),
                messages,
            }))
            .unwrap()
            .into_inner()
            .message_ids
    }

    /// Message ids a plain unary Pull gets within `window` (without acking).
    pub fn pull_ids(&self, subscription: &str, window: Duration) -> BTreeSet<String> {
        let mut subscriber = SubscriberClient::new(self.channel());
        let mut ids = BTreeSet::new();
        let deadline = Instant::now() + window;
        while Instant::now() < deadline {
            #[allow(deprecated)]
            let request = PullRequest {
                subscription: subscription.to_string(),
                max_messages: 100,
                return_immediately: true,
            };
            let response = runtime()
                .unwrap()
                .block_on(subscriber.pull(request))
                .unwrap();
            for received in response.into_inner().received_messages {
                ids.insert(received.message.unwrap_or_default().message_id);
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        ids
    }

    pub fn config(&self, subscription: &str, extra: &str) -> SessionConfig {
        SessionConfig::from_json(&format!(
            r#"{{"subscription":"{subscription}","emulator_host":"{}","connect_timeout_ms":5000{extra}}}"#,
            self.host
        ))
        .unwrap()
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn text_messages(n: usize) -> Vec<PubsubMessage> {
    (0..n)
        .map(|i| PubsubMessage {
            data: format!("payload-{i}").into_bytes().into(),
            ..Default::default()
        })
        .collect()
}

/// Fetches batch `batch_id` until `expected` rows arrived (or 20 s passed).
pub fn fetch_all(session: &Session, batch_id: i64, expected: usize) -> Vec<StructArray> {
    let mut batches = Vec::new();
    let mut rows = 0;
    let deadline = Instant::now() + Duration::from_secs(20);
    while rows < expected && Instant::now() < deadline {
        if let Some(batch) = session
            .fetch(batch_id, 1000, 1 << 30, Duration::from_millis(500))
            .unwrap()
        {
            rows += batch.len();
            batches.push(batch);
        }
    }
    assert_eq!(rows, expected, "rows fetched");
    batches
}

/// A complete read of batch `batch_id`: begun fresh, fetched until
/// `expected` rows arrived, completed (so committing it acknowledges it).
pub fn read_batch(session: &Session, batch_id: i64, expected: usize) -> Vec<StructArray> {
    let start = session.begin_read(batch_id, true).unwrap();
    assert_eq!(start, ReadStart::Fresh);
    let batches = fetch_all(session, batch_id, expected);
    session.complete_read(batch_id);
    batches
}

/// Exports `batch` as the JNI `fetch` does and imports it as Java does;
/// dropping the result runs the release callback, as Java's close does.
pub fn through_c_data(batch: StructArray) -> StructArray {
    let mut array = FFI_ArrowArray::empty();
    let mut schema = FFI_ArrowSchema::empty();
    export_to(
        batch,
        &mut array as *mut FFI_ArrowArray as i64,
        &mut schema as *mut FFI_ArrowSchema as i64,
    )
    .unwrap();
    // SAFETY: `export_to` filled both structs with a valid exported array.
    let data = unsafe { from_ffi(array, &schema) }.unwrap();
    StructArray::from(data)
}

/// The message ids of `batch`, in order.
pub fn ids_in(batch: &StructArray) -> Vec<String> {
    let ids = batch.column(0).as_string::<i32>();
    (0..ids.len()).map(|i| ids.value(i).to_string()).collect()
}

pub fn message_ids(batches: &[StructArray]) -> BTreeSet<String> {
    batches.iter().flat_map(ids_in).collect()
}
