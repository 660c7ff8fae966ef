//! Start-up reconciliation: finish or undo the steps a crash interrupted (intents).

use super::lost::network_made_for;
use super::*;

/// What a crash left to settle on one server.
#[derive(Default)]
struct ServerIntents {
    destinations: Vec<Intent>,
    deploys: Vec<ResourceIntent>,
}

impl Ops {
    /// Settles every step that a crash interrupted, from its intent:
    /// - create: the network exists (found by its label) → the record is saved; it does not →
    ///   the intent is dropped;
    /// - import: the record is saved → the proxy is attached;
    /// - delete: the delete is finished (or, if something was attached meanwhile, the proxy
    ///   is put back and the destination kept).
    ///
    /// - resource deploy: what it started is removed (it never got its record).
    ///
    /// An unreachable server keeps its intents for the next start (one note says so). Returns
    /// one note per settled intent.
    pub async fn reconcile(&self) -> Result<Vec<String>, Error> {
        let mut by_server: BTreeMap<ServerId, ServerIntents> = BTreeMap::new();
        for intent in self.db(|s| s.intents()).await? {
            let server = intent.destination.server_uuid.clone();
            by_server
                .entry(server)
                .or_default()
                .destinations
                .push(intent);
        }
        for intent in self.db(|s| s.resource_intents()).await? {
            let server = intent.server_uuid.clone();
            by_server.entry(server).or_default().deploys.push(intent);
        }
        // Servers in parallel (each unreachable one costs one connect timeout, not one per
        // intent or per server in turn); the steps of one server in order.
        let settles: Vec<_> = by_server
            .into_iter()
            .map(|(server, intents)| self.settle_server(server, intents))
            .collect();
        let mut notes = Vec::new();
        for settled in futures::future::join_all(settles).await {
            notes.extend(settled?);
        }
        Ok(notes)
    }

    async fn settle_server(
        &self,
        server_uuid: ServerId,
        intents: ServerIntents,
    ) -> Result<Vec<String>, Error> {
        let Some(server) = self.db(move |s| s.server(&server_uuid)).await? else {
            // The server was forgotten (remove --force): nothing left to settle against.
            let destinations: Vec<DestinationId> = intents
                .destinations
                .iter()
                .map(|i| i.destination.uuid.clone())
                .collect();
            self.db(move |s| s.drop_intents(&destinations)).await?;
            for deploy in intents.deploys {
                self.db(move |s| s.drop_resource_intent(&deploy.resource.uuid))
                    .await?;
            }
            return Ok(Vec::new());
        };
        let docker = match self.docker(&server).await {
            Ok(docker) => docker,
            Err(e) => {
                let waiting = intents.destinations.len() + intents.deploys.len();
                return Ok(vec![format!(
                    "{waiting} interrupted step(s) on {} wait until it answers: {e}",
                    server.name
                )]);
            }
        };
        let mut notes = Vec::new();
        for intent in intents.destinations {
            let d = intent.destination;
            let note = match intent.step {
                IntentStep::Create => self.settle_create(&server, &docker, d).await?,
                IntentStep::AttachProxy => self.settle_attach(&server, &docker, d).await?,
                IntentStep::Delete => self.settle_delete(&server, d).await?,
            };
            notes.extend(note);
        }
        for deploy in intents.deploys {
            notes.extend(self.settle_deploy(deploy, &docker, &server).await?);
        }
        Ok(notes)
    }

    async fn settle_create(
        &self,
        server: &Server,
        docker: &DockerApi,
        d: Destination,
    ) -> Result<Option<String>, Error> {
        // (Not a list filtered by label: a swarm manager's can omit an overlay that exists.)
        let Ok(found) = network_made_for(docker, &d).await else {
            return Ok(None);
        };
        let uuid = d.uuid.clone();
        let Some(network) = found else {
            self.db(move |s| s.drop_intent(&uuid)).await?;
            return Ok(None);
        };
        let mut adopted = d.clone();
        adopted.network_id = network.id.clone();
        if self
            .connect_proxy(server, docker, &network.id)
            .await
            .is_err()
        {
            // Lost again: the intent waits for the next contact.
            return Ok(None);
        }
        let saved = adopted.clone();
        match self.db(move |s| s.insert_destination(&saved)).await {
            Ok(()) => Ok(Some(format!(
                "recovered destination {} (network {} on {}) after an interrupted create",
                adopted.name, adopted.network, server.name
            ))),
            Err(_) => {
                // The name or network was taken meanwhile: the labelled network is ours and
                // unrecorded, so take it back rather than orphan it.
                let _ = docker
                    .disconnect_container(&network.id, &server.proxy_container)
                    .await;
                let _ = docker.remove_network(&network.id).await;
                self.db(move |s| s.drop_intent(&uuid)).await?;
                Ok(None)
            }
        }
    }

    /// An intent whose record is gone has nothing left to settle: it is dropped.
    async fn forgot_intent_without_record(&self, d: &Destination) -> Result<bool, Error> {
        let uuid = d.uuid.clone();
        if self.db(move |s| s.destination(&uuid)).await?.is_some() {
            return Ok(false);
        }
        let uuid = d.uuid.clone();
        self.db(move |s| s.drop_intent(&uuid)).await?;
        Ok(true)
    }

    async fn settle_attach(
        &self,
        server: &Server,
        docker: &DockerApi,
        d: Destination,
    ) -> Result<Option<String>, Error> {
        if self.forgot_intent_without_record(&d).await? {
            return Ok(None);
        }
        let Ok(attached) = self.connect_proxy(server, docker, &d.network_id).await else {
            // Lost again: the intent waits for the next contact.
            return Ok(None);
        };
        let outcome = match attached {
            None => format!(
                "finished importing destination {}: proxy {} attached after an interrupted import",
                d.name, server.proxy_container
            ),
            Some(warning) => format!("destination {} was imported, but {warning}", d.name),
        };
        let uuid = d.uuid.clone();
        self.db(move |s| s.drop_intent(&uuid)).await?;
        Ok(Some(outcome))
    }

    async fn settle_delete(
        &self,
        server: &Server,
        d: Destination,
    ) -> Result<Option<String>, Error> {
        if self.forgot_intent_without_record(&d).await? {
            return Ok(None);
        }
        match self.delete_destination(&d.uuid, false).await {
            Ok(_) => Ok(Some(format!(
                "finished deleting destination {} (network {} on {}) after an interrupted delete",
                d.name, d.network, server.name
            ))),
            Err(e) if e.is_unreachable() || matches!(e, Error::ConnectionLost { .. }) => Ok(None),
            Err(e) => {
                // Refused now (something was attached meanwhile): the destination stays, whole.
                if let Ok(docker) = self.docker(server).await {
                    let _ = self.attach_proxy(server, &docker, &d.network_id).await;
                }
                let uuid = d.uuid.clone();
                self.db(move |s| s.drop_intent(&uuid)).await?;
                Ok(Some(format!(
                    "kept destination {} after an interrupted delete: {e}",
                    d.name
                )))
            }
        }
    }
}
