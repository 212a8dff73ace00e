//! The batching publisher behind `openPublisher`: `publish` validates and
//! encodes the rows of one Arrow array on the caller's (JVM) thread and queues
//! them in batches; tokio tasks send the batches and a linger task cuts
//! batches whose time is up. One mutex guards the batching state; it is taken
//! once per array, per request completion and per linger tick, never per message.

pub mod batcher;
pub mod check_topic;
pub mod config;
pub mod message;
pub mod metrics;
pub mod request;
pub mod sender;

use crate::client::lazy_channel;
use crate::error::{NativeError, Panicked, PublishFailure};
use crate::runtime::runtime;
use crate::task;
use arrow_array::StructArray;
use batcher::{Batch, Batcher, Limits};
use config::PublisherConfig;
use message::Rows;
use metrics::{PublisherCounters, PUBLISHER_METRIC_COUNT};
use request::EncodedPublishRequest;
use sender::Sender;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Instant;
use tokio::runtime::Handle;
use tokio::sync::{watch, Notify};
use tokio::task::JoinHandle;

/// Names of the publisher's tasks, as their panics report them.
pub(crate) const SEND_TASK: &str = "a publish send task";
pub(crate) const LINGER_TASK: &str = "the linger task";

/// Why the publisher failed; kept and thrown by every later `publish`/`flush`.
#[derive(Debug, Clone)]
enum Failure {
    Publish(PublishFailure),
    Panic(Panicked),
}

impl From<Failure> for NativeError {
    fn from(failure: Failure) -> Self {
        match failure {
            Failure::Publish(publish) => publish.into(),
            Failure::Panic(panic) => panic.into(),
        }
    }
}

struct State {
    batcher: Batcher,
    in_flight: usize,
    /// Accepted messages without a server id or failure yet, and their bytes.
    pending_messages: usize,
    pending_bytes: usize,
    /// Rows accepted so far; row numbers in errors count from here.
    accepted_rows: u64,
    failure: Option<Failure>,
    closed: bool,
}

struct Shared {
    config: PublisherConfig,
    sender: Sender,
    runtime: Handle,
    state: Mutex<State>,
    /// Signalled when pending messages are confirmed or the publisher fails or closes.
    changed: Condvar,
    /// Wakes the linger task when new batches open.
    linger_wake: Notify,
    shutdown: watch::Sender<bool>,
    counters: PublisherCounters,
}

pub struct Publisher {
    shared: Arc<Shared>,
    linger_task: Option<JoinHandle<()>>,
}

impl Shared {
    fn state(&self) -> MutexGuard<'_, State> {
        // Every update of the state completes before anything that could panic.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn wait<'a>(&self, guard: MutexGuard<'a, State>) -> MutexGuard<'a, State> {
        self.changed
            .wait(guard)
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Starts requests for sendable batches while in-flight slots are free.
    fn pump(self: &Arc<Self>, state: &mut State) {
        if state.failure.is_some() || state.closed {
            return;
        }
        while state.in_flight < self.config.max_in_flight_batches() {
            let Some(batch) = state.batcher.next_sendable() else {
                return;
            };
            state.in_flight += 1;
            let send = Arc::clone(self).send(batch);
            task::spawn(&self.runtime, SEND_TASK, send, self.on_panic());
        }
    }

    /// What a panicking task calls: the publisher fails with the panic.
    fn on_panic(self: &Arc<Self>) -> impl FnOnce(Panicked) + Send + 'static {
        let shared = Arc::clone(self);
        move |panic| {
            let mut state = shared.state();
            shared.fail(&mut state, Failure::Panic(panic));
            drop(state);
            shared.changed.notify_all();
        }
    }

    async fn send(self: Arc<Self>, batch: Batch) {
        #[cfg(test)]
        task::inject::fail_point(SEND_TASK, self.config.topic.as_deref().unwrap_or_default());
        let request = EncodedPublishRequest {
            topic: Arc::clone(&batch.topic),
            records: batch.records.clone(),
        };
        let started = Instant::now();
        let mut shutdown = self.shutdown.subscribe();
        let result = tokio::select! {
            result = self.sender.publish(&request, &self.counters.publish_retries) => result,
            _ = shutdown.wait_for(|closed| *closed) => return,
        };
        drop(request);
        let mut state = self.state();
        state.in_flight -= 1;
        state.batcher.complete(batch.group);
        state.batcher.recycle(batch.records);
        state.pending_messages -= batch.messages;
        state.pending_bytes -= batch.message_bytes;
        match result {
            Ok(()) => {
                self.counters
                    .published(batch.messages, batch.message_bytes, started.elapsed());
            }
            Err(failure) => self.fail(&mut state, Failure::Publish(failure)),
        }
        self.pump(&mut state);
        drop(state);
        self.changed.notify_all();
    }

    /// Records the first failure and drops what was not sent: no later
    /// message of the failed ordering key (or any other) goes out.
    fn fail(&self, state: &mut State, failure: Failure) {
        if state.failure.is_none() {
            state.failure = Some(failure);
        }
        let (messages, bytes) = state.batcher.abandon();
        state.pending_messages -= messages;
        state.pending_bytes -= bytes;
    }

    /// Cuts batches whose linger time is up, until shutdown.
    async fn linger(self: Arc<Self>) {
        let mut shutdown = self.shutdown.subscribe();
        loop {
            #[cfg(test)]
            task::inject::fail_point(
                LINGER_TASK,
                self.config.topic.as_deref().unwrap_or_default(),
            );
            let next = {
                let mut state = self.state();
                if state.closed {
                    return;
                }
                state.batcher.cut_expired(Instant::now());
                self.pump(&mut state);
                state.batcher.next_deadline()
            };
            let wake = async {
                match next {
                    Some(deadline) => tokio::time::sleep_until(deadline.into()).await,
                    None => self.linger_wake.notified().await,
                }
            };
            tokio::select! {
                _ = wake => {}
                _ = shutdown.wait_for(|closed| *closed) => return,
            }
        }
    }
}

fn check_open(state: &State) -> Result<(), NativeError> {
    if let Some(failure) = &state.failure {
        return Err(failure.clone().into());
    }
    if state.closed {
        return Err(NativeError::InvalidArgument(
            "the publisher is closed".to_string(),
        ));
    }
    Ok(())
}

impl Publisher {
    /// Opens a publisher; the channel connects on the first request.
    pub fn open(config: PublisherConfig) -> Result<Self, NativeError> {
        let runtime = runtime()?;
        let _context = runtime.enter();
        let limits = Limits {
            batch_size: config.batch_size(),
            batch_bytes: config.batch_bytes(),
            linger: config.linger(),
        };
        let sender = Sender::new(lazy_channel(&config)?, &config);
        let shared = Arc::new(Shared {
            sender,
            runtime: runtime.handle().clone(),
            state: Mutex::new(State {
                batcher: Batcher::new(limits),
                in_flight: 0,
                pending_messages: 0,
                pending_bytes: 0,
                accepted_rows: 0,
                failure: None,
                closed: false,
            }),
            changed: Condvar::new(),
            linger_wake: Notify::new(),
            shutdown: watch::Sender::new(false),
            counters: PublisherCounters::default(),
            config,
        });
        let linger_task = (!shared.config.linger().is_zero()).then(|| {
            let linger = Arc::clone(&shared).linger();
            task::spawn(runtime.handle(), LINGER_TASK, linger, shared.on_panic())
        });
        Ok(Publisher {
            shared,
            linger_task,
        })
    }

    /// Validates every row of `array`, waits while too many bytes are
    /// pending, then encodes and queues the rows. Nothing of the array is
    /// queued if a row is invalid. The caller drops (releases) `array`.
    pub fn publish(&self, array: &StructArray) -> Result<(), NativeError> {
        let shared = &self.shared;
        let rows = Rows::new(array, shared.config.topic.as_deref())
            .map_err(|reason| NativeError::InvalidArgument(format!("cannot publish: {reason}")))?;
        let mut state = shared.state();
        check_open(&state)?;
        let first_row = state.accepted_rows;
        let mut valid = Vec::with_capacity(rows.len());
        for i in 0..rows.len() {
            let row = rows.row(i).map_err(|reason| NativeError::InvalidRow {
                row: first_row + i as u64,
                reason,
            })?;
            valid.push(row);
        }
        while state.pending_bytes > shared.config.max_pending_bytes() {
            check_open(&state)?;
            state = shared.wait(state);
        }
        check_open(&state)?;
        let mut bytes = 0;
        let mut appender = state.batcher.appender(Instant::now());
        for row in &valid {
            bytes += row.encoded_len;
            appender.add(row.topic, row.ordering_key, row.encoded_len, |buf| {
                rows.encode(row, buf)
            });
        }
        state.accepted_rows += valid.len() as u64;
        state.pending_messages += valid.len();
        state.pending_bytes += bytes;
        if shared.config.linger().is_zero() {
            state.batcher.cut_all();
        }
        shared.pump(&mut state);
        drop(state);
        shared.linger_wake.notify_one();
        Ok(())
    }

    /// Sends whatever lingers and waits until every accepted message is
    /// published or the publisher failed. Returns the messages published.
    pub fn flush(&self) -> Result<i64, NativeError> {
        let shared = &self.shared;
        let mut state = shared.state();
        check_open(&state)?;
        state.batcher.cut_all();
        shared.pump(&mut state);
        while state.pending_messages > 0 {
            check_open(&state)?;
            state = shared.wait(state);
        }
        check_open(&state)?;
        Ok(shared.counters.messages_published())
    }

    pub fn metrics(&self) -> [i64; PUBLISHER_METRIC_COUNT] {
        let state = self.shared.state();
        self.shared
            .counters
            .snapshot(state.pending_bytes, state.pending_messages)
    }

    /// Abandons unsent messages and cancels in-flight requests. Call with the
    /// runtime entered: dropping the channel may spawn clean-up work.
    pub fn close(&self) {
        let shared = &self.shared;
        {
            let mut state = shared.state();
            state.closed = true;
            let (messages, bytes) = state.batcher.abandon();
            state.pending_messages -= messages;
            state.pending_bytes -= bytes;
        }
        shared.shutdown.send_replace(true);
        shared.changed.notify_all();
        if let Some(task) = &self.linger_task {
            task.abort();
        }
    }
}

impl Drop for Publisher {
    fn drop(&mut self) {
        self.close();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::task::inject;
    use arrow_array::{ArrayRef, BinaryArray};
    use arrow_schema::Field;
    use std::time::Duration;
    use tokio::time::timeout;

    const CALL_END: Duration = Duration::from_secs(10);

    /// A publisher of `topic` on an unreachable emulator whose `task` panics.
    fn publisher_whose_task_panics(task: &'static str, topic: &str, linger_ms: u64) -> Publisher {
        inject::arm(task, topic);
        let config = PublisherConfig::from_json(&format!(
            r#"{{"topic":"{topic}","emulator_host":"127.0.0.1:1","linger_ms":{linger_ms}}}"#
        ))
        .unwrap();
        Publisher::open(config).unwrap()
    }

    fn rows(n: usize) -> StructArray {
        let payloads: ArrayRef = Arc::new(BinaryArray::from_iter_values(
            (0..n).map(|i| format!("m{i}").into_bytes()),
        ));
        let field = Arc::new(Field::new("payload", payloads.data_type().clone(), true));
        StructArray::from(vec![(field, payloads)])
    }

    /// Runs `call` off the runtime's workers; None if it did not return in time.
    fn within<T: Send + 'static>(call: impl FnOnce() -> T + Send + 'static) -> Option<T> {
        let rt = runtime().unwrap();
        rt.block_on(async {
            timeout(CALL_END, tokio::task::spawn_blocking(call))
                .await
                .ok()
                .map(|joined| joined.expect("the call itself does not panic"))
        })
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
    fn a_panic_in_a_send_task_fails_flush_instead_of_leaving_it_waiting() {
        let topic = "projects/p/topics/panic-in-send";
        let publisher = Arc::new(publisher_whose_task_panics(SEND_TASK, topic, 0));
        publisher.publish(&rows(3)).unwrap();
        let flushing = Arc::clone(&publisher);
        let flushed = within(move || flushing.flush()).expect("flush returns");
        assert_panic_error(flushed, SEND_TASK);
        assert_panic_error(publisher.publish(&rows(1)), SEND_TASK);
    }

    #[test]
    fn a_panic_in_the_linger_task_fails_the_next_publish_and_flush() {
        let topic = "projects/p/topics/panic-in-linger";
        let mut publisher = publisher_whose_task_panics(LINGER_TASK, topic, 10);
        let linger = publisher.linger_task.take().unwrap();
        let rt = runtime().unwrap();
        let ended = rt.block_on(async { timeout(CALL_END, linger).await.is_ok() });
        assert!(ended, "the linger task ends after its panic");
        assert_panic_error(publisher.publish(&rows(3)), LINGER_TASK);
        assert_panic_error(publisher.flush(), LINGER_TASK);
    }
}
