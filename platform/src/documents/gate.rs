//! How many uploads one process takes at once, and how many files it holds in memory.
//!
//! An upload is read as a stream into an anonymous temporary file (see
//! [`super::upload`]), so a slow sender costs a few kilobytes, not the file. Two bounds keep
//! the memory of the process flat whatever the number of senders:
//! - at most `UPLOAD_CONCURRENCY` uploads are read at once; one more is answered at once with
//!   503 and `Retry-After` (nothing of its body is read), so a crowd waits on the client side,
//!   not in the server's memory;
//! - at most [`HELD_AT_ONCE`] files are loaded in memory to be checked (images re-encoded, the
//!   antivirus) and stored; the others wait their turn, already on disk.
//!
//! Every upload path (family documents, the library's publications, message attachments)
//! enters through [`UploadGate::enter`] before reading its body.

use std::sync::Arc;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Files loaded in memory at once, per process: each costs a few times its size while it is
/// checked and written to PostgreSQL.
pub const HELD_AT_ONCE: usize = 2;
/// What `Retry-After` says to an upload turned away: the time a few uploads take.
pub const RETRY_AFTER_SECONDS: i64 = 10;

pub struct UploadGate {
    reading: Arc<Semaphore>,
    holding: Arc<Semaphore>,
}

/// An upload let in: held until the answer is sent.
#[derive(Debug)]
pub struct UploadPermit {
    _reading: OwnedSemaphorePermit,
    holding: Arc<Semaphore>,
}

/// An upload's permit shared by each file of a form that carries several (a message's
/// attachments): the upload keeps its slot while any of its files waits to be stored, and
/// every file is loaded under the same bound.
#[derive(Debug, Clone)]
pub struct Holder(Arc<UploadPermit>);

impl Holder {
    pub fn new(permit: UploadPermit) -> Self {
        Holder(Arc::new(permit))
    }

    /// Waits for a place to hold a file in memory.
    pub async fn hold(&self) -> HeldFile {
        self.0.hold().await
    }
}

/// A file's place in memory: held while its bytes are.
#[derive(Debug)]
pub struct HeldFile(#[allow(dead_code)] OwnedSemaphorePermit);

/// Every upload slot is taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("too many uploads at once")]
pub struct Busy;

impl UploadGate {
    /// `concurrency`: uploads read at once (`UPLOAD_CONCURRENCY`), at least one.
    pub fn new(concurrency: usize) -> Self {
        UploadGate {
            reading: Arc::new(Semaphore::new(concurrency.max(1))),
            holding: Arc::new(Semaphore::new(HELD_AT_ONCE)),
        }
    }

    /// A slot for one upload, or [`Busy`] at once when every slot is taken.
    pub fn enter(&self) -> Result<UploadPermit, Busy> {
        let reading = self.reading.clone().try_acquire_owned().map_err(|_| Busy)?;
        Ok(UploadPermit {
            _reading: reading,
            holding: self.holding.clone(),
        })
    }

    /// Uploads being read now (for tests and metrics).
    pub fn in_flight(&self, concurrency: usize) -> usize {
        concurrency.max(1) - self.reading.available_permits()
    }
}

impl UploadPermit {
    /// Waits for a place to hold a file in memory.
    pub async fn hold(&self) -> HeldFile {
        let permit = self
            .holding
            .clone()
            .acquire_owned()
            .await
            .expect("the gate's semaphore is never closed");
        HeldFile(permit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn one_upload_more_than_the_bound_is_turned_away_until_one_ends() {
        let gate = UploadGate::new(2);
        let a = gate.enter().unwrap();
        let _b = gate.enter().unwrap();
        assert_eq!(gate.enter().unwrap_err(), Busy);
        assert_eq!(gate.in_flight(2), 2);
        drop(a);
        let c = gate.enter().unwrap();
        // Holding places are fewer than slots: the third waits until one is given back.
        let h1 = c.hold().await;
        let _h2 = c.hold().await;
        let waiting = tokio::time::timeout(std::time::Duration::from_millis(50), c.hold()).await;
        assert!(waiting.is_err(), "a third file was held");
        drop(h1);
        let _h3 = tokio::time::timeout(std::time::Duration::from_millis(500), c.hold())
            .await
            .expect("a place freed is taken");
    }
}
