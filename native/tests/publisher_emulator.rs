//! The sink's publisher against Google's Pub/Sub emulator: rows go in as an
//! exported Arrow array through the JNI's import path, and come back out with
//! the emulator's Pull RPC.

mod common;

use common::sink::*;
use common::*;
use pubsub_spark_native::publish::check_topic::check_topic;
use std::collections::BTreeMap;

fn varied_rows(n: usize) -> Vec<SinkRow> {
    (0..n)
        .map(|i| {
            let mut row = SinkRow::payload(vec![(i % 251) as u8; i % 700]);
            if i % 3 == 0 {
                row = row
                    .attribute("n", &i.to_string())
                    .attribute("kind", "third");
            }
            if i % 700 == 0 {
                // 0 bytes of payload, published because it has attributes.
                row = row.attribute("empty", "yes");
            }
            if i % 7 == 1 {
                // null payload == empty payload
                row.payload = None;
                row = row.attribute("null", "payload");
            }
            if i % 11 == 2 {
                row = row.attribute("blank", "");
            }
            row
        })
        .collect()
}

fn sorted(rows: impl IntoIterator<Item = SinkRow>) -> Vec<SinkRow> {
    let mut rows: Vec<SinkRow> = rows.into_iter().collect();
    rows.sort();
    rows
}

#[test]
fn every_published_row_is_pulled_back_once_with_its_payload_and_attributes() {
    let emulator = Emulator::start();
    let topic = emulator.create_topic("sink-all");
    let subscription = emulator.create_subscription(&topic, "sink-all-sub", 60, false);
    let rows = varied_rows(2_500);
    let publisher = open_publisher(&emulator.host, &topic, r#","batch_size":400"#);
    for chunk in rows.chunks(1_000) {
        publish_rows(&publisher, chunk).unwrap();
    }
    assert_eq!(publisher.flush().unwrap(), 2_500);
    let metrics = publisher.metrics();
    assert_eq!(metrics[MESSAGES_PUBLISHED], 2_500);
    assert!(metrics[PUBLISH_REQUESTS] >= 7, "{metrics:?}");
    assert_eq!(metrics[PENDING_MESSAGES], 0);
    assert_eq!(metrics[PENDING_BYTES], 0);
    assert!(metrics[BYTES_PUBLISHED] > 0);
    assert!(metrics[LATENCY_MAX] > 0 && metrics[LATENCY_SUM] >= metrics[LATENCY_MAX]);

    let pulled = emulator.pull_all(&subscription, 2_500);
    assert_eq!(pulled.len(), 2_500, "exact count");
    assert_eq!(
        sorted(pulled.iter().map(as_row)),
        sorted(rows.iter().map(expected))
    );
    publisher.close();
}

#[test]
fn ordering_keys_arrive_in_publish_order_per_key() {
    let emulator = Emulator::start();
    let topic = emulator.create_topic("sink-ordered");
    let subscription = emulator.create_subscription(&topic, "sink-ordered-sub", 60, true);
    let keys = ["alpha", "beta", "gamma"];
    let rows: Vec<SinkRow> = (0..900)
        .map(|i| SinkRow::payload(i.to_string()).ordering_key(keys[i % 3]))
        .collect();
    // Small batches, so every key has several requests that must stay in order.
    let publisher = open_publisher(&emulator.host, &topic, r#","batch_size":25,"linger_ms":0"#);
    for chunk in rows.chunks(100) {
        publish_rows(&publisher, chunk).unwrap();
    }
    assert_eq!(publisher.flush().unwrap(), 900);

    let pulled = emulator.pull_all(&subscription, 900);
    assert_eq!(pulled.len(), 900);
    let mut per_key: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for message in &pulled {
        let n: usize = std::str::from_utf8(&message.data).unwrap().parse().unwrap();
        per_key
            .entry(message.ordering_key.clone())
            .or_default()
            .push(n);
    }
    for (k, key) in keys.iter().enumerate() {
        let expected: Vec<usize> = (0..900).filter(|i| i % 3 == k).collect();
        assert_eq!(per_key[*key], expected, "order of key {key}");
    }
}

#[test]
fn gzip_compressed_requests_are_accepted_and_rows_may_name_their_topic() {
    let emulator = Emulator::start();
    let default_topic = emulator.create_topic("sink-gzip");
    let other_topic = emulator.create_topic("sink-other");
    let default_sub = emulator.create_subscription(&default_topic, "sink-gzip-sub", 60, false);
    let other_sub = emulator.create_subscription(&other_topic, "sink-other-sub", 60, false);
    let rows: Vec<SinkRow> = (0..300)
        .map(|i| {
            let row = SinkRow::payload(format!("compressible {i} ").repeat(50));
            if i % 2 == 0 {
                row.topic(&other_topic)
            } else {
                row
            }
        })
        .collect();
    let publisher = open_publisher(&emulator.host, &default_topic, r#","compression":"gzip""#);
    publish_rows(&publisher, &rows).unwrap();
    assert_eq!(publisher.flush().unwrap(), 300);

    let to_other = emulator.pull_all(&other_sub, 150);
    let to_default = emulator.pull_all(&default_sub, 150);
    assert_eq!((to_other.len(), to_default.len()), (150, 150));
    let expect = |even: bool| {
        sorted(
            rows.iter()
                .enumerate()
                .filter(|(i, _)| (i % 2 == 0) == even)
                .map(|(_, r)| expected(r)),
        )
    };
    assert_eq!(sorted(to_other.iter().map(as_row)), expect(true));
    assert_eq!(sorted(to_default.iter().map(as_row)), expect(false));
}

#[test]
fn check_topic_returns_the_name_of_an_existing_topic_and_names_a_missing_one() {
    let emulator = Emulator::start();
    let topic = emulator.create_topic("sink-check");
    let json = |t: &str| format!(r#"{{"topic":"{t}","emulator_host":"{}"}}"#, emulator.host);
    assert_eq!(check_topic(&json(&topic)).unwrap(), topic);
    let missing = format!("{PROJECT}/topics/no-such-topic");
    let err = check_topic(&json(&missing)).unwrap_err().to_string();
    assert_eq!(err, format!("Pub/Sub topic '{missing}' does not exist"));
    let err = check_topic(&format!(r#"{{"emulator_host":"{}"}}"#, emulator.host))
        .unwrap_err()
        .to_string();
    assert!(err.contains("needs a topic"), "{err}");
}

#[test]
fn publishing_to_a_missing_topic_fails_flush_and_later_publishes_naming_the_topic() {
    let emulator = Emulator::start();
    emulator.create_topic("sink-exists");
    let missing = format!("{PROJECT}/topics/sink-missing");
    let publisher = open_publisher(&emulator.host, &missing, "");
    publish_rows(&publisher, &[SinkRow::payload("x")]).unwrap();
    let err = publisher.flush().unwrap_err().to_string();
    assert!(
        err.starts_with(&format!(
            "Pub/Sub Publish to topic '{missing}' failed: NotFound"
        )),
        "{err}"
    );
    assert!(err.contains("1 attempt(s)"), "{err}");
    let again = publish_rows(&publisher, &[SinkRow::payload("y")]).unwrap_err();
    assert_eq!(again.to_string(), err, "the failure sticks");
    assert_eq!(publisher.metrics()[PENDING_MESSAGES], 0);
}
