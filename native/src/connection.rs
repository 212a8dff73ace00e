//! Where and how to reach Pub/Sub: the settings the session and publisher
//! configs share, and the tonic endpoint they describe (plaintext to the
//! emulator, TLS with compiled-in roots to the real endpoint). Credentials
//! are added on top of it by `client`.

use crate::error::{error_chain, NativeError};
use std::time::Duration;
use tonic::transport::{ClientTlsConfig, Endpoint};

/// HTTP/2 pings as Google's own Pub/Sub clients send them. gRPC servers
/// (grpc-java's default, the emulator's) answer pings more frequent than
/// every 5 min with GOAWAY, which kills every stream on the connection; the
/// StreamingPull heartbeat keeps idle streams open meanwhile.
const KEEPALIVE: Duration = Duration::from_secs(300);

const PLAINTEXT_SCHEME: &str = "http://";

/// Where and how to reach Pub/Sub: what the session and publisher configs share.
pub trait Connection {
    fn endpoint(&self) -> &str;
    fn emulator_host(&self) -> Option<&str>;
    fn credentials_path(&self) -> Option<&str>;
    fn connect_timeout(&self) -> Duration;
}

/// Implements [`Connection`] for a config that holds the connection settings
/// under the keys of the config JSON (`endpoint`, `emulator_host`,
/// `credentials_path`, `connect_timeout_ms`).
macro_rules! impl_connection {
    ($config:ty) => {
        impl $crate::connection::Connection for $config {
            fn endpoint(&self) -> &str {
                &self.endpoint
            }
            fn emulator_host(&self) -> Option<&str> {
                self.emulator_host.as_deref()
            }
            fn credentials_path(&self) -> Option<&str> {
                self.credentials_path.as_deref()
            }
            fn connect_timeout(&self) -> std::time::Duration {
                std::time::Duration::from_millis(self.connect_timeout_ms.unsigned_abs())
            }
        }
    };
}
pub(crate) use impl_connection;

/// Where the channel connects, as shown in error messages.
pub fn target(config: &impl Connection) -> String {
    match config.emulator_host() {
        Some(host) => format!("http://{host}"),
        None if config.endpoint().contains("://") => config.endpoint().to_string(),
        None => format!("https://{}", config.endpoint()),
    }
}

/// Whether the channel to `config` is plaintext (the emulator, or an
/// `http://` endpoint): no token may travel over it.
pub fn is_plaintext(config: &impl Connection) -> bool {
    let target = target(config);
    target
        .get(..PLAINTEXT_SCHEME.len())
        .is_some_and(|scheme| scheme.eq_ignore_ascii_case(PLAINTEXT_SCHEME))
}

/// The endpoint to connect to: TLS unless it is plaintext.
pub fn endpoint(config: &impl Connection) -> Result<Endpoint, NativeError> {
    let target = target(config);
    let connect_error = |cause: String| NativeError::Connect {
        endpoint: target.clone(),
        cause,
    };
    let mut endpoint = Endpoint::from_shared(target.clone())
        .map_err(|e| {
            NativeError::Config(format!(
                "endpoint '{target}' is not a valid URI: {}",
                error_chain(&e)
            ))
        })?
        .connect_timeout(config.connect_timeout())
        .tcp_nodelay(true)
        .http2_keep_alive_interval(KEEPALIVE)
        .keep_alive_while_idle(true)
        .http2_adaptive_window(true);
    if !is_plaintext(config) {
        let host = endpoint.uri().host().unwrap_or_default().to_string();
        let tls = ClientTlsConfig::new().with_webpki_roots().domain_name(host);
        endpoint = endpoint
            .tls_config(tls)
            .map_err(|e| connect_error(error_chain(&e)))?;
    }
    Ok(endpoint)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::SessionConfig;

    #[test]
    fn an_endpoint_that_is_not_a_uri_is_a_config_error_not_a_connection_failure() {
        let config = SessionConfig::from_json(
            r#"{"subscription":"projects/p/subscriptions/s","endpoint":"https://bad host"}"#,
        )
        .unwrap();
        match endpoint(&config) {
            Err(NativeError::Config(message)) => {
                assert!(message.contains("'https://bad host'"), "{message}")
            }
            other => panic!("expected a config error, got {other:?}"),
        }
    }
}
