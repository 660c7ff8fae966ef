//! The embedded database (sled 0.34). Records are JSON values in one tree per kind; the
//! unique indexes (server names, destination names, (server, network) pairs) live in their
//! own trees and are written in the same transaction as the record they index.
//!
//! Every method is blocking (sled's `flush` waits for the disk): async callers go through
//! `tokio::task::spawn_blocking`.

mod destinations;
mod intents;
mod resources;
mod servers;

use crate::domain::Error;
use serde::{Serialize, de::DeserializeOwned};
use sled::transaction::{ConflictableTransactionError, TransactionError};
use std::path::{Path, PathBuf};

/// Bumped when the layout changes; a data directory from a newer destui is refused.
pub const SCHEMA_VERSION: u32 = 1;
const SCHEMA_KEY: &[u8] = b"schema_version";

#[derive(Clone)]
pub struct Store {
    dir: PathBuf,
    db: sled::Db,
    servers: sled::Tree,
    server_names: sled::Tree,
    destinations: sled::Tree,
    destination_names: sled::Tree,
    server_networks: sled::Tree,
    resources: sled::Tree,
    intents: sled::Tree,
    resource_intents: sled::Tree,
    meta: sled::Tree,
}

type TxResult<T> = Result<T, ConflictableTransactionError<Error>>;

/// Every tree by name, each with its keys and values in order (`Store::contents`).
pub type Contents = Vec<(Vec<u8>, Vec<(Vec<u8>, Vec<u8>)>)>;

fn abort<T>(e: Error) -> TxResult<T> {
    Err(ConflictableTransactionError::Abort(e))
}

fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, Error> {
    serde_json::to_vec(value).map_err(|e| Error::Store(e.to_string()))
}

fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Error> {
    serde_json::from_slice(bytes).map_err(|e| Error::Store(format!("unreadable record: {e}")))
}

fn tx_encode<T: Serialize>(value: &T) -> TxResult<Vec<u8>> {
    encode(value).map_err(ConflictableTransactionError::Abort)
}

/// A sled error as the admin reads it: a full disk is said as such, naming the data
/// directory (DESIGN.md §8); anything else is the store's own failure.
fn storage_error(dir: &Path, e: sled::Error) -> Error {
    match &e {
        sled::Error::Io(io) if is_disk_full(io) => Error::DiskFull(dir.display().to_string()),
        _ => Error::Store(e.to_string()),
    }
}

/// ENOSPC or a quota, also once sled has cloned the error (the kind stays, the errno goes).
fn is_disk_full(e: &std::io::Error) -> bool {
    use std::io::ErrorKind;
    matches!(e.kind(), ErrorKind::StorageFull | ErrorKind::QuotaExceeded)
        || matches!(e.raw_os_error(), Some(libc::ENOSPC) | Some(libc::EDQUOT))
}

impl Store {
    /// Opens (creating it 0700 if needed) the data directory. A second process gets
    /// `Error::StoreLocked`; a directory from a newer schema gets `Error::SchemaTooNew`.
    pub fn open(dir: &Path) -> Result<Self, Error> {
        open_data_dir(dir)?;
        remove_unfinished_snapshots(dir)?;
        let db = sled::Config::new()
            .path(dir.join("db"))
            .open()
            .map_err(|e| {
                let text = e.to_string();
                if text.contains("could not acquire lock") || text.contains("WouldBlock") {
                    return Error::StoreLocked(dir.display().to_string());
                }
                match storage_error(dir, e) {
                    Error::DiskFull(dir) => Error::DiskFull(dir),
                    _ => Error::Store(format!("cannot open {}: {text}", dir.display())),
                }
            })?;
        let tree = |name: &str| db.open_tree(name).map_err(|e| storage_error(dir, e));
        let store = Store {
            dir: dir.to_path_buf(),
            servers: tree("servers")?,
            server_names: tree("server_names")?,
            destinations: tree("destinations")?,
            destination_names: tree("destination_names")?,
            server_networks: tree("server_networks")?,
            resources: tree("resources")?,
            intents: tree("intents")?,
            resource_intents: tree("resource_intents")?,
            meta: tree("meta")?,
            db,
        };
        store.check_schema()?;
        Ok(store)
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn storage(&self, e: sled::Error) -> Error {
        storage_error(&self.dir, e)
    }

    fn tx_failure(&self, e: TransactionError<Error>) -> Error {
        match e {
            TransactionError::Abort(e) => e,
            TransactionError::Storage(e) => self.storage(e),
        }
    }

    fn check_schema(&self) -> Result<(), Error> {
        match self.meta.get(SCHEMA_KEY).map_err(|e| self.storage(e))? {
            Some(raw) => {
                let found = std::str::from_utf8(&raw)
                    .ok()
                    .and_then(|s| s.parse::<u32>().ok())
                    .ok_or_else(|| Error::Store("unreadable schema version".into()))?;
                if found > SCHEMA_VERSION {
                    return Err(Error::SchemaTooNew {
                        dir: self.dir.display().to_string(),
                        found,
                        supported: SCHEMA_VERSION,
                    });
                }
                Ok(())
            }
            None => {
                self.meta
                    .insert(SCHEMA_KEY, SCHEMA_VERSION.to_string().as_bytes())
                    .map_err(|e| self.storage(e))?;
                self.flush()
            }
        }
    }

    /// Test hook and the way a newer destui would mark its layout.
    pub fn set_schema_version(&self, version: u32) -> Result<(), Error> {
        self.meta
            .insert(SCHEMA_KEY, version.to_string().as_bytes())
            .map_err(|e| self.storage(e))?;
        self.flush()
    }

    fn flush(&self) -> Result<(), Error> {
        self.db.flush().map(|_| ()).map_err(|e| self.storage(e))
    }

    fn all<T: DeserializeOwned>(&self, tree: &sled::Tree) -> Result<Vec<T>, Error> {
        tree.iter()
            .values()
            .map(|v| v.map_err(|e| self.storage(e)).and_then(|v| decode(&v)))
            .collect()
    }

    fn get<T: DeserializeOwned>(&self, tree: &sled::Tree, key: &str) -> Result<Option<T>, Error> {
        tree.get(key.as_bytes())
            .map_err(|e| self.storage(e))?
            .map(|v| decode(&v))
            .transpose()
    }

    fn index_lookup(&self, tree: &sled::Tree, key: &[u8]) -> Result<Option<String>, Error> {
        Ok(tree
            .get(key)
            .map_err(|e| self.storage(e))?
            .map(|v| String::from_utf8_lossy(&v).into_owned()))
    }

    /// Every tree's keys and values, in order: what the data directory holds, whatever its
    /// files look like (sled may rewrite them on a mere open and close). Tests compare it
    /// before and after a dry run.
    pub fn contents(&self) -> Result<Contents, Error> {
        let mut names = self.db.tree_names();
        names.sort();
        let mut all = Vec::new();
        for name in names {
            let tree = self.db.open_tree(&name).map_err(|e| self.storage(e))?;
            let pairs = tree
                .iter()
                .map(|kv| {
                    kv.map(|(k, v)| (k.to_vec(), v.to_vec()))
                        .map_err(|e| self.storage(e))
                })
                .collect::<Result<Vec<_>, Error>>()?;
            all.push((name.to_vec(), pairs));
        }
        Ok(all)
    }

    /// Whether `name` is the uuid of any record: a name may never equal one, or a lookup by
    /// that uuid would be shadowed (DESIGN.md §9).
    pub fn is_record_uuid(&self, name: &str) -> Result<bool, Error> {
        for tree in [&self.servers, &self.destinations, &self.resources] {
            if tree
                .contains_key(name.as_bytes())
                .map_err(|e| self.storage(e))?
            {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Refuses a `what` name that equals a record's uuid.
    pub fn check_name_is_not_uuid(&self, what: &'static str, name: &str) -> Result<(), Error> {
        if self.is_record_uuid(name)? {
            return Err(Error::NameIsUuid {
                what,
                name: name.to_string(),
            });
        }
        Ok(())
    }
}

/// sled writes a snapshot to `snap.<lsn>.generating` and renames it once complete. One left
/// behind (the disk filled up while it was written) is taken by sled 0.34's next open for the
/// newest snapshot and refused as corrupt ("Read corrupted data at file offset None"): every
/// open failed from then on. It is never a complete snapshot (the rename is the commit, and
/// sled replays its log from the previous one), so it goes — only while no process holds the
/// store (sled's own lock, `flock` on `db/db`, taken here for the moment).
fn remove_unfinished_snapshots(dir: &Path) -> Result<(), Error> {
    let db_dir = dir.join("db");
    let Some(_lock) = try_lock(dir) else {
        // Held: its holder is alive, and sled's open says so.
        return Ok(());
    };
    let Ok(entries) = std::fs::read_dir(&db_dir) else {
        return Ok(());
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if !(name.starts_with("snap.") && name.ends_with(".generating")) {
            continue;
        }
        match std::fs::remove_file(entry.path()) {
            Ok(()) => tracing::warn!("removed the unfinished snapshot {}", entry.path().display()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(Error::Io(format!(
                    "cannot remove the unfinished snapshot {}: {e}",
                    entry.path().display()
                )));
            }
        }
    }
    Ok(())
}

/// sled's own lock on the data directory (`flock` on `db/db`), taken without waiting; held
/// until the file returned is closed. `None` when another holds it (or there is no store).
/// The process holding the store keeps it this way while it opens the store again, so that
/// no other destui takes the data directory meanwhile.
#[allow(unsafe_code)] // a libc call: see the SAFETY note at its block
pub fn try_lock(dir: &Path) -> Option<std::fs::File> {
    use std::os::fd::AsRawFd;
    let file = std::fs::File::open(dir.join("db").join("db")).ok()?;
    // SAFETY: flock on a descriptor this function owns; it is released when `file` closes.
    let locked = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } == 0;
    locked.then_some(file)
}

/// Creates the data directory 0700, or checks an existing one: it must be ours and writable by
/// no one else (anyone who can write there can change where destui connects and what it
/// deletes). One that is ours is made private, with its files (0700 / 0600).
#[allow(unsafe_code)] // a libc call: see the SAFETY note at its block
fn open_data_dir(dir: &Path) -> Result<(), Error> {
    use std::os::unix::fs::MetadataExt;
    let meta = match std::fs::metadata(dir) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return create_private_dir(dir),
        Err(e) => return Err(Error::Io(format!("cannot read {}: {e}", dir.display()))),
    };
    let shown = dir.display().to_string();
    if !meta.is_dir() {
        return Err(Error::Invalid(format!(
            "the data directory {shown} is not a directory: pass a different --db"
        )));
    }
    // SAFETY: geteuid has no preconditions and cannot fail.
    let me = unsafe { libc::geteuid() };
    if meta.uid() != me {
        return Err(Error::Invalid(format!(
            "the data directory {shown} belongs to another user (uid {}): pass a different --db",
            meta.uid()
        )));
    }
    let mode = meta.mode() & 0o7777;
    if mode & 0o022 != 0 {
        return Err(Error::DataDirNotPrivate { dir: shown, mode });
    }
    // Cheap (sled keeps a handful of files) and it fixes a directory an older destui left.
    make_private(dir)
}

/// Directories 0700 and files 0600 under `dir` (a data directory made by an older destui).
/// The destui holding the store may remove a file meanwhile (sled rotates its snapshots): one
/// that is gone needs no privacy.
fn make_private(dir: &Path) -> Result<(), Error> {
    use std::os::unix::fs::PermissionsExt;
    let chmod = |path: &Path, mode: u32| match std::fs::set_permissions(
        path,
        std::fs::Permissions::from_mode(mode),
    ) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(Error::Io(format!(
            "cannot make {} private: {e}",
            path.display()
        ))),
        _ => Ok(()),
    };
    chmod(dir, 0o700)?;
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(Error::Io(format!("cannot read {}: {e}", dir.display()))),
    };
    for entry in entries.flatten() {
        let path = entry.path();
        match entry.file_type() {
            Ok(t) if t.is_dir() => make_private(&path)?,
            Ok(t) if t.is_file() => chmod(&path, 0o600)?,
            _ => {}
        }
    }
    Ok(())
}

/// The data directory holds the records and (beside it) nothing secret, but it tells where
/// every server is: private to its owner.
pub fn create_private_dir(dir: &Path) -> Result<(), Error> {
    use std::os::unix::fs::DirBuilderExt;
    if dir.is_dir() {
        return Ok(());
    }
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|e| Error::Io(format!("cannot create {}: {e}", dir.display())))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file the holder removed while another process walked the directory (sled rotates its
    /// snapshots) is no error: it was found by the ten-commands-at-once test.
    #[test]
    fn privacy_fixes_skip_what_vanished() {
        let dir = tempfile::tempdir().unwrap();
        assert!(make_private(&dir.path().join("gone")).is_ok());
        std::fs::write(dir.path().join("kept"), "x").unwrap();
        assert!(make_private(dir.path()).is_ok());
    }

    #[test]
    fn data_dir_is_private_and_locked() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d");
        let _store = Store::open(&path).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700);
        // sled's lock is per process (fcntl), so the second-process case is an integration test.
    }

    /// A snapshot sled began and never finished (the disk filled up under it) is left as
    /// `snap.<lsn>.generating`; sled 0.34 opened it as the newest snapshot and refused it as
    /// corrupt, every time. It is removed, and the records are all there.
    #[test]
    fn an_unfinished_snapshot_left_behind_does_not_stop_the_store_opening() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d");
        let store = Store::open(&path).unwrap();
        store.set_schema_version(SCHEMA_VERSION).unwrap();
        drop(store);
        let unfinished = path.join("db").join("snap.FFFFFFFFFFFFFFFF.generating");
        std::fs::write(&unfinished, b"").unwrap();
        let store = Store::open(&path).expect("the store opens");
        assert!(!unfinished.exists());
        assert_eq!(
            store.meta.get(SCHEMA_KEY).unwrap().as_deref(),
            Some(SCHEMA_VERSION.to_string().as_bytes())
        );
    }

    /// Held by this process's store (sled's lock), a snapshot being written is left alone.
    #[test]
    fn a_snapshot_being_written_by_the_holder_is_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d");
        let _held = Store::open(&path).unwrap();
        let writing = path.join("db").join("snap.FFFFFFFFFFFFFFFF.generating");
        std::fs::write(&writing, b"").unwrap();
        remove_unfinished_snapshots(&path).unwrap();
        assert!(writing.exists());
    }

    #[test]
    fn newer_schema_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d");
        Store::open(&path).unwrap().set_schema_version(99).unwrap();
        match Store::open(&path) {
            Err(Error::SchemaTooNew { found: 99, .. }) => {}
            other => panic!("expected SchemaTooNew, got {:?}", other.err()),
        }
    }
}
