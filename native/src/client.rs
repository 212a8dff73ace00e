//! gRPC channels to Pub/Sub: plaintext to the emulator, TLS (rustls with
//! compiled-in roots) plus a bearer token to the real endpoint.

use crate::auth::{credentials_for, ServiceAccount};
use crate::config::SessionConfig;
use crate::error::{error_chain, NativeError};
use crate::proto::google::pubsub::v1::subscriber_client::SubscriberClient;
use std::sync::Arc;
use std::time::Duration;
use tonic::metadata::MetadataValue;
use tonic::service::interceptor::InterceptedService;
use tonic::service::Interceptor;
use tonic::transport::{Channel, ClientTlsConfig, Endpoint};
use tonic::{Request, Status};

/// Pub/Sub responses reach 20 MB; tonic's default limit is 4 MiB.
pub const MAX_MESSAGE_SIZE: usize = 64 * 1024 * 1024;
const KEEPALIVE: Duration = Duration::from_secs(30);

pub type PubSubClient = SubscriberClient<InterceptedService<Channel, Auth>>;

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
pub fn target(config: &SessionConfig) -> String {
    match &config.emulator_host {
        Some(host) => format!("http://{host}"),
        None if config.endpoint.contains("://") => config.endpoint.clone(),
        None => format!("https://{}", config.endpoint),
    }
}

fn endpoint(config: &SessionConfig) -> Result<Endpoint, NativeError> {
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
    if config.emulator_host.is_none() {
        let host = endpoint.uri().host().unwrap_or_default().to_string();
        let tls = ClientTlsConfig::new().with_webpki_roots().domain_name(host);
        endpoint = endpoint
            .tls_config(tls)
            .map_err(|e| connect_error(error_chain(&e)))?;
    }
    Ok(endpoint)
}

fn client(config: &SessionConfig, channel: Channel) -> Result<PubSubClient, NativeError> {
    let auth = Auth {
        account: credentials_for(config)?.map(Arc::new),
    };
    Ok(SubscriberClient::with_interceptor(channel, auth)
        .max_decoding_message_size(MAX_MESSAGE_SIZE)
        .max_encoding_message_size(MAX_MESSAGE_SIZE))
}

/// An authenticated channel, for calls that bring their own codec.
pub type AuthChannel = InterceptedService<Channel, Auth>;

/// An authenticated channel that connects on first use. Must run inside the runtime.
pub fn lazy_channel(config: &SessionConfig) -> Result<AuthChannel, NativeError> {
    let auth = Auth {
        account: credentials_for(config)?.map(Arc::new),
    };
    Ok(InterceptedService::new(
        endpoint(config)?.connect_lazy(),
        auth,
    ))
}

/// A client connected now, bounded by `connect_timeout_ms`.
pub async fn connected_client(config: &SessionConfig) -> Result<PubSubClient, NativeError> {
    let endpoint = endpoint(config)?;
    let channel = tokio::time::timeout(config.connect_timeout(), endpoint.connect())
        .await
        .map_err(|_| NativeError::Connect {
            endpoint: target(config),
            cause: format!("no connection within {} ms", config.connect_timeout_ms),
        })?
        .map_err(|e| NativeError::Connect {
            endpoint: target(config),
            cause: error_chain(&e),
        })?;
    client(config, channel)
}
