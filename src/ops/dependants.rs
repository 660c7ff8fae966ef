//! The dependency report before a delete (DESIGN.md §15, the seed's "verify that no other
//! resources depend on this destination"): what blocks the delete, and what else on the server
//! would lose something when the network goes. Dependants warn; they never refuse.

use super::*;
use crate::remote::docker::InspectedContainer;

/// A container that would lose something when the destination's network goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dependant {
    pub container: String,
    /// One line: `env DB_HOST mentions db-1 (on <network>)`, `also on destination <name>`.
    pub reason: String,
    /// The environment variable's name (its value is never read out: it may hold secrets).
    pub variable: Option<String>,
    /// What the variable mentions: the network's name, or a name or alias of a container on it.
    pub mentions: Option<String>,
    /// The other destination the container is also connected to.
    pub destination: Option<String>,
}

/// What `destination delete D` would do, what would stop it, and who depends on it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeleteReport {
    /// The destination's name.
    pub destination: String,
    pub uuid: DestinationId,
    pub network: String,
    pub network_id: String,
    pub server: String,
    pub proxy: String,
    /// The steps the delete would take (empty when it would be refused).
    pub steps: Vec<String>,
    /// The real delete would be refused (with `refusal`).
    pub blocked: bool,
    /// The exact refusal the delete would give, if it would be refused.
    pub refusal: Option<String>,
    /// `name (state)` of every container on the network but the proxy.
    pub attached: Vec<String>,
    /// Resources recorded on the destination.
    pub resources: Vec<String>,
    /// `None` when the server could not be asked (see `unknown`): never a guess.
    pub dependants: Option<Vec<Dependant>>,
    /// Why the server's side of the report is unknown.
    pub unknown: Option<String>,
}

impl DeleteReport {
    fn finished(mut self) -> Self {
        self.blocked = self.refusal.is_some();
        self
    }
}

/// Who depends on a network: its name, the containers on it and their names and aliases there.
pub(super) struct Target<'a> {
    pub network: &'a NetworkInfo,
    pub proxy: &'a str,
    /// (network ID, name) of the server's other destinations.
    pub others: &'a [(String, String)],
}

impl Ops {
    /// The dependency report before deleting `reference`; with `force`, as `delete --force`
    /// would go (an unreachable server's record is forgotten). Changes nothing.
    #[allow(clippy::too_many_lines)] // a room to split (issue 29)
    pub async fn delete_report(&self, reference: &str, force: bool) -> Result<DeleteReport, Error> {
        let (d, server) = self.destination(reference).await?;
        let (resources, others) = self.delete_records(&d).await?;
        let mut report = DeleteReport {
            destination: d.name.clone(),
            uuid: d.uuid.clone(),
            network: d.network.clone(),
            network_id: d.network_id.clone(),
            server: server.name.clone(),
            proxy: server.proxy_container.clone(),
            steps: Vec::new(),
            blocked: false,
            refusal: None,
            attached: Vec::new(),
            resources: resources.clone(),
            dependants: None,
            unknown: None,
        };
        if let Err(e) = writable(&server) {
            report.refusal = Some(e.to_string());
            return Ok(report.finished());
        }
        let listed = match self.docker(&server).await {
            Ok(docker) => match docker.listed_containers(None).await {
                Ok(listed) => Ok((docker, listed)),
                Err(e) => Err(self.fail(&server, e).await),
            },
            Err(e) => Err(e),
        };
        let (docker, listed) = match listed {
            Ok(found) => found,
            Err(e) if e.is_unreachable() => {
                report.unknown = Some(e.to_string());
                if !resources.is_empty() {
                    report.refusal = Some(resources_attached(Vec::new(), resources).to_string());
                } else if force {
                    report.steps = vec![format!(
                        "forget the record {} only (the network {} may remain on {})",
                        d.name, d.network, server.name
                    )];
                } else {
                    let refusal = Error::UnreachableKept {
                        server: server.name.clone(),
                        destination: d.name.clone(),
                        detail: super::delete::unreachable_detail(&e),
                    };
                    report.refusal = Some(refusal.to_string());
                }
                return Ok(report.finished());
            }
            Err(e) => return Err(e),
        };
        let recorded = recorded_network(&d);
        let refused =
            match refuse_if_in_use(&docker, &d, &server, &recorded, &listed, resources).await {
                Ok(()) => self.refuse_if_on_other_nodes(&d, &server).await,
                refused => refused,
            };
        match refused {
            Ok(()) => {
                // The steps the delete would really take: no disconnect of a proxy that is
                // not there, no removal of a network that is gone.
                let proxy_on = listed
                    .iter()
                    .any(|c| c.name == server.proxy_container && c.is_on(&recorded));
                let gone = matches!(docker.inspect_network(&d.network_id).await, Ok(None));
                if proxy_on {
                    report.steps.push(format!(
                        "disconnect proxy {} from {}",
                        server.proxy_container, d.network
                    ));
                }
                report.steps.push(if gone {
                    format!(
                        "skip the removal: network {} is already gone from {}",
                        d.network, server.name
                    )
                } else {
                    format!("remove network {} by its ID {}", d.network, d.network_id)
                });
                report.steps.push(format!("forget the record {}", d.name));
            }
            Err(e) => {
                if let Error::ResourcesAttached { attached, .. } = &e {
                    report.attached = attached.clone();
                }
                report.refusal = Some(e.to_string());
            }
        }
        let target = Target {
            network: &recorded,
            proxy: &server.proxy_container,
            others: &others,
        };
        match self.dependants(&server, &docker, &target, &listed).await {
            Ok(found) => report.dependants = Some(found),
            Err(e) => report.unknown = Some(e.to_string()),
        }
        Ok(report.finished())
    }

    /// The names of the resources recorded on `d`, and (network ID, name) of the other
    /// destinations of its server.
    pub(super) async fn delete_records(
        &self,
        d: &Destination,
    ) -> Result<(Vec<String>, Vec<(String, String)>), Error> {
        let d = d.clone();
        self.db(move |s| {
            let resources = s.resources_on(&d.uuid)?.into_iter().map(|r| r.name);
            let others = s
                .destinations_of(&d.server_uuid)?
                .into_iter()
                .filter(|o| o.uuid != d.uuid)
                .map(|o| (o.network_id, o.name));
            Ok((resources.collect(), others.collect()))
        })
        .await
    }

    /// The dependants of `target` among the server's containers (`listed`: all of them). Each
    /// container but the proxy is inspected for its environment and aliases, a bounded number
    /// at a time; with nothing but the proxy on the server, no request is made.
    pub(super) async fn dependants(
        &self,
        server: &Server,
        docker: &DockerApi,
        target: &Target<'_>,
        listed: &[ListedContainer],
    ) -> Result<Vec<Dependant>, Error> {
        let ids: Vec<String> = listed
            .iter()
            .filter(|c| c.name != target.proxy)
            .map(|c| c.id.clone())
            .collect();
        let answers: Vec<Result<Option<InspectedContainer>, DockerError>> = stream::iter(ids)
            .map(|id| {
                let docker = docker.clone();
                async move { docker.inspect_env(&id).await }
            })
            .buffer_unordered(SCAN_CONCURRENCY)
            .collect()
            .await;
        let mut inspected = Vec::new();
        for answer in answers {
            match answer {
                Ok(Some(c)) => inspected.push(c),
                Ok(None) => {}
                Err(e) => return Err(self.fail(server, e).await),
            }
        }
        Ok(find_dependants(target, listed, &inspected))
    }
}

/// The record's network, as the list call's filters and `is_on` compare it.
pub(super) fn recorded_network(d: &Destination) -> NetworkInfo {
    NetworkInfo {
        id: d.network_id.clone(),
        name: d.network.clone(),
        ..Default::default()
    }
}

/// The spec's refusal with what blocks the delete.
pub(super) fn resources_attached(attached: Vec<String>, resources: Vec<String>) -> Error {
    Error::ResourcesAttached {
        attached,
        resources,
    }
}

/// Refuses a delete that would cut something off: the network the proxy was started on, or any
/// container on it but the proxy, or a resource recorded on it (all of them named).
pub(super) async fn refuse_if_in_use(
    docker: &DockerApi,
    d: &Destination,
    server: &Server,
    recorded: &NetworkInfo,
    listed: &[ListedContainer],
    resources: Vec<String>,
) -> Result<(), Error> {
    let on_network: Vec<&ListedContainer> = listed.iter().filter(|c| c.is_on(recorded)).collect();
    let (proxy, others): (Vec<&ListedContainer>, Vec<&ListedContainer>) = on_network
        .into_iter()
        .partition(|c| c.name == server.proxy_container);
    if proxy.iter().any(|p| {
        p.started_on
            .as_deref()
            .is_some_and(|m| m == d.network || m == d.network_id)
    }) {
        return Err(Error::ProxyOwnNetwork {
            network: d.network.clone(),
            proxy: server.proxy_container.clone(),
        });
    }
    // Stopped and never-started containers count: without the network they could not
    // start again. (One never started names the network as it was created: when that is
    // all there is, the network is looked up, since a gone one holds nothing.)
    let mut attached = Vec::new();
    if !others.is_empty() {
        let only_by_name = others
            .iter()
            .all(|c| c.networks.iter().all(|(_, id)| id.is_empty()));
        let gone = only_by_name && matches!(docker.inspect_network(&d.network_id).await, Ok(None));
        if !gone {
            let mut others = others;
            others.sort_by(|a, b| a.name.cmp(&b.name));
            attached = others
                .iter()
                .map(|c| format!("{} ({})", c.name, c.state))
                .collect();
        }
    }
    if attached.is_empty() && resources.is_empty() {
        return Ok(());
    }
    Err(resources_attached(attached, resources))
}

/// Where a mentioned word comes from, as the reason says it.
struct Word {
    word: String,
    origin: String,
}

/// The dependants of `target`: containers not on it whose environment mentions the network's
/// name or a name or alias of a container on it (a whole word or host, never a part of a longer
/// name), and containers on it that are also on another destination's network.
pub(super) fn find_dependants(
    target: &Target<'_>,
    listed: &[ListedContainer],
    inspected: &[InspectedContainer],
) -> Vec<Dependant> {
    let network = target.network;
    let on_network: Vec<&ListedContainer> = listed
        .iter()
        .filter(|c| c.is_on(network) && c.name != target.proxy)
        .collect();
    let is_on = |id: &str| on_network.iter().any(|c| c.id == id);
    let mut words = vec![Word {
        word: network.name.clone(),
        origin: "the network itself".into(),
    }];
    for c in inspected.iter().filter(|c| is_on(&c.id)) {
        words.push(Word {
            word: c.name.clone(),
            origin: format!("on {}", network.name),
        });
        let here = c.aliases.iter().filter(|(id, _)| *id == network.id);
        for alias in here.flat_map(|(_, names)| names) {
            if words.iter().all(|w| !w.word.eq_ignore_ascii_case(alias)) {
                words.push(Word {
                    word: alias.clone(),
                    origin: format!("alias of {} on {}", c.name, network.name),
                });
            }
        }
    }
    let mut found = Vec::new();
    for c in on_network.iter() {
        for (key, id) in &c.networks {
            let other = target.others.iter().find(|(other_id, _)| {
                if id.is_empty() {
                    key == other_id
                } else {
                    id == other_id
                }
            });
            if let Some((_, name)) = other.filter(|(other_id, _)| *other_id != network.id) {
                found.push(Dependant {
                    container: c.name.clone(),
                    reason: format!("also on destination {name}"),
                    variable: None,
                    mentions: None,
                    destination: Some(name.clone()),
                });
            }
        }
    }
    for c in inspected
        .iter()
        .filter(|c| !is_on(&c.id) && c.name != target.proxy)
    {
        for entry in &c.env {
            let (variable, value) = entry.split_once('=').unwrap_or((entry.as_str(), ""));
            for w in words.iter().filter(|w| mentions(value, &w.word)) {
                found.push(Dependant {
                    container: c.name.clone(),
                    reason: format!("env {variable} mentions {} ({})", w.word, w.origin),
                    variable: Some(variable.to_string()),
                    mentions: Some(w.word.clone()),
                    destination: None,
                });
            }
        }
    }
    found.sort_by(|a, b| (&a.container, &a.reason).cmp(&(&b.container, &b.reason)));
    found.dedup();
    found
}

/// Whether `value` names `word` as a whole word or host: `db-1` in `DB_HOST=db-1` or
/// `postgres://u:p@db-1:5432/x`, not in `db-10` or `my-db-1`. Names are compared as hosts are
/// (case aside).
pub(super) fn mentions(value: &str, word: &str) -> bool {
    !word.is_empty()
        && value
            .split(|ch: char| !(ch.is_ascii_alphanumeric() || matches!(ch, '.' | '_' | '-')))
            .any(|token| {
                token.eq_ignore_ascii_case(word)
                    || token.trim_end_matches('.').eq_ignore_ascii_case(word)
            })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listed(id: &str, name: &str, networks: &[(&str, &str)]) -> ListedContainer {
        ListedContainer {
            id: id.into(),
            name: name.into(),
            state: "running".into(),
            networks: networks
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            started_on: None,
        }
    }

    fn inspected(
        id: &str,
        name: &str,
        env: &[&str],
        aliases: &[(&str, &[&str])],
    ) -> InspectedContainer {
        InspectedContainer {
            id: id.into(),
            name: name.into(),
            env: env.iter().map(|e| e.to_string()).collect(),
            aliases: aliases
                .iter()
                .map(|(n, a)| (n.to_string(), a.iter().map(|x| x.to_string()).collect()))
                .collect(),
        }
    }

    #[test]
    fn a_mention_is_a_whole_word_or_host() {
        assert!(mentions("db-1", "db-1"));
        assert!(mentions("postgres://user:pw@db-1:5432/x", "db-1"));
        assert!(mentions("http://DB-1/", "db-1"));
        assert!(mentions("a,db-1;b", "db-1"));
        assert!(mentions("reach db-1.", "db-1"));
        assert!(!mentions("db-10", "db-1"));
        assert!(!mentions("my-db-1", "db-1"));
        assert!(!mentions("db-1.example.com", "db-1"));
        assert!(!mentions("db_1", "db-1"));
        assert!(!mentions("anything", ""));
    }

    #[test]
    fn env_names_the_network_its_containers_and_their_aliases_and_never_the_value() {
        let net = NetworkInfo {
            id: "N".repeat(64),
            name: "shopnet".into(),
            ..Default::default()
        };
        let nid = net.id.as_str();
        let others = vec![("O".repeat(64), "other-dest".to_string())];
        let target = Target {
            network: &net,
            proxy: "coolify-proxy",
            others: &others,
        };
        let o = others[0].0.as_str();
        let listed = vec![
            listed("p", "coolify-proxy", &[("shopnet", nid), ("other", o)]),
            listed("a", "db-1", &[("shopnet", nid)]),
            listed("b", "both", &[("shopnet", nid), ("other", o)]),
            listed("c", "app", &[("bridge", "B")]),
            listed("d", "quiet", &[("bridge", "B")]),
        ];
        let inspected = vec![
            inspected("p", "coolify-proxy", &["NET=shopnet"], &[]),
            inspected("a", "db-1", &["X=db-1"], &[(nid, &["database", "db-1"])]),
            inspected("b", "both", &[], &[]),
            inspected(
                "c",
                "app",
                &[
                    "DATABASE_URL=postgres://admin:s3cret@db-1:5432/x",
                    "CACHE=database",
                    "NET=shopnet",
                    "NOT=db-10,my-db-1",
                ],
                &[],
            ),
            inspected("d", "quiet", &["HOST=db-1x"], &[]),
        ];
        let found = find_dependants(&target, &listed, &inspected);
        let reasons: Vec<(String, String)> = found
            .iter()
            .map(|d| (d.container.clone(), d.reason.clone()))
            .collect();
        assert_eq!(
            reasons,
            [
                (
                    "app".into(),
                    "env CACHE mentions database (alias of db-1 on shopnet)".into()
                ),
                (
                    "app".into(),
                    "env DATABASE_URL mentions db-1 (on shopnet)".into()
                ),
                (
                    "app".into(),
                    "env NET mentions shopnet (the network itself)".into()
                ),
                ("both".into(), "also on destination other-dest".into()),
            ]
        );
        let text = format!("{found:?}");
        assert!(
            !text.contains("s3cret") && !text.contains("postgres://"),
            "{text}"
        );
        assert_eq!(found[1].variable.as_deref(), Some("DATABASE_URL"));
        assert_eq!(found[1].mentions.as_deref(), Some("db-1"));
    }
}
