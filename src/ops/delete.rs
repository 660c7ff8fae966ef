//! Delete (DESIGN.md §1): refused while anything is attached or assigned; otherwise the
//! proxy detached and the network removed by its ID under an intent, then the record. A
//! network is gone only when an inspect by its recorded ID says so; a server that cannot be
//! reached keeps the record unless the delete is forced.

use super::dependants::{recorded_network, refuse_if_in_use, resources_attached};
use super::lost::lost;
use super::*;
use crate::domain::Resource;

impl Ops {
    /// The resources recorded on `d` when its network is gone (an inspect by its recorded ID
    /// answers 404) and not one of them has a container left: another admin deleted them
    /// all, and a delete forgets them with the destination. Empty otherwise (any container
    /// left, or a state that cannot be read, keeps the refusal).
    async fn gone_with_their_network(
        &self,
        d: &Destination,
        docker: &DockerApi,
    ) -> Result<Vec<Resource>, Error> {
        let uuid = d.uuid.clone();
        let recorded = self.db(move |s| s.resources_on(&uuid)).await?;
        if recorded.is_empty() || !matches!(docker.inspect_network(&d.network_id).await, Ok(None)) {
            return Ok(Vec::new());
        }
        for r in &recorded {
            if self.resource_status(r, &d.network, docker).await != ResourceStatus::Missing {
                return Ok(Vec::new());
            }
        }
        Ok(recorded)
    }

    pub async fn delete_destination(
        &self,
        reference: &str,
        force: bool,
    ) -> Result<Outcome<DestinationView>, Error> {
        let (d, server) = self.destination(reference).await?;
        writable(&server)?;
        let view = DestinationView::new(&d, Some(&server));
        let resources = self.resource_names_on(&d).await?;
        let docker = match self.docker(&server).await {
            Ok(docker) => docker,
            Err(e) if e.is_unreachable() => {
                if !resources.is_empty() {
                    return Err(resources_attached(Vec::new(), resources));
                }
                return self.delete_unreachable(&d, &server, view, &e, force).await;
            }
            Err(e) => return Err(e),
        };

        // One request answers what blocks the delete: every container configured on the
        // network (running, stopped or never started), the proxy among them with the network
        // it was started on. No inspect beforehand: disconnect and remove say when the network
        // is gone (sequential requests: on one SSH connection, parallel ones wait on each
        // other's acknowledgements, which costs more than it saves on most links). What
        // depends on the network from elsewhere is the report's work (`delete_report`, shown
        // before a delete by `--dry-run` and the TUI's confirmation): a delete itself costs no
        // inspect per container of the server.
        let recorded = recorded_network(&d);
        let listed = match docker.listed_containers(Some(&recorded)).await {
            Ok(listed) => listed,
            Err(e) => {
                // The first request on the connection: a server that stopped answering is
                // found here, and treated as unreachable from the start.
                let e = self.fail(&server, e).await;
                if e.is_unreachable() {
                    if !resources.is_empty() {
                        return Err(resources_attached(Vec::new(), resources));
                    }
                    return self.delete_unreachable(&d, &server, view, &e, force).await;
                }
                return Err(e);
            }
        };
        let forgotten = self.gone_with_their_network(&d, &docker).await?;
        let resources = if forgotten.is_empty() {
            resources
        } else {
            Vec::new()
        };
        refuse_if_in_use(&docker, &d, &server, &recorded, &listed, resources).await?;
        self.refuse_if_on_other_nodes(&d, &server).await?;
        let mut warnings = Vec::new();
        for r in forgotten {
            let uuid = r.uuid.clone();
            self.db(move |s| s.remove_resource(&uuid)).await?;
            warnings.push(Warning::from(format!(
                "forgot resource {}: its containers were gone from {}, as was the network {}",
                r.name, server.name, d.network
            )));
        }
        warnings.extend(self.remove_with_intent(&d, &server, &docker).await?);
        Ok(Outcome {
            value: view,
            warnings,
        })
    }

    /// Removes the network under a stored intent, then the record. From the intent on, a
    /// crash leaves it for start-up reconciliation to finish the delete; a refusal or an error
    /// takes it back (the user decides what next).
    async fn remove_with_intent(
        &self,
        d: &Destination,
        server: &Server,
        docker: &DockerApi,
    ) -> Result<Vec<Warning>, Error> {
        let mut warnings = Vec::new();
        let intent = Intent {
            destination: d.clone(),
            step: IntentStep::Delete,
        };
        self.db(move |s| s.put_intent(&intent)).await?;
        failpoint("after-delete-intent");
        let swarm = d.kind == DestinationType::Swarm;
        let mut removed = self
            .remove_network(server, docker, &d.network_id, swarm)
            .await;
        if matches!(&removed, Err(e) if e.is_unreachable()) {
            // The link broke under a step: the steps are asked again over a connection made
            // anew (each is harmless twice); when there is none, the intent stays and the
            // next contact finishes the delete.
            let Some(again) = self.reconnected(server).await else {
                return Err(lost(server, format!("the delete of {}", d.name)));
            };
            // Gone now is this delete's own removal, whose answer was lost: no "already gone".
            removed = self
                .remove_network(server, &again, &d.network_id, swarm)
                .await
                .map(|_| true);
            if matches!(&removed, Err(e) if e.is_unreachable()) {
                return Err(lost(server, format!("the delete of {}", d.name)));
            }
        }
        match removed {
            Ok(true) => failpoint("after-network-remove"),
            Ok(false) => warnings.push(Warning::from(format!(
                "network {} was already gone from {}",
                d.network, server.name
            ))),
            Err(e) => {
                let uuid = d.uuid.clone();
                self.db(move |s| s.drop_intent(&uuid)).await?;
                return Err(e);
            }
        }
        let doomed = d.clone();
        if let Err(e) = self.db(move |s| s.remove_destination(&doomed)).await {
            // (Another delete of it won meanwhile: its record is gone, and so is this intent.)
            let uuid = d.uuid.clone();
            self.db(move |s| s.drop_intent(&uuid)).await?;
            return Err(e);
        }
        Ok(warnings)
    }

    /// A delete whose server cannot be reached: the record is kept and the refusal says how
    /// to forget it; with `force`, the record alone is forgotten, with a warning.
    async fn delete_unreachable(
        &self,
        d: &Destination,
        server: &Server,
        view: DestinationView,
        e: &Error,
        force: bool,
    ) -> Result<Outcome<DestinationView>, Error> {
        if !force {
            return Err(Error::UnreachableKept {
                server: server.name.clone(),
                destination: d.name.clone(),
                detail: unreachable_detail(e),
            });
        }
        let doomed = d.clone();
        self.db(move |s| s.remove_destination(&doomed)).await?;
        Ok(Outcome {
            value: view,
            warnings: vec![Warning::from(format!(
                "{} is unreachable: forgot the record of {} only; the network {} may remain on {}",
                server.name, d.name, d.network, server.name
            ))],
        })
    }

    /// Detaches the proxy and removes a destination's network (its record stays). A network
    /// is gone only when an inspect by its recorded ID answers 404: a "not found" from the
    /// disconnect or the removal is not proof (a swarm manager says it for an overlay with no
    /// endpoint on this node, and its filtered list can omit an overlay that exists). A swarm
    /// network can still be listed for a moment after its removal returned: this waits until
    /// it is gone (a local network is gone when the call returns).
    /// Returns false when the network was already gone.
    pub(super) async fn remove_network(
        &self,
        server: &Server,
        docker: &DockerApi,
        network_id: &str,
        swarm: bool,
    ) -> Result<bool, Error> {
        let detached = docker
            .disconnect_container(network_id, &server.proxy_container)
            .await;
        match self.lose_answer_at("proxy-disconnect", detached).await {
            // (NotFound: the removal below by ID decides what it meant.)
            Ok(()) | Err(DockerError::NotFound(_)) => {}
            Err(e) => return Err(self.fail(server, e).await),
        }
        failpoint("after-proxy-disconnect");
        let removed = docker.remove_network(network_id).await;
        let removed = match self.lose_answer_at("network-remove", removed).await {
            Ok(removed) => removed,
            Err(DockerError::ActiveEndpoints(_)) => {
                // Something attached between the check and the removal: put the proxy back.
                let _ = docker
                    .connect_container(network_id, &server.proxy_container)
                    .await;
                return Err(Error::ResourcesAttached {
                    attached: Vec::new(),
                    resources: Vec::new(),
                });
            }
            Err(e) => return Err(self.fail(server, e).await),
        };
        if removed {
            if swarm && let Err(e) = docker.wait_until_gone(network_id).await {
                return Err(self.fail(server, e).await);
            }
            return Ok(true);
        }
        match docker.inspect_network(network_id).await {
            Ok(None) => Ok(false),
            Ok(Some(still)) => Err(Error::Docker {
                server: server.name.clone(),
                detail: format!(
                    "the daemon said network {} was not found, yet it is still there (ID {}): nothing was forgotten; try again",
                    still.name, still.id
                ),
            }),
            Err(e) => Err(self.fail(server, e).await),
        }
    }
}

/// What went wrong, without the "server X is unreachable" that the caller's error adds again.
pub(super) fn unreachable_detail(e: &Error) -> String {
    match e {
        Error::Unreachable { detail, .. } => detail.clone(),
        // The record keeps the command line's words for the setting to fix.
        Error::WrongSetting { detail, hint, .. } => format!("{detail}{hint}"),
        other => other.to_string(),
    }
}
