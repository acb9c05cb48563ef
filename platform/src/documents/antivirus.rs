//! The antivirus hook: with `CLAMD_ADDRESS` (`host:port` of a clamd), every document is sent
//! to it (the `INSTREAM` command) before it is stored, and held back until it answers: a file
//! it flags is refused, and while it cannot be reached uploads answer 503 rather than store an
//! unscanned file. Without `CLAMD_ADDRESS` no scan is made (the README says so).

use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const TIMEOUT: Duration = Duration::from_secs(30);
const CHUNK: usize = 64 * 1024;

#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    Clean,
    /// The signature's name, for the logs.
    Infected(String),
}

/// Scans `bytes` with the clamd at `address`.
pub async fn scan(address: &str, bytes: &[u8]) -> std::io::Result<Verdict> {
    tokio::time::timeout(TIMEOUT, scan_now(address, bytes))
        .await
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "clamd did not answer"))?
}

async fn scan_now(address: &str, bytes: &[u8]) -> std::io::Result<Verdict> {
    let mut stream = TcpStream::connect(address).await?;
    stream.write_all(b"zINSTREAM\0").await?;
    for chunk in bytes.chunks(CHUNK) {
        stream
            .write_all(&(chunk.len() as u32).to_be_bytes())
            .await?;
        stream.write_all(chunk).await?;
    }
    stream.write_all(&0u32.to_be_bytes()).await?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await?;
    let answer = String::from_utf8_lossy(&answer);
    let answer = answer.trim_end_matches(['\0', '\n']).trim();
    if answer.ends_with(": OK") || answer == "OK" {
        Ok(Verdict::Clean)
    } else if let Some(found) = answer.strip_suffix(" FOUND") {
        let name = found.rsplit(": ").next().unwrap_or(found);
        Ok(Verdict::Infected(name.to_string()))
    } else {
        Err(std::io::Error::other(format!("clamd answered {answer:?}")))
    }
}
