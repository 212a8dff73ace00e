//! The Publisher service: Publish counts and assigns ids, keeps nothing.

use crate::names;
use crate::proto::server::google::pubsub::v1::publisher_server::Publisher;
use crate::proto::server::google::pubsub::v1::{
    GetTopicRequest, PublishRequest, PublishResponse, Topic,
};
use crate::state::Firehose;
use std::sync::Arc;
use tonic::{Request, Response, Status};

/// Pub/Sub's limit on messages per Publish request.
pub const MAX_PUBLISH_MESSAGES: usize = 1000;
/// Ids of published messages start above those of served ones.
pub const FIRST_PUBLISHED_ID: u64 = 1_000_000_000_001;

#[derive(Debug, Clone)]
pub struct PublisherService {
    firehose: Arc<Firehose>,
}

impl PublisherService {
    pub fn new(firehose: Arc<Firehose>) -> PublisherService {
        PublisherService { firehose }
    }
}

#[tonic::async_trait]
impl Publisher for PublisherService {
    async fn publish(
        &self,
        request: Request<PublishRequest>,
    ) -> Result<Response<PublishResponse>, Status> {
        self.firehose.faults.check_publish()?;
        let request = request.into_inner();
        names::parse("topic", &request.topic, "topics")?;
        let n = request.messages.len();
        if n == 0 || n > MAX_PUBLISH_MESSAGES {
            return Err(Status::invalid_argument(format!(
                "Publish to {} carries {n} messages: expected 1..{MAX_PUBLISH_MESSAGES}",
                request.topic
            )));
        }
        let bytes = request.messages.iter().map(|m| m.data.len() as u64).sum();
        let first = FIRST_PUBLISHED_ID + self.firehose.published(n as u64, bytes);
        let message_ids = (first..first + n as u64).map(|id| id.to_string()).collect();
        Ok(Response::new(PublishResponse { message_ids }))
    }

    async fn get_topic(
        &self,
        request: Request<GetTopicRequest>,
    ) -> Result<Response<Topic>, Status> {
        let name = request.into_inner().topic;
        names::parse("topic", &name, "topics")?;
        Ok(Response::new(Topic {
            name,
            ..Topic::default()
        }))
    }
}
