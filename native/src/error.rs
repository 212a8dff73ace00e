//! The crate's error type. Every variant's message is what a Java user reads in
//! the thrown `NativeException`, so each one names what failed. The lowest
//! module of the crate: it depends on no other.

use std::any::Any;
use thiserror::Error;
use tonic::Code;

#[derive(Debug, Error)]
pub enum NativeError {
    #[error("invalid native session config: {0}")]
    Config(String),

    #[error("cannot connect to Pub/Sub at {endpoint}: {cause}")]
    Connect { endpoint: String, cause: String },

    #[error("Pub/Sub subscription '{0}' does not exist")]
    SubscriptionNotFound(String),

    #[error("Pub/Sub {op} on subscription '{subscription}' failed: {code:?}: {message}")]
    Rpc {
        op: &'static str,
        subscription: String,
        code: Code,
        message: String,
    },

    #[error("Pub/Sub StreamingPull on subscription '{subscription}' failed permanently: {code:?}: {message}")]
    StreamFailed {
        subscription: String,
        code: Code,
        message: String,
    },

    #[error(
        "Pub/Sub StreamingPull on subscription '{subscription}' has had no working stream to \
         {endpoint} for {down_ms} ms (unreachableTimeoutMs is {timeout_ms}); last status \
         {code:?}: {message}"
    )]
    Unreachable {
        subscription: String,
        endpoint: String,
        down_ms: u128,
        timeout_ms: u128,
        /// The last failed attempt's status; `DeadlineExceeded` while the
        /// first attempt has not ended yet.
        code: Code,
        message: String,
    },

    #[error(
        "batch {batch} of subscription '{subscription}' is already committed (committed through \
         {committed}); its messages were acknowledged, so it cannot be read again. A thread that \
         still carries an old streaming batch id (spark local property streaming.sql.batchId) \
         must not run queries over the pubsub source"
    )]
    StaleBatch {
        subscription: String,
        batch: i64,
        committed: i64,
    },

    #[error("invalid native publisher config: {0}")]
    PublisherConfig(String),

    #[error("Pub/Sub topic '{0}' does not exist")]
    TopicNotFound(String),

    #[error("Pub/Sub {op} on topic '{topic}' failed: {code:?}: {message}")]
    TopicRpc {
        op: &'static str,
        topic: String,
        code: Code,
        message: String,
    },

    #[error("cannot publish row {row}: {reason}")]
    InvalidRow { row: u64, reason: String },

    #[error(transparent)]
    Publish(#[from] PublishFailure),

    #[error("Pub/Sub credentials: {0}")]
    Auth(String),

    #[error("Arrow: {0}")]
    Arrow(#[from] arrow_schema::ArrowError),

    #[error("invalid argument: {0}")]
    InvalidArgument(String),

    #[error("cannot start the native tokio runtime: {0}")]
    Runtime(String),

    #[error(transparent)]
    Panic(#[from] Panicked),

    #[error("JNI: {0}")]
    Jni(#[from] jni::errors::Error),
}

/// Why a Publish request failed for good; kept by the publisher and thrown by
/// every later `publish`/`flush`.
#[derive(Debug, Clone, Error)]
#[error(
    "Pub/Sub Publish to topic '{topic}' failed: {code:?}: {message} \
     ({attempts} attempt(s) in {elapsed_ms} ms{budget})"
)]
pub struct PublishFailure {
    pub topic: String,
    pub code: Code,
    pub message: String,
    pub attempts: u32,
    pub elapsed_ms: u128,
    /// Says when the retries stopped because `publish_timeout_ms` ran out.
    pub budget: String,
}

/// A panic caught in a tokio task or a JNI call, kept as data so that every
/// later call can report it again.
#[derive(Debug, Clone, Error)]
#[error("native panic in {task}: {message}")]
pub struct Panicked {
    pub task: &'static str,
    pub message: String,
}

impl Panicked {
    /// The panic of `task` with the message of its `payload`.
    pub fn new(task: &'static str, payload: &(dyn Any + Send)) -> Self {
        let message = if let Some(text) = payload.downcast_ref::<&str>() {
            (*text).to_string()
        } else if let Some(text) = payload.downcast_ref::<String>() {
            text.clone()
        } else {
            "panic with a non-string payload".to_string()
        };
        Panicked { task, message }
    }
}

/// The full `source()` chain of an error, so "transport error" also says why.
pub fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let next = cause.to_string();
        if !text.contains(&next) {
            text.push_str(": ");
            text.push_str(&next);
        }
        source = cause.source();
    }
    text
}
