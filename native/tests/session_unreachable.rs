//! A session whose StreamingPull never works fails `fetch` once it has had no
//! working stream for `unreachable_timeout_ms`, naming the endpoint and the
//! last gRPC status; an idle stream that works (the server holds it open
//! without answering, as the emulator does on an empty subscription) never
//! does.

use pubsub_spark_native::config::SessionConfig;
use pubsub_spark_native::error::NativeError;
use pubsub_spark_native::proto::google::pubsub::v1::subscriber_server::{
    Subscriber, SubscriberServer,
};
use pubsub_spark_native::proto::google::pubsub::v1::{StreamingPullRequest, StreamingPullResponse};
use pubsub_spark_native::runtime::runtime;
use pubsub_spark_native::session::Session;
use std::net::{SocketAddr, TcpListener};
use std::time::{Duration, Instant};
use tonic::codegen::BoxStream;
use tonic::{Code, Request, Response, Status, Streaming};

const SUBSCRIPTION: &str = "projects/test-proj/subscriptions/unreachable";
const TIMEOUT: Duration = Duration::from_millis(1_500);
/// Stream attempts, the backoff between them and fetch's own wait.
const SLACK: Duration = Duration::from_secs(3);
const FETCH_WAIT: Duration = Duration::from_millis(200);

/// How the fake answers StreamingPull.
#[derive(Clone, Copy)]
enum Answer {
    /// Holds every stream open and never answers (the emulator on an idle subscription).
    Silence,
    /// Fails every stream at once with UNAVAILABLE.
    Unavailable,
}

#[derive(Clone, Copy)]
struct FakeSubscriber(Answer);

#[tonic::async_trait]
impl Subscriber for FakeSubscriber {
    async fn streaming_pull(
        &self,
        _request: Request<Streaming<StreamingPullRequest>>,
    ) -> Result<Response<BoxStream<StreamingPullResponse>>, Status> {
        match self.0 {
            Answer::Silence => std::future::pending().await,
            Answer::Unavailable => Err(Status::unavailable("fake outage")),
        }
    }
}

/// A 127.0.0.1 address nothing listens on.
fn closed_address() -> SocketAddr {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
}

/// Serves `answer` on `address` (or a free port) from the shared runtime.
fn serve(answer: Answer, address: Option<SocketAddr>) -> SocketAddr {
    let rt = runtime().unwrap();
    let address = address.unwrap_or_else(closed_address);
    let listener = rt.block_on(tokio::net::TcpListener::bind(address)).unwrap();
    rt.spawn(
        tonic::transport::Server::builder()
            .add_service(SubscriberServer::new(FakeSubscriber(answer)))
            .serve_with_incoming(tokio_stream::wrappers::TcpListenerStream::new(listener)),
    );
    address
}

fn session_on(address: SocketAddr, timeout: Option<Duration>) -> Session {
    let timeout = timeout.map_or(String::new(), |t| {
        format!(r#","unreachable_timeout_ms":{}"#, t.as_millis())
    });
    let config = SessionConfig::from_json(&format!(
        r#"{{"subscription":"{SUBSCRIPTION}","emulator_host":"{address}","connect_timeout_ms":500{timeout}}}"#
    ))
    .unwrap();
    Session::open(config).unwrap()
}

/// Fetches (getting nothing) until a fetch fails or `limit` passed since
/// `start`; returns the error, if any, and when it came after `start`.
fn fetch_until_error(
    session: &Session,
    start: Instant,
    limit: Duration,
) -> (Option<NativeError>, Duration) {
    while start.elapsed() < limit {
        match session.fetch(0, 100, 1 << 20, FETCH_WAIT) {
            Ok(batch) => assert!(batch.is_none(), "nothing can arrive"),
            Err(err) => return (Some(err), start.elapsed()),
        }
    }
    (None, start.elapsed())
}

/// Fetches from a new session on `address` until fetch fails, which must
/// happen once `TIMEOUT` passed, naming the endpoint and the last `status`.
/// Returns when it failed after the session opened.
fn assert_fetch_fails_after_the_timeout(address: SocketAddr, status: &str) -> Duration {
    let opened = Instant::now();
    let session = session_on(address, Some(TIMEOUT));
    let (err, after) = fetch_until_error(&session, opened, TIMEOUT + SLACK);
    assert!(!session.stream_connected());
    let err = err.expect("fetch fails once the timeout passed");
    assert!(
        matches!(
            err,
            NativeError::Unreachable {
                code: Code::Unavailable,
                ..
            }
        ),
        "{err:?}"
    );
    let text = err.to_string();
    for fragment in [
        SUBSCRIPTION,
        &format!("http://{address}"),
        "unreachableTimeoutMs is 1500",
        "last status Unavailable",
        status,
    ] {
        assert!(text.contains(fragment), "'{fragment}' missing from: {text}");
    }
    assert!(
        after >= TIMEOUT,
        "failed after {after:?}, before the timeout"
    );
    session.close().unwrap();
    after
}

#[test]
fn fetch_fails_after_the_unreachable_timeout_when_nothing_listens_on_the_endpoint() {
    let after = assert_fetch_fails_after_the_timeout(closed_address(), "Connection refused");
    println!("closed port: fetch failed {after:?} after the session opened (timeout {TIMEOUT:?})");
}

#[test]
fn fetch_fails_after_the_unreachable_timeout_when_the_server_refuses_every_stream() {
    assert_fetch_fails_after_the_timeout(serve(Answer::Unavailable, None), "fake outage");
}

/// Fetches for `period`: every fetch returns nothing, and at the end the
/// stream is connected or not as `connected` says.
fn assert_fetches_return_nothing(session: &Session, period: Duration, connected: bool) {
    let (err, _) = fetch_until_error(session, Instant::now(), period);
    assert!(err.is_none(), "fetch failed: {err:?}");
    assert_eq!(session.stream_connected(), connected);
}

#[test]
fn an_idle_stream_the_server_holds_open_is_connected_and_never_times_out() {
    let session = session_on(serve(Answer::Silence, None), Some(TIMEOUT));
    assert_fetches_return_nothing(&session, TIMEOUT * 3, true);
    session.close().unwrap();
}

#[test]
fn an_endpoint_that_comes_up_within_the_timeout_is_used_and_the_session_does_not_fail() {
    let address = closed_address();
    let timeout = Duration::from_secs(4);
    let session = session_on(address, Some(timeout));
    assert_fetches_return_nothing(&session, Duration::from_secs(1), false);
    serve(Answer::Silence, Some(address));
    assert_fetches_return_nothing(&session, timeout * 2, true);
    session.close().unwrap();
}

#[test]
fn without_an_unreachable_timeout_fetch_keeps_returning_nothing() {
    let session = session_on(closed_address(), None);
    assert_fetches_return_nothing(&session, TIMEOUT * 2, false);
    session.close().unwrap();
}
