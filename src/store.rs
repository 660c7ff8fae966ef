//! The embedded database (sled 0.34). Records are JSON values in one tree per kind; the
//! unique indexes (server names, destination names, (server, network) pairs) live in their
//! own trees and are written in the same transaction as the record they index.
//!
//! Every method is blocking (sled's `flush` waits for the disk): async callers go through
//! `tokio::task::spawn_blocking`.

use crate::domain::{Destination, Error, Intent, IntentStep, Resource, ResourceIntent, Server};
use serde::{Serialize, de::DeserializeOwned};
use sled::Transactional;
use sled::transaction::{ConflictableTransactionError, TransactionError, TransactionalTree};
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

fn network_key(server_uuid: &str, network: &str) -> Vec<u8> {
    format!("{server_uuid}/{network}").into_bytes()
}

fn from_tx(e: TransactionError<Error>) -> Error {
    match e {
        TransactionError::Abort(e) => e,
        TransactionError::Storage(e) => Error::Store(e.to_string()),
    }
}

fn storage(e: sled::Error) -> Error {
    Error::Store(e.to_string())
}

impl Store {
    /// Opens (creating it 0700 if needed) the data directory. A second process gets
    /// `Error::StoreLocked`; a directory from a newer schema gets `Error::SchemaTooNew`.
    pub fn open(dir: &Path) -> Result<Self, Error> {
        open_data_dir(dir)?;
        let db = sled::Config::new()
            .path(dir.join("db"))
            .open()
            .map_err(|e| {
                let text = e.to_string();
                if text.contains("could not acquire lock") || text.contains("WouldBlock") {
                    Error::StoreLocked(dir.display().to_string())
                } else {
                    Error::Store(format!("cannot open {}: {text}", dir.display()))
                }
            })?;
        let tree = |name: &str| db.open_tree(name).map_err(storage);
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

    fn check_schema(&self) -> Result<(), Error> {
        match self.meta.get(SCHEMA_KEY).map_err(storage)? {
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
                    .map_err(storage)?;
                self.flush()
            }
        }
    }

    /// Test hook and the way a newer destui would mark its layout.
    pub fn set_schema_version(&self, version: u32) -> Result<(), Error> {
        self.meta
            .insert(SCHEMA_KEY, version.to_string().as_bytes())
            .map_err(storage)?;
        self.flush()
    }

    fn flush(&self) -> Result<(), Error> {
        self.db.flush().map(|_| ()).map_err(storage)
    }

    fn all<T: DeserializeOwned>(tree: &sled::Tree) -> Result<Vec<T>, Error> {
        tree.iter()
            .values()
            .map(|v| v.map_err(storage).and_then(|v| decode(&v)))
            .collect()
    }

    fn get<T: DeserializeOwned>(tree: &sled::Tree, key: &str) -> Result<Option<T>, Error> {
        tree.get(key.as_bytes())
            .map_err(storage)?
            .map(|v| decode(&v))
            .transpose()
    }

    fn index_lookup(tree: &sled::Tree, key: &[u8]) -> Result<Option<String>, Error> {
        Ok(tree
            .get(key)
            .map_err(storage)?
            .map(|v| String::from_utf8_lossy(&v).into_owned()))
    }

    /// Whether `name` is the uuid of any record: a name may never equal one, or a lookup by
    /// that uuid would be shadowed (DESIGN.md §9).
    pub fn is_record_uuid(&self, name: &str) -> Result<bool, Error> {
        for tree in [&self.servers, &self.destinations, &self.resources] {
            if tree.contains_key(name.as_bytes()).map_err(storage)? {
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

    // ---------- servers ----------

    pub fn servers(&self) -> Result<Vec<Server>, Error> {
        let mut servers: Vec<Server> = Self::all(&self.servers)?;
        servers.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(servers)
    }

    pub fn server(&self, uuid: &str) -> Result<Option<Server>, Error> {
        Self::get(&self.servers, uuid)
    }

    /// A server by uuid or name.
    pub fn find_server(&self, reference: &str) -> Result<Server, Error> {
        if let Some(server) = self.server(reference)? {
            return Ok(server);
        }
        if let Some(uuid) = Self::index_lookup(&self.server_names, reference.as_bytes())?
            && let Some(server) = self.server(&uuid)?
        {
            return Ok(server);
        }
        Err(Error::ServerNotFound(reference.to_string()))
    }

    /// Inserts a new server or updates an existing one (same uuid), keeping the name index.
    pub fn save_server(&self, server: &Server) -> Result<(), Error> {
        self.check_name_is_not_uuid("server", &server.name)?;
        (&self.servers, &self.server_names)
            .transaction(|(servers, names)| {
                let old: Option<Server> = match servers.get(server.uuid.as_bytes())? {
                    Some(raw) => Some(decode(&raw).map_err(ConflictableTransactionError::Abort)?),
                    None => None,
                };
                if let Some(owner) = names.get(server.name.as_bytes())?
                    && owner.as_ref() != server.uuid.as_bytes()
                {
                    return abort(Error::ServerNameTaken(server.name.clone()));
                }
                if let Some(old) = old
                    && old.name != server.name
                {
                    names.remove(old.name.as_bytes())?;
                }
                names.insert(server.name.as_bytes(), server.uuid.as_bytes())?;
                servers.insert(server.uuid.as_bytes(), tx_encode(server)?)?;
                Ok(())
            })
            .map_err(from_tx)?;
        self.flush()
    }

    /// Removes a server and, for `server remove --force`, every record that hangs off it.
    pub fn remove_server_with_records(&self, uuid: &str) -> Result<(), Error> {
        let doomed = self.destinations_of(uuid)?;
        let doomed_resources: Vec<Resource> = self
            .resources()?
            .into_iter()
            .filter(|r| doomed.iter().any(|d| d.uuid == r.destination_uuid))
            .collect();
        (
            &self.servers,
            &self.server_names,
            &self.destinations,
            &self.destination_names,
            &self.server_networks,
            &self.resources,
        )
            .transaction(|(servers, names, dests, dest_names, nets, resources)| {
                if let Some(raw) = servers.remove(uuid.as_bytes())? {
                    let server: Server =
                        decode(&raw).map_err(ConflictableTransactionError::Abort)?;
                    names.remove(server.name.as_bytes())?;
                }
                for d in &doomed {
                    remove_destination_tx(dests, dest_names, nets, d)?;
                }
                for r in &doomed_resources {
                    resources.remove(r.uuid.as_bytes())?;
                }
                Ok(())
            })
            .map_err(from_tx)?;
        self.flush()
    }

    // ---------- destinations ----------

    pub fn destinations(&self) -> Result<Vec<Destination>, Error> {
        let mut all: Vec<Destination> = Self::all(&self.destinations)?;
        all.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(all)
    }

    pub fn destinations_of(&self, server_uuid: &str) -> Result<Vec<Destination>, Error> {
        Ok(self
            .destinations()?
            .into_iter()
            .filter(|d| d.server_uuid == server_uuid)
            .collect())
    }

    pub fn destination(&self, uuid: &str) -> Result<Option<Destination>, Error> {
        Self::get(&self.destinations, uuid)
    }

    pub fn destination_name_taken(&self, name: &str) -> Result<bool, Error> {
        self.destination_names
            .contains_key(name.as_bytes())
            .map_err(storage)
    }

    pub fn destination_by_network(
        &self,
        server_uuid: &str,
        network: &str,
    ) -> Result<Option<Destination>, Error> {
        match Self::index_lookup(&self.server_networks, &network_key(server_uuid, network))? {
            Some(uuid) => self.destination(&uuid),
            None => Ok(None),
        }
    }

    /// A destination by uuid, name, or `server/network` (server by name or uuid).
    pub fn find_destination(&self, reference: &str) -> Result<Destination, Error> {
        if let Some(d) = self.destination(reference)? {
            return Ok(d);
        }
        if let Some(uuid) = Self::index_lookup(&self.destination_names, reference.as_bytes())?
            && let Some(d) = self.destination(&uuid)?
        {
            return Ok(d);
        }
        if let Some((server, network)) = reference.split_once('/')
            && let Ok(server) = self.find_server(server)
            && let Some(d) = self.destination_by_network(&server.uuid, network)?
        {
            return Ok(d);
        }
        Err(Error::DestinationNotFound(reference.to_string()))
    }

    /// Refuses what `insert_destination` would refuse, before any remote work is done.
    pub fn check_destination_is_new(&self, d: &Destination) -> Result<(), Error> {
        if self
            .server_networks
            .contains_key(network_key(&d.server_uuid, &d.network))
            .map_err(storage)?
        {
            return Err(Error::NetworkAlreadyAdded);
        }
        if self.destination_name_taken(&d.name)? {
            return Err(Error::DestinationNameTaken(d.name.clone()));
        }
        self.check_name_is_not_uuid("destination", &d.name)
    }

    /// Saves a new destination with its indexes, and drops its intent, in one transaction.
    pub fn insert_destination(&self, d: &Destination) -> Result<(), Error> {
        self.check_name_is_not_uuid("destination", &d.name)?;
        (
            &self.destinations,
            &self.destination_names,
            &self.server_networks,
            &self.intents,
        )
            .transaction(|(dests, names, nets, intents)| {
                insert_destination_tx(dests, names, nets, d)?;
                intents.remove(d.uuid.as_bytes())?;
                Ok(())
            })
            .map_err(from_tx)?;
        self.flush()
    }

    /// Saves many new destinations in one transaction and one flush (import): all or none.
    pub fn insert_destinations(&self, batch: &[Destination]) -> Result<(), Error> {
        self.insert_destinations_with(batch, None)
    }

    /// Like `insert_destinations`, and with each record an intent of `step` (import saves
    /// its records before it attaches the proxy to them).
    pub fn insert_destinations_pending(
        &self,
        batch: &[Destination],
        step: IntentStep,
    ) -> Result<(), Error> {
        self.insert_destinations_with(batch, Some(step))
    }

    fn insert_destinations_with(
        &self,
        batch: &[Destination],
        step: Option<IntentStep>,
    ) -> Result<(), Error> {
        for d in batch {
            self.check_name_is_not_uuid("destination", &d.name)?;
        }
        (
            &self.destinations,
            &self.destination_names,
            &self.server_networks,
            &self.intents,
        )
            .transaction(|(dests, names, nets, intents)| {
                for d in batch {
                    insert_destination_tx(dests, names, nets, d)?;
                    if let Some(step) = step {
                        let intent = Intent {
                            destination: d.clone(),
                            step,
                        };
                        intents.insert(d.uuid.as_bytes(), tx_encode(&intent)?)?;
                    }
                }
                Ok(())
            })
            .map_err(from_tx)?;
        self.flush()
    }

    pub fn rename_destination(&self, uuid: &str, new_name: &str) -> Result<Destination, Error> {
        self.check_name_is_not_uuid("destination", new_name)?;
        let renamed = (&self.destinations, &self.destination_names)
            .transaction(|(dests, names)| {
                let Some(raw) = dests.get(uuid.as_bytes())? else {
                    return abort(Error::DestinationNotFound(uuid.to_string()));
                };
                let mut d: Destination =
                    decode(&raw).map_err(ConflictableTransactionError::Abort)?;
                if d.name == new_name {
                    return Ok(d);
                }
                if names.get(new_name.as_bytes())?.is_some() {
                    return abort(Error::DestinationNameTaken(new_name.to_string()));
                }
                names.remove(d.name.as_bytes())?;
                names.insert(new_name.as_bytes(), d.uuid.as_bytes())?;
                d.name = new_name.to_string();
                dests.insert(d.uuid.as_bytes(), tx_encode(&d)?)?;
                Ok(d)
            })
            .map_err(from_tx)?;
        self.flush()?;
        Ok(renamed)
    }

    /// Replaces the network ID of a destination (after `repair` recreated its network).
    pub fn update_destination_network_id(&self, uuid: &str, network_id: &str) -> Result<(), Error> {
        let Some(mut d) = self.destination(uuid)? else {
            return Err(Error::DestinationNotFound(uuid.to_string()));
        };
        d.network_id = network_id.to_string();
        self.destinations
            .insert(uuid.as_bytes(), encode(&d)?)
            .map_err(storage)?;
        self.flush()
    }

    /// Removes a destination and its indexes, and any intent of it, in one transaction.
    pub fn remove_destination(&self, d: &Destination) -> Result<(), Error> {
        (
            &self.destinations,
            &self.destination_names,
            &self.server_networks,
            &self.intents,
        )
            .transaction(|(dests, names, nets, intents)| {
                remove_destination_tx(dests, names, nets, d)?;
                intents.remove(d.uuid.as_bytes())?;
                Ok(())
            })
            .map_err(from_tx)?;
        self.flush()
    }

    // ---------- intents ----------

    pub fn put_intent(&self, intent: &Intent) -> Result<(), Error> {
        self.intents
            .insert(intent.destination.uuid.as_bytes(), encode(intent)?)
            .map_err(storage)?;
        self.flush()
    }

    pub fn intents(&self) -> Result<Vec<Intent>, Error> {
        Self::all(&self.intents)
    }

    pub fn drop_intent(&self, destination_uuid: &str) -> Result<(), Error> {
        self.drop_intents(&[destination_uuid.to_string()])
    }

    /// Drops many intents with one flush (the end of an import).
    pub fn drop_intents(&self, destination_uuids: &[String]) -> Result<(), Error> {
        let mut batch = sled::Batch::default();
        for uuid in destination_uuids {
            batch.remove(uuid.as_bytes());
        }
        self.intents.apply_batch(batch).map_err(storage)?;
        self.flush()
    }

    /// Whether a crash left any step to settle (destinations or resources).
    pub fn has_intents(&self) -> Result<bool, Error> {
        Ok(!self.intents.is_empty() || !self.resource_intents.is_empty())
    }

    pub fn put_resource_intent(&self, intent: &ResourceIntent) -> Result<(), Error> {
        self.resource_intents
            .insert(intent.resource.uuid.as_bytes(), encode(intent)?)
            .map_err(storage)?;
        self.flush()
    }

    pub fn resource_intents(&self) -> Result<Vec<ResourceIntent>, Error> {
        Self::all(&self.resource_intents)
    }

    pub fn drop_resource_intent(&self, resource_uuid: &str) -> Result<(), Error> {
        self.resource_intents
            .remove(resource_uuid.as_bytes())
            .map_err(storage)?;
        self.flush()
    }

    /// Saves a deployed resource's record and drops its intent in one transaction.
    pub fn save_deployed_resource(&self, r: &Resource) -> Result<(), Error> {
        let record = encode(r)?;
        (&self.resources, &self.resource_intents)
            .transaction(|(resources, intents)| {
                resources.insert(r.uuid.as_bytes(), record.clone())?;
                intents.remove(r.uuid.as_bytes())?;
                Ok(())
            })
            .map_err(from_tx)?;
        self.flush()
    }

    // ---------- resources ----------

    pub fn resources(&self) -> Result<Vec<Resource>, Error> {
        let mut all: Vec<Resource> = Self::all(&self.resources)?;
        all.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(all)
    }

    pub fn resources_on(&self, destination_uuid: &str) -> Result<Vec<Resource>, Error> {
        Ok(self
            .resources()?
            .into_iter()
            .filter(|r| r.destination_uuid == destination_uuid)
            .collect())
    }

    /// A resource by uuid or (exact) name.
    pub fn find_resource(&self, reference: &str) -> Result<Resource, Error> {
        self.resources()?
            .into_iter()
            .find(|r| r.uuid == reference || r.name == reference)
            .ok_or_else(|| Error::ResourceNotFound(reference.to_string()))
    }

    pub fn remove_resource(&self, uuid: &str) -> Result<(), Error> {
        self.resources.remove(uuid.as_bytes()).map_err(storage)?;
        self.flush()
    }
}

/// Refuses a taken (server, network) pair first (the spec's message), then a taken name.
fn insert_destination_tx(
    dests: &TransactionalTree,
    names: &TransactionalTree,
    nets: &TransactionalTree,
    d: &Destination,
) -> TxResult<()> {
    let key = network_key(&d.server_uuid, &d.network);
    if nets.get(key.as_slice())?.is_some() {
        return abort(Error::NetworkAlreadyAdded);
    }
    if names.get(d.name.as_bytes())?.is_some() {
        return abort(Error::DestinationNameTaken(d.name.clone()));
    }
    dests.insert(d.uuid.as_bytes(), tx_encode(d)?)?;
    names.insert(d.name.as_bytes(), d.uuid.as_bytes())?;
    nets.insert(key, d.uuid.as_bytes())?;
    Ok(())
}

fn remove_destination_tx(
    dests: &TransactionalTree,
    names: &TransactionalTree,
    nets: &TransactionalTree,
    d: &Destination,
) -> TxResult<()> {
    dests.remove(d.uuid.as_bytes())?;
    // Only drop index entries that still point at this record.
    if names.get(d.name.as_bytes())?.as_deref() == Some(d.uuid.as_bytes()) {
        names.remove(d.name.as_bytes())?;
    }
    let key = network_key(&d.server_uuid, &d.network);
    if nets.get(key.as_slice())?.as_deref() == Some(d.uuid.as_bytes()) {
        nets.remove(key)?;
    }
    Ok(())
}

/// Creates the data directory 0700, or checks an existing one: it must be ours and writable by
/// no one else (anyone who can write there can change where destui connects and what it
/// deletes). One that is ours is made private, with its files (0700 / 0600).
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
fn make_private(dir: &Path) -> Result<(), Error> {
    use std::os::unix::fs::PermissionsExt;
    let chmod = |path: &Path, mode: u32| {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
            .map_err(|e| Error::Io(format!("cannot make {} private: {e}", path.display())))
    };
    chmod(dir, 0o700)?;
    let entries = std::fs::read_dir(dir)
        .map_err(|e| Error::Io(format!("cannot read {}: {e}", dir.display())))?;
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
    use crate::domain::{DestinationType, new_uuid};

    fn dest(server: &str, name: &str, network: &str) -> Destination {
        Destination {
            uuid: new_uuid(),
            name: name.into(),
            network: network.into(),
            network_id: "0".repeat(64),
            server_uuid: server.into(),
            kind: DestinationType::Standalone,
            created_at: 0,
        }
    }

    #[test]
    fn unique_name_and_network_per_server() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("d")).unwrap();
        store.insert_destination(&dest("s1", "a", "net")).unwrap();
        assert_eq!(
            store.insert_destination(&dest("s1", "b", "net")),
            Err(Error::NetworkAlreadyAdded)
        );
        assert_eq!(
            store.insert_destination(&dest("s2", "a", "net")),
            Err(Error::DestinationNameTaken("a".into()))
        );
        store.insert_destination(&dest("s2", "b", "net")).unwrap();
        assert_eq!(store.destinations().unwrap().len(), 2);
    }

    #[test]
    fn rename_moves_the_index_and_remove_clears_it() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("d")).unwrap();
        let d = dest("s1", "a", "net");
        store.insert_destination(&d).unwrap();
        let renamed = store.rename_destination(&d.uuid, "b").unwrap();
        assert!(!store.destination_name_taken("a").unwrap());
        assert_eq!(store.find_destination("b").unwrap().uuid, d.uuid);
        store.remove_destination(&renamed).unwrap();
        assert!(store.destinations().unwrap().is_empty());
        store.insert_destination(&dest("s1", "a", "net")).unwrap();
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

    #[test]
    fn a_deployed_resource_replaces_its_intent() {
        use crate::domain::{Resource, ResourceIntent, ResourceKind};
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("d")).unwrap();
        assert!(!store.has_intents().unwrap());
        let resource = Resource {
            uuid: new_uuid(),
            name: "shop".into(),
            kind: ResourceKind::Application,
            image: "nginx".into(),
            command: None,
            destination_uuid: new_uuid(),
            connect_predefined: false,
        };
        let intent = ResourceIntent {
            resource: resource.clone(),
            server_uuid: "s1".into(),
        };
        store.put_resource_intent(&intent).unwrap();
        assert!(store.has_intents().unwrap());
        assert_eq!(store.resource_intents().unwrap(), vec![intent]);
        assert!(
            store.resources().unwrap().is_empty(),
            "no record before the deploy"
        );
        store.save_deployed_resource(&resource).unwrap();
        assert_eq!(store.resources().unwrap(), vec![resource]);
        assert!(!store.has_intents().unwrap());
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
