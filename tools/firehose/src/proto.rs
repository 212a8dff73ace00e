//! Generated Pub/Sub v1 code (see build.rs).
#![allow(clippy::all, clippy::pedantic)]

/// Services with the pull responses written from pre-encoded bytes.
pub mod server {
    pub mod google {
        pub mod pubsub {
            pub mod v1 {
                include!(concat!(env!("OUT_DIR"), "/server/google.pubsub.v1.rs"));
            }
        }
    }
}

/// Plain messages and gRPC clients, for tests and measurements.
pub mod client {
    pub mod google {
        pub mod pubsub {
            pub mod v1 {
                include!(concat!(env!("OUT_DIR"), "/client/google.pubsub.v1.rs"));
            }
        }
    }
}
