//! Health: records compared with the daemons (ok, missing, proxy-detached, unknown), and
//! repair.

use super::lost::{link_broke, lost, network_made_for};
use super::*;

impl Ops {
    pub async fn check_destination(&self, d: &Destination, server: &Server) -> CheckRow {
        let uuid = d.uuid.clone();
        // A store that cannot be read counts as "assigned": never offer a destination for
        // deletion on a guess.
        let assigned = self
            .db(move |s| s.resources_on(&uuid))
            .await
            .map_or(true, |r| !r.is_empty());
        self.check_against(d, server, assigned, None).await
    }

    /// `assigned`: resources are recorded on `d` (then it is never `unused`). `listed`: the
    /// server's containers, read once for many checks; without it, this check reads the
    /// ones configured on `d`'s network.
    pub(super) async fn check_against(
        &self,
        d: &Destination,
        server: &Server,
        assigned: bool,
        listed: Option<&[ListedContainer]>,
    ) -> CheckRow {
        let row = |status, detail: Option<String>| CheckRow {
            destination: d.name.clone(),
            uuid: d.uuid.clone(),
            status,
            detail,
            unused: false,
            containers: None,
            nodes: OtherNodes::default(),
        };
        let docker = match self.docker(server).await {
            Ok(docker) => docker,
            Err(e) => return row(HealthStatus::Unknown, Some(e.to_string())),
        };
        let inspected = match listed {
            Some(listed) => docker.inspect_network(&d.network_id).await.map(|n| {
                n.map(|mut n| {
                    n.add_listed(listed);
                    n
                })
            }),
            None => docker.inspect_with_stopped(&d.network_id).await,
        };
        match inspected {
            Ok(None) => row(
                HealthStatus::Missing,
                Some(format!(
                    "network {} is gone from {}: `destui destination repair {}`",
                    d.network, server.name, d.name
                )),
            ),
            Ok(Some(n)) => {
                let mut checked = if n.has_container(&server.proxy_container) {
                    row(HealthStatus::Ok, None)
                } else {
                    row(
                        HealthStatus::ProxyDetached,
                        Some(format!(
                            "proxy {} is not attached: `destui destination repair {}`",
                            server.proxy_container, d.name
                        )),
                    )
                };
                // The proxy's own network is never offered for deletion.
                let proxy = &server.proxy_container;
                checked.unused = !assigned && n.holds_only(proxy) && !n.is_home_of(proxy);
                checked.containers = Some(n.containers.iter().filter(|c| c.name != *proxy).count());
                let network = (&*n.id, &*n.name, &*n.driver, &*n.scope);
                if let Some(other) = self.other_nodes(server, network).await {
                    other.add_to(&mut checked);
                }
                checked
            }
            Err(e) => row(
                HealthStatus::Unknown,
                Some(self.fail(server, e).await.to_string()),
            ),
        }
    }

    pub async fn check_destinations(
        &self,
        references: &[impl AsRef<str>],
    ) -> Result<Vec<CheckRow>, Error> {
        let targets = self.check_targets(references).await?;
        // One read of the resources for all the checks, not one per destination.
        let assigned: HashSet<DestinationId> = self
            .db(|s| s.resources())
            .await?
            .into_iter()
            .map(|r| r.destination_uuid)
            .collect();
        let reached = self.containers_by_server(&targets).await;
        let progress = progress::Counter::start(targets.len());
        let progress = &progress;
        // The futures are built first: a stream of closures that borrow `self` is not provably
        // Send, and the TUI runs this on a spawned task.
        let checks: Vec<_> = targets
            .iter()
            .map(|(d, server)| {
                let reached = reached.get(&server.uuid);
                let assigned = assigned.contains(&d.uuid);
                async move {
                    let row = match reached {
                        Some(Ok(listed)) => {
                            self.check_against(d, server, assigned, Some(listed)).await
                        }
                        Some(Err(e)) => CheckRow {
                            destination: d.name.clone(),
                            uuid: d.uuid.clone(),
                            status: HealthStatus::Unknown,
                            detail: Some(e.to_string()),
                            unused: false,
                            containers: None,
                            nodes: OtherNodes::default(),
                        },
                        None => self.check_against(d, server, assigned, None).await,
                    };
                    progress.step();
                    row
                }
            })
            .collect();
        Ok(stream::iter(checks)
            .buffered(SCAN_CONCURRENCY)
            .collect()
            .await)
    }

    /// Every destination recorded on `server`, checked against `listed` (its containers, read
    /// once by the caller): what a watch starts from (DESIGN.md §11).
    pub(super) async fn check_destinations_on(
        &self,
        server: &Server,
        listed: &[ListedContainer],
    ) -> Result<Vec<CheckRow>, Error> {
        let uuid = server.uuid.clone();
        let (destinations, assigned) = self
            .db(move |s| {
                let destinations = s.destinations_of(&uuid)?;
                let assigned: HashSet<DestinationId> = s
                    .resources()?
                    .into_iter()
                    .map(|r| r.destination_uuid)
                    .collect();
                Ok((destinations, assigned))
            })
            .await?;
        let checks: Vec<_> = destinations
            .iter()
            .map(|d| self.check_against(d, server, assigned.contains(&d.uuid), Some(listed)))
            .collect();
        Ok(stream::iter(checks)
            .buffered(SCAN_CONCURRENCY)
            .collect()
            .await)
    }

    /// The destinations named (all of them when none is), each with its server.
    async fn check_targets(
        &self,
        references: &[impl AsRef<str>],
    ) -> Result<Vec<(Destination, Server)>, Error> {
        if !references.is_empty() {
            let mut v = Vec::new();
            for r in references {
                v.push(self.destination(r.as_ref()).await?);
            }
            return Ok(v);
        }
        self.db(|s| {
            let servers: HashMap<ServerId, Server> = s
                .servers()?
                .into_iter()
                .map(|x| (x.uuid.clone(), x))
                .collect();
            Ok(s.destinations()?
                .into_iter()
                .filter_map(|d| servers.get(&d.server_uuid).cloned().map(|srv| (d, srv)))
                .collect::<Vec<_>>())
        })
        .await
    }

    /// Every container of each server the targets are on, by server uuid.
    async fn containers_by_server(
        &self,
        targets: &[(Destination, Server)],
    ) -> HashMap<ServerId, Result<Vec<ListedContainer>, Error>> {
        // Each server is connected once, and its containers read once, for all its
        // destinations (stopped ones count as attached): an unreachable server costs one
        // connect timeout, and its destinations are `unknown` with that one reason.
        let mut servers: Vec<&Server> = Vec::new();
        for (_, server) in targets {
            if !servers.iter().any(|s| s.uuid == server.uuid) {
                servers.push(server);
            }
        }
        futures::future::join_all(servers.into_iter().map(|server| async move {
            let listed = self
                .read_again(server, || async {
                    let docker = self.docker(server).await?;
                    match docker.listed_containers(None).await {
                        Ok(listed) => Ok(listed),
                        Err(e) => Err(self.fail(server, e).await),
                    }
                })
                .await;
            (server.uuid.clone(), listed)
        }))
        .await
        .into_iter()
        .collect()
    }

    /// Recreates a missing network (same name and type) and reattaches the proxy.
    pub async fn repair_destination(&self, reference: &str) -> Result<Outcome<CheckRow>, Error> {
        let (d, server) = self.destination(reference).await?;
        writable(&server)?;
        let (server, docker) = self.online(&server).await?;
        let before = self.check_destination(&d, &server).await;
        let warnings = self.repair_as_found(&d, &server, &docker, &before).await?;
        let (d, server) = self.destination(&d.uuid).await?;
        let after = self.check_destination(&d, &server).await;
        // A swarm manager answers `network rm` before the network is gone: a repair in that
        // moment finds the old network without the proxy, and the attachment fails on it.
        // Gone now, it is made again, as a repair a moment later would.
        if before.status == HealthStatus::ProxyDetached && after.status == HealthStatus::Missing {
            let warnings = self.repair_as_found(&d, &server, &docker, &after).await?;
            let (d, server) = self.destination(&d.uuid).await?;
            let value = self.check_destination(&d, &server).await;
            return Ok(Outcome { value, warnings });
        }
        Ok(Outcome {
            value: after,
            warnings,
        })
    }

    /// The network of a missing destination, made again with the same name, type and shape
    /// (and the connection it was made on). One a repair or create made already, whose
    /// answer was lost, is adopted; a namesake that is not this destination's is refused.
    async fn remake_network(
        &self,
        server: &Server,
        docker: &DockerApi,
        d: &Destination,
    ) -> Result<(String, DockerApi), Error> {
        let namesake = || Error::NetworkExists {
            server: server.name.clone(),
            network: d.network.clone(),
        };
        if let Ok(Some(made)) = network_made_for(docker, d).await {
            return Ok((made.id, docker.clone()));
        }
        if let Ok(Some(_)) = docker.network_named(&d.network).await {
            return Err(namesake());
        }
        let spec = NetworkSpec {
            name: &d.network,
            driver: d.kind.driver(),
            attachable: d.kind == DestinationType::Swarm,
            // Shaped as it was created (a subnet picked from a pool included).
            internal: d.options.internal,
            subnet: d.options.subnet.as_deref(),
            labels: destination_labels(d),
            shape: Some(&d.options),
        };
        let made = create_after_removal(docker, &spec, d.kind).await;
        match self.lose_answer_at("network-recreate", made).await {
            Ok(id) => Ok((id, docker.clone())),
            Err(DockerError::NameExists(_)) => Err(namesake()),
            Err(e) if link_broke(&e) => self.remade_after_loss(server, d, e).await,
            Err(e) => Err(self.fail(server, e).await),
        }
    }

    /// After a repair's create lost its answer: the network it made (asked over a connection
    /// made anew), or the lost-connection error — the next repair adopts what was made.
    async fn remade_after_loss(
        &self,
        server: &Server,
        d: &Destination,
        e: DockerError,
    ) -> Result<(String, DockerApi), Error> {
        self.fail(server, e).await;
        let lost_it = || lost(server, format!("the repair of {}", d.name));
        let again = self.reconnected(server).await.ok_or_else(lost_it)?;
        match network_made_for(&again, d).await {
            Ok(Some(made)) => Ok((made.id, again)),
            _ => Err(lost_it()),
        }
    }

    /// What a repair does for the state `found`: make a missing network again, attach a
    /// detached proxy.
    async fn repair_as_found(
        &self,
        d: &Destination,
        server: &Server,
        docker: &DockerApi,
        found: &CheckRow,
    ) -> Result<Vec<Warning>, Error> {
        let mut warnings = Vec::new();
        match found.status {
            HealthStatus::Unknown => {
                return Err(Error::Unreachable {
                    server: server.name.clone(),
                    detail: found.detail.clone().unwrap_or_default(),
                });
            }
            HealthStatus::Ok => {}
            HealthStatus::Missing => {
                let (id, docker) = self.remake_network(server, docker, d).await?;
                let uuid = d.uuid.clone();
                let new_id = id.clone();
                self.db(move |s| s.update_destination_network_id(&uuid, &new_id))
                    .await?;
                warnings.extend(self.attach_proxy(server, &docker, &id).await);
            }
            HealthStatus::ProxyDetached => {
                warnings.extend(self.attach_proxy(server, docker, &d.network_id).await);
            }
        }
        Ok(warnings)
    }
}

/// Creates the network a repair puts back. A swarm manager still holds the name of an overlay
/// removed a moment ago when an endpoint was forced off it (measured with the docker CLI:
/// `network rm` has answered, yet a create of that name is refused as a duplicate for a
/// moment): on a swarm the create is tried again for a few seconds before the name counts as
/// taken.
async fn create_after_removal(
    docker: &DockerApi,
    spec: &NetworkSpec<'_>,
    kind: DestinationType,
) -> Result<String, DockerError> {
    let deadline = Instant::now() + Duration::from_secs(8);
    loop {
        match docker.create_network(spec).await {
            Err(DockerError::NameExists(_))
                if kind == DestinationType::Swarm && Instant::now() < deadline =>
            {
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
            other => return other,
        }
    }
}
