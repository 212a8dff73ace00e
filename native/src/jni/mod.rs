//! JNI entry points of `io.pubsubnative.spark.nativelib.NativeBridge`
//! (contract: docs/architecture.md). Every body runs behind `barrier::run`.
//! No native thread ever calls back into the JVM.

pub mod barrier;
pub mod exception;
mod handle;
mod publisher;

use crate::config::SessionConfig;
use crate::error::NativeError;
use crate::ffi::alloc::allocated_bytes;
use crate::ffi::export::export_to;
use crate::session::{ReadStart, Session};
use arrow_array::Array;
use barrier::run;
use jni::objects::{JClass, JString};
use jni::sys::{jboolean, jint, jlong, jlongArray, jstring, JNI_FALSE};
use jni::JNIEnv;
use std::time::Duration;

fn java_string(env: &mut JNIEnv<'_>, value: &JString<'_>) -> Result<String, NativeError> {
    Ok(env.get_string(value)?.into())
}

/// A new Java `long[]` holding `values`.
fn long_array(env: &mut JNIEnv<'_>, values: &[i64]) -> Result<jlongArray, NativeError> {
    let array = env.new_long_array(values.len() as jint)?;
    env.set_long_array_region(&array, 0, values)?;
    Ok(array.into_raw())
}

/// Invalidates `handle`, then closes and drops its value with the runtime
/// entered: dropping a gRPC channel may spawn clean-up work, which needs the
/// runtime's context on this JVM thread.
fn close_in_runtime<T: handle::Handled>(
    handle: jlong,
    close: impl FnOnce(&T) -> Result<(), NativeError>,
) -> Result<(), NativeError> {
    let value = handle::close::<T>(handle)?;
    let _context = crate::runtime::runtime()?.enter();
    let closed = close(&value);
    drop(value);
    closed
}

#[no_mangle]
pub extern "system" fn Java_io_pubsubnative_spark_nativelib_NativeBridge_abiVersion(
    mut env: JNIEnv<'_>,
    _class: JClass<'_>,
) -> jint {
    run(&mut env, 0, |_| Ok(crate::ABI_VERSION))
}

#[no_mangle]
pub extern "system" fn Java_io_pubsubnative_spark_nativelib_NativeBridge_allocatedBytes(
    mut env: JNIEnv<'_>,
    _class: JClass<'_>,
) -> jlong {
    run(&mut env, 0, |_| Ok(allocated_bytes()))
}

#[no_mangle]
pub extern "system" fn Java_io_pubsubnative_spark_nativelib_NativeBridge_checkSubscription<
    'local,
>(
    mut env: JNIEnv<'local>,
    _class: JClass<'local>,
    config_json: JString<'local>,
) -> jstring {
    run(&mut env, std::ptr::null_mut(), |env| {
        let json = java_string(env, &config_json)?;
        let result = crate::check::check_subscription(&json)?;
        Ok(env.new_string(result)?.into_raw())
    })
}

#[no_mangle]
pub extern "system" fn Java_io_pubsubnative_spark_nativelib_NativeBridge_openSubscriber<'local>(
    mut env: JNIEnv<'local>,
    _class: JClass<'local>,
    config_json: JString<'local>,
) -> jlong {
    run(&mut env, 0, |env| {
        let json = java_string(env, &config_json)?;
        let session = Session::open(SessionConfig::from_json(&json)?)?;
        Ok(handle::open(session))
    })
}

/// Returns the replay's row count, or -1 for a fresh read.
#[no_mangle]
pub extern "system" fn Java_io_pubsubnative_spark_nativelib_NativeBridge_beginRead(
    mut env: JNIEnv<'_>,
    _class: JClass<'_>,
    handle: jlong,
    batch_id: jlong,
    acknowledge: jboolean,
) -> jlong {
    run(&mut env, 0, |_| {
        let session = handle::get::<Session>(handle)?;
        Ok(
            match session.begin_read(batch_id, acknowledge != JNI_FALSE)? {
                ReadStart::Replay { rows } => jlong::try_from(rows).unwrap_or(jlong::MAX),
                ReadStart::Fresh => -1,
            },
        )
    })
}

#[no_mangle]
pub extern "system" fn Java_io_pubsubnative_spark_nativelib_NativeBridge_completeRead(
    mut env: JNIEnv<'_>,
    _class: JClass<'_>,
    handle: jlong,
    batch_id: jlong,
) {
    run(&mut env, (), |_| {
        handle::get::<Session>(handle)?.complete_read(batch_id);
        Ok(())
    })
}

#[no_mangle]
pub extern "system" fn Java_io_pubsubnative_spark_nativelib_NativeBridge_abortRead(
    mut env: JNIEnv<'_>,
    _class: JClass<'_>,
    handle: jlong,
    batch_id: jlong,
) {
    run(&mut env, (), |_| {
        handle::get::<Session>(handle)?.abort_read(batch_id)
    })
}

#[no_mangle]
#[allow(clippy::too_many_arguments)] // fixed by the Java signature
pub extern "system" fn Java_io_pubsubnative_spark_nativelib_NativeBridge_fetch(
    mut env: JNIEnv<'_>,
    _class: JClass<'_>,
    handle: jlong,
    batch_id: jlong,
    max_rows: jint,
    max_bytes: jlong,
    wait_ms: jlong,
    array_addr: jlong,
    schema_addr: jlong,
) -> jint {
    run(&mut env, 0, |_| {
        let session = handle::get::<Session>(handle)?;
        let wait = Duration::from_millis(u64::try_from(wait_ms).unwrap_or(0));
        let Some(batch) = session.fetch(batch_id, max_rows, max_bytes, wait)? else {
            return Ok(0);
        };
        let rows = jint::try_from(batch.len()).map_err(|_| {
            NativeError::InvalidArgument(format!("batch of {} rows exceeds an int", batch.len()))
        })?;
        export_to(batch, array_addr, schema_addr)?;
        Ok(rows)
    })
}

#[no_mangle]
pub extern "system" fn Java_io_pubsubnative_spark_nativelib_NativeBridge_ackThrough(
    mut env: JNIEnv<'_>,
    _class: JClass<'_>,
    handle: jlong,
    committed_batch_id: jlong,
) {
    run(&mut env, (), |_| {
        handle::get::<Session>(handle)?.ack_through(committed_batch_id)
    })
}

#[no_mangle]
pub extern "system" fn Java_io_pubsubnative_spark_nativelib_NativeBridge_ackBatch(
    mut env: JNIEnv<'_>,
    _class: JClass<'_>,
    handle: jlong,
    batch_id: jlong,
) {
    run(&mut env, (), |_| {
        handle::get::<Session>(handle)?.ack_batch(batch_id)
    })
}

#[no_mangle]
pub extern "system" fn Java_io_pubsubnative_spark_nativelib_NativeBridge_nackBatch(
    mut env: JNIEnv<'_>,
    _class: JClass<'_>,
    handle: jlong,
    batch_id: jlong,
) {
    run(&mut env, (), |_| {
        handle::get::<Session>(handle)?.nack_batch(batch_id)
    })
}

#[no_mangle]
pub extern "system" fn Java_io_pubsubnative_spark_nativelib_NativeBridge_streamConnected(
    mut env: JNIEnv<'_>,
    _class: JClass<'_>,
    handle: jlong,
) -> jboolean {
    run(&mut env, JNI_FALSE, |_| {
        Ok(jboolean::from(
            handle::get::<Session>(handle)?.stream_connected(),
        ))
    })
}

#[no_mangle]
pub extern "system" fn Java_io_pubsubnative_spark_nativelib_NativeBridge_metrics<'local>(
    mut env: JNIEnv<'local>,
    _class: JClass<'local>,
    handle: jlong,
) -> jlongArray {
    run(&mut env, std::ptr::null_mut(), |env| {
        long_array(env, &handle::get::<Session>(handle)?.metrics())
    })
}

#[no_mangle]
pub extern "system" fn Java_io_pubsubnative_spark_nativelib_NativeBridge_closeSubscriber(
    mut env: JNIEnv<'_>,
    _class: JClass<'_>,
    handle: jlong,
) {
    run(&mut env, (), |_| {
        close_in_runtime::<Session>(handle, Session::close)
    })
}

#[no_mangle]
pub extern "system" fn Java_io_pubsubnative_spark_nativelib_NativeBridge_panicForTest<'local>(
    mut env: JNIEnv<'local>,
    _class: JClass<'local>,
    message: JString<'local>,
) {
    run(&mut env, (), |env| {
        let message = java_string(env, &message)?;
        panic!("{message}")
    })
}
