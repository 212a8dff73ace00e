//! Starts the gRPC server with both services, the lease clock, and stops it
//! with a final report.

use crate::config::ServeConfig;
use crate::proto::server::google::pubsub::v1::publisher_server::PublisherServer;
use crate::proto::server::google::pubsub::v1::subscriber_server::SubscriberServer;
use crate::publisher::PublisherService;
use crate::report::Report;
use crate::state::Firehose;
use crate::subscriber::SubscriberService;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use thiserror::Error;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::server::TcpIncoming;
use tonic::transport::Server;

/// Pub/Sub messages reach 10 MB and responses 20 MB; tonic allows 4 MiB.
const MAX_GRPC_MESSAGE: usize = 64 * 1024 * 1024;
/// How often lapsed leases are looked for.
const EXPIRY_TICK: Duration = Duration::from_millis(50);

#[derive(Debug, Error)]
pub enum ServeError {
    #[error("cannot listen on {address}: {source}")]
    Bind {
        address: String,
        source: std::io::Error,
    },
    #[error("gRPC server failed: {0}")]
    Server(#[from] tonic::transport::Error),
    #[error("cannot install the signal handlers: {0}")]
    Signal(std::io::Error),
    #[error("gRPC server task failed: {0}")]
    Join(#[from] tokio::task::JoinError),
}

/// A started firehose; `stop` ends it and returns the final report.
pub struct Running {
    pub addr: SocketAddr,
    pub firehose: Arc<Firehose>,
    shutdown: oneshot::Sender<()>,
    server: JoinHandle<Result<(), tonic::transport::Error>>,
    clock: JoinHandle<()>,
}

pub async fn start(config: ServeConfig) -> Result<Running, ServeError> {
    let address = format!("{}:{}", config.host, config.port);
    let bind_error = |source| ServeError::Bind {
        address: address.clone(),
        source,
    };
    let listener = tokio::net::TcpListener::bind(&address)
        .await
        .map_err(bind_error)?;
    let addr = listener.local_addr().map_err(bind_error)?;
    let incoming = TcpIncoming::from(listener).with_nodelay(Some(true));

    let firehose = Arc::new(Firehose::new(config));
    let outage = {
        let fh = firehose.clone();
        move |request| fh.faults.check_outage(request)
    };
    let subscriber = SubscriberServer::new(SubscriberService::new(firehose.clone()))
        .max_decoding_message_size(MAX_GRPC_MESSAGE)
        .max_encoding_message_size(MAX_GRPC_MESSAGE);
    let publisher = PublisherServer::new(PublisherService::new(firehose.clone()))
        .max_decoding_message_size(MAX_GRPC_MESSAGE)
        .max_encoding_message_size(MAX_GRPC_MESSAGE);
    let router = Server::builder()
        .add_service(InterceptedService::new(subscriber, outage.clone()))
        .add_service(InterceptedService::new(publisher, outage));

    let (shutdown, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(router.serve_with_incoming_shutdown(incoming, async {
        let _ = stopped.await;
    }));
    let clock = tokio::spawn(expire_leases(firehose.clone()));
    Ok(Running {
        addr,
        firehose,
        shutdown,
        server,
        clock,
    })
}

async fn expire_leases(firehose: Arc<Firehose>) {
    let mut tick = tokio::time::interval(EXPIRY_TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let now = firehose.now_ms();
        firehose.ledger().expire(now);
    }
}

impl Running {
    /// Stops accepting, ends open streams, and reports.
    pub async fn stop(self) -> Result<Report, ServeError> {
        self.clock.abort();
        let _ = self.shutdown.send(());
        // Open streams would hold a graceful shutdown forever: give them a
        // moment, then cut them.
        let mut server = self.server;
        match tokio::time::timeout(Duration::from_secs(1), &mut server).await {
            Ok(joined) => joined??,
            Err(_) => server.abort(),
        }
        Ok(self.firehose.report())
    }
}
