//! What the Docker calls take and return, in the words of the use cases.

use crate::domain::{
    Destination, LABEL_CREATED, LABEL_DESTINATION, LABEL_MANAGED, LABEL_NAME, ServerMode, rfc3339,
};
use std::collections::HashMap;

/// A network as scan and the details view need it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NetworkInfo {
    pub id: String,
    pub name: String,
    pub driver: String,
    pub scope: String,
    pub attachable: bool,
    pub internal: bool,
    pub subnet: Option<String>,
    pub gateway: Option<String>,
    pub labels: HashMap<String, String>,
    pub ipv6: bool,
    /// Driver options (`com.docker.network.driver.mtu`, ...).
    pub options: HashMap<String, String>,
    /// Every address range of the network (IPv4 and IPv6), as its IPAM config lists them.
    pub ipam: Vec<IpamRange>,
    /// Attached containers (name, ID), without an overlay's load-balancer endpoint.
    pub containers: Vec<AttachedContainer>,
    /// Names of the containers started on this network (`HostConfig.NetworkMode`), from
    /// `add_listed`: their home, which they cannot leave while they run.
    pub started_here: Vec<String>,
}

impl NetworkInfo {
    pub fn has_container(&self, name: &str) -> bool {
        self.containers.iter().any(|c| c.name == name)
    }

    /// The network container `name` was started on: removing it would cut that container off.
    pub fn is_home_of(&self, name: &str) -> bool {
        self.started_here.iter().any(|c| c == name)
    }

    /// Nothing but `name` (or nothing at all) is attached.
    pub fn holds_only(&self, name: &str) -> bool {
        self.containers.iter().all(|c| c.name == name)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachedContainer {
    pub name: String,
    pub id: String,
    /// `running`, `exited`, `created`…; an endpoint in the inspect output is a running one.
    pub state: String,
}

/// A container as the list call gives it, with every network it is configured for: the
/// attachments a network inspect does not show (stopped and never-started containers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedContainer {
    pub id: String,
    pub name: String,
    pub state: String,
    /// (key in `NetworkSettings.Networks`, `NetworkID`): the ID is empty for a container that
    /// was created but never started, whose key is then the name or ID it was created with.
    pub networks: Vec<(String, String)>,
    /// The network it was started on (`HostConfig.NetworkMode`).
    pub started_on: Option<String>,
}

impl ListedContainer {
    /// Configured on `network`: by its ID, or — never started, no ID yet — by the name or ID
    /// it was created with.
    pub fn is_on(&self, network: &NetworkInfo) -> bool {
        self.networks.iter().any(|(key, id)| {
            if id.is_empty() {
                *key == network.name || *key == network.id
            } else {
                *id == network.id
            }
        })
    }
}

impl NetworkInfo {
    /// Adds the containers of `listed` configured on this network that its endpoints do not
    /// show (stopped or never started), and gives the endpoints their state. Such containers
    /// count as attached: removing the network would leave them unable to start (§9).
    pub fn add_listed(&mut self, listed: &[ListedContainer]) {
        let on_this: Vec<&ListedContainer> = listed.iter().filter(|c| c.is_on(self)).collect();
        for c in on_this {
            if c.started_on
                .as_deref()
                .is_some_and(|home| home == self.name || home == self.id)
            {
                self.started_here.push(c.name.clone());
            }
            match self.containers.iter_mut().find(|a| a.id == c.id) {
                Some(endpoint) => endpoint.state = c.state.clone(),
                None => self.containers.push(AttachedContainer {
                    name: c.name.clone(),
                    id: c.id.clone(),
                    state: c.state.clone(),
                }),
            }
        }
        self.containers.sort_by(|a, b| a.name.cmp(&b.name));
    }
}

/// A container as an inspect gives it: what the dependency report before a delete reads.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct InspectedContainer {
    pub id: String,
    pub name: String,
    /// `KEY=value` entries of `Config.Env` (values may hold secrets: never print them).
    pub env: Vec<String>,
    /// (network ID, the names it answers to there: aliases and DNS names).
    pub aliases: Vec<(String, Vec<String>)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerInfo {
    pub id: String,
    pub name: String,
    pub running: bool,
    /// The network the container was started on (`HostConfig.NetworkMode`).
    pub started_on: Option<String>,
    /// Names of the networks it is attached to now.
    pub networks: Vec<String>,
}

/// A container with its labels, as a list gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelledContainer {
    pub id: String,
    pub name: String,
    pub image: String,
    pub labels: HashMap<String, String>,
    /// Names of the networks it is attached to.
    pub networks: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DaemonInfo {
    pub mode: ServerMode,
    pub version: String,
}

/// What `create_network` is asked to make.
#[derive(Debug, Clone)]
pub struct NetworkSpec<'a> {
    pub name: &'a str,
    pub driver: &'a str,
    pub attachable: bool,
    pub internal: bool,
    pub subnet: Option<&'a str>,
    pub labels: HashMap<String, String>,
    /// The rest of a destination's network options (DESIGN.md §14); none by default.
    pub shape: Option<&'a crate::domain::NetworkOptions>,
}

/// One IPAM config of a network.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct IpamRange {
    pub subnet: String,
    pub gateway: Option<String>,
    pub ip_range: Option<String>,
}

/// What `run_container` is asked to start.
#[derive(Debug, Clone)]
pub struct ContainerSpec<'a> {
    pub name: &'a str,
    pub image: &'a str,
    /// Run with `/bin/sh -c`; `None` keeps the image's own command.
    pub command: Option<&'a str>,
    /// The network it starts on (full ID).
    pub network: &'a str,
    pub labels: HashMap<String, String>,
}

/// Labels of the network of destination `d` (DESIGN.md §12): the name it was created with
/// (a repair keeps the original one), and when.
pub fn destination_labels(d: &Destination) -> HashMap<String, String> {
    let name = d.original_name.as_ref().unwrap_or(&d.name);
    HashMap::from([
        (LABEL_MANAGED.to_string(), "true".to_string()),
        (LABEL_DESTINATION.to_string(), d.uuid.to_string()),
        (LABEL_NAME.to_string(), name.clone()),
        (LABEL_CREATED.to_string(), rfc3339(d.created_at)),
    ])
}
