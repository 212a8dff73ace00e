//! Native memory after publishers close, in a test binary of its own: the
//! allocation counter is process-wide, so no other test may run beside it.

mod common;

use common::sink::*;
use common::*;
use pubsub_spark_native::ffi::alloc::allocated_bytes;
use pubsub_spark_native::publish::check_topic::check_topic;
use pubsub_spark_native::runtime::runtime;
use std::time::Duration;

#[test]
fn closed_publishers_return_native_memory_to_baseline() {
    let emulator = Emulator::start();
    let topic = emulator.create_topic("sink-memory");
    let rows: Vec<SinkRow> = (0..500)
        .map(|i| {
            SinkRow::payload(vec![i as u8; 200])
                .attribute("i", &i.to_string())
                .ordering_key(if i % 2 == 0 { "even" } else { "" })
        })
        .collect();
    let cycle = |flushed: bool| {
        let _context = runtime().unwrap().enter();
        check_topic(&format!(
            r#"{{"topic":"{topic}","emulator_host":"{}"}}"#,
            emulator.host
        ))
        .unwrap();
        let publisher = open_publisher(&emulator.host, &topic, r#","linger_ms":50"#);
        publish_rows(&publisher, &rows).unwrap();
        if flushed {
            assert_eq!(publisher.flush().unwrap(), 500);
        }
        // Unflushed: the abort path abandons what lingers and cancels what is in flight.
        publisher.close();
        drop(publisher);
    };
    cycle(true);
    cycle(false);
    // Connection clean-up finishes on the runtime shortly after close.
    std::thread::sleep(Duration::from_millis(500));
    let baseline = allocated_bytes();
    for i in 0..20 {
        cycle(i % 2 == 0);
    }
    std::thread::sleep(Duration::from_millis(500));
    let grown = allocated_bytes() - baseline;
    eprintln!("native bytes grown after 20 publisher cycles: {grown}");
    assert!(
        grown < 64 * 1024,
        "native memory grew by {grown} bytes over 20 cycles"
    );
}
