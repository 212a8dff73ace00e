//! Acknowledge and ModifyAckDeadline as unary RPCs, split to Pub/Sub's
//! request limits and retried on transient errors.

use crate::client::PubSubClient;
use crate::proto::google::pubsub::v1::{AcknowledgeRequest, ModifyAckDeadlineRequest};
use crate::session::backoff::{is_transient, Backoff};
use std::time::Duration;
use tonic::Status;

/// At most this many ack ids per request.
pub const MAX_IDS_PER_REQUEST: usize = 1_000;
/// At most this many bytes of ack ids per request.
pub const MAX_ID_BYTES_PER_REQUEST: usize = 512 * 1024;

const ATTEMPTS: usize = 3;
const RPC_TIMEOUT: Duration = Duration::from_secs(30);

/// Splits items into requests of at most 1,000 ack ids and 512 KiB of ack ids.
pub fn chunk_by_limits<T>(items: Vec<T>, ack_id: impl Fn(&T) -> &str) -> Vec<Vec<T>> {
    let mut chunks = Vec::new();
    let mut current: Vec<T> = Vec::new();
    let mut bytes = 0;
    for item in items {
        let len = ack_id(&item).len();
        let full = current.len() >= MAX_IDS_PER_REQUEST || bytes + len > MAX_ID_BYTES_PER_REQUEST;
        if full && !current.is_empty() {
            chunks.push(std::mem::take(&mut current));
            bytes = 0;
        }
        bytes += len;
        current.push(item);
    }
    if !current.is_empty() {
        chunks.push(current);
    }
    chunks
}

pub enum Call {
    Ack,
    ModifyDeadline(i32),
}

impl Call {
    pub fn name(&self) -> &'static str {
        match self {
            Call::Ack => "Acknowledge",
            Call::ModifyDeadline(0) => "ModifyAckDeadline (nack)",
            Call::ModifyDeadline(_) => "ModifyAckDeadline",
        }
    }
}

/// Sends one request (at most one chunk of ids), retrying transient errors.
pub async fn send(
    client: &PubSubClient,
    subscription: &str,
    call: &Call,
    ack_ids: Vec<String>,
) -> Result<(), Status> {
    let mut backoff = Backoff::default();
    let mut attempt = 1;
    loop {
        let mut client = client.clone();
        let result = match call {
            Call::Ack => {
                let mut request = tonic::Request::new(AcknowledgeRequest {
                    subscription: subscription.to_string(),
                    ack_ids: ack_ids.clone(),
                });
                request.set_timeout(RPC_TIMEOUT);
                client.acknowledge(request).await
            }
            Call::ModifyDeadline(seconds) => {
                let mut request = tonic::Request::new(ModifyAckDeadlineRequest {
                    subscription: subscription.to_string(),
                    ack_ids: ack_ids.clone(),
                    ack_deadline_seconds: *seconds,
                });
                request.set_timeout(RPC_TIMEOUT);
                client.modify_ack_deadline(request).await
            }
        };
        match result {
            Ok(_) => return Ok(()),
            Err(status) if attempt < ATTEMPTS && is_transient(status.code()) => {
                attempt += 1;
                tokio::time::sleep(backoff.next_delay()).await;
            }
            Err(status) => return Err(status),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_hold_at_most_1000_ids() {
        let ids: Vec<String> = (0..2_500).map(|i| format!("{i:05}")).collect();
        let chunks = chunk_by_limits(ids, |s| s.as_str());
        let sizes: Vec<usize> = chunks.iter().map(Vec::len).collect();
        assert_eq!(sizes, vec![1_000, 1_000, 500]);
    }

    #[test]
    fn requests_hold_at_most_512_kib_of_ack_ids() {
        let id = "x".repeat(1_024);
        let ids = vec![id; 1_100];
        let chunks = chunk_by_limits(ids, |s| s.as_str());
        assert_eq!(chunks.len(), 3);
        for chunk in &chunks {
            let bytes: usize = chunk.iter().map(String::len).sum();
            assert!(bytes <= MAX_ID_BYTES_PER_REQUEST);
        }
        assert_eq!(chunks[0].len(), 512);
        assert_eq!(chunks.iter().map(Vec::len).sum::<usize>(), 1_100);
    }

    #[test]
    fn no_ids_means_no_requests() {
        assert!(chunk_by_limits(Vec::<String>::new(), |s| s.as_str()).is_empty());
    }
}
