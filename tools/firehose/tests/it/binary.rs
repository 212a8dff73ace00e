//! The `firehose` binary: announces its address, and prints its report when
//! every message was acked (--exit-after-acked), on SIGTERM, and when the
//! watched process is gone (--watch-pid); writes --report-file and
//! --redeliveries-file.

use crate::common::{first_request, message_ids};
use firehose::proto::client::google::pubsub::v1::subscriber_client::SubscriberClient;
use firehose::proto::client::google::pubsub::v1::StreamingPullRequest;
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, ExitStatus, Stdio};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;

struct Spawned {
    child: Child,
    stdout: BufReader<ChildStdout>,
    addr: String,
}

fn spawn(args: &[&str]) -> Spawned {
    let mut child = Command::new(env!("CARGO_BIN_EXE_firehose"))
        .args(args)
        .stdout(Stdio::piped())
        .spawn()
        .expect("firehose runs");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut line = String::new();
    stdout.read_line(&mut line).expect("first line");
    let addr = line
        .trim()
        .strip_prefix("FIREHOSE_LISTENING ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_string();
    Spawned {
        child,
        stdout,
        addr,
    }
}

/// Waits for the exit; returns its status, the report table and JSON line.
async fn finish(mut s: Spawned) -> (ExitStatus, String, serde_json::Value) {
    let status = tokio::task::spawn_blocking(move || {
        let status = s.child.wait().expect("wait");
        let mut rest = String::new();
        s.stdout.read_to_string(&mut rest).expect("rest of stdout");
        (status, rest)
    });
    let (status, rest) = status.await.expect("join");
    let json = rest
        .lines()
        .find_map(|l| l.strip_prefix("FIREHOSE_REPORT "))
        .unwrap_or_else(|| panic!("no JSON report line in {rest:?}"));
    let report = serde_json::from_str(json).expect("json");
    (status, rest, report)
}

/// Reads one StreamingPull stream (lease `lease_secs`), acking each response
/// `ack_delay` after it came, until `enough` messages came or the stream
/// ended; how often each message id came. The stream stays open (nothing
/// more acked) until the firehose ends it, so the last acks are not lost with
/// a cancelled stream.
async fn read_acking(
    addr: &str,
    lease_secs: i32,
    ack_delay: Duration,
    enough: usize,
) -> HashMap<String, u32> {
    let mut client = SubscriberClient::connect(format!("http://{addr}"))
        .await
        .expect("connects");
    let (tx, rx) = mpsc::channel(16);
    tx.send(first_request(lease_secs)).await.expect("queued");
    let mut responses = client
        .streaming_pull(ReceiverStream::new(rx))
        .await
        .expect("opens")
        .into_inner();
    let mut seen = HashMap::new();
    let mut got = 0;
    while got < enough {
        let Ok(Some(r)) = responses.message().await else {
            break;
        };
        got += r.received_messages.len();
        for id in message_ids(&r.received_messages) {
            *seen.entry(id).or_default() += 1;
        }
        let ack = StreamingPullRequest {
            ack_ids: crate::common::ack_ids(&r.received_messages),
            ..StreamingPullRequest::default()
        };
        let tx = tx.clone();
        tokio::spawn(async move {
            tokio::time::sleep(ack_delay).await;
            // The firehose may have stopped meanwhile.
            let _ = tx.send(ack).await;
        });
    }
    tokio::spawn(async move {
        let _requests = tx;
        while let Ok(Some(_)) = responses.message().await {}
    });
    seen
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("firehose-bin-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// Spawns the firehose with `args`, 64-byte messages and a
/// --redeliveries-file in a fresh temporary dir: (it, the dir, the file).
fn spawn_recording(name: &str, args: &[&str]) -> (Spawned, PathBuf, PathBuf) {
    let dir = temp_dir(name);
    let path = dir.join("redeliveries.txt");
    let file = path.to_str().expect("utf-8 path");
    let all: Vec<&str> = [args, &["--size", "64", "--redeliveries-file", file]].concat();
    (spawn(&all), dir, path)
}

/// The lines of a --redeliveries-file: message id to (deliveries, causes).
fn read_redeliveries(path: &Path) -> HashMap<String, (u32, String)> {
    let text = std::fs::read_to_string(path).expect("redeliveries file");
    text.lines()
        .map(|line| {
            let fields: Vec<&str> = line.split(' ').collect();
            let [id, deliveries, causes] = fields[..] else {
                panic!("not three fields: {line:?}");
            };
            let deliveries = deliveries.parse().expect("deliveries");
            (id.to_string(), (deliveries, causes.to_string()))
        })
        .collect()
}

fn sigterm(spawned: &Spawned) {
    let pid = spawned.child.id().to_string();
    let kill = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill runs");
    assert!(kill.success());
}

#[tokio::test]
async fn exits_with_a_report_after_every_message_was_acked() {
    let dir = temp_dir("acked");
    let report_file = dir.join("report.json");
    let report_path = report_file.to_str().expect("utf-8 path");
    let redeliveries_file = dir.join("redeliveries.txt");
    let spawned = spawn(&[
        "--messages",
        "300",
        "--size",
        "64",
        "--exit-after-acked",
        "--report-file",
        report_path,
        "--redeliveries-file",
        redeliveries_file.to_str().expect("utf-8 path"),
    ]);
    let seen = read_acking(&spawned.addr, 60, Duration::ZERO, 300).await;
    assert_eq!(seen.values().sum::<u32>(), 300);
    let (status, table, report) = finish(spawned).await;
    assert!(status.success(), "{status}");
    assert!(table.contains("firehose report"), "{table}");
    let file = std::fs::read_to_string(&report_file).expect("report file");
    let from_file: serde_json::Value = serde_json::from_str(&file).expect("json file");
    assert_eq!(from_file, report);
    assert_eq!(report["acked_once"], 300);
    assert_eq!(report["never_acked"], 0);
    assert_eq!(report["acked_more_than_once"], 0);
    assert!(
        read_redeliveries(&redeliveries_file).is_empty(),
        "nothing was served twice"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn the_redeliveries_file_blames_rejected_acks() {
    let (spawned, dir, path) = spawn_recording(
        "rejected",
        &[
            "--messages",
            "2000",
            "--reject-ack-share",
            "0.05",
            "--exit-after-acked",
        ],
    );
    // A 1 s lease: an ignored ack's message comes again a second later.
    let seen = read_acking(&spawned.addr, 1, Duration::ZERO, usize::MAX).await;
    let (status, _, report) = finish(spawned).await;
    assert!(status.success(), "{status}");
    assert_eq!(report["acked_once"], 2000);
    let lines = read_redeliveries(&path);
    let twice: HashMap<String, u32> = seen.into_iter().filter(|&(_, n)| n > 1).collect();
    assert!(!twice.is_empty(), "{report}");
    let listed: HashMap<String, u32> = lines.iter().map(|(id, (n, _))| (id.clone(), *n)).collect();
    assert_eq!(listed, twice, "the file counts what the client got");
    for (id, (_, causes)) in &lines {
        assert_eq!(causes, "lease_expired,ack_ignored", "message {id}");
    }
    // Each ignored ack left one lease to lapse and one delivery more.
    let extra: u64 = lines.values().map(|(n, _)| u64::from(n - 1)).sum();
    assert_eq!(report["acks_rejected"], extra);
    assert_eq!(report["redelivered"], extra);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn the_redeliveries_file_blames_a_stall_longer_than_the_lease() {
    let (spawned, dir, path) = spawn_recording(
        "stalled",
        &[
            "--messages",
            "100",
            "--stall-ms",
            "1200",
            "--stall-every",
            "50",
        ],
    );
    // Messages 51..100 are held 1.2 s with a 1 s lease, so they lapse and
    // are served again (held again) before the client's acks, 0.3 s after
    // each response, settle them.
    let seen = read_acking(&spawned.addr, 1, Duration::from_millis(300), 150).await;
    sigterm(&spawned);
    let (status, _, report) = finish(spawned).await;
    assert!(status.success(), "{status}");
    let expected: HashMap<String, (u32, String)> = (51..=100)
        .map(|id| (id.to_string(), (2, "lease_expired,held_past_lease".into())))
        .collect();
    assert_eq!(read_redeliveries(&path), expected);
    assert!((51..=100).all(|id| seen[&id.to_string()] == 2), "{seen:?}");
    assert_eq!(
        (report["stalls"].as_u64(), report["redelivered"].as_u64()),
        (Some(2), Some(50))
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn sigterm_stops_it_with_a_report() {
    let spawned = spawn(&["--messages", "10"]);
    sigterm(&spawned);
    let (status, _, report) = finish(spawned).await;
    assert!(status.success(), "{status}");
    assert_eq!(report["never_acked"], 10);
}

#[tokio::test]
async fn stops_with_a_report_when_the_watched_process_is_gone() {
    let mut watched = Command::new("sleep")
        .arg("0.5")
        .spawn()
        .expect("sleep runs");
    let pid = watched.id().to_string();
    let spawned = spawn(&["--messages", "10", "--watch-pid", &pid]);
    watched.wait().expect("sleep ends");
    let (status, _, report) = finish(spawned).await;
    assert!(status.success(), "{status}");
    assert_eq!(report["messages"], 10);
    watched.wait().expect("sleep reaped");
}
