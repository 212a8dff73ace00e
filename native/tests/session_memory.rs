//! Native memory after sessions close, in a test binary of its own: the
//! allocation counter is process-wide, so no other test may run beside it.

mod common;

use common::*;
use pubsub_spark_native::check::check_subscription;
use pubsub_spark_native::ffi::alloc::allocated_bytes;
use pubsub_spark_native::runtime::runtime;
use pubsub_spark_native::session::Session;
use std::time::Duration;

#[test]
fn closed_sessions_return_native_memory_to_baseline() {
    let emulator = Emulator::start();
    let (topic, subscription) = emulator.topic_and_subscription("topic-8", "sub-8", 60);
    let cycle = |batch: i64| {
        emulator.publish(&topic, text_messages(5));
        let config = emulator.config(&subscription, "");
        let _context = runtime().unwrap().enter();
        check_subscription(&format!(
            r#"{{"subscription":"{subscription}","emulator_host":"{}"}}"#,
            emulator.host
        ))
        .unwrap();
        let session = Session::open(config).unwrap();
        read_batch(&session, batch, 5);
        session.ack_through(batch).unwrap();
        session.close().unwrap();
    };
    cycle(0);
    let baseline = allocated_bytes();
    for batch in 1..=20 {
        cycle(batch);
    }
    // Connection clean-up finishes on the runtime shortly after close.
    std::thread::sleep(Duration::from_millis(500));
    let grown = allocated_bytes() - baseline;
    eprintln!("native bytes grown after 20 cycles: {grown}");
    assert!(
        grown < 64 * 1024,
        "native memory grew by {grown} bytes over 20 cycles"
    );
}
