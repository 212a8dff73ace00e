//! The physical limit: the bytes of the served responses written over plain
//! loopback TCP, as fast as possible, to a reader that discards them.

use crate::catalog::{ack_id, Catalog};
use crate::config::MessageSpec;
use serde::Serialize;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Instant;

/// Bytes written per call, like one response of the firehose.
const CHUNK_BYTES: usize = 1024 * 1024;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Ceiling {
    pub messages: u64,
    pub bytes: u64,
    pub secs: f64,
    pub bytes_per_sec: f64,
    pub messages_per_sec: f64,
}

impl Ceiling {
    pub fn json_line(&self) -> String {
        let json = serde_json::to_string(self).unwrap_or_default();
        format!("FIREHOSE_CEILING {json}")
    }

    pub fn summary(&self) -> String {
        format!(
            "ceiling: {} messages, {} bytes in {:.3} s over loopback TCP: {:.1} MB/s, {:.0} msg/s",
            self.messages,
            self.bytes,
            self.secs,
            self.bytes_per_sec / 1e6,
            self.messages_per_sec
        )
    }
}

pub fn run(spec: &MessageSpec) -> std::io::Result<Ceiling> {
    let catalog = Catalog::new(spec);
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    let reader = std::thread::spawn(move || -> std::io::Result<u64> {
        let mut stream = TcpStream::connect(addr)?;
        let mut buf = vec![0u8; CHUNK_BYTES];
        let mut total = 0u64;
        loop {
            match stream.read(&mut buf)? {
                0 => return Ok(total),
                n => total += n as u64,
            }
        }
    });
    let (mut writer, _) = listener.accept()?;
    writer.set_nodelay(true)?;
    let started = Instant::now();
    let mut chunk = Vec::with_capacity(CHUNK_BYTES + catalog.entry_len(0));
    for i in 0..catalog.messages() {
        catalog.write_entry(i, ack_id(i, 1), &mut chunk);
        if chunk.len() >= CHUNK_BYTES {
            writer.write_all(&chunk)?;
            chunk.clear();
        }
    }
    writer.write_all(&chunk)?;
    drop(writer);
    let bytes = reader
        .join()
        .map_err(|_| std::io::Error::other("ceiling reader thread panicked"))??;
    let secs = started.elapsed().as_secs_f64();
    let messages = u64::from(catalog.messages());
    Ok(Ceiling {
        messages,
        bytes,
        secs,
        bytes_per_sec: bytes as f64 / secs,
        messages_per_sec: messages as f64 / secs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reader_receives_every_byte_of_every_message() {
        let spec = MessageSpec {
            messages: 3_000,
            size: 100,
            attributes: 1,
            ordering_keys: 2,
        };
        let catalog = Catalog::new(&spec);
        let expected: u64 = (0..3_000).map(|i| catalog.entry_len(i) as u64).sum();
        let c = run(&spec).expect("ceiling run");
        assert_eq!(c.messages, 3_000);
        assert_eq!(c.bytes, expected);
        assert!(c.bytes_per_sec > 0.0);
    }
}
