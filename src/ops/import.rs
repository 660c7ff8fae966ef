//! Scan a server's networks and import them as destinations.

use super::adopt::Carried;
use super::lost::lost;
use super::*;
use crate::domain::{LABEL_RESOURCE, NetworkOptions};
use crate::remote::docker::MTU_OPTION;

impl Ops {
    pub async fn scan(&self, reference: &str) -> Result<Vec<ScanRow>, Error> {
        let server = self.server(reference).await?;
        self.read_again(&server, || self.scan_once(&server)).await
    }

    async fn scan_once(&self, server: &Server) -> Result<Vec<ScanRow>, Error> {
        let server = server.clone();
        let docker = self.docker(&server).await?;
        // The networks and every container (stopped and never-started ones count as
        // attached), asked at once: one round trip.
        let (listed, containers) =
            futures::join!(docker.networks(), docker.listed_containers(None));
        let listed = match listed {
            Ok(n) => n,
            Err(e) => return Err(self.fail(&server, e).await),
        };
        let containers = match containers {
            Ok(c) => c,
            Err(e) => return Err(self.fail(&server, e).await),
        };
        let known = self.known(&server).await?;
        // Two requests at any size: the containers of every network come from the container
        // list (each container names its networks), not from one inspect per network.
        let inspected: Vec<NetworkInfo> = listed
            .into_iter()
            .filter(|n| !SYSTEM_NETWORKS.contains(&n.name.as_str()))
            .collect();
        let mut rows: Vec<ScanRow> = inspected
            .into_iter()
            .map(|mut n| {
                n.add_listed(&containers);
                let refusal = ImportRefusal::of(&known, &n);
                let proxy = &server.proxy_container;
                let claim = Carried::of(&n).filter(|c| !known.records(&c.uuid));
                let role = match (&refusal, claim) {
                    (Some(refusal), _) => refusal.role(),
                    (None, Some(carried)) => NetworkRole::MadeElsewhere {
                        name: carried.shown_name(&n),
                    },
                    (None, None) => NetworkRole::Importable,
                };
                ScanRow {
                    role,
                    importable: refusal.is_none(),
                    reason: refusal.map(ImportRefusal::reason),
                    // The proxy's own network is never offered for deletion.
                    unused: n.holds_only(proxy) && !n.is_home_of(proxy),
                    nodes: OtherNodes::default(),
                    containers: n.containers.into_iter().map(|c| c.name).collect(),
                    network: n.name,
                    id: n.id,
                    driver: n.driver,
                    scope: n.scope,
                }
            })
            .collect();
        rows.sort_by(|a, b| (&a.network, &a.id).cmp(&(&b.network, &b.id)));
        self.add_other_nodes(&server, &mut rows).await;
        Ok(rows)
    }

    /// Imports the named networks (each by its exact name or full ID; all importable ones
    /// when `networks` is empty and `all`). Everything is checked first: one bad name imports
    /// nothing.
    pub async fn import(
        &self,
        reference: &str,
        networks: &[String],
        all: bool,
    ) -> Result<Outcome<Vec<DestinationView>>, Error> {
        let (server, docker, chosen, mut warnings) =
            self.import_choice(reference, networks, all).await?;
        let chosen: Vec<&NetworkInfo> = chosen.iter().collect();
        let (imported, attached) = self.record_and_attach(&server, &docker, &chosen).await?;
        warnings.extend(attached);
        // A destination made elsewhere comes whole: with the resources deployed on it.
        if imported.iter().any(|d| d.original_name.is_some()) {
            match docker.labelled_containers(LABEL_RESOURCE).await {
                Ok(labelled) => {
                    self.adopt_resources(&docker, &imported, &labelled).await?;
                }
                Err(e) => warnings.push(Warning::from(format!(
                    "the resources of the adopted destinations were not read ({}): run destui sync {} to adopt them",
                    self.fail(&server, e).await.reason(),
                    server.name
                ))),
            }
        }
        Ok(Outcome {
            value: imported
                .iter()
                .map(|d| DestinationView::new(d, Some(&server)))
                .collect(),
            warnings,
        })
    }

    /// Every check of an import (a dry run's too), nothing changed: the server, writable and
    /// reachable, and the networks that would be imported (with a warning per skipped twin).
    pub(super) async fn import_choice(
        &self,
        reference: &str,
        networks: &[String],
        all: bool,
    ) -> Result<(Server, DockerApi, Vec<NetworkInfo>, Vec<Warning>), Error> {
        for n in networks {
            domain::validate_network_name(n)?;
        }
        if networks.is_empty() && !all {
            return Err(Error::Invalid(
                "name the networks to import, or pass --all".into(),
            ));
        }
        let server = self.server(reference).await?;
        writable(&server)?;
        let docker = self.docker(&server).await?;
        // The containers too: they say which network the proxy was started on.
        let (listed, containers) =
            futures::join!(docker.networks(), docker.listed_containers(None));
        let (mut listed, containers) = match (listed, containers) {
            (Ok(n), Ok(c)) => (n, c),
            (Err(e), _) | (_, Err(e)) => return Err(self.fail(&server, e).await),
        };
        for n in &mut listed {
            n.add_listed(&containers);
        }
        let known = self.known(&server).await?;
        let mut warnings = Vec::new();
        let chosen = if all && networks.is_empty() {
            importable(&listed, &known, &server.name, &mut warnings)
        } else {
            named(&listed, &known, networks, &server.name)?
        };
        let chosen = chosen.into_iter().cloned().collect();
        Ok((server, docker, chosen, warnings))
    }

    /// Records the chosen networks as destinations and attaches the proxy to each (import,
    /// sync); returns the records and a warning per kind of failed attachment.
    pub(super) async fn record_and_attach(
        &self,
        server: &Server,
        docker: &DockerApi,
        chosen: &[&NetworkInfo],
    ) -> Result<(Vec<Destination>, Vec<Warning>), Error> {
        let imported = self.save_imported(server, chosen, true).await?;
        failpoint("after-import-save");
        let (warnings, lost_on) = self.attach_proxy_to_all(server, docker, &imported).await;
        failpoint("after-import-attach");
        let settled: Vec<DestinationId> = imported
            .iter()
            .map(|d| d.uuid.clone())
            .filter(|uuid| !lost_on.contains(uuid))
            .collect();
        self.db(move |s| s.drop_intents(&settled)).await?;
        if !lost_on.is_empty() {
            // Their intents stay: the next contact attaches the proxy.
            return Err(lost(
                server,
                format!("the import ({} not attached yet)", lost_on.len()),
            ));
        }
        Ok((imported, warnings))
    }

    /// Records the chosen networks as destinations, each with an intent until the proxy is
    /// attached: a crash in between is finished by start-up reconciliation. A network made
    /// for a destination elsewhere (its labels) is adopted: its uuid, name and creation time.
    /// Without `attach` (sync) the records are saved as they are, with no intent: the daemon
    /// is left exactly as it was.
    pub(super) async fn save_imported(
        &self,
        server: &Server,
        chosen: &[&NetworkInfo],
        attach: bool,
    ) -> Result<Vec<Destination>, Error> {
        let (server_uuid, server_name, plans) = import_plans(server, chosen);
        self.db(move |s| {
            let out = name_imported(s, &server_uuid, &server_name, plans)?;
            if attach {
                s.insert_destinations_pending(&out, IntentStep::AttachProxy)?;
            } else {
                s.insert_destinations(&out)?;
            }
            Ok(out)
        })
        .await
    }

    /// Attaches the proxy to every imported network, a few at a time; one warning per kind
    /// of failure.
    async fn attach_proxy_to_all(
        &self,
        server: &Server,
        docker: &DockerApi,
        imported: &[Destination],
    ) -> (Vec<Warning>, HashSet<DestinationId>) {
        // One step per network: on a swarm manager the daemon attaches them one at a time,
        // and 300 take minutes.
        let progress = progress::Counter::start(imported.len());
        let progress = &progress;
        let attachments: Vec<_> = imported
            .iter()
            .map(|d| async move {
                let attached = self.connect_proxy(server, docker, &d.network_id).await;
                progress.step();
                (d.uuid.clone(), attached)
            })
            .collect();
        let answers: Vec<_> = stream::iter(attachments)
            .buffer_unordered(SCAN_CONCURRENCY)
            .collect()
            .await;
        let mut warnings = Vec::new();
        let mut lost_on = HashSet::new();
        for (uuid, attached) in answers {
            match attached {
                Ok(warning) => warnings.extend(warning),
                Err(_) => {
                    lost_on.insert(uuid);
                }
            }
        }
        warnings.dedup();
        (warnings, lost_on)
    }
}

/// What the record of one chosen network is made from.
pub(super) struct ImportPlan {
    network: String,
    id: String,
    kind: DestinationType,
    carried: Option<Carried>,
    /// The network's shape as the daemon has it, so that a repair makes the same network.
    options: NetworkOptions,
}

pub(super) fn import_plans(
    server: &Server,
    chosen: &[&NetworkInfo],
) -> (ServerId, String, Vec<ImportPlan>) {
    let plans = chosen
        .iter()
        .map(|n| ImportPlan {
            network: n.name.clone(),
            id: n.id.clone(),
            kind: DestinationType::for_driver(&n.driver),
            carried: Carried::of(n),
            options: shape_of(n),
        })
        .collect();
    (server.uuid.clone(), server.name.clone(), plans)
}

/// A network's shape read back from the daemon (DESIGN.md §14): what create would have been
/// asked for to make it. Without it an imported internal network would come back from a
/// repair as an ordinary one, on another subnet. The daemon's own bookkeeping (an overlay's
/// VXLAN IDs) and destui's labels are left out.
pub(super) fn shape_of(n: &NetworkInfo) -> NetworkOptions {
    let v4 = n
        .ipam
        .iter()
        .find(|r| r.subnet.parse::<ipnet::Ipv4Net>().is_ok());
    let v6 = n
        .ipam
        .iter()
        .find(|r| r.subnet.parse::<ipnet::Ipv6Net>().is_ok());
    let driver_opts: BTreeMap<String, String> = n
        .options
        .iter()
        .filter(|(k, _)| k.as_str() != MTU_OPTION && !DAEMON_OPTIONS.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    NetworkOptions {
        subnet: v4.map(|r| r.subnet.clone()),
        internal: n.internal,
        ipv6: n.ipv6,
        subnet6: v6.filter(|_| n.ipv6).map(|r| r.subnet.clone()),
        mtu: n.options.get(MTU_OPTION).and_then(|m| m.parse().ok()),
        gateway: v4.and_then(|r| r.gateway.clone()),
        ip_range: v4.and_then(|r| r.ip_range.clone()),
        labels: n
            .labels
            .iter()
            .filter(|(k, _)| !k.starts_with(domain::RESERVED_LABEL_PREFIX))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        driver_opts,
    }
}

/// Driver options the daemon sets itself: asking for them again would clash.
const DAEMON_OPTIONS: [&str; 1] = ["com.docker.network.driver.overlay.vxlanid_list"];

/// The records an import (or a sync) of the chosen networks would save, each with the name it
/// gets, read from the store and saved nowhere (a dry run shows them; `save_imported` saves
/// them). A network made for a destination elsewhere keeps its uuid, name and creation time.
pub(super) fn name_imported(
    s: &crate::store::Store,
    server_uuid: &ServerId,
    server_name: &str,
    plans: Vec<ImportPlan>,
) -> Result<Vec<Destination>, Error> {
    let now = domain::now_unix();
    let mut batch_names: HashSet<String> = HashSet::new();
    let mut out = Vec::new();
    for plan in plans {
        let ImportPlan {
            network,
            id,
            kind,
            carried,
            options,
        } = plan;
        // Adopted only when its uuid is no record here (else a new uuid).
        let carried = match carried {
            Some(c) if !s.is_record_uuid(&c.uuid)? => Some(c),
            _ => None,
        };
        let original_name = carried.as_ref().and_then(|c| c.name.clone());
        let base = original_name
            .clone()
            .unwrap_or_else(|| domain::default_destination_name(server_name, &network));
        let name = domain::first_free_name(&base, |candidate| {
            batch_names.contains(candidate)
                || s.destination_name_taken(candidate).unwrap_or(true)
                || s.is_record_uuid(candidate).unwrap_or(true)
        });
        batch_names.insert(name.clone());
        out.push(Destination {
            uuid: carried
                .as_ref()
                .map_or_else(DestinationId::new_random, |c| c.uuid.clone()),
            name,
            network,
            network_id: id,
            server_uuid: server_uuid.clone(),
            kind,
            created_at: carried.as_ref().and_then(|c| c.created_at).unwrap_or(now),
            description: None,
            original_name: carried.map(|c| c.name.unwrap_or_default()),
            options,
        });
    }
    Ok(out)
}

/// `import --all`: every network that can be imported; twins (two networks of one name) are
/// skipped with a warning, said once.
fn importable<'a>(
    listed: &'a [NetworkInfo],
    known: &Known,
    server: &str,
    warnings: &mut Vec<Warning>,
) -> Vec<&'a NetworkInfo> {
    let mut chosen = Vec::new();
    for n in listed
        .iter()
        .filter(|n| !SYSTEM_NETWORKS.contains(&n.name.as_str()))
    {
        if ImportRefusal::of(known, n).is_some() {
            continue;
        }
        let namesakes = namesakes(listed, &n.name);
        if namesakes.len() > 1 {
            // Reported once, by the first of them.
            if namesakes[0] == n.id {
                warnings.push(Warning::from(format!(
                    "skipped: {}",
                    Error::AmbiguousNetwork {
                        server: server.to_string(),
                        network: n.name.clone(),
                        ids: namesakes,
                    }
                )));
            }
            continue;
        }
        chosen.push(n);
    }
    chosen
}

/// The networks named (by name or ID), each once; any that cannot be imported refuses all.
fn named<'a>(
    listed: &'a [NetworkInfo],
    known: &Known,
    wanted: &[String],
    server: &str,
) -> Result<Vec<&'a NetworkInfo>, Error> {
    let mut chosen: Vec<&NetworkInfo> = Vec::new();
    for wanted in wanted {
        let info = pick_network(listed, wanted, server)?;
        if chosen.iter().any(|c| c.id == info.id) {
            continue;
        }
        if SYSTEM_NETWORKS.contains(&info.name.as_str()) {
            return Err(Error::Invalid(format!(
                "{} is one of Docker's own networks and cannot be a destination",
                info.name
            )));
        }
        match ImportRefusal::of(known, info) {
            None => {}
            Some(ImportRefusal::AlreadyAdded | ImportRefusal::NameTaken) => {
                return Err(Error::NetworkAlreadyAdded);
            }
            Some(refusal) => {
                return Err(Error::Invalid(format!(
                    "network {}: {}",
                    info.id,
                    refusal.reason()
                )));
            }
        }
        chosen.push(info);
    }
    Ok(chosen)
}

/// What a scan or an import must know of a server besides its networks.
pub(super) struct Known {
    /// The server's destinations.
    recorded: Vec<Destination>,
    proxy: String,
    /// Resource names by uuid (a stack network names its resource by uuid).
    resources: HashMap<String, String>,
}

impl Known {
    /// Whether `uuid` is one of the server's records (a label naming it elsewhere is no
    /// destination made elsewhere).
    fn records(&self, uuid: &DestinationId) -> bool {
        self.recorded.iter().any(|d| d.uuid == *uuid)
    }
}

impl Ops {
    pub(super) async fn known(&self, server: &Server) -> Result<Known, Error> {
        let uuid = server.uuid.clone();
        let (recorded, resources) = self
            .db(move |s| Ok((s.destinations_of(&uuid)?, s.resources()?)))
            .await?;
        Ok(Known {
            recorded,
            proxy: server.proxy_container.clone(),
            resources: resources
                .into_iter()
                .map(|r| (r.uuid.to_string(), r.name))
                .collect(),
        })
    }
}

/// Why a network cannot be imported: one check for scan (which shows the reason and the
/// network's role) and import (which refuses with it).
pub(super) enum ImportRefusal {
    AlreadyAdded,
    /// The network the proxy container was started on.
    ProxyNetwork {
        proxy: String,
    },
    /// A service stack's own network.
    Stack {
        resource: String,
    },
    /// Two networks of one name: the other one is the destination.
    NameTaken,
    /// A name destui refuses (the reason says which rule).
    BadName(String),
}

impl ImportRefusal {
    pub(super) fn of(known: &Known, n: &NetworkInfo) -> Option<Self> {
        // A label is a claim checked against the record: the record's own network (by ID),
        // or one of its name re-made under its uuid (another admin's repair). A record's uuid
        // on a network of another name is a copied or forged label, not this destination.
        let carried = Carried::of(n);
        if known.recorded.iter().any(|d| {
            d.network_id == n.id
                || carried
                    .as_ref()
                    .is_some_and(|c| c.uuid == d.uuid && d.network == n.name)
        }) {
            return Some(ImportRefusal::AlreadyAdded);
        }
        if n.is_home_of(&known.proxy) {
            return Some(ImportRefusal::ProxyNetwork {
                proxy: known.proxy.clone(),
            });
        }
        if let Some(uuid) = n.labels.get(LABEL_RESOURCE) {
            let resource = known.resources.get(uuid).unwrap_or(uuid).clone();
            return Some(ImportRefusal::Stack { resource });
        }
        if known.recorded.iter().any(|d| d.network == n.name) {
            return Some(ImportRefusal::NameTaken);
        }
        domain::unimportable_name(&n.name).map(ImportRefusal::BadName)
    }

    fn role(&self) -> NetworkRole {
        match self {
            ImportRefusal::AlreadyAdded => NetworkRole::Destination,
            ImportRefusal::ProxyNetwork { .. } => NetworkRole::ProxyNetwork,
            ImportRefusal::Stack { resource } => NetworkRole::Stack {
                resource: resource.clone(),
            },
            ImportRefusal::NameTaken | ImportRefusal::BadName(_) => NetworkRole::Other,
        }
    }

    fn reason(self) -> String {
        match self {
            ImportRefusal::AlreadyAdded => "already added".to_string(),
            ImportRefusal::ProxyNetwork { proxy } => format!(
                "cannot be imported: the proxy {proxy} was started on it (its own network, never a destination)"
            ),
            ImportRefusal::Stack { resource } => format!(
                "cannot be imported: the isolated network of service stack {resource}"
            ),
            ImportRefusal::NameTaken => "cannot be imported: a destination here already uses this name (another network with the same name)".to_string(),
            ImportRefusal::BadName(why) => why,
        }
    }
}

/// Full IDs of the networks named exactly `name`.
fn namesakes(listed: &[NetworkInfo], name: &str) -> Vec<String> {
    listed
        .iter()
        .filter(|n| n.name == name)
        .map(|n| n.id.clone())
        .collect()
}

/// The network `wanted` names: by full ID, else by exact name, which must be unique.
fn pick_network<'a>(
    listed: &'a [NetworkInfo],
    wanted: &str,
    server: &str,
) -> Result<&'a NetworkInfo, Error> {
    if let Some(n) = listed.iter().find(|n| n.id == wanted) {
        return Ok(n);
    }
    let named: Vec<&NetworkInfo> = listed.iter().filter(|n| n.name == wanted).collect();
    match named.as_slice() {
        [one] => Ok(one),
        [] => Err(Error::NoSuchNetwork {
            server: server.to_string(),
            network: wanted.to_string(),
        }),
        many => Err(Error::AmbiguousNetwork {
            server: server.to_string(),
            network: wanted.to_string(),
            ids: many.iter().map(|n| n.id.clone()).collect(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::remote::docker::IpamRange;

    #[test]
    fn an_imported_networks_shape_is_read_back_without_the_daemons_bookkeeping() {
        let n = NetworkInfo {
            name: "web".into(),
            driver: "overlay".into(),
            internal: true,
            ipv6: true,
            ipam: vec![
                IpamRange {
                    subnet: "fd00:1::/64".into(),
                    gateway: Some("fd00:1::1".into()),
                    ip_range: None,
                },
                IpamRange {
                    subnet: "10.9.0.0/24".into(),
                    gateway: Some("10.9.0.1".into()),
                    ip_range: Some("10.9.0.128/25".into()),
                },
            ],
            options: [
                (MTU_OPTION, "1400"),
                ("com.docker.network.driver.overlay.vxlanid_list", "4097"),
                ("encrypted", ""),
                ("com.docker.network.bridge.name", "br-web"),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
            labels: [
                ("team", "shop"),
                ("destui.managed", "true"),
                ("destui.destination", "x"),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
            ..Default::default()
        };
        let shape = shape_of(&n);
        assert_eq!(shape.subnet.as_deref(), Some("10.9.0.0/24"));
        assert_eq!(shape.gateway.as_deref(), Some("10.9.0.1"));
        assert_eq!(shape.ip_range.as_deref(), Some("10.9.0.128/25"));
        assert!(shape.internal && shape.ipv6);
        assert_eq!(shape.subnet6.as_deref(), Some("fd00:1::/64"));
        assert_eq!(shape.mtu, Some(1400));
        assert_eq!(
            shape.labels,
            BTreeMap::from([("team".to_string(), "shop".to_string())])
        );
        // `encrypted` is a flag with an empty value: kept, as the daemon needs it to make it.
        assert_eq!(
            shape.driver_opts.keys().collect::<Vec<_>>(),
            ["com.docker.network.bridge.name", "encrypted"]
        );
        // A plain network made by Docker's pools: only its subnet (and gateway) pinned.
        let plain = NetworkInfo {
            ipam: vec![IpamRange {
                subnet: "172.30.0.0/16".into(),
                gateway: Some("172.30.0.1".into()),
                ip_range: None,
            }],
            ..Default::default()
        };
        let shape = shape_of(&plain);
        assert_eq!(shape.subnet.as_deref(), Some("172.30.0.0/16"));
        assert!(!shape.internal && !shape.ipv6 && shape.subnet6.is_none() && shape.mtu.is_none());
    }
}
