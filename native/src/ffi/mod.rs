//! The only modules besides `jni` that contain `unsafe`: the counting global
//! allocator and the Arrow C Data Interface export and import.

pub mod alloc;
pub mod export;
pub mod import;
