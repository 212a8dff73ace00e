//! A subscriber session: one StreamingPull stream feeding a reservoir, a lease
//! manager extending what the reservoir holds (and retrying failed acks), and
//! the calls Java makes on it. One session serves one (query, partition), so
//! a batch tag's read record is that of one partition of one micro-batch.

mod ack_ids;
mod ack_request;
mod acks;
mod codec;
mod lease;
mod link;
mod record;
pub mod reservoir;
mod rpc;
mod settle;
mod stream;
pub mod wire;

use crate::backoff::random_u64;
use crate::client::Auth;
use crate::config::SessionConfig;
use crate::connection::{endpoint, target};
use crate::error::{NativeError, Panicked};
use crate::metrics::{bump, Counters, METRIC_COUNT};
use crate::runtime::runtime;
use crate::task;
use arrow_array::{Array, StructArray};
use link::{Link, Outage};
use reservoir::{BatchLimits, ReadError, Reservoir};
use rpc::AckSender;
use std::future::Future;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};
use tokio::sync::{watch, Notify};
use tokio::task::JoinHandle;
use tonic::transport::Endpoint;
use tonic::{Code, Status};

pub use reservoir::ReadStart;

/// How long `close` waits for its nacks (and last acks) to reach Pub/Sub.
const CLOSE_NACK_TIMEOUT: Duration = Duration::from_secs(5);

/// Names of the session's tasks, as their panics report them.
pub(crate) const STREAM_TASK: &str = "the StreamingPull task";
pub(crate) const LEASE_TASK: &str = "the lease task";

/// A permanent stream failure, kept to be thrown by the next `fetch`.
#[derive(Debug, Clone)]
struct StreamFailure {
    code: tonic::Code,
    message: String,
}

/// Why the session stopped working; the first one is kept.
#[derive(Debug)]
enum Failure {
    /// Fresh reads fail; replays of complete reads still work.
    Stream(StreamFailure),
    /// A task panicked, leaving the session broken: every read fails.
    Panic(Panicked),
}

struct Held {
    reservoir: Reservoir,
    failure: Option<Failure>,
    link: Link,
}

impl Held {
    fn check_not_panicked(&self) -> Result<(), NativeError> {
        match &self.failure {
            Some(Failure::Panic(panic)) => Err(panic.clone().into()),
            _ => Ok(()),
        }
    }
}

/// State shared by the session's tasks and the JNI callers.
struct Shared {
    config: SessionConfig,
    /// Each StreamingPull attempt connects to it anew (with `auth`), so that
    /// a connection made tells a reachable endpoint from an unreachable one.
    endpoint: Endpoint,
    auth: Auth,
    acks: AckSender,
    client_id: String,
    held: Mutex<Held>,
    /// Signalled (with `held` locked) when messages arrive or the stream fails.
    arrived: Condvar,
    /// Signalled when acks, nacks or expiries make room under flow control.
    space_freed: Notify,
    counters: Counters,
}

impl Shared {
    fn held(&self) -> MutexGuard<'_, Held> {
        // The reservoir stays consistent even if a holder panicked: every
        // update completes before anything that could panic.
        self.held.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Records `failure` unless an earlier one is kept, and wakes waiting fetches.
    fn fail(&self, failure: Failure) {
        let mut held = self.held();
        held.failure.get_or_insert(failure);
        self.arrived.notify_all();
    }

    /// A stream attempt works: it got an answer, or it stays open on a connection.
    fn stream_working(&self) {
        self.held().link.working();
    }

    /// A stream attempt failed with `status`.
    fn stream_failed(&self, status: &Status) {
        self.held().link.failed(Instant::now(), status);
    }

    /// The error `fetch` throws once the session has had no working stream
    /// for `unreachable_timeout_ms`, or None.
    fn unreachable_error(&self, link: &Link, now: Instant) -> Option<NativeError> {
        let Outage {
            down_for,
            last_status,
        } = link.outage_past(now, self.config.unreachable_timeout()?)?;
        let (code, message) = match last_status {
            Some(status) => (status.code, status.message),
            None => (
                Code::DeadlineExceeded,
                "the first connection attempt has not ended yet".to_string(),
            ),
        };
        Some(NativeError::Unreachable {
            subscription: self.config.subscription.clone(),
            endpoint: target(&self.config),
            down_ms: down_for.as_millis(),
            timeout_ms: self.config.unreachable_timeout()?.as_millis(),
            code,
            message,
        })
    }

    fn failure_error(&self, failure: &Failure) -> NativeError {
        match failure {
            Failure::Stream(stream) => NativeError::StreamFailed {
                subscription: self.config.subscription.clone(),
                code: stream.code,
                message: stream.message.clone(),
            },
            Failure::Panic(panic) => panic.clone().into(),
        }
    }

    /// Waits, releasing the lock meanwhile, until `limits.max_rows` messages
    /// or `limits.max_payload_bytes` bytes are buffered or `deadline` passed.
    /// Fails once the session has had no working stream for
    /// `unreachable_timeout_ms`, unless messages are buffered.
    fn wait_for_batch<'a>(
        &'a self,
        mut held: MutexGuard<'a, Held>,
        limits: BatchLimits,
        deadline: Instant,
    ) -> Result<MutexGuard<'a, Held>, NativeError> {
        loop {
            if let Some(failure) = &held.failure {
                return Err(self.failure_error(failure));
            }
            let r = &held.reservoir;
            if r.buffered_len() >= limits.max_rows.max(1)
                || r.buffered_bytes() >= limits.max_payload_bytes.max(1)
            {
                return Ok(held);
            }
            let now = Instant::now();
            if let Some(unreachable) = self.unreachable_error(&held.link, now) {
                if r.buffered_len() == 0 {
                    return Err(unreachable);
                }
                return Ok(held);
            }
            if now >= deadline {
                return Ok(held);
            }
            let wake = self
                .config
                .unreachable_timeout()
                .and_then(|timeout| held.link.outage_deadline(timeout))
                .map_or(deadline, |outage| outage.min(deadline));
            held = self
                .arrived
                .wait_timeout(held, wake.saturating_duration_since(now))
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }

    fn read_error(&self, batch: i64, err: ReadError) -> NativeError {
        match err {
            ReadError::Stale { committed } => NativeError::StaleBatch {
                subscription: self.config.subscription.clone(),
                batch,
                committed,
            },
            ReadError::Arrow(e) => NativeError::Arrow(e),
        }
    }
}

/// Runs a session's sends to completion on the shared runtime.
fn block_on(sends: impl Future<Output = Result<(), NativeError>>) -> Result<(), NativeError> {
    runtime()?.block_on(sends)
}

pub struct Session {
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
    stream: Mutex<Option<JoinHandle<()>>>,
    lease: JoinHandle<()>,
}

impl Session {
    /// Starts the stream and lease tasks; does not wait for the network.
    pub fn open(config: SessionConfig) -> Result<Session, NativeError> {
        let rt = runtime()?;
        // The lazy channel spawns its connection worker on the current runtime.
        let _context = rt.enter();
        let endpoint = endpoint(&config)?;
        let auth = Auth::for_config(&config)?;
        // Acks and modacks get a connection of their own: h2 returns a
        // connection's window only as the application reads, so a stream
        // paused by flow control would otherwise hold back their responses,
        // and the acks that would free the flow control never complete.
        let ack_channel = auth.wrap(endpoint.connect_lazy());
        let shared = Arc::new(Shared {
            client_id: format!("pubsub-spark-native-{:016x}", random_u64()),
            acks: AckSender::new(ack_channel, &config.subscription),
            config,
            endpoint,
            auth,
            held: Mutex::new(Held {
                reservoir: Reservoir::default(),
                failure: None,
                link: Link::new(Instant::now()),
            }),
            arrived: Condvar::new(),
            space_freed: Notify::new(),
            counters: Counters::default(),
        });
        let (stop, stopped) = watch::channel(false);
        let on_panic = |shared: &Arc<Shared>| {
            let shared = Arc::clone(shared);
            move |panic| shared.fail(Failure::Panic(panic))
        };
        let stream = task::spawn(
            rt.handle(),
            STREAM_TASK,
            stream::run(Arc::clone(&shared), stopped),
            on_panic(&shared),
        );
        let lease = task::spawn(
            rt.handle(),
            LEASE_TASK,
            lease::run(Arc::clone(&shared)),
            on_panic(&shared),
        );
        Ok(Session {
            shared,
            stop,
            stream: Mutex::new(Some(stream)),
            lease,
        })
    }

    /// Starts a read of `batch_id`: `Replay` when an earlier read of it
    /// completed (the next fetches return that read's arrays), else `Fresh`
    /// (nacking what an earlier attempt that failed without `abort_read`
    /// left). `acknowledge: false` makes committing the batch nack what this
    /// read takes. Errors if `batch_id` was acknowledged through already, or
    /// with the panic of a session task that panicked.
    pub fn begin_read(&self, batch_id: i64, acknowledge: bool) -> Result<ReadStart, NativeError> {
        let mut held = self.shared.held();
        held.check_not_panicked()?;
        let (start, nacks) = held
            .reservoir
            .begin_read(batch_id, acknowledge)
            .map_err(|e| self.shared.read_error(batch_id, e))?;
        drop(held);
        block_on(self.shared.nack(&nacks))?;
        Ok(start)
    }

    /// Marks the read of `batch_id` complete: later reads replay it, and an
    /// empty read replays nothing rather than taking fresh messages.
    pub fn complete_read(&self, batch_id: i64) {
        self.shared.held().reservoir.complete_read(batch_id);
    }

    /// The task reading `batch_id` failed: nacks an incomplete read; a
    /// complete one (a replay failed) stays for the next read.
    pub fn abort_read(&self, batch_id: i64) -> Result<(), NativeError> {
        let nacks = self.shared.held().reservoir.abort_read(batch_id);
        block_on(self.shared.nack(&nacks))
    }

    /// Fails once a task of the session panicked, as `begin_read` does.
    /// Replays the next array of a complete read of `batch_id` at once,
    /// whatever the limits. Otherwise waits up to `wait` for `max_rows`
    /// messages or `max_bytes` payload bytes, then hands over the oldest
    /// buffered batch (within the limits), recorded under `batch_id`.
    /// `max_rows` also sets the rows of batches cut later.
    pub fn fetch(
        &self,
        batch_id: i64,
        max_rows: i32,
        max_bytes: i64,
        wait: Duration,
    ) -> Result<Option<StructArray>, NativeError> {
        let (Ok(max_rows), Ok(max_bytes)) = (usize::try_from(max_rows), usize::try_from(max_bytes))
        else {
            return Err(NativeError::InvalidArgument(format!(
                "fetch limits must not be negative (maxRows {max_rows}, maxBytes {max_bytes})"
            )));
        };
        let limits = BatchLimits {
            max_rows,
            max_payload_bytes: max_bytes,
        };
        let mut held = self.shared.held();
        held.check_not_panicked()?;
        let read_error = |e| self.shared.read_error(batch_id, e);
        let fresh = held.reservoir.reads_fresh(batch_id).map_err(read_error)?;
        if fresh {
            held.reservoir.set_target_rows(max_rows);
            held = self
                .shared
                .wait_for_batch(held, limits, Instant::now() + wait)?;
        }
        let batch = held
            .reservoir
            .take_batch(batch_id, limits)
            .map_err(read_error)?;
        if !fresh {
            let rows = batch.as_ref().map_or(0, Array::len);
            bump(&self.shared.counters.replayed_messages, rows);
        }
        Ok(batch)
    }

    /// Commits every batch `<= committed`: acknowledges the complete reads
    /// that acknowledge, nacks the others, and makes those batches stale. An
    /// Acknowledge that fails transiently is retried by the lease manager and
    /// is no error here.
    pub fn ack_through(&self, committed: i64) -> Result<(), NativeError> {
        let settlement = self.shared.held().reservoir.ack_through(committed);
        block_on(self.shared.settle(settlement))
    }

    /// Acknowledges the read of exactly `batch_id` now, complete or not,
    /// without committing anything; failures as in `ack_through`.
    pub fn ack_batch(&self, batch_id: i64) -> Result<(), NativeError> {
        let acks = self.shared.held().reservoir.ack_batch(batch_id);
        block_on(self.shared.acknowledge(acks))
    }

    /// Sets the deadline of every message read for `batch_id` to 0 for
    /// redelivery and forgets the read, whatever its state.
    pub fn nack_batch(&self, batch_id: i64) -> Result<(), NativeError> {
        let nacks = self.shared.held().reservoir.nack_batch(batch_id);
        block_on(self.shared.nack(&nacks))
    }

    /// Whether the session's stream works now (it got an answer or stays
    /// open on a connection): false before its first stream works and from a
    /// stream's failure until the next one works.
    pub fn stream_connected(&self) -> bool {
        self.shared.held().link.is_working()
    }

    pub fn metrics(&self) -> [i64; METRIC_COUNT] {
        let held = self.shared.held();
        let r = &held.reservoir;
        self.shared
            .counters
            .snapshot(r.buffered_bytes(), r.held_len())
    }

    /// Ends the stream, stops the lease manager and nacks everything still
    /// held (waiting at most 5 s), except the acks waiting for a retry, which
    /// get a last attempt. A failed nack only delays redelivery.
    pub fn close(&self) -> Result<(), NativeError> {
        let rt = runtime()?;
        self.stop.send_replace(true);
        let stream = self
            .stream
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(stream) = stream {
            // The stream task bounds its own shutdown; the join cannot hang.
            let _ = rt.block_on(stream);
        }
        self.lease.abort();
        let settlement = self.shared.held().reservoir.drain_all();
        let sends = self.shared.settle(settlement);
        // The timer must be created inside the runtime, hence the async block.
        let _ = rt.block_on(async { tokio::time::timeout(CLOSE_NACK_TIMEOUT, sends).await });
        Ok(())
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        // A session dropped without `close` still stops its tasks.
        self.stop.send_replace(true);
        self.lease.abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::task::inject;
    use tokio::time::timeout;

    const TASK_END: Duration = Duration::from_secs(10);

    /// A session on an unreachable emulator whose `task` panics at once.
    fn session_whose_task_panics(task: &'static str, subscription: &str) -> Session {
        inject::arm(task, subscription);
        let config = SessionConfig::from_json(&format!(
            r#"{{"subscription":"{subscription}","emulator_host":"127.0.0.1:1"}}"#
        ))
        .unwrap();
        Session::open(config).unwrap()
    }

    /// Whether `task` ends within `TASK_END`.
    fn ends(task: impl Future) -> bool {
        let rt = runtime().unwrap();
        rt.block_on(async { timeout(TASK_END, task).await.is_ok() })
    }

    fn assert_panic_error(result: Result<impl std::fmt::Debug, NativeError>, task: &str) {
        let err = result.expect_err("the call reports the task's panic");
        assert!(matches!(err, NativeError::Panic(_)), "{err:?}");
        let text = err.to_string();
        assert!(
            text.contains(task) && text.contains("injected panic"),
            "{text}"
        );
    }

    #[test]
    fn a_panic_in_the_stream_task_fails_the_next_fetch_and_read() {
        let subscription = "projects/p/subscriptions/panic-in-stream";
        let session = session_whose_task_panics(STREAM_TASK, subscription);
        let stream = session.stream.lock().unwrap().take().unwrap();
        assert!(ends(stream), "the stream task ends after its panic");
        assert_panic_error(session.fetch(0, 10, 1 << 20, Duration::ZERO), STREAM_TASK);
        assert_panic_error(session.begin_read(1, true), STREAM_TASK);
        session.close().unwrap();
    }

    #[test]
    fn a_panic_in_the_lease_task_fails_the_next_fetch_and_read() {
        let subscription = "projects/p/subscriptions/panic-in-lease";
        let mut session = session_whose_task_panics(LEASE_TASK, subscription);
        assert!(
            ends(&mut session.lease),
            "the lease task ends after its panic"
        );
        assert_panic_error(session.begin_read(0, true), LEASE_TASK);
        assert_panic_error(session.fetch(0, 10, 1 << 20, Duration::ZERO), LEASE_TASK);
        session.close().unwrap();
    }
}
