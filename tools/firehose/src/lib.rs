//! Firehose: a Pub/Sub load server. It serves pre-encoded messages over
//! StreamingPull as fast as clients read them, leases them like Pub/Sub,
//! injects faults on request, and reports how every message was acked.

pub mod catalog;
pub mod ceiling;
pub mod config;
pub mod faults;
pub mod ledger;
pub mod names;
pub mod proto;
pub mod publisher;
pub mod pull_stream;
pub mod redeliveries;
pub mod report;
pub mod server;
pub mod state;
pub mod subscriber;
pub mod wire;
