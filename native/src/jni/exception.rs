//! Which Java exception each native error becomes, and throwing it. The one
//! owner of that mapping: the caller's bad input or config becomes
//! `IllegalArgumentException`, a failed gRPC call `PubSubRpcException` with
//! its status, anything else `NativeException`.

use crate::error::NativeError;
use jni::objects::{JThrowable, JValue};
use jni::JNIEnv;
use tonic::Code;

const NATIVE_EXCEPTION: &str = "io/pubsubnative/spark/nativelib/NativeException";
const RPC_EXCEPTION: &str = "io/pubsubnative/spark/nativelib/PubSubRpcException";
/// `PubSubRpcException(String message, String status, int statusCode)`.
const RPC_EXCEPTION_CONSTRUCTOR: &str = "(Ljava/lang/String;Ljava/lang/String;I)V";
const ILLEGAL_ARGUMENT: &str = "java/lang/IllegalArgumentException";
const FALLBACK_EXCEPTION: &str = "java/lang/RuntimeException";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JavaException {
    /// The caller's argument or config: `java.lang.IllegalArgumentException`.
    IllegalArgument,
    /// A gRPC call failed with this status: `PubSubRpcException`.
    Rpc(Code),
    /// Anything else: `NativeException`.
    Native,
}

/// The Java exception `err` is thrown as. Deliberately without a wildcard
/// arm: a new variant must be placed here.
pub fn java_exception(err: &NativeError) -> JavaException {
    use JavaException::{IllegalArgument, Native, Rpc};
    match err {
        NativeError::Config(_)
        | NativeError::PublisherConfig(_)
        | NativeError::InvalidArgument(_)
        | NativeError::InvalidRow { .. } => IllegalArgument,
        NativeError::Rpc { code, .. }
        | NativeError::StreamFailed { code, .. }
        | NativeError::Unreachable { code, .. }
        | NativeError::TopicRpc { code, .. } => Rpc(*code),
        NativeError::Publish(failure) => Rpc(failure.code),
        NativeError::SubscriptionNotFound(_) | NativeError::TopicNotFound(_) => Rpc(Code::NotFound),
        // gRPC reports a channel that cannot connect as UNAVAILABLE.
        NativeError::Connect { .. } => Rpc(Code::Unavailable),
        NativeError::StaleBatch { .. }
        | NativeError::Auth(_)
        | NativeError::Arrow(_)
        | NativeError::Runtime(_)
        | NativeError::Panic(_)
        | NativeError::Jni(_) => Native,
    }
}

/// The canonical name of a gRPC status, as grpc-java's `Status.Code` spells it.
pub fn status_name(code: Code) -> &'static str {
    match code {
        Code::Ok => "OK",
        Code::Cancelled => "CANCELLED",
        Code::Unknown => "UNKNOWN",
        Code::InvalidArgument => "INVALID_ARGUMENT",
        Code::DeadlineExceeded => "DEADLINE_EXCEEDED",
        Code::NotFound => "NOT_FOUND",
        Code::AlreadyExists => "ALREADY_EXISTS",
        Code::PermissionDenied => "PERMISSION_DENIED",
        Code::ResourceExhausted => "RESOURCE_EXHAUSTED",
        Code::FailedPrecondition => "FAILED_PRECONDITION",
        Code::Aborted => "ABORTED",
        Code::OutOfRange => "OUT_OF_RANGE",
        Code::Unimplemented => "UNIMPLEMENTED",
        Code::Internal => "INTERNAL",
        Code::Unavailable => "UNAVAILABLE",
        Code::DataLoss => "DATA_LOSS",
        Code::Unauthenticated => "UNAUTHENTICATED",
    }
}

/// Throws `err` as its Java exception, unless a Java exception is pending
/// already (raised by a JNI call inside the body, it says more than its Rust
/// wrapper would). Falls back to `NativeException`, then `RuntimeException`,
/// if a class cannot be used.
pub fn throw(env: &mut JNIEnv<'_>, err: &NativeError) {
    if env.exception_check().unwrap_or(false) {
        return;
    }
    let message = err.to_string();
    let thrown = match java_exception(err) {
        JavaException::IllegalArgument => env.throw_new(ILLEGAL_ARGUMENT, &message),
        JavaException::Rpc(code) => throw_rpc(env, &message, code),
        JavaException::Native => env.throw_new(NATIVE_EXCEPTION, &message),
    };
    if thrown.is_err() {
        let _ = env.exception_clear();
        if env.throw_new(NATIVE_EXCEPTION, &message).is_err() {
            let _ = env.exception_clear();
            let _ = env.throw_new(FALLBACK_EXCEPTION, &message);
        }
    }
}

fn throw_rpc(env: &mut JNIEnv<'_>, message: &str, code: Code) -> jni::errors::Result<()> {
    let message = env.new_string(message)?;
    let status = env.new_string(status_name(code))?;
    let exception = env.new_object(
        RPC_EXCEPTION,
        RPC_EXCEPTION_CONSTRUCTOR,
        &[
            JValue::Object(&message),
            JValue::Object(&status),
            JValue::Int(code as i32),
        ],
    )?;
    env.throw(JThrowable::from(exception))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{Panicked, PublishFailure};

    fn rpc(op: &'static str, code: Code) -> NativeError {
        NativeError::Rpc {
            op,
            subscription: "projects/p/subscriptions/s".into(),
            code,
            message: "m".into(),
        }
    }

    #[test]
    fn every_error_maps_to_its_java_exception() {
        use JavaException::{IllegalArgument, Native, Rpc};
        let publish = PublishFailure {
            topic: "projects/p/topics/t".into(),
            code: Code::PermissionDenied,
            message: "m".into(),
            attempts: 1,
            elapsed_ms: 1,
            budget: String::new(),
        };
        let table = [
            (NativeError::Config("c".into()), IllegalArgument),
            (NativeError::PublisherConfig("c".into()), IllegalArgument),
            (NativeError::InvalidArgument("a".into()), IllegalArgument),
            (
                NativeError::InvalidRow {
                    row: 3,
                    reason: "r".into(),
                },
                IllegalArgument,
            ),
            (
                rpc("Acknowledge", Code::FailedPrecondition),
                Rpc(Code::FailedPrecondition),
            ),
            (
                NativeError::StreamFailed {
                    subscription: "s".into(),
                    code: Code::PermissionDenied,
                    message: "m".into(),
                },
                Rpc(Code::PermissionDenied),
            ),
            (
                NativeError::Unreachable {
                    subscription: "s".into(),
                    endpoint: "http://127.0.0.1:1".into(),
                    down_ms: 10_001,
                    timeout_ms: 10_000,
                    code: Code::Unavailable,
                    message: "refused".into(),
                },
                Rpc(Code::Unavailable),
            ),
            (
                NativeError::TopicRpc {
                    op: "GetTopic",
                    topic: "t".into(),
                    code: Code::InvalidArgument,
                    message: "m".into(),
                },
                Rpc(Code::InvalidArgument),
            ),
            (NativeError::Publish(publish), Rpc(Code::PermissionDenied)),
            (
                NativeError::SubscriptionNotFound("s".into()),
                Rpc(Code::NotFound),
            ),
            (NativeError::TopicNotFound("t".into()), Rpc(Code::NotFound)),
            (
                NativeError::Connect {
                    endpoint: "http://127.0.0.1:1".into(),
                    cause: "refused".into(),
                },
                Rpc(Code::Unavailable),
            ),
            (
                NativeError::StaleBatch {
                    subscription: "s".into(),
                    batch: 1,
                    committed: 2,
                },
                Native,
            ),
            (NativeError::Auth("a".into()), Native),
            (
                NativeError::Arrow(arrow_schema::ArrowError::ComputeError("x".into())),
                Native,
            ),
            (NativeError::Runtime("r".into()), Native),
            (
                NativeError::Panic(Panicked {
                    task: "the lease task",
                    message: "m".into(),
                }),
                Native,
            ),
            (NativeError::Jni(jni::errors::Error::NullPtr("p")), Native),
        ];
        for (err, expected) in table {
            assert_eq!(java_exception(&err), expected, "{err:?}");
        }
    }

    #[test]
    fn status_names_are_grpc_canonical_names_and_numbers_match_grpc() {
        assert_eq!(status_name(Code::NotFound), "NOT_FOUND");
        assert_eq!(Code::NotFound as i32, 5);
        assert_eq!(status_name(Code::Unavailable), "UNAVAILABLE");
        assert_eq!(Code::Unavailable as i32, 14);
        assert_eq!(status_name(Code::DeadlineExceeded), "DEADLINE_EXCEEDED");
        assert_eq!(status_name(Code::Unauthenticated), "UNAUTHENTICATED");
        assert_eq!(Code::Unauthenticated as i32, 16);
    }
}
