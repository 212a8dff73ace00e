//! The panic barrier every JNI entry point runs behind: errors and panics
//! become Java exceptions (see `exception`) instead of unwinding into the JVM.

use super::exception::throw;
use crate::error::{NativeError, Panicked};
use jni::JNIEnv;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// Runs `body`, turning a panic into `NativeError::Panic` with its message.
pub fn barrier<T>(body: impl FnOnce() -> Result<T, NativeError>) -> Result<T, NativeError> {
    catch_unwind(AssertUnwindSafe(body))
        .unwrap_or_else(|payload| Err(Panicked::new("a JNI call", payload.as_ref()).into()))
}

/// Runs a JNI entry point's body; on error, throws and returns `fallback`.
pub fn run<'local, T>(
    env: &mut JNIEnv<'local>,
    fallback: T,
    body: impl FnOnce(&mut JNIEnv<'local>) -> Result<T, NativeError>,
) -> T {
    match barrier(|| body(env)) {
        Ok(value) => value,
        Err(err) => {
            throw(env, &err);
            fallback
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_inside_the_barrier_becomes_an_error_with_its_message() {
        let result: Result<(), _> = barrier(|| panic!("boom {}", 42));
        match result {
            Err(NativeError::Panic(panic)) => assert_eq!(panic.message, "boom 42"),
            other => panic!("expected a panic error, got {other:?}"),
        }
        let result: Result<(), _> = barrier(|| std::panic::panic_any(7u8));
        assert!(matches!(result, Err(NativeError::Panic(p)) if p.message.contains("non-string")));
    }

    #[test]
    fn values_and_errors_pass_through_the_barrier_unchanged() {
        assert_eq!(barrier(|| Ok(5)).unwrap(), 5);
        let err = barrier::<()>(|| Err(NativeError::InvalidArgument("x".into()))).unwrap_err();
        assert_eq!(err.to_string(), "invalid argument: x");
    }
}
