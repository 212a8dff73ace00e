//! Write-path micro-benchmark: 1,000-row arrays like the sink's (1 KiB binary
//! payloads, two attributes each) checked row by row, encoded into request
//! buffers by the batcher, cut into one batch and completed, as `publish` and
//! a finished request do. Prints ns per message and payload MB/s.
//!
//!     cargo bench --bench publish_encode [-- ROUNDS]

use arrow_array::builder::{MapBuilder, StringBuilder};
use arrow_array::{ArrayRef, BinaryArray, StructArray};
use arrow_schema::Field;
use pubsub_spark_native::publish::batcher::{Batcher, Limits};
use pubsub_spark_native::publish::message::Rows;
use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

const ROWS: usize = 1_000;
const PAYLOAD: usize = 1_024;
const TOPIC: &str = "projects/bench-proj/topics/t-r1";

/// One array as `ArrowRowWriter` hands it over: payload and attributes.
fn array() -> StructArray {
    let payloads: Vec<Vec<u8>> = (0..ROWS).map(|i| vec![(i % 251) as u8; PAYLOAD]).collect();
    let payload: ArrayRef = Arc::new(BinaryArray::from_iter_values(payloads.iter()));
    let mut attributes = MapBuilder::new(None, StringBuilder::new(), StringBuilder::new());
    for i in 0..ROWS {
        attributes.keys().append_value("seq");
        attributes.values().append_value(i.to_string());
        attributes.keys().append_value("bench");
        attributes.values().append_value("publish-emulator");
        attributes.append(true).expect("a map entry");
    }
    let attributes: ArrayRef = Arc::new(attributes.finish());
    StructArray::from(vec![
        (
            Arc::new(Field::new("payload", payload.data_type().clone(), true)),
            payload,
        ),
        (
            Arc::new(Field::new(
                "attributes",
                attributes.data_type().clone(),
                true,
            )),
            attributes,
        ),
    ])
}

fn main() {
    let rounds: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(2_000);
    let array = array();
    let mut batcher = Batcher::new(Limits {
        batch_size: 1_000,
        batch_bytes: 10_000_000,
        linger: Duration::from_millis(10),
    });
    let mut run = |rounds: usize| {
        let started = Instant::now();
        for _ in 0..rounds {
            let rows = Rows::new(&array, Some(TOPIC)).expect("the columns");
            let valid: Vec<_> = (0..rows.len())
                .map(|i| rows.row(i).expect("a valid row"))
                .collect();
            let mut appender = batcher.appender(Instant::now());
            for row in &valid {
                appender.add(row.topic, row.ordering_key, row.encoded_len, |buf| {
                    rows.encode(row, buf)
                });
            }
            batcher.cut_all();
            while let Some(batch) = batcher.next_sendable() {
                black_box(&batch.records);
                batcher.complete(batch.group);
                batcher.recycle(batch.records);
            }
        }
        started.elapsed()
    };
    run(rounds / 10 + 1);
    let elapsed = run(rounds);
    let messages = (rounds * ROWS) as f64;
    println!(
        "publish_encode: {rounds} arrays of {ROWS} rows ({PAYLOAD} B payload, 2 attributes): \
         {:.1} ns/message, {:.0} MB/s of payload",
        elapsed.as_nanos() as f64 / messages,
        messages * PAYLOAD as f64 / elapsed.as_secs_f64() / 1e6
    );
}
