//! The domain: servers, destinations, resources, the rules that guard them, and every
//! user-facing message, each written once so tests compare against the same text.

use serde::{Deserialize, Serialize};
use std::fmt;

mod error;
mod ids;
mod network_options;
mod validate;

pub use error::*;
pub use ids::{DestinationId, ResourceId, ServerId};
pub use network_options::*;
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

/// Labels on what destui creates (DESIGN.md §12): a crash between creating the network and
/// saving the record is reconciled by them, and another admin's data directory adopts the
/// destination (same uuid, name, type) and its resources from them alone.
pub const LABEL_MANAGED: &str = "destui.managed";
pub const LABEL_DESTINATION: &str = "destui.destination";
/// The destination's name when it was created (a later rename is local to one data directory).
pub const LABEL_NAME: &str = "destui.name";
/// When the destination was created, RFC 3339.
pub const LABEL_CREATED: &str = "destui.created";
pub const LABEL_RESOURCE: &str = "destui.resource";
pub const LABEL_RESOURCE_NAME: &str = "destui.resource.name";
pub const LABEL_RESOURCE_KIND: &str = "destui.resource.kind";

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
    /// Tints the server's name and its destinations in the TUI (DESIGN.md §16): a named
    /// colour or `#rrggbb`, as `normalize_color` writes it; ignored with NO_COLOR.
    #[serde(default)]
    pub color: Option<String>,
    /// Every change on it is refused (`Error::ReadOnly`); its own record stays editable.
    #[serde(default)]
    pub read_only: bool,
}

impl Server {
    /// Whether `other` is this server reached the same way, under the same name and proxy,
    /// read-only or not (what a watch of it depends on; its last check may differ).
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
                s.read_only,
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
    /// The name it was created with, from its network's labels, when it was adopted from
    /// another data directory (a rename here changes `name` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original_name: Option<String>,
    /// How its network was shaped at creation (DESIGN.md §14): repair makes it the same.
    #[serde(default)]
    pub options: NetworkOptions,
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

/// Nanoseconds since the epoch of an RFC 3339 time as the daemon writes it
/// (`2026-11-30T21:30:20.123456789Z`, or with an offset such as `+01:00`).
pub fn rfc3339_nanos(text: &str) -> Option<i64> {
    let (date, time) = text.split_once('T')?;
    let mut ymd = date.splitn(3, '-').map(|p| p.parse::<i64>().ok());
    let (year, month, day) = (ymd.next()??, ymd.next()??, ymd.next()??);
    let (clock, offset) = match time.find(['Z', '+', '-']) {
        Some(at) => time.split_at(at),
        None => return None,
    };
    let offset_secs = match offset {
        "Z" => 0,
        _ => {
            let sign = if offset.starts_with('-') { -1 } else { 1 };
            let (h, m) = offset[1..].split_once(':')?;
            sign * (h.parse::<i64>().ok()? * 3600 + m.parse::<i64>().ok()? * 60)
        }
    };
    let (hms, fraction) = clock.split_once('.').unwrap_or((clock, ""));
    let mut parts = hms.splitn(3, ':').map(|p| p.parse::<i64>().ok());
    let (h, m, sec) = (parts.next()??, parts.next()??, parts.next()??);
    let nanos: i64 = format!("{fraction:0<9}").get(..9)?.parse().ok()?;
    // Days from the civil date (the inverse of `rfc3339`).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let secs = days * 86_400 + h * 3600 + m * 60 + sec - offset_secs;
    Some(secs * 1_000_000_000 + nanos)
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
    /// The name it was deployed with, from its container's labels, when it was adopted from
    /// another data directory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original_name: Option<String>,
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

/// Whether `text` can be a record's uuid (a label read from a daemon is checked before it
/// becomes a key): lower-case letters and digits, as CUID2 makes them.
pub fn is_record_id(text: &str) -> bool {
    (8..=64).contains(&text.len())
        && text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
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
