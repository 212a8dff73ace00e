//! End-to-end tests against Google's Pub/Sub emulator: each test starts its
//! own emulator on a free 127.0.0.1 port and kills it when done (also on failure).

mod common;

use arrow_array::cast::AsArray;
use arrow_array::Array;
use common::*;
use pubsub_spark_native::check::check_subscription;
use pubsub_spark_native::session::Session;
use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

#[test]
fn fetched_batches_carry_published_messages_and_ack_through_acknowledges_them() {
    let emulator = Emulator::start();
    let (topic, subscription) = emulator.topic_and_subscription("topic-1", "sub-1", 10);

    let settings = check_subscription(&format!(
        r#"{{"subscription":"{subscription}","emulator_host":"{}"}}"#,
        emulator.host
    ))
    .unwrap();
    let settings: serde_json::Value = serde_json::from_str(&settings).unwrap();
    assert_eq!(settings["ack_deadline_seconds"], 10);
    assert_eq!(settings["message_ordering"], false);
    assert_eq!(settings["dead_letter_policy"], false);

    let mut messages = text_messages(20);
    messages[0].attributes.insert("color".into(), "red".into());
    // Pub/Sub rejects a message with neither data nor attributes.
    messages[1].data = bytes::Bytes::new();
    messages[1].attributes.insert("empty".into(), "yes".into());
    let published: BTreeSet<String> = emulator.publish(&topic, messages).into_iter().collect();

    let session = Session::open(emulator.config(&subscription, "")).unwrap();
    let batches = read_batch(&session, 1, 20);
    assert_eq!(message_ids(&batches), published);
    let all_rows: usize = batches.iter().map(Array::len).sum();
    let payloads: BTreeSet<Vec<u8>> = batches
        .iter()
        .flat_map(|b| {
            let p = b.column(3).as_binary::<i32>();
            (0..p.len())
                .map(|i| p.value(i).to_vec())
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(payloads.contains(b"payload-0".as_slice()));
    assert!(payloads.contains(&Vec::new()), "0-byte payload");
    assert_eq!(all_rows, 20);
    for batch in &batches {
        assert_eq!(
            batch.column(4).null_count(),
            batch.len(),
            "no ordering keys"
        );
        assert_eq!(
            batch.column(5).null_count(),
            batch.len(),
            "no dead-letter policy"
        );
    }

    let before = session.metrics();
    assert_eq!(before[INGESTED], 20);
    assert_eq!(before[UNACKED], 20);
    assert_eq!(before[BUFFERED_BYTES], 0);
    session.ack_through(1).unwrap();
    let after = session.metrics();
    assert_eq!(after[ACKS], 20);
    assert_eq!(after[UNACKED], 0);
    session.close().unwrap();
    assert_eq!(session.metrics()[NACKS], 0, "nothing left to nack on close");

    // Acknowledged messages are gone for good.
    assert!(emulator
        .pull_ids(&subscription, Duration::from_secs(2))
        .is_empty());
}

#[test]
fn nack_batch_and_close_make_messages_redeliverable_at_once() {
    let emulator = Emulator::start();
    let (topic, subscription) = emulator.topic_and_subscription("topic-2", "sub-2", 60);
    let published: BTreeSet<String> = emulator
        .publish(&topic, text_messages(5))
        .into_iter()
        .collect();

    let session = Session::open(emulator.config(&subscription, "")).unwrap();
    assert_eq!(message_ids(&fetch_all(&session, 7, 5)), published);
    session.nack_batch(7).unwrap();
    assert_eq!(session.metrics()[NACKS], 5);
    // Redelivered long before the 60 s deadline.
    assert_eq!(message_ids(&fetch_all(&session, 8, 5)), published);
    session.close().unwrap();
    assert_eq!(session.metrics()[NACKS], 10);
    assert_eq!(
        emulator.pull_ids(&subscription, Duration::from_secs(3)),
        published
    );
}

#[test]
fn missing_subscription_fails_check_and_fetch_with_its_name() {
    let emulator = Emulator::start();
    emulator.topic_and_subscription("topic-3", "sub-3", 10);
    let missing = format!("{PROJECT}/subscriptions/missing");

    let err = check_subscription(&format!(
        r#"{{"subscription":"{missing}","emulator_host":"{}"}}"#,
        emulator.host
    ))
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Pub/Sub subscription 'projects/test-proj/subscriptions/missing' does not exist"
    );

    let session = Session::open(emulator.config(&missing, "")).unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    let err = loop {
        match session.fetch(1, 10, 1 << 20, Duration::from_millis(500)) {
            Err(err) => break err.to_string(),
            Ok(batch) => assert!(batch.is_none()),
        }
        assert!(Instant::now() < deadline, "stream error never surfaced");
    };
    assert!(err.contains(&missing), "{err}");
    assert!(err.contains("NotFound"), "{err}");
    session.close().unwrap();
}

#[test]
fn check_subscription_names_an_unreachable_host() {
    let port = free_port();
    let err = check_subscription(&format!(
        r#"{{"subscription":"{PROJECT}/subscriptions/s","emulator_host":"127.0.0.1:{port}","connect_timeout_ms":2000}}"#
    ))
    .unwrap_err()
    .to_string();
    assert!(err.contains(&format!("127.0.0.1:{port}")), "{err}");
    assert!(err.starts_with("cannot connect to Pub/Sub"), "{err}");
}

#[test]
fn leases_keep_delivered_messages_from_other_subscribers() {
    let emulator = Emulator::start();
    // Names need 3+ characters. A 10 s subscription deadline; the session's leases must hold past it.
    let (topic, subscription) = emulator.topic_and_subscription("topic-4", "sub-4", 10);
    emulator.publish(&topic, text_messages(3));
    let session = Session::open(emulator.config(&subscription, "")).unwrap();
    read_batch(&session, 1, 3);
    // Another subscriber sees nothing while the session holds the leases.
    assert!(emulator
        .pull_ids(&subscription, Duration::from_secs(22))
        .is_empty());
    let metrics = session.metrics();
    assert!(metrics[MODACKS] >= 3, "leases were extended: {metrics:?}");
    assert_eq!(metrics[EXPIRIES], 0);
    session.ack_through(1).unwrap();
    session.close().unwrap();
}

#[test]
fn leases_past_max_extension_expire_and_are_redelivered() {
    let emulator = Emulator::start();
    let (topic, subscription) = emulator.topic_and_subscription("topic-5", "sub-5", 10);
    let published: BTreeSet<String> = emulator
        .publish(&topic, text_messages(4))
        .into_iter()
        .collect();
    let session =
        Session::open(emulator.config(&subscription, r#","max_ack_extension_seconds":10"#))
            .unwrap();
    fetch_all(&session, 1, 4);
    // Leases are checked every 10/3 s, so the expiry shows by 10 + 3.4 s.
    std::thread::sleep(Duration::from_secs(14));
    let metrics = session.metrics();
    assert_eq!(metrics[EXPIRIES], 4, "{metrics:?}");
    assert_eq!(metrics[UNACKED], 0);
    // Let go: once their last extension lapses, a new session gets them again.
    session.close().unwrap();
    let again = Session::open(emulator.config(&subscription, "")).unwrap();
    let deadline = Instant::now() + Duration::from_secs(40);
    let mut redelivered = BTreeSet::new();
    while redelivered.len() < 4 && Instant::now() < deadline {
        if let Some(batch) = again
            .fetch(2, 100, 1 << 20, Duration::from_millis(500))
            .unwrap()
        {
            redelivered.extend(message_ids(&[batch]));
        }
    }
    assert_eq!(redelivered, published);
    again.close().unwrap();
}

#[test]
fn a_session_opened_after_another_closed_receives_new_messages() {
    let emulator = Emulator::start();
    let (topic, subscription) = emulator.topic_and_subscription("topic-7", "sub-7", 60);
    let first: BTreeSet<String> = emulator
        .publish(&topic, text_messages(40))
        .into_iter()
        .collect();
    let session = Session::open(emulator.config(&subscription, "")).unwrap();
    assert_eq!(message_ids(&read_batch(&session, 1, 40)), first);
    session.ack_through(1).unwrap();
    // The emulator keeps a cancelled stream registered and routes new
    // messages to it, so close must end the stream gracefully.
    session.close().unwrap();
    drop(session);

    let second: BTreeSet<String> = emulator
        .publish(&topic, text_messages(25))
        .into_iter()
        .collect();
    let session = Session::open(emulator.config(&subscription, "")).unwrap();
    assert_eq!(message_ids(&fetch_all(&session, 2, 25)), second);
    session.close().unwrap();
}

/// Sessions of one cycle close while the next cycle's sessions read, as when a
/// query restarts; a session whose stream never got a message must still close
/// at once, and closing must never make the emulator swallow messages.
#[test]
fn overlapping_open_and_close_cycles_close_promptly_and_lose_nothing() {
    let emulator = Emulator::start();
    let (topic, subscription) = emulator.topic_and_subscription("topic-9", "sub-9", 30);
    let mut published = BTreeSet::new();
    let mut seen = BTreeSet::new();
    let mut closers = Vec::new();
    for cycle in 0..6i64 {
        published.extend(emulator.publish(&topic, text_messages(5)));
        let sessions: Vec<Arc<Session>> = (0..2)
            .map(|_| Arc::new(Session::open(emulator.config(&subscription, "")).unwrap()))
            .collect();
        let mut idle_since = Instant::now();
        while idle_since.elapsed() < Duration::from_secs(2) {
            for session in &sessions {
                let fetched = session
                    .fetch(cycle, 1000, 1 << 30, Duration::from_millis(100))
                    .unwrap();
                if let Some(batch) = fetched {
                    seen.extend(message_ids(&[batch]));
                    idle_since = Instant::now();
                }
            }
        }
        for session in sessions {
            closers.push(std::thread::spawn(move || {
                session.complete_read(cycle);
                session.ack_through(cycle).unwrap();
                let started = Instant::now();
                session.close().unwrap();
                started.elapsed()
            }));
        }
    }
    for closer in closers {
        let took = closer.join().unwrap();
        // A hang bound, not a performance figure: a stuck stream took 88 s here.
        assert!(took < Duration::from_secs(10), "close took {took:?}");
    }
    assert_eq!(seen, published, "every message read exactly by the cycles");
}
