//! One Publish request with retries: transient statuses are retried with
//! exponential backoff and full jitter until `publish_timeout_ms` has passed
//! since the first attempt; any other status fails at once.

use crate::backoff::{is_transient, random_u64, Backoff};
use crate::client::AuthChannel;
use crate::error::PublishFailure;
use crate::publish::config::{Compression, PublisherConfig};
use crate::publish::request::{EncodedPublishRequest, PublishCodec, PUBLISH_PATH};
use std::sync::atomic::AtomicI64;
use std::time::{Duration, Instant};
use tonic::client::Grpc;
use tonic::codec::CompressionEncoding;
use tonic::codegen::http::uri::PathAndQuery;
use tonic::Status;

#[derive(Clone)]
pub struct Sender {
    grpc: Grpc<AuthChannel>,
    publish_timeout: Duration,
}

/// A fraction of the backoff's delay drawn uniformly from [0, 1): full jitter.
fn full_jitter(delay: Duration) -> Duration {
    delay.mul_f64((random_u64() % 1_000_000) as f64 / 1_000_000.0)
}

impl Sender {
    pub fn new(channel: AuthChannel, config: &PublisherConfig) -> Self {
        let mut grpc = Grpc::new(channel);
        if config.compression == Compression::Gzip {
            grpc = grpc.send_compressed(CompressionEncoding::Gzip);
        }
        Sender {
            grpc: grpc.accept_compressed(CompressionEncoding::Gzip),
            publish_timeout: config.publish_timeout(),
        }
    }

    /// Publishes `request`, retrying as the contract says; `retries` counts
    /// the attempts after the first.
    pub async fn publish(
        &self,
        request: &EncodedPublishRequest,
        retries: &AtomicI64,
    ) -> Result<(), PublishFailure> {
        let started = Instant::now();
        let mut backoff = Backoff::default();
        let mut attempts = 0;
        loop {
            attempts += 1;
            let remaining = self.publish_timeout.saturating_sub(started.elapsed());
            let status = match self.attempt(request, remaining).await {
                Ok(()) => return Ok(()),
                Err(status) => status,
            };
            let delay = full_jitter(backoff.next_delay());
            let out_of_time = started.elapsed() + delay >= self.publish_timeout;
            if !is_transient(status.code()) || out_of_time {
                let budget = if out_of_time && is_transient(status.code()) {
                    format!(
                        "; publish_timeout_ms {} ran out",
                        self.publish_timeout.as_millis()
                    )
                } else {
                    String::new()
                };
                return Err(PublishFailure {
                    topic: request.topic.to_string(),
                    code: status.code(),
                    message: status.message().to_string(),
                    attempts,
                    elapsed_ms: started.elapsed().as_millis(),
                    budget,
                });
            }
            crate::metrics::bump(retries, 1);
            tokio::time::sleep(delay).await;
        }
    }

    async fn attempt(
        &self,
        request: &EncodedPublishRequest,
        timeout: Duration,
    ) -> Result<(), Status> {
        let mut grpc = self.grpc.clone();
        let call = async {
            grpc.ready()
                .await
                .map_err(|e| Status::unavailable(format!("channel not ready: {e}")))?;
            let codec = PublishCodec::for_request(request);
            let mut rpc = tonic::Request::new(request.clone());
            rpc.set_timeout(timeout);
            let path = PathAndQuery::from_static(PUBLISH_PATH);
            grpc.unary::<_, crate::proto::google::pubsub::v1::PublishResponse, _>(rpc, path, codec)
                .await
                .map(drop)
        };
        tokio::time::timeout(timeout, call)
            .await
            .unwrap_or_else(|_| {
                Err(Status::deadline_exceeded(format!(
                    "no answer within {} ms",
                    timeout.as_millis()
                )))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_jitter_stays_within_zero_and_the_backoff_delay() {
        let delay = Duration::from_millis(400);
        let draws: Vec<Duration> = (0..200).map(|_| full_jitter(delay)).collect();
        assert!(draws.iter().all(|d| *d < delay));
        assert!(
            draws.iter().any(|d| *d < delay / 2),
            "reaches the lower half"
        );
    }
}
