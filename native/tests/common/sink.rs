//! Test support for the sink's publisher: rows built as an Arrow struct array
//! and handed over through the C Data Interface as Java does, topics and
//! subscriptions on the emulator, pulling everything back with the generated
//! SubscriberClient, and an in-process fake Publisher server.

use super::Emulator;
use arrow_array::builder::{BinaryBuilder, MapBuilder, StringBuilder};
use arrow_array::{Array, ArrayRef, StructArray};
use arrow_data::ffi::FFI_ArrowArray;
use arrow_schema::ffi::FFI_ArrowSchema;
use arrow_schema::{DataType, Field};
use pubsub_spark_native::client::MAX_MESSAGE_SIZE;
use pubsub_spark_native::error::NativeError;
use pubsub_spark_native::ffi::import::import_struct;
use pubsub_spark_native::proto::google::pubsub::v1::publisher_server::{
    Publisher as PublisherService, PublisherServer,
};
use pubsub_spark_native::proto::google::pubsub::v1::subscriber_client::SubscriberClient;
use pubsub_spark_native::proto::google::pubsub::v1::{
    AcknowledgeRequest, PublishRequest, PublishResponse, PubsubMessage, PullRequest,
};
use pubsub_spark_native::publish::config::PublisherConfig;
use pubsub_spark_native::publish::Publisher;
use pubsub_spark_native::runtime::runtime;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tonic::{Code, Request, Response, Status};

// publisherMetrics indices from docs/architecture.md.
pub const MESSAGES_PUBLISHED: usize = 0;
pub const BYTES_PUBLISHED: usize = 1;
pub const PUBLISH_REQUESTS: usize = 2;
pub const PUBLISH_RETRIES: usize = 3;
pub const LATENCY_SUM: usize = 4;
pub const LATENCY_MAX: usize = 5;
pub const PENDING_BYTES: usize = 6;
pub const PENDING_MESSAGES: usize = 7;

/// One sink row as Spark would hand it over.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct SinkRow {
    pub payload: Option<Vec<u8>>,
    pub attributes: Option<BTreeMap<String, String>>,
    pub ordering_key: Option<String>,
    pub topic: Option<String>,
}

impl SinkRow {
    pub fn payload(data: impl Into<Vec<u8>>) -> SinkRow {
        SinkRow {
            payload: Some(data.into()),
            ..Default::default()
        }
    }

    pub fn attribute(mut self, key: &str, value: &str) -> SinkRow {
        self.attributes
            .get_or_insert_with(BTreeMap::new)
            .insert(key.to_string(), value.to_string());
        self
    }

    pub fn ordering_key(mut self, key: &str) -> SinkRow {
        self.ordering_key = Some(key.to_string());
        self
    }

    pub fn topic(mut self, topic: &str) -> SinkRow {
        self.topic = Some(topic.to_string());
        self
    }
}

/// The struct array Java's `exportVectorSchemaRoot` would produce for `rows`.
pub fn sink_array(rows: &[SinkRow]) -> StructArray {
    let mut payload = BinaryBuilder::new();
    let mut attributes = MapBuilder::new(None, StringBuilder::new(), StringBuilder::new());
    let mut ordering_key = StringBuilder::new();
    let mut topic = StringBuilder::new();
    for row in rows {
        payload.append_option(row.payload.as_deref());
        match &row.attributes {
            Some(map) => {
                for (k, v) in map {
                    attributes.keys().append_value(k);
                    attributes.values().append_value(v);
                }
                attributes.append(true).unwrap();
            }
            None => attributes.append(false).unwrap(),
        }
        ordering_key.append_option(row.ordering_key.as_deref());
        topic.append_option(row.topic.as_deref());
    }
    let attributes = attributes.finish();
    let columns: Vec<(Arc<Field>, ArrayRef)> = vec![
        (
            Arc::new(Field::new("payload", DataType::Binary, true)),
            Arc::new(payload.finish()),
        ),
        (
            Arc::new(Field::new(
                "attributes",
                attributes.data_type().clone(),
                true,
            )),
            Arc::new(attributes),
        ),
        (
            Arc::new(Field::new("ordering_key", DataType::Utf8, true)),
            Arc::new(ordering_key.finish()),
        ),
        (
            Arc::new(Field::new("topic", DataType::Utf8, true)),
            Arc::new(topic.finish()),
        ),
    ];
    StructArray::from(columns)
}

/// Exports `array` into C Data structs and publishes it through the same
/// import path as the JNI `publish`.
pub fn publish_exported(publisher: &Publisher, array: StructArray) -> Result<(), NativeError> {
    let data = array.into_data();
    let mut ffi_array = Box::new(FFI_ArrowArray::new(&data));
    let mut ffi_schema = Box::new(FFI_ArrowSchema::try_from(data.data_type()).unwrap());
    drop(data);
    let imported = import_struct(
        &mut *ffi_array as *mut FFI_ArrowArray as i64,
        &mut *ffi_schema as *mut FFI_ArrowSchema as i64,
    )?;
    assert!(ffi_array.is_released(), "the import took ownership");
    let result = publisher.publish(&imported);
    drop(imported);
    result
}

pub fn publish_rows(publisher: &Publisher, rows: &[SinkRow]) -> Result<(), NativeError> {
    publish_exported(publisher, sink_array(rows))
}

pub fn publisher_config(host: &str, topic: &str, extra: &str) -> PublisherConfig {
    PublisherConfig::from_json(&format!(
        r#"{{"topic":"{topic}","emulator_host":"{host}","connect_timeout_ms":5000{extra}}}"#
    ))
    .unwrap()
}

pub fn open_publisher(host: &str, topic: &str, extra: &str) -> Publisher {
    Publisher::open(publisher_config(host, topic, extra)).unwrap()
}

/// A message as pulled, reduced to what the sink controls.
pub fn as_row(message: &PubsubMessage) -> SinkRow {
    SinkRow {
        payload: Some(message.data.to_vec()),
        attributes: (!message.attributes.is_empty())
            .then(|| message.attributes.clone().into_iter().collect()),
        ordering_key: (!message.ordering_key.is_empty()).then(|| message.ordering_key.clone()),
        topic: None,
    }
}

/// What Pub/Sub stores for a published row: null payload is empty, an empty
/// attribute map is no map, an empty ordering key is none.
pub fn expected(row: &SinkRow) -> SinkRow {
    SinkRow {
        payload: Some(row.payload.clone().unwrap_or_default()),
        attributes: row.attributes.clone().filter(|m| !m.is_empty()),
        ordering_key: row.ordering_key.clone().filter(|k| !k.is_empty()),
        topic: None,
    }
}

impl Emulator {
    /// Pulls and acknowledges until `expected` messages arrived, then for
    /// another second to catch extras; returns them in delivery order.
    pub fn pull_all(&self, subscription: &str, expected: usize) -> Vec<PubsubMessage> {
        let mut subscriber = SubscriberClient::new(self.channel());
        let mut messages = Vec::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut quiet_until: Option<Instant> = None;
        while Instant::now() < deadline && quiet_until.is_none_or(|t| Instant::now() < t) {
            #[allow(deprecated)]
            let request = PullRequest {
                subscription: subscription.to_string(),
                max_messages: 1000,
                return_immediately: true,
            };
            let rt = runtime().unwrap();
            let received = rt
                .block_on(subscriber.pull(request))
                .unwrap()
                .into_inner()
                .received_messages;
            if received.is_empty() {
                std::thread::sleep(Duration::from_millis(100));
                continue;
            }
            let ack_ids = received.iter().map(|r| r.ack_id.clone()).collect();
            rt.block_on(subscriber.acknowledge(AcknowledgeRequest {
                subscription: subscription.to_string(),
                ack_ids,
            }))
            .unwrap();
            messages.extend(received.into_iter().filter_map(|r| r.message));
            if messages.len() >= expected && quiet_until.is_none() {
                quiet_until = Some(Instant::now() + Duration::from_secs(1));
            }
        }
        messages
    }
}

/// What the fake Publisher answers.
#[derive(Clone, Copy)]
pub struct FakeBehaviour {
    /// The first `fail_first` Publish calls fail with `code`.
    pub fail_first: usize,
    pub code: Code,
    /// Every answer waits this long first.
    pub delay: Duration,
}

/// An in-process Publisher server that records every request it accepts.
#[derive(Clone)]
pub struct FakePublisher {
    behaviour: FakeBehaviour,
    pub calls: Arc<AtomicUsize>,
    pub accepted: Arc<Mutex<Vec<PublishRequest>>>,
    /// The `grpc-encoding` of every call ("" when uncompressed).
    pub encodings: Arc<Mutex<Vec<String>>>,
}

#[tonic::async_trait]
impl PublisherService for FakePublisher {
    async fn publish(
        &self,
        request: Request<PublishRequest>,
    ) -> Result<Response<PublishResponse>, Status> {
        let call = self.calls.fetch_add(1, Ordering::SeqCst);
        let encoding = request.metadata().get("grpc-encoding");
        let encoding = encoding.and_then(|e| e.to_str().ok()).unwrap_or_default();
        self.encodings.lock().unwrap().push(encoding.to_string());
        tokio::time::sleep(self.behaviour.delay).await;
        if call < self.behaviour.fail_first {
            return Err(Status::new(
                self.behaviour.code,
                format!("fake failure {call}"),
            ));
        }
        let request = request.into_inner();
        let message_ids = (0..request.messages.len())
            .map(|i| format!("{call}-{i}"))
            .collect();
        self.accepted.lock().unwrap().push(request);
        Ok(Response::new(PublishResponse { message_ids }))
    }
}

impl FakePublisher {
    /// Serves on a free 127.0.0.1 port of the crate's runtime; returns the
    /// fake and its "host:port".
    pub fn start(behaviour: FakeBehaviour) -> (FakePublisher, String) {
        let fake = FakePublisher {
            behaviour,
            calls: Arc::new(AtomicUsize::new(0)),
            accepted: Arc::new(Mutex::new(Vec::new())),
            encodings: Arc::new(Mutex::new(Vec::new())),
        };
        let rt = runtime().unwrap();
        let listener = rt
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let host = listener.local_addr().unwrap().to_string();
        let service = PublisherServer::new(fake.clone())
            .accept_compressed(tonic::codec::CompressionEncoding::Gzip)
            .max_decoding_message_size(MAX_MESSAGE_SIZE);
        rt.spawn(
            tonic::transport::Server::builder()
                .add_service(service)
                .serve_with_incoming(tokio_stream::wrappers::TcpListenerStream::new(listener)),
        );
        (fake, host)
    }

    pub fn accepted_messages(&self) -> Vec<PubsubMessage> {
        let accepted = self.accepted.lock().unwrap();
        accepted.iter().flat_map(|r| r.messages.clone()).collect()
    }
}
