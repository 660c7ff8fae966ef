//! The use cases of DESIGN.md §1, shared by the CLI and the TUI. Nothing here writes to the
//! terminal: every outcome is returned as data (with typed warnings) or as a typed error.

use crate::domain::{
    self, Destination, DestinationId, DestinationType, Error, Hint, Intent, IntentStep,
    LABEL_DESTINATION, ResourceIntent, ResourceStatus, SYSTEM_NETWORKS, Server, ServerId,
    ServerMode, Warning,
};
use crate::remote::docker::{
    DockerApi, DockerError, ListedContainer, NetworkInfo, NetworkSpec, destination_labels,
};
use crate::remote::{self, Connection, RemoteConfig, docker_error};
use crate::store::Store;
use servers::writable;

mod addresses;
mod adopt;
mod delete;
mod dependants;
mod destinations;
mod health;
mod held_store;
mod import;
mod lost;
mod plan;
mod pool;
pub mod progress;
mod reconcile;
mod resources;
mod server_import;
mod servers;
mod swarm;
mod usage;
mod views;
mod watch;

pub use addresses::AddressRow;
pub use adopt::{Adopted, MissingRecord, SyncReport, SyncSkipped};
pub use dependants::{DeleteReport, Dependant};
use futures::{StreamExt, stream};
pub use plan::{Plan, SyncPreview};
pub use resources::{NewResource, ResourceView};
use serde::Serialize;
pub use server_import::{ServerImport, ServerSource, SkippedServer, UnreachableServer};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};
pub use swarm::{NodeContainer, OtherNodes};
use tokio::sync::Mutex;
pub use usage::{ContainerUsage, DestinationUsage};
pub use views::*;
pub use watch::{Change, StreamState, WatchOptions};

/// Inspects kept in flight at once during a scan: enough to hide the link's latency, few
/// enough not to crowd a small daemon.
const SCAN_CONCURRENCY: usize = 16;

/// Crash-consistency tests set `DESTUI_FAILPOINT` to stop the process dead at one step,
/// exactly as `kill -9` would (no destructors, no flush).
pub fn failpoint(name: &str) {
    if std::env::var("DESTUI_FAILPOINT").is_ok_and(|v| v == name) {
        std::process::abort();
    }
}

/// One live connection per server, shared by every use case in this process.
type Slot = Arc<Mutex<Option<Connection>>>;

#[derive(Clone)]
pub struct Ops {
    store: held_store::HeldStore,
    remote: RemoteConfig,
    connections: Arc<std::sync::Mutex<HashMap<String, Slot>>>,
    /// Each server's last successful live check in this process, for actions to reuse a while.
    checked: Arc<std::sync::Mutex<HashMap<ServerId, (Instant, Server)>>>,
    /// Servers whose reused socket broke under a request and were connected again, with
    /// proof: the read that met it runs once more (`read_again`).
    revived: Arc<std::sync::Mutex<HashSet<ServerId>>>,
    /// What a watch does unless told otherwise (`[watch]` in the config).
    watch: WatchOptions,
    /// The other nodes of each swarm manager, read once for a burst of checks (`swarm.rs`).
    swarm_peers: swarm::PeersCache,
    /// Where `--subnet auto` and a create on a daemon out of pools take a /24 from.
    fallback_pool: Option<ipnet::Ipv4Net>,
    /// A dry run's ops (`dry_run`): what a live check finds is not recorded.
    dry_run: bool,
}

/// How long an action trusts the last live check of its server (mode, version), this
/// process's or another's (`pool.rs`): `info` is a round trip, and it costs the daemon ~8 ms.
const CHECK_REUSE: Duration = Duration::from_secs(30);

/// How long a connection handed out moments ago counts as alive without asking its master.
const ALIVE_FOR: Duration = Duration::from_secs(1);

#[derive(Debug, Clone, PartialEq)]
pub struct Outcome<T> {
    pub value: T,
    pub warnings: Vec<Warning>,
}

impl<T> Outcome<T> {
    fn new(value: T) -> Self {
        Outcome {
            value,
            warnings: Vec::new(),
        }
    }
}

impl Ops {
    pub fn new(store: Store, remote: RemoteConfig) -> Self {
        Ops {
            store: held_store::HeldStore::new(store),
            remote,
            connections: Arc::default(),
            checked: Arc::default(),
            revived: Arc::default(),
            watch: WatchOptions::default(),
            swarm_peers: Arc::default(),
            fallback_pool: None,
            dry_run: false,
        }
    }

    /// The same, for a `--dry-run` (DESIGN.md §16): it writes nothing to the data directory.
    /// Its live checks still run (a dry run refuses what the real run refuses, an offline
    /// server included) but what they find is not recorded: a never-checked server stays
    /// never checked, a known one keeps its last check.
    pub fn dry_run(&self) -> Ops {
        Ops {
            dry_run: true,
            ..self.clone()
        }
    }

    /// The same, with `[network] fallback_pool` (DESIGN.md §14).
    pub fn with_fallback_pool(mut self, pool: Option<ipnet::Ipv4Net>) -> Self {
        self.fallback_pool = pool;
        self
    }

    /// The same, with the config's watch settings.
    pub fn with_watch_defaults(mut self, watch: WatchOptions) -> Self {
        self.watch = watch;
        self
    }

    pub fn watch_defaults(&self) -> WatchOptions {
        self.watch
    }

    /// Whether a change was interrupted (its intent is still recorded).
    pub async fn has_intents(&self) -> Result<bool, Error> {
        self.db(|s| s.has_intents()).await
    }

    /// Runs a store call off the async threads (sled flushes block).
    async fn db<T, F>(&self, f: F) -> Result<T, Error>
    where
        T: Send + 'static,
        F: FnOnce(&Store) -> Result<T, Error> + Send + 'static,
    {
        let store = self.store.get().await?;
        let result = tokio::task::spawn_blocking(move || f(&store))
            .await
            .map_err(|e| Error::Io(format!("store task failed: {e}")))?;
        if let Err(e) = &result {
            self.store.failed(e).await;
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_formats_unix_seconds() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
    }
}
