//! Native data plane of the Pub/Sub Spark connector: StreamingPull sessions,
//! the ack reservoir and leases, Arrow batches exported through the C Data
//! Interface, and the JNI entry points of `NativeBridge`.

pub mod arrow_batch;
pub mod auth;
pub mod backoff;
pub mod check;
pub mod client;
pub mod config;
pub mod connection;
pub mod error;
pub mod ffi;
pub mod jni;
pub mod metrics;
pub mod preencoded;
pub mod proto;
pub mod protobuf_write;
pub mod publish;
pub mod runtime;
pub mod session;
pub mod task;

/// Checked by Java's `NativeLoader` right after loading the library.
pub const ABI_VERSION: i32 = 3;

#[global_allocator]
static ALLOCATOR: ffi::alloc::CountingAllocator = ffi::alloc::CountingAllocator;
