//! Generates the Pub/Sub v1 gRPC code from native/'s vendored protos, twice:
//! - `server/`: the services, with the two pull responses mapped to
//!   `crate::wire::EncodedPull`, which writes pre-encoded bytes instead of
//!   encoding prost structs (the hot path);
//! - `client/`: plain messages and clients, for tests and measurements.
//!
//! `protox` compiles the protos in pure Rust, so no `protoc` is needed.

use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let proto_dir = "../../native/proto";
    let fds = protox::compile(["google/pubsub/v1/pubsub.proto"], [proto_dir])?;
    let out = PathBuf::from(std::env::var("OUT_DIR")?);

    let server_out = out.join("server");
    std::fs::create_dir_all(&server_out)?;
    tonic_prost_build::configure()
        .build_client(false)
        .build_server(true)
        // RPCs the firehose does not implement answer UNIMPLEMENTED.
        .generate_default_stubs(true)
        .bytes(".")
        .extern_path(
            ".google.pubsub.v1.StreamingPullResponse",
            "crate::wire::EncodedPull",
        )
        .extern_path(".google.pubsub.v1.PullResponse", "crate::wire::EncodedPull")
        .out_dir(&server_out)
        .compile_fds(fds.clone())?;

    let client_out = out.join("client");
    std::fs::create_dir_all(&client_out)?;
    tonic_prost_build::configure()
        .build_client(true)
        .build_server(false)
        .bytes(".")
        .out_dir(&client_out)
        .compile_fds(fds)?;

    println!("cargo:rerun-if-changed={proto_dir}");
    Ok(())
}
