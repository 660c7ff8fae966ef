//! The store this process holds, opened again after a storage failure. sled 0.34 refuses every
//! write after one I/O error (a full disk), even once there is room again, and keeps the
//! failed write in memory where reads would show it as done: the holder (a TUI open for
//! hours, a command serving others) drops that copy and opens the data directory again.
//! Meanwhile it keeps sled's lock on the data directory itself: another destui started then
//! still finds the data directory held, and forwards its command here (DESIGN.md §10).

use crate::domain::Error;
use crate::store::{self, Store};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long a reopen waits for the store calls still running on the old copy to end (each
/// holds sled's lock until it does).
const REOPEN_WAIT: Duration = Duration::from_secs(2);

#[derive(Clone)]
pub(super) struct HeldStore {
    dir: PathBuf,
    current: Arc<tokio::sync::Mutex<Held>>,
}

enum Held {
    Open(Store),
    /// After a storage failure, until a store call opens it again: sled's lock, held here.
    Broken(Option<File>),
}

impl HeldStore {
    pub(super) fn new(store: Store) -> Self {
        HeldStore {
            dir: store.dir().to_path_buf(),
            current: Arc::new(tokio::sync::Mutex::new(Held::Open(store))),
        }
    }

    /// The store, opened again first when the last call failed in it.
    pub(super) async fn get(&self) -> Result<Store, Error> {
        let mut current = self.current.lock().await;
        let guard = match &mut *current {
            Held::Open(store) => return Ok(store.clone()),
            Held::Broken(guard) => guard.take(),
        };
        let dir = self.dir.clone();
        let (opened, guard) = blocking(move || {
            // The lock goes back to sled just before it takes it again.
            drop(guard);
            match reopen(&dir) {
                Ok(store) => (Ok(store), None),
                Err(e) => (Err(e), hold_lock(&dir)),
            }
        })
        .await?;
        match opened {
            Ok(store) => {
                tracing::info!("opened the data directory {} again", self.dir.display());
                *current = Held::Open(store.clone());
                Ok(store)
            }
            Err(e) => {
                *current = Held::Broken(guard);
                Err(e)
            }
        }
    }

    /// After `error` from a store call: a storage failure drops this copy, its lock kept
    /// (the next call opens the data directory again); a refusal (a name taken…) changes
    /// nothing.
    pub(super) async fn failed(&self, error: &Error) {
        if !matches!(error, Error::DiskFull(_) | Error::Store(_)) {
            return;
        }
        let mut current = self.current.lock().await;
        let Held::Open(store) = std::mem::replace(&mut *current, Held::Broken(None)) else {
            return;
        };
        tracing::warn!("store call failed ({error}): the store is opened again");
        drop(store);
        let dir = self.dir.clone();
        let guard = blocking(move || hold_lock(&dir)).await.ok().flatten();
        *current = Held::Broken(guard);
    }
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, Error> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Error::Io(format!("store task failed: {e}")))
}

/// Opens the data directory again, waiting a moment for calls on the old copy to let go.
fn reopen(dir: &Path) -> Result<Store, Error> {
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

/// sled's lock, taken as soon as the old copy's calls let go of it.
fn hold_lock(dir: &Path) -> Option<File> {
    let deadline = Instant::now() + REOPEN_WAIT;
    loop {
        if let Some(lock) = store::try_lock(dir) {
            return Some(lock);
        }
        if Instant::now() >= deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}
