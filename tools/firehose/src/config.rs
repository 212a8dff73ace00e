//! Command line: `firehose [serve] FLAGS` and `firehose ceiling FLAGS`,
//! parsed once into immutable configs.

use std::path::PathBuf;
use std::time::Duration;
use thiserror::Error;

/// Pub/Sub's limit on one message.
const MAX_MESSAGE_BYTES: u64 = 10 * 1024 * 1024;
/// Pub/Sub's limit on attributes per message.
const MAX_ATTRIBUTES: u64 = 100;
/// Ack deadlines Pub/Sub accepts end at 600 s; the firehose also accepts
/// short ones (from 1 s) so that tests of leases stay quick.
pub const MAX_ACK_DEADLINE_SECS: u64 = 600;

pub const USAGE: &str = "\
usage: firehose [serve] [FLAGS]     serve pre-encoded messages over Pub/Sub's gRPC API
       firehose ceiling [FLAGS]     write the same bytes over plain loopback TCP, print bytes/s

message flags (both):
  --messages N              messages to serve (default 1000000)
  --size BYTES              payload bytes per message (default 1024, at most 10 MiB)
  --attributes K            attributes per message (default 0, at most 100)
  --ordering-keys K         ordering keys assigned round-robin (default 0 = none)
serve flags:
  --host HOST               address to listen on (default 127.0.0.1)
  --port PORT               port (default 0 = a free one)
  --ack-deadline-secs S     lease when a stream or Pull names none (default 10, 1..600)
  --exit-after-acked        print the report and exit once every message was acked
  --report-file PATH        also write the JSON report line to PATH
  --redeliveries-file PATH  with the report, write PATH (atomically): per message served more
                            than once, `<message_id> <deliveries> <causes>`, causes a comma-
                            separated subset of lease_expired,nacked,held_past_lease,
                            ack_ignored,ack_failed,stream_ended (or -)
  --watch-pid PID           print the report and exit once process PID is gone
fault flags (serve):
  --drop-stream-every K     end each StreamingPull with UNAVAILABLE after K messages on it
  --stall-ms T              with --stall-every K: pause T ms every K messages of a stream
  --stall-every K
  --unavailable-secs T      answer UNAVAILABLE to every RPC for the first T seconds
  --outage-on-signal-secs T on each SIGUSR1: end every stream and answer every RPC with
                            UNAVAILABLE for the next T seconds
  --unavailable-publishes K answer UNAVAILABLE to the first K Publish calls
  --fail-first-acks K       answer UNAVAILABLE to the first K Acknowledge RPCs (their ids stay leased)
  --reject-ack-share F      ignore the share F (0..1) of ack ids, chosen by hash";

#[derive(Debug, Error, PartialEq)]
pub enum ArgError {
    #[error("unknown flag {flag} (see --help)")]
    UnknownFlag { flag: String },
    #[error("flag {flag} needs a value")]
    MissingValue { flag: String },
    #[error("invalid value {value:?} for {flag}: expected {expected}")]
    InvalidValue {
        flag: String,
        value: String,
        expected: &'static str,
    },
    #[error("{0}")]
    Conflict(&'static str),
    #[error("help requested")]
    Help,
}

/// What the messages look like; the same for serving and for the ceiling.
#[derive(Debug, Clone, PartialEq)]
pub struct MessageSpec {
    pub messages: u32,
    pub size: usize,
    pub attributes: u32,
    pub ordering_keys: u32,
}

impl Default for MessageSpec {
    fn default() -> Self {
        MessageSpec {
            messages: 1_000_000,
            size: 1024,
            attributes: 0,
            ordering_keys: 0,
        }
    }
}

/// Faults injected on purpose, for reliability tests.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FaultSpec {
    pub drop_stream_every: Option<u64>,
    /// (pause, every K messages)
    pub stall: Option<(Duration, u64)>,
    pub unavailable_for: Duration,
    /// The outage each SIGUSR1 starts (zero: SIGUSR1 does nothing).
    pub outage_on_signal: Duration,
    pub unavailable_publishes: u64,
    /// The first K Acknowledge RPCs fail with UNAVAILABLE (acks on streams are not affected).
    pub fail_first_acks: u64,
    pub reject_ack_share: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ServeConfig {
    pub host: String,
    pub port: u16,
    pub spec: MessageSpec,
    pub ack_deadline_secs: u32,
    pub exit_after_acked: bool,
    pub report_file: Option<PathBuf>,
    pub redeliveries_file: Option<PathBuf>,
    pub watch_pid: Option<u32>,
    pub faults: FaultSpec,
}

impl Default for ServeConfig {
    fn default() -> Self {
        ServeConfig {
            host: "127.0.0.1".to_string(),
            port: 0,
            spec: MessageSpec::default(),
            ack_deadline_secs: 10,
            exit_after_acked: false,
            report_file: None,
            redeliveries_file: None,
            watch_pid: None,
            faults: FaultSpec::default(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    Serve(ServeConfig),
    Ceiling(MessageSpec),
}

/// Parses the arguments after the program name.
pub fn parse_args<I: IntoIterator<Item = String>>(args: I) -> Result<Command, ArgError> {
    let mut args: Vec<String> = args.into_iter().collect();
    let ceiling = match args.first().map(String::as_str) {
        Some("ceiling") => {
            args.remove(0);
            true
        }
        Some("serve") => {
            args.remove(0);
            false
        }
        _ => false,
    };
    let mut serve = ServeConfig::default();
    let mut stall_ms = None;
    let mut stall_every = None;
    let mut it = args.into_iter();
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        if flag == "--help" || flag == "-h" {
            return Err(ArgError::Help);
        }
        if flag == "--exit-after-acked" && !ceiling {
            serve.exit_after_acked = true;
            continue;
        }
        let known = is_message_flag(&flag) || (!ceiling && is_serve_flag(&flag));
        if !known {
            return Err(ArgError::UnknownFlag { flag });
        }
        let value = match inline.or_else(|| it.next()) {
            Some(v) => v,
            None => return Err(ArgError::MissingValue { flag }),
        };
        let v = Value {
            flag: &flag,
            value: &value,
        };
        let spec = &mut serve.spec;
        match flag.as_str() {
            "--messages" => {
                spec.messages = v.int(1, u32::MAX as u64, "an integer 1..4294967295")? as u32
            }
            "--size" => spec.size = v.int(0, MAX_MESSAGE_BYTES, "bytes 0..10485760")? as usize,
            "--attributes" => {
                spec.attributes = v.int(0, MAX_ATTRIBUTES, "an integer 0..100")? as u32
            }
            "--ordering-keys" => {
                spec.ordering_keys = v.int(0, 1_000_000, "an integer 0..1000000")? as u32
            }
            "--host" => serve.host = value.clone(),
            "--port" => serve.port = v.int(0, 65535, "a port 0..65535")? as u16,
            "--ack-deadline-secs" => {
                serve.ack_deadline_secs = v.int(1, MAX_ACK_DEADLINE_SECS, "seconds 1..600")? as u32
            }
            "--report-file" => serve.report_file = Some(PathBuf::from(&value)),
            "--redeliveries-file" => serve.redeliveries_file = Some(PathBuf::from(&value)),
            "--watch-pid" => {
                serve.watch_pid = Some(v.int(1, u32::MAX as u64, "a process id")? as u32)
            }
            "--drop-stream-every" => {
                serve.faults.drop_stream_every = Some(v.int(1, u64::MAX, "an integer >= 1")?)
            }
            "--stall-ms" => stall_ms = Some(v.int(1, 3_600_000, "milliseconds 1..3600000")?),
            "--stall-every" => stall_every = Some(v.int(1, u64::MAX, "an integer >= 1")?),
            "--unavailable-secs" => {
                serve.faults.unavailable_for =
                    Duration::from_secs_f64(v.float(0.0, 86_400.0, "seconds 0..86400")?)
            }
            "--outage-on-signal-secs" => {
                serve.faults.outage_on_signal =
                    Duration::from_secs_f64(v.float(0.0, 86_400.0, "seconds 0..86400")?)
            }
            "--unavailable-publishes" => {
                serve.faults.unavailable_publishes = v.int(0, u64::MAX, "an integer >= 0")?
            }
            "--fail-first-acks" => {
                serve.faults.fail_first_acks = v.int(0, u64::MAX, "an integer >= 0")?
            }
            "--reject-ack-share" => {
                serve.faults.reject_ack_share = v.float(0.0, 0.99, "a share 0..0.99")?
            }
            _ => return Err(ArgError::UnknownFlag { flag }),
        }
    }
    serve.faults.stall = match (stall_ms, stall_every) {
        (Some(ms), Some(every)) => Some((Duration::from_millis(ms), every)),
        (None, None) => None,
        _ => {
            return Err(ArgError::Conflict(
                "--stall-ms and --stall-every go together",
            ))
        }
    };
    Ok(if ceiling {
        Command::Ceiling(serve.spec)
    } else {
        Command::Serve(serve)
    })
}

fn is_message_flag(flag: &str) -> bool {
    matches!(
        flag,
        "--messages" | "--size" | "--attributes" | "--ordering-keys"
    )
}

fn is_serve_flag(flag: &str) -> bool {
    matches!(
        flag,
        "--host"
            | "--port"
            | "--ack-deadline-secs"
            | "--report-file"
            | "--redeliveries-file"
            | "--watch-pid"
            | "--drop-stream-every"
            | "--stall-ms"
            | "--stall-every"
            | "--unavailable-secs"
            | "--outage-on-signal-secs"
            | "--unavailable-publishes"
            | "--fail-first-acks"
            | "--reject-ack-share"
    )
}

struct Value<'a> {
    flag: &'a str,
    value: &'a str,
}

impl Value<'_> {
    fn invalid(&self, expected: &'static str) -> ArgError {
        ArgError::InvalidValue {
            flag: self.flag.to_string(),
            value: self.value.to_string(),
            expected,
        }
    }

    fn int(&self, min: u64, max: u64, expected: &'static str) -> Result<u64, ArgError> {
        let n: u64 = self
            .value
            .replace('_', "")
            .parse()
            .map_err(|_| self.invalid(expected))?;
        if n < min || n > max {
            return Err(self.invalid(expected));
        }
        Ok(n)
    }

    fn float(&self, min: f64, max: f64, expected: &'static str) -> Result<f64, ArgError> {
        let x: f64 = self.value.parse().map_err(|_| self.invalid(expected))?;
        if !(min..=max).contains(&x) {
            return Err(self.invalid(expected));
        }
        Ok(x)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<Command, ArgError> {
        parse_args(s.split_whitespace().map(String::from))
    }

    #[test]
    fn defaults_serve_one_million_one_kib_messages() {
        let Command::Serve(c) = parse("").unwrap() else {
            panic!("not serve")
        };
        assert_eq!(c, ServeConfig::default());
        assert_eq!(c.spec.messages, 1_000_000);
        assert_eq!(c.spec.size, 1024);
        assert_eq!(c.ack_deadline_secs, 10);
    }

    #[test]
    fn serve_flags_are_read_in_both_spellings() {
        let Command::Serve(c) = parse(
            "serve --messages=2_000 --size 10 --attributes 3 --ordering-keys 4 --port 7 \
             --ack-deadline-secs 2 --exit-after-acked --report-file /tmp/r.json --watch-pid 9 \
             --drop-stream-every 5 --stall-ms 20 --stall-every 6 --unavailable-secs 1.5 \
             --outage-on-signal-secs 30 --unavailable-publishes 2 --fail-first-acks 4 --reject-ack-share 0.25",
        )
        .unwrap() else {
            panic!("not serve")
        };
        assert_eq!(
            c.spec,
            MessageSpec {
                messages: 2000,
                size: 10,
                attributes: 3,
                ordering_keys: 4
            }
        );
        assert_eq!(c.port, 7);
        assert_eq!(c.ack_deadline_secs, 2);
        assert!(c.exit_after_acked);
        assert_eq!(c.report_file, Some(PathBuf::from("/tmp/r.json")));
        assert_eq!(c.watch_pid, Some(9));
        assert_eq!(
            c.faults,
            FaultSpec {
                drop_stream_every: Some(5),
                stall: Some((Duration::from_millis(20), 6)),
                unavailable_for: Duration::from_millis(1500),
                outage_on_signal: Duration::from_secs(30),
                unavailable_publishes: 2,
                fail_first_acks: 4,
                reject_ack_share: 0.25,
            }
        );
    }

    #[test]
    fn redeliveries_file_is_a_serve_flag_in_both_spellings() {
        for args in [
            "--redeliveries-file /tmp/r.txt",
            "serve --redeliveries-file=/tmp/r.txt",
        ] {
            let Command::Serve(c) = parse(args).unwrap() else {
                panic!("not serve")
            };
            assert_eq!(c.redeliveries_file, Some(PathBuf::from("/tmp/r.txt")));
            assert_eq!(c.report_file, None);
        }
        assert_eq!(
            parse("--redeliveries-file"),
            Err(ArgError::MissingValue {
                flag: "--redeliveries-file".into()
            })
        );
        assert_eq!(
            parse("ceiling --redeliveries-file /tmp/r.txt"),
            Err(ArgError::UnknownFlag {
                flag: "--redeliveries-file".into()
            })
        );
    }

    #[test]
    fn ceiling_takes_message_flags_only() {
        assert_eq!(
            parse("ceiling --size 100 --messages 5").unwrap(),
            Command::Ceiling(MessageSpec {
                messages: 5,
                size: 100,
                ..MessageSpec::default()
            })
        );
        assert_eq!(
            parse("ceiling --port 1"),
            Err(ArgError::UnknownFlag {
                flag: "--port".into()
            })
        );
    }

    #[test]
    fn bad_values_name_the_flag_the_value_and_the_valid_range() {
        let err = parse("--messages 0").unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid value \"0\" for --messages: expected an integer 1..4294967295"
        );
        let err = parse("--reject-ack-share 1.5").unwrap_err();
        assert!(err.to_string().contains("--reject-ack-share"), "{err}");
        assert_eq!(
            parse("--size"),
            Err(ArgError::MissingValue {
                flag: "--size".into()
            })
        );
        assert_eq!(
            parse("--bogus 1"),
            Err(ArgError::UnknownFlag {
                flag: "--bogus".into()
            })
        );
    }

    #[test]
    fn stall_needs_both_flags() {
        assert_eq!(
            parse("--stall-ms 5"),
            Err(ArgError::Conflict(
                "--stall-ms and --stall-every go together"
            ))
        );
    }
}
