//! One StreamingPull stream: responses are built when tonic asks for the
//! next one (so the client's reading pace sets the rate), within the
//! stream's flow control; a task reads the client's acks and deadline
//! changes meanwhile. Faults that act on streams (drop, stall) live here.

use crate::ledger::FlowLimits;
use crate::proto::server::google::pubsub::v1::StreamingPullRequest;
use crate::state::Firehose;
use crate::subscriber::{apply_request, deadline_secs};
use crate::wire::EncodedPull;
use futures_util::Stream;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, OnceLock};
use tokio::sync::Notify;
use tonic::{Status, Streaming};

/// Bytes of messages per response (about 115 messages of 1 KiB). Below
/// glibc's mmap threshold (128 KiB), tonic's per-response buffers come from
/// the heap rather than fresh pages: a third of the page faults of 256 KiB
/// responses, and less CPU per message in measurements.
pub const MAX_RESPONSE_BYTES: u64 = 120 * 1024;
/// Messages per response, whatever their size.
const MAX_RESPONSE_MESSAGES: u64 = 10_000;

/// What the request-reading task tells the response side.
#[derive(Debug, Default)]
struct Inbound {
    lease_ms: AtomicU64,
    /// The client half-closed or went away: end the stream.
    closed: AtomicBool,
    /// A bad request: end the stream with this status.
    error: OnceLock<Status>,
}

pub struct PullStream {
    firehose: Arc<Firehose>,
    id: u32,
    notify: Arc<Notify>,
    inbound: Arc<Inbound>,
    /// Messages sent on this stream so far.
    sent: u64,
    /// About how many messages fill a response (sizes the delivery list).
    per_response: u64,
    ended: bool,
}

impl PullStream {
    pub fn open(
        firehose: Arc<Firehose>,
        limits: FlowLimits,
        lease_secs: u32,
        requests: Streaming<StreamingPullRequest>,
    ) -> PullStream {
        let notify = Arc::new(Notify::new());
        let id = firehose.ledger().open_stream(limits, notify.clone());
        let inbound = Arc::new(Inbound {
            lease_ms: AtomicU64::new(u64::from(lease_secs) * 1000),
            ..Inbound::default()
        });
        let per_response = MAX_RESPONSE_BYTES / firehose.catalog.message_len(0).max(1) as u64 + 1;
        tokio::spawn(read_requests(
            firehose.clone(),
            requests,
            inbound.clone(),
            notify.clone(),
        ));
        PullStream {
            firehose,
            id,
            notify,
            inbound,
            sent: 0,
            per_response,
            ended: false,
        }
    }

    pub fn into_stream(self) -> impl Stream<Item = Result<EncodedPull, Status>> + Send {
        futures_util::stream::unfold(self, |mut s| async move {
            let item = s.next_response().await?;
            Some((item, s))
        })
    }

    async fn next_response(&mut self) -> Option<Result<EncodedPull, Status>> {
        let faults = &self.firehose.faults;
        loop {
            if self.ended || self.inbound.closed.load(Relaxed) {
                return None;
            }
            if let Some(status) = self.inbound.error.get() {
                self.ended = true;
                return Some(Err(status.clone()));
            }
            if let Some(status) = faults.signalled_outage() {
                self.ended = true;
                self.firehose.stream_faulted(self.id);
                return Some(Err(status));
            }
            let mut max = MAX_RESPONSE_MESSAGES;
            if let Some(k) = faults.drop_stream_after() {
                if self.sent >= k {
                    self.ended = true;
                    self.firehose.stream_faulted(self.id);
                    return Some(Err(Status::unavailable(format!(
                        "firehose: injected stream drop after {k} messages (--drop-stream-every)"
                    ))));
                }
                max = max.min(k - self.sent);
            }
            let stall = faults.stall();
            if let Some((_, every)) = stall {
                max = max.min(every - self.sent % every);
            }
            let mut out = Vec::with_capacity(max.min(self.per_response) as usize);
            let lease_ms = self.inbound.lease_ms.load(Relaxed);
            {
                let now = self.firehose.now_ms();
                self.firehose.ledger().deliver(
                    self.id,
                    max,
                    MAX_RESPONSE_BYTES,
                    lease_ms,
                    now,
                    &mut out,
                );
            }
            if !out.is_empty() {
                // A stall holds the response that goes past a multiple of K.
                if let Some((pause, every)) = stall {
                    if self.sent > 0 && self.sent.is_multiple_of(every) {
                        faults.stalled();
                        // Their leases lapse before the client sees them: the
                        // stall itself causes their redelivery.
                        if pause.as_millis() >= u128::from(lease_ms) {
                            self.firehose.held_past_lease(&out);
                        }
                        tokio::time::sleep(pause).await;
                    }
                }
                self.sent += out.len() as u64;
                return Some(Ok(EncodedPull::new(self.firehose.catalog.clone(), out)));
            }
            // Woken by acks on this stream, redeliveries, the client leaving, or an outage.
            tokio::select! {
                _ = self.notify.notified() => {}
                _ = faults.outage_begun.notified() => {}
            }
        }
    }
}

impl Drop for PullStream {
    fn drop(&mut self) {
        self.firehose.ledger().close_stream(self.id);
    }
}

async fn read_requests(
    firehose: Arc<Firehose>,
    mut requests: Streaming<StreamingPullRequest>,
    inbound: Arc<Inbound>,
    notify: Arc<Notify>,
) {
    loop {
        match requests.message().await {
            Ok(Some(request)) => {
                let applied = apply_request(&firehose, &request).and_then(|()| {
                    let lease = request.stream_ack_deadline_seconds;
                    if lease != 0 {
                        let secs = deadline_secs("stream_ack_deadline_seconds", lease, 0)?;
                        inbound.lease_ms.store(u64::from(secs) * 1000, Relaxed);
                    }
                    Ok(())
                });
                if let Err(status) = applied {
                    let _ = inbound.error.set(status);
                    break;
                }
            }
            Ok(None) | Err(_) => {
                inbound.closed.store(true, Relaxed);
                break;
            }
        }
    }
    notify.notify_one();
}
