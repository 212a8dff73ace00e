//! Spawning the long-lived tokio tasks of sessions and publishers. A panic
//! inside one is caught and handed to its owner, which reports it on the next
//! call from Java, instead of the task vanishing while callers wait for it.

use crate::error::Panicked;
use futures_util::FutureExt;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use tokio::runtime::Handle;
use tokio::task::JoinHandle;

/// Spawns `future` as `task` on `runtime`; if it panics, `on_panic` gets the
/// panic (after the future's state has been dropped).
pub fn spawn<F, P>(runtime: &Handle, task: &'static str, future: F, on_panic: P) -> JoinHandle<()>
where
    F: Future<Output = ()> + Send + 'static,
    P: FnOnce(Panicked) + Send + 'static,
{
    runtime.spawn(async move {
        // The owner's shared state stays consistent across a panic: every
        // update of it completes before anything that could panic.
        if let Err(payload) = AssertUnwindSafe(future).catch_unwind().await {
            on_panic(Panicked::new(task, payload.as_ref()));
        }
    })
}

/// Test-only panics in named tasks, keyed by the subscription or topic their
/// owner serves so that tests running in parallel do not hit each other.
#[cfg(test)]
pub mod inject {
    use std::sync::{Mutex, PoisonError};

    static ARMED: Mutex<Vec<(&'static str, String)>> = Mutex::new(Vec::new());

    /// Makes the next `fail_point(task, key)` panic.
    pub fn arm(task: &'static str, key: &str) {
        let mut armed = ARMED.lock().unwrap_or_else(PoisonError::into_inner);
        armed.push((task, key.to_string()));
    }

    /// Panics once if a test armed `task` for `key`.
    pub fn fail_point(task: &'static str, key: &str) {
        let mut armed = ARMED.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(at) = armed.iter().position(|(t, k)| *t == task && k == key) else {
            return;
        };
        armed.remove(at);
        drop(armed);
        panic!("injected panic in {task}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::runtime;
    use std::sync::mpsc;
    use std::time::Duration;

    #[test]
    fn a_panicking_task_hands_its_task_name_and_message_to_its_owner() {
        let rt = runtime().unwrap();
        let (sender, panics) = mpsc::channel();
        let handle = spawn(
            rt.handle(),
            "the test task",
            async { panic!("boom {}", 7) },
            move |panic| sender.send(panic).unwrap(),
        );
        rt.block_on(handle)
            .expect("the panic does not escape the task");
        let panic = panics.recv_timeout(Duration::from_secs(5)).unwrap();
        assert_eq!(panic.task, "the test task");
        assert_eq!(panic.message, "boom 7");
        assert_eq!(panic.to_string(), "native panic in the test task: boom 7");
    }
}
