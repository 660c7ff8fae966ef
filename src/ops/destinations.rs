//! Destinations: create, rename and edit, details (delete has its own room: `delete.rs`).

use super::lost::{link_broke, lost, network_made_for};
use super::*;
use crate::domain::{OptionRefusal, SubnetChoice};

impl Ops {
    pub async fn destinations(&self, server: Option<&str>) -> Result<Vec<DestinationView>, Error> {
        let server = server.map(str::to_string);
        self.db(move |s| {
            let servers: HashMap<ServerId, Server> = s
                .servers()?
                .into_iter()
                .map(|x| (x.uuid.clone(), x))
                .collect();
            let list = match server {
                Some(reference) => s.destinations_of(&s.find_server(&reference)?.uuid)?,
                None => s.destinations()?,
            };
            Ok(list
                .iter()
                .map(|d| DestinationView::new(d, servers.get(&d.server_uuid)))
                .collect())
        })
        .await
    }

    pub async fn destination(&self, reference: &str) -> Result<(Destination, Server), Error> {
        let reference = reference.to_string();
        self.db(move |s| {
            let d = s.find_destination(&reference)?;
            let server = s
                .server(&d.server_uuid)?
                .ok_or_else(|| Error::ServerNotFound(d.server_uuid.to_string()))?;
            Ok((d, server))
        })
        .await
    }

    pub async fn create_destination(
        &self,
        input: NewDestination,
    ) -> Result<Outcome<DestinationView>, Error> {
        let (server, mut destination, choice) = self.plan_destination(&input).await?;
        let (server, docker, picked) = self
            .create_network(server, &mut destination, choice)
            .await?;
        failpoint("after-network-create");

        // A link lost here leaves the create's intent: the next contact adopts the labelled
        // network and attaches the proxy.
        let warnings: Vec<Warning> = self
            .connect_proxy(&server, &docker, &destination.network_id)
            .await
            .map_err(|_| lost(&server, format!("the create of {}", destination.name)))?
            .into_iter()
            .collect();
        failpoint("after-proxy-connect");
        let saved = destination.clone();
        if let Err(e) = self.db(move |s| s.insert_destination(&saved)).await {
            // Lost a race for the name: take back the network this call made.
            let _ = docker
                .disconnect_container(&destination.network_id, &server.proxy_container)
                .await;
            let _ = docker.remove_network(&destination.network_id).await;
            let uuid = destination.uuid.clone();
            let _ = self.db(move |s| s.drop_intent(&uuid)).await;
            return Err(e);
        }
        failpoint("after-record-save");
        let mut view = DestinationView::new(&destination, Some(&server));
        view.subnet_picked = picked;
        Ok(Outcome {
            value: view,
            warnings,
        })
    }

    /// The record a create will save: everything that can be refused without the server is
    /// refused here, before any remote call.
    pub(super) async fn plan_destination(
        &self,
        input: &NewDestination,
    ) -> Result<(Server, Destination, SubnetChoice), Error> {
        let network = input.network.clone().unwrap_or_else(domain::new_uuid);
        domain::validate_network_name(&network)?;
        let description = match &input.description {
            Some(text) => domain::normalize_description(text)?,
            None => None,
        };
        let (options, choice) = domain::plan_options(&input.options_asked())?;
        if matches!(choice, SubnetChoice::Auto(None)) && self.fallback_pool.is_none() {
            return Err(OptionRefusal::AutoNeedsPool.into());
        }
        let server = self.server(&input.server).await?;
        writable(&server)?;
        let name = input
            .name
            .clone()
            .unwrap_or_else(|| domain::default_destination_name(&server.name, &network));
        domain::validate_display_name("destination", &name)?;
        if server.build_server {
            return Err(Error::BuildServer);
        }
        let destination = Destination {
            uuid: DestinationId::new_random(),
            name,
            network,
            network_id: String::new(),
            server_uuid: server.uuid.clone(),
            kind: DestinationType::Standalone,
            created_at: domain::now_unix(),
            description,
            original_name: None,
            options,
        };
        let candidate = destination.clone();
        self.db(move |s| s.check_destination_is_new(&candidate))
            .await?;
        Ok((server, destination, choice))
    }

    /// Creates the network under a stored intent and fills in its type, ID and subnet (a /24
    /// picked from a pool on request, or when the daemon's own pools are used up and a
    /// fallback pool is set: returned, to be said). The server's mode may come from a check
    /// moments ago (`CHECK_REUSE`): a swarm refusal that shows it changed checks again and
    /// creates the right type once more.
    async fn create_network(
        &self,
        server: Server,
        destination: &mut Destination,
        mut choice: SubnetChoice,
    ) -> Result<(Server, DockerApi, Option<String>), Error> {
        let mut rechecked = false;
        let mut asked_after_loss = false;
        let mut picked = None;
        loop {
            let (server, docker) = self.online(&server).await?;
            destination.kind = DestinationType::for_mode(server.mode)?;
            if let SubnetChoice::Auto(pool) = choice {
                let pool = pool
                    .or(self.fallback_pool)
                    .ok_or(OptionRefusal::AutoNeedsPool)?;
                let subnet = self.free_subnet(&server, &docker, pool).await?;
                destination.options.subnet = Some(subnet.to_string());
                picked = Some(subnet.to_string());
                choice = SubnetChoice::Fixed(subnet);
            }
            if destination.kind == DestinationType::Swarm {
                domain::validate_swarm_network_name(&destination.network)?;
            }
            // A name already taken on the daemon is its own answer to the create below (no
            // list by name first: a round trip saved on every create).
            let intent = Intent {
                destination: destination.clone(),
                step: IntentStep::Create,
            };
            self.db(move |s| s.put_intent(&intent)).await?;
            failpoint("after-create-intent");
            let spec = NetworkSpec {
                name: &destination.network,
                driver: destination.kind.driver(),
                attachable: destination.kind == DestinationType::Swarm,
                internal: destination.options.internal,
                subnet: destination.options.subnet.as_deref(),
                labels: destination_labels(destination),
                shape: Some(&destination.options),
            };
            let made = docker.create_network(&spec).await;
            let e = match self.lose_answer_at("network-create", made).await {
                Ok(id) => {
                    destination.network_id = id;
                    return Ok((server, docker, picked));
                }
                Err(e) => e,
            };
            if link_broke(&e) {
                // The request may have reached the daemon: ask before saying anything.
                if let Some((docker, id)) = self.made_after_loss(&server, destination, e).await? {
                    destination.network_id = id;
                    return Ok((server, docker, picked));
                }
                // Not made: the intent goes, and the create is tried once more.
                let uuid = destination.uuid.clone();
                self.db(move |s| s.drop_intent(&uuid)).await?;
                if !asked_after_loss {
                    asked_after_loss = true;
                    continue;
                }
                return Err(lost(&server, format!("the create of {}", destination.name)));
            }
            let uuid = destination.uuid.clone();
            self.db(move |s| s.drop_intent(&uuid)).await?;
            // Docker's own pools are used up: a /24 of the fallback pool, once.
            // (Not when the daemon said IPv6: an IPv4 /24 does not help there.)
            if let (DockerError::AddressPoolsExhausted(said), SubnetChoice::Daemon, Some(pool)) =
                (&e, &choice, self.fallback_pool)
                && !said.contains("IPv6")
            {
                choice = SubnetChoice::Auto(Some(pool));
                continue;
            }
            if let DockerError::NotSwarmManager(_) = e {
                self.forget_check(&server.uuid);
                if !rechecked {
                    rechecked = true;
                    continue;
                }
            }
            return Err(match e {
                DockerError::NameExists(_) => self.name_taken(&server, destination).await?,
                DockerError::NotSwarmManager(_) => Error::NoLongerSwarmManager {
                    server: server.name.clone(),
                },
                other => self.fail(&server, other).await,
            });
        }
    }

    /// The first /24 of `pool` that no network on the server uses (any of its ranges).
    pub(super) async fn free_subnet(
        &self,
        server: &Server,
        docker: &DockerApi,
        pool: ipnet::Ipv4Net,
    ) -> Result<ipnet::Ipv4Net, Error> {
        let listed = match docker.networks().await {
            Ok(n) => n,
            Err(e) => return Err(self.fail(server, e).await),
        };
        let used: Vec<ipnet::IpNet> = listed
            .iter()
            .flat_map(|n| n.ipam.iter())
            .filter_map(|r| r.subnet.parse().ok())
            .collect();
        domain::first_free_24(pool, &used).ok_or_else(|| {
            Error::BadOption(OptionRefusal::PoolFull {
                pool: pool.to_string(),
                server: server.name.clone(),
            })
        })
    }

    /// What a create lost to when the daemon already has a network of its name: one of this
    /// data directory's destinations (recorded, or being created by a concurrent create —
    /// its intent), or a network that is not a destination yet (to import).
    async fn name_taken(&self, server: &Server, d: &Destination) -> Result<Error, Error> {
        let (server_uuid, network, uuid) = (server.uuid.clone(), d.network.clone(), d.uuid.clone());
        let added = self
            .db(move |s| {
                Ok(s.destination_by_network(&server_uuid, &network)?.is_some()
                    || s.intents()?.iter().any(|i| {
                        matches!(i.step, IntentStep::Create)
                            && i.destination.uuid != uuid
                            && i.destination.server_uuid == server_uuid
                            && i.destination.network == network
                    }))
            })
            .await?;
        Ok(if added {
            Error::NetworkAlreadyAdded
        } else {
            Error::NetworkExists {
                server: server.name.clone(),
                network: d.network.clone(),
            }
        })
    }

    /// After a create's answer was lost: whether the daemon made the network (with the
    /// connection made again); Err with the intent kept when the server cannot be asked.
    async fn made_after_loss(
        &self,
        server: &Server,
        d: &Destination,
        e: DockerError,
    ) -> Result<Option<(DockerApi, String)>, Error> {
        let action = || format!("the create of {}", d.name);
        self.fail(server, e).await;
        let Some(docker) = self.reconnected(server).await else {
            return Err(lost(server, action()));
        };
        match network_made_for(&docker, d).await {
            Ok(found) => Ok(found.map(|n| (docker, n.id))),
            Err(e) => {
                self.fail(server, e).await;
                Err(lost(server, action()))
            }
        }
    }

    /// Attaches the proxy; a warning when it cannot be (absent, refused). A link that broke
    /// under the request is connected again and the attach asked once more (attaching twice
    /// is harmless); Err when the server cannot be asked again (the caller keeps its intent).
    pub(super) async fn connect_proxy(
        &self,
        server: &Server,
        docker: &DockerApi,
        network_id: &str,
    ) -> Result<Option<Warning>, Error> {
        let proxy = &server.proxy_container;
        let attached = docker.connect_container(network_id, proxy).await;
        let attached = match self.lose_answer_at("proxy-connect", attached).await {
            Err(e) if link_broke(&e) => {
                let failed = self.fail(server, e).await;
                let Some(again) = self.reconnected(server).await else {
                    return Err(failed);
                };
                match again.connect_container(network_id, proxy).await {
                    Err(e) if link_broke(&e) => return Err(self.fail(server, e).await),
                    other => other,
                }
            }
            other => other,
        };
        Ok(proxy_warning(server, attached))
    }

    /// `connect_proxy` for callers that go on whatever happened: a lost link is a warning.
    pub(super) async fn attach_proxy(
        &self,
        server: &Server,
        docker: &DockerApi,
        network_id: &str,
    ) -> Option<Warning> {
        self.connect_proxy(server, docker, network_id)
            .await
            .unwrap_or_else(|e| {
                Some(Warning::from(format!(
                    "could not connect proxy {} on {}: {e}",
                    server.proxy_container, server.name
                )))
            })
    }

    pub async fn rename_destination(
        &self,
        reference: &str,
        new_name: &str,
    ) -> Result<DestinationView, Error> {
        domain::validate_display_name("destination", new_name)?;
        let (d, server) = self.destination(reference).await?;
        writable(&server)?;
        let new_name = new_name.to_string();
        let renamed = self
            .db(move |s| s.rename_destination(&d.uuid, &new_name))
            .await?;
        Ok(DestinationView::new(&renamed, Some(&server)))
    }

    /// Changes a destination's name and/or description in one store transaction (its
    /// network never changes); everything is checked before anything is written.
    pub async fn edit_destination(
        &self,
        reference: &str,
        edit: DestinationEdit,
    ) -> Result<DestinationView, Error> {
        let description = checked_edit(&edit)?;
        let (d, server) = self.destination(reference).await?;
        writable(&server)?;
        let edited = self
            .db(move |s| s.edit_destination(&d.uuid, edit.name.as_deref(), description))
            .await?;
        Ok(DestinationView::new(&edited, Some(&server)))
    }

    /// The names of the resources recorded on `d`.
    pub(super) async fn resource_names_on(&self, d: &Destination) -> Result<Vec<String>, Error> {
        let uuid = d.uuid.clone();
        Ok(self
            .db(move |s| s.resources_on(&uuid))
            .await?
            .into_iter()
            .map(|r| r.name)
            .collect())
    }

    /// Live details of a destination's network (the troubleshooting view).
    #[allow(clippy::too_many_lines)] // a room to split (issue 29)
    pub async fn show_destination(&self, reference: &str) -> Result<DestinationDetails, Error> {
        let (d, server) = self.destination(reference).await?;
        let uuid = d.uuid.clone();
        let recorded = self.db(move |s| s.resources_on(&uuid)).await?;
        let resources = recorded.iter().map(|r| r.name.clone()).collect();
        let mut details = DestinationDetails {
            destination: DestinationView::new(&d, Some(&server)),
            driver: None,
            scope: None,
            attachable: None,
            internal: None,
            subnet: None,
            gateway: None,
            ipv6: None,
            mtu: None,
            ip_range: None,
            options: BTreeMap::new(),
            subnets: Vec::new(),
            labels: BTreeMap::new(),
            containers: Vec::new(),
            proxy_connected: None,
            resources,
            resource_status: BTreeMap::new(),
            status: HealthStatus::Unknown,
            detail: None,
            nodes: Default::default(),
        };
        let docker = match self.docker(&server).await {
            Ok(d) => d,
            Err(e) => {
                details.detail = Some(e.to_string());
                return Ok(details);
            }
        };
        // A resource container that died shows `stopped` here (DESIGN.md §11), as in
        // `resource list`.
        for r in &recorded {
            let status = self.resource_status(r, &d.network, &docker).await;
            if status != ResourceStatus::Unknown {
                details.resource_status.insert(r.name.clone(), status);
            }
        }
        match docker.inspect_with_stopped(&d.network_id).await {
            Ok(Some(n)) => {
                let proxy = n.has_container(&server.proxy_container);
                details.status = if proxy {
                    HealthStatus::Ok
                } else {
                    HealthStatus::ProxyDetached
                };
                details.proxy_connected = Some(proxy);
                details.driver = Some(n.driver);
                details.scope = Some(n.scope);
                details.attachable = Some(n.attachable);
                details.internal = Some(n.internal);
                details.subnet = n.subnet;
                details.gateway = n.gateway;
                details.ipv6 = Some(n.ipv6);
                details.mtu = n
                    .options
                    .get(crate::remote::docker::MTU_OPTION)
                    .and_then(|m| m.parse().ok());
                details.ip_range = n.ipam.iter().find_map(|r| r.ip_range.clone());
                details.subnets = n.ipam.iter().map(|r| r.subnet.clone()).collect();
                details.options = n.options.into_iter().collect();
                details.labels = n.labels.into_iter().collect();
                details.containers = n
                    .containers
                    .into_iter()
                    .map(|c| ContainerRef {
                        name: c.name,
                        id: c.id,
                        state: c.state,
                    })
                    .collect();
                // A manager's inspect lists its own node's containers only: the other nodes'
                // come from them, as the check counts them.
                let (driver, scope) = (
                    details.driver.clone().unwrap_or_default(),
                    details.scope.clone().unwrap_or_default(),
                );
                let network = (&*d.network_id, &*d.network, &*driver, &*scope);
                if let Some(other) = self.other_nodes(&server, network).await {
                    details.nodes = other;
                }
            }
            Ok(None) => {
                details.status = HealthStatus::Missing;
                details.detail = Some(format!(
                    "network {} is gone from {}",
                    d.network, server.name
                ));
            }
            Err(e) => details.detail = Some(self.fail(&server, e).await.to_string()),
        }
        Ok(details)
    }
}

/// What an edit (or its dry run) may change, checked before any lookup: something to change,
/// a valid name; the description as it would be stored (`Some(None)`: cleared).
pub(super) fn checked_edit(edit: &DestinationEdit) -> Result<Option<Option<String>>, Error> {
    if edit.name.is_none() && edit.description.is_none() {
        return Err(Error::Invalid(
            "nothing to change: give --name NEW and/or --description TEXT".into(),
        ));
    }
    if let Some(name) = &edit.name {
        domain::validate_display_name("destination", name)?;
    }
    edit.description
        .as_deref()
        .map(domain::normalize_description)
        .transpose()
}

/// What an attach's answer means for the admin: nothing, or a warning.
fn proxy_warning(server: &Server, attached: Result<(), DockerError>) -> Option<Warning> {
    match attached {
        Ok(()) => None,
        Err(DockerError::NotFound(_)) => Some(Warning::with_hint(
            format!(
                "proxy container {} was not found on {}: the network is not reachable through the proxy until it runs",
                server.proxy_container, server.name
            ),
            Hint::RepairWhenProxyRuns,
        )),
        Err(e) => Some(Warning::from(format!(
            "could not connect proxy {} on {}: {e}",
            server.proxy_container, server.name
        ))),
    }
}
