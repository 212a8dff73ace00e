//! A minimal Rust reader for measuring the firehose: opens StreamingPull
//! streams, acks every message in its next request, and stops once `N`
//! messages were received; prints its own rate and CPU. Run the firehose
//! with `--exit-after-acked` to get its report when the drain is done.
//!
//!   cargo run --release --example drain -- HOST:PORT N [STREAMS]

use firehose::proto::client::google::pubsub::v1::subscriber_client::SubscriberClient;
use firehose::proto::client::google::pubsub::v1::StreamingPullRequest;
use firehose::report::process_cpu_secs;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: drain HOST:PORT N [STREAMS]";
    let addr = args.first().ok_or(usage)?.clone();
    let n: u64 = args.get(1).ok_or(usage)?.parse()?;
    let streams: usize = args.get(2).map_or(Ok(1), |s| s.parse())?;
    let channel = tonic::transport::Endpoint::from_shared(format!("http://{addr}"))?
        .tcp_nodelay(true)
        .initial_stream_window_size(16 << 20)
        .initial_connection_window_size(64 << 20)
        .connect()
        .await?;
    let received = Arc::new(AtomicU64::new(0));
    let bytes = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let cpu_before = process_cpu_secs();
    let mut tasks = Vec::new();
    for _ in 0..streams {
        let mut client = SubscriberClient::new(channel.clone()).max_decoding_message_size(64 << 20);
        let (received, bytes) = (received.clone(), bytes.clone());
        tasks.push(tokio::spawn(async move {
            let (tx, rx) = mpsc::channel(64);
            let first = StreamingPullRequest {
                subscription: "projects/bench/subscriptions/drain".to_string(),
                stream_ack_deadline_seconds: 60,
                ..StreamingPullRequest::default()
            };
            tx.send(first).await?;
            let mut responses = client
                .streaming_pull(ReceiverStream::new(rx))
                .await?
                .into_inner();
            while received.load(Relaxed) < n {
                let Some(r) = responses.message().await? else {
                    break;
                };
                let size: usize = r
                    .received_messages
                    .iter()
                    .map(|m| m.message.as_ref().map_or(0, |m| m.data.len()))
                    .sum();
                bytes.fetch_add(size as u64, Relaxed);
                received.fetch_add(r.received_messages.len() as u64, Relaxed);
                let ack_ids = r.received_messages.into_iter().map(|m| m.ack_id).collect();
                tx.send(StreamingPullRequest {
                    ack_ids,
                    ..StreamingPullRequest::default()
                })
                .await?;
            }
            // Half-close: the firehose applies the last acks, then ends the stream.
            drop(tx);
            while responses.message().await?.is_some() {}
            Ok::<(), Box<dyn std::error::Error + Send + Sync>>(())
        }));
    }
    for task in tasks {
        if let Err(e) = task.await? {
            eprintln!("stream ended: {e}");
        }
    }
    let secs = started.elapsed().as_secs_f64();
    let got = received.load(Relaxed);
    let cpu = process_cpu_secs().zip(cpu_before).map(|(a, b)| a - b);
    println!(
        "drain: {got} messages, {:.1} MB payload in {secs:.3} s: {:.0} msg/s, {:.1} MB/s, client cpu {}",
        bytes.load(Relaxed) as f64 / 1e6,
        got as f64 / secs,
        bytes.load(Relaxed) as f64 / 1e6 / secs,
        cpu.map_or("-".to_string(), |c| format!("{c:.2} s")),
    );
    Ok(())
}
