//! Credentials for the real endpoint: a service-account JSON key signs a
//! self-signed JWT (RS256) that is sent as the bearer token; no token exchange
//! and no network round trip are needed.

use crate::connection::{is_plaintext, target, Connection};
use crate::error::NativeError;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use ring::rand::SystemRandom;
use ring::signature::{RsaKeyPair, RSA_PKCS1_SHA256};
use serde::Deserialize;
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const AUDIENCE: &str = "https://pubsub.googleapis.com/";
const TOKEN_LIFETIME_SECS: u64 = 3600;
/// Tokens are renewed well before they expire.
const TOKEN_REUSE: Duration = Duration::from_secs(45 * 60);
const ADC_ENV: &str = "GOOGLE_APPLICATION_CREDENTIALS";

#[derive(Deserialize)]
struct KeyFile {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    client_email: String,
    #[serde(default)]
    private_key: String,
    #[serde(default)]
    private_key_id: String,
}

pub struct ServiceAccount {
    email: String,
    key_id: String,
    key: RsaKeyPair,
    rng: SystemRandom,
    /// The current "Bearer ..." value and when it was signed.
    cached: Mutex<Option<(String, SystemTime)>>,
}

impl std::fmt::Debug for ServiceAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServiceAccount")
            .field("email", &self.email)
            .finish()
    }
}

/// The credentials to use for `config`: none for the emulator, otherwise the
/// service-account key from `credentials_path` or `GOOGLE_APPLICATION_CREDENTIALS`.
/// A plaintext `http://` endpoint never carries a token: it gets none, and an
/// explicit `credentials_path` with it is refused.
pub fn credentials_for(config: &impl Connection) -> Result<Option<ServiceAccount>, NativeError> {
    if config.emulator_host().is_some() {
        return Ok(None);
    }
    if is_plaintext(config) {
        return match config.credentials_path() {
            None => Ok(None),
            Some(path) => Err(NativeError::Config(format!(
                "endpoint '{}' is plaintext HTTP: the token of credentials '{path}' would travel \
                 in clear text; use an https:// endpoint, or emulator_host for an emulator",
                target(config)
            ))),
        };
    }
    let path = match config.credentials_path() {
        Some(path) => path.to_string(),
        None => std::env::var(ADC_ENV).map_err(|_| {
            NativeError::Auth(format!(
                "no credentials for {}: set the credentials option (or {ADC_ENV}) to a \
                 service-account JSON key file; Application Default Credentials from the \
                 metadata server or a gcloud user login are not supported yet",
                config.endpoint()
            ))
        })?,
    };
    let json = std::fs::read_to_string(&path)
        .map_err(|e| NativeError::Auth(format!("cannot read credentials file '{path}': {e}")))?;
    ServiceAccount::from_json(&json)
        .map(Some)
        .map_err(|e| NativeError::Auth(format!("credentials file '{path}': {e}")))
}

impl ServiceAccount {
    pub fn from_json(json: &str) -> Result<Self, String> {
        let file: KeyFile = serde_json::from_str(json).map_err(|e| e.to_string())?;
        if file.kind != "service_account" {
            return Err(format!(
                "credentials-based auth to the real endpoint is not supported yet for \
                 credential type '{}'; use a service-account JSON key",
                file.kind
            ));
        }
        if file.client_email.is_empty() || file.private_key.is_empty() {
            return Err("service-account key lacks client_email or private_key".to_string());
        }
        let der = pem_to_der(&file.private_key)?;
        let key = RsaKeyPair::from_pkcs8(&der)
            .map_err(|e| format!("private_key is not a PKCS#8 RSA key: {e}"))?;
        Ok(ServiceAccount {
            email: file.client_email,
            key_id: file.private_key_id,
            key,
            rng: SystemRandom::new(),
            cached: Mutex::new(None),
        })
    }

    /// The `authorization` header value, signing a new token when needed.
    pub fn bearer(&self) -> Result<String, String> {
        let now = SystemTime::now();
        let mut cached = self
            .cached
            .lock()
            .map_err(|_| "token cache poisoned".to_string())?;
        if let Some((value, signed)) = cached.as_ref() {
            if now.duration_since(*signed).unwrap_or(Duration::MAX) < TOKEN_REUSE {
                return Ok(value.clone());
            }
        }
        let unix = now
            .duration_since(UNIX_EPOCH)
            .map_err(|e| e.to_string())?
            .as_secs();
        let value = format!("Bearer {}", self.sign_jwt(unix)?);
        *cached = Some((value.clone(), now));
        Ok(value)
    }

    fn sign_jwt(&self, issued_at: u64) -> Result<String, String> {
        let header = serde_json::json!({"alg": "RS256", "typ": "JWT", "kid": self.key_id});
        let claims = serde_json::json!({
            "iss": self.email,
            "sub": self.email,
            "aud": AUDIENCE,
            "iat": issued_at,
            "exp": issued_at + TOKEN_LIFETIME_SECS,
        });
        let signing_input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let mut signature = vec![0u8; self.key.public().modulus_len()];
        self.key
            .sign(
                &RSA_PKCS1_SHA256,
                &self.rng,
                signing_input.as_bytes(),
                &mut signature,
            )
            .map_err(|_| "RSA signing failed".to_string())?;
        Ok(format!(
            "{signing_input}.{}",
            URL_SAFE_NO_PAD.encode(signature)
        ))
    }
}

fn pem_to_der(pem: &str) -> Result<Vec<u8>, String> {
    let body: String = pem
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with("-----"))
        .collect();
    STANDARD
        .decode(body)
        .map_err(|e| format!("private_key is not valid PEM: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::SessionConfig;
    use ring::signature::{UnparsedPublicKey, RSA_PKCS1_2048_8192_SHA256};

    const KEY_JSON: &str = include_str!("../tests/data/service_account_test_key.json");
    const PUBLIC_KEY: &[u8] = include_bytes!("../tests/data/service_account_test_key.pub.der");

    fn decode_json(part: &str) -> serde_json::Value {
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
    }

    #[test]
    fn service_account_key_signs_a_verifiable_rs256_jwt_for_pubsub() {
        let account = ServiceAccount::from_json(KEY_JSON).unwrap();
        let bearer = account.bearer().unwrap();
        let jwt = bearer.strip_prefix("Bearer ").unwrap();
        let parts: Vec<&str> = jwt.split('.').collect();
        assert_eq!(parts.len(), 3);
        let header = decode_json(parts[0]);
        assert_eq!(header["alg"], "RS256");
        assert_eq!(header["kid"], "test-key-id");
        let claims = decode_json(parts[1]);
        assert_eq!(claims["aud"], AUDIENCE);
        assert_eq!(claims["iss"], "reader@test-proj.iam.gserviceaccount.com");
        assert_eq!(
            claims["exp"].as_u64().unwrap() - claims["iat"].as_u64().unwrap(),
            3600
        );
        let signature = URL_SAFE_NO_PAD.decode(parts[2]).unwrap();
        let signed = format!("{}.{}", parts[0], parts[1]);
        UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, PUBLIC_KEY)
            .verify(signed.as_bytes(), &signature)
            .unwrap();
        assert_eq!(account.bearer().unwrap(), bearer, "token is cached");
    }

    #[test]
    fn non_service_account_credentials_fail_clearly() {
        let err = ServiceAccount::from_json(r#"{"type":"authorized_user"}"#).unwrap_err();
        assert!(err.contains("not supported yet"), "{err}");
        assert!(err.contains("authorized_user"), "{err}");
    }

    #[test]
    fn emulator_needs_no_credentials_and_missing_key_file_is_named() {
        let emu = SessionConfig::from_json(
            r#"{"subscription":"projects/p/subscriptions/s","emulator_host":"127.0.0.1:1"}"#,
        )
        .unwrap();
        assert!(credentials_for(&emu).unwrap().is_none());
        let real = SessionConfig::from_json(
            r#"{"subscription":"projects/p/subscriptions/s","credentials_path":"/nonexistent/key.json"}"#,
        )
        .unwrap();
        let err = credentials_for(&real).unwrap_err().to_string();
        assert!(err.contains("/nonexistent/key.json"), "{err}");
    }

    /// A plaintext endpoint never carries a token: an explicit key is
    /// refused, and no key is looked up (not even `GOOGLE_APPLICATION_CREDENTIALS`).
    #[test]
    fn a_plaintext_endpoint_refuses_a_key_and_never_looks_one_up() {
        let with_key = SessionConfig::from_json(
            r#"{"subscription":"projects/p/subscriptions/s","endpoint":"http://pubsub.example:8080",
                "credentials_path":"tests/data/service_account_test_key.json"}"#,
        )
        .unwrap();
        let err = credentials_for(&with_key).unwrap_err();
        assert!(matches!(err, NativeError::Config(_)), "{err:?}");
        let text = err.to_string();
        assert!(
            text.contains("'http://pubsub.example:8080'") && text.contains("clear text"),
            "{text}"
        );
        let without_key = SessionConfig::from_json(
            r#"{"subscription":"projects/p/subscriptions/s","endpoint":"HTTP://pubsub.example:8080"}"#,
        )
        .unwrap();
        assert!(credentials_for(&without_key).unwrap().is_none());
    }
}
