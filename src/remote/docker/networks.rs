//! The network calls: create, find, inspect and remove networks, and connect containers to
//! them. A network is named by its full ID; a name is only ever compared exactly.

use super::types::{AttachedContainer, IpamRange, NetworkInfo, NetworkSpec};
use super::{DockerApi, DockerError, classify};
use bollard::models::{NetworkConnectRequest, NetworkCreateRequest, NetworkDisconnectRequest};
use bollard::query_parameters::{InspectNetworkOptions, ListNetworksOptions};
use std::collections::HashMap;

impl DockerApi {
    pub async fn create_network(&self, spec: &NetworkSpec<'_>) -> Result<String, DockerError> {
        let shape = spec.shape.cloned().unwrap_or_default();
        let mut configs = Vec::new();
        if let Some(subnet) = spec.subnet {
            configs.push(bollard::models::IpamConfig {
                subnet: Some(subnet.to_string()),
                gateway: shape.gateway.clone(),
                ip_range: shape.ip_range.clone(),
                ..Default::default()
            });
        }
        if let Some(subnet6) = &shape.subnet6 {
            configs.push(bollard::models::IpamConfig {
                subnet: Some(subnet6.clone()),
                ..Default::default()
            });
        }
        let ipam = (!configs.is_empty()).then(|| bollard::models::Ipam {
            config: Some(configs),
            ..Default::default()
        });
        let mut labels: HashMap<String, String> = shape.labels.clone().into_iter().collect();
        // destui's own labels last: they win over anything asked for.
        labels.extend(spec.labels.clone());
        let mut options: HashMap<String, String> = shape.driver_opts.clone().into_iter().collect();
        if let Some(mtu) = shape.mtu {
            options.insert(MTU_OPTION.to_string(), mtu.to_string());
        }
        let request = NetworkCreateRequest {
            name: spec.name.to_string(),
            driver: Some(spec.driver.to_string()),
            attachable: Some(spec.attachable),
            internal: Some(spec.internal),
            labels: Some(labels),
            enable_ipv6: shape.ipv6.then_some(true),
            options: (!options.is_empty()).then_some(options),
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
        let listed = self.list_networks(Some(("name", name))).await?;
        Ok(listed.into_iter().find(|n| n.name == name))
    }

    /// Networks carrying a label (`key=value`), e.g. the one created for a destination uuid.
    pub async fn networks_labelled(&self, label: &str) -> Result<Vec<NetworkInfo>, DockerError> {
        self.list_networks(Some(("label", label))).await
    }

    /// Every network, without attached containers (the list call does not fill them).
    pub async fn networks(&self) -> Result<Vec<NetworkInfo>, DockerError> {
        self.list_networks(None).await
    }

    /// The networks that the daemon's `filter` (name, value) keeps, or all of them; without
    /// attached containers.
    async fn list_networks(
        &self,
        filter: Option<(&str, &str)>,
    ) -> Result<Vec<NetworkInfo>, DockerError> {
        let options = filter.map(|(key, value)| ListNetworksOptions {
            filters: Some(HashMap::from([(key.to_string(), vec![value.to_string()])])),
        });
        let listed = self.docker.list_networks(options).await.map_err(classify)?;
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
                    ipv6: n.enable_ipv6.unwrap_or(false),
                    options: n.options.unwrap_or_default(),
                    ipam: ranges(n.ipam.as_ref()),
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

    /// Removes by full ID: true when removed, false when the daemon answered "not found"
    /// (which the caller confirms with an inspect by ID before it says "gone"). A swarm
    /// attachment task left by a container that just went away is waited out (bounded); one
    /// that stays means a service uses the network, which is reported as active endpoints.
    pub async fn remove_network(&self, id: &str) -> Result<bool, DockerError> {
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            match self.docker.remove_network(id).await.map_err(classify) {
                Ok(()) => return Ok(true),
                Err(DockerError::NotFound(_)) => return Ok(false),
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
}

fn first_ipam(ipam: Option<&bollard::models::Ipam>) -> (Option<String>, Option<String>) {
    ipam.and_then(|i| i.config.as_ref())
        .and_then(|c| c.first())
        .map(|c| (c.subnet.clone(), c.gateway.clone()))
        .unwrap_or((None, None))
}

/// The driver option that sets a network's MTU (bridge and overlay alike).
pub const MTU_OPTION: &str = "com.docker.network.driver.mtu";

/// Every IPAM config with a subnet.
fn ranges(ipam: Option<&bollard::models::Ipam>) -> Vec<IpamRange> {
    ipam.and_then(|i| i.config.as_ref())
        .into_iter()
        .flatten()
        .filter_map(|c| {
            Some(IpamRange {
                subnet: c.subnet.clone().filter(|s| !s.is_empty())?,
                gateway: c.gateway.clone().filter(|g| !g.is_empty()),
                ip_range: c.ip_range.clone().filter(|r| !r.is_empty()),
            })
        })
        .collect()
}

fn summary_of(n: bollard::models::Network) -> NetworkInfo {
    let (subnet, gateway) = first_ipam(n.ipam.as_ref());
    let ipam = ranges(n.ipam.as_ref());
    NetworkInfo {
        ipv6: n.enable_ipv6.unwrap_or(false),
        options: n.options.clone().unwrap_or_default(),
        ipam,
        id: n.id.unwrap_or_default(),
        name: n.name.unwrap_or_default(),
        driver: n.driver.unwrap_or_default(),
        scope: n.scope.unwrap_or_default(),
        attachable: n.attachable.unwrap_or(false),
        internal: n.internal.unwrap_or(false),
        subnet,
        gateway,
        labels: n.labels.unwrap_or_default(),
        ..Default::default()
    }
}
