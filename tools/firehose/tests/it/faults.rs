//! Each injected fault, seen from a client.

use crate::common::{config, first_request, message_ids, start, SUBSCRIPTION, TOPIC};
use firehose::proto::client::google::pubsub::v1::{
    GetSubscriptionRequest, PublishRequest, PubsubMessage,
};
use std::collections::HashSet;
use std::time::{Duration, Instant};
use tonic::Code;

#[tokio::test]
async fn drop_stream_ends_each_stream_with_unavailable_after_k_messages() {
    let mut cfg = config(20);
    cfg.faults.drop_stream_every = Some(7);
    let mut fx = start(cfg).await;
    for _ in 0..2 {
        // Each new stream goes on where the last one stopped.
        let mut stream = fx.open_stream(first_request(60)).await;
        let mut got = 0;
        let status = loop {
            match stream.responses.message().await {
                Ok(Some(r)) => got += r.received_messages.len(),
                Ok(None) => panic!("stream ended without an error"),
                Err(status) => break status,
            }
        };
        assert_eq!(got, 7);
        assert_eq!(status.code(), Code::Unavailable, "{status}");
    }
    let report = fx.report();
    assert_eq!(report.streams_dropped, 2);
    assert_eq!(report.distinct_served, 14);
}

#[tokio::test]
async fn stall_pauses_a_stream_every_k_messages() {
    let mut cfg = config(10);
    cfg.faults.stall = Some((Duration::from_millis(400), 5));
    let mut fx = start(cfg).await;
    let mut stream = fx.open_stream(first_request(60)).await;
    assert_eq!(stream.read(5).await.len(), 5);
    let before = Instant::now();
    assert_eq!(stream.read(5).await.len(), 5);
    assert!(
        before.elapsed() >= Duration::from_millis(400),
        "{:?}",
        before.elapsed()
    );
    assert_eq!(fx.report().stalls, 1);
}

#[tokio::test]
async fn every_rpc_is_unavailable_during_the_outage_at_start() {
    let mut cfg = config(10);
    cfg.faults.unavailable_for = Duration::from_millis(800);
    let mut fx = start(cfg).await;
    let get = GetSubscriptionRequest {
        subscription: SUBSCRIPTION.to_string(),
    };
    let err = fx
        .subscriber
        .get_subscription(get.clone())
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::Unavailable);
    let deadline = Instant::now() + crate::common::PATIENCE;
    loop {
        match fx.subscriber.get_subscription(get.clone()).await {
            Ok(_) => break,
            Err(e) => assert_eq!(e.code(), Code::Unavailable),
        }
        assert!(Instant::now() < deadline, "outage never ended");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(fx.report().rpcs_unavailable >= 1);
    let mut stream = fx.open_stream(first_request(60)).await;
    assert_eq!(stream.read(10).await.len(), 10);
}

#[tokio::test]
async fn the_first_k_publishes_are_unavailable() {
    let mut cfg = config(1);
    cfg.faults.unavailable_publishes = 2;
    let mut fx = start(cfg).await;
    let request = PublishRequest {
        topic: TOPIC.to_string(),
        messages: vec![PubsubMessage {
            data: "x".into(),
            ..PubsubMessage::default()
        }],
    };
    for _ in 0..2 {
        let err = fx.publisher.publish(request.clone()).await.unwrap_err();
        assert_eq!(err.code(), Code::Unavailable);
    }
    assert!(fx.publisher.publish(request).await.is_ok());
    let report = fx.report();
    assert_eq!(report.publishes_unavailable, 2);
    assert_eq!(report.published_messages, 1);
}

#[tokio::test]
async fn rejected_acks_are_redelivered_until_an_ack_is_taken() {
    let n = 200;
    let mut cfg = config(n);
    cfg.faults.reject_ack_share = 0.3;
    let mut fx = start(cfg).await;
    let mut stream = fx.open_stream(first_request(1)).await;
    let mut deliveries = 0;
    let mut distinct = HashSet::new();
    while fx.report().acked_once < u64::from(n) {
        if let Some(batch) = stream.next_within(Duration::from_millis(200)).await {
            deliveries += batch.len();
            distinct.extend(message_ids(&batch));
            stream.ack(&batch).await;
        }
    }
    let report = fx.report();
    assert_eq!(distinct.len(), n as usize);
    assert!(report.acks_rejected > 0, "{report:?}");
    assert_eq!(report.redelivered, report.acks_rejected);
    assert_eq!(deliveries as u64, report.served);
    assert_eq!(report.acked_more_than_once, 0);
    assert_eq!(report.never_acked, 0);
}
