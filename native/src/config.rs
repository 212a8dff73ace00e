//! The session config JSON sent by Java (see docs/architecture.md). Java's
//! `OptionCatalog` owns every option's bounds and validates them at `load()`;
//! this side checks only the JSON's shape (no unknown keys, a well-formed
//! subscription name) and converts values without panicking.

use crate::connection::impl_connection;
use crate::error::NativeError;
use serde::Deserialize;
use std::time::Duration;

/// Pub/Sub accepts ack deadlines from 10 to 600 seconds.
const MIN_ACK_DEADLINE_SECS: i64 = 10;
const MAX_ACK_DEADLINE_SECS: i64 = 600;
const PREFERRED_STREAM_DEADLINE_SECS: i64 = 60;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionConfig {
    pub subscription: String,
    #[serde(default = "default_endpoint")]
    pub endpoint: String,
    #[serde(default)]
    pub emulator_host: Option<String>,
    #[serde(default)]
    pub credentials_path: Option<String>,
    #[serde(default = "default_max_outstanding_messages")]
    pub max_outstanding_messages: i64,
    #[serde(default = "default_max_outstanding_bytes")]
    pub max_outstanding_bytes: i64,
    #[serde(default = "default_max_ack_extension_seconds")]
    pub max_ack_extension_seconds: i64,
    #[serde(default = "default_connect_timeout_ms")]
    pub connect_timeout_ms: i64,
    /// How long `fetch` tolerates having no working stream before it fails;
    /// unset (Java always sets it, from `unreachableTimeoutMs`) never fails.
    #[serde(default)]
    pub unreachable_timeout_ms: Option<i64>,
}

pub(crate) fn default_endpoint() -> String {
    "https://pubsub.googleapis.com".to_string()
}
fn default_max_outstanding_messages() -> i64 {
    100_000
}
fn default_max_outstanding_bytes() -> i64 {
    100 * 1024 * 1024
}
fn default_max_ack_extension_seconds() -> i64 {
    3600
}
pub(crate) fn default_connect_timeout_ms() -> i64 {
    10_000
}

impl_connection!(SessionConfig);

impl SessionConfig {
    pub fn from_json(json: &str) -> Result<Self, NativeError> {
        let config: SessionConfig =
            serde_json::from_str(json).map_err(|e| NativeError::Config(e.to_string()))?;
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), NativeError> {
        let parts: Vec<&str> = self.subscription.split('/').collect();
        let well_formed = parts.len() == 4
            && parts[0] == "projects"
            && parts[2] == "subscriptions"
            && !parts[1].is_empty()
            && !parts[3].is_empty();
        if !well_formed {
            return Err(NativeError::Config(format!(
                "subscription '{}' is not of the form projects/<project>/subscriptions/<name>",
                self.subscription
            )));
        }
        Ok(())
    }

    /// The ack deadline requested on the stream and used for lease extensions:
    /// 60 s, but never past `max_ack_extension_seconds` when that is a valid deadline.
    pub fn stream_ack_deadline_seconds(&self) -> i32 {
        let mut secs = PREFERRED_STREAM_DEADLINE_SECS;
        if self.max_ack_extension_seconds >= MIN_ACK_DEADLINE_SECS {
            secs = secs.min(self.max_ack_extension_seconds);
        }
        // The clamp keeps the value in 10..=600, so the cast cannot truncate.
        secs.clamp(MIN_ACK_DEADLINE_SECS, MAX_ACK_DEADLINE_SECS) as i32
    }

    pub fn stream_ack_deadline(&self) -> Duration {
        Duration::from_secs(self.stream_ack_deadline_seconds().unsigned_abs().into())
    }

    pub fn max_ack_extension(&self) -> Duration {
        Duration::from_secs(self.max_ack_extension_seconds.unsigned_abs())
    }

    pub fn unreachable_timeout(&self) -> Option<Duration> {
        self.unreachable_timeout_ms
            .map(|ms| Duration::from_millis(ms.unsigned_abs()))
    }

    pub fn max_outstanding_messages(&self) -> usize {
        usize::try_from(self.max_outstanding_messages).unwrap_or(usize::MAX)
    }

    pub fn max_outstanding_bytes(&self) -> usize {
        usize::try_from(self.max_outstanding_bytes).unwrap_or(usize::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(json: &str) -> Result<SessionConfig, NativeError> {
        SessionConfig::from_json(json)
    }

    #[test]
    fn defaults_apply_when_only_the_subscription_is_given() {
        let c = config(r#"{"subscription":"projects/p/subscriptions/s"}"#).unwrap();
        assert_eq!(c.endpoint, "https://pubsub.googleapis.com");
        assert_eq!(c.max_outstanding_messages, 100_000);
        assert_eq!(c.stream_ack_deadline_seconds(), 60);
        assert!(c.emulator_host.is_none());
        assert_eq!(
            c.unreachable_timeout(),
            None,
            "no limit unless Java sets one"
        );
    }

    #[test]
    fn stream_deadline_follows_a_short_max_extension_and_stays_in_10_to_600() {
        let with = |ext: i64| {
            config(&format!(
                r#"{{"subscription":"projects/p/subscriptions/s","max_ack_extension_seconds":{ext}}}"#
            ))
            .unwrap()
            .stream_ack_deadline_seconds()
        };
        assert_eq!(with(30), 30);
        assert_eq!(with(10), 10);
        assert_eq!(with(5), 60);
        assert_eq!(with(3600), 60);
    }

    #[test]
    fn a_malformed_subscription_an_unknown_key_and_bad_json_are_rejected() {
        let err = config(r#"{"subscription":"s"}"#).unwrap_err().to_string();
        assert!(
            err.contains("projects/<project>/subscriptions/<name>"),
            "{err}"
        );
        let err = config(r#"{"subscription":"projects/p/subscriptions/s","max_outstanding":1}"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("unknown field `max_outstanding`"), "{err}");
        assert!(config("{").is_err());
    }

    /// Java accepts `maxAckExtensionSeconds=0` (never extend a lease); so must this side.
    #[test]
    fn values_java_accepts_at_its_lower_bounds_are_accepted() {
        let c = config(
            r#"{"subscription":"projects/p/subscriptions/s","max_ack_extension_seconds":0}"#,
        )
        .unwrap();
        assert_eq!(c.max_ack_extension(), Duration::ZERO);
        assert_eq!(c.stream_ack_deadline_seconds(), 60);
    }
}
