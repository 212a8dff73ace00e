//! Sending a session's acknowledgements and nacks. A nack's ids are released
//! before it is sent; an ack's stay held until its answer: ids whose
//! Acknowledge failed transiently go back to the reservoir, leased, for the
//! lease manager to retry.

use super::ack_ids::AckIds;
use super::ack_request::Call;
use super::acks::HeldAcks;
use super::reservoir::Settlement;
use super::Shared;
use crate::backoff::is_transient;
use crate::error::NativeError;
use crate::metrics::bump;
use std::ops::Range;
use std::sync::atomic::AtomicI64;
use tonic::Status;

impl Shared {
    /// Sends `ids` in requests, counting successes; returns every failed
    /// request's id range and status once every request is done.
    async fn send_all(
        &self,
        call: Call,
        ids: &AckIds,
        sent: &AtomicI64,
    ) -> Vec<(Range<usize>, Status)> {
        let mut failures = Vec::new();
        self.acks
            .send(call, ids, |range, result| match result {
                Ok(()) => bump(sent, range.len()),
                Err(status) => failures.push((range, status)),
            })
            .await;
        failures
    }

    /// The error of the first failed request in id order, if any.
    fn first_error(
        &self,
        call: Call,
        failures: Vec<(Range<usize>, Status)>,
    ) -> Result<(), NativeError> {
        match failures.into_iter().min_by_key(|(range, _)| range.start) {
            None => Ok(()),
            Some((_, status)) => Err(NativeError::Rpc {
                op: call.name(),
                subscription: self.config.subscription.clone(),
                code: status.code(),
                message: status.message().to_string(),
            }),
        }
    }

    /// Sets the deadline of `ids` (released already) to 0 for redelivery.
    pub(super) async fn nack(&self, ids: &AckIds) -> Result<(), NativeError> {
        if ids.is_empty() {
            return Ok(());
        }
        self.space_freed.notify_one();
        let call = Call::ModifyDeadline(0);
        let failures = self.send_all(call, ids, &self.counters.nacks_sent).await;
        self.first_error(call, failures)
    }

    /// Acknowledges `acks` (still held). Ids whose request failed transiently
    /// stay held and leased for the lease manager to retry; those of a
    /// permanent failure are let go (redelivered later) and it is returned.
    pub(super) async fn acknowledge(&self, acks: HeldAcks) -> Result<(), NativeError> {
        if acks.len() == 0 {
            return Ok(());
        }
        let failures = self
            .send_all(Call::Ack, acks.ids(), &self.counters.acks_sent)
            .await;
        let failed = failures.iter().map(|(range, _)| range.len()).sum();
        bump(&self.counters.ack_failures, failed);
        let (transient, permanent): (Vec<_>, Vec<_>) = failures
            .into_iter()
            .partition(|(_, status)| is_transient(status.code()));
        let retry: Vec<Range<usize>> = transient.into_iter().map(|(range, _)| range).collect();
        self.held().reservoir.settle_acks(&acks, &retry);
        self.space_freed.notify_one();
        self.first_error(Call::Ack, permanent)
    }

    /// Sends a settlement's acks and nacks together; returns the first error.
    pub(super) async fn settle(&self, settlement: Settlement) -> Result<(), NativeError> {
        let (acked, nacked) = tokio::join!(
            self.acknowledge(settlement.acks),
            self.nack(&settlement.nacks)
        );
        acked.and(nacked)
    }
}
