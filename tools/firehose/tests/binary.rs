//! The `firehose` binary: announces its address, exits with a report once
//! every message was acked (--exit-after-acked), writes --report-file.

mod common;

use common::first_request;
use firehose::proto::client::google::pubsub::v1::subscriber_client::SubscriberClient;
use firehose::proto::client::google::pubsub::v1::StreamingPullRequest;
use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;

#[tokio::test]
async fn exits_with_a_report_after_every_message_was_acked() {
    let dir = std::env::temp_dir().join(format!("firehose-bin-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let report_file = dir.join("report.json");
    let mut child = Command::new(env!("CARGO_BIN_EXE_firehose"))
        .args([
            "--messages",
            "300",
            "--size",
            "64",
            "--exit-after-acked",
            "--report-file",
        ])
        .arg(&report_file)
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

    let mut client = SubscriberClient::connect(format!("http://{addr}"))
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
            ack_ids: common::ack_ids(&r.received_messages),
            ..StreamingPullRequest::default()
        };
        if tx.send(ack).await.is_err() {
            break;
        }
    }
    assert_eq!(got, 300);
    let status = tokio::task::spawn_blocking(move || child.wait())
        .await
        .expect("join")
        .expect("wait");
    assert!(status.success(), "{status}");
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).expect("rest of stdout");
    assert!(rest.contains("firehose report"), "{rest}");
    let json_line = rest
        .lines()
        .find_map(|l| l.strip_prefix("FIREHOSE_REPORT "))
        .expect("JSON report line");
    let file = std::fs::read_to_string(&report_file).expect("report file");
    assert_eq!(file.trim(), json_line);
    let report: serde_json::Value = serde_json::from_str(json_line).expect("json");
    assert_eq!(report["acked_once"], 300);
    assert_eq!(report["never_acked"], 0);
    assert_eq!(report["acked_more_than_once"], 0);
    let _ = std::fs::remove_dir_all(&dir);
}
