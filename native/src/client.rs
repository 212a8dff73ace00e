//! gRPC channels to Pub/Sub with the credentials added: the endpoint of
//! `connection` plus a bearer token on every request to the real endpoint.
//! Subscriber sessions and publishers build their clients here.

use crate::auth::{credentials_for, ServiceAccount};
use crate::config::SessionConfig;
use crate::connection::{endpoint, target, Connection};
use crate::error::{error_chain, NativeError};
use crate::proto::google::pubsub::v1::publisher_client::PublisherClient;
use crate::proto::google::pubsub::v1::subscriber_client::SubscriberClient;
use std::sync::Arc;
use tonic::metadata::MetadataValue;
use tonic::service::interceptor::InterceptedService;
use tonic::service::Interceptor;
use tonic::transport::{Channel, Endpoint};
use tonic::{Request, Status};

/// Pub/Sub responses reach 20 MB; tonic's default limit is 4 MiB.
pub const MAX_MESSAGE_SIZE: usize = 64 * 1024 * 1024;

/// A channel that adds the credentials to every request.
pub type AuthChannel = InterceptedService<Channel, Auth>;
pub type PubSubClient = SubscriberClient<AuthChannel>;
pub type TopicClient = PublisherClient<AuthChannel>;

/// Adds the bearer token to every request when credentials are configured.
#[derive(Clone, Debug, Default)]
pub struct Auth {
    account: Option<Arc<ServiceAccount>>,
}

impl Interceptor for Auth {
    fn call(&mut self, mut request: Request<()>) -> Result<Request<()>, Status> {
        if let Some(account) = &self.account {
            let bearer = account.bearer().map_err(Status::unauthenticated)?;
            let value = MetadataValue::try_from(bearer)
                .map_err(|e| Status::unauthenticated(e.to_string()))?;
            request.metadata_mut().insert("authorization", value);
        }
        Ok(request)
    }
}

impl Auth {
    /// The credentials `config` calls for (none to a plaintext target); reads
    /// the key file now.
    pub fn for_config(config: &impl Connection) -> Result<Auth, NativeError> {
        Ok(Auth {
            account: credentials_for(config)?.map(Arc::new),
        })
    }

    /// `channel` with these credentials added to every request.
    pub fn wrap(&self, channel: Channel) -> AuthChannel {
        InterceptedService::new(channel, self.clone())
    }
}

/// A channel that connects on first use. Must run inside the runtime.
pub fn lazy_channel(config: &impl Connection) -> Result<AuthChannel, NativeError> {
    let channel = endpoint(config)?.connect_lazy();
    Ok(Auth::for_config(config)?.wrap(channel))
}

/// Connects `endpoint` (built from `config`) now, bounded by `connect_timeout_ms`.
pub async fn connect(
    config: &impl Connection,
    endpoint: &Endpoint,
) -> Result<Channel, NativeError> {
    let timeout = config.connect_timeout();
    tokio::time::timeout(timeout, endpoint.connect())
        .await
        .map_err(|_| NativeError::Connect {
            endpoint: target(config),
            cause: format!("no connection within {} ms", timeout.as_millis()),
        })?
        .map_err(|e| NativeError::Connect {
            endpoint: target(config),
            cause: error_chain(&e),
        })
}

/// A channel connected now, bounded by `connect_timeout_ms`.
pub async fn connected_channel(config: &impl Connection) -> Result<AuthChannel, NativeError> {
    let channel = connect(config, &endpoint(config)?).await?;
    Ok(Auth::for_config(config)?.wrap(channel))
}

fn subscriber(channel: AuthChannel) -> PubSubClient {
    SubscriberClient::new(channel)
        .max_decoding_message_size(MAX_MESSAGE_SIZE)
        .max_encoding_message_size(MAX_MESSAGE_SIZE)
}

/// A client connected now, bounded by `connect_timeout_ms`.
pub async fn connected_client(config: &SessionConfig) -> Result<PubSubClient, NativeError> {
    Ok(subscriber(connected_channel(config).await?))
}

/// A topic-admin client (GetTopic) connected now, bounded by `connect_timeout_ms`.
pub async fn connected_topic_client(config: &impl Connection) -> Result<TopicClient, NativeError> {
    Ok(PublisherClient::new(connected_channel(config).await?))
}
