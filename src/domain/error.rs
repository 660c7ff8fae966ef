//! Every way an action can be refused or fail, with its exact message.

use super::MSG_DELETE_RESOURCES_FIRST;
use super::{MSG_BUILD_SERVER, MSG_NETWORK_ALREADY_ADDED};

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
