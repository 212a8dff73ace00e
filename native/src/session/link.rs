//! Whether a session has a working StreamingPull stream, and since when it
//! has not: what lets `fetch` tell an unreachable endpoint (every stream
//! attempt fails) from an idle subscription (the stream works, nothing
//! arrives), which both look like "no messages".
//!
//! Pure data structure; the session keeps it under the lock of its reservoir.

use std::time::{Duration, Instant};
use tonic::{Code, Status};

/// The last failure of a stream attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct LastStatus {
    pub code: Code,
    pub message: String,
}

#[derive(Debug)]
pub(super) struct Link {
    /// Since when no stream has worked: the session's start until its first
    /// stream works, then the failure that ended the last working one. None
    /// while a stream works.
    down_since: Option<Instant>,
    /// The last failure of a stream attempt, if any failed yet.
    last_status: Option<LastStatus>,
}

/// How long a session has had no working stream, and the last status it got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Outage {
    pub down_for: Duration,
    pub last_status: Option<LastStatus>,
}

impl Link {
    /// A session started at `now`: no stream has worked yet.
    pub fn new(now: Instant) -> Link {
        Link {
            down_since: Some(now),
            last_status: None,
        }
    }

    /// A stream attempt works (it got an answer, or it is open on a connection).
    pub fn working(&mut self) {
        self.down_since = None;
    }

    /// A stream attempt failed with `status` at `now`; the outage begins now
    /// unless it began earlier.
    pub fn failed(&mut self, now: Instant, status: &Status) {
        self.down_since.get_or_insert(now);
        self.last_status = Some(LastStatus {
            code: status.code(),
            message: status.message().to_string(),
        });
    }

    pub fn is_working(&self) -> bool {
        self.down_since.is_none()
    }

    /// The outage at `now`, if it has lasted `timeout` or longer.
    pub fn outage_past(&self, now: Instant, timeout: Duration) -> Option<Outage> {
        let down_for = now.saturating_duration_since(self.down_since?);
        (down_for >= timeout).then(|| Outage {
            down_for,
            last_status: self.last_status.clone(),
        })
    }

    /// When the current outage reaches `timeout`; None while a stream works.
    pub fn outage_deadline(&self, timeout: Duration) -> Option<Instant> {
        self.down_since.map(|since| since + timeout)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TIMEOUT: Duration = Duration::from_secs(10);

    #[test]
    fn a_session_whose_streams_never_work_is_down_from_its_start_with_the_last_status() {
        let start = Instant::now();
        let mut link = Link::new(start);
        assert!(!link.is_working());
        assert_eq!(link.outage_past(start + TIMEOUT / 2, TIMEOUT), None);
        link.failed(
            start + Duration::from_secs(1),
            &Status::unavailable("refused"),
        );
        link.failed(
            start + Duration::from_secs(3),
            &Status::unavailable("refused again"),
        );
        let outage = link.outage_past(start + TIMEOUT, TIMEOUT).unwrap();
        assert_eq!(
            outage.down_for, TIMEOUT,
            "counted from the start, not the last failure"
        );
        let last = outage.last_status.unwrap();
        assert_eq!(
            (last.code, last.message.as_str()),
            (Code::Unavailable, "refused again")
        );
        assert_eq!(link.outage_deadline(TIMEOUT), Some(start + TIMEOUT));
    }

    #[test]
    fn a_working_stream_ends_the_outage_and_its_failure_starts_a_new_one() {
        let start = Instant::now();
        let mut link = Link::new(start);
        link.working();
        assert!(link.is_working());
        assert_eq!(link.outage_past(start + TIMEOUT * 5, TIMEOUT), None);
        assert_eq!(link.outage_deadline(TIMEOUT), None);
        let broke = start + TIMEOUT * 3;
        link.failed(broke, &Status::unavailable("closed"));
        assert_eq!(link.outage_past(broke + TIMEOUT / 2, TIMEOUT), None);
        assert!(link.outage_past(broke + TIMEOUT, TIMEOUT).is_some());
    }

    #[test]
    fn no_status_is_reported_before_any_attempt_failed() {
        let start = Instant::now();
        let link = Link::new(start);
        let outage = link.outage_past(start + TIMEOUT, TIMEOUT).unwrap();
        assert_eq!(outage.last_status, None);
    }
}
