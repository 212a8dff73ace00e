//! StreamingPull against an in-process firehose: accounting, leases, flow control.

use crate::common::{config, first_request, message_ids, start};
use firehose::proto::client::google::pubsub::v1::StreamingPullRequest;
use std::collections::HashSet;
use std::time::Duration;

#[tokio::test]
async fn reading_everything_with_acks_acks_each_message_exactly_once() {
    let n = 5_000;
    let mut fx = start(config(n)).await;
    let mut stream = fx.open_stream(first_request(60)).await;
    let mut seen = HashSet::new();
    while seen.len() < n as usize {
        let batch = stream.next().await;
        stream.ack(&batch).await;
        for id in message_ids(&batch) {
            assert!(seen.insert(id.clone()), "message {id} delivered twice");
        }
    }
    let report = fx
        .wait_report("all acks", |r| r.acked_once == u64::from(n))
        .await;
    assert_eq!(report.acked_more_than_once, 0);
    assert_eq!(report.never_acked, 0);
    assert_eq!(report.served, u64::from(n));
    assert_eq!(report.distinct_served, u64::from(n));
    assert_eq!(report.redelivered, 0);
    assert_eq!(report.ack_ids_invalid, 0);
}

#[tokio::test]
async fn unacked_messages_are_redelivered_after_their_deadline() {
    let mut fx = start(config(10)).await;
    let mut stream = fx.open_stream(first_request(1)).await;
    let first = stream.read(10).await;
    let again = stream.read(10).await;
    let mut ids = message_ids(&again);
    ids.sort();
    let mut expected = message_ids(&first);
    expected.sort();
    assert_eq!(ids, expected, "the same messages come again");
    let old: HashSet<_> = first.iter().map(|m| &m.ack_id).collect();
    assert!(
        again.iter().all(|m| !old.contains(&m.ack_id)),
        "new ack ids"
    );
    let report = fx.report();
    assert_eq!(report.expired_leases, 10);
    assert_eq!(report.redelivered, 10);
    assert_eq!(report.served, 20);
    assert_eq!(report.distinct_served, 10);
    assert_eq!(report.never_acked, 10);
}

#[tokio::test]
async fn modack_extends_the_lease() {
    let mut fx = start(config(2)).await;
    let mut stream = fx.open_stream(first_request(1)).await;
    let got = stream.read(2).await;
    stream.modack(&got[..1], 30).await;
    // The unextended message comes back after its 1 s lease; the other does not.
    let back = stream.read(1).await;
    assert_eq!(message_ids(&back), message_ids(&got[1..]));
    stream.ack(&back).await;
    assert_eq!(stream.next_within(Duration::from_millis(1500)).await, None);
    let report = fx.report();
    assert_eq!(report.expired_leases, 1);
    assert_eq!(report.modacks_received, 1);
}

#[tokio::test]
async fn nack_redelivers_promptly() {
    let mut fx = start(config(3)).await;
    let mut stream = fx.open_stream(first_request(600)).await;
    let got = stream.read(3).await;
    stream.modack(&got[2..], 0).await;
    let back = stream.read(1).await;
    assert_eq!(message_ids(&back), message_ids(&got[2..]));
    assert_ne!(back[0].ack_id, got[2].ack_id);
    let report = fx.report();
    assert_eq!(report.nacked, 1);
    assert_eq!(report.redelivered, 1);
    assert_eq!(report.expired_leases, 0);
}

#[tokio::test]
async fn outstanding_messages_never_exceed_the_streams_flow_control() {
    let cap = 7;
    let mut fx = start(config(100)).await;
    let mut stream = fx
        .open_stream(StreamingPullRequest {
            max_outstanding_messages: cap,
            ..first_request(60)
        })
        .await;
    let mut acked = 0;
    let mut received = 0;
    while acked < 100 {
        let batch = stream.next().await;
        received += batch.len();
        assert!(
            received - acked <= cap as usize,
            "{received} received, {acked} acked"
        );
        // Nothing more arrives while the stream holds its cap.
        if received - acked == cap as usize {
            assert_eq!(stream.next_within(Duration::from_millis(200)).await, None);
        }
        stream.ack(&batch).await;
        acked += batch.len();
    }
    let report = fx.wait_report("all acks", |r| r.acked_once == 100).await;
    assert_eq!(report.redelivered, 0);
}

#[tokio::test]
async fn byte_flow_control_limits_messages_held() {
    let mut fx = start(config(50)).await;
    let mut stream = fx
        .open_stream(StreamingPullRequest {
            // room for two of these ~150-byte messages, not three
            max_outstanding_bytes: 350,
            ..first_request(60)
        })
        .await;
    let got = stream.read(2).await;
    assert_eq!(got.len(), 2);
    assert_eq!(stream.next_within(Duration::from_millis(300)).await, None);
    stream.ack(&got).await;
    assert_eq!(stream.read(2).await.len(), 2);
}

#[tokio::test]
async fn acks_of_a_stream_can_arrive_on_another_stream() {
    let mut fx = start(config(20)).await;
    let mut a = fx.open_stream(first_request(60)).await;
    let got = a.read(20).await;
    let b = fx.open_stream(first_request(60)).await;
    b.ack(&got).await;
    let report = fx.wait_report("all acks", |r| r.acked_once == 20).await;
    assert_eq!(report.streams_opened, 2);
}
