//! The final accounting: one JSON line for scripts, a table for people.

use crate::faults::FaultCounts;
use crate::ledger::Tally;
use serde::Serialize;
use std::fmt::Write as _;
use std::time::Duration;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Report {
    pub messages: u64,
    pub served: u64,
    pub served_bytes: u64,
    pub distinct_served: u64,
    pub acked_once: u64,
    pub acked_more_than_once: u64,
    pub never_acked: u64,
    pub outstanding: u64,
    pub redelivered: u64,
    pub expired_leases: u64,
    pub nacked: u64,
    pub ack_ids_received: u64,
    pub ack_ids_invalid: u64,
    pub modacks_received: u64,
    pub streams_opened: u64,
    pub published_messages: u64,
    pub published_bytes: u64,
    pub publish_requests: u64,
    pub rpcs_unavailable: u64,
    pub publishes_unavailable: u64,
    pub acks_failed: u64,
    pub ack_ids_failed: u64,
    pub acks_rejected: u64,
    pub streams_dropped: u64,
    pub stalls: u64,
    pub outages: u64,
    pub elapsed_secs: f64,
    /// CPU time of the whole firehose process (all threads), if readable.
    pub cpu_secs: Option<f64>,
}

/// What Publish has seen.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PublishCounts {
    pub messages: u64,
    pub bytes: u64,
    pub requests: u64,
}

impl Report {
    pub fn new(
        tally: Tally,
        faults: FaultCounts,
        published: PublishCounts,
        elapsed: Duration,
    ) -> Report {
        let c = tally.counts;
        Report {
            messages: tally.messages,
            served: c.served,
            served_bytes: c.served_bytes,
            distinct_served: tally.distinct_served,
            acked_once: tally.acked_once,
            acked_more_than_once: tally.acked_more_than_once,
            never_acked: tally.never_acked,
            outstanding: tally.outstanding,
            redelivered: c.redelivered,
            expired_leases: c.expired,
            nacked: c.nacked,
            ack_ids_received: c.ack_ids_received,
            ack_ids_invalid: c.ack_ids_invalid,
            modacks_received: c.modacks_received,
            streams_opened: c.streams_opened,
            published_messages: published.messages,
            published_bytes: published.bytes,
            publish_requests: published.requests,
            rpcs_unavailable: faults.rpcs_unavailable,
            publishes_unavailable: faults.publishes_unavailable,
            acks_failed: faults.acks_failed,
            ack_ids_failed: faults.ack_ids_failed,
            acks_rejected: faults.acks_rejected,
            streams_dropped: faults.streams_dropped,
            stalls: faults.stalls,
            outages: faults.outages,
            elapsed_secs: elapsed.as_secs_f64(),
            cpu_secs: process_cpu_secs(),
        }
    }

    /// `FIREHOSE_REPORT {json}` on one line.
    pub fn json_line(&self) -> String {
        // Serializing plain numbers cannot fail.
        let json = serde_json::to_string(self).unwrap_or_default();
        format!("FIREHOSE_REPORT {json}")
    }

    pub fn table(&self) -> String {
        let per_million = |x: f64| {
            if self.served == 0 {
                "-".to_string()
            } else {
                format!("{:.3}", x * 1e6 / self.served as f64)
            }
        };
        let rows: Vec<(&str, String)> = vec![
            ("messages", self.messages.to_string()),
            ("served (deliveries)", self.served.to_string()),
            ("served bytes", self.served_bytes.to_string()),
            ("distinct messages served", self.distinct_served.to_string()),
            ("acked once", self.acked_once.to_string()),
            (
                "acked more than once",
                self.acked_more_than_once.to_string(),
            ),
            ("never acked", self.never_acked.to_string()),
            ("outstanding leases", self.outstanding.to_string()),
            ("redelivered", self.redelivered.to_string()),
            ("expired leases", self.expired_leases.to_string()),
            ("nacked", self.nacked.to_string()),
            ("ack ids received", self.ack_ids_received.to_string()),
            ("ack ids invalid", self.ack_ids_invalid.to_string()),
            ("modacks received", self.modacks_received.to_string()),
            ("streams opened", self.streams_opened.to_string()),
            ("published messages", self.published_messages.to_string()),
            ("published bytes", self.published_bytes.to_string()),
            ("publish requests", self.publish_requests.to_string()),
            ("fault: RPCs unavailable", self.rpcs_unavailable.to_string()),
            (
                "fault: publishes unavailable",
                self.publishes_unavailable.to_string(),
            ),
            ("fault: acknowledges failed", self.acks_failed.to_string()),
            (
                "fault: ack ids in failed calls",
                self.ack_ids_failed.to_string(),
            ),
            ("fault: acks rejected", self.acks_rejected.to_string()),
            ("fault: streams dropped", self.streams_dropped.to_string()),
            ("fault: stalls", self.stalls.to_string()),
            ("fault: outages (SIGUSR1)", self.outages.to_string()),
            ("elapsed s", format!("{:.3}", self.elapsed_secs)),
            (
                "cpu s",
                self.cpu_secs.map_or("-".to_string(), |c| format!("{c:.3}")),
            ),
            (
                "cpu s per million served",
                self.cpu_secs.map_or("-".to_string(), per_million),
            ),
        ];
        let mut out = String::from("firehose report\n");
        for (name, value) in rows {
            let _ = writeln!(out, "  {name:<30} {value:>16}");
        }
        out
    }
}

/// User plus system CPU seconds of this process, from /proc (Linux).
pub fn process_cpu_secs() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the parenthesised command name: state is the first,
    // utime and stime (in USER_HZ = 100 ticks a second) the 12th and 13th.
    let rest = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) as f64 / 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::Counts;

    fn report() -> Report {
        let tally = Tally {
            messages: 3,
            distinct_served: 3,
            acked_once: 2,
            acked_more_than_once: 1,
            never_acked: 0,
            outstanding: 0,
            counts: Counts {
                served: 4,
                redelivered: 1,
                expired: 1,
                ..Counts::default()
            },
        };
        let published = PublishCounts {
            messages: 5,
            bytes: 50,
            requests: 1,
        };
        Report::new(
            tally,
            FaultCounts::default(),
            published,
            Duration::from_secs(2),
        )
    }

    #[test]
    fn json_line_is_one_line_with_every_field() {
        let line = report().json_line();
        assert!(!line.contains('\n'));
        let json = line.strip_prefix("FIREHOSE_REPORT ").expect("prefix");
        let value: serde_json::Value = serde_json::from_str(json).expect("json");
        assert_eq!(value["acked_once"], 2);
        assert_eq!(value["acked_more_than_once"], 1);
        assert_eq!(value["redelivered"], 1);
        assert_eq!(value["published_bytes"], 50);
        assert_eq!(value["elapsed_secs"], 2.0);
    }

    #[test]
    fn table_lists_the_accounting() {
        let table = report().table();
        assert!(table.contains("acked more than once"), "{table}");
        assert!(table
            .lines()
            .any(|l| l.contains("never acked") && l.ends_with(" 0")));
    }

    #[test]
    fn cpu_time_of_this_process_is_readable() {
        assert!(process_cpu_secs().is_some());
    }
}
