//! Resources (applications, databases, service stacks) deployed as labelled containers on a
//! destination's network; a service stack on an isolated network of its own.

use std::collections::HashMap;

use serde::Serialize;

use super::{Ops, Outcome, failpoint, writable};
use crate::domain::{
    self, Destination, DestinationId, DestinationType, Error, LABEL_DESTINATION, LABEL_MANAGED,
    LABEL_RESOURCE, LABEL_RESOURCE_KIND, LABEL_RESOURCE_NAME, Resource, ResourceId, ResourceIntent,
    ResourceKind, ResourceStatus, Server,
};
use crate::remote::docker::{ContainerInfo, ContainerSpec, DockerApi, DockerError, NetworkSpec};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewResource {
    pub name: String,
    pub kind: Option<ResourceKind>,
    pub server: String,
    pub destination: Option<String>,
    pub image: String,
    pub command: Option<String>,
    pub connect_predefined: bool,
}

/// A resource as shown and printed (`--json` keys of DESIGN.md §2 / issue 5).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ResourceView {
    pub uuid: ResourceId,
    pub name: String,
    pub kind: ResourceKind,
    pub image: String,
    pub command: Option<String>,
    pub destination: String,
    pub destination_uuid: DestinationId,
    pub server: String,
    pub containers: Vec<String>,
    pub networks: Vec<String>,
    pub connect_predefined: bool,
    pub status: ResourceStatus,
}

/// Labels of a service stack's own network: it is the resource's, never a destination.
fn stack_network_labels(r: &Resource) -> HashMap<String, String> {
    HashMap::from([
        (LABEL_MANAGED.to_string(), "true".to_string()),
        (LABEL_RESOURCE.to_string(), r.uuid.to_string()),
    ])
}

/// Labels of a resource's container (DESIGN.md §12): enough for another data directory to
/// adopt it (image and command are read from the container itself).
fn container_labels(r: &Resource) -> HashMap<String, String> {
    let name = r.original_name.as_ref().unwrap_or(&r.name);
    HashMap::from([
        (LABEL_MANAGED.to_string(), "true".to_string()),
        (LABEL_RESOURCE.to_string(), r.uuid.to_string()),
        (LABEL_RESOURCE_NAME.to_string(), name.clone()),
        (LABEL_RESOURCE_KIND.to_string(), r.kind.to_string()),
        (
            LABEL_DESTINATION.to_string(),
            r.destination_uuid.to_string(),
        ),
    ])
}

/// The containers of resource `uuid`: those labelled with it that sit on its destination's
/// `network`, its stack's own network, or no network at all (taken off by hand). A container
/// elsewhere carrying its label is a claim, not the resource's (a copied or forged label):
/// never counted, never removed. Without `network`, every labelled container.
pub(super) async fn containers_of(
    docker: &DockerApi,
    uuid: &str,
    network: Option<&str>,
) -> Result<Vec<ContainerInfo>, DockerError> {
    let label = format!("{LABEL_RESOURCE}={uuid}");
    let stack = domain::stack_network(uuid);
    let mut found = docker.containers_labelled(&label).await?;
    if let Some(network) = network {
        found.retain(|c| {
            c.networks.is_empty() || c.networks.iter().any(|n| n == network || *n == stack)
        });
    }
    Ok(found)
}

/// Running when every container runs, stopped when one does not, missing when none is left.
fn status_of(containers: &[ContainerInfo]) -> ResourceStatus {
    if containers.is_empty() {
        ResourceStatus::Missing
    } else if containers.iter().all(|c| c.running) {
        ResourceStatus::Running
    } else {
        ResourceStatus::Stopped
    }
}

fn container_name(r: &Resource) -> String {
    container_name_for(&r.name, &r.uuid)
}

/// The container's name of a resource named `name` with the uuid `uuid`.
pub(super) fn container_name_for(name: &str, uuid: &str) -> String {
    format!("{}-{uuid}", domain::kebab(name))
}

impl Ops {
    /// Names already used by resources (they are unique).
    pub(super) async fn resource_names(&self) -> Result<Vec<String>, Error> {
        self.db(|s| Ok(s.resources()?.into_iter().map(|r| r.name).collect()))
            .await
    }

    /// Refuses a name a new resource cannot have: invalid, taken, or another record's uuid.
    pub(super) async fn check_new_resource_name(&self, name: &str) -> Result<(), Error> {
        domain::validate_display_name("resource", name)?;
        let name = name.to_string();
        self.db(move |s| {
            s.check_name_is_not_uuid("resource", &name)?;
            if s.resources()?.iter().any(|r| r.name == name) {
                return Err(Error::ResourceNameTaken(name));
            }
            Ok(())
        })
        .await
    }

    async fn resource_context(&self, r: &Resource) -> Result<(Destination, Server), Error> {
        self.destination(&r.destination_uuid).await
    }

    /// The destination a new resource on `server` goes to: the one named, or the only one.
    pub(super) async fn choose_destination(
        &self,
        server: &Server,
        named: Option<&str>,
    ) -> Result<Destination, Error> {
        let uuid = server.uuid.clone();
        let candidates = self.db(move |s| s.destinations_of(&uuid)).await?;
        if let Some(reference) = named {
            let (d, _) = self.destination(reference).await?;
            if d.server_uuid != server.uuid {
                return Err(Error::Invalid(format!(
                    "destination {} is on another server, not on {}",
                    d.name, server.name
                )));
            }
            return Ok(d);
        }
        match candidates.as_slice() {
            [] => Err(Error::NoDestination {
                server: server.name.clone(),
            }),
            [only] => Ok(only.clone()),
            many => Err(Error::DestinationChoice {
                server: server.name.clone(),
                candidates: many.iter().map(|d| d.name.clone()).collect(),
            }),
        }
    }

    pub async fn create_resource(
        &self,
        input: NewResource,
    ) -> Result<Outcome<ResourceView>, Error> {
        let (resource, destination, server) = self.new_resource(&input).await?;
        self.deploy(resource, &destination, &server).await
    }

    /// Every check of a resource create (its dry run's too), nothing changed: the image, the
    /// name, the server (writable), the destination chosen; the record it would deploy.
    pub(super) async fn new_resource(
        &self,
        input: &NewResource,
    ) -> Result<(Resource, Destination, Server), Error> {
        if input.image.trim().is_empty() {
            return Err(Error::Invalid("give the image to run with --image".into()));
        }
        self.check_new_resource_name(&input.name).await?;
        let server = self.server(&input.server).await?;
        writable(&server)?;
        let destination = self
            .choose_destination(&server, input.destination.as_deref())
            .await?;
        let resource = Resource {
            uuid: ResourceId::new_random(),
            name: input.name.clone(),
            kind: input.kind.unwrap_or(ResourceKind::Application),
            image: input.image.clone(),
            command: input.command.clone(),
            destination_uuid: destination.uuid.clone(),
            connect_predefined: input.connect_predefined,
            original_name: None,
        };
        Ok((resource, destination, server))
    }

    /// Starts the resource's container (and a stack's own network), then saves the record.
    /// Anything made before a failure is removed again.
    async fn deploy(
        &self,
        resource: Resource,
        destination: &Destination,
        server: &Server,
    ) -> Result<Outcome<ResourceView>, Error> {
        let (server, docker) = self.online(server).await?;
        let intent = ResourceIntent {
            resource: resource.clone(),
            server_uuid: server.uuid.clone(),
        };
        self.db(move |s| s.put_resource_intent(&intent)).await?;
        failpoint("after-resource-intent");
        match self
            .start_resource(&resource, destination, &server, &docker)
            .await
        {
            Ok(()) => failpoint("after-container-start"),
            Err(e) => {
                let uuid = resource.uuid.clone();
                self.db(move |s| s.drop_resource_intent(&uuid)).await?;
                return Err(e);
            }
        }
        let record = resource.clone();
        self.db(move |s| s.save_deployed_resource(&record)).await?;
        failpoint("after-resource-save");
        let view = self
            .view(&resource, destination, &server, Some(&docker))
            .await;
        Ok(Outcome {
            value: view,
            warnings: Vec::new(),
        })
    }

    /// The container (and a stack's own network); anything made before a failure is removed.
    async fn start_resource(
        &self,
        resource: &Resource,
        destination: &Destination,
        server: &Server,
        docker: &DockerApi,
    ) -> Result<(), Error> {
        let mut stack_network_id = None;
        let network_id = if resource.kind == ResourceKind::Service {
            let swarm = destination.kind == DestinationType::Swarm;
            let name = domain::stack_network(&resource.uuid);
            let spec = NetworkSpec {
                name: &name,
                driver: if swarm { "overlay" } else { "bridge" },
                attachable: swarm,
                internal: false,
                subnet: None,
                labels: stack_network_labels(resource),
                shape: None,
            };
            match docker.create_network(&spec).await {
                Ok(id) => {
                    stack_network_id = Some(id.clone());
                    id
                }
                Err(e) => return Err(self.fail(server, e).await),
            }
        } else {
            destination.network_id.clone()
        };
        failpoint("after-stack-network");
        let container = container_name(resource);
        let spec = ContainerSpec {
            name: &container,
            image: &resource.image,
            command: resource.command.as_deref(),
            network: &network_id,
            labels: container_labels(resource),
        };
        let started = async {
            let id = docker.run_container(&spec).await?;
            if resource.kind == ResourceKind::Service
                && resource.connect_predefined
                && let Err(e) = docker.connect_container(&destination.network_id, &id).await
            {
                let _ = docker.remove_container(&id).await;
                return Err(e);
            }
            Ok(id)
        }
        .await;
        if let Err(e) = started {
            if let Some(id) = &stack_network_id {
                let _ = docker.remove_network(id).await;
            }
            return Err(self.fail(server, e).await);
        }
        Ok(())
    }

    /// Removes what a resource runs on its server: its containers (`containers_of`; with no
    /// `network`, every container labelled with its uuid — an interrupted deploy's, whose
    /// uuid nobody else knew) and a stack's own network (exact name and label, by ID).
    /// Returns how many things it removed.
    async fn remove_deployed(
        docker: &DockerApi,
        uuid: &str,
        network: Option<&str>,
    ) -> Result<usize, DockerError> {
        let mut removed = 0;
        for c in containers_of(docker, uuid, network).await? {
            docker.remove_container(&c.id).await?;
            removed += 1;
        }
        if let Some(network) = docker
            .network_named(&domain::stack_network(uuid))
            .await?
            .filter(|n| n.labels.get(LABEL_RESOURCE).map(String::as_str) == Some(uuid))
        {
            docker.remove_network(&network.id).await?;
            docker.wait_until_gone(&network.id).await?;
            removed += 1;
        }
        Ok(removed)
    }

    /// A deploy that a crash interrupted never completed (no record): what it started is
    /// removed, so that deploying again starts clean. A note when something was removed; if
    /// the removal fails the intent stays for the next start.
    pub(super) async fn settle_deploy(
        &self,
        intent: ResourceIntent,
        docker: &DockerApi,
        server: &Server,
    ) -> Result<Option<String>, Error> {
        let r = intent.resource;
        let Ok(removed) = Self::remove_deployed(docker, &r.uuid, None).await else {
            return Ok(None);
        };
        let uuid = r.uuid.clone();
        self.db(move |s| s.drop_resource_intent(&uuid)).await?;
        Ok((removed > 0).then(|| format!(
            "removed what an interrupted deploy of resource {} had started on {}: deploy it again",
            r.name, server.name
        )))
    }

    /// The live state of `r`, recorded on the destination whose network is `network`
    /// (`unknown` when its containers cannot be listed).
    pub(super) async fn resource_status(
        &self,
        r: &Resource,
        network: &str,
        docker: &DockerApi,
    ) -> ResourceStatus {
        match containers_of(docker, &r.uuid, Some(network)).await {
            Ok(containers) => status_of(&containers),
            Err(_) => ResourceStatus::Unknown,
        }
    }

    /// The record with its live containers and networks (`unknown` when unreachable).
    async fn view(
        &self,
        r: &Resource,
        d: &Destination,
        server: &Server,
        docker: Option<&DockerApi>,
    ) -> ResourceView {
        let mut view = ResourceView {
            uuid: r.uuid.clone(),
            name: r.name.clone(),
            kind: r.kind,
            image: r.image.clone(),
            command: r.command.clone(),
            destination: d.name.clone(),
            destination_uuid: d.uuid.clone(),
            server: server.name.clone(),
            containers: Vec::new(),
            networks: Vec::new(),
            connect_predefined: r.connect_predefined,
            status: ResourceStatus::Unknown,
        };
        let owned;
        let docker = match docker {
            Some(d) => d,
            None => match self.docker(server).await {
                Ok(d) => {
                    owned = d;
                    &owned
                }
                Err(_) => return view,
            },
        };
        if let Ok(containers) = containers_of(docker, &r.uuid, Some(&d.network)).await {
            view.status = status_of(&containers);
            let mut networks: Vec<String> = containers
                .iter()
                .flat_map(|c| c.networks.iter().cloned())
                .collect();
            networks.sort();
            networks.dedup();
            view.networks = networks;
            view.containers = containers.into_iter().map(|c| c.name).collect();
        }
        view
    }

    /// The resource records only (no live state): for lists that must not wait on servers.
    pub async fn store_resources(&self) -> Result<Vec<Resource>, Error> {
        self.db(|s| s.resources()).await
    }

    pub async fn resources(&self, destination: Option<&str>) -> Result<Vec<ResourceView>, Error> {
        let only = match destination {
            Some(reference) => Some(self.destination(reference).await?.0.uuid),
            None => None,
        };
        let all = self.db(|s| s.resources()).await?;
        let mut views = Vec::new();
        for r in all
            .iter()
            .filter(|r| only.as_ref().is_none_or(|u| &r.destination_uuid == u))
        {
            let (d, server) = self.resource_context(r).await?;
            views.push(self.view(r, &d, &server, None).await);
        }
        Ok(views)
    }

    pub async fn show_resource(&self, reference: &str) -> Result<ResourceView, Error> {
        let reference = reference.to_string();
        let r = self.db(move |s| s.find_resource(&reference)).await?;
        let (d, server) = self.resource_context(&r).await?;
        Ok(self.view(&r, &d, &server, None).await)
    }

    /// Removes the resource's containers and a stack's own network, then the record.
    pub async fn delete_resource(&self, reference: &str) -> Result<Outcome<ResourceView>, Error> {
        let reference = reference.to_string();
        let r = self.db(move |s| s.find_resource(&reference)).await?;
        let (d, server) = self.resource_context(&r).await?;
        writable(&server)?;
        let (server, docker) = self.online(&server).await?;
        let view = self.view(&r, &d, &server, Some(&docker)).await;
        if let Err(e) = Self::remove_deployed(&docker, &r.uuid, Some(&d.network)).await {
            return Err(self.fail(&server, e).await);
        }
        let uuid = r.uuid.clone();
        self.db(move |s| s.remove_resource(&uuid)).await?;
        Ok(Outcome {
            value: view,
            warnings: Vec::new(),
        })
    }

    /// A new resource (new uuid and name) like `reference`, deployed on `destination`; the
    /// original keeps running where it is.
    pub async fn clone_resource(
        &self,
        reference: &str,
        destination: &str,
        name: Option<String>,
    ) -> Result<Outcome<ResourceView>, Error> {
        let (_, copy, target, server) = self.planned_copy(reference, destination, name).await?;
        self.deploy(copy, &target, &server).await
    }

    /// What a clone starts from: the original, its copy (a new uuid, the name given — checked —
    /// or `<name>-clone` suffixed until free), the target destination and its server (which
    /// must not be read-only). Shared by the clone and its dry run.
    pub(super) async fn planned_copy(
        &self,
        reference: &str,
        destination: &str,
        name: Option<String>,
    ) -> Result<(Resource, Resource, Destination, Server), Error> {
        let reference = reference.to_string();
        let original = self.db(move |s| s.find_resource(&reference)).await?;
        let (target, server) = self.destination(destination).await?;
        writable(&server)?;
        let name = match name {
            Some(n) => {
                self.check_new_resource_name(&n).await?;
                n
            }
            None => {
                let taken = self.resource_names().await?;
                domain::first_free_name(&format!("{}-clone", original.name), |n| {
                    taken.iter().any(|t| t == n)
                })
            }
        };
        let copy = Resource {
            uuid: ResourceId::new_random(),
            name,
            destination_uuid: target.uuid.clone(),
            original_name: None,
            ..original.clone()
        };
        Ok((original, copy, target, server))
    }
}
