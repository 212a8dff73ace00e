//! Native memory of recorded and replayed reads, in a test binary of its own:
//! the allocation counter is process-wide, so no other test may run beside it.

mod common;

use common::*;
use pubsub_spark_native::ffi::alloc::allocated_bytes;
use pubsub_spark_native::proto::google::pubsub::v1::PubsubMessage;
use pubsub_spark_native::session::{ReadStart, Session};
use std::time::Duration;

const MESSAGES: usize = 4;
const PAYLOAD: usize = 256 * 1024;

fn large_messages() -> Vec<PubsubMessage> {
    (0..MESSAGES)
        .map(|i| PubsubMessage {
            data: vec![i as u8; PAYLOAD].into(),
            ..Default::default()
        })
        .collect()
}

/// Lets the runtime finish connection clean-up before a measurement.
fn settled_allocated_bytes() -> i64 {
    std::thread::sleep(Duration::from_millis(500));
    allocated_bytes()
}

#[test]
fn recorded_and_replayed_batches_return_native_memory_to_baseline_once_acknowledged() {
    let emulator = Emulator::start();
    let (topic, subscription) = emulator.topic_and_subscription("topic-10", "sub-10", 60);
    let session = Session::open(emulator.config(&subscription, "")).unwrap();
    // Returns the bytes allocated while the read's record is all that holds its arrays.
    let cycle = |batch: i64| {
        emulator.publish(&topic, large_messages());
        for array in read_batch(&session, batch, MESSAGES) {
            drop(through_c_data(array));
        }
        let recorded = settled_allocated_bytes();
        let start = session.begin_read(batch, true).unwrap();
        assert_eq!(start, ReadStart::Replay { rows: MESSAGES });
        while let Some(array) = session.fetch(batch, 1, 1, Duration::ZERO).unwrap() {
            drop(through_c_data(array));
        }
        session.ack_through(batch).unwrap();
        recorded
    };
    // Warm-up: the stream's receive buffer grows once to the largest response.
    for batch in 0..3 {
        cycle(batch);
    }
    let baseline = settled_allocated_bytes();
    for batch in 3..13 {
        let recorded = cycle(batch);
        assert!(
            recorded - baseline >= (MESSAGES * PAYLOAD) as i64,
            "the record holds its payloads until acknowledged: {}",
            recorded - baseline
        );
    }
    let grown = settled_allocated_bytes() - baseline;
    eprintln!("native bytes grown after 10 replayed cycles: {grown}");
    // A record kept past its commit would leak a megabyte every cycle.
    assert!(
        grown < 64 * 1024,
        "native memory grew by {grown} bytes over 10 cycles"
    );
    session.close().unwrap();
}
