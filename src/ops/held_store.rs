//! The store this process holds, opened again after a storage failure. sled 0.34 refuses every
//! write after one I/O error (a full disk), even once there is room again, and keeps the
//! failed write in memory where reads would show it as done: the holder (a TUI open for
//! hours, a command serving others) drops that copy and opens the data directory again.

use crate::domain::Error;
use crate::store::Store;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long a reopen waits for the store calls still running on the old copy to end (each
/// holds sled's lock until it does).
const REOPEN_WAIT: Duration = Duration::from_secs(2);

#[derive(Clone)]
pub(super) struct HeldStore {
    dir: PathBuf,
    /// `None` after a failure, until a store call opens it again.
    current: Arc<tokio::sync::Mutex<Option<Store>>>,
}

impl HeldStore {
    pub(super) fn new(store: Store) -> Self {
        HeldStore {
            dir: store.dir().to_path_buf(),
            current: Arc::new(tokio::sync::Mutex::new(Some(store))),
        }
    }

    /// The store, opened again first when the last call failed in it.
    pub(super) async fn get(&self) -> Result<Store, Error> {
        let mut current = self.current.lock().await;
        if let Some(store) = current.as_ref() {
            return Ok(store.clone());
        }
        let dir = self.dir.clone();
        let store = tokio::task::spawn_blocking(move || reopen(&dir))
            .await
            .map_err(|e| Error::Io(format!("store task failed: {e}")))??;
        tracing::info!("opened the data directory {} again", self.dir.display());
        *current = Some(store.clone());
        Ok(store)
    }

    /// After `error` from a store call: a storage failure drops this copy (the next call
    /// opens the data directory again); a refusal (a name taken…) changes nothing.
    pub(super) async fn failed(&self, error: &Error) {
        if matches!(error, Error::DiskFull(_) | Error::Store(_)) {
            tracing::warn!("store call failed ({error}): the store is opened again");
            self.current.lock().await.take();
        }
    }
}

/// Opens the data directory again, waiting a moment for calls on the old copy to let go.
fn reopen(dir: &std::path::Path) -> Result<Store, Error> {
    let deadline = Instant::now() + REOPEN_WAIT;
    loop {
        match Store::open(dir) {
            Err(Error::StoreLocked(_)) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(10));
            }
            other => return other,
        }
    }
}
