//! The domain: servers, destinations, resources, the rules that guard them, and every
//! user-facing message, each written once so tests compare against the same text.

use serde::{Deserialize, Serialize};
use std::fmt;

mod error;
mod ids;
mod validate;

pub use error::*;
pub use ids::{DestinationId, ResourceId, ServerId};
pub use validate::*;

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
/// A destination's description: free text, one line (DESIGN.md §15).
pub const MAX_DESCRIPTION: usize = 500;

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
    pub uuid: ServerId,
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
    /// The address `host` resolves to (`ssh -G`'s hostname, looked up), as of the last add,
    /// edit or check; `None` for a local server or a host that did not resolve. Stored, so
    /// lists never wait on DNS.
    #[serde(default)]
    pub address: Option<String>,
}

impl Server {
    /// Whether `other` is this server reached the same way, under the same name and proxy
    /// (what a watch of it depends on; its last check may differ).
    pub fn same_target(&self, other: &Server) -> bool {
        let target = |s: &Server| {
            (
                s.uuid.clone(),
                s.name.clone(),
                s.host.clone(),
                s.port,
                s.user.clone(),
                s.identity.clone(),
                s.docker_socket.clone(),
                s.local,
                s.proxy_container.clone(),
            )
        };
        target(self) == target(other)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Destination {
    pub uuid: DestinationId,
    pub name: String,
    pub network: String,
    pub network_id: String,
    pub server_uuid: ServerId,
    #[serde(rename = "type")]
    pub kind: DestinationType,
    /// Unix seconds.
    pub created_at: i64,
    /// Free text: what the destination is for (absent in records written before it existed).
    #[serde(default)]
    pub description: Option<String>,
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
    pub uuid: ResourceId,
    pub name: String,
    pub kind: ResourceKind,
    pub image: String,
    pub command: Option<String>,
    pub destination_uuid: DestinationId,
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
    pub server_uuid: ServerId,
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
}
