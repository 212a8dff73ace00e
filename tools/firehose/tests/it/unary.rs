//! Pull, Acknowledge, ModifyAckDeadline, GetSubscription, Publish, GetTopic.

use crate::common::{config, message_ids, start, SUBSCRIPTION, TOPIC};
use firehose::proto::client::google::pubsub::v1::{
    AcknowledgeRequest, GetSubscriptionRequest, GetTopicRequest, ListTopicsRequest,
    ModifyAckDeadlineRequest, PublishRequest, PubsubMessage, PullRequest,
};
use std::collections::HashSet;
use tonic::Code;

fn pull(max: i32) -> PullRequest {
    PullRequest {
        subscription: SUBSCRIPTION.to_string(),
        max_messages: max,
        ..PullRequest::default()
    }
}

#[tokio::test]
async fn pull_acknowledge_and_nack_by_rpc() {
    let mut fx = start(config(8)).await;
    let first = fx
        .subscriber
        .pull(pull(5))
        .await
        .expect("pull")
        .into_inner();
    assert_eq!(first.received_messages.len(), 5);
    let m = first.received_messages[0]
        .message
        .as_ref()
        .expect("message");
    assert_eq!(m.data.len(), 100);
    assert_eq!(m.attributes.len(), 1);
    let rest = fx
        .subscriber
        .pull(pull(5))
        .await
        .expect("pull")
        .into_inner();
    assert_eq!(rest.received_messages.len(), 3);

    let ack_ids = |ms: &[_]| crate::common::ack_ids(ms);
    fx.subscriber
        .acknowledge(AcknowledgeRequest {
            subscription: SUBSCRIPTION.to_string(),
            ack_ids: ack_ids(&first.received_messages),
        })
        .await
        .expect("acknowledge");
    fx.subscriber
        .modify_ack_deadline(ModifyAckDeadlineRequest {
            subscription: SUBSCRIPTION.to_string(),
            ack_ids: ack_ids(&rest.received_messages[..1]),
            ack_deadline_seconds: 0,
        })
        .await
        .expect("nack");
    let again = fx
        .subscriber
        .pull(pull(5))
        .await
        .expect("pull")
        .into_inner();
    assert_eq!(
        message_ids(&again.received_messages),
        message_ids(&rest.received_messages[..1])
    );
    let report = fx.report();
    assert_eq!(report.acked_once, 5);
    assert_eq!(report.nacked, 1);
    assert_eq!(report.redelivered, 1);
}

#[tokio::test]
async fn pull_rejects_a_bad_subscription_and_zero_max_messages() {
    let mut fx = start(config(1)).await;
    let bad = PullRequest {
        subscription: "firehose-sub".to_string(),
        max_messages: 1,
        ..PullRequest::default()
    };
    let err = fx.subscriber.pull(bad).await.unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument);
    assert!(err.message().contains("firehose-sub"), "{}", err.message());
    let err = fx.subscriber.pull(pull(0)).await.unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument);
}

#[tokio::test]
async fn get_subscription_answers_any_well_formed_name_with_the_ack_deadline() {
    let mut cfg = config(1);
    cfg.ack_deadline_secs = 42;
    let mut fx = start(cfg).await;
    let sub = fx
        .subscriber
        .get_subscription(GetSubscriptionRequest {
            subscription: "projects/any/subscriptions/whatever".to_string(),
        })
        .await
        .expect("get")
        .into_inner();
    assert_eq!(sub.name, "projects/any/subscriptions/whatever");
    assert_eq!(sub.ack_deadline_seconds, 42);
    let topic = fx
        .publisher
        .get_topic(GetTopicRequest {
            topic: TOPIC.to_string(),
        })
        .await
        .expect("get topic")
        .into_inner();
    assert_eq!(topic.name, TOPIC);
}

#[tokio::test]
async fn publish_counts_messages_and_bytes_and_returns_distinct_ids() {
    let mut fx = start(config(1)).await;
    let mut ids = HashSet::new();
    for _ in 0..2 {
        let request = PublishRequest {
            topic: TOPIC.to_string(),
            messages: (0..3)
                .map(|i| PubsubMessage {
                    data: vec![b'x'; 10 + i].into(),
                    ..PubsubMessage::default()
                })
                .collect(),
        };
        let response = fx.publisher.publish(request).await.expect("publish");
        ids.extend(response.into_inner().message_ids);
    }
    assert_eq!(ids.len(), 6);
    let report = fx.report();
    assert_eq!(report.published_messages, 6);
    assert_eq!(report.published_bytes, 2 * (10 + 11 + 12));
    assert_eq!(report.publish_requests, 2);
}

#[tokio::test]
async fn publish_rejects_empty_and_oversized_requests() {
    let mut fx = start(config(1)).await;
    let empty = PublishRequest {
        topic: TOPIC.to_string(),
        messages: vec![],
    };
    let err = fx.publisher.publish(empty).await.unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument);
    let too_many = PublishRequest {
        topic: TOPIC.to_string(),
        messages: vec![PubsubMessage::default(); 1001],
    };
    let err = fx.publisher.publish(too_many).await.unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument);
    assert!(err.message().contains("1001"), "{}", err.message());
}

#[tokio::test]
async fn other_rpcs_are_unimplemented() {
    let mut fx = start(config(1)).await;
    let err = fx
        .publisher
        .list_topics(ListTopicsRequest {
            project: "projects/test-proj".to_string(),
            ..ListTopicsRequest::default()
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::Unimplemented);
}
