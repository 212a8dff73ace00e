//! Native handles: a `jlong` holding `Box::into_raw` of an `Arc<T>`, for
//! subscriber sessions and publishers. A registry of live handles, each with
//! its type, turns a 0, unknown, closed or wrong-kind handle into an error
//! instead of a crash.

use crate::error::NativeError;
use crate::publish::Publisher;
use crate::session::Session;
use jni::sys::jlong;
use std::any::TypeId;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// A type that Java holds by handle; `KIND` names it in errors.
pub trait Handled: Send + Sync + 'static {
    const KIND: &'static str;
}

impl Handled for Session {
    const KIND: &'static str = "session";
}

impl Handled for Publisher {
    const KIND: &'static str = "publisher";
}

/// Live handles and the type and kind each one holds.
static LIVE: Mutex<BTreeMap<jlong, (TypeId, &'static str)>> = Mutex::new(BTreeMap::new());

fn live() -> MutexGuard<'static, BTreeMap<jlong, (TypeId, &'static str)>> {
    LIVE.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Errors unless `handle` is live and holds a `T`.
fn check<T: Handled>(
    live: &BTreeMap<jlong, (TypeId, &'static str)>,
    handle: jlong,
) -> Result<(), NativeError> {
    let kind = T::KIND;
    match live.get(&handle) {
        Some((type_id, _)) if *type_id == TypeId::of::<T>() => Ok(()),
        Some((_, other)) => Err(NativeError::InvalidArgument(format!(
            "native handle {handle:#x} is a {other} handle, not a {kind} handle"
        ))),
        None if handle == 0 => Err(NativeError::InvalidArgument(format!(
            "native {kind} handle is 0 (null)"
        ))),
        None => Err(NativeError::InvalidArgument(format!(
            "native {kind} handle {handle:#x} is not open (closed already?)"
        ))),
    }
}

pub fn open<T: Handled>(value: T) -> jlong {
    let handle = Box::into_raw(Box::new(Arc::new(value))) as jlong;
    live().insert(handle, (TypeId::of::<T>(), T::KIND));
    handle
}

/// A shared reference to the value behind an open handle of type `T`.
pub fn get<T: Handled>(handle: jlong) -> Result<Arc<T>, NativeError> {
    let live = live();
    check::<T>(&live, handle)?;
    // SAFETY: the handle is in LIVE with T's type id, so it came from `open::<T>`
    // and its box is still allocated: `close` removes it from LIVE, under this
    // same lock, before freeing it, and we clone the Arc while holding the lock.
    let value = unsafe { &*(handle as *const Arc<T>) };
    Ok(Arc::clone(value))
}

/// Takes the value back from an open handle; the handle is invalid afterwards.
pub fn close<T: Handled>(handle: jlong) -> Result<Arc<T>, NativeError> {
    let mut live = live();
    check::<T>(&live, handle)?;
    live.remove(&handle);
    drop(live);
    // SAFETY: the handle was in LIVE with T's type id, so it came from
    // `Box::into_raw` in `open::<T>`; removing it from LIVE makes this the only reclaim.
    let boxed = unsafe { Box::from_raw(handle as *mut Arc<T>) };
    Ok(*boxed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::publish::config::PublisherConfig;

    fn error<T>(result: Result<T, NativeError>) -> String {
        match result {
            Ok(_) => panic!("expected an error"),
            Err(err) => err.to_string(),
        }
    }

    fn publisher() -> Publisher {
        // Opening connects lazily, so no server is needed.
        let config = PublisherConfig::from_json(
            r#"{"topic":"projects/p/topics/t","emulator_host":"127.0.0.1:1"}"#,
        )
        .unwrap();
        Publisher::open(config).unwrap()
    }

    #[test]
    fn a_handle_is_usable_only_as_its_own_kind_and_only_until_closed() {
        let handle = open(publisher());
        assert!(get::<Publisher>(handle).is_ok());
        let err = error(get::<Session>(handle));
        assert!(
            err.contains("is a publisher handle, not a session handle"),
            "{err}"
        );
        let err = error(close::<Session>(handle));
        assert!(err.contains("not a session handle"), "{err}");
        let publisher = close::<Publisher>(handle).unwrap();
        let _context = crate::runtime::runtime().unwrap().enter();
        drop(publisher);
        let err = error(close::<Publisher>(handle));
        assert!(
            err.contains("publisher handle") && err.contains("not open"),
            "{err}"
        );
        let err = error(get::<Publisher>(0));
        assert!(err.contains("native publisher handle is 0"), "{err}");
    }
}
