//! Generates the Pub/Sub v1 gRPC client from the vendored protos in `proto/`.
//! `protox` compiles the protos in pure Rust, so no `protoc` is needed.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let protos = ["google/pubsub/v1/pubsub.proto"];
    let fds = protox::compile(protos, ["proto"])?;
    tonic_prost_build::configure()
        // The server side serves the in-process fake Publisher of the sink's retry tests.
        .build_server(true)
        // Fakes implement only the methods a test needs; the rest answer UNIMPLEMENTED.
        .generate_default_stubs(true)
        // `bytes` fields (the payload) borrow the response buffer instead of copying it.
        .bytes(".")
        .compile_fds(fds)?;
    println!("cargo:rerun-if-changed=proto");
    Ok(())
}
