//! `firehose [serve] FLAGS` or `firehose ceiling FLAGS` (see config::USAGE).

use firehose::ceiling;
use firehose::config::{parse_args, ArgError, Command, ServeConfig, USAGE};
use firehose::redeliveries;
use firehose::report::Report;
use firehose::server::{self, ServeError};
use firehose::state::Firehose;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;
use tokio::signal::unix::{signal, SignalKind};

fn main() -> ExitCode {
    match parse_args(std::env::args().skip(1)) {
        Ok(Command::Serve(config)) => serve(config),
        Ok(Command::Ceiling(spec)) => match ceiling::run(&spec) {
            Ok(c) => {
                say(&c.summary());
                say(&c.json_line());
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("firehose ceiling failed: {e}");
                ExitCode::FAILURE
            }
        },
        Err(ArgError::Help) => {
            say(USAGE);
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("firehose: {e}\n\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn serve(config: ServeConfig) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("firehose: cannot start the tokio runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("firehose: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(config: ServeConfig) -> Result<(), ServeError> {
    let report_file = config.report_file.clone();
    let redeliveries_file = config.redeliveries_file.clone();
    let exit_after_acked = config.exit_after_acked;
    let watch_pid = config.watch_pid;
    // Handlers first, so that a SIGTERM right after the announcement is ours.
    let mut term = signal(SignalKind::terminate()).map_err(ServeError::Signal)?;
    let mut int = signal(SignalKind::interrupt()).map_err(ServeError::Signal)?;
    let mut usr1 = signal(SignalKind::user_defined1()).map_err(ServeError::Signal)?;
    let running = server::start(config).await?;
    say(&format!("FIREHOSE_LISTENING {}", running.addr));
    let firehose = running.firehose.clone();
    tokio::spawn(async move {
        while usr1.recv().await.is_some() {
            if firehose.faults.start_outage() {
                eprintln!("firehose: SIGUSR1: outage started");
            } else {
                eprintln!("firehose: SIGUSR1 ignored (no --outage-on-signal-secs)");
            }
        }
    });

    let signals = async {
        tokio::select! {
            _ = term.recv() => "SIGTERM",
            _ = int.recv() => "SIGINT",
        }
    };
    let acked = async {
        if exit_after_acked {
            running.firehose.all_acked.notified().await;
            "every message acked"
        } else {
            std::future::pending().await
        }
    };
    let watched = async {
        match watch_pid {
            Some(pid) => {
                while process_alive(pid) {
                    tokio::time::sleep(Duration::from_secs(2)).await;
                }
                "watched process gone"
            }
            None => std::future::pending().await,
        }
    };
    let reason = tokio::select! {
        r = signals => r,
        r = acked => r,
        r = watched => r,
    };
    eprintln!("firehose: stopping ({reason})");
    let firehose = running.firehose.clone();
    let report = running.stop().await?;
    // Before the report, so that whoever waits for the report finds the file.
    if let Some(path) = redeliveries_file.as_deref() {
        write_redeliveries(&firehose, path);
    }
    print_report(&report, report_file.as_deref());
    Ok(())
}

fn write_redeliveries(firehose: &Firehose, path: &Path) {
    let lines = firehose.redeliveries();
    if let Err(e) = redeliveries::write_file(path, &lines) {
        eprintln!("firehose: {e}");
    }
}

fn print_report(report: &Report, file: Option<&Path>) {
    let line = report.json_line();
    say(&report.table());
    say(&line);
    if let Some(path) = file {
        let json = line.trim_start_matches("FIREHOSE_REPORT ");
        if let Err(e) = std::fs::write(path, format!("{json}\n")) {
            eprintln!(
                "firehose: cannot write the report to {}: {e}",
                path.display()
            );
        }
    }
}

/// Whether process `pid` runs: it has a /proc entry and is no zombie.
fn process_alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        // The state follows the parenthesised command name.
        Ok(stat) => stat
            .rfind(')')
            .and_then(|end| stat[end + 1..].split_whitespace().next())
            .is_some_and(|state| state != "Z" && state != "X"),
        Err(_) => false,
    }
}

/// One line to stdout, flushed; a closed stdout (a reader gone) is no error.
fn say(line: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}").and_then(|()| out.flush());
}
