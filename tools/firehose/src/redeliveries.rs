//! `--redeliveries-file`: one line per message served more than once,
//! `<message_id> <deliveries> <causes>`, so that a checker can tell whether a
//! duplicate downstream was caused by an injected fault.

use crate::catalog::message_id;
use crate::ledger::Redelivery;
use std::fmt;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum WriteError {
    #[error("cannot write the redeliveries to {path}: no file name")]
    NoFileName { path: PathBuf },
    #[error("cannot write the redeliveries to {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot rename {from} to {to}: {source}")]
    Rename {
        from: PathBuf,
        to: PathBuf,
        source: std::io::Error,
    },
}

/// `<message_id> <deliveries> <causes>`, causes comma-separated or `-`.
impl fmt::Display for Redelivery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let id = message_id(self.index);
        write!(f, "{id} {} {}", self.deliveries, self.causes)
    }
}

/// Writes `lines` to `path` atomically: into a temporary file next to it,
/// then renamed over it, so that a reader sees the old file or the whole new
/// one, never a part (the checker may look while the firehose stops).
pub fn write_file(path: &Path, lines: &[Redelivery]) -> Result<(), WriteError> {
    let name = path.file_name().ok_or_else(|| WriteError::NoFileName {
        path: path.to_path_buf(),
    })?;
    let mut temp_name = std::ffi::OsString::from(".");
    temp_name.push(name);
    temp_name.push(format!(".tmp-{}", std::process::id()));
    let temp = path.with_file_name(temp_name);
    let written = write_lines(&temp, lines).map_err(|source| WriteError::Write {
        path: temp.clone(),
        source,
    });
    let renamed = written.and_then(|()| {
        std::fs::rename(&temp, path).map_err(|source| WriteError::Rename {
            from: temp.clone(),
            to: path.to_path_buf(),
            source,
        })
    });
    if renamed.is_err() {
        // Best effort: the error to report is the one that got us here.
        let _ = std::fs::remove_file(&temp);
    }
    renamed
}

fn write_lines(path: &Path, lines: &[Redelivery]) -> std::io::Result<()> {
    let mut out = BufWriter::new(File::create(path)?);
    for line in lines {
        writeln!(out, "{line}")?;
    }
    // Durable before the rename makes it visible under the real name.
    out.into_inner().map_err(|e| e.into_error())?.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::Causes;

    fn redelivery(index: u32, deliveries: u32, causes: &[Causes]) -> Redelivery {
        let mut all = Causes::NONE;
        causes.iter().for_each(|&c| all.insert(c));
        Redelivery {
            index,
            deliveries,
            causes: all,
        }
    }

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("firehose-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        dir
    }

    #[test]
    fn lines_name_the_message_id_deliveries_and_causes_in_a_fixed_order() {
        let line = redelivery(0, 3, &[Causes::STREAM_ENDED, Causes::LEASE_EXPIRED]);
        assert_eq!(line.to_string(), "1 3 lease_expired,stream_ended");
        assert_eq!(redelivery(41, 2, &[]).to_string(), "42 2 -");
        let every = [
            Causes::ACK_FAILED,
            Causes::ACK_IGNORED,
            Causes::HELD_PAST_LEASE,
            Causes::NACKED,
            Causes::LEASE_EXPIRED,
            Causes::STREAM_ENDED,
        ];
        assert_eq!(
            redelivery(9, 7, &every).to_string(),
            "10 7 lease_expired,nacked,held_past_lease,ack_ignored,ack_failed,stream_ended"
        );
    }

    #[test]
    fn the_file_is_replaced_whole_and_no_temporary_file_stays() {
        let dir = temp_dir("redeliveries");
        let path = dir.join("r.txt");
        std::fs::write(&path, "old\n").expect("old file");
        let lines = [
            redelivery(4, 2, &[Causes::NACKED]),
            redelivery(7, 3, &[Causes::ACK_IGNORED, Causes::LEASE_EXPIRED]),
        ];
        write_file(&path, &lines).expect("written");
        let text = std::fs::read_to_string(&path).expect("read");
        assert_eq!(text, "5 2 nacked\n8 3 lease_expired,ack_ignored\n");
        write_file(&path, &[]).expect("written empty");
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "");
        let names: Vec<_> = std::fs::read_dir(&dir)
            .expect("list")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("r.txt")]);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_write_error_is_returned_naming_the_path() {
        let dir = temp_dir("redeliveries-missing");
        let err = write_file(&dir.join("no-such-dir/r.txt"), &[]).unwrap_err();
        assert!(matches!(err, WriteError::Write { .. }), "{err:?}");
        assert!(err.to_string().contains("no-such-dir"), "{err}");
        let _ = std::fs::remove_dir_all(&dir);
        assert!(matches!(
            write_file(Path::new("/"), &[]),
            Err(WriteError::NoFileName { .. })
        ));
    }
}
