//! The container calls: find, run (pulling a missing image), list and remove containers.

use super::types::{
    ContainerInfo, ContainerSpec, InspectedContainer, LabelledContainer, ListedContainer,
    NetworkInfo,
};
use super::{DockerApi, DockerError, classify};
use std::collections::HashMap;

impl DockerApi {
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

    /// The container `id` with its environment and its aliases per network (what a list does
    /// not give); `None` when it is gone.
    pub async fn inspect_env(&self, id: &str) -> Result<Option<InspectedContainer>, DockerError> {
        match self
            .docker
            .inspect_container(id, None)
            .await
            .map_err(classify)
        {
            Ok(c) => {
                let id = c.id.unwrap_or_default();
                let aliases = c
                    .network_settings
                    .and_then(|s| s.networks)
                    .unwrap_or_default()
                    .into_values()
                    .map(|e| {
                        let mut names: Vec<String> = e.aliases.unwrap_or_default();
                        names.extend(e.dns_names.unwrap_or_default());
                        // (A short ID is an alias too: never a name an admin would type.)
                        names.retain(|a| !a.is_empty() && !id.starts_with(a.as_str()));
                        names.sort();
                        names.dedup();
                        (e.network_id.unwrap_or_default(), names)
                    })
                    .collect();
                Ok(Some(InspectedContainer {
                    name: c
                        .name
                        .unwrap_or_default()
                        .trim_start_matches('/')
                        .to_string(),
                    env: c.config.and_then(|c| c.env).unwrap_or_default(),
                    aliases,
                    id,
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

    /// Every container that carries `label` (a key), with its labels, image and command:
    /// what adopting a resource made elsewhere reads (DESIGN.md §12). One request.
    pub async fn labelled_containers(
        &self,
        label: &str,
    ) -> Result<Vec<LabelledContainer>, DockerError> {
        let filter = HashMap::from([("label".to_string(), vec![label.to_string()])]);
        let mut found: Vec<LabelledContainer> = self
            .all_containers(Some(filter))
            .await?
            .into_iter()
            .map(|c| LabelledContainer {
                id: c.id.unwrap_or_default(),
                name: first_name(c.names),
                image: c.image.unwrap_or_default(),
                labels: c.labels.unwrap_or_default(),
                networks: sorted_names(c.network_settings.and_then(|n| n.networks)),
            })
            .collect();
        found.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(found)
    }

    /// What container `id` runs with `/bin/sh -c` (as destui starts a command), from its
    /// configuration (a list quotes it); `None` for the image's own command.
    pub async fn shell_command(&self, id: &str) -> Result<Option<String>, DockerError> {
        let c = self
            .docker
            .inspect_container(id, None)
            .await
            .map_err(classify)?;
        Ok(match c.config.and_then(|c| c.cmd).as_deref() {
            Some([sh, flag, command]) if sh == "/bin/sh" && flag == "-c" => Some(command.clone()),
            _ => None,
        })
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
