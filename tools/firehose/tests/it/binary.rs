//! The `firehose` binary: announces its address, and prints its report when
//! every message was acked (--exit-after-acked), on SIGTERM, and when the
//! watched process is gone (--watch-pid); writes --report-file.

use crate::common::first_request;
use firehose::proto::client::google::pubsub::v1::subscriber_client::SubscriberClient;
use firehose::proto::client::google::pubsub::v1::StreamingPullRequest;
use std::io::{BufRead, BufReader, Read};
use std::process::{Child, ChildStdout, Command, ExitStatus, Stdio};
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

#[tokio::test]
async fn exits_with_a_report_after_every_message_was_acked() {
    let dir = std::env::temp_dir().join(format!("firehose-bin-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let report_file = dir.join("report.json");
    let report_path = report_file.to_str().expect("utf-8 path");
    let spawned = spawn(&[
        "--messages",
        "300",
        "--size",
        "64",
        "--exit-after-acked",
        "--report-file",
        report_path,
    ]);

    let mut client = SubscriberClient::connect(format!("http://{}", spawned.addr))
        .await
        .expect("connects");
    let (tx, rx) = mpsc::channel(16);
    tx.send(first_request(60)).await.expect("queued");
    let mut responses = client
        .streaming_pull(ReceiverStream::new(rx))
        .await
        .expect("opens")
        .into_inner();
    let mut got = 0;
    while got < 300 {
        let Ok(Some(r)) = responses.message().await else {
            break;
        };
        got += r.received_messages.len();
        let ack = StreamingPullRequest {
            ack_ids: crate::common::ack_ids(&r.received_messages),
            ..StreamingPullRequest::default()
        };
        if tx.send(ack).await.is_err() {
            break;
        }
    }
    assert_eq!(got, 300);
    let (status, table, report) = finish(spawned).await;
    assert!(status.success(), "{status}");
    assert!(table.contains("firehose report"), "{table}");
    let file = std::fs::read_to_string(&report_file).expect("report file");
    let from_file: serde_json::Value = serde_json::from_str(&file).expect("json file");
    assert_eq!(from_file, report);
    assert_eq!(report["acked_once"], 300);
    assert_eq!(report["never_acked"], 0);
    assert_eq!(report["acked_more_than_once"], 0);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn sigterm_stops_it_with_a_report() {
    let spawned = spawn(&["--messages", "10"]);
    let pid = spawned.child.id().to_string();
    let kill = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill runs");
    assert!(kill.success());
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
