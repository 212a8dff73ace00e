//! Integration tests: an in-process firehose (and the binary) against a
//! generated tonic client. One test binary, so the tonic stack links once.

mod binary;
mod common;
mod faults;
mod streaming_pull;
mod unary;
