//! The Subscriber service: StreamingPull, Pull, Acknowledge,
//! ModifyAckDeadline and GetSubscription.

use crate::config::MAX_ACK_DEADLINE_SECS;
use crate::ledger::{FlowLimits, NO_STREAM};
use crate::names;
use crate::proto::server::google::pubsub::v1::subscriber_server::Subscriber;
use crate::proto::server::google::pubsub::v1::{
    AcknowledgeRequest, GetSubscriptionRequest, ModifyAckDeadlineRequest, PullRequest,
    StreamingPullRequest, Subscription,
};
use crate::pull_stream::{PullStream, MAX_RESPONSE_BYTES};
use crate::state::Firehose;
use crate::wire::EncodedPull;
use std::sync::Arc;
use tonic::codegen::BoxStream;
use tonic::{Request, Response, Status, Streaming};

/// Pub/Sub's limit on messages per Pull response.
const MAX_PULL_MESSAGES: u64 = 1000;

#[derive(Debug, Clone)]
pub struct SubscriberService {
    firehose: Arc<Firehose>,
}

impl SubscriberService {
    pub fn new(firehose: Arc<Firehose>) -> SubscriberService {
        SubscriberService { firehose }
    }
}

/// An ack deadline in seconds as sent by a client, with 0 mapped to `zero`
/// (the default lease for streams, "nack" for deadline changes).
pub fn deadline_secs(field: &str, value: i32, zero: u32) -> Result<u32, Status> {
    match u32::try_from(value) {
        Ok(0) => Ok(zero),
        Ok(s) if u64::from(s) <= MAX_ACK_DEADLINE_SECS => Ok(s),
        _ => Err(Status::invalid_argument(format!(
            "invalid {field} {value}: expected 0..{MAX_ACK_DEADLINE_SECS} seconds"
        ))),
    }
}

/// Acks and deadline changes carried by a StreamingPull request.
pub fn apply_request(firehose: &Firehose, request: &StreamingPullRequest) -> Result<(), Status> {
    if request.modify_deadline_seconds.len() != request.modify_deadline_ack_ids.len() {
        return Err(Status::invalid_argument(format!(
            "modify_deadline_seconds has {} entries but modify_deadline_ack_ids has {}",
            request.modify_deadline_seconds.len(),
            request.modify_deadline_ack_ids.len()
        )));
    }
    let seconds = request
        .modify_deadline_seconds
        .iter()
        .map(|&s| deadline_secs("modify_deadline_seconds", s, 0))
        .collect::<Result<Vec<u32>, Status>>()?;
    firehose.ack(&request.ack_ids);
    firehose.modify(&request.modify_deadline_ack_ids, seconds);
    Ok(())
}

#[tonic::async_trait]
impl Subscriber for SubscriberService {
    async fn streaming_pull(
        &self,
        request: Request<Streaming<StreamingPullRequest>>,
    ) -> Result<Response<BoxStream<EncodedPull>>, Status> {
        let mut inbound = request.into_inner();
        let first = inbound.message().await?.ok_or_else(|| {
            Status::invalid_argument("StreamingPull ended before its first request")
        })?;
        names::parse("subscription", &first.subscription, "subscriptions")?;
        let lease_secs = deadline_secs(
            "stream_ack_deadline_seconds",
            first.stream_ack_deadline_seconds,
            self.firehose.config.ack_deadline_secs,
        )?;
        let limits = FlowLimits {
            max_messages: first.max_outstanding_messages.max(0) as u64,
            max_bytes: first.max_outstanding_bytes.max(0) as u64,
        };
        apply_request(&self.firehose, &first)?;
        let stream = PullStream::open(self.firehose.clone(), limits, lease_secs, inbound);
        Ok(Response::new(Box::pin(stream.into_stream())))
    }

    async fn pull(&self, request: Request<PullRequest>) -> Result<Response<EncodedPull>, Status> {
        let request = request.into_inner();
        names::parse("subscription", &request.subscription, "subscriptions")?;
        let max = u64::try_from(request.max_messages)
            .ok()
            .filter(|&m| m > 0)
            .ok_or_else(|| {
                Status::invalid_argument(format!(
                    "invalid max_messages {}: expected at least 1",
                    request.max_messages
                ))
            })?;
        let fh = &self.firehose;
        let lease_ms = u64::from(fh.config.ack_deadline_secs) * 1000;
        let mut out = Vec::new();
        let now = fh.now_ms();
        fh.ledger().deliver(
            NO_STREAM,
            max.min(MAX_PULL_MESSAGES),
            MAX_RESPONSE_BYTES,
            lease_ms,
            now,
            &mut out,
        );
        Ok(Response::new(EncodedPull::new(fh.catalog.clone(), out)))
    }

    async fn acknowledge(
        &self,
        request: Request<AcknowledgeRequest>,
    ) -> Result<Response<()>, Status> {
        let request = request.into_inner();
        names::parse("subscription", &request.subscription, "subscriptions")?;
        self.firehose
            .faults
            .check_acknowledge(request.ack_ids.len())
            .inspect_err(|_| self.firehose.acks_failed(&request.ack_ids))?;
        self.firehose.ack(&request.ack_ids);
        Ok(Response::new(()))
    }

    async fn modify_ack_deadline(
        &self,
        request: Request<ModifyAckDeadlineRequest>,
    ) -> Result<Response<()>, Status> {
        let request = request.into_inner();
        names::parse("subscription", &request.subscription, "subscriptions")?;
        let secs = deadline_secs("ack_deadline_seconds", request.ack_deadline_seconds, 0)?;
        let n = request.ack_ids.len();
        self.firehose
            .modify(&request.ack_ids, std::iter::repeat_n(secs, n));
        Ok(Response::new(()))
    }

    async fn get_subscription(
        &self,
        request: Request<GetSubscriptionRequest>,
    ) -> Result<Response<Subscription>, Status> {
        let name = request.into_inner().subscription;
        let (project, _) = names::parse("subscription", &name, "subscriptions")?;
        Ok(Response::new(Subscription {
            topic: format!("projects/{project}/topics/firehose"),
            ack_deadline_seconds: self.firehose.config.ack_deadline_secs as i32,
            name,
            ..Subscription::default()
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deadlines_map_zero_and_reject_out_of_range() {
        assert_eq!(deadline_secs("f", 0, 10).ok(), Some(10));
        assert_eq!(deadline_secs("f", 0, 0).ok(), Some(0));
        assert_eq!(deadline_secs("f", 600, 10).ok(), Some(600));
        let err = deadline_secs("stream_ack_deadline_seconds", -1, 10).unwrap_err();
        assert_eq!(
            err.message(),
            "invalid stream_ack_deadline_seconds -1: expected 0..600 seconds"
        );
        assert!(deadline_secs("f", 601, 10).is_err());
    }
}
