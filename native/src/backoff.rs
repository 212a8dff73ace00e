//! Exponential backoff with jitter, and which gRPC statuses are worth a retry.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::time::Duration;
use tonic::Code;

const INITIAL: Duration = Duration::from_millis(100);
const MAX: Duration = Duration::from_secs(10);

/// Statuses after which reconnecting or retrying can succeed.
pub fn is_transient(code: Code) -> bool {
    matches!(
        code,
        Code::Unavailable
            | Code::DeadlineExceeded
            | Code::ResourceExhausted
            | Code::Internal
            | Code::Aborted
            | Code::Unknown
            | Code::Cancelled
    )
}

/// A random u64 without a dependency: std seeds every `RandomState` randomly.
pub fn random_u64() -> u64 {
    RandomState::new().build_hasher().finish()
}

#[derive(Debug)]
pub struct Backoff {
    current: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff { current: INITIAL }
    }
}

impl Backoff {
    /// The next delay: uniformly random in [current/2, current], then doubles up to 10 s.
    pub fn next_delay(&mut self) -> Duration {
        let ceiling = self.current;
        self.current = (self.current * 2).min(MAX);
        let fraction = (random_u64() % 1_000) as f64 / 1_000.0;
        ceiling.mul_f64(0.5 + 0.5 * fraction)
    }

    pub fn reset(&mut self) {
        self.current = INITIAL;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_from_100ms_to_at_most_10s_with_jitter() {
        let mut b = Backoff::default();
        let first = b.next_delay();
        assert!(first >= Duration::from_millis(50) && first <= INITIAL);
        for _ in 0..20 {
            assert!(b.next_delay() <= MAX);
        }
        assert!(b.next_delay() >= MAX / 2);
        b.reset();
        assert!(b.next_delay() <= INITIAL);
    }

    #[test]
    fn transient_and_permanent_statuses_are_told_apart() {
        for code in [
            Code::Unavailable,
            Code::Internal,
            Code::Cancelled,
            Code::Unknown,
        ] {
            assert!(is_transient(code), "{code:?}");
        }
        for code in [
            Code::NotFound,
            Code::PermissionDenied,
            Code::InvalidArgument,
            Code::Unauthenticated,
            Code::FailedPrecondition,
        ] {
            assert!(!is_transient(code), "{code:?}");
        }
    }
}
