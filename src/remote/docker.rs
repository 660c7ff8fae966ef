//! The Docker API (bollard) on a unix socket: the local one, or the forwarded one of a remote
//! server. Every call that names a network uses its full ID; names are only compared exactly
//! (the daemon's name filter is an unanchored pattern and its path lookup falls back to ID
//! prefixes).

use crate::domain::{LABEL_DESTINATION, LABEL_MANAGED, ServerMode};
use bollard::Docker;
use bollard::errors::Error as BollardError;
use bollard::models::{
    LocalNodeState, NetworkConnectRequest, NetworkCreateRequest, NetworkDisconnectRequest,
};
use bollard::query_parameters::{InspectNetworkOptions, ListNetworksOptions};
use std::collections::HashMap;

/// Seconds a single Docker API request may take before it is abandoned.
const REQUEST_TIMEOUT_SECS: u64 = 60;

/// What a daemon said, sorted into the cases the use cases act on (see `classify`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DockerError {
    #[error("not found: {0}")]
    NotFound(String),
    #[error("{0}")]
    NameExists(String),
    #[error("{0}")]
    ActiveEndpoints(String),
    /// A swarm manager still holds an attachment task for a container that has left; it
    /// lets go within seconds, unless a service really uses the network.
    #[error("{0}")]
    InUseByTask(String),
    #[error("{0}")]
    AlreadyConnected(String),
    #[error("{0}")]
    NotConnected(String),
    #[error("{0}")]
    NotSwarmManager(String),
    #[error("{0}")]
    AddressPoolsExhausted(String),
    #[error("permission denied on the Docker socket: {0}")]
    PermissionDenied(String),
    /// The socket or the link behind it did not answer.
    #[error("{0}")]
    Transport(String),
    /// A request got no answer in time (a stalled link, a frozen server or daemon).
    #[error("{0}")]
    Stalled(String),
    #[error("{0}")]
    Other(String),
}

/// Maps a bollard error to the one case that matters, in one place.
pub fn classify(err: BollardError) -> DockerError {
    match err {
        BollardError::DockerResponseServerError {
            status_code,
            message,
        } => {
            let lower = message.to_lowercase();
            if lower.contains("non-overlapping") && lower.contains("address pool") {
                DockerError::AddressPoolsExhausted(message)
            } else if lower.contains("active endpoints") {
                DockerError::ActiveEndpoints(message)
            } else if lower.contains("in use by task") {
                DockerError::InUseByTask(message)
            } else if lower.contains("already exists in network")
                || lower.contains("already connected")
            {
                DockerError::AlreadyConnected(message)
            } else if lower.contains("is not connected") {
                DockerError::NotConnected(message)
            } else if lower.contains("not a swarm manager")
                || lower.contains("swarm") && status_code == 503
            {
                DockerError::NotSwarmManager(message)
            } else if status_code == 404 {
                DockerError::NotFound(message)
            } else if status_code == 409 || lower.contains("already exists") {
                DockerError::NameExists(message)
            } else {
                DockerError::Other(format!("{message} (HTTP {status_code})"))
            }
        }
        BollardError::SocketNotFoundError(path) => {
            DockerError::Transport(format!("socket {path} does not exist"))
        }
        BollardError::RequestTimeoutError => DockerError::Stalled(
            "it stopped answering: no reply in time (a stalled link, a frozen server, or a hung Docker daemon): check that the server is up and Docker answers there, then try again".into(),
        ),
        BollardError::IOError { err } if err.kind() == std::io::ErrorKind::PermissionDenied => {
            DockerError::PermissionDenied(err.to_string())
        }
        other => {
            let text = other.to_string();
            if text.to_lowercase().contains("permission denied") {
                DockerError::PermissionDenied(text)
            } else {
                DockerError::Transport(text)
            }
        }
    }
}

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
    /// Attached containers (name, ID), without an overlay's load-balancer endpoint.
    pub containers: Vec<AttachedContainer>,
}

impl NetworkInfo {
    pub fn has_container(&self, name: &str) -> bool {
        self.containers.iter().any(|c| c.name == name)
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

/// Labels of a destui-created network for destination `uuid`.
pub fn destination_labels(uuid: &str) -> HashMap<String, String> {
    HashMap::from([
        (LABEL_MANAGED.to_string(), "true".to_string()),
        (LABEL_DESTINATION.to_string(), uuid.to_string()),
    ])
}

#[derive(Clone, Debug)]
pub struct DockerApi {
    docker: Docker,
}

impl DockerApi {
    /// Connects to a unix socket (keep-alive: the requests share connections), proves it
    /// answers (`/_ping`), and settles the API version with the daemon (old daemons refuse
    /// newer versions, new ones drop old versions) — once per socket: the version is
    /// remembered (`transport::remembered_version`).
    pub async fn connect(socket: &str) -> Result<Self, DockerError> {
        let remembered = super::transport::remembered_version(socket);
        let version = remembered.unwrap_or(*bollard::API_DEFAULT_VERSION);
        let docker = super::transport::pooled(socket, REQUEST_TIMEOUT_SECS, &version, None)
            .map_err(classify)?;
        docker.ping().await.map_err(classify)?;
        if remembered.is_some() {
            return Ok(DockerApi { docker });
        }
        let docker = docker.negotiate_version().await.map_err(classify)?;
        super::transport::remember(socket, &docker.client_version(), true);
        Ok(DockerApi { docker })
    }

    /// A client on a forward whose master is known to be up and whose daemon's API version is
    /// remembered: no request is spent here; the first real one proves the socket, and must be
    /// answered within `within` (see `transport::pooled`).
    pub fn unproven(socket: &str, within: std::time::Duration) -> Option<Self> {
        let version = super::transport::remembered_version(socket)?;
        super::transport::pooled(socket, REQUEST_TIMEOUT_SECS, &version, Some(within))
            .ok()
            .map(|docker| DockerApi { docker })
    }

    pub async fn ping(&self) -> Result<(), DockerError> {
        self.docker.ping().await.map(|_| ()).map_err(classify)
    }

    pub async fn info(&self) -> Result<DaemonInfo, DockerError> {
        let info = self.docker.info().await.map_err(classify)?;
        let (active, control) = info
            .swarm
            .as_ref()
            .map(|s| {
                (
                    s.local_node_state == Some(LocalNodeState::ACTIVE),
                    s.control_available.unwrap_or(false),
                )
            })
            .unwrap_or((false, false));
        Ok(DaemonInfo {
            mode: ServerMode::from_swarm(active, control),
            version: info.server_version.unwrap_or_default(),
        })
    }

    pub async fn create_network(&self, spec: &NetworkSpec<'_>) -> Result<String, DockerError> {
        let ipam = spec.subnet.map(|subnet| bollard::models::Ipam {
            config: Some(vec![bollard::models::IpamConfig {
                subnet: Some(subnet.to_string()),
                ..Default::default()
            }]),
            ..Default::default()
        });
        let request = NetworkCreateRequest {
            name: spec.name.to_string(),
            driver: Some(spec.driver.to_string()),
            attachable: Some(spec.attachable),
            internal: Some(spec.internal),
            labels: Some(spec.labels.clone()),
            ipam,
            ..Default::default()
        };
        let created = self
            .docker
            .create_network(request)
            .await
            .map_err(classify)?;
        // The daemon's own answer decides whether the name is taken (no list beforehand): newer
        // daemons refuse with 409; older ones (API < 1.44, where destui cannot ask for the
        // check) create a second network and warn. That one is taken back at once.
        if created.warning.contains("already exists") {
            self.remove_network(&created.id).await?;
            return Err(DockerError::NameExists(created.warning));
        }
        Ok(created.id)
    }

    /// The network with exactly this name, if any (the list filter matches substrings).
    pub async fn network_named(&self, name: &str) -> Result<Option<NetworkInfo>, DockerError> {
        let options = ListNetworksOptions {
            filters: Some(HashMap::from([(
                "name".to_string(),
                vec![name.to_string()],
            )])),
        };
        let listed = self
            .docker
            .list_networks(Some(options))
            .await
            .map_err(classify)?;
        Ok(listed
            .into_iter()
            .find(|n| n.name.as_deref() == Some(name))
            .map(summary_of))
    }

    /// Networks carrying a label (`key=value`), e.g. the one created for a destination uuid.
    pub async fn networks_labelled(&self, label: &str) -> Result<Vec<NetworkInfo>, DockerError> {
        let options = ListNetworksOptions {
            filters: Some(HashMap::from([(
                "label".to_string(),
                vec![label.to_string()],
            )])),
        };
        let listed = self
            .docker
            .list_networks(Some(options))
            .await
            .map_err(classify)?;
        Ok(listed.into_iter().map(summary_of).collect())
    }

    /// Every network, without attached containers (the list call does not fill them).
    pub async fn networks(&self) -> Result<Vec<NetworkInfo>, DockerError> {
        let listed = self.docker.list_networks(None).await.map_err(classify)?;
        Ok(listed.into_iter().map(summary_of).collect())
    }

    /// Full details by ID; `None` when the network is gone.
    pub async fn inspect_network(&self, id: &str) -> Result<Option<NetworkInfo>, DockerError> {
        match self
            .docker
            .inspect_network(id, None::<InspectNetworkOptions>)
            .await
            .map_err(classify)
        {
            Ok(n) => {
                let mut info = NetworkInfo {
                    id: n.id.unwrap_or_default(),
                    name: n.name.unwrap_or_default(),
                    driver: n.driver.unwrap_or_default(),
                    scope: n.scope.unwrap_or_default(),
                    attachable: n.attachable.unwrap_or(false),
                    internal: n.internal.unwrap_or(false),
                    labels: n.labels.unwrap_or_default(),
                    ..Default::default()
                };
                (info.subnet, info.gateway) = first_ipam(n.ipam.as_ref());
                let lb_key = format!("lb-{}", info.name);
                let lb_name = format!("{}-endpoint", info.name);
                let mut containers: Vec<AttachedContainer> = n
                    .containers
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|(key, c)| {
                        *key != lb_key && c.name.as_deref() != Some(lb_name.as_str())
                    })
                    .map(|(id, c)| AttachedContainer {
                        name: c.name.unwrap_or_default(),
                        id,
                        state: "running".to_string(),
                    })
                    .collect();
                containers.sort_by(|a, b| a.name.cmp(&b.name));
                info.containers = containers;
                // Docker resolves a path segment by ID, then name, then ID prefix: make sure
                // the answer is the network that was asked for.
                if info.id != id && info.name != id {
                    return Ok(None);
                }
                Ok(Some(info))
            }
            Err(DockerError::NotFound(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Removes by full ID; already gone is fine. A swarm attachment task left by a container
    /// that just went away is waited out (bounded); one that stays means a service uses the
    /// network, which is reported as active endpoints.
    pub async fn remove_network(&self, id: &str) -> Result<(), DockerError> {
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            match self.docker.remove_network(id).await.map_err(classify) {
                Ok(()) | Err(DockerError::NotFound(_)) => return Ok(()),
                Err(DockerError::InUseByTask(message)) => {
                    if tokio::time::Instant::now() >= deadline {
                        return Err(DockerError::ActiveEndpoints(message));
                    }
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// A swarm manager answers a network removal before the network is gone: wait (bounded)
    /// so that "deleted" means gone and the name can be used again at once.
    pub async fn wait_until_gone(&self, id: &str) -> Result<(), DockerError> {
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
        while self.inspect_network(id).await?.is_some() {
            if tokio::time::Instant::now() >= deadline {
                return Err(DockerError::Other(format!(
                    "network {id} was removed but is still listed after 10s"
                )));
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
        Ok(())
    }

    /// Connecting a container that is already connected is fine.
    pub async fn connect_container(
        &self,
        network_id: &str,
        container: &str,
    ) -> Result<(), DockerError> {
        let request = NetworkConnectRequest {
            container: container.to_string(),
            ..Default::default()
        };
        match self
            .docker
            .connect_network(network_id, request)
            .await
            .map_err(classify)
        {
            Ok(()) | Err(DockerError::AlreadyConnected(_)) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Disconnecting a container that is not connected (or no longer exists) is fine.
    pub async fn disconnect_container(
        &self,
        network_id: &str,
        container: &str,
    ) -> Result<(), DockerError> {
        let request = NetworkDisconnectRequest {
            container: container.to_string(),
            force: Some(false),
        };
        match self
            .docker
            .disconnect_network(network_id, request)
            .await
            .map_err(classify)
        {
            Ok(()) | Err(DockerError::NotConnected(_)) => Ok(()),
            Err(DockerError::NotFound(msg)) if msg.to_lowercase().contains("container") => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// The container by exact name; `None` when absent.
    pub async fn container(&self, name: &str) -> Result<Option<ContainerInfo>, DockerError> {
        match self
            .docker
            .inspect_container(name, None)
            .await
            .map_err(classify)
        {
            Ok(c) => {
                let found_name = c.name.unwrap_or_default();
                if found_name.trim_start_matches('/') != name {
                    return Ok(None);
                }
                let networks = sorted_names(c.network_settings.and_then(|s| s.networks));
                Ok(Some(ContainerInfo {
                    id: c.id.unwrap_or_default(),
                    name: name.to_string(),
                    running: c.state.and_then(|s| s.running).unwrap_or(false),
                    started_on: c.host_config.and_then(|h| h.network_mode),
                    networks,
                }))
            }
            Err(DockerError::NotFound(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Creates and starts a container on `network` (full ID or name), labelled with `labels`.
    /// A container that was created but cannot start is removed again: nothing half-made stays.
    pub async fn run_container(&self, spec: &ContainerSpec<'_>) -> Result<String, DockerError> {
        use bollard::models::{
            ContainerCreateBody, EndpointSettings, HostConfig, NetworkingConfig,
        };
        use bollard::query_parameters::CreateContainerOptions;
        let body = ContainerCreateBody {
            image: Some(spec.image.to_string()),
            cmd: spec
                .command
                .map(|c| vec!["/bin/sh".to_string(), "-c".to_string(), c.to_string()]),
            labels: Some(spec.labels.clone()),
            host_config: Some(HostConfig {
                network_mode: Some(spec.network.to_string()),
                restart_policy: Some(bollard::models::RestartPolicy {
                    name: Some(bollard::models::RestartPolicyNameEnum::UNLESS_STOPPED),
                    maximum_retry_count: None,
                }),
                ..Default::default()
            }),
            networking_config: Some(NetworkingConfig {
                endpoints_config: Some(HashMap::from([(
                    spec.network.to_string(),
                    EndpointSettings::default(),
                )])),
            }),
            ..Default::default()
        };
        let options = CreateContainerOptions {
            name: Some(spec.name.to_string()),
            ..Default::default()
        };
        let created = match self
            .docker
            .create_container(Some(options.clone()), body.clone())
            .await
            .map_err(classify)
        {
            Err(DockerError::NotFound(message)) if message.contains("No such image") => {
                // Like `docker run`: pull what the daemon does not have, then try once more.
                self.pull(spec.image).await?;
                self.docker
                    .create_container(Some(options), body)
                    .await
                    .map_err(classify)?
            }
            other => other?,
        };
        if let Err(e) = self.docker.start_container(&created.id, None).await {
            let _ = self.remove_container(&created.id).await;
            return Err(classify(e));
        }
        Ok(created.id)
    }

    async fn pull(&self, image: &str) -> Result<(), DockerError> {
        use futures::TryStreamExt;
        let options = bollard::query_parameters::CreateImageOptions {
            from_image: Some(image.to_string()),
            ..Default::default()
        };
        self.docker
            .create_image(Some(options), None, None)
            .try_collect::<Vec<_>>()
            .await
            .map(|_| ())
            .map_err(|e| {
                DockerError::Other(format!(
                    "image {image} is not on the server and could not be pulled: {}",
                    classify(e)
                ))
            })
    }

    /// Containers carrying `label` (`key=value`), running or not.
    pub async fn containers_labelled(
        &self,
        label: &str,
    ) -> Result<Vec<ContainerInfo>, DockerError> {
        let filter = HashMap::from([("label".to_string(), vec![label.to_string()])]);
        let mut found: Vec<ContainerInfo> = self
            .all_containers(Some(filter))
            .await?
            .into_iter()
            .map(|c| {
                let networks = sorted_names(c.network_settings.and_then(|n| n.networks));
                ContainerInfo {
                    id: c.id.unwrap_or_default(),
                    name: first_name(c.names),
                    running: c.state == Some(bollard::models::ContainerSummaryStateEnum::RUNNING),
                    started_on: c.host_config.and_then(|h| h.network_mode),
                    networks,
                }
            })
            .collect();
        found.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(found)
    }

    /// Every container, running or not, with the networks it is configured for; with
    /// `network`, only those the daemon matches to it (by name, or a prefix of its ID — the
    /// caller keeps the exact matches with `NetworkInfo::add_listed`).
    pub async fn listed_containers(
        &self,
        network: Option<&NetworkInfo>,
    ) -> Result<Vec<ListedContainer>, DockerError> {
        let filter = network
            .map(|n| HashMap::from([("network".to_string(), vec![n.name.clone(), n.id.clone()])]));
        Ok(self
            .all_containers(filter)
            .await?
            .into_iter()
            .map(|c| ListedContainer {
                id: c.id.unwrap_or_default(),
                name: first_name(c.names),
                state: c.state.map(|s| s.to_string()).unwrap_or_default(),
                networks: c
                    .network_settings
                    .and_then(|n| n.networks)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|(key, e)| (key, e.network_id.unwrap_or_default()))
                    .collect(),
                started_on: c.host_config.and_then(|h| h.network_mode),
            })
            .collect())
    }

    /// Inspects a network by ID and adds its stopped and never-started containers (one
    /// filtered list call beside the inspect); `None` when the network is gone.
    pub async fn inspect_with_stopped(&self, id: &str) -> Result<Option<NetworkInfo>, DockerError> {
        let Some(mut network) = self.inspect_network(id).await? else {
            return Ok(None);
        };
        let listed = self.listed_containers(Some(&network)).await?;
        network.add_listed(&listed);
        Ok(Some(network))
    }

    /// Every container, running or not, that the daemon's `filters` keep.
    async fn all_containers(
        &self,
        filters: Option<HashMap<String, Vec<String>>>,
    ) -> Result<Vec<bollard::models::ContainerSummary>, DockerError> {
        let options = bollard::query_parameters::ListContainersOptions {
            all: true,
            filters,
            ..Default::default()
        };
        self.docker
            .list_containers(Some(options))
            .await
            .map_err(classify)
    }

    /// Removes a container by ID, running or not; already gone is fine.
    pub async fn remove_container(&self, id: &str) -> Result<(), DockerError> {
        use bollard::query_parameters::RemoveContainerOptions;
        let options = RemoveContainerOptions {
            force: true,
            ..Default::default()
        };
        match self
            .docker
            .remove_container(id, Some(options))
            .await
            .map_err(classify)
        {
            Ok(()) | Err(DockerError::NotFound(_)) => Ok(()),
            Err(e) => Err(e),
        }
    }

    pub fn raw(&self) -> &Docker {
        &self.docker
    }
}

/// A listed container's name, without the leading `/` the list call gives it.
fn first_name(names: Option<Vec<String>>) -> String {
    names
        .and_then(|n| n.into_iter().next())
        .unwrap_or_default()
        .trim_start_matches('/')
        .to_string()
}

/// The names (keys) of a container's networks, sorted.
fn sorted_names<V>(networks: Option<HashMap<String, V>>) -> Vec<String> {
    let mut names: Vec<String> = networks
        .map(|n| n.into_keys().collect())
        .unwrap_or_default();
    names.sort();
    names
}

fn first_ipam(ipam: Option<&bollard::models::Ipam>) -> (Option<String>, Option<String>) {
    ipam.and_then(|i| i.config.as_ref())
        .and_then(|c| c.first())
        .map(|c| (c.subnet.clone(), c.gateway.clone()))
        .unwrap_or((None, None))
}

fn summary_of(n: bollard::models::Network) -> NetworkInfo {
    let (subnet, gateway) = first_ipam(n.ipam.as_ref());
    NetworkInfo {
        id: n.id.unwrap_or_default(),
        name: n.name.unwrap_or_default(),
        driver: n.driver.unwrap_or_default(),
        scope: n.scope.unwrap_or_default(),
        attachable: n.attachable.unwrap_or(false),
        internal: n.internal.unwrap_or(false),
        subnet,
        gateway,
        labels: n.labels.unwrap_or_default(),
        containers: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server_error(status_code: u16, message: &str) -> BollardError {
        BollardError::DockerResponseServerError {
            status_code,
            message: message.into(),
        }
    }

    #[test]
    fn daemon_errors_are_classified() {
        assert!(matches!(
            classify(server_error(
                403,
                "error while removing network: network x id abc has active endpoints"
            )),
            DockerError::ActiveEndpoints(_)
        ));
        assert!(matches!(
            classify(server_error(
                400,
                "rpc error: code = FailedPrecondition desc = network j is in use by task 2l"
            )),
            DockerError::InUseByTask(_)
        ));
        assert!(matches!(
            classify(server_error(409, "network with name x already exists")),
            DockerError::NameExists(_)
        ));
        assert!(matches!(
            classify(server_error(404, "network x not found")),
            DockerError::NotFound(_)
        ));
        assert!(matches!(
            classify(server_error(
                403,
                "endpoint with name p already exists in network x"
            )),
            DockerError::AlreadyConnected(_)
        ));
        assert!(matches!(
            classify(server_error(
                503,
                "This node is not a swarm manager. Use \"docker swarm init\""
            )),
            DockerError::NotSwarmManager(_)
        ));
        assert!(matches!(
            classify(server_error(
                400,
                "could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network"
            )),
            DockerError::AddressPoolsExhausted(_)
        ));
    }
}
