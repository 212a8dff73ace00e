//! The publisher's retries, failures and backpressure against an in-process
//! fake Publisher server that fails or delays on purpose.

mod common;

use common::sink::*;
use pubsub_spark_native::publish::Publisher;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tonic::Code;

const TOPIC: &str = "projects/test-proj/topics/fake";

fn behaviour(fail_first: usize, code: Code, delay_ms: u64) -> FakeBehaviour {
    FakeBehaviour {
        fail_first,
        code,
        delay: Duration::from_millis(delay_ms),
    }
}

fn numbered(n: usize) -> Vec<SinkRow> {
    (0..n).map(|i| SinkRow::payload(format!("m{i}"))).collect()
}

#[test]
fn unavailable_answers_are_retried_until_every_message_is_published() {
    let (fake, host) = FakePublisher::start(behaviour(3, Code::Unavailable, 0));
    let publisher = open_publisher(&host, TOPIC, r#","compression":"gzip","batch_size":20"#);
    let rows = numbered(50);
    publish_rows(&publisher, &rows).unwrap();
    assert_eq!(publisher.flush().unwrap(), 50);
    let received: Vec<SinkRow> = fake.accepted_messages().iter().map(as_row).collect();
    let mut sorted = received.clone();
    sorted.sort();
    let mut expected: Vec<SinkRow> = rows.iter().map(expected).collect();
    expected.sort();
    assert_eq!(sorted, expected, "every message once");
    let metrics = publisher.metrics();
    assert!(metrics[PUBLISH_RETRIES] >= 3, "{metrics:?}");
    assert_eq!(metrics[PUBLISH_REQUESTS], 3, "50 rows in batches of 20");
    assert_eq!(metrics[MESSAGES_PUBLISHED], 50);
    assert!(
        fake.encodings.lock().unwrap().iter().all(|e| e == "gzip"),
        "requests are gzip-compressed"
    );
    assert!(fake
        .accepted
        .lock()
        .unwrap()
        .iter()
        .all(|r| r.topic == TOPIC));
}

#[test]
fn a_server_that_stays_unavailable_fails_flush_once_publish_timeout_ms_ran_out() {
    let (fake, host) = FakePublisher::start(behaviour(usize::MAX, Code::Unavailable, 0));
    let publisher = open_publisher(&host, TOPIC, r#","publish_timeout_ms":1500"#);
    publish_rows(&publisher, &numbered(5)).unwrap();
    let err = publisher.flush().unwrap_err().to_string();
    assert!(
        err.starts_with(&format!(
            "Pub/Sub Publish to topic '{TOPIC}' failed: Unavailable: fake failure"
        )),
        "{err}"
    );
    assert!(err.contains("publish_timeout_ms 1500 ran out"), "{err}");
    assert!(fake.calls.load(Ordering::SeqCst) > 1, "it retried");
    assert!(fake.accepted_messages().is_empty());
    assert_eq!(publisher.metrics()[PENDING_MESSAGES], 0);
}

#[test]
fn a_permanent_status_fails_at_the_first_attempt() {
    let (fake, host) = FakePublisher::start(behaviour(usize::MAX, Code::PermissionDenied, 0));
    let publisher = open_publisher(&host, TOPIC, "");
    publish_rows(&publisher, &numbered(5)).unwrap();
    let err = publisher.flush().unwrap_err().to_string();
    assert!(
        err.starts_with(&format!(
            "Pub/Sub Publish to topic '{TOPIC}' failed: PermissionDenied"
        )),
        "{err}"
    );
    assert!(err.contains("(1 attempt(s)"), "{err}");
    assert_eq!(fake.calls.load(Ordering::SeqCst), 1);
    assert_eq!(publisher.metrics()[PUBLISH_RETRIES], 0);
}

#[test]
fn a_bad_row_rejects_its_whole_array_and_is_numbered_among_all_accepted_rows() {
    let (fake, host) = FakePublisher::start(behaviour(0, Code::Ok, 0));
    let publisher = open_publisher(&host, TOPIC, "");
    publish_rows(&publisher, &numbered(5)).unwrap();
    let mut bad = numbered(4);
    bad[2] = SinkRow::default();
    let err = publish_rows(&publisher, &bad).unwrap_err().to_string();
    assert!(err.starts_with("cannot publish row 7: "), "{err}");
    assert!(err.contains("neither data nor attributes"), "{err}");
    assert_eq!(
        publisher.flush().unwrap(),
        5,
        "nothing of the bad array was queued"
    );
    assert_eq!(fake.accepted_messages().len(), 5);
    publish_rows(&publisher, &numbered(1)).unwrap();
    assert_eq!(publisher.flush().unwrap(), 6);
}

#[test]
fn publish_blocks_while_pending_bytes_exceed_max_pending_bytes() {
    let (fake, host) = FakePublisher::start(behaviour(0, Code::Ok, 150));
    let bound: i64 = 10_000_000;
    let publisher = Arc::new(open_publisher(
        &host,
        TOPIC,
        &format!(r#","max_pending_bytes":{bound},"max_in_flight_batches":1,"linger_ms":0"#),
    ));
    // 1,000 rows of 5,000 bytes: each encoded message is 5,003 bytes.
    let array_bytes: i64 = 1_000 * 5_003;
    let rows: Vec<SinkRow> = (0..1_000)
        .map(|_| SinkRow::payload(vec![7u8; 5_000]))
        .collect();
    let done = Arc::new(AtomicBool::new(false));
    let monitor = {
        let (publisher, done) = (Arc::clone(&publisher), Arc::clone(&done));
        std::thread::spawn(move || {
            let mut max_seen = 0;
            while !done.load(Ordering::SeqCst) {
                max_seen = max_seen.max(publisher.metrics()[PENDING_BYTES]);
                std::thread::sleep(Duration::from_millis(2));
            }
            max_seen
        })
    };
    let mut after_publish = Vec::new();
    for _ in 0..8 {
        publish_rows(&publisher, &rows).unwrap();
        after_publish.push(publisher.metrics()[PENDING_BYTES]);
    }
    assert_eq!(publisher.flush().unwrap(), 8_000);
    done.store(true, Ordering::SeqCst);
    let max_seen = monitor.join().unwrap();
    assert!(
        after_publish.iter().all(|&p| p <= bound + array_bytes),
        "{after_publish:?}"
    );
    assert!(max_seen <= bound + array_bytes, "max pending {max_seen}");
    assert!(
        after_publish.iter().any(|&p| p > bound),
        "the bound was reached, so publish had to wait: {after_publish:?}"
    );
    assert_eq!(fake.accepted_messages().len(), 8_000);
    assert_eq!(publisher.metrics()[PENDING_BYTES], 0);
}

#[test]
fn a_blocked_publish_returns_the_failure_instead_of_waiting_forever() {
    let (_fake, host) = FakePublisher::start(behaviour(usize::MAX, Code::InvalidArgument, 300));
    let publisher: Publisher = open_publisher(
        &host,
        TOPIC,
        r#","max_pending_bytes":10000000,"max_in_flight_batches":1,"linger_ms":0"#,
    );
    let rows: Vec<SinkRow> = (0..1_000)
        .map(|_| SinkRow::payload(vec![1u8; 6_000]))
        .collect();
    publish_rows(&publisher, &rows).unwrap();
    publish_rows(&publisher, &rows).unwrap();
    // Pending is now over the bound: this call waits, then sees the failure.
    let err = publish_rows(&publisher, &rows).unwrap_err().to_string();
    assert!(
        err.contains("failed: InvalidArgument: fake failure 0"),
        "{err}"
    );
}

#[test]
fn check_topic_on_an_unreachable_host_names_the_endpoint() {
    let port = common::free_port();
    let err = pubsub_spark_native::publish::check_topic::check_topic(&format!(
        r#"{{"topic":"{TOPIC}","emulator_host":"127.0.0.1:{port}","connect_timeout_ms":2000}}"#
    ))
    .unwrap_err()
    .to_string();
    assert!(
        err.starts_with(&format!(
            "cannot connect to Pub/Sub at http://127.0.0.1:{port}"
        )),
        "{err}"
    );
}

#[test]
fn a_failed_ordering_key_request_stops_every_later_message_of_that_key() {
    let (fake, host) = FakePublisher::start(behaviour(1, Code::PermissionDenied, 50));
    let publisher = open_publisher(&host, TOPIC, r#","batch_size":10,"linger_ms":0"#);
    let rows: Vec<SinkRow> = numbered(30)
        .into_iter()
        .map(|row| row.ordering_key("key"))
        .collect();
    publish_rows(&publisher, &rows).unwrap();
    let err = publisher.flush().unwrap_err().to_string();
    assert!(err.contains("failed: PermissionDenied"), "{err}");
    assert_eq!(
        fake.calls.load(Ordering::SeqCst),
        1,
        "the key's second and third batch were never sent"
    );
    assert!(fake.accepted_messages().is_empty());
    assert_eq!(publisher.metrics()[PENDING_MESSAGES], 0);
}
