//! The driver-side fail-fast check behind `checkSubscription`.

use crate::client::connected_client;
use crate::config::SessionConfig;
use crate::connection::target;
use crate::error::NativeError;
use crate::proto::google::pubsub::v1::GetSubscriptionRequest;
use crate::runtime::runtime;
use std::time::Duration;
use tonic::Code;

const RPC_TIMEOUT: Duration = Duration::from_secs(30);

/// Connects, reads the subscription and returns the JSON of architecture.md.
pub fn check_subscription(config_json: &str) -> Result<String, NativeError> {
    let config = SessionConfig::from_json(config_json)?;
    runtime()?.block_on(check(&config))
}

async fn check(config: &SessionConfig) -> Result<String, NativeError> {
    let mut client = connected_client(config).await?;
    let mut request = tonic::Request::new(GetSubscriptionRequest {
        subscription: config.subscription.clone(),
    });
    request.set_timeout(RPC_TIMEOUT);
    let subscription = client
        .get_subscription(request)
        .await
        .map_err(|status| match status.code() {
            Code::NotFound => NativeError::SubscriptionNotFound(config.subscription.clone()),
            Code::Unavailable => NativeError::Connect {
                endpoint: target(config),
                cause: status.message().to_string(),
            },
            code => NativeError::Rpc {
                op: "GetSubscription",
                subscription: config.subscription.clone(),
                code,
                message: status.message().to_string(),
            },
        })?
        .into_inner();
    Ok(serde_json::json!({
        "ack_deadline_seconds": subscription.ack_deadline_seconds,
        "message_ordering": subscription.enable_message_ordering,
        "dead_letter_policy": subscription.dead_letter_policy.is_some(),
    })
    .to_string())
}
