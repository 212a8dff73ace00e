//! Each injected fault, seen from a client.

use crate::common::{ack_ids, config, first_request, message_ids, start, SUBSCRIPTION, TOPIC};
use firehose::proto::client::google::pubsub::v1::{
    AcknowledgeRequest, GetSubscriptionRequest, PublishRequest, PubsubMessage,
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
async fn a_signalled_outage_ends_a_waiting_stream_and_refuses_new_rpcs_until_it_is_over() {
    let mut cfg = config(10);
    cfg.faults.outage_on_signal = Duration::from_millis(800);
    let mut fx = start(cfg).await;
    let mut stream = fx.open_stream(first_request(60)).await;
    assert_eq!(stream.read(10).await.len(), 10);
    // Everything is delivered: the stream now waits, and the outage must end it.
    assert!(fx.running.firehose.faults.start_outage());
    let status = stream
        .responses
        .message()
        .await
        .expect_err("the stream ends with an error");
    assert_eq!(status.code(), Code::Unavailable, "{status}");
    let get = || GetSubscriptionRequest {
        subscription: SUBSCRIPTION.to_string(),
    };
    let err = fx.subscriber.get_subscription(get()).await.unwrap_err();
    assert_eq!(err.code(), Code::Unavailable);
    tokio::time::sleep(Duration::from_millis(900)).await;
    assert!(fx.subscriber.get_subscription(get()).await.is_ok());
    let report = fx.report();
    assert_eq!((report.outages, report.streams_dropped), (1, 1));
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

#[tokio::test]
async fn the_first_k_acknowledge_calls_fail_and_leave_their_ids_leased() {
    let mut cfg = config(30);
    cfg.faults.fail_first_acks = 4;
    let mut fx = start(cfg).await;
    let mut stream = fx.open_stream(first_request(60)).await;
    let got = stream.read(30).await;
    assert_eq!(got.len(), 30);
    let acknowledge = |ms: &[_]| AcknowledgeRequest {
        subscription: SUBSCRIPTION.to_string(),
        ack_ids: ack_ids(ms),
    };
    // Acks on the stream are not Acknowledge calls: they are taken meanwhile.
    stream.ack(&got[..5]).await;
    fx.wait_report("the stream's acks", |r| r.acked_once == 5)
        .await;
    for _ in 0..4 {
        let err = fx
            .subscriber
            .acknowledge(acknowledge(&got[5..]))
            .await
            .unwrap_err();
        assert_eq!(err.code(), Code::Unavailable, "{err}");
        assert!(err.message().contains("--fail-first-acks"), "{err}");
    }
    let report = fx.report();
    assert_eq!(report.acked_once, 5, "a failed call acked nothing");
    assert_eq!(report.outstanding, 25, "its ids are still leased");
    assert_eq!((report.acks_failed, report.ack_ids_failed), (4, 100));
    fx.subscriber
        .acknowledge(acknowledge(&got[5..]))
        .await
        .expect("the fifth Acknowledge succeeds");
    let report = fx.report();
    assert_eq!(report.acked_once, 30);
    assert_eq!(report.acked_more_than_once, 0);
    assert_eq!(report.never_acked, 0);
    assert_eq!(report.redelivered, 0);
    assert_eq!(report.acks_failed, 4);
    assert_eq!(report.acks_rejected, 0);
}

/// (message id, deliveries, causes) of the messages served more than once.
fn redeliveries(fx: &crate::common::Fixture) -> Vec<String> {
    fx.running
        .firehose
        .redeliveries()
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[tokio::test]
async fn leases_of_a_dropped_stream_are_redelivered_as_stream_ended() {
    let mut cfg = config(3);
    cfg.faults.drop_stream_every = Some(3);
    let mut fx = start(cfg).await;
    let mut dropped = fx.open_stream(first_request(1)).await;
    assert_eq!(dropped.read(3).await.len(), 3);
    let err = dropped.responses.message().await.expect_err("dropped");
    assert_eq!(err.code(), Code::Unavailable, "{err}");
    // Unacked, the three lapse after 1 s and come again on the next stream.
    let mut next = fx.open_stream(first_request(60)).await;
    let again = next.read(3).await;
    next.ack(&again).await;
    fx.wait_report("the acks", |r| r.acked_once == 3).await;
    let line = |id| format!("{id} 2 lease_expired,stream_ended");
    assert_eq!(redeliveries(&fx), vec![line(1), line(2), line(3)]);
}

#[tokio::test]
async fn ids_of_a_failed_acknowledge_are_redelivered_as_ack_failed() {
    let mut cfg = config(2);
    cfg.faults.fail_first_acks = 1;
    let mut fx = start(cfg).await;
    let mut stream = fx.open_stream(first_request(1)).await;
    let got = stream.read(2).await;
    let request = AcknowledgeRequest {
        subscription: SUBSCRIPTION.to_string(),
        ack_ids: ack_ids(&got[..1]),
    };
    let err = fx.subscriber.acknowledge(request).await.unwrap_err();
    assert_eq!(err.code(), Code::Unavailable, "{err}");
    stream.ack(&got[1..]).await;
    let again = stream.read(1).await;
    assert_eq!(message_ids(&again), message_ids(&got[..1]));
    stream.ack(&again).await;
    fx.wait_report("the acks", |r| r.acked_once == 2).await;
    let id = &message_ids(&got[..1])[0];
    assert_eq!(
        redeliveries(&fx),
        vec![format!("{id} 2 lease_expired,ack_failed")]
    );
}
