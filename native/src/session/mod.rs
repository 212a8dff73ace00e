//! A subscriber session: one StreamingPull stream feeding a reservoir, a lease
//! manager extending what the reservoir holds, and the calls Java makes on it.

mod ack_ids;
mod ack_request;
mod acks;
pub(crate) mod backoff;
mod codec;
mod lease;
pub mod reservoir;
mod rpc;
mod stream;
pub mod wire;

use crate::client::{lazy_channel, AuthChannel};
use crate::config::SessionConfig;
use crate::error::NativeError;
use crate::metrics::{bump, Counters, METRIC_COUNT};
use crate::runtime::runtime;
use ack_ids::AckIds;
use ack_request::Call;
use arrow_array::StructArray;
use reservoir::{BatchLimits, Reservoir};
use rpc::AckSender;
use std::sync::atomic::AtomicI64;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};
use tokio::sync::{watch, Notify};
use tokio::task::JoinHandle;

/// How long `close` waits for its nacks to reach Pub/Sub.
const CLOSE_NACK_TIMEOUT: Duration = Duration::from_secs(5);

/// A permanent stream failure, kept to be thrown by the next `fetch`.
#[derive(Debug, Clone)]
struct StreamFailure {
    code: tonic::Code,
    message: String,
}

#[derive(Default)]
struct Held {
    reservoir: Reservoir,
    failure: Option<StreamFailure>,
}

/// State shared by the session's tasks and the JNI callers.
struct Shared {
    config: SessionConfig,
    /// StreamingPull runs on it with its own codec; `acks` shares it.
    channel: AuthChannel,
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

    fn failure_error(&self, failure: &StreamFailure) -> NativeError {
        NativeError::StreamFailed {
            subscription: self.config.subscription.clone(),
            code: failure.code,
            message: failure.message.clone(),
        }
    }

    /// Sends `ids` in requests, counting successes; returns the failure of
    /// the first failed request (in id order) once every request is done.
    async fn send_all(
        &self,
        call: Call,
        ids: &AckIds,
        sent: &AtomicI64,
    ) -> Result<(), NativeError> {
        let mut first_failure: Option<(usize, tonic::Status)> = None;
        self.acks
            .send(call, ids, |range, result| match result {
                Ok(()) => bump(sent, range.len()),
                Err(status) => {
                    if first_failure
                        .as_ref()
                        .is_none_or(|(at, _)| range.start < *at)
                    {
                        first_failure = Some((range.start, status));
                    }
                }
            })
            .await;
        match first_failure {
            None => Ok(()),
            Some((_, status)) => Err(NativeError::Rpc {
                op: call.name(),
                subscription: self.config.subscription.clone(),
                code: status.code(),
                message: status.message().to_string(),
            }),
        }
    }
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
        let channel = lazy_channel(&config)?;
        let shared = Arc::new(Shared {
            client_id: format!("pubsub-spark-native-{:016x}", backoff::random_u64()),
            acks: AckSender::new(channel.clone(), &config.subscription),
            config,
            channel,
            held: Mutex::new(Held::default()),
            arrived: Condvar::new(),
            space_freed: Notify::new(),
            counters: Counters::default(),
        });
        let (stop, stopped) = watch::channel(false);
        let stream = rt.spawn(stream::run(Arc::clone(&shared), stopped));
        let lease = rt.spawn(lease::run(Arc::clone(&shared)));
        Ok(Session {
            shared,
            stop,
            stream: Mutex::new(Some(stream)),
            lease,
        })
    }

    /// Waits up to `wait` for `max_rows` messages or `max_bytes` payload bytes,
    /// then hands over the oldest buffered batch (within the limits) tagged
    /// `batch_id`. `max_rows` also sets the rows of batches cut later.
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
        let deadline = Instant::now() + wait;
        let mut held = self.shared.held();
        held.reservoir.set_target_rows(max_rows);
        loop {
            if let Some(failure) = &held.failure {
                return Err(self.shared.failure_error(failure));
            }
            let r = &held.reservoir;
            if r.buffered_len() >= max_rows.max(1) || r.buffered_bytes() >= max_bytes.max(1) {
                break;
            }
            let now = Instant::now();
            if now >= deadline {
                break;
            }
            // The wait releases the lock, so the stream can keep filling the buffer.
            held = self
                .shared
                .arrived
                .wait_timeout(held, deadline - now)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        let limits = BatchLimits {
            max_rows,
            max_payload_bytes: max_bytes,
        };
        Ok(held.reservoir.take_batch(batch_id, limits)?)
    }

    /// Acknowledges every delivered message tagged `<= committed`.
    pub fn ack_through(&self, committed: i64) -> Result<(), NativeError> {
        let ids = self.shared.held().reservoir.ack_through(committed);
        self.release(Call::Ack, ids, &self.shared.counters.acks_sent)
    }

    /// Sets the deadline of every message tagged `batch_id` to 0 for redelivery.
    pub fn nack_batch(&self, batch_id: i64) -> Result<(), NativeError> {
        let ids = self.shared.held().reservoir.nack_batch(batch_id);
        self.release(
            Call::ModifyDeadline(0),
            ids,
            &self.shared.counters.nacks_sent,
        )
    }

    fn release(&self, call: Call, ids: AckIds, sent: &AtomicI64) -> Result<(), NativeError> {
        if ids.is_empty() {
            return Ok(());
        }
        self.shared.space_freed.notify_one();
        runtime()?.block_on(self.shared.send_all(call, &ids, sent))
    }

    pub fn metrics(&self) -> [i64; METRIC_COUNT] {
        let held = self.shared.held();
        let r = &held.reservoir;
        self.shared
            .counters
            .snapshot(r.buffered_bytes(), r.held_len())
    }

    /// Ends the stream, stops the lease manager and nacks everything still
    /// held (waiting at most 5 s). Acknowledges nothing; a failed nack only
    /// delays redelivery.
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
        let ids = self.shared.held().reservoir.drain_all();
        if !ids.is_empty() {
            let nacks = self.shared.send_all(
                Call::ModifyDeadline(0),
                &ids,
                &self.shared.counters.nacks_sent,
            );
            // The timer must be created inside the runtime, hence the async block.
            let _ = rt.block_on(async { tokio::time::timeout(CLOSE_NACK_TIMEOUT, nacks).await });
        }
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
