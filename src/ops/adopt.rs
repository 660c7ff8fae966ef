//! What another data directory made, adopted from the labels the daemons carry (DESIGN.md
//! §12): the destination a network was made for (scan's `made elsewhere`, import), the
//! resources deployed on it, and `destui sync`, which does both for whole servers and lists
//! the records whose network is gone. Nothing here removes anything.

use super::import::ImportRefusal;
use super::*;
use crate::domain::{
    LABEL_CREATED, LABEL_MANAGED, LABEL_NAME, LABEL_RESOURCE, LABEL_RESOURCE_KIND,
    LABEL_RESOURCE_NAME, Resource, ResourceId, ResourceKind,
};
use crate::remote::docker::LabelledContainer;

/// What a network's labels say of the destination it was made for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Carried {
    pub uuid: DestinationId,
    /// The name it was created with (absent on networks labelled before names were).
    pub name: Option<String>,
    /// Unix seconds.
    pub created_at: Option<i64>,
}

impl Carried {
    /// The destination `n` carries, if any (a service stack's own network carries none).
    pub fn of(n: &NetworkInfo) -> Option<Self> {
        // Only what destui made says so: `destui.managed=false` (or none) claims nothing.
        if n.labels.contains_key(LABEL_RESOURCE)
            || n.labels.get(LABEL_MANAGED).map(String::as_str) != Some("true")
        {
            return None;
        }
        let uuid = n
            .labels
            .get(LABEL_DESTINATION)
            .filter(|u| domain::is_record_id(u))?;
        Some(Carried {
            uuid: uuid.clone().into(),
            name: n
                .labels
                .get(LABEL_NAME)
                .filter(|name| domain::validate_display_name("destination", name).is_ok())
                .cloned(),
            created_at: n
                .labels
                .get(LABEL_CREATED)
                .and_then(|t| domain::rfc3339_nanos(t))
                .map(|ns| ns.div_euclid(1_000_000_000)),
        })
    }

    /// The name scan shows: the one it was created with, else its network's.
    pub fn shown_name(&self, n: &NetworkInfo) -> String {
        self.name.clone().unwrap_or_else(|| n.name.clone())
    }
}

/// A record adopted from the daemon's labels, as `sync` and `import` report it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Adopted {
    /// `destination` or `resource`.
    pub what: &'static str,
    pub uuid: String,
    /// Its name here (the original one, suffixed when taken).
    pub name: String,
    pub original_name: String,
    pub server: String,
    /// A destination's network, or the destination a resource is on.
    pub on: String,
    /// A destination's type, or a resource's kind.
    #[serde(rename = "type")]
    pub kind: String,
}

/// A record here whose network is gone from its server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MissingRecord {
    pub destination: String,
    pub uuid: String,
    pub server: String,
    pub network: String,
}

/// A server a sync could not reach.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncSkipped {
    pub server: String,
    pub error: String,
}

/// What `destui sync` did (`--json`: `{adopted, missing, unreachable}`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SyncReport {
    pub adopted: Vec<Adopted>,
    pub missing: Vec<MissingRecord>,
    pub unreachable: Vec<SyncSkipped>,
}

impl Ops {
    /// Adopts every labelled destination and resource of `servers` not recorded here, and
    /// lists the records whose network is gone (all servers when none is named). Servers in
    /// parallel; an unreachable one is reported, never taken for "everything is gone".
    pub async fn sync(&self, servers: &[String]) -> Result<Outcome<SyncReport>, Error> {
        let targets = self.servers_named(servers).await?;
        // One step per server (a sync of many shows `n/N`).
        let progress = progress::Counter::start(targets.len());
        let progress = &progress;
        let synced = futures::future::join_all(targets.iter().map(|s| async move {
            let synced = self.sync_server(s).await;
            progress.step();
            synced
        }))
        .await;
        let mut report = SyncReport::default();
        let mut warnings = Vec::new();
        for (server, result) in targets.iter().zip(synced) {
            match result {
                Ok(outcome) => {
                    report.adopted.extend(outcome.value.adopted);
                    report.missing.extend(outcome.value.missing);
                    warnings.extend(outcome.warnings);
                }
                Err(e) => report.unreachable.push(SyncSkipped {
                    server: server.name.clone(),
                    error: e.reason(),
                }),
            }
        }
        warnings.dedup();
        Ok(Outcome {
            value: report,
            warnings,
        })
    }

    /// The servers `references` name, in that order; every recorded one when none is named.
    pub(super) async fn servers_named(&self, references: &[String]) -> Result<Vec<Server>, Error> {
        if references.is_empty() {
            return self.db(|s| s.servers()).await;
        }
        let mut found = Vec::new();
        for reference in references {
            found.push(self.server(reference).await?);
        }
        Ok(found)
    }

    /// `sync` of one server (the TUI's Servers pane): an unreachable server is an error.
    pub async fn sync_server(&self, server: &Server) -> Result<Outcome<SyncReport>, Error> {
        let (server, docker, listed, labelled) = self.read_labels(server).await?;
        let uuid = server.uuid.clone();
        let recorded = self.db(move |s| s.destinations_of(&uuid)).await?;
        let missing = missing_records(&server, &recorded, &listed);
        let chosen = self.made_elsewhere(&server, &listed).await?;
        // Records only: a sync changes nothing on the daemon (a proxy missing from an adopted
        // network shows in its check, and repair puts it back).
        let adopted = self.save_imported(&server, &chosen, false).await?;
        let mut report = SyncReport {
            adopted: adopted.iter().map(|d| d.adopted(&server)).collect(),
            missing,
            unreachable: Vec::new(),
        };
        let uuid = server.uuid.clone();
        let destinations = self.db(move |s| s.destinations_of(&uuid)).await?;
        let resources = self
            .adopt_resources(&docker, &destinations, &labelled)
            .await?;
        report
            .adopted
            .extend(resources.iter().map(|r| r.adopted(&server, &destinations)));
        Ok(Outcome {
            value: report,
            warnings: Vec::new(),
        })
    }

    /// What a sync reads of a server (it must be online): its networks, each with the
    /// containers on it (the proxy's own network is told by the one it was started on), and
    /// the containers labelled as resources.
    pub(super) async fn read_labels(
        &self,
        server: &Server,
    ) -> Result<(Server, DockerApi, Vec<NetworkInfo>, Vec<LabelledContainer>), Error> {
        let (server, docker) = self.online(server).await?;
        let (listed, containers, labelled) = futures::join!(
            docker.networks(),
            docker.listed_containers(None),
            docker.labelled_containers(LABEL_RESOURCE)
        );
        let (mut listed, containers, labelled) = match (listed, containers, labelled) {
            (Ok(n), Ok(c), Ok(l)) => (n, c, l),
            (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => {
                return Err(self.fail(&server, e).await);
            }
        };
        for n in &mut listed {
            n.add_listed(&containers);
        }
        Ok((server, docker, listed, labelled))
    }

    /// The networks of `listed` that carry a destination not recorded here and can be
    /// recorded (not the proxy's own, no namesake, a name destui accepts).
    pub(super) async fn made_elsewhere<'a>(
        &self,
        server: &Server,
        listed: &'a [NetworkInfo],
    ) -> Result<Vec<&'a NetworkInfo>, Error> {
        let known = self.known(server).await?;
        let carried: Vec<(&NetworkInfo, DestinationId)> = listed
            .iter()
            .filter_map(|n| Carried::of(n).map(|c| (n, c.uuid)))
            .filter(|(n, _)| ImportRefusal::of(&known, n).is_none())
            .filter(|(n, _)| listed.iter().filter(|o| o.name == n.name).count() == 1)
            .collect();
        let uuids: Vec<DestinationId> = carried.iter().map(|(_, u)| u.clone()).collect();
        let recorded: HashSet<DestinationId> = self
            .db(move |s| {
                let mut found = HashSet::new();
                for uuid in uuids {
                    if s.is_record_uuid(&uuid)? {
                        found.insert(uuid);
                    }
                }
                Ok(found)
            })
            .await?;
        Ok(carried
            .into_iter()
            .filter(|(_, uuid)| !recorded.contains(uuid))
            .map(|(n, _)| n)
            .collect())
    }

    /// Records the resources whose containers carry labels of `destinations` (this server's
    /// records) and that are not recorded here: uuid, name (suffixed when taken) and kind from
    /// the labels, image and command from the container.
    pub(super) async fn adopt_resources(
        &self,
        docker: &DockerApi,
        destinations: &[Destination],
        containers: &[LabelledContainer],
    ) -> Result<Vec<Resource>, Error> {
        let mut found: Vec<(&LabelledContainer, Resource)> = Vec::new();
        for c in containers {
            let Some(r) = resource_of(c, destinations) else {
                continue;
            };
            if !found.iter().any(|(_, o)| o.uuid == r.uuid) {
                found.push((c, r));
            }
        }
        let uuids: Vec<ResourceId> = found.iter().map(|(_, r)| r.uuid.clone()).collect();
        let recorded: HashSet<ResourceId> = self
            .db(move |s| {
                let mut known = HashSet::new();
                for uuid in uuids {
                    if s.is_record_uuid(&uuid)? {
                        known.insert(uuid);
                    }
                }
                Ok(known)
            })
            .await?;
        found.retain(|(_, r)| !recorded.contains(&r.uuid));
        if found.is_empty() {
            return Ok(Vec::new());
        }
        // The command from each new one's configuration, all at once.
        let commands =
            futures::future::join_all(found.iter().map(|(c, _)| docker.shell_command(&c.id))).await;
        let mut candidates = Vec::new();
        for ((_, mut r), command) in found.into_iter().zip(commands) {
            r.command = command.unwrap_or_default();
            candidates.push(r);
        }
        self.db(move |s| s.adopt_resources(candidates)).await
    }
}

/// The records of `server` whose network is not among `listed`.
pub(super) fn missing_records(
    server: &Server,
    recorded: &[Destination],
    listed: &[NetworkInfo],
) -> Vec<MissingRecord> {
    recorded
        .iter()
        .filter(|d| !listed.iter().any(|n| n.id == d.network_id))
        .map(|d| MissingRecord {
            destination: d.name.clone(),
            uuid: d.uuid.to_string(),
            server: server.name.clone(),
            network: d.network.clone(),
        })
        .collect()
}

/// The resource a labelled container runs, when it is on one of `destinations`.
pub(super) fn resource_of(c: &LabelledContainer, destinations: &[Destination]) -> Option<Resource> {
    let uuid = c
        .labels
        .get(LABEL_RESOURCE)
        .filter(|u| domain::is_record_id(u))?;
    let destination = destinations
        .iter()
        .find(|d| c.labels.get(LABEL_DESTINATION) == Some(&d.uuid.to_string()))?;
    let name = c
        .labels
        .get(LABEL_RESOURCE_NAME)
        .filter(|n| domain::validate_display_name("resource", n).is_ok())?
        .clone();
    let kind = c
        .labels
        .get(LABEL_RESOURCE_KIND)
        .and_then(|k| k.parse::<ResourceKind>().ok())
        .unwrap_or(ResourceKind::Application);
    Some(Resource {
        uuid: ResourceId::from(uuid.clone()),
        name: name.clone(),
        kind,
        image: c.image.clone(),
        command: None,
        destination_uuid: destination.uuid.clone(),
        // A service stack starts on its own network: on the destination's too means the
        // option was on.
        connect_predefined: kind == ResourceKind::Service
            && c.networks.contains(&destination.network),
        original_name: Some(name),
    })
}

impl Destination {
    fn adopted(&self, server: &Server) -> Adopted {
        Adopted {
            what: "destination",
            uuid: self.uuid.to_string(),
            name: self.name.clone(),
            original_name: self.original_name.clone().unwrap_or(self.name.clone()),
            server: server.name.clone(),
            on: self.network.clone(),
            kind: self.kind.to_string(),
        }
    }
}

impl Resource {
    fn adopted(&self, server: &Server, destinations: &[Destination]) -> Adopted {
        Adopted {
            what: "resource",
            uuid: self.uuid.to_string(),
            name: self.name.clone(),
            original_name: self.original_name.clone().unwrap_or(self.name.clone()),
            server: server.name.clone(),
            on: destinations
                .iter()
                .find(|d| d.uuid == self.destination_uuid)
                .map_or_else(|| self.destination_uuid.to_string(), |d| d.name.clone()),
            kind: self.kind.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A network with `labels`, and `destui.managed=true` unless they say otherwise.
    fn network(labels: &[(&str, &str)]) -> NetworkInfo {
        let mut all: HashMap<String, String> =
            HashMap::from([(LABEL_MANAGED.into(), "true".into())]);
        all.extend(labels.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        NetworkInfo {
            id: "f".repeat(64),
            name: "web-net".into(),
            driver: "overlay".into(),
            scope: "swarm".into(),
            attachable: true,
            internal: false,
            subnet: None,
            gateway: None,
            labels: all,
            ..Default::default()
        }
    }

    #[test]
    fn a_network_carries_the_destination_its_labels_name() {
        let n = network(&[
            (LABEL_DESTINATION, "i19x36kuvw4xkd87p84zbkka"),
            (LABEL_NAME, "web eu"),
            (LABEL_CREATED, "2026-11-30T21:30:20Z"),
        ]);
        let carried = Carried::of(&n).unwrap();
        assert_eq!(carried.uuid.as_str(), "i19x36kuvw4xkd87p84zbkka");
        assert_eq!(carried.name.as_deref(), Some("web eu"));
        assert_eq!(carried.created_at, Some(1_796_074_220));
        // Labelled before names were: the network's name is shown.
        let old = network(&[(LABEL_DESTINATION, "i19x36kuvw4xkd87p84zbkka")]);
        assert_eq!(Carried::of(&old).unwrap().shown_name(&old), "web-net");
    }

    #[test]
    fn labels_a_daemon_could_forge_are_not_taken_as_they_are() {
        // A uuid that is no record key, a stack's own network, a network that says destui
        // did not make it: nothing carried.
        assert_eq!(Carried::of(&network(&[(LABEL_DESTINATION, "../x")])), None);
        assert_eq!(
            Carried::of(&network(&[
                (LABEL_DESTINATION, "i19x36kuvw4xkd87p84zbkka"),
                (LABEL_MANAGED, "false"),
            ])),
            None
        );
        assert_eq!(
            Carried::of(&network(&[
                (LABEL_DESTINATION, "i19x36kuvw4xkd87p84zbkka"),
                (LABEL_RESOURCE, "r19x36kuvw4xkd87p84zbkka"),
            ])),
            None
        );
        // A name that could drive the terminal is not taken (the network's name is shown).
        let n = network(&[
            (LABEL_DESTINATION, "i19x36kuvw4xkd87p84zbkka"),
            (LABEL_NAME, "evil\u{1b}[31m"),
        ]);
        assert_eq!(Carried::of(&n).unwrap().name, None);
    }

    #[test]
    fn a_container_is_the_resource_of_a_destination_recorded_here() {
        let d = Destination {
            uuid: "i19x36kuvw4xkd87p84zbkka".into(),
            name: "web".into(),
            network: "web-net".into(),
            network_id: "f".repeat(64),
            server_uuid: "s1".into(),
            kind: DestinationType::Swarm,
            created_at: 0,
            description: None,
            original_name: None,
            options: Default::default(),
        };
        let container = |kind: &str, networks: &[&str]| LabelledContainer {
            id: "c1".into(),
            name: "stack-1".into(),
            image: "app:1".into(),
            labels: [
                (LABEL_RESOURCE, "r19x36kuvw4xkd87p84zbkka"),
                (LABEL_RESOURCE_NAME, "stack"),
                (LABEL_RESOURCE_KIND, kind),
                (LABEL_DESTINATION, "i19x36kuvw4xkd87p84zbkka"),
            ]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
            networks: networks.iter().map(|n| n.to_string()).collect(),
        };
        let r = resource_of(
            &container("service", &["destui-r1", "web-net"]),
            std::slice::from_ref(&d),
        )
        .unwrap();
        assert_eq!(r.uuid.as_str(), "r19x36kuvw4xkd87p84zbkka");
        assert_eq!((r.name.as_str(), r.kind), ("stack", ResourceKind::Service));
        assert!(r.connect_predefined);
        assert_eq!(r.original_name.as_deref(), Some("stack"));
        let alone = resource_of(
            &container("service", &["destui-r1"]),
            std::slice::from_ref(&d),
        )
        .unwrap();
        assert!(!alone.connect_predefined);
        // On a destination not recorded here: not adopted.
        assert_eq!(resource_of(&container("database", &["web-net"]), &[]), None);
    }
}
