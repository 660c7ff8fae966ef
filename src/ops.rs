//! The use cases of DESIGN.md §1, shared by the CLI and the TUI. Nothing here writes to the
//! terminal: every outcome is returned as data (with warnings as strings) or as a typed error.

use crate::domain::{
    self, Destination, DestinationType, Error, Intent, IntentStep, LABEL_DESTINATION,
    ResourceIntent, SYSTEM_NETWORKS, Server, ServerMode,
};
use crate::remote::docker::{
    DockerApi, DockerError, ListedContainer, NetworkInfo, NetworkSpec, destination_labels,
};
use crate::remote::{self, Connection, RemoteConfig, docker_error};
use crate::store::Store;

mod resources;
use futures::{StreamExt, stream};
pub use resources::{NewResource, ResourceView};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

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
    store: Store,
    remote: RemoteConfig,
    connections: Arc<std::sync::Mutex<HashMap<String, Slot>>>,
    /// Each server's last successful live check in this process, for actions to reuse a while.
    checked: Arc<std::sync::Mutex<HashMap<String, (Instant, Server)>>>,
    /// Servers whose reused socket broke under a request and were connected again, with
    /// proof: the read that met it runs once more (`read_again`).
    revived: Arc<std::sync::Mutex<HashSet<String>>>,
}

/// How long an action trusts this process's last live check of its server (mode, version):
/// `info` costs the daemon ~8 ms, a third of the overhead of a create over the bare calls.
/// The connection itself is still proven by a ping on every action.
const CHECK_REUSE: Duration = Duration::from_secs(30);

/// How long a connection handed out moments ago counts as alive without asking its master.
const ALIVE_FOR: Duration = Duration::from_secs(1);

// ---------- inputs ----------

#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewServer {
    pub name: String,
    pub host: Option<String>,
    pub port: Option<u16>,
    pub user: Option<String>,
    pub identity: Option<String>,
    pub docker_socket: Option<String>,
    pub proxy_container: Option<String>,
    pub build_server: bool,
    pub local: bool,
    pub check: bool,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ServerEdit {
    pub name: Option<String>,
    pub host: Option<String>,
    pub port: Option<u16>,
    pub user: Option<String>,
    pub identity: Option<String>,
    pub docker_socket: Option<String>,
    pub proxy_container: Option<String>,
    pub build_server: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewDestination {
    pub server: String,
    pub name: Option<String>,
    pub network: Option<String>,
    pub subnet: Option<String>,
    pub internal: bool,
}

// ---------- outputs (their field names are the JSON keys of DESIGN.md §2) ----------

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ServerView {
    pub uuid: String,
    pub name: String,
    pub host: String,
    pub port: Option<u16>,
    pub user: Option<String>,
    pub docker_socket: String,
    pub local: bool,
    pub build_server: bool,
    pub proxy_container: String,
    pub mode: ServerMode,
    pub online: bool,
    pub last_error: Option<String>,
    pub docker_version: Option<String>,
    pub checked_at: Option<String>,
}

impl From<&Server> for ServerView {
    fn from(s: &Server) -> Self {
        ServerView {
            uuid: s.uuid.clone(),
            name: s.name.clone(),
            host: s.host.clone(),
            // None: ssh decides (the ssh config's Port, else 22); a guess here could be wrong.
            port: if s.local { None } else { s.port },
            user: s.user.clone(),
            docker_socket: s.docker_socket.clone(),
            local: s.local,
            build_server: s.build_server,
            proxy_container: s.proxy_container.clone(),
            mode: s.mode,
            online: s.online,
            last_error: s.last_error.clone(),
            docker_version: s.docker_version.clone(),
            checked_at: s.checked_at.map(rfc3339),
        }
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DestinationView {
    pub uuid: String,
    pub name: String,
    pub network: String,
    pub network_id: String,
    #[serde(rename = "type")]
    pub kind: DestinationType,
    pub server: String,
    pub server_uuid: String,
    pub server_ip: String,
    pub created_at: String,
}

impl DestinationView {
    pub fn new(d: &Destination, server: Option<&Server>) -> Self {
        DestinationView {
            uuid: d.uuid.clone(),
            name: d.name.clone(),
            network: d.network.clone(),
            network_id: d.network_id.clone(),
            kind: d.kind,
            server: server.map(|s| s.name.clone()).unwrap_or_default(),
            server_uuid: d.server_uuid.clone(),
            server_ip: server.map(|s| s.host.clone()).unwrap_or_default(),
            created_at: rfc3339(d.created_at),
        }
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ContainerRef {
    pub name: String,
    pub id: String,
    /// `running`, `exited`, `created`…: a stopped container still counts as attached.
    pub state: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DestinationDetails {
    #[serde(flatten)]
    pub destination: DestinationView,
    pub driver: Option<String>,
    pub scope: Option<String>,
    pub attachable: Option<bool>,
    pub internal: Option<bool>,
    pub subnet: Option<String>,
    pub gateway: Option<String>,
    pub labels: HashMap<String, String>,
    pub containers: Vec<ContainerRef>,
    pub proxy_connected: Option<bool>,
    pub resources: Vec<String>,
    pub status: HealthStatus,
    pub detail: Option<String>,
}

#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum HealthStatus {
    Ok,
    Missing,
    ProxyDetached,
    Unknown,
}

impl HealthStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            HealthStatus::Ok => "ok",
            HealthStatus::Missing => "missing",
            HealthStatus::ProxyDetached => "proxy-detached",
            HealthStatus::Unknown => "unknown",
        }
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CheckRow {
    pub destination: String,
    pub status: HealthStatus,
    pub detail: Option<String>,
    /// The network is there with nothing but the proxy attached and no resource assigned:
    /// left behind, a candidate for a (bulk) delete.
    pub unused: bool,
}

/// A live check shared with the other destui processes of this user for `CHECK_REUSE`:
/// `<runtime dir>/<server uuid>.check` (the runtime directory is private to the user).
#[derive(Debug, Serialize, serde::Deserialize)]
struct SharedCheck {
    /// The connection key it was made over: an edited server never reuses it.
    key: String,
    local: bool,
    mode: ServerMode,
    docker_version: Option<String>,
    /// Unix seconds.
    at: i64,
}

impl SharedCheck {
    fn fresh(&self) -> bool {
        let age = domain::now_unix() - self.at;
        (0..CHECK_REUSE.as_secs() as i64).contains(&age)
    }

    fn read(file: &std::path::Path) -> Option<Self> {
        serde_json::from_slice(&std::fs::read(file).ok()?).ok()
    }

    fn write(&self, runtime_dir: &std::path::Path, file: &std::path::Path) {
        if crate::store::create_private_dir(runtime_dir).is_ok()
            && let Ok(text) = serde_json::to_vec(self)
        {
            let _ = std::fs::write(file, text);
        }
    }
}

/// What a crash left to settle on one server.
#[derive(Default)]
struct ServerIntents {
    destinations: Vec<Intent>,
    deploys: Vec<ResourceIntent>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ScanRow {
    pub network: String,
    pub id: String,
    pub driver: String,
    pub scope: String,
    pub containers: Vec<String>,
    pub importable: bool,
    pub reason: Option<String>,
    pub unused: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Outcome<T> {
    pub value: T,
    pub warnings: Vec<String>,
}

impl<T> Outcome<T> {
    fn new(value: T) -> Self {
        Outcome {
            value,
            warnings: Vec::new(),
        }
    }
}

/// What `server trust` shows before it records anything.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct HostKeys {
    pub server: String,
    pub host_entry: String,
    pub known_hosts_file: String,
    pub fingerprints: Vec<String>,
    #[serde(skip)]
    pub lines: Vec<String>,
}

/// `YYYY-MM-DDTHH:MM:SSZ` from unix seconds (civil-from-days, no calendar crate needed).
pub fn rfc3339(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

impl Ops {
    pub fn new(store: Store, remote: RemoteConfig) -> Self {
        Ops {
            store,
            remote,
            connections: Arc::default(),
            checked: Arc::default(),
            revived: Arc::default(),
        }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Runs a store call off the async threads (sled flushes block).
    async fn db<T, F>(&self, f: F) -> Result<T, Error>
    where
        T: Send + 'static,
        F: FnOnce(&Store) -> Result<T, Error> + Send + 'static,
    {
        let store = self.store.clone();
        tokio::task::spawn_blocking(move || f(&store))
            .await
            .map_err(|e| Error::Io(format!("store task failed: {e}")))?
    }

    // ---------- connections ----------

    fn slot(&self, server_uuid: &str) -> Slot {
        let mut map = self
            .connections
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        map.entry(server_uuid.to_string()).or_default().clone()
    }

    /// The Docker client of a server, connecting (or reusing a tunnel) when needed.
    pub async fn docker(&self, server: &Server) -> Result<DockerApi, Error> {
        let slot = self.slot(&server.uuid);
        let mut guard = slot.lock().await;
        if let Some(conn) = guard.as_mut() {
            // No ping (a round trip): whether its master still lives is asked locally — and
            // not again within a second of the last use (a command's calls follow each other
            // closely). A request that meets a broken socket reconnects (see `fail`).
            if conn.used.elapsed() < ALIVE_FOR || conn.alive().await {
                conn.used = Instant::now();
                return Ok(conn.docker.clone());
            }
            if let Some(dead) = guard.take() {
                dead.close().await;
            }
        }
        let conn = remote::connect(server, &self.remote).await?;
        let api = conn.docker.clone();
        *guard = Some(conn);
        Ok(api)
    }

    /// Forget a connection that failed mid-use, so the next call reconnects.
    async fn drop_connection(&self, server_uuid: &str) {
        let slot = self.slot(server_uuid);
        if let Some(conn) = slot.lock().await.take() {
            conn.close().await;
        }
    }

    /// Takes every open connection out of the pool.
    async fn take_connections(&self) -> Vec<Connection> {
        let slots: Vec<Slot> = self
            .connections
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .drain()
            .map(|(_, s)| s)
            .collect();
        let mut taken = Vec::new();
        for slot in slots {
            taken.extend(slot.lock().await.take());
        }
        taken
    }

    /// Leave every master running for the next CLI process.
    pub async fn detach_all(&self) {
        for conn in self.take_connections().await {
            conn.detach();
        }
    }

    /// End every master (TUI exit), all at once: hundreds of servers cost one round of
    /// local control requests, not one after the other.
    pub async fn close_all(&self) {
        let closing = self
            .take_connections()
            .await
            .into_iter()
            .map(Connection::close);
        futures::future::join_all(closing).await;
    }

    /// Maps a Docker error of `server`; a broken transport also drops the connection. A
    /// request that met a broken socket (its connection was reused without a ping) connects
    /// again with proof: that says what is wrong (a stopped daemon, a refused forward…), or
    /// leaves a working connection for the next action.
    async fn fail(&self, server: &Server, e: DockerError) -> Error {
        let broken = matches!(e, DockerError::Transport(_) | DockerError::Stalled(_));
        if broken {
            self.drop_connection(&server.uuid).await;
        }
        if broken || matches!(e, DockerError::NotSwarmManager(_)) {
            self.forget_check(&server.uuid);
        }
        if matches!(e, DockerError::Transport(_)) && !server.local {
            let slot = self.slot(&server.uuid);
            let mut guard = slot.lock().await;
            // (Another action may have connected meanwhile: its connection is kept.)
            if guard.is_none() {
                match remote::connect_proven(server, &self.remote).await {
                    Ok(conn) => {
                        *guard = Some(conn);
                        self.revived
                            .lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .insert(server.uuid.clone());
                    }
                    Err(diagnosed) => return diagnosed,
                }
            }
        }
        docker_error(server, e)
    }

    /// Runs the read `attempt`; when it met a reused socket that had broken and `fail` made
    /// a proven connection in its place, runs it once more (a read can be asked again; a
    /// write is never retried this way).
    async fn read_again<T, F, Fut>(&self, server: &Server, attempt: F) -> Result<T, Error>
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = Result<T, Error>>,
    {
        let first = attempt().await;
        let revived = self
            .revived
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&server.uuid);
        match first {
            Err(e) if e.is_unreachable() && revived => attempt().await,
            other => other,
        }
    }

    // ---------- servers ----------

    pub async fn servers(&self) -> Result<Vec<Server>, Error> {
        self.db(|s| s.servers()).await
    }

    pub async fn server(&self, reference: &str) -> Result<Server, Error> {
        let reference = reference.to_string();
        self.db(move |s| s.find_server(&reference)).await
    }

    pub async fn add_server(&self, input: NewServer) -> Result<Outcome<Server>, Error> {
        domain::validate_display_name("server", &input.name)?;
        let host = match (&input.host, input.local) {
            (Some(h), _) => h.clone(),
            (None, true) => "local".to_string(),
            (None, false) => {
                return Err(Error::Invalid(
                    "give --host HOST (or --local for this machine's Docker socket)".into(),
                ));
            }
        };
        let server = Server {
            uuid: domain::new_uuid(),
            name: input.name.clone(),
            host,
            port: input.port,
            user: input.user.clone(),
            identity: input.identity.clone(),
            docker_socket: input
                .docker_socket
                .clone()
                .unwrap_or_else(|| domain::DEFAULT_DOCKER_SOCKET.to_string()),
            local: input.local,
            build_server: input.build_server,
            proxy_container: input
                .proxy_container
                .clone()
                .unwrap_or_else(|| domain::DEFAULT_PROXY_CONTAINER.to_string()),
            mode: ServerMode::Unknown,
            online: false,
            last_error: None,
            checked_at: None,
            docker_version: None,
        };
        validate_server(&server)?;
        let name = server.name.clone();
        let taken = self
            .db(move |s| {
                s.check_name_is_not_uuid("server", &name)?;
                Ok(s.find_server(&name).is_ok())
            })
            .await?;
        if taken {
            return Err(Error::ServerNameTaken(server.name));
        }
        let mut outcome = Outcome::new(server);
        if input.check {
            match self.probe(&outcome.value).await {
                Ok(checked) => {
                    self.remember_check(&checked);
                    outcome.value = checked;
                }
                Err(e) => {
                    return Err(Error::Invalid(format!(
                        "{e}. Nothing was saved: fix the server's settings, or add it with --no-check and check it later."
                    )));
                }
            }
        } else {
            outcome.warnings.push(format!(
                "{} was not checked: run `destui server check {}`",
                outcome.value.name, outcome.value.name
            ));
        }
        let saved = outcome.value.clone();
        self.db(move |s| s.save_server(&saved)).await?;
        Ok(outcome)
    }

    pub async fn edit_server(&self, reference: &str, edit: ServerEdit) -> Result<Server, Error> {
        let mut server = self.server(reference).await?;
        if let Some(name) = edit.name {
            domain::validate_display_name("server", &name)?;
            server.name = name;
        }
        if let Some(host) = edit.host {
            server.host = host;
        }
        if edit.port.is_some() {
            server.port = edit.port;
        }
        if edit.user.is_some() {
            server.user = edit.user;
        }
        if edit.identity.is_some() {
            server.identity = edit.identity;
        }
        if let Some(socket) = edit.docker_socket {
            server.docker_socket = socket;
        }
        if let Some(proxy) = edit.proxy_container {
            server.proxy_container = proxy;
        }
        if let Some(build) = edit.build_server {
            server.build_server = build;
        }
        validate_server(&server)?;
        self.drop_connection(&server.uuid).await;
        let saved = server.clone();
        self.db(move |s| s.save_server(&saved)).await?;
        Ok(server)
    }

    /// Connects and reads the daemon's info; returns the server with the live state.
    async fn probe(&self, server: &Server) -> Result<Server, Error> {
        let info = self
            .read_again(server, || async {
                let docker = self.docker(server).await?;
                match docker.info().await {
                    Ok(info) => Ok(info),
                    Err(e) => Err(self.fail(server, e).await),
                }
            })
            .await?;
        let mut checked = server.clone();
        checked.mode = info.mode;
        checked.docker_version = Some(info.version);
        checked.online = true;
        checked.last_error = None;
        checked.checked_at = Some(domain::now_unix());
        Ok(checked)
    }

    /// Live check of one server; the record is updated either way. Returns the fresh record
    /// and the error when it is offline.
    pub async fn check_server(&self, server: &Server) -> Result<(Server, Option<Error>), Error> {
        let (fresh, err) = match self.probe(server).await {
            Ok(s) => (s, None),
            Err(e) => {
                let mut s = server.clone();
                s.online = false;
                s.last_error = Some(e.to_string());
                s.checked_at = Some(domain::now_unix());
                (s, Some(e))
            }
        };
        self.remember_check(&fresh);
        let uuid = fresh.uuid.clone();
        let update = fresh.clone();
        // Re-read inside the write so a rename made meanwhile is not undone. A check that
        // changes nothing but the time is not written again within a minute: every action
        // checks its server live, and a flush per action is measurable (issue 6).
        self.db(move |s| {
            if let Some(mut current) = s.server(&uuid)? {
                let unchanged = current.mode == update.mode
                    && current.online == update.online
                    && current.last_error == update.last_error
                    && current.docker_version == update.docker_version;
                let recent = match (current.checked_at, update.checked_at) {
                    (Some(before), Some(now)) => now - before < 60,
                    _ => false,
                };
                if unchanged && recent {
                    return Ok(());
                }
                current.mode = update.mode;
                current.online = update.online;
                current.last_error = update.last_error.clone();
                current.checked_at = update.checked_at;
                current.docker_version = update.docker_version.clone();
                s.save_server(&current)?;
            }
            Ok(())
        })
        .await?;
        Ok((fresh, err))
    }

    /// The server, checked live (or within the last `CHECK_REUSE` by this process, for the
    /// same target); its Docker client; refuses when it is offline.
    async fn online(&self, server: &Server) -> Result<(Server, DockerApi), Error> {
        if let Some(fresh) = self.recent_check(server) {
            let docker = self.docker(&fresh).await?;
            return Ok((fresh, docker));
        }
        let (fresh, err) = self.check_server(server).await?;
        if let Some(e) = err {
            return Err(e);
        }
        let docker = self.docker(&fresh).await?;
        Ok((fresh, docker))
    }

    /// The last live check of `server` within `CHECK_REUSE`, for the same target: this
    /// process's, else one another destui process shared in the runtime directory (a command
    /// right after another pays no `info`).
    fn recent_check(&self, server: &Server) -> Option<Server> {
        let key = remote::ssh::connection_key(server, &self.remote);
        let (mode, docker_version) = self.recent_in_process(server, &key).or_else(|| {
            if server.local {
                return None;
            }
            SharedCheck::read(&self.check_file(&server.uuid))
                .filter(|c| c.key == key && c.local == server.local && c.fresh())
                .map(|c| (c.mode, c.docker_version))
        })?;
        let mut current = server.clone();
        current.mode = mode;
        current.docker_version = docker_version;
        current.online = true;
        current.last_error = None;
        Some(current)
    }

    fn recent_in_process(
        &self,
        server: &Server,
        key: &str,
    ) -> Option<(ServerMode, Option<String>)> {
        let checked = self.checked.lock().unwrap_or_else(|p| p.into_inner());
        let (at, fresh) = checked.get(&server.uuid)?;
        let same_target =
            remote::ssh::connection_key(fresh, &self.remote) == key && fresh.local == server.local;
        (same_target && at.elapsed() < CHECK_REUSE)
            .then(|| (fresh.mode, fresh.docker_version.clone()))
    }

    fn check_file(&self, server_uuid: &str) -> std::path::PathBuf {
        self.remote.runtime_dir.join(format!("{server_uuid}.check"))
    }

    /// The next action checks `server_uuid` live again (its mode may have changed).
    fn forget_check(&self, server_uuid: &str) {
        let mut checked = self.checked.lock().unwrap_or_else(|p| p.into_inner());
        checked.remove(server_uuid);
        let _ = std::fs::remove_file(self.check_file(server_uuid));
    }

    fn remember_check(&self, fresh: &Server) {
        let mut checked = self.checked.lock().unwrap_or_else(|p| p.into_inner());
        if fresh.online {
            checked.insert(fresh.uuid.clone(), (Instant::now(), fresh.clone()));
            // Shared for the round trips it saves: a local socket's check costs none, and
            // nothing of a local server goes to the runtime directory.
            if fresh.local {
                return;
            }
            let shared = SharedCheck {
                key: remote::ssh::connection_key(fresh, &self.remote),
                local: fresh.local,
                mode: fresh.mode,
                docker_version: fresh.docker_version.clone(),
                at: domain::now_unix(),
            };
            shared.write(&self.remote.runtime_dir, &self.check_file(&fresh.uuid));
        } else {
            checked.remove(&fresh.uuid);
            let _ = std::fs::remove_file(self.check_file(&fresh.uuid));
        }
    }

    pub async fn remove_server(
        &self,
        reference: &str,
        force: bool,
    ) -> Result<Outcome<Server>, Error> {
        let server = self.server(reference).await?;
        let uuid = server.uuid.clone();
        let destinations = self.db(move |s| s.destinations_of(&uuid)).await?;
        let mut outcome = Outcome::new(server.clone());
        if !destinations.is_empty() {
            if !force {
                return Err(Error::ServerHasDestinations {
                    server: server.name.clone(),
                    count: destinations.len(),
                });
            }
            let networks: Vec<&str> = destinations.iter().map(|d| d.network.as_str()).collect();
            outcome.warnings.push(format!(
                "forgot {} destination(s) of {}; their networks ({}) and any containers may remain on the host",
                destinations.len(),
                server.name,
                networks.join(", ")
            ));
        }
        self.drop_connection(&server.uuid).await;
        let uuid = server.uuid.clone();
        self.db(move |s| s.remove_server_with_records(&uuid))
            .await?;
        Ok(outcome)
    }

    /// The host keys the server offers now, and where ssh keeps known keys for it.
    pub async fn host_keys(&self, reference: &str) -> Result<HostKeys, Error> {
        let server = self.server(reference).await?;
        if server.local {
            return Err(Error::Invalid(format!(
                "{} uses the local Docker socket: there is no host key to trust",
                server.name
            )));
        }
        let opts = remote::ssh::resolved_options(&server, &self.remote).await?;
        let hostname = opts.get("hostname").cloned().unwrap_or(server.host.clone());
        let port: u16 = opts.get("port").and_then(|p| p.parse().ok()).unwrap_or(22);
        let alias = opts
            .get("hostkeyalias")
            .cloned()
            .unwrap_or(hostname.clone());
        let host_entry = if port == 22 {
            alias
        } else {
            format!("[{alias}]:{port}")
        };
        let known_hosts_file = opts
            .get("userknownhostsfile")
            .and_then(|v| v.split_whitespace().next())
            .map(expand_tilde)
            .unwrap_or_else(|| expand_tilde("~/.ssh/known_hosts"));
        let scan = tokio::process::Command::new("ssh-keyscan")
            .args(["-T", "10", "-p", &port.to_string(), "--", &hostname])
            .output()
            .await
            .map_err(|e| Error::Io(format!("cannot run ssh-keyscan: {e}")))?;
        let lines: Vec<String> = String::from_utf8_lossy(&scan.stdout)
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .filter_map(|l| {
                l.split_once(' ')
                    .map(|(_, key)| format!("{host_entry} {key}"))
            })
            .collect();
        if lines.is_empty() {
            return Err(Error::Unreachable {
                server: server.name.clone(),
                detail: format!("no host key could be read from {hostname}:{port}"),
            });
        }
        let mut fingerprints = Vec::new();
        for line in &lines {
            let mut child = tokio::process::Command::new("ssh-keygen")
                .args(["-l", "-f", "-"])
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .spawn()
                .map_err(|e| Error::Io(format!("cannot run ssh-keygen: {e}")))?;
            if let Some(mut stdin) = child.stdin.take() {
                use tokio::io::AsyncWriteExt;
                let _ = stdin.write_all(line.as_bytes()).await;
            }
            let out = child
                .wait_with_output()
                .await
                .map_err(|e| Error::Io(e.to_string()))?;
            fingerprints.push(String::from_utf8_lossy(&out.stdout).trim().to_string());
        }
        Ok(HostKeys {
            server: server.name,
            host_entry,
            known_hosts_file,
            fingerprints,
            lines,
        })
    }

    /// Records the keys shown by `host_keys`, replacing older keys of the same host.
    pub async fn trust(&self, keys: HostKeys) -> Result<(), Error> {
        let file = keys.known_hosts_file.clone();
        if let Some(parent) = std::path::Path::new(&file).parent() {
            crate::store::create_private_dir(parent)?;
        }
        let _ = tokio::process::Command::new("ssh-keygen")
            .args(["-R", &keys.host_entry, "-f", &file])
            .output()
            .await;
        let mut text = std::fs::read_to_string(&file).unwrap_or_default();
        if !text.is_empty() && !text.ends_with('\n') {
            text.push('\n');
        }
        for line in &keys.lines {
            text.push_str(line);
            text.push('\n');
        }
        std::fs::write(&file, text).map_err(|e| Error::Io(format!("cannot write {file}: {e}")))?;
        Ok(())
    }

    // ---------- destinations ----------

    pub async fn destinations(&self, server: Option<&str>) -> Result<Vec<DestinationView>, Error> {
        let server = server.map(str::to_string);
        self.db(move |s| {
            let servers: HashMap<String, Server> = s
                .servers()?
                .into_iter()
                .map(|x| (x.uuid.clone(), x))
                .collect();
            let list = match server {
                Some(reference) => s.destinations_of(&s.find_server(&reference)?.uuid)?,
                None => s.destinations()?,
            };
            Ok(list
                .iter()
                .map(|d| DestinationView::new(d, servers.get(&d.server_uuid)))
                .collect())
        })
        .await
    }

    pub async fn destination(&self, reference: &str) -> Result<(Destination, Server), Error> {
        let reference = reference.to_string();
        self.db(move |s| {
            let d = s.find_destination(&reference)?;
            let server = s
                .server(&d.server_uuid)?
                .ok_or_else(|| Error::ServerNotFound(d.server_uuid.clone()))?;
            Ok((d, server))
        })
        .await
    }

    pub async fn create_destination(
        &self,
        input: NewDestination,
    ) -> Result<Outcome<DestinationView>, Error> {
        // Everything that can be refused without the server is refused before any remote call.
        let network = input.network.clone().unwrap_or_else(domain::new_uuid);
        domain::validate_network_name(&network)?;
        if let Some(subnet) = &input.subnet {
            validate_subnet(subnet)?;
        }
        let server = self.server(&input.server).await?;
        let name = input
            .name
            .clone()
            .unwrap_or_else(|| domain::default_destination_name(&server.name, &network));
        domain::validate_display_name("destination", &name)?;
        if server.build_server {
            return Err(Error::BuildServer);
        }
        let mut destination = Destination {
            uuid: domain::new_uuid(),
            name,
            network: network.clone(),
            network_id: String::new(),
            server_uuid: server.uuid.clone(),
            kind: DestinationType::Standalone,
            created_at: domain::now_unix(),
        };
        let candidate = destination.clone();
        self.db(move |s| s.check_destination_is_new(&candidate))
            .await?;

        // The server's mode may come from a check moments ago (`CHECK_REUSE`); a swarm
        // refusal that shows it changed checks again and creates the right type once more.
        let mut rechecked = false;
        let (server, docker, network_id) = loop {
            let (server, docker) = self.online(&server).await?;
            destination.kind = DestinationType::for_mode(server.mode)?;
            if destination.kind == DestinationType::Swarm {
                domain::validate_swarm_network_name(&network)?;
            }
            // A name already taken on the daemon is its own answer to the create below (no
            // list by name first: a round trip saved on every create).
            let intent = Intent {
                destination: destination.clone(),
                step: IntentStep::Create,
            };
            self.db(move |s| s.put_intent(&intent)).await?;
            failpoint("after-create-intent");
            let spec = NetworkSpec {
                name: &network,
                driver: destination.kind.driver(),
                attachable: destination.kind == DestinationType::Swarm,
                internal: input.internal,
                subnet: input.subnet.as_deref(),
                labels: destination_labels(&destination.uuid),
            };
            let created = docker.create_network(&spec).await;
            let e = match created {
                Ok(id) => break (server, docker, id),
                Err(e) => e,
            };
            let uuid = destination.uuid.clone();
            self.db(move |s| s.drop_intent(&uuid)).await?;
            if let DockerError::NotSwarmManager(_) = e {
                self.forget_check(&server.uuid);
                if !rechecked {
                    rechecked = true;
                    continue;
                }
            }
            return Err(match e {
                DockerError::NameExists(_) => Error::NetworkExists {
                    server: server.name.clone(),
                    network,
                },
                DockerError::NotSwarmManager(_) => Error::Invalid(format!(
                    "{} is no longer a swarm manager: run `destui server check {}`",
                    server.name, server.name
                )),
                other => self.fail(&server, other).await,
            });
        };
        failpoint("after-network-create");
        destination.network_id = network_id.clone();

        let mut outcome = Outcome::new(());
        if let Some(w) = self.attach_proxy(&server, &docker, &network_id).await {
            outcome.warnings.push(w);
        }
        failpoint("after-proxy-connect");
        let saved = destination.clone();
        if let Err(e) = self.db(move |s| s.insert_destination(&saved)).await {
            // Lost a race for the name: take back the network this call made.
            let _ = docker
                .disconnect_container(&network_id, &server.proxy_container)
                .await;
            let _ = docker.remove_network(&network_id).await;
            let uuid = destination.uuid.clone();
            let _ = self.db(move |s| s.drop_intent(&uuid)).await;
            return Err(e);
        }
        failpoint("after-record-save");
        Ok(Outcome {
            value: DestinationView::new(&destination, Some(&server)),
            warnings: outcome.warnings,
        })
    }

    /// Connects the proxy; a missing proxy is a warning, not a failure.
    async fn attach_proxy(
        &self,
        server: &Server,
        docker: &DockerApi,
        network_id: &str,
    ) -> Option<String> {
        match docker
            .connect_container(network_id, &server.proxy_container)
            .await
        {
            Ok(()) => None,
            Err(DockerError::NotFound(_)) => Some(format!(
                "proxy container {} was not found on {}: the network is not reachable through the proxy until it runs (then `destui destination repair`)",
                server.proxy_container, server.name
            )),
            Err(e) => Some(format!(
                "could not connect proxy {} on {}: {e}",
                server.proxy_container, server.name
            )),
        }
    }

    pub async fn rename_destination(
        &self,
        reference: &str,
        new_name: &str,
    ) -> Result<DestinationView, Error> {
        domain::validate_display_name("destination", new_name)?;
        let (d, server) = self.destination(reference).await?;
        let new_name = new_name.to_string();
        let renamed = self
            .db(move |s| s.rename_destination(&d.uuid, &new_name))
            .await?;
        Ok(DestinationView::new(&renamed, Some(&server)))
    }

    /// Live details of a destination's network (the troubleshooting view).
    pub async fn show_destination(&self, reference: &str) -> Result<DestinationDetails, Error> {
        let (d, server) = self.destination(reference).await?;
        let uuid = d.uuid.clone();
        let resources: Vec<String> = self
            .db(move |s| s.resources_on(&uuid))
            .await?
            .into_iter()
            .map(|r| r.name)
            .collect();
        let mut details = DestinationDetails {
            destination: DestinationView::new(&d, Some(&server)),
            driver: None,
            scope: None,
            attachable: None,
            internal: None,
            subnet: None,
            gateway: None,
            labels: HashMap::new(),
            containers: Vec::new(),
            proxy_connected: None,
            resources,
            status: HealthStatus::Unknown,
            detail: None,
        };
        let docker = match self.docker(&server).await {
            Ok(d) => d,
            Err(e) => {
                details.detail = Some(e.to_string());
                return Ok(details);
            }
        };
        match docker.inspect_with_stopped(&d.network_id).await {
            Ok(Some(n)) => {
                let proxy = n.has_container(&server.proxy_container);
                details.status = if proxy {
                    HealthStatus::Ok
                } else {
                    HealthStatus::ProxyDetached
                };
                details.proxy_connected = Some(proxy);
                details.driver = Some(n.driver);
                details.scope = Some(n.scope);
                details.attachable = Some(n.attachable);
                details.internal = Some(n.internal);
                details.subnet = n.subnet;
                details.gateway = n.gateway;
                details.labels = n.labels;
                details.containers = n
                    .containers
                    .into_iter()
                    .map(|c| ContainerRef {
                        name: c.name,
                        id: c.id,
                        state: c.state,
                    })
                    .collect();
            }
            Ok(None) => {
                details.status = HealthStatus::Missing;
                details.detail = Some(format!(
                    "network {} is gone from {}",
                    d.network, server.name
                ));
            }
            Err(e) => details.detail = Some(self.fail(&server, e).await.to_string()),
        }
        Ok(details)
    }

    pub async fn delete_destination(
        &self,
        reference: &str,
        force: bool,
    ) -> Result<Outcome<DestinationView>, Error> {
        let (d, server) = self.destination(reference).await?;
        let view = DestinationView::new(&d, Some(&server));
        let uuid = d.uuid.clone();
        let resources = self.db(move |s| s.resources_on(&uuid)).await?;
        if !resources.is_empty() {
            return Err(Error::ResourcesAttached {
                attached: Vec::new(),
                resources: resources.into_iter().map(|r| r.name).collect(),
            });
        }
        let docker = match self.docker(&server).await {
            Ok(docker) => docker,
            Err(e) if e.is_unreachable() => {
                return self.delete_unreachable(&d, &server, view, &e, force).await;
            }
            Err(e) => return Err(e),
        };

        // One request answers what blocks the delete: every container configured on the
        // network (running, stopped or never started), the proxy among them with the network
        // it was started on. No inspect beforehand: disconnect and remove say when the network
        // is gone (sequential requests: on one SSH connection, parallel ones wait on each
        // other's acknowledgements, which costs more than it saves on most links).
        let recorded = NetworkInfo {
            id: d.network_id.clone(),
            name: d.network.clone(),
            ..Default::default()
        };
        let listed = match docker.listed_containers(Some(&recorded)).await {
            Ok(listed) => listed,
            Err(e) => {
                // The first request on the connection: a server that stopped answering is
                // found here, and treated as unreachable from the start.
                let e = self.fail(&server, e).await;
                if e.is_unreachable() {
                    return self.delete_unreachable(&d, &server, view, &e, force).await;
                }
                return Err(e);
            }
        };
        let on_network: Vec<&ListedContainer> =
            listed.iter().filter(|c| c.is_on(&recorded)).collect();
        let (proxy, others): (Vec<&ListedContainer>, Vec<&ListedContainer>) = on_network
            .into_iter()
            .partition(|c| c.name == server.proxy_container);
        if proxy.iter().any(|p| {
            p.started_on
                .as_deref()
                .is_some_and(|m| m == d.network || m == d.network_id)
        }) {
            return Err(Error::ProxyOwnNetwork {
                network: d.network.clone(),
                proxy: server.proxy_container.clone(),
            });
        }
        // Stopped and never-started containers count: without the network they could not
        // start again. (One never started names the network as it was created: when that is
        // all there is, the network is looked up, since a gone one holds nothing.)
        if !others.is_empty() {
            let only_by_name = others
                .iter()
                .all(|c| c.networks.iter().all(|(_, id)| id.is_empty()));
            let gone =
                only_by_name && matches!(docker.inspect_network(&d.network_id).await, Ok(None));
            if !gone {
                return Err(Error::ResourcesAttached {
                    attached: others
                        .iter()
                        .map(|c| format!("{} ({})", c.name, c.state))
                        .collect(),
                    resources: Vec::new(),
                });
            }
        }
        let mut outcome = Outcome::new(view);
        // From here a crash leaves the intent for start-up reconciliation to finish the
        // delete; a refusal or an error takes it back (the user decides what next).
        let intent = Intent {
            destination: d.clone(),
            step: IntentStep::Delete,
        };
        self.db(move |s| s.put_intent(&intent)).await?;
        failpoint("after-delete-intent");
        let swarm = d.kind == DestinationType::Swarm;
        match self
            .remove_network(&server, &docker, &d.network_id, swarm)
            .await
        {
            Ok(true) => failpoint("after-network-remove"),
            Ok(false) => outcome.warnings.push(format!(
                "network {} was already gone from {}",
                d.network, server.name
            )),
            Err(e) => {
                let uuid = d.uuid.clone();
                let _ = self.db(move |s| s.drop_intent(&uuid)).await;
                return Err(e);
            }
        }
        let doomed = d.clone();
        self.db(move |s| s.remove_destination(&doomed)).await?;
        Ok(outcome)
    }

    /// A delete whose server cannot be reached: the record is kept and the refusal says how
    /// to forget it; with `force`, the record alone is forgotten, with a warning.
    async fn delete_unreachable(
        &self,
        d: &Destination,
        server: &Server,
        view: DestinationView,
        e: &Error,
        force: bool,
    ) -> Result<Outcome<DestinationView>, Error> {
        if !force {
            return Err(Error::Unreachable {
                server: server.name.clone(),
                detail: format!(
                    "{}; the destination {} is kept. To forget the record anyway, run `destui destination delete {} --force` (the network may then remain on the server)",
                    unreachable_detail(e),
                    d.name,
                    d.name
                ),
            });
        }
        let doomed = d.clone();
        self.db(move |s| s.remove_destination(&doomed)).await?;
        Ok(Outcome {
            value: view,
            warnings: vec![format!(
                "{} is unreachable: forgot the record of {} only; the network {} may remain on {}",
                server.name, d.name, d.network, server.name
            )],
        })
    }

    /// Detaches the proxy and removes a destination's network (its record stays). A swarm
    /// network can still be listed for a moment after its removal returned: with `swarm`,
    /// this waits until it is gone (a local network is gone when the call returns).
    /// Returns false when the network was already gone.
    async fn remove_network(
        &self,
        server: &Server,
        docker: &DockerApi,
        network_id: &str,
        swarm: bool,
    ) -> Result<bool, Error> {
        match docker
            .disconnect_container(network_id, &server.proxy_container)
            .await
        {
            Ok(()) => {}
            // (A container that is not there is fine already: this is the network.)
            Err(DockerError::NotFound(_)) => return Ok(false),
            Err(e) => return Err(self.fail(server, e).await),
        }
        failpoint("after-proxy-disconnect");
        match docker.remove_network(network_id).await {
            Ok(()) if !swarm => Ok(true),
            Ok(()) => match docker.wait_until_gone(network_id).await {
                Ok(()) => Ok(true),
                Err(e) => Err(self.fail(server, e).await),
            },
            Err(DockerError::ActiveEndpoints(_)) => {
                // Something attached between the check and the removal: put the proxy back.
                let _ = docker
                    .connect_container(network_id, &server.proxy_container)
                    .await;
                Err(Error::ResourcesAttached {
                    attached: Vec::new(),
                    resources: Vec::new(),
                })
            }
            Err(e) => Err(self.fail(server, e).await),
        }
    }

    // ---------- health ----------

    pub async fn check_destination(&self, d: &Destination, server: &Server) -> CheckRow {
        let uuid = d.uuid.clone();
        // A store that cannot be read counts as "assigned": never offer a destination for
        // deletion on a guess.
        let assigned = self
            .db(move |s| s.resources_on(&uuid))
            .await
            .map_or(true, |r| !r.is_empty());
        self.check_against(d, server, assigned, None).await
    }

    /// `assigned`: resources are recorded on `d` (then it is never `unused`). `listed`: the
    /// server's containers, read once for many checks; without it, this check reads the
    /// ones configured on `d`'s network.
    async fn check_against(
        &self,
        d: &Destination,
        server: &Server,
        assigned: bool,
        listed: Option<&[ListedContainer]>,
    ) -> CheckRow {
        let row = |status, detail: Option<String>| CheckRow {
            destination: d.name.clone(),
            status,
            detail,
            unused: false,
        };
        let docker = match self.docker(server).await {
            Ok(docker) => docker,
            Err(e) => return row(HealthStatus::Unknown, Some(e.to_string())),
        };
        let inspected = match docker.inspect_network(&d.network_id).await {
            Ok(Some(mut n)) => match listed {
                Some(listed) => {
                    n.add_listed(listed);
                    Ok(Some(n))
                }
                None => docker.listed_containers(Some(&n)).await.map(|listed| {
                    n.add_listed(&listed);
                    Some(n)
                }),
            },
            other => other,
        };
        match inspected {
            Ok(None) => row(
                HealthStatus::Missing,
                Some(format!(
                    "network {} is gone from {}: `destui destination repair {}`",
                    d.network, server.name, d.name
                )),
            ),
            Ok(Some(n)) => {
                let mut checked = if n.has_container(&server.proxy_container) {
                    row(HealthStatus::Ok, None)
                } else {
                    row(
                        HealthStatus::ProxyDetached,
                        Some(format!(
                            "proxy {} is not attached: `destui destination repair {}`",
                            server.proxy_container, d.name
                        )),
                    )
                };
                checked.unused = !assigned && n.holds_only(&server.proxy_container);
                checked
            }
            Err(e) => row(
                HealthStatus::Unknown,
                Some(self.fail(server, e).await.to_string()),
            ),
        }
    }

    pub async fn check_destinations(&self, references: &[String]) -> Result<Vec<CheckRow>, Error> {
        let targets = if references.is_empty() {
            self.db(|s| {
                let servers: HashMap<String, Server> = s
                    .servers()?
                    .into_iter()
                    .map(|x| (x.uuid.clone(), x))
                    .collect();
                Ok(s.destinations()?
                    .into_iter()
                    .filter_map(|d| servers.get(&d.server_uuid).cloned().map(|srv| (d, srv)))
                    .collect::<Vec<_>>())
            })
            .await?
        } else {
            let mut v = Vec::new();
            for r in references {
                v.push(self.destination(r).await?);
            }
            v
        };
        // One read of the resources for all the checks, not one per destination.
        let assigned: HashSet<String> = self
            .db(|s| s.resources())
            .await?
            .into_iter()
            .map(|r| r.destination_uuid)
            .collect();
        // Each server is connected once, and its containers read once, for all its
        // destinations (stopped ones count as attached): an unreachable server costs one
        // connect timeout, and its destinations are `unknown` with that one reason.
        let mut servers: Vec<&Server> = Vec::new();
        for (_, server) in &targets {
            if !servers.iter().any(|s| s.uuid == server.uuid) {
                servers.push(server);
            }
        }
        let reached: HashMap<String, Result<Vec<ListedContainer>, Error>> =
            futures::future::join_all(servers.into_iter().map(|server| async move {
                let listed = self
                    .read_again(server, || async {
                        let docker = self.docker(server).await?;
                        match docker.listed_containers(None).await {
                            Ok(listed) => Ok(listed),
                            Err(e) => Err(self.fail(server, e).await),
                        }
                    })
                    .await;
                (server.uuid.clone(), listed)
            }))
            .await
            .into_iter()
            .collect();
        // The futures are built first: a stream of closures that borrow `self` is not provably
        // Send, and the TUI runs this on a spawned task.
        let checks: Vec<_> = targets
            .iter()
            .map(|(d, server)| {
                let reached = reached.get(&server.uuid);
                let assigned = assigned.contains(&d.uuid);
                async move {
                    match reached {
                        Some(Ok(listed)) => {
                            self.check_against(d, server, assigned, Some(listed)).await
                        }
                        Some(Err(e)) => CheckRow {
                            destination: d.name.clone(),
                            status: HealthStatus::Unknown,
                            detail: Some(e.to_string()),
                            unused: false,
                        },
                        None => self.check_against(d, server, assigned, None).await,
                    }
                }
            })
            .collect();
        Ok(stream::iter(checks)
            .buffered(SCAN_CONCURRENCY)
            .collect()
            .await)
    }

    /// Recreates a missing network (same name and type) and reattaches the proxy.
    pub async fn repair_destination(&self, reference: &str) -> Result<Outcome<CheckRow>, Error> {
        let (d, server) = self.destination(reference).await?;
        let (server, docker) = self.online(&server).await?;
        let before = self.check_destination(&d, &server).await;
        let mut outcome = Outcome::new(before.clone());
        match before.status {
            HealthStatus::Unknown => {
                return Err(Error::Unreachable {
                    server: server.name.clone(),
                    detail: before.detail.unwrap_or_default(),
                });
            }
            HealthStatus::Ok => {}
            HealthStatus::Missing => {
                if let Ok(Some(_)) = docker.network_named(&d.network).await {
                    return Err(Error::NetworkExists {
                        server: server.name.clone(),
                        network: d.network.clone(),
                    });
                }
                let spec = NetworkSpec {
                    name: &d.network,
                    driver: d.kind.driver(),
                    attachable: d.kind == DestinationType::Swarm,
                    internal: false,
                    subnet: None,
                    labels: destination_labels(&d.uuid),
                };
                let id = match docker.create_network(&spec).await {
                    Ok(id) => id,
                    Err(e) => return Err(self.fail(&server, e).await),
                };
                let uuid = d.uuid.clone();
                let new_id = id.clone();
                self.db(move |s| s.update_destination_network_id(&uuid, &new_id))
                    .await?;
                if let Some(w) = self.attach_proxy(&server, &docker, &id).await {
                    outcome.warnings.push(w);
                }
            }
            HealthStatus::ProxyDetached => {
                if let Some(w) = self.attach_proxy(&server, &docker, &d.network_id).await {
                    outcome.warnings.push(w);
                }
            }
        }
        let (d, server) = self.destination(&d.uuid).await?;
        outcome.value = self.check_destination(&d, &server).await;
        Ok(outcome)
    }

    // ---------- scan and import ----------

    pub async fn scan(&self, reference: &str) -> Result<Vec<ScanRow>, Error> {
        let server = self.server(reference).await?;
        self.read_again(&server, || self.scan_once(&server)).await
    }

    async fn scan_once(&self, server: &Server) -> Result<Vec<ScanRow>, Error> {
        let server = server.clone();
        let docker = self.docker(&server).await?;
        // The networks and every container (stopped and never-started ones count as
        // attached), asked at once: one round trip.
        let (listed, containers) =
            futures::join!(docker.networks(), docker.listed_containers(None));
        let listed = match listed {
            Ok(n) => n,
            Err(e) => return Err(self.fail(&server, e).await),
        };
        let containers = match containers {
            Ok(c) => c,
            Err(e) => return Err(self.fail(&server, e).await),
        };
        let uuid = server.uuid.clone();
        let recorded = self.db(move |s| s.destinations_of(&uuid)).await?;
        // Two requests at any size: the containers of every network come from the container
        // list (each container names its networks), not from one inspect per network.
        let inspected: Vec<NetworkInfo> = listed
            .into_iter()
            .filter(|n| !SYSTEM_NETWORKS.contains(&n.name.as_str()))
            .collect();
        let mut rows: Vec<ScanRow> = inspected
            .into_iter()
            .map(|mut n| {
                n.add_listed(&containers);
                let reason = import_refusal(&recorded, &n);
                ScanRow {
                    importable: reason.is_none(),
                    reason,
                    unused: n.holds_only(&server.proxy_container),
                    containers: n.containers.into_iter().map(|c| c.name).collect(),
                    network: n.name,
                    id: n.id,
                    driver: n.driver,
                    scope: n.scope,
                }
            })
            .collect();
        rows.sort_by(|a, b| (&a.network, &a.id).cmp(&(&b.network, &b.id)));
        Ok(rows)
    }

    /// Imports the named networks (each by its exact name or full ID; all importable ones
    /// when `networks` is empty and `all`). Everything is checked first: one bad name imports
    /// nothing.
    pub async fn import(
        &self,
        reference: &str,
        networks: &[String],
        all: bool,
    ) -> Result<Outcome<Vec<DestinationView>>, Error> {
        for n in networks {
            domain::validate_network_name(n)?;
        }
        if networks.is_empty() && !all {
            return Err(Error::Invalid(
                "name the networks to import, or pass --all".into(),
            ));
        }
        let server = self.server(reference).await?;
        let docker = self.docker(&server).await?;
        let listed = match docker.networks().await {
            Ok(n) => n,
            Err(e) => return Err(self.fail(&server, e).await),
        };
        let uuid = server.uuid.clone();
        let recorded = self.db(move |s| s.destinations_of(&uuid)).await?;
        let mut warnings = Vec::new();
        let chosen: Vec<&NetworkInfo> = if all && networks.is_empty() {
            let mut chosen = Vec::new();
            for n in listed
                .iter()
                .filter(|n| !SYSTEM_NETWORKS.contains(&n.name.as_str()))
            {
                if import_refusal(&recorded, n).is_some() {
                    continue;
                }
                let namesakes = namesakes(&listed, &n.name);
                if namesakes.len() > 1 {
                    // Reported once, by the first of them.
                    if namesakes[0] == n.id {
                        warnings.push(format!(
                            "skipped: {}",
                            Error::AmbiguousNetwork {
                                server: server.name.clone(),
                                network: n.name.clone(),
                                ids: namesakes,
                            }
                        ));
                    }
                    continue;
                }
                chosen.push(n);
            }
            chosen
        } else {
            let mut chosen: Vec<&NetworkInfo> = Vec::new();
            for wanted in networks {
                let info = pick_network(&listed, wanted, &server.name)?;
                if chosen.iter().any(|c| c.id == info.id) {
                    continue;
                }
                if SYSTEM_NETWORKS.contains(&info.name.as_str()) {
                    return Err(Error::Invalid(format!(
                        "{} is one of Docker's own networks and cannot be a destination",
                        info.name
                    )));
                }
                if recorded
                    .iter()
                    .any(|d| d.network_id == info.id || d.network == info.name)
                {
                    return Err(Error::NetworkAlreadyAdded);
                }
                if let Some(why) = domain::unimportable_name(&info.name) {
                    return Err(Error::Invalid(format!("network {}: {why}", info.id)));
                }
                chosen.push(info);
            }
            chosen
        };
        let now = domain::now_unix();
        let server_name = server.name.clone();
        let plans: Vec<(String, String, DestinationType)> = chosen
            .iter()
            .map(|n| {
                (
                    n.name.clone(),
                    n.id.clone(),
                    DestinationType::for_driver(&n.driver),
                )
            })
            .collect();
        let server_uuid = server.uuid.clone();
        let imported: Vec<Destination> = self
            .db(move |s| {
                let mut batch_names: HashSet<String> = HashSet::new();
                let mut out = Vec::new();
                for (network, id, kind) in plans {
                    let base = domain::default_destination_name(&server_name, &network);
                    let name = domain::first_free_name(&base, |candidate| {
                        batch_names.contains(candidate)
                            || s.destination_name_taken(candidate).unwrap_or(true)
                            || s.is_record_uuid(candidate).unwrap_or(true)
                    });
                    batch_names.insert(name.clone());
                    out.push(Destination {
                        uuid: domain::new_uuid(),
                        name,
                        network,
                        network_id: id,
                        server_uuid: server_uuid.clone(),
                        kind,
                        created_at: now,
                    });
                }
                // Saved with an intent each until the proxy is attached: a crash in between
                // is finished by start-up reconciliation.
                s.insert_destinations_pending(&out, IntentStep::AttachProxy)?;
                Ok(out)
            })
            .await?;
        failpoint("after-import-save");

        let attachments: Vec<_> = imported
            .iter()
            .map(|d| self.attach_proxy(&server, &docker, &d.network_id))
            .collect();
        let mut attach_warnings: Vec<String> = stream::iter(attachments)
            .buffer_unordered(SCAN_CONCURRENCY)
            .collect::<Vec<Option<String>>>()
            .await
            .into_iter()
            .flatten()
            .collect();
        attach_warnings.dedup();
        warnings.extend(attach_warnings);
        failpoint("after-import-attach");
        let settled: Vec<String> = imported.iter().map(|d| d.uuid.clone()).collect();
        self.db(move |s| s.drop_intents(&settled)).await?;
        Ok(Outcome {
            value: imported
                .iter()
                .map(|d| DestinationView::new(d, Some(&server)))
                .collect(),
            warnings,
        })
    }

    // ---------- start-up reconciliation ----------

    /// Settles every step that a crash interrupted, from its intent:
    /// - create: the network exists (found by its label) → the record is saved; it does not →
    ///   the intent is dropped;
    /// - import: the record is saved → the proxy is attached;
    /// - delete: the delete is finished (or, if something was attached meanwhile, the proxy
    ///   is put back and the destination kept).
    ///
    /// - resource deploy: what it started is removed (it never got its record).
    ///
    /// An unreachable server keeps its intents for the next start (one note says so). Returns
    /// one note per settled intent.
    pub async fn reconcile(&self) -> Result<Vec<String>, Error> {
        let mut by_server: BTreeMap<String, ServerIntents> = BTreeMap::new();
        for intent in self.db(|s| s.intents()).await? {
            let server = intent.destination.server_uuid.clone();
            by_server
                .entry(server)
                .or_default()
                .destinations
                .push(intent);
        }
        for intent in self.db(|s| s.resource_intents()).await? {
            let server = intent.server_uuid.clone();
            by_server.entry(server).or_default().deploys.push(intent);
        }
        // Servers in parallel (each unreachable one costs one connect timeout, not one per
        // intent or per server in turn); the steps of one server in order.
        let settles: Vec<_> = by_server
            .into_iter()
            .map(|(server, intents)| self.settle_server(server, intents))
            .collect();
        let mut notes = Vec::new();
        for settled in futures::future::join_all(settles).await {
            notes.extend(settled?);
        }
        Ok(notes)
    }

    async fn settle_server(
        &self,
        server_uuid: String,
        intents: ServerIntents,
    ) -> Result<Vec<String>, Error> {
        let Some(server) = self.db(move |s| s.server(&server_uuid)).await? else {
            // The server was forgotten (remove --force): nothing left to settle against.
            let destinations: Vec<String> = intents
                .destinations
                .iter()
                .map(|i| i.destination.uuid.clone())
                .collect();
            self.db(move |s| s.drop_intents(&destinations)).await?;
            for deploy in intents.deploys {
                self.db(move |s| s.drop_resource_intent(&deploy.resource.uuid))
                    .await?;
            }
            return Ok(Vec::new());
        };
        let docker = match self.docker(&server).await {
            Ok(docker) => docker,
            Err(e) => {
                let waiting = intents.destinations.len() + intents.deploys.len();
                return Ok(vec![format!(
                    "{waiting} interrupted step(s) on {} wait until it answers: {e}",
                    server.name
                )]);
            }
        };
        let mut notes = Vec::new();
        for intent in intents.destinations {
            let d = intent.destination;
            let note = match intent.step {
                IntentStep::Create => self.settle_create(&server, &docker, d).await?,
                IntentStep::AttachProxy => self.settle_attach(&server, &docker, d).await?,
                IntentStep::Delete => self.settle_delete(&server, d).await?,
            };
            notes.extend(note);
        }
        for deploy in intents.deploys {
            notes.extend(self.settle_deploy(deploy, &docker, &server).await?);
        }
        Ok(notes)
    }

    async fn settle_create(
        &self,
        server: &Server,
        docker: &DockerApi,
        d: Destination,
    ) -> Result<Option<String>, Error> {
        let label = format!("{LABEL_DESTINATION}={}", d.uuid);
        let Ok(found) = docker.networks_labelled(&label).await else {
            return Ok(None);
        };
        let uuid = d.uuid.clone();
        let Some(network) = found.into_iter().find(|n| n.name == d.network) else {
            self.db(move |s| s.drop_intent(&uuid)).await?;
            return Ok(None);
        };
        let mut adopted = d.clone();
        adopted.network_id = network.id.clone();
        let _ = self.attach_proxy(server, docker, &network.id).await;
        let saved = adopted.clone();
        match self.db(move |s| s.insert_destination(&saved)).await {
            Ok(()) => Ok(Some(format!(
                "recovered destination {} (network {} on {}) after an interrupted create",
                adopted.name, adopted.network, server.name
            ))),
            Err(_) => {
                // The name or network was taken meanwhile: the labelled network is ours and
                // unrecorded, so take it back rather than orphan it.
                let _ = docker
                    .disconnect_container(&network.id, &server.proxy_container)
                    .await;
                let _ = docker.remove_network(&network.id).await;
                self.db(move |s| s.drop_intent(&uuid)).await?;
                Ok(None)
            }
        }
    }

    /// An intent whose record is gone has nothing left to settle: it is dropped.
    async fn forgot_intent_without_record(&self, d: &Destination) -> Result<bool, Error> {
        let uuid = d.uuid.clone();
        if self.db(move |s| s.destination(&uuid)).await?.is_some() {
            return Ok(false);
        }
        let uuid = d.uuid.clone();
        self.db(move |s| s.drop_intent(&uuid)).await?;
        Ok(true)
    }

    async fn settle_attach(
        &self,
        server: &Server,
        docker: &DockerApi,
        d: Destination,
    ) -> Result<Option<String>, Error> {
        if self.forgot_intent_without_record(&d).await? {
            return Ok(None);
        }
        let outcome = match self.attach_proxy(server, docker, &d.network_id).await {
            None => format!(
                "finished importing destination {}: proxy {} attached after an interrupted import",
                d.name, server.proxy_container
            ),
            Some(warning) => format!("destination {} was imported, but {warning}", d.name),
        };
        let uuid = d.uuid.clone();
        self.db(move |s| s.drop_intent(&uuid)).await?;
        Ok(Some(outcome))
    }

    async fn settle_delete(
        &self,
        server: &Server,
        d: Destination,
    ) -> Result<Option<String>, Error> {
        if self.forgot_intent_without_record(&d).await? {
            return Ok(None);
        }
        match self.delete_destination(&d.uuid, false).await {
            Ok(_) => Ok(Some(format!(
                "finished deleting destination {} (network {} on {}) after an interrupted delete",
                d.name, d.network, server.name
            ))),
            Err(e) if e.is_unreachable() => Ok(None),
            Err(e) => {
                // Refused now (something was attached meanwhile): the destination stays, whole.
                if let Ok(docker) = self.docker(server).await {
                    let _ = self.attach_proxy(server, &docker, &d.network_id).await;
                }
                let uuid = d.uuid.clone();
                self.db(move |s| s.drop_intent(&uuid)).await?;
                Ok(Some(format!(
                    "kept destination {} after an interrupted delete: {e}",
                    d.name
                )))
            }
        }
    }
}

/// Why scan does not offer `n` for import on a server with `recorded` destinations, or
/// `None` when it can be imported.
fn import_refusal(recorded: &[Destination], n: &NetworkInfo) -> Option<String> {
    if recorded.iter().any(|d| d.network_id == n.id) {
        return Some("already added".to_string());
    }
    if recorded.iter().any(|d| d.network == n.name) {
        // Two networks of one name: the other one is the destination.
        return Some(
            "cannot be imported: a destination here already uses this name (another network with the same name)"
                .to_string(),
        );
    }
    domain::unimportable_name(&n.name)
}

/// Full IDs of the networks named exactly `name`.
fn namesakes(listed: &[NetworkInfo], name: &str) -> Vec<String> {
    listed
        .iter()
        .filter(|n| n.name == name)
        .map(|n| n.id.clone())
        .collect()
}

/// The network `wanted` names: by full ID, else by exact name, which must be unique.
fn pick_network<'a>(
    listed: &'a [NetworkInfo],
    wanted: &str,
    server: &str,
) -> Result<&'a NetworkInfo, Error> {
    if let Some(n) = listed.iter().find(|n| n.id == wanted) {
        return Ok(n);
    }
    let named: Vec<&NetworkInfo> = listed.iter().filter(|n| n.name == wanted).collect();
    match named.as_slice() {
        [one] => Ok(one),
        [] => Err(Error::Invalid(format!(
            "no network named {wanted} on {server}: run `destui scan {server}` to see what can be imported"
        ))),
        many => Err(Error::AmbiguousNetwork {
            server: server.to_string(),
            network: wanted.to_string(),
            ids: many.iter().map(|n| n.id.clone()).collect(),
        }),
    }
}

fn validate_server(s: &Server) -> Result<(), Error> {
    if !s.local {
        domain::validate_host(&s.host)?;
    }
    if let Some(port) = s.port {
        domain::validate_port(port)?;
    }
    if let Some(user) = &s.user {
        domain::validate_user(user)?;
    }
    domain::validate_socket_path(&s.docker_socket)?;
    domain::validate_container_name(&s.proxy_container)?;
    if let Some(identity) = &s.identity
        && (identity.is_empty() || identity.starts_with('-'))
    {
        return Err(Error::Invalid(format!(
            "invalid identity file {identity:?}"
        )));
    }
    Ok(())
}

/// `a.b.c.d/n` (IPv4) or an IPv6 CIDR; checked before the daemon sees it.
fn validate_subnet(subnet: &str) -> Result<(), Error> {
    let ok = subnet.split_once('/').is_some_and(|(addr, bits)| {
        let bits: Option<u8> = bits.parse().ok();
        match addr.parse::<std::net::IpAddr>() {
            Ok(std::net::IpAddr::V4(_)) => bits.is_some_and(|b| b <= 32),
            Ok(std::net::IpAddr::V6(_)) => bits.is_some_and(|b| b <= 128),
            Err(_) => false,
        }
    });
    if ok {
        Ok(())
    } else {
        Err(Error::Invalid(format!(
            "invalid subnet {subnet:?}: give a CIDR such as 10.201.0.0/24"
        )))
    }
}

/// What went wrong, without the "server X is unreachable" that the caller's error adds again.
fn unreachable_detail(e: &Error) -> String {
    match e {
        Error::Unreachable { detail, .. } => detail.clone(),
        other => other.to_string(),
    }
}

fn expand_tilde(path: &str) -> String {
    match (path.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => format!("{}/{rest}", home.to_string_lossy()),
        _ => path.to_string(),
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

    #[test]
    fn subnets_are_checked() {
        assert!(validate_subnet("10.201.0.0/24").is_ok());
        assert!(validate_subnet("fd00::/64").is_ok());
        assert!(validate_subnet("10.0.0.0").is_err());
        assert!(validate_subnet("10.0.0.0/33").is_err());
        assert!(validate_subnet("x/8").is_err());
    }
}
