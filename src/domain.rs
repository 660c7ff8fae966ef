//! The domain: servers, destinations, resources, the rules that guard them, and every
//! user-facing message, each written once so tests compare against the same text.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Exactly as in the spec: shown when a destination still has something on it.
pub const MSG_DELETE_RESOURCES_FIRST: &str =
    "You must delete all resources before deleting this destination.";
/// Exactly as in the spec: the (server, network) pair is already a destination.
pub const MSG_NETWORK_ALREADY_ADDED: &str = "Network already added to this server.";
/// Exactly as in the spec.
pub const MSG_BUILD_SERVER: &str = "Destinations cannot be created on a build server.";

/// Networks Docker creates itself; scan never offers them.
pub const SYSTEM_NETWORKS: [&str; 5] = ["bridge", "host", "none", "ingress", "docker_gwbridge"];

/// Label put on every network destui creates, so a crash between creating the network and
/// saving the record can be reconciled (the network is found again by its label).
pub const LABEL_MANAGED: &str = "destui.managed";
pub const LABEL_DESTINATION: &str = "destui.destination";
pub const LABEL_RESOURCE: &str = "destui.resource";

pub const DEFAULT_DOCKER_SOCKET: &str = "/var/run/docker.sock";
pub const DEFAULT_PROXY_CONTAINER: &str = "coolify-proxy";
pub const MAX_NETWORK_NAME: usize = 128;
pub const MAX_DISPLAY_NAME: usize = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum ServerMode {
    #[default]
    Unknown,
    Standalone,
    SwarmManager,
    SwarmWorker,
}

impl ServerMode {
    /// From the daemon's info: swarm state plus whether this node can control the swarm.
    pub fn from_swarm(local_node_state_active: bool, control_available: bool) -> Self {
        match (local_node_state_active, control_available) {
            (true, true) => ServerMode::SwarmManager,
            (true, false) => ServerMode::SwarmWorker,
            _ => ServerMode::Standalone,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ServerMode::Unknown => "unknown",
            ServerMode::Standalone => "standalone",
            ServerMode::SwarmManager => "swarm-manager",
            ServerMode::SwarmWorker => "swarm-worker",
        }
    }
}

impl fmt::Display for ServerMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DestinationType {
    Standalone,
    Swarm,
}

impl DestinationType {
    /// The type is never chosen by the user: it follows from the server's mode.
    pub fn for_mode(mode: ServerMode) -> Result<Self, Error> {
        match mode {
            ServerMode::Standalone => Ok(DestinationType::Standalone),
            ServerMode::SwarmManager => Ok(DestinationType::Swarm),
            ServerMode::SwarmWorker => Err(Error::SwarmWorker),
            ServerMode::Unknown => Err(Error::Invalid(
                "the server's mode is not known yet: run `destui server check` first".into(),
            )),
        }
    }

    /// Imported networks are typed by their driver, so a local-scope network on a swarm
    /// manager is never presented as a swarm destination.
    pub fn for_driver(driver: &str) -> Self {
        if driver == "overlay" {
            DestinationType::Swarm
        } else {
            DestinationType::Standalone
        }
    }

    pub fn driver(self) -> &'static str {
        match self {
            DestinationType::Standalone => "bridge",
            DestinationType::Swarm => "overlay",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            DestinationType::Standalone => "standalone",
            DestinationType::Swarm => "swarm",
        }
    }
}

impl fmt::Display for DestinationType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Server {
    pub uuid: String,
    pub name: String,
    /// Hostname, IP or ssh-config alias; `local` for the local socket.
    pub host: String,
    pub port: Option<u16>,
    pub user: Option<String>,
    pub identity: Option<String>,
    pub docker_socket: String,
    pub local: bool,
    pub build_server: bool,
    pub proxy_container: String,
    pub mode: ServerMode,
    pub online: bool,
    pub last_error: Option<String>,
    /// Unix seconds of the last live check.
    pub checked_at: Option<i64>,
    pub docker_version: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Destination {
    pub uuid: String,
    pub name: String,
    pub network: String,
    pub network_id: String,
    pub server_uuid: String,
    #[serde(rename = "type")]
    pub kind: DestinationType,
    /// Unix seconds.
    pub created_at: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ResourceKind {
    Application,
    Database,
    Service,
}

impl ResourceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ResourceKind::Application => "application",
            ResourceKind::Database => "database",
            ResourceKind::Service => "service",
        }
    }
}

impl fmt::Display for ResourceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl ResourceKind {
    /// The names `FromStr` accepts in full (the CLI lists them in its help).
    pub const NAMES: [&'static str; 3] = ["application", "database", "service"];
}

/// The one parser of a kind, shared by the CLI and the TUI's form: the full names, `app` and
/// `db`, in any case.
impl std::str::FromStr for ResourceKind {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self, Error> {
        match text.trim().to_lowercase().as_str() {
            "application" | "app" => Ok(ResourceKind::Application),
            "database" | "db" => Ok(ResourceKind::Database),
            "service" => Ok(ResourceKind::Service),
            other => Err(Error::Invalid(format!(
                "Kind: application, database or service, not {other:?}"
            ))),
        }
    }
}

/// A resource's live state, from its containers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ResourceStatus {
    /// Every container of the resource runs.
    Running,
    /// A container exists but not all of them run.
    Stopped,
    /// No container carries the resource's label.
    Missing,
    /// The server could not be asked.
    Unknown,
}

impl ResourceStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ResourceStatus::Running => "running",
            ResourceStatus::Stopped => "stopped",
            ResourceStatus::Missing => "missing",
            ResourceStatus::Unknown => "unknown",
        }
    }
}

impl fmt::Display for ResourceStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The isolated network of a service stack: named from its resource's uuid, so that copies of
/// one stack never share (or clash on) a network.
pub fn stack_network(resource_uuid: &str) -> String {
    format!("destui-{resource_uuid}")
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resource {
    pub uuid: String,
    pub name: String,
    pub kind: ResourceKind,
    pub image: String,
    pub command: Option<String>,
    pub destination_uuid: String,
    pub connect_predefined: bool,
}

/// Written before a step that changes a daemon and removed in the same transaction as the
/// record change that completes it: what start-up reconciliation needs to settle a step that a
/// crash interrupted (see `Ops::reconcile`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Intent {
    pub destination: Destination,
    /// Absent in intents written before deletes and imports had one: those were creates.
    #[serde(default)]
    pub step: IntentStep,
}

/// Written before a resource's container (and a stack's network) is started, removed in the
/// same transaction that saves its record: a crash in between leaves labelled containers
/// without a record, which start-up reconciliation removes (the deploy never completed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceIntent {
    pub resource: Resource,
    pub server_uuid: String,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum IntentStep {
    /// The network may have been created; the record is not saved yet.
    #[default]
    Create,
    /// The record is saved; the proxy may not be attached yet (import).
    AttachProxy,
    /// The proxy may be detached and the network removed; the record is still there.
    Delete,
}

pub fn new_uuid() -> String {
    cuid2::create_id()
}

pub fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// `kebab("My Server-net_1")` = `my-server-net-1`.
pub fn kebab(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

pub fn default_destination_name(server_name: &str, network: &str) -> String {
    kebab(&format!("{server_name}-{network}"))
}

/// Docker's own rule for network names, made strict: validated before any remote call,
/// because bollard puts names into URL paths unescaped.
pub fn validate_network_name(name: &str) -> Result<(), Error> {
    let ok = !name.is_empty()
        && name.len() <= MAX_NETWORK_NAME
        && name.as_bytes()[0].is_ascii_alphanumeric()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if ok {
        Ok(())
    } else {
        Err(Error::InvalidNetworkName(name.to_string()))
    }
}

/// Characters a terminal must never receive raw from a server or a name (DESIGN.md §9): C0 and
/// C1 controls, DEL, Unicode format characters (bidi overrides and isolates, zero-width
/// characters, BOM, soft hyphen, tags…) and the line and paragraph separators. Such a
/// character can recolour the terminal, retitle its window, forge a table row or make a name
/// read differently from what it is.
pub fn is_unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{00ad}'
                | '\u{0600}'..='\u{0605}'
                | '\u{061c}'
                | '\u{06dd}'
                | '\u{070f}'
                | '\u{0890}'..='\u{0891}'
                | '\u{08e2}'
                | '\u{180e}'
                | '\u{200b}'..='\u{200f}'
                | '\u{2028}'..='\u{202e}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{206f}'
                | '\u{feff}'
                | '\u{fff9}'..='\u{fffb}'
                | '\u{110bd}'
                | '\u{110cd}'
                | '\u{13430}'..='\u{1343f}'
                | '\u{1bca0}'..='\u{1bca3}'
                | '\u{1d173}'..='\u{1d17a}'
                | '\u{e0001}'
                | '\u{e0020}'..='\u{e007f}'
        )
}

/// Swarm's own rule for the names of the networks it manages (stricter than Docker's):
/// refused before the call, since the daemon answers it with a raw rpc error.
pub const MAX_SWARM_NETWORK_NAME: usize = 63;

pub fn validate_swarm_network_name(name: &str) -> Result<(), Error> {
    let ok = name.len() <= MAX_SWARM_NETWORK_NAME
        && name
            .split(['-', '_'])
            .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_alphanumeric()));
    if ok {
        Ok(())
    } else {
        Err(Error::InvalidSwarmNetworkName(name.to_string()))
    }
}

/// Why scan cannot offer a network for import because of its name, or `None` when the name
/// is one destui accepts (every later call names it, so it must pass the same rule).
pub fn unimportable_name(network: &str) -> Option<String> {
    validate_network_name(network).err().map(|_| {
        "cannot be imported: its name has characters destui refuses (letters, digits, '.', '_' or '-', starting with a letter or digit, at most 128)".to_string()
    })
}

pub fn validate_port(port: u16) -> Result<(), Error> {
    if port == 0 {
        return Err(Error::Invalid(
            "invalid port 0: give a port from 1 to 65535".into(),
        ));
    }
    Ok(())
}

/// Display names (servers, destinations, resources): free text, but never a flag look-alike,
/// never a `/` (that separates `server/network` references) and never a character a terminal
/// would act on or hide (`is_unsafe_char`).
pub fn validate_display_name(what: &str, name: &str) -> Result<(), Error> {
    let trimmed = name.trim();
    let why = if trimmed.is_empty() {
        Some("is empty")
    } else if trimmed != name {
        Some("has leading or trailing spaces")
    } else if name.chars().count() > MAX_DISPLAY_NAME {
        Some("is longer than 100 characters")
    } else if name.starts_with('-') {
        Some("starts with '-'")
    } else if name.contains('/') {
        Some("contains '/'")
    } else if name.chars().any(is_unsafe_char) {
        Some("contains control or invisible characters")
    } else {
        None
    };
    match why {
        Some(why) => Err(Error::Invalid(format!(
            "the {what} name {name:?} {why}: use letters, digits, spaces, '.', '_' or '-'"
        ))),
        None => Ok(()),
    }
}

/// Host names end up as an argument of `ssh`: anything that could be read as an option or
/// carry shell syntax is refused here (e.g. `-oProxyCommand=…`).
pub fn validate_host(host: &str) -> Result<(), Error> {
    let ok = !host.is_empty()
        && host.len() <= 253
        && !host.starts_with('-')
        && host.bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b':' | b'[' | b']' | b'%')
        });
    if ok {
        Ok(())
    } else {
        Err(Error::Invalid(format!(
            "invalid host {host:?}: give a hostname, an IP address or a Host alias from your ssh config"
        )))
    }
}

pub fn validate_user(user: &str) -> Result<(), Error> {
    let ok = !user.is_empty()
        && user.len() <= 64
        && !user.starts_with('-')
        && user
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if ok {
        Ok(())
    } else {
        Err(Error::Invalid(format!(
            "invalid user {user:?}: use letters, digits, '.', '_' or '-'"
        )))
    }
}

/// The socket path goes into an ssh `-L local:remote` forward, where ':' and spaces break it.
pub fn validate_socket_path(path: &str) -> Result<(), Error> {
    let ok = path.starts_with('/')
        && path.len() <= 200
        && !path.contains("/../")
        && path
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'/'));
    if ok {
        Ok(())
    } else {
        Err(Error::Invalid(format!(
            "invalid Docker socket path {path:?}: give an absolute path such as /var/run/docker.sock"
        )))
    }
}

pub fn validate_container_name(name: &str) -> Result<(), Error> {
    validate_network_name(name).map_err(|_| {
        Error::Invalid(format!(
            "invalid container name {name:?}: use letters, digits, '.', '_' or '-', starting with a letter or digit"
        ))
    })
}

/// `base`, then `base-2`, `base-3`… : the first name `taken` does not hold, each at most
/// `MAX_DISPLAY_NAME` characters (the base is cut to leave room for the suffix, so a derived
/// name always passes the same rule as a typed one).
pub fn first_free_name(base: &str, taken: impl Fn(&str) -> bool) -> String {
    let fit = |suffix: &str| {
        let room = MAX_DISPLAY_NAME - suffix.len();
        let cut: String = base.chars().take(room).collect();
        format!("{}{suffix}", cut.trim_end_matches(['-', ' ']))
    };
    let first = fit("");
    if !taken(&first) {
        return first;
    }
    (2..)
        .map(|n| fit(&format!("-{n}")))
        .find(|candidate| !taken(candidate))
        .unwrap_or(first)
}

/// Every way an action can be refused or fail, with the one line the user sees.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum Error {
    #[error("{0}")]
    Invalid(String),
    #[error(
        "invalid network name {0:?}: use letters, digits, '.', '_' or '-', starting with a letter or digit, at most 128 characters"
    )]
    InvalidNetworkName(String),
    #[error(
        "invalid overlay network name {0:?}: swarm allows at most 63 characters, letters and digits separated by single '-' or '_'"
    )]
    InvalidSwarmNetworkName(String),
    #[error("the {what} name {name:?} is the uuid of another record: choose another name")]
    NameIsUuid { what: &'static str, name: String },
    #[error(
        "{} networks on {server} are named {network} ({}): import one by its full ID", ids.len(), ids.join(", ")
    )]
    AmbiguousNetwork {
        server: String,
        network: String,
        ids: Vec<String>,
    },
    #[error(
        "the data directory {dir} can be written by other users (mode {mode:04o}): run `chmod 700 {dir}`, or pass a different --db"
    )]
    DataDirNotPrivate { dir: String, mode: u32 },
    #[error("A destination named {0} already exists.")]
    DestinationNameTaken(String),
    #[error("A server named {0} already exists.")]
    ServerNameTaken(String),
    #[error("{}", MSG_NETWORK_ALREADY_ADDED)]
    NetworkAlreadyAdded,
    #[error("{}", MSG_BUILD_SERVER)]
    BuildServer,
    #[error(
        "This server is a swarm worker: Docker creates swarm networks only on managers. Add the destination on a swarm manager of the same swarm."
    )]
    SwarmWorker,
    #[error(
        "A network named {network} already exists on {server} but is not a destination: import it with `destui import {server} {network}`."
    )]
    NetworkExists { server: String, network: String },
    /// The spec's exact message, then what blocks the delete (DESIGN.md §15).
    #[error("{}", blockers_message(attached, resources))]
    ResourcesAttached {
        /// `name (state)` of every container on the network but the proxy.
        attached: Vec<String>,
        /// Names of the resources recorded on the destination.
        resources: Vec<String>,
    },
    #[error(
        "{network} is the network the proxy container {proxy} was started on: removing it would cut the proxy off from every destination, so it is never deleted."
    )]
    ProxyOwnNetwork { network: String, proxy: String },
    #[error(
        "Server {server} has {count} destination(s): delete them first (`destui destination list --server {server}`), or forget the server with `destui server remove {server} --force`."
    )]
    ServerHasDestinations { server: String, count: usize },
    #[error("no server named {0}: see `destui server list`")]
    ServerNotFound(String),
    #[error(
        "no destination {0}: give its name, uuid or server/network (see `destui destination list`)"
    )]
    DestinationNotFound(String),
    #[error("no resource {0}: see `destui resource list`")]
    ResourceNotFound(String),
    #[error("A resource named {0} already exists.")]
    ResourceNameTaken(String),
    #[error(
        "{server} has no destination yet: create one with `destui destination create --server {server}`"
    )]
    NoDestination { server: String },
    #[error(
        "{server} has {} destinations: choose one with --destination ({})", candidates.len(), candidates.join(", ")
    )]
    DestinationChoice {
        server: String,
        candidates: Vec<String>,
    },
    #[error(
        "Docker on {server} has run out of address pools (could not find an available, non-overlapping IPv4 address pool): remove unused networks, widen `default-address-pools` in /etc/docker/daemon.json, or pass --subnet CIDR."
    )]
    AddressPoolsExhausted { server: String },
    #[error("server {server} is unreachable: {detail}")]
    Unreachable { server: String, detail: String },
    #[error(
        "the host key of {server} is not known or has changed: check it, then run `destui server trust {server}`"
    )]
    HostKeyUnknown { server: String },
    #[error("Docker on {server}: {detail}")]
    Docker { server: String, detail: String },
    #[error("another destui is using {0}: close it, or pass a different --db")]
    StoreLocked(String),
    #[error(
        "the data directory {dir} was written by a newer destui (schema {found}, this one knows {supported}): upgrade destui, or pass a different --db"
    )]
    SchemaTooNew {
        dir: String,
        found: u32,
        supported: u32,
    },
    #[error("data store: {0}")]
    Store(String),
    #[error("{0}")]
    Io(String),
}

fn blockers_message(attached: &[String], resources: &[String]) -> String {
    let mut parts = Vec::new();
    if !attached.is_empty() {
        parts.push(format!("Attached: {}", attached.join(", ")));
    }
    if !resources.is_empty() {
        // "…; resources: shop" after the containers (as DESIGN.md §15 writes it), and
        // capitalised when it opens the list.
        let label = if parts.is_empty() {
            "Resources"
        } else {
            "resources"
        };
        parts.push(format!("{label}: {}", resources.join(", ")));
    }
    if parts.is_empty() {
        MSG_DELETE_RESOURCES_FIRST.to_string()
    } else {
        format!("{MSG_DELETE_RESOURCES_FIRST} {}", parts.join("; "))
    }
}

impl Error {
    /// Errors that mean "we could not talk to the server", as opposed to "the server said no".
    pub fn is_unreachable(&self) -> bool {
        matches!(
            self,
            Error::Unreachable { .. } | Error::HostKeyUnknown { .. }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_parser_reads_every_spelling_of_a_resource_kind() {
        for (text, kind) in [
            ("application", ResourceKind::Application),
            ("App", ResourceKind::Application),
            ("DATABASE", ResourceKind::Database),
            ("db", ResourceKind::Database),
            (" service ", ResourceKind::Service),
        ] {
            assert_eq!(text.parse::<ResourceKind>(), Ok(kind), "{text}");
        }
        for name in ResourceKind::NAMES {
            assert_eq!(
                name.parse::<ResourceKind>().map(ResourceKind::as_str),
                Ok(name)
            );
        }
        assert_eq!(
            "queue".parse::<ResourceKind>().map_err(|e| e.to_string()),
            Err("Kind: application, database or service, not \"queue\"".to_string())
        );
    }

    #[test]
    fn kebab_lowercases_and_collapses_separators() {
        assert_eq!(kebab("My Server__net.1"), "my-server-net-1");
        assert_eq!(kebab("--a--b--"), "a-b");
        assert_eq!(
            default_destination_name("Prod EU", "ab3xk9"),
            "prod-eu-ab3xk9"
        );
    }

    #[test]
    fn network_names_follow_docker_rule() {
        for good in ["a", "net-1", "A.b_c-d", &"x".repeat(128)] {
            assert!(validate_network_name(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "../x",
            "-rf",
            "with space",
            "ünï",
            ".hidden",
            &"x".repeat(129),
            "a/b",
            "a:b",
        ] {
            assert_eq!(
                validate_network_name(bad),
                Err(Error::InvalidNetworkName(bad.to_string())),
                "{bad}"
            );
        }
    }

    #[test]
    fn hostile_hosts_are_refused() {
        for bad in ["-oProxyCommand=touch /tmp/x", "a b", "host;rm", "", "$(x)"] {
            assert!(validate_host(bad).is_err(), "{bad}");
        }
        for good in [
            "example.com",
            "10.0.0.1",
            "my-alias",
            "[::1]",
            "fe80::1%eth0",
        ] {
            assert!(validate_host(good).is_ok(), "{good}");
        }
    }

    #[test]
    fn display_names_refuse_slashes_and_flags() {
        assert!(validate_display_name("destination", "prod web").is_ok());
        assert!(validate_display_name("destination", "a/b").is_err());
        assert!(validate_display_name("destination", "-x").is_err());
        assert!(validate_display_name("destination", " x").is_err());
        assert!(validate_display_name("destination", "").is_err());
    }

    #[test]
    fn type_follows_mode_and_driver() {
        assert_eq!(
            DestinationType::for_mode(ServerMode::Standalone),
            Ok(DestinationType::Standalone)
        );
        assert_eq!(
            DestinationType::for_mode(ServerMode::SwarmManager),
            Ok(DestinationType::Swarm)
        );
        assert_eq!(
            DestinationType::for_mode(ServerMode::SwarmWorker),
            Err(Error::SwarmWorker)
        );
        assert_eq!(
            DestinationType::for_driver("overlay"),
            DestinationType::Swarm
        );
        assert_eq!(
            DestinationType::for_driver("bridge"),
            DestinationType::Standalone
        );
        assert_eq!(DestinationType::Swarm.driver(), "overlay");
    }

    #[test]
    fn mode_from_swarm_info() {
        assert_eq!(ServerMode::from_swarm(true, true), ServerMode::SwarmManager);
        assert_eq!(ServerMode::from_swarm(true, false), ServerMode::SwarmWorker);
        assert_eq!(ServerMode::from_swarm(false, false), ServerMode::Standalone);
    }

    #[test]
    fn free_names_get_numeric_suffixes() {
        let taken = ["a", "a-2"];
        assert_eq!(first_free_name("a", |n| taken.contains(&n)), "a-3");
        assert_eq!(first_free_name("b", |n| taken.contains(&n)), "b");
    }

    #[test]
    fn exact_messages() {
        assert_eq!(
            Error::ResourcesAttached {
                attached: vec![],
                resources: vec![]
            }
            .to_string(),
            "You must delete all resources before deleting this destination."
        );
        assert_eq!(
            Error::ResourcesAttached {
                attached: vec!["web-1 (running)".into(), "db (exited)".into()],
                resources: vec!["shop".into()]
            }
            .to_string(),
            "You must delete all resources before deleting this destination. Attached: web-1 (running), db (exited); resources: shop"
        );
        assert_eq!(
            Error::NetworkAlreadyAdded.to_string(),
            "Network already added to this server."
        );
        assert_eq!(
            Error::DestinationNameTaken("x".into()).to_string(),
            "A destination named x already exists."
        );
    }
}
