//! Acknowledge, nack and lease-extension requests of a session against an
//! in-process fake Subscriber server that delivers 2,500 messages on
//! StreamingPull and records (or fails on purpose) every request it gets.

mod common;

use common::{
    fetch_all, ids_in, read_batch, through_c_data, ACKS, ACK_FAILURES, INGESTED, MODACKS, NACKS,
    REPLAYED, UNACKED,
};
use pubsub_spark_native::config::SessionConfig;
use pubsub_spark_native::proto::google::pubsub::v1::subscriber_server::{
    Subscriber, SubscriberServer,
};
use pubsub_spark_native::proto::google::pubsub::v1::{
    AcknowledgeRequest, ModifyAckDeadlineRequest, PubsubMessage, ReceivedMessage,
    StreamingPullRequest, StreamingPullResponse,
};
use pubsub_spark_native::runtime::runtime;
use pubsub_spark_native::session::{ReadStart, Session};
use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio_stream::StreamExt;
use tonic::codegen::BoxStream;
use tonic::{Request, Response, Status, Streaming};

const SUBSCRIPTION: &str = "projects/test-proj/subscriptions/fake";
const MESSAGES: usize = 2_500;

fn ack_id(i: usize) -> String {
    format!("ack-{i:05}")
}

/// How the fake answers Acknowledge.
#[derive(Clone, Copy, Default)]
struct AckBehaviour {
    /// A request holding `ack_id(n)` fails with `PermissionDenied`.
    deny_id: Option<usize>,
    /// The first this many calls fail with `Unavailable`.
    unavailable_first: usize,
    /// Every answer waits this long first.
    delay: Duration,
}

#[derive(Clone, Default)]
struct FakeSubscriber {
    behaviour: AckBehaviour,
    delivered: Arc<AtomicBool>,
    ack_calls: Arc<AtomicUsize>,
    in_flight: Arc<AtomicUsize>,
    max_in_flight: Arc<AtomicUsize>,
    acked: Arc<Mutex<Vec<AcknowledgeRequest>>>,
    modified: Arc<Mutex<Vec<ModifyAckDeadlineRequest>>>,
    /// The client ends of the connections StreamingPull and Acknowledge came on.
    stream_peers: Arc<Mutex<BTreeSet<SocketAddr>>>,
    ack_peers: Arc<Mutex<BTreeSet<SocketAddr>>>,
}

#[tonic::async_trait]
impl Subscriber for FakeSubscriber {
    async fn streaming_pull(
        &self,
        request: Request<Streaming<StreamingPullRequest>>,
    ) -> Result<Response<BoxStream<StreamingPullResponse>>, Status> {
        self.stream_peers
            .lock()
            .unwrap()
            .extend(request.remote_addr());
        // One response with every message, on the first stream only.
        let first = !self.delivered.swap(true, Ordering::SeqCst);
        let received_messages = (0..MESSAGES)
            .filter(|_| first)
            .map(|i| ReceivedMessage {
                ack_id: ack_id(i),
                message: Some(PubsubMessage {
                    data: format!("payload-{i}").into_bytes().into(),
                    message_id: format!("m-{i}"),
                    ..Default::default()
                }),
                delivery_attempt: 0,
            })
            .collect();
        let response = StreamingPullResponse {
            received_messages,
            ..Default::default()
        };
        let stream = tokio_stream::iter([Ok(response)]).chain(tokio_stream::pending());
        Ok(Response::new(Box::pin(stream)))
    }

    async fn acknowledge(
        &self,
        request: Request<AcknowledgeRequest>,
    ) -> Result<Response<()>, Status> {
        self.ack_peers.lock().unwrap().extend(request.remote_addr());
        let call = self.ack_calls.fetch_add(1, Ordering::SeqCst);
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.max_in_flight.fetch_max(now, Ordering::SeqCst);
        tokio::time::sleep(self.behaviour.delay).await;
        self.in_flight.fetch_sub(1, Ordering::SeqCst);
        let request = request.into_inner();
        if call < self.behaviour.unavailable_first {
            return Err(Status::unavailable("fake unavailable"));
        }
        if let Some(denied) = self.behaviour.deny_id {
            if request.ack_ids.contains(&ack_id(denied)) {
                return Err(Status::permission_denied("fake denied"));
            }
        }
        self.acked.lock().unwrap().push(request);
        Ok(Response::new(()))
    }

    async fn modify_ack_deadline(
        &self,
        request: Request<ModifyAckDeadlineRequest>,
    ) -> Result<Response<()>, Status> {
        self.modified.lock().unwrap().push(request.into_inner());
        Ok(Response::new(()))
    }
}

impl FakeSubscriber {
    /// Serves on a free 127.0.0.1 port; returns the fake and a session on it
    /// that has received every message.
    fn start(behaviour: AckBehaviour, extra_config: &str) -> (FakeSubscriber, Session) {
        let fake = FakeSubscriber {
            behaviour,
            ..Default::default()
        };
        let rt = runtime().unwrap();
        let listener = rt
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let host = listener.local_addr().unwrap();
        rt.spawn(
            tonic::transport::Server::builder()
                .add_service(SubscriberServer::new(fake.clone()))
                .serve_with_incoming(tokio_stream::wrappers::TcpListenerStream::new(listener)),
        );
        let config = SessionConfig::from_json(&format!(
            r#"{{"subscription":"{SUBSCRIPTION}","emulator_host":"{host}"{extra_config}}}"#
        ))
        .unwrap();
        let session = Session::open(config).unwrap();
        (fake, session)
    }

    fn acked_sizes(&self) -> Vec<usize> {
        let mut sizes: Vec<usize> = self
            .acked
            .lock()
            .unwrap()
            .iter()
            .map(|r| r.ack_ids.len())
            .collect();
        sizes.sort_unstable();
        sizes
    }

    fn acked_ids(&self) -> Vec<String> {
        let acked = self.acked.lock().unwrap();
        assert!(acked.iter().all(|r| r.subscription == SUBSCRIPTION));
        acked.iter().flat_map(|r| r.ack_ids.clone()).collect()
    }

    /// Ack ids of the ModifyAckDeadline requests with `seconds`, in order.
    fn modified_ids(&self, seconds: i32) -> Vec<String> {
        let modified = self.modified.lock().unwrap();
        assert!(modified.iter().all(|r| r.subscription == SUBSCRIPTION));
        modified
            .iter()
            .filter(|r| r.ack_deadline_seconds == seconds)
            .flat_map(|r| r.ack_ids.clone())
            .collect()
    }
}

fn distinct(ids: &[String]) -> BTreeSet<String> {
    let set: BTreeSet<String> = ids.iter().cloned().collect();
    assert_eq!(set.len(), ids.len(), "no id twice");
    set
}

fn all_ids() -> BTreeSet<String> {
    (0..MESSAGES).map(ack_id).collect()
}

/// h2 gives a connection's receive window back only as the application reads
/// the data, so on a shared connection a stream paused by flow control would
/// hold back the answers to the acks that are to free it.
#[test]
fn acknowledgements_travel_on_a_connection_of_their_own_apart_from_the_stream() {
    let (fake, session) = FakeSubscriber::start(AckBehaviour::default(), "");
    read_batch(&session, 1, MESSAGES);
    session.ack_through(1).unwrap();
    let stream_peers = fake.stream_peers.lock().unwrap().clone();
    let ack_peers = fake.ack_peers.lock().unwrap().clone();
    assert!(!stream_peers.is_empty() && !ack_peers.is_empty());
    assert!(
        stream_peers.is_disjoint(&ack_peers),
        "stream on {stream_peers:?}, acks on {ack_peers:?}"
    );
    session.close().unwrap();
}

#[test]
fn ack_through_sends_requests_of_at_most_1000_ids_concurrently_and_returns_after_all() {
    let slow = AckBehaviour {
        delay: Duration::from_millis(300),
        ..Default::default()
    };
    let (fake, session) = FakeSubscriber::start(slow, "");
    read_batch(&session, 1, MESSAGES);
    session.ack_through(1).unwrap();
    assert_eq!(fake.acked_sizes(), [500, 1_000, 1_000], "done on return");
    assert_eq!(distinct(&fake.acked_ids()), all_ids());
    assert!(fake.max_in_flight.load(Ordering::SeqCst) >= 2, "concurrent");
    assert_eq!(session.metrics()[ACKS], MESSAGES as i64);
    session.close().unwrap();
    assert!(fake.modified_ids(0).is_empty(), "close nacks nothing acked");
}

#[test]
fn a_failing_request_does_not_stop_the_others_and_its_error_is_returned() {
    let deny = AckBehaviour {
        deny_id: Some(1_500),
        ..Default::default()
    };
    let (fake, session) = FakeSubscriber::start(deny, "");
    read_batch(&session, 1, MESSAGES);
    let err = session.ack_through(1).unwrap_err().to_string();
    assert_eq!(
        err,
        format!(
            "Pub/Sub Acknowledge on subscription '{SUBSCRIPTION}' failed: PermissionDenied: fake denied"
        )
    );
    assert_eq!(fake.ack_calls.load(Ordering::SeqCst), 3, "each tried once");
    assert_eq!(fake.acked_sizes(), [500, 1_000]);
    assert!(!fake.acked_ids().contains(&ack_id(1_500)));
    assert_eq!(session.metrics()[ACKS], 1_500);
    // A permanent failure is not retried: its ids are let go for redelivery.
    assert_eq!(session.metrics()[ACK_FAILURES], 1_000);
    assert_eq!(session.metrics()[UNACKED], 0);
    session.close().unwrap();
}

#[test]
fn transient_failures_are_retried_until_every_id_is_acknowledged_once() {
    let flaky = AckBehaviour {
        unavailable_first: 2,
        ..Default::default()
    };
    let (fake, session) = FakeSubscriber::start(flaky, "");
    read_batch(&session, 1, MESSAGES);
    session.ack_through(1).unwrap();
    assert_eq!(fake.ack_calls.load(Ordering::SeqCst), 5);
    assert_eq!(session.metrics()[ACK_FAILURES], 0);
    assert_eq!(distinct(&fake.acked_ids()), all_ids());
    assert_eq!(session.metrics()[ACKS], MESSAGES as i64);
    session.close().unwrap();
}

#[test]
fn nothing_delivered_means_no_requests() {
    let (fake, session) = FakeSubscriber::start(AckBehaviour::default(), "");
    // Buffered but not fetched: no batch holds them.
    session.ack_through(9).unwrap();
    session.nack_batch(9).unwrap();
    assert_eq!(fake.ack_calls.load(Ordering::SeqCst), 0);
    assert!(fake.modified_ids(0).is_empty());
    session.close().unwrap();
}

#[test]
fn nack_batch_and_close_nack_every_held_id_once() {
    let (fake, session) = FakeSubscriber::start(AckBehaviour::default(), "");
    let fetched = session
        .fetch(1, 1_000, 1 << 30, Duration::from_secs(10))
        .unwrap()
        .map_or(0, |b| arrow_array::Array::len(&b));
    assert_eq!(fetched, 1_000);
    session.nack_batch(1).unwrap();
    let nacked = fake.modified_ids(0);
    assert_eq!(nacked, (0..1_000).map(ack_id).collect::<Vec<_>>());
    assert_eq!(session.metrics()[NACKS], 1_000);
    // The rest is still buffered; close nacks it.
    session.close().unwrap();
    assert_eq!(distinct(&fake.modified_ids(0)), all_ids());
    assert_eq!(fake.ack_calls.load(Ordering::SeqCst), 0);
}

#[test]
fn lease_extensions_cover_every_held_message_in_requests_within_the_limits() {
    // A 10 s deadline: the lease manager extends after a quarter of it.
    let (fake, session) = FakeSubscriber::start(
        AckBehaviour::default(),
        r#","max_ack_extension_seconds":10"#,
    );
    fetch_all(&session, 1, 1_000);
    let deadline = Instant::now() + Duration::from_secs(10);
    // The counter moves once the answers are back.
    while session.metrics()[MODACKS] < MESSAGES as i64 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    let extended = fake.modified_ids(10);
    assert!(extended.len() >= MESSAGES, "extended {}", extended.len());
    assert_eq!(distinct(&extended[..MESSAGES]), all_ids());
    for request in fake.modified.lock().unwrap().iter() {
        assert!(request.ack_ids.len() <= 1_000);
    }
    session.close().unwrap();
}

/// Replays the current read of `batch`: exports every array as the JNI
/// `fetch` does, imports it as Java does and returns the ids of each.
fn replay_exported(session: &Session, batch: i64) -> Vec<Vec<String>> {
    let mut arrays = Vec::new();
    // A replay never waits, whatever the fetch allows.
    while let Some(array) = session.fetch(batch, 1, 1, Duration::from_secs(30)).unwrap() {
        arrays.push(ids_in(&through_c_data(array)));
    }
    arrays
}

#[test]
fn a_replay_exports_the_same_message_ids_without_a_new_streaming_pull_delivery() {
    let (fake, session) = FakeSubscriber::start(AckBehaviour::default(), "");
    let first: Vec<Vec<String>> = read_batch(&session, 1, MESSAGES)
        .into_iter()
        .map(|array| ids_in(&through_c_data(array)))
        .collect();
    let started = Instant::now();
    for _ in 0..2 {
        let start = session.begin_read(1, true).unwrap();
        assert_eq!(start, ReadStart::Replay { rows: MESSAGES });
        assert_eq!(replay_exported(&session, 1), first);
    }
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "replays wait for nothing"
    );
    let metrics = session.metrics();
    // The fake delivers every message once, so the replays only read the record.
    assert_eq!(metrics[INGESTED], MESSAGES as i64);
    assert_eq!(metrics[REPLAYED], 2 * MESSAGES as i64);
    assert_eq!(metrics[UNACKED], MESSAGES as i64);
    session.ack_through(1).unwrap();
    assert_eq!(distinct(&fake.acked_ids()), all_ids());
    session.close().unwrap();
    assert!(fake.modified_ids(0).is_empty(), "nothing nacked");
}

#[test]
fn an_acknowledge_failing_past_its_attempts_is_retried_later_with_its_leases_extended() {
    // Every attempt of the three requests of `ack_through` fails (3 x 3 calls).
    let flaky = AckBehaviour {
        unavailable_first: 9,
        ..Default::default()
    };
    // A 10 s deadline: the lease manager ticks every 3.3 s and extends after 2.5 s.
    let (fake, session) = FakeSubscriber::start(flaky, r#","max_ack_extension_seconds":10"#);
    read_batch(&session, 1, MESSAGES);
    session.ack_through(1).unwrap();
    let metrics = session.metrics();
    assert_eq!(metrics[ACK_FAILURES], MESSAGES as i64);
    assert_eq!((metrics[ACKS], metrics[UNACKED]), (0, MESSAGES as i64));
    assert!(fake.acked_ids().is_empty());
    let deadline = Instant::now() + Duration::from_secs(20);
    while session.metrics()[UNACKED] > 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(distinct(&fake.acked_ids()), all_ids(), "acked exactly once");
    assert_eq!(fake.ack_calls.load(Ordering::SeqCst), 12);
    let metrics = session.metrics();
    assert_eq!(metrics[ACKS], MESSAGES as i64);
    assert_eq!(metrics[ACK_FAILURES], MESSAGES as i64);
    assert_eq!(metrics[UNACKED], 0);
    // Extensions stop once an id is acked, so these came while it waited.
    let extended: BTreeSet<String> = fake.modified_ids(10).into_iter().collect();
    assert!(
        extended.is_superset(&all_ids()),
        "leases kept during the retry"
    );
    session.close().unwrap();
    assert!(fake.modified_ids(0).is_empty(), "nothing nacked");
}
