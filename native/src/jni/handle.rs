//! Session handles: a `jlong` holding `Box::into_raw` of an `Arc<Session>`.
//! A registry of live handles turns a 0, unknown or already-closed handle into
//! an error instead of a crash.

use crate::error::NativeError;
use crate::session::Session;
use jni::sys::jlong;
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

static LIVE: Mutex<BTreeSet<jlong>> = Mutex::new(BTreeSet::new());

fn live() -> MutexGuard<'static, BTreeSet<jlong>> {
    LIVE.lock().unwrap_or_else(PoisonError::into_inner)
}

fn not_open(handle: jlong) -> NativeError {
    if handle == 0 {
        NativeError::InvalidArgument("native session handle is 0 (null)".to_string())
    } else {
        NativeError::InvalidArgument(format!(
            "native session handle {handle:#x} is not open (closed already?)"
        ))
    }
}

pub fn into_handle(session: Session) -> jlong {
    let handle = Box::into_raw(Box::new(Arc::new(session))) as jlong;
    live().insert(handle);
    handle
}

/// A shared reference to the session behind an open handle.
pub fn borrow(handle: jlong) -> Result<Arc<Session>, NativeError> {
    let live = live();
    if !live.contains(&handle) {
        return Err(not_open(handle));
    }
    // SAFETY: the handle is in LIVE, so it came from `into_handle` and its box is
    // still allocated: `take` removes it from LIVE, under this same lock, before
    // freeing it, and we clone the Arc while holding the lock.
    let session = unsafe { &*(handle as *const Arc<Session>) };
    Ok(Arc::clone(session))
}

/// Takes the session back from an open handle; the handle is invalid afterwards.
pub fn take(handle: jlong) -> Result<Arc<Session>, NativeError> {
    if !live().remove(&handle) {
        return Err(not_open(handle));
    }
    // SAFETY: the handle was in LIVE, so it came from `Box::into_raw` in
    // `into_handle`; removing it from LIVE makes this the only reclaim.
    let boxed = unsafe { Box::from_raw(handle as *mut Arc<Session>) };
    Ok(*boxed)
}
