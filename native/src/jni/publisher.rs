//! JNI entry points of the sink's publisher (contract: docs/architecture.md,
//! "Publisher"). Every body runs behind `barrier::run`; the imported Arrow
//! array is released on the calling JVM thread before `publish` returns.

use super::barrier::run;
use super::handle;
use super::{close_in_runtime, java_string, long_array};
use crate::ffi::import::import_struct;
use crate::publish::check_topic::check_topic;
use crate::publish::config::PublisherConfig;
use crate::publish::Publisher;
use jni::objects::{JClass, JString};
use jni::sys::{jlong, jlongArray, jstring};
use jni::JNIEnv;

#[no_mangle]
pub extern "system" fn Java_io_pubsubnative_spark_nativelib_NativeBridge_checkTopic<'local>(
    mut env: JNIEnv<'local>,
    _class: JClass<'local>,
    config_json: JString<'local>,
) -> jstring {
    run(&mut env, std::ptr::null_mut(), |env| {
        let json = java_string(env, &config_json)?;
        let name = check_topic(&json)?;
        Ok(env.new_string(name)?.into_raw())
    })
}

#[no_mangle]
pub extern "system" fn Java_io_pubsubnative_spark_nativelib_NativeBridge_openPublisher<'local>(
    mut env: JNIEnv<'local>,
    _class: JClass<'local>,
    config_json: JString<'local>,
) -> jlong {
    run(&mut env, 0, |env| {
        let json = java_string(env, &config_json)?;
        let publisher = Publisher::open(PublisherConfig::from_json(&json)?)?;
        Ok(handle::open(publisher))
    })
}

#[no_mangle]
pub extern "system" fn Java_io_pubsubnative_spark_nativelib_NativeBridge_publish(
    mut env: JNIEnv<'_>,
    _class: JClass<'_>,
    publisher: jlong,
    array_addr: jlong,
    schema_addr: jlong,
) {
    run(&mut env, (), |_| {
        // Imported first, so the array is owned (and released here) on every path.
        let array = import_struct(array_addr, schema_addr)?;
        let published = handle::get::<Publisher>(publisher)?.publish(&array);
        drop(array);
        published
    })
}

#[no_mangle]
pub extern "system" fn Java_io_pubsubnative_spark_nativelib_NativeBridge_flush(
    mut env: JNIEnv<'_>,
    _class: JClass<'_>,
    publisher: jlong,
) -> jlong {
    run(&mut env, 0, |_| {
        handle::get::<Publisher>(publisher)?.flush()
    })
}

#[no_mangle]
pub extern "system" fn Java_io_pubsubnative_spark_nativelib_NativeBridge_publisherMetrics<
    'local,
>(
    mut env: JNIEnv<'local>,
    _class: JClass<'local>,
    publisher: jlong,
) -> jlongArray {
    run(&mut env, std::ptr::null_mut(), |env| {
        long_array(env, &handle::get::<Publisher>(publisher)?.metrics())
    })
}

#[no_mangle]
pub extern "system" fn Java_io_pubsubnative_spark_nativelib_NativeBridge_closePublisher(
    mut env: JNIEnv<'_>,
    _class: JClass<'_>,
    publisher: jlong,
) {
    run(&mut env, (), |_| {
        close_in_runtime::<Publisher>(publisher, |p| {
            p.close();
            Ok(())
        })
    })
}
