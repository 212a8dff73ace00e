//! Drains twice `--messages` messages from a subscription with the native
//! subscriber exactly as the JNI `fetch` path uses it (batches of
//! `--batch-rows`, tagged with increasing batch ids, acknowledged through the
//! last batch whenever `--commit-bytes` of payload or `--commit-messages`
//! messages were read since the last ack, like Spark commits of micro-batches;
//! both stay below the connector's default flow control), but in a
//! plain Rust process. Prints one JSON line with its own wall time, CPU time
//! and peak RSS over the first `--messages` (the cold window) and, under
//! `"warm"`, over the next ones, as the JVM drains do (DrainWindows.java);
//! `bench/dataplane-firehose.sh` puts them next to the JVM runs.

use arrow_array::{Array, BinaryArray, StructArray};
use pubsub_spark_native::config::SessionConfig;
use pubsub_spark_native::session::Session;
use std::time::{Duration, Instant};

struct Args {
    subscription: String,
    host: String,
    messages: u64,
    batch_rows: i32,
    commit_bytes: u64,
    commit_messages: u64,
    idle_timeout: Duration,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        subscription: String::new(),
        host: String::new(),
        messages: 0,
        batch_rows: 1000,
        commit_bytes: 32 << 20,
        commit_messages: 50_000,
        idle_timeout: Duration::from_secs(30),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().ok_or(format!("{flag} needs a value"))?;
        let number = |v: &str| v.parse::<u64>().map_err(|e| format!("{flag} {v}: {e}"));
        match flag.as_str() {
            "--subscription" => args.subscription = value,
            "--host" => args.host = value,
            "--messages" => args.messages = number(&value)?,
            "--batch-rows" => {
                args.batch_rows = i32::try_from(number(&value)?).map_err(|e| e.to_string())?
            }
            "--commit-bytes" => args.commit_bytes = number(&value)?,
            "--commit-messages" => args.commit_messages = number(&value)?,
            "--idle-timeout-s" => args.idle_timeout = Duration::from_secs(number(&value)?),
            other => return Err(format!("unknown flag {other}")),
        }
    }
    if args.subscription.is_empty() || args.host.is_empty() || args.messages == 0 {
        return Err(
            "usage: native-drain --subscription S --host H:P --messages N \
             [--batch-rows 1000] [--commit-bytes 33554432] [--commit-messages 50000] \
             [--idle-timeout-s 30] (drains 2N: a cold and a warm window of N)"
                .into(),
        );
    }
    Ok(args)
}

/// CPU seconds (user + system) this process has used so far.
fn process_cpu_seconds() -> f64 {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage fills the struct it is given; RUSAGE_SELF is valid.
    let usage = unsafe {
        libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr());
        usage.assume_init()
    };
    let seconds = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

/// Peak resident set size, from /proc/self/status (VmHWM, in kB).
fn peak_rss_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .map_or(0, |kb| kb * 1024)
}

fn payload_bytes(batch: &StructArray) -> u64 {
    batch
        .column_by_name("payload")
        .and_then(|c| c.as_any().downcast_ref::<BinaryArray>())
        .map_or(0, |p| p.value_data().len() as u64)
}

/// Where one measured window started, and what it read.
struct Window {
    cpu_start: f64,
    start: Instant,
    rows: u64,
    bytes: u64,
}

impl Window {
    fn start() -> Self {
        Window {
            cpu_start: process_cpu_seconds(),
            start: Instant::now(),
            rows: 0,
            bytes: 0,
        }
    }

    fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "side": "native-rust",
            "messages": self.rows,
            "payload_bytes": self.bytes,
            "wall_s": self.start.elapsed().as_secs_f64(),
            "cpu_s": process_cpu_seconds() - self.cpu_start,
            "gc_ms": 0,
            "peak_heap_bytes": 0,
            "peak_rss_bytes": peak_rss_bytes(),
        })
    }
}

fn run(args: &Args) -> Result<String, String> {
    // Flow control: the connector's defaults.
    let config = serde_json::json!({
        "subscription": args.subscription,
        "emulator_host": args.host,
    });
    let config = SessionConfig::from_json(&config.to_string()).map_err(|e| e.to_string())?;
    let mut window = Window::start();
    let mut cold: Option<serde_json::Value> = None;
    let session = Session::open(config).map_err(|e| e.to_string())?;
    let (mut rows, mut bytes, mut batch_id) = (0u64, 0u64, 0i64);
    let (mut acked_rows, mut acked_bytes) = (0u64, 0u64);
    let mut last_arrival = Instant::now();
    while rows < 2 * args.messages {
        let fetched = session
            .fetch(
                batch_id,
                args.batch_rows,
                i64::MAX,
                Duration::from_millis(100),
            )
            .map_err(|e| e.to_string())?;
        match fetched {
            Some(batch) => {
                let batch_bytes = payload_bytes(&batch);
                rows += batch.len() as u64;
                bytes += batch_bytes;
                window.rows += batch.len() as u64;
                window.bytes += batch_bytes;
                last_arrival = Instant::now();
                let cold_ends = cold.is_none() && rows >= args.messages;
                if cold_ends
                    || bytes - acked_bytes >= args.commit_bytes
                    || rows - acked_rows >= args.commit_messages
                {
                    session.ack_through(batch_id).map_err(|e| e.to_string())?;
                    (acked_rows, acked_bytes) = (rows, bytes);
                }
                if cold_ends {
                    cold = Some(window.json());
                    window = Window::start();
                }
                batch_id += 1;
            }
            None if last_arrival.elapsed() > args.idle_timeout => {
                return Err(format!(
                    "no message for {:?} after {rows} of {} rows",
                    args.idle_timeout,
                    2 * args.messages
                ))
            }
            None => {}
        }
    }
    session.ack_through(batch_id).map_err(|e| e.to_string())?;
    session.close().map_err(|e| e.to_string())?;
    let mut result = cold.ok_or("the drain ended before its cold window")?;
    result["warm"] = window.json();
    Ok(result.to_string())
}

fn main() {
    let outcome = parse_args().and_then(|args| run(&args));
    match outcome {
        Ok(line) => println!("{line}"),
        Err(message) => {
            eprintln!("native-drain: {message}");
            std::process::exit(1);
        }
    }
}
