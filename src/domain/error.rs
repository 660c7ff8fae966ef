//! Every way an action can be refused or fail, with its exact message.

use std::fmt;

use super::MSG_DELETE_RESOURCES_FIRST;
use super::{MSG_BUILD_SERVER, MSG_NETWORK_ALREADY_ADDED};

/// Every way an action can be refused or fail, with the one line the user sees.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum Error {
    #[error("{0}")]
    Invalid(String),
    /// A network option refused before any remote call (each front end names the option).
    #[error("{0}")]
    BadOption(super::OptionRefusal),
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
    /// A runtime or control directory that others could use to swap a forwarded socket.
    #[error(
        "the {what} {dir} {problem}: remove it (destui makes its own, private), or set DESTUI_RUNTIME_DIR to a directory of your own"
    )]
    RuntimeDirNotPrivate {
        what: &'static str,
        dir: String,
        problem: String,
    },
    /// A numeric setting (config file or environment) outside its documented range.
    #[error("{setting} {problem}: give {range}{place}")]
    SettingOutOfRange {
        /// `key = value` (config file) or `VAR=value` (environment).
        setting: String,
        problem: &'static str,
        range: String,
        /// Where it was read: ` in [ssh] of <file>`, or what to do with a variable.
        place: String,
    },
    #[error(
        "the description is {0} characters long: shorten it to at most 500 (or give \"\" to clear it)"
    )]
    DescriptionTooLong(usize),
    #[error(
        "the description contains control or invisible characters (a line break, a tab, an escape…): write it as one line of plain text"
    )]
    DescriptionUnsafe,
    #[error("A destination named {0} already exists.")]
    DestinationNameTaken(String),
    #[error("A server named {0} already exists.")]
    ServerNameTaken(String),
    /// `server add` (and the TUI's dialog) of a server that reaches the Docker of one recorded
    /// already: `target` says what they share.
    #[error(
        "server {server} reaches the same Docker as server {existing} ({target}): use {existing}, or edit it"
    )]
    SameDocker {
        server: String,
        existing: String,
        target: String,
    },
    #[error("{}", MSG_NETWORK_ALREADY_ADDED)]
    NetworkAlreadyAdded,
    #[error("{}", MSG_BUILD_SERVER)]
    BuildServer,
    #[error(
        "This server is a swarm worker: Docker creates swarm networks only on managers. Add the destination on a swarm manager of the same swarm."
    )]
    SwarmWorker,
    #[error(
        "A network named {network} already exists on {server} but is not a destination{}",
        Hint::import(.server, .network)
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
        "Server {server} has {count} destination(s){}",
        Hint::on_server(.server, |server| Hint::EmptyServer { server })
    )]
    ServerHasDestinations { server: String, count: usize },
    #[error("no server named {0}{hint}", hint = Hint::ListServers)]
    ServerNotFound(String),
    #[error("no destination {0}{hint}", hint = Hint::ListDestinations)]
    DestinationNotFound(String),
    #[error("no resource {0}{hint}", hint = Hint::ListResources)]
    ResourceNotFound(String),
    #[error("A resource named {0} already exists.")]
    ResourceNameTaken(String),
    #[error(
        "{server} has no destination yet{}",
        Hint::on_server(.server, |server| Hint::CreateDestination { server })
    )]
    NoDestination { server: String },
    #[error(
        "{server} has {} destinations{}", .candidates.len(),
        Hint::choose(.candidates)
    )]
    DestinationChoice {
        server: String,
        candidates: Vec<String>,
    },
    #[error(
        "Docker on {server} has run out of address pools (could not find an available, non-overlapping IPv4 address pool){}",
        Hint::FreeAddressPools
    )]
    AddressPoolsExhausted { server: String },
    /// The daemon said IPv6: a fallback IPv4 pool or `--subnet` does not help.
    #[error(
        "Docker on {server} has no IPv6 address pool for a new network (could not find an available, non-overlapping IPv6 address pool){}",
        Hint::FreeIpv6AddressPools
    )]
    Ipv6AddressPoolsExhausted { server: String },
    /// A change whose request went out and whose answer never came, and the server could not
    /// be asked again: its intent stays, and the next contact with the server settles it.
    #[error(
        "the connection to {server} was lost during {action}: it is settled on the next contact"
    )]
    ConnectionLost { server: String, action: String },
    #[error("server {server} is unreachable: {detail}")]
    Unreachable { server: String, detail: String },
    /// What answered on the server's Docker socket is not the Docker API (or a daemon gone
    /// wrong: an endless, slow or garbled reply). Nothing it said is trusted.
    #[error("the Docker API on {server} answered something that is not the Docker API: {why}")]
    NotDockerApi { server: String, why: String },
    /// The server could not be used because of one of its settings (the login, the socket's
    /// path): the hint says which.
    #[error("server {server} is unreachable: {detail}{hint}")]
    WrongSetting {
        server: String,
        detail: String,
        hint: Hint,
    },
    /// A delete whose server cannot be reached: the record stays.
    #[error(
        "server {server} is unreachable: {detail}; the destination {destination} is kept{}",
        Hint::force_delete(.destination)
    )]
    UnreachableKept {
        server: String,
        destination: String,
        detail: String,
    },
    /// The check of a server being added failed: nothing was saved.
    #[error(
        "{cause}. Nothing was saved: fix the server's settings{}",
        Hint::AddWithoutCheck
    )]
    ServerCheckFailed { cause: Box<Error> },
    #[error("{server} is no longer a swarm manager{}", Hint::on_server(.server, |server| Hint::CheckServer { server }))]
    NoLongerSwarmManager { server: String },
    #[error(
        "no network named {network} on {server}{}",
        Hint::on_server(.server, |server| Hint::ScanServer { server })
    )]
    NoSuchNetwork { server: String, network: String },
    #[error(
        "the host key of {server} is not known or has changed{}",
        Hint::on_server(.server, |server| Hint::TrustHostKey { server })
    )]
    HostKeyUnknown { server: String },
    /// The server is marked read-only (DESIGN.md §16): nothing on it may change.
    #[error("server {0} is read-only")]
    ReadOnly(String),
    #[error("Docker on {server}: {detail}")]
    Docker { server: String, detail: String },
    #[error("another destui is using {0}: close it, or pass a different --db")]
    StoreLocked(String),
    #[error(
        "a destui TUI is already open on {dir} (pid {pid}): use that one (commands run through it), or pass a different --db"
    )]
    TuiAlreadyOpen { dir: String, pid: u32 },
    #[error(
        "the data directory {dir} was written by a newer destui (schema {found}, this one knows {supported}): upgrade destui, or pass a different --db"
    )]
    SchemaTooNew {
        dir: String,
        found: u32,
        supported: u32,
    },
    #[error("the disk holding the data directory {0} is full: free some space, then try again")]
    DiskFull(String),
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
    /// What the admin can do about it, when there is something to do.
    pub fn hint(&self) -> Option<Hint> {
        Some(match self {
            Error::NetworkExists { server, network } => Hint::ImportNetwork {
                server: server.clone(),
                network: network.clone(),
            },
            Error::ServerHasDestinations { server, .. } => Hint::EmptyServer {
                server: server.clone(),
            },
            Error::ServerNotFound(_) => Hint::ListServers,
            Error::DestinationNotFound(_) => Hint::ListDestinations,
            Error::ResourceNotFound(_) => Hint::ListResources,
            Error::NoDestination { server } => Hint::CreateDestination {
                server: server.clone(),
            },
            Error::DestinationChoice { candidates, .. } => Hint::ChooseDestination {
                candidates: candidates.clone(),
            },
            Error::AddressPoolsExhausted { .. } => Hint::FreeAddressPools,
            Error::Ipv6AddressPoolsExhausted { .. } => Hint::FreeIpv6AddressPools,
            Error::HostKeyUnknown { server } => Hint::TrustHostKey {
                server: server.clone(),
            },
            Error::UnreachableKept { destination, .. } => Hint::ForceDelete {
                destination: destination.clone(),
            },
            Error::ServerCheckFailed { .. } => Hint::AddWithoutCheck,
            Error::WrongSetting { hint, .. } => hint.clone(),
            Error::NoLongerSwarmManager { server } => Hint::CheckServer {
                server: server.clone(),
            },
            Error::NoSuchNetwork { server, .. } => Hint::ScanServer {
                server: server.clone(),
            },
            _ => return None,
        })
    }

    /// The message without its hint, for a front end that says the hint its own way.
    pub fn reason(&self) -> String {
        without_hint(self.to_string(), self.hint())
    }

    /// Errors that mean "we could not talk to the server", as opposed to "the server said no".
    pub fn is_unreachable(&self) -> bool {
        self.unreachable_server().is_some()
    }

    /// The name of the server that could not be reached, for an error that says so.
    pub fn unreachable_server(&self) -> Option<&str> {
        match self {
            Error::Unreachable { server, .. }
            | Error::NotDockerApi { server, .. }
            | Error::WrongSetting { server, .. }
            | Error::UnreachableKept { server, .. }
            | Error::HostKeyUnknown { server } => Some(server),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The command line says every message as it did before hints were typed: the reason,
    /// then the hint's command-line phrasing; `reason()` is the line without it.
    #[test]
    #[allow(clippy::too_many_lines)] // a room to split (issue 29)
    fn hinted_messages_read_as_one_line_and_split_at_the_hint() {
        let s = || "web".to_string();
        let cases = [
            (
                Error::NetworkExists {
                    server: s(),
                    network: "net".into(),
                },
                "A network named net already exists on web but is not a destination: import it with `destui import web net`.",
                "A network named net already exists on web but is not a destination",
            ),
            (
                Error::ServerHasDestinations {
                    server: s(),
                    count: 2,
                },
                "Server web has 2 destination(s): delete them first (`destui destination list --server web`), or forget the server with `destui server remove web --force`.",
                "Server web has 2 destination(s)",
            ),
            (
                Error::DestinationNotFound("x".into()),
                "no destination x: give its name, uuid or server/network (see `destui destination list`)",
                "no destination x",
            ),
            (
                Error::DestinationChoice {
                    server: s(),
                    candidates: vec!["a".into(), "b".into()],
                },
                "web has 2 destinations: choose one with --destination (a, b)",
                "web has 2 destinations",
            ),
            (
                Error::HostKeyUnknown { server: s() },
                "the host key of web is not known or has changed: check it, then run `destui server trust web`",
                "the host key of web is not known or has changed",
            ),
            (
                Error::UnreachableKept {
                    server: s(),
                    destination: "d".into(),
                    detail: "timed out".into(),
                },
                "server web is unreachable: timed out; the destination d is kept. To forget the record anyway, run `destui destination delete d --force` (the network may then remain on the server)",
                "server web is unreachable: timed out; the destination d is kept",
            ),
            (
                Error::ServerCheckFailed {
                    cause: Box::new(Error::HostKeyUnknown { server: s() }),
                },
                "the host key of web is not known or has changed: check it, then run `destui server trust web`. Nothing was saved: fix the server's settings, or add it with --no-check and check it later.",
                "the host key of web is not known or has changed: check it, then run `destui server trust web`. Nothing was saved: fix the server's settings",
            ),
            (
                Error::WrongSetting {
                    server: s(),
                    detail: "no Docker socket at /x on h: start the Docker daemon there, or set the right path".into(),
                    hint: Hint::SocketPath,
                },
                "server web is unreachable: no Docker socket at /x on h: start the Docker daemon there, or set the right path with --docker-socket",
                "server web is unreachable: no Docker socket at /x on h: start the Docker daemon there, or set the right path",
            ),
            (
                Error::NoSuchNetwork {
                    server: s(),
                    network: "n".into(),
                },
                "no network named n on web: run `destui scan web` to see what can be imported",
                "no network named n on web",
            ),
        ];
        for (error, line, reason) in cases {
            assert_eq!(error.to_string(), line);
            assert_eq!(error.reason(), reason);
            assert!(error.hint().is_some(), "{line}");
        }
        assert_eq!(Error::BuildServer.hint(), None);
        assert_eq!(Error::BuildServer.reason(), MSG_BUILD_SERVER);
        assert!(
            Error::UnreachableKept {
                server: s(),
                destination: s(),
                detail: s()
            }
            .is_unreachable()
        );
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

/// The message `text` without the command-line phrasing of `hint` at its end.
fn without_hint(text: String, hint: Option<Hint>) -> String {
    match hint {
        Some(hint) => match text.strip_suffix(&hint.to_string()) {
            Some(reason) => reason.to_string(),
            None => text,
        },
        None => text,
    }
}

/// What the admin can do next about a refusal or a warning. Its `Display` is the command-line
/// phrasing: what the CLI prints, and what records and JSON keep (scripts read them). The TUI
/// says the same with its own keys (`tui::hints`). Each phrasing starts with its separator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Hint {
    ImportNetwork {
        server: String,
        network: String,
    },
    /// Delete a server's destinations, or forget the server with them.
    EmptyServer {
        server: String,
    },
    ListServers,
    ListDestinations,
    ListResources,
    CreateDestination {
        server: String,
    },
    ChooseDestination {
        candidates: Vec<String>,
    },
    FreeAddressPools,
    FreeIpv6AddressPools,
    TrustHostKey {
        server: String,
    },
    /// Forget a destination's record while its server cannot be reached.
    ForceDelete {
        destination: String,
    },
    AddWithoutCheck,
    CheckServer {
        server: String,
    },
    ScanServer {
        server: String,
    },
    /// Repair once the proxy runs.
    RepairWhenProxyRuns,
    /// Log in as another user or with another key.
    OtherLogin,
    /// Give the right path of the server's Docker socket.
    SocketPath,
}

/// Constructors for the `#[error]` attributes above, which see fields by reference.
impl Hint {
    fn import(server: &str, network: &str) -> Self {
        Hint::ImportNetwork {
            server: server.to_string(),
            network: network.to_string(),
        }
    }

    fn on_server(server: &str, hint: fn(String) -> Hint) -> Self {
        hint(server.to_string())
    }

    fn choose(candidates: &[String]) -> Self {
        Hint::ChooseDestination {
            candidates: candidates.to_vec(),
        }
    }

    fn force_delete(destination: &str) -> Self {
        Hint::ForceDelete {
            destination: destination.to_string(),
        }
    }
}

impl fmt::Display for Hint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Hint::ImportNetwork { server, network } => {
                write!(f, ": import it with `destui import {server} {network}`.")
            }
            Hint::EmptyServer { server } => write!(
                f,
                ": delete them first (`destui destination list --server {server}`), or forget the server with `destui server remove {server} --force`."
            ),
            Hint::ListServers => f.write_str(": see `destui server list`"),
            Hint::ListDestinations => f.write_str(
                ": give its name, uuid or server/network (see `destui destination list`)",
            ),
            Hint::ListResources => f.write_str(": see `destui resource list`"),
            Hint::CreateDestination { server } => write!(
                f,
                ": create one with `destui destination create --server {server}`"
            ),
            Hint::ChooseDestination { candidates } => write!(
                f,
                ": choose one with --destination ({})",
                candidates.join(", ")
            ),
            Hint::FreeAddressPools => f.write_str(
                ": remove unused networks, widen `default-address-pools` in /etc/docker/daemon.json, or pass --subnet CIDR.",
            ),
            Hint::FreeIpv6AddressPools => f.write_str(
                ": pass --subnet6 CIDR, or add an IPv6 entry to `default-address-pools` in /etc/docker/daemon.json.",
            ),
            Hint::TrustHostKey { server } => {
                write!(f, ": check it, then run `destui server trust {server}`")
            }
            Hint::ForceDelete { destination } => write!(
                f,
                ". To forget the record anyway, run `destui destination delete {destination} --force` (the network may then remain on the server)"
            ),
            Hint::AddWithoutCheck => {
                f.write_str(", or add it with --no-check and check it later.")
            }
            Hint::CheckServer { server } => write!(f, ": run `destui server check {server}`"),
            Hint::ScanServer { server } => write!(
                f,
                ": run `destui scan {server}` to see what can be imported"
            ),
            Hint::RepairWhenProxyRuns => f.write_str(" (then `destui destination repair`)"),
            Hint::OtherLogin => f.write_str(" (--user, --identity, or your ssh config)"),
            Hint::SocketPath => f.write_str(" with --docker-socket"),
        }
    }
}

/// Something that went wrong without stopping the action, and what can be done about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    pub text: String,
    pub hint: Option<Hint>,
}

impl Warning {
    pub fn with_hint(text: impl Into<String>, hint: Hint) -> Self {
        Warning {
            text: text.into(),
            hint: Some(hint),
        }
    }
}

impl From<String> for Warning {
    fn from(text: String) -> Self {
        Warning { text, hint: None }
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)?;
        match &self.hint {
            Some(hint) => write!(f, "{hint}"),
            None => Ok(()),
        }
    }
}
