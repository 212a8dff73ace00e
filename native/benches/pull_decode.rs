//! Read-path micro-benchmark: pre-encoded StreamingPull responses (1,000
//! messages of 1 KiB with two attributes each) read into the reservoir, cut
//! into 1,000-row Arrow batches, handed over and acknowledged. Prints ns per
//! message and payload MB/s; prost decoding of the same bytes is the reference
//! for what the read path did before it decoded straight into Arrow buffers.
//!
//!     cargo bench --bench pull_decode [-- ROUNDS] [--no-reference]

use arrow_array::{Array, StructArray};
use arrow_data::ffi::FFI_ArrowArray;
use arrow_schema::ffi::FFI_ArrowSchema;
use prost::Message;
use prost_types::Timestamp;
use pubsub_spark_native::ffi::export::export_to;
use pubsub_spark_native::proto::google::pubsub::v1::{
    PubsubMessage, ReceivedMessage, StreamingPullResponse,
};
use pubsub_spark_native::session::reservoir::{BatchLimits, Reservoir};
use pubsub_spark_native::session::wire::read_response;
use std::hint::black_box;
use std::time::{Duration, Instant};

const MESSAGES: usize = 1_000;
const PAYLOAD: usize = 1_024;
const DEADLINE: Duration = Duration::from_secs(60);

/// A response like Pub/Sub's: 1,000 messages, 1 KiB payloads, two attributes,
/// 16-digit message ids and ack ids of about 180 characters.
fn response(round: usize) -> Vec<u8> {
    let received_messages = (0..MESSAGES)
        .map(|i| {
            let n = round * MESSAGES + i;
            let mut message = PubsubMessage {
                data: vec![(n % 251) as u8; PAYLOAD].into(),
                message_id: format!("{:016}", 9_000_000_000_000_000u64 + n as u64),
                publish_time: Some(Timestamp {
                    seconds: 1_700_000_000 + n as i64,
                    nanos: 123_000_000,
                }),
                ..Default::default()
            };
            message.attributes.insert("source".into(), "bench".into());
            message.attributes.insert("seq".into(), n.to_string());
            ReceivedMessage {
                ack_id: format!("{}-{n:012}", "A".repeat(167)),
                message: Some(message),
                delivery_attempt: 0,
            }
        })
        .collect();
    StreamingPullResponse {
        received_messages,
        ..Default::default()
    }
    .encode_to_vec()
}

/// CPU time this thread has run, from the kernel's scheduler statistics
/// (nanoseconds; unlike wall time it excludes waiting for a busy CPU).
fn thread_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns = stat.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(ns))
}

/// Exports like the JNI `fetch` does, then releases like Java's `close` does.
fn export_and_release(batch: StructArray) -> (Duration, Duration) {
    let mut array = Box::new(FFI_ArrowArray::empty());
    let mut schema = Box::new(FFI_ArrowSchema::empty());
    let start = Instant::now();
    let exported = export_to(
        batch,
        &mut *array as *mut FFI_ArrowArray as i64,
        &mut *schema as *mut FFI_ArrowSchema as i64,
    );
    let exported_at = Instant::now();
    assert!(exported.is_ok());
    // Dropping the structs calls their release callbacks.
    drop(array);
    drop(schema);
    (exported_at - start, exported_at.elapsed())
}

fn report(name: &str, elapsed: Duration, messages: usize) {
    let ns = elapsed.as_nanos() as f64 / messages as f64;
    let mb_s = (messages * PAYLOAD) as f64 / elapsed.as_secs_f64() / 1e6;
    let per_cpu_s = messages as f64 / elapsed.as_secs_f64();
    println!("{name:<44} {ns:>8.1} ns/msg {mb_s:>9.1} MB/s {per_cpu_s:>12.0} msg/s");
}

fn main() {
    let rounds: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(2_000);
    // Eight distinct responses, so the payload copies do not all hit one cached buffer.
    let responses: Vec<Vec<u8>> = (0..8).map(response).collect();
    let messages = rounds * MESSAGES;
    println!(
        "{rounds} rounds x {MESSAGES} messages of {PAYLOAD} B, response {} B, single thread",
        responses[0].len()
    );

    // `--no-reference` leaves only the read path, e.g. for `perf record`.
    if !std::env::args().any(|a| a == "--no-reference") {
        let start = Instant::now();
        for round in 0..rounds {
            let decoded = StreamingPullResponse::decode(responses[round % 8].as_slice());
            black_box(decoded.map(|r| r.received_messages.len()).unwrap_or(0));
        }
        report("reference: prost decode + drop", start.elapsed(), messages);
    }

    let limits = BatchLimits {
        max_rows: MESSAGES,
        max_payload_bytes: usize::MAX,
    };
    let mut reservoir = Reservoir::default();
    let mut decode = Duration::ZERO;
    let mut take = Duration::ZERO;
    let mut release = Duration::ZERO;
    let mut export = Duration::ZERO;
    let mut free = Duration::ZERO;
    let mut acked = 0;
    let cpu_start = thread_cpu();
    for round in 0..rounds {
        let t0 = Instant::now();
        let mut intake = reservoir.intake(t0, DEADLINE);
        let read = read_response(&responses[round % 8], &mut intake);
        assert_eq!(read, Ok(MESSAGES));
        let t1 = Instant::now();
        let batch = reservoir.take_batch(round as i64, limits);
        let t2 = Instant::now();
        let batch = batch.ok().flatten();
        assert_eq!(batch.as_ref().map_or(0, |b| b.len()), MESSAGES);
        let (exported, freed) = batch.map(export_and_release).unwrap_or_default();
        let t3 = Instant::now();
        // The batch's record keeps its buffers until here, not Java's release.
        reservoir.complete_read(round as i64);
        let settled = reservoir.ack_through(round as i64);
        acked += settled.acks.len();
        // What the session does once the Acknowledge succeeded.
        reservoir.settle_acks(&settled.acks, &[]);
        let t4 = Instant::now();
        decode += t1 - t0;
        take += t2 - t1;
        export += exported;
        free += freed;
        release += t4 - t3;
    }
    let cpu = thread_cpu().zip(cpu_start).map(|(end, start)| end - start);
    assert_eq!(acked, messages);
    report("decode into Arrow columns + cut batches", decode, messages);
    report("take a finished batch (the fetch)", take, messages);
    report("export to C Data structs", export, messages);
    report("release the exported batch (Java's close)", free, messages);
    report("ack ids out (ack_through)", release, messages);
    report(
        "whole data plane above",
        decode + take + export + free + release,
        messages,
    );
    if let Some(cpu) = cpu {
        println!(
            "data plane: {:.0} messages per CPU-second ({:.1} ns CPU per message)",
            messages as f64 / cpu.as_secs_f64(),
            cpu.as_nanos() as f64 / messages as f64
        );
    }
    let per_batch = |d: Duration| d.as_secs_f64() * 1e6 / rounds as f64;
    println!(
        "per {MESSAGES}-row batch: take {:.2} us, export {:.2} us, release {:.2} us",
        per_batch(take),
        per_batch(export),
        per_batch(free)
    );
}
