//! The publisher config JSON sent by Java (see docs/architecture.md, "Publisher").
//! Java validates the user's options first; this is the safety net.

use crate::connection::impl_connection;
use crate::error::NativeError;
use serde::Deserialize;
use std::time::Duration;

/// Pub/Sub accepts at most 1,000 messages and 10 MB per Publish request.
pub const MAX_BATCH_SIZE: i64 = 1_000;
pub const MAX_BATCH_BYTES: i64 = 10_000_000;
/// The backpressure bound must hold at least one full request.
pub const MIN_PENDING_BYTES: i64 = MAX_BATCH_BYTES;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Compression {
    None,
    Gzip,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublisherConfig {
    /// Default topic; rows may name their own.
    #[serde(default)]
    pub topic: Option<String>,
    #[serde(default = "crate::config::default_endpoint")]
    pub endpoint: String,
    #[serde(default)]
    pub emulator_host: Option<String>,
    #[serde(default)]
    pub credentials_path: Option<String>,
    #[serde(default = "crate::config::default_connect_timeout_ms")]
    pub connect_timeout_ms: i64,
    #[serde(default = "default_batch_size")]
    pub batch_size: i64,
    #[serde(default = "default_batch_bytes")]
    pub batch_bytes: i64,
    #[serde(default = "default_linger_ms")]
    pub linger_ms: i64,
    #[serde(default = "default_max_in_flight_batches")]
    pub max_in_flight_batches: i64,
    #[serde(default = "default_publish_timeout_ms")]
    pub publish_timeout_ms: i64,
    #[serde(default = "default_compression")]
    pub compression: Compression,
    #[serde(default = "default_max_pending_bytes")]
    pub max_pending_bytes: i64,
}

fn default_batch_size() -> i64 {
    MAX_BATCH_SIZE
}
fn default_batch_bytes() -> i64 {
    MAX_BATCH_BYTES
}
fn default_linger_ms() -> i64 {
    10
}
fn default_max_in_flight_batches() -> i64 {
    10
}
fn default_publish_timeout_ms() -> i64 {
    60_000
}
fn default_compression() -> Compression {
    Compression::None
}
fn default_max_pending_bytes() -> i64 {
    128 * 1024 * 1024
}

/// Whether `name` looks like `projects/<project>/topics/<topic>`.
pub fn is_topic_name(name: &str) -> bool {
    let mut parts = name.split('/');
    matches!(
        (parts.next(), parts.next(), parts.next(), parts.next(), parts.next()),
        (Some("projects"), Some(project), Some("topics"), Some(topic), None)
            if !project.is_empty() && !topic.is_empty()
    )
}

impl_connection!(PublisherConfig);

fn invalid(message: String) -> NativeError {
    NativeError::PublisherConfig(message)
}

impl PublisherConfig {
    pub fn from_json(json: &str) -> Result<Self, NativeError> {
        let config: PublisherConfig =
            serde_json::from_str(json).map_err(|e| invalid(e.to_string()))?;
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), NativeError> {
        if let Some(topic) = &self.topic {
            if !is_topic_name(topic) {
                return Err(invalid(format!(
                    "topic '{topic}' is not of the form projects/<project>/topics/<name>"
                )));
            }
        }
        let ranges = [
            ("connect_timeout_ms", self.connect_timeout_ms, 1, i64::MAX),
            ("batch_size", self.batch_size, 1, MAX_BATCH_SIZE),
            ("batch_bytes", self.batch_bytes, 1, MAX_BATCH_BYTES),
            ("linger_ms", self.linger_ms, 0, i64::MAX),
            (
                "max_in_flight_batches",
                self.max_in_flight_batches,
                1,
                i64::MAX,
            ),
            ("publish_timeout_ms", self.publish_timeout_ms, 1, i64::MAX),
            (
                "max_pending_bytes",
                self.max_pending_bytes,
                MIN_PENDING_BYTES,
                i64::MAX,
            ),
        ];
        for (name, value, min, max) in ranges {
            if value < min || value > max {
                let valid = if max == i64::MAX {
                    format!(">= {min}")
                } else {
                    format!("{min}..={max}")
                };
                return Err(invalid(format!("{name} must be {valid}, got {value}")));
            }
        }
        Ok(())
    }

    pub fn batch_size(&self) -> usize {
        usize::try_from(self.batch_size).unwrap_or(usize::MAX)
    }

    pub fn batch_bytes(&self) -> usize {
        usize::try_from(self.batch_bytes).unwrap_or(usize::MAX)
    }

    pub fn linger(&self) -> Duration {
        Duration::from_millis(self.linger_ms.unsigned_abs())
    }

    pub fn max_in_flight_batches(&self) -> usize {
        usize::try_from(self.max_in_flight_batches).unwrap_or(usize::MAX)
    }

    pub fn publish_timeout(&self) -> Duration {
        Duration::from_millis(self.publish_timeout_ms.unsigned_abs())
    }

    pub fn max_pending_bytes(&self) -> usize {
        usize::try_from(self.max_pending_bytes).unwrap_or(usize::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connection::Connection;

    fn config(json: &str) -> Result<PublisherConfig, String> {
        PublisherConfig::from_json(json).map_err(|e| e.to_string())
    }

    #[test]
    fn defaults_apply_when_only_the_topic_is_given() {
        let c = config(r#"{"topic":"projects/p/topics/t"}"#).unwrap();
        assert_eq!(c.batch_size(), 1_000);
        assert_eq!(c.batch_bytes(), 10_000_000);
        assert_eq!(c.linger(), Duration::from_millis(10));
        assert_eq!(c.max_in_flight_batches(), 10);
        assert_eq!(c.publish_timeout(), Duration::from_secs(60));
        assert_eq!(c.compression, Compression::None);
        assert_eq!(c.max_pending_bytes(), 134_217_728);
        assert_eq!(c.endpoint, "https://pubsub.googleapis.com");
        assert_eq!(c.connect_timeout(), Duration::from_secs(10));
    }

    #[test]
    fn every_documented_key_is_read() {
        let c = config(
            r#"{"topic":null,"endpoint":"e:443","emulator_host":"h:1","credentials_path":"/k.json",
                "connect_timeout_ms":5,"batch_size":7,"batch_bytes":9,"linger_ms":0,
                "max_in_flight_batches":2,"publish_timeout_ms":3,"compression":"gzip",
                "max_pending_bytes":10000000}"#,
        )
        .unwrap();
        assert!(c.topic.is_none());
        assert_eq!(c.emulator_host(), Some("h:1"));
        assert_eq!(c.credentials_path(), Some("/k.json"));
        assert_eq!((c.batch_size(), c.batch_bytes()), (7, 9));
        assert_eq!(c.linger(), Duration::ZERO);
        assert_eq!(c.compression, Compression::Gzip);
        assert_eq!(c.max_pending_bytes(), 10_000_000);
    }

    #[test]
    fn out_of_range_values_name_the_key_the_value_and_the_valid_range() {
        let cases = [
            (r#""batch_size":0"#, "batch_size must be 1..=1000, got 0"),
            (
                r#""batch_size":1001"#,
                "batch_size must be 1..=1000, got 1001",
            ),
            (
                r#""batch_bytes":10000001"#,
                "batch_bytes must be 1..=10000000",
            ),
            (r#""linger_ms":-1"#, "linger_ms must be >= 0, got -1"),
            (
                r#""max_in_flight_batches":0"#,
                "max_in_flight_batches must be >= 1",
            ),
            (
                r#""publish_timeout_ms":0"#,
                "publish_timeout_ms must be >= 1",
            ),
            (
                r#""connect_timeout_ms":0"#,
                "connect_timeout_ms must be >= 1",
            ),
            (
                r#""max_pending_bytes":9999999"#,
                "max_pending_bytes must be >= 10000000",
            ),
        ];
        for (field, expected) in cases {
            let err = config(&format!(r#"{{"topic":"projects/p/topics/t",{field}}}"#)).unwrap_err();
            assert!(
                err.starts_with("invalid native publisher config: "),
                "{err}"
            );
            assert!(err.contains(expected), "{field}: {err}");
        }
    }

    #[test]
    fn unknown_keys_bad_compression_and_malformed_topics_are_rejected() {
        let err = config(r#"{"topic":"projects/p/topics/t","lingerMs":5}"#).unwrap_err();
        assert!(err.contains("lingerMs"), "{err}");
        let err = config(r#"{"compression":"zstd"}"#).unwrap_err();
        assert!(err.contains("zstd"), "{err}");
        for topic in [
            "t",
            "projects/p/topics/",
            "projects//topics/t",
            "projects/p/subscriptions/t",
            "projects/p/topics/t/x",
        ] {
            let err = config(&format!(r#"{{"topic":"{topic}"}}"#)).unwrap_err();
            assert!(err.contains(&format!("topic '{topic}'")), "{err}");
            assert!(err.contains("projects/<project>/topics/<name>"), "{err}");
        }
        assert!(config(r#"{"topic":null}"#).is_ok());
    }
}
