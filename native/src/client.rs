//! gRPC channels to Pub/Sub: plaintext to the emulator, TLS (rustls with
//! compiled-in roots) plus a bearer token to the real endpoint. Subscriber
//! sessions and publishers build their channels here from the same settings.

use crate::auth::{credentials_for, ServiceAccount};
use crate::config::SessionConfig;
use crate::error::{error_chain, NativeError};
use crate::proto::google::pubsub::v1::publisher_client::PublisherClient;
use crate::proto::google::pubsub::v1::subscriber_client::SubscriberClient;
use crate::publish::config::PublisherConfig;
use std::sync::Arc;
use std::time::Duration;
use tonic::metadata::MetadataValue;
use tonic::service::interceptor::InterceptedService;
use tonic::service::Interceptor;
use tonic::transport::{Channel, ClientTlsConfig, Endpoint};
use tonic::{Request, Status};

/// Pub/Sub responses reach 20 MB; tonic's default limit is 4 MiB.
pub const MAX_MESSAGE_SIZE: usize = 64 * 1024 * 1024;
/// HTTP/2 pings as Google's own Pub/Sub clients send them. gRPC servers
/// (grpc-java's default, the emulator's) answer pings more frequent than
/// every 5 min with GOAWAY, which kills every stream on the connection; the
/// StreamingPull heartbeat keeps idle streams open meanwhile.
const KEEPALIVE: Duration = Duration::from_secs(300);

/// A channel that adds the credentials to every request.
pub type AuthChannel = InterceptedService<Channel, Auth>;
pub type PubSubClient = SubscriberClient<AuthChannel>;
pub type TopicClient = PublisherClient<AuthChannel>;

/// Where and how to reach Pub/Sub: what the session and publisher configs share.
pub trait Connection {
    fn endpoint(&self) -> &str;
    fn emulator_host(&self) -> Option<&str>;
    fn credentials_path(&self) -> Option<&str>;
    fn connect_timeout(&self) -> Duration;
}

/// Both configs hold the connection settings under the same field names.
macro_rules! impl_connection {
    ($config:ty) => {
        impl Connection for $config {
            fn endpoint(&self) -> &str {
                &self.endpoint
            }
            fn emulator_host(&self) -> Option<&str> {
                self.emulator_host.as_deref()
            }
            fn credentials_path(&self) -> Option<&str> {
                self.credentials_path.as_deref()
            }
            fn connect_timeout(&self) -> Duration {
                Duration::from_millis(self.connect_timeout_ms.unsigned_abs())
            }
        }
    };
}

impl_connection!(SessionConfig);
impl_connection!(PublisherConfig);

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

/// Where the channel connects, as shown in error messages.
pub fn target(config: &impl Connection) -> String {
    match config.emulator_host() {
        Some(host) => format!("http://{host}"),
        None if config.endpoint().contains("://") => config.endpoint().to_string(),
        None => format!("https://{}", config.endpoint()),
    }
}

fn endpoint(config: &impl Connection) -> Result<Endpoint, NativeError> {
    let target = target(config);
    let connect_error = |cause: String| NativeError::Connect {
        endpoint: target.clone(),
        cause,
    };
    let mut endpoint = Endpoint::from_shared(target.clone())
        .map_err(|e| connect_error(error_chain(&e)))?
        .connect_timeout(config.connect_timeout())
        .tcp_nodelay(true)
        .http2_keep_alive_interval(KEEPALIVE)
        .keep_alive_while_idle(true)
        .http2_adaptive_window(true);
    if config.emulator_host().is_none() {
        let host = endpoint.uri().host().unwrap_or_default().to_string();
        let tls = ClientTlsConfig::new().with_webpki_roots().domain_name(host);
        endpoint = endpoint
            .tls_config(tls)
            .map_err(|e| connect_error(error_chain(&e)))?;
    }
    Ok(endpoint)
}

fn with_auth(config: &impl Connection, channel: Channel) -> Result<AuthChannel, NativeError> {
    let auth = Auth {
        account: credentials_for(config)?.map(Arc::new),
    };
    Ok(InterceptedService::new(channel, auth))
}

/// A channel that connects on first use. Must run inside the runtime.
pub fn lazy_channel(config: &impl Connection) -> Result<AuthChannel, NativeError> {
    with_auth(config, endpoint(config)?.connect_lazy())
}

/// A channel connected now, bounded by `connect_timeout_ms`.
pub async fn connected_channel(config: &impl Connection) -> Result<AuthChannel, NativeError> {
    let endpoint = endpoint(config)?;
    let timeout = config.connect_timeout();
    let channel = tokio::time::timeout(timeout, endpoint.connect())
        .await
        .map_err(|_| NativeError::Connect {
            endpoint: target(config),
            cause: format!("no connection within {} ms", timeout.as_millis()),
        })?
        .map_err(|e| NativeError::Connect {
            endpoint: target(config),
            cause: error_chain(&e),
        })?;
    with_auth(config, channel)
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
