//! Generated Pub/Sub v1 messages and gRPC clients (see build.rs).
#![allow(clippy::all, clippy::pedantic)]

pub mod google {
    pub mod api {
        tonic::include_proto!("google.api");
    }
    pub mod pubsub {
        pub mod v1 {
            tonic::include_proto!("google.pubsub.v1");
        }
    }
}
