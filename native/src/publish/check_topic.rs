//! The driver-side fail-fast check behind `checkTopic`.

use crate::client::connected_topic_client;
use crate::connection::target;
use crate::error::NativeError;
use crate::proto::google::pubsub::v1::GetTopicRequest;
use crate::publish::config::PublisherConfig;
use crate::runtime::runtime;
use std::time::Duration;
use tonic::Code;

const RPC_TIMEOUT: Duration = Duration::from_secs(30);

/// Connects, reads the config's topic and returns its full name.
pub fn check_topic(config_json: &str) -> Result<String, NativeError> {
    let config = PublisherConfig::from_json(config_json)?;
    let topic = config.topic.clone().ok_or_else(|| {
        NativeError::PublisherConfig("checkTopic needs a topic, but topic is null".to_string())
    })?;
    runtime()?.block_on(check(&config, topic))
}

async fn check(config: &PublisherConfig, topic: String) -> Result<String, NativeError> {
    let mut client = connected_topic_client(config).await?;
    let mut request = tonic::Request::new(GetTopicRequest {
        topic: topic.clone(),
    });
    request.set_timeout(RPC_TIMEOUT);
    let found = client
        .get_topic(request)
        .await
        .map_err(|status| match status.code() {
            Code::NotFound => NativeError::TopicNotFound(topic.clone()),
            Code::Unavailable => NativeError::Connect {
                endpoint: target(config),
                cause: status.message().to_string(),
            },
            code => NativeError::TopicRpc {
                op: "GetTopic",
                topic: topic.clone(),
                code,
                message: status.message().to_string(),
            },
        })?
        .into_inner();
    Ok(found.name)
}
