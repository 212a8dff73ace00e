//! The only modules besides `jni` that contain `unsafe`: the counting global
//! allocator and the Arrow C Data Interface export.

pub mod alloc;
pub mod export;
