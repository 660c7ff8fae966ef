//! What the use cases take and return; the outputs' field names are the JSON keys of
//! DESIGN.md §2.

use super::*;
use std::fmt;

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
    /// A named colour or `#rrggbb` (`domain::normalize_color`); none when absent.
    pub color: Option<String>,
    pub read_only: bool,
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
    /// `Some("")` or `Some("none")` clears it.
    pub color: Option<String>,
    pub read_only: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewDestination {
    pub server: String,
    pub name: Option<String>,
    pub network: Option<String>,
    /// A CIDR, `auto` or `auto:POOL` (DESIGN.md §14).
    pub subnet: Option<String>,
    pub internal: bool,
    /// Free text (DESIGN.md §15); empty or absent: none.
    pub description: Option<String>,
    pub ipv6: bool,
    pub subnet6: Option<String>,
    pub mtu: Option<u32>,
    pub gateway: Option<String>,
    pub ip_range: Option<String>,
    /// `K=V` each.
    pub labels: Vec<String>,
    /// Driver options, `K=V` each.
    pub opts: Vec<String>,
}

impl NewDestination {
    pub fn options_asked(&self) -> domain::OptionsAsked {
        domain::OptionsAsked {
            subnet: self.subnet.clone(),
            internal: self.internal,
            ipv6: self.ipv6,
            subnet6: self.subnet6.clone(),
            mtu: self.mtu,
            gateway: self.gateway.clone(),
            ip_range: self.ip_range.clone(),
            labels: self.labels.clone(),
            opts: self.opts.clone(),
        }
    }
}

/// What `destination edit` changes: the name, the description (`Some("")` clears it), or both.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DestinationEdit {
    pub name: Option<String>,
    pub description: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ServerView {
    pub uuid: ServerId,
    pub name: String,
    pub host: String,
    pub port: Option<u16>,
    pub user: Option<String>,
    /// The private key file (absolute; null: ssh's own choice).
    pub identity: Option<String>,
    pub docker_socket: String,
    pub local: bool,
    pub build_server: bool,
    pub proxy_container: String,
    pub mode: ServerMode,
    pub online: bool,
    pub last_error: Option<String>,
    pub docker_version: Option<String>,
    pub checked_at: Option<String>,
    /// What the host resolves to (null for a local server, or a host that did not resolve).
    pub address: Option<String>,
    /// A named colour or `#rrggbb` (DESIGN.md §16); null when none.
    pub color: Option<String>,
    pub read_only: bool,
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
            identity: s.identity.clone(),
            docker_socket: s.docker_socket.clone(),
            local: s.local,
            build_server: s.build_server,
            proxy_container: s.proxy_container.clone(),
            mode: s.mode,
            online: s.online,
            last_error: s.last_error.clone(),
            docker_version: s.docker_version.clone(),
            checked_at: s.checked_at.map(rfc3339),
            address: s.address.clone(),
            color: s.color.clone(),
            read_only: s.read_only,
        }
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DestinationView {
    pub uuid: DestinationId,
    pub name: String,
    pub network: String,
    pub network_id: String,
    #[serde(rename = "type")]
    pub kind: DestinationType,
    pub server: String,
    pub server_uuid: ServerId,
    /// The address the server's host resolves to (`Server::address`); null when unknown.
    pub server_ip: Option<String>,
    pub created_at: String,
    pub description: Option<String>,
    /// The name it was created with elsewhere, when it differs from its name here (a rename
    /// is local to one data directory: DESIGN.md §12).
    pub original_name: Option<String>,
    /// The /24 destui picked for it (`--subnet auto`, or Docker's pools used up); only
    /// when one was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subnet_picked: Option<String>,
    /// The server's host as configured (an ssh alias, a hostname or an IP), for the text that
    /// shows it beside its address.
    #[serde(skip)]
    pub server_host: String,
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
            server_ip: server.and_then(|s| s.address.clone()),
            created_at: rfc3339(d.created_at),
            description: d.description.clone(),
            original_name: d.original_name.clone().filter(|o| *o != d.name),
            subnet_picked: None,
            server_host: server.map(|s| s.host.clone()).unwrap_or_default(),
        }
    }

    /// `prod (prod-1 → 203.0.113.5)`: the server, its host, and the address that resolves to
    /// when it is known and says more than the host.
    pub fn server_label(&self) -> String {
        match &self.server_ip {
            Some(ip) if *ip != self.server_host => {
                format!("{} ({} → {ip})", self.server, self.server_host)
            }
            _ => format!("{} ({})", self.server, self.server_host),
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
    /// Network options (DESIGN.md §14), as the daemon reports them.
    pub ipv6: Option<bool>,
    pub mtu: Option<u32>,
    pub ip_range: Option<String>,
    /// Driver options, sorted.
    pub options: BTreeMap<String, String>,
    /// Every subnet of the network, IPv4 and IPv6.
    pub subnets: Vec<String>,
    /// Sorted, so that the JSON is the same bytes every time.
    pub labels: BTreeMap<String, String>,
    pub containers: Vec<ContainerRef>,
    pub proxy_connected: Option<bool>,
    pub resources: Vec<String>,
    /// Each resource's live state by name (`running`, `stopped`, `missing`); empty when the
    /// server could not be asked.
    pub resource_status: BTreeMap<String, ResourceStatus>,
    pub status: HealthStatus,
    pub detail: Option<String>,
    /// A swarm overlay's containers on the other nodes destui knows (DESIGN.md §13): keys
    /// `elsewhere` and `this_node_only`; `containers` are this node's.
    #[serde(flatten)]
    pub nodes: OtherNodes,
}

impl DestinationDetails {
    /// The resources as the details show them: `shop (running)`, or the name alone when its
    /// state is unknown.
    pub fn resources_with_status(&self) -> Vec<String> {
        self.resources
            .iter()
            .map(|name| match self.resource_status.get(name) {
                Some(status) => format!("{name} ({})", status.as_str()),
                None => name.clone(),
            })
            .collect()
    }
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
    /// The destination's name (as the report shows it) and uuid (what a rename keeps).
    pub destination: String,
    pub uuid: DestinationId,
    pub status: HealthStatus,
    pub detail: Option<String>,
    /// The network is there with nothing but the proxy attached and no resource assigned:
    /// left behind, a candidate for a (bulk) delete.
    pub unused: bool,
    /// Containers configured on the network, the proxy not counted (`None`: not known); on
    /// a swarm manager, with those on the other nodes (`nodes`).
    #[serde(skip)]
    pub containers: Option<usize>,
    /// A swarm overlay's containers on other nodes (DESIGN.md §13): keys `elsewhere` and
    /// `this_node_only`.
    #[serde(flatten)]
    pub nodes: OtherNodes,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ScanRow {
    pub network: String,
    pub id: String,
    pub driver: String,
    pub scope: String,
    pub containers: Vec<String>,
    /// What the network is to destui (DESIGN.md §3).
    pub role: NetworkRole,
    pub importable: bool,
    pub reason: Option<String>,
    pub unused: bool,
    /// A swarm overlay's containers on other nodes (DESIGN.md §13): keys `elsewhere` and
    /// `this_node_only`.
    #[serde(flatten)]
    pub nodes: OtherNodes,
}

/// What a scanned network is to destui, as Coolify's network catalog classifies them: the
/// proxy's own, a destination already, a service stack's isolated network, or another network
/// (importable, or not for the reason the row gives). Docker's own networks are never listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NetworkRole {
    /// The network the proxy container was started on: never a destination, never unused.
    ProxyNetwork,
    /// Already a destination on this server.
    Destination,
    /// The isolated network of a service stack (by its resource's name, or uuid when this
    /// data directory does not know the resource).
    Stack {
        resource: String,
    },
    Importable,
    /// Made for a destination by another data directory (its labels say so): importing it
    /// adopts it whole (DESIGN.md §12).
    MadeElsewhere {
        name: String,
    },
    /// Another network that cannot be imported (the row's reason says why).
    Other,
}

impl fmt::Display for NetworkRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NetworkRole::ProxyNetwork => f.write_str("proxy network"),
            NetworkRole::Destination => f.write_str("destination"),
            NetworkRole::Stack { resource } => write!(f, "stack of {resource}"),
            NetworkRole::Importable => f.write_str("importable"),
            NetworkRole::MadeElsewhere { name } => write!(f, "made elsewhere: {name}"),
            NetworkRole::Other => f.write_str("other"),
        }
    }
}

/// In JSON as the words the table shows.
impl Serialize for NetworkRole {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

pub use crate::remote::known_hosts::HostKeys;

pub use crate::domain::rfc3339;
