//! Swarm across nodes (DESIGN.md §13). A container that another node attaches to an overlay
//! made on a manager is invisible to the manager's API (the network's `Containers` is empty,
//! `/tasks` lists nothing), yet the manager refuses to remove the network while it is there.
//! So scan and check on a manager add the containers seen on every other node of the swarm
//! that destui knows, and mark the count `this node only` (never `unused`) when the swarm has
//! nodes destui does not know or could not read.
//!
//! "A node destui knows" is a recorded server whose daemon's swarm node ID (its `info`) is in
//! the manager's node list: node IDs are unique, and a worker's `info` names its node but not
//! its cluster. Only a swarm-scoped overlay on a swarm manager pays for this, with one wave of
//! requests in parallel (the manager's node list and own node ID; each candidate server's node
//! ID and containers), read once for all the overlays of one check or scan.

use super::*;
use crate::remote::docker::SwarmNode;

/// How long one other node may take to say what it holds: a stalled or dead server is said
/// as not reached after this, and never holds up the manager's details, check or delete.
const PEER_DEADLINE: Duration = Duration::from_secs(3);

/// How long the other nodes' containers, once read, serve the checks of one manager's
/// overlays: a check of many destinations (or a burst of watch events) reads them once.
const PEERS_REUSE: Duration = Duration::from_secs(2);

/// The other nodes of each manager, read once and shared by the checks that ask at once.
pub(super) type PeersCache =
    Arc<std::sync::Mutex<HashMap<ServerId, (Instant, Arc<tokio::sync::OnceCell<SwarmPeers>>)>>>;

/// A container attached to the network on another node of the swarm.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct NodeContainer {
    /// The recorded server that is that node.
    pub server: String,
    pub name: String,
    pub id: String,
    /// `running`, `exited`, `created`…
    pub state: String,
}

/// What the other nodes of a swarm add to the count of one overlay's containers.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct OtherNodes {
    /// Containers on the network on the other nodes destui knows (each node's proxy not counted).
    pub elsewhere: Vec<NodeContainer>,
    /// The count covers this node (and `elsewhere`) only: the swarm has nodes destui does not
    /// know or could not read, which may hold more.
    pub this_node_only: bool,
    /// Those nodes, each with why it is not counted.
    #[serde(skip)]
    pub unseen: Vec<String>,
}

impl OtherNodes {
    /// What a check's detail says of them (nothing for a swarm whose every node is known and
    /// holds nothing on the network).
    pub fn note(&self) -> Option<String> {
        let mut parts = Vec::new();
        if !self.elsewhere.is_empty() {
            let on: Vec<String> = self
                .elsewhere
                .iter()
                .map(|c| format!("{} ({}) on {}", c.name, c.state, c.server))
                .collect();
            parts.push(format!("attached on other nodes: {}", on.join(", ")));
        }
        if self.this_node_only {
            parts.push(format!(
                "this node only: not counted: {}",
                self.unseen.join(", ")
            ));
        }
        (!parts.is_empty()).then(|| parts.join("; "))
    }

    /// Adds them to a check of the network on the manager.
    pub(super) fn add_to(self, row: &mut CheckRow) {
        row.unused &= self.elsewhere.is_empty() && !self.this_node_only;
        row.containers = row.containers.map(|n| n + self.elsewhere.len());
        if let Some(note) = self.note() {
            row.detail = Some(match row.detail.take() {
                Some(detail) => format!("{detail}; {note}"),
                None => note,
            });
        }
        row.nodes = self;
    }
}

/// An overlay the whole swarm shares (a `local`-scope network is one node's alone).
pub(super) fn is_swarm_overlay(driver: &str, scope: &str) -> bool {
    driver == "overlay" && scope == "swarm"
}

/// What the other nodes of one manager's swarm hold, read once for all its overlays.
#[derive(Debug, Clone, Default)]
pub(super) struct SwarmPeers {
    /// The other nodes recorded here, each with every container it has.
    nodes: Vec<PeerNode>,
    /// Nodes of the swarm not recorded here or not read, each with why.
    unseen: Vec<String>,
}

#[derive(Debug, Clone)]
struct PeerNode {
    server: String,
    proxy: String,
    containers: Vec<ListedContainer>,
}

/// A recorded server that may be another node of the swarm, and what it answered.
#[derive(Debug, Clone)]
pub(super) struct Candidate {
    pub server: String,
    pub proxy: String,
    /// Its swarm node ID (`None`: not in a swarm).
    pub node: Result<Option<String>, String>,
    pub containers: Result<Vec<ListedContainer>, String>,
}

impl SwarmPeers {
    /// Sorts the candidates out against the manager's node list (`own`: the manager's node).
    pub(super) fn sort_out(
        nodes: Result<&[SwarmNode], String>,
        own: Option<&str>,
        candidates: Vec<Candidate>,
    ) -> Self {
        let nodes = match nodes {
            Ok(nodes) => nodes,
            Err(why) => {
                return SwarmPeers {
                    nodes: Vec::new(),
                    unseen: vec![format!("the swarm's nodes (not listed: {why})")],
                };
            }
        };
        let unreached: Vec<&Candidate> = candidates.iter().filter(|c| c.node.is_err()).collect();
        let mut peers = SwarmPeers::default();
        for node in nodes.iter().filter(|n| Some(n.id.as_str()) != own) {
            let short: String = node.id.chars().take(12).collect();
            let label = format!("node {} ({short})", node.hostname);
            // Two records of one daemon: the first that answered serves.
            let mut same = candidates
                .iter()
                .filter(|c| matches!(&c.node, Ok(Some(id)) if *id == node.id));
            let Some(first) = same.next() else {
                let why = if unreached.is_empty() {
                    "no server here is that node".to_string()
                } else {
                    let names: Vec<&str> = unreached.iter().map(|c| c.server.as_str()).collect();
                    format!(
                        "no server here is that node, or it is {} (not reached)",
                        names.join(" or ")
                    )
                };
                peers.unseen.push(format!("{label}: {why}"));
                continue;
            };
            let read = std::iter::once(first)
                .chain(same)
                .find_map(|c| c.containers.as_ref().ok().map(|listed| (c, listed)));
            match read {
                Some((c, listed)) => peers.nodes.push(PeerNode {
                    server: c.server.clone(),
                    proxy: c.proxy.clone(),
                    containers: listed.clone(),
                }),
                None => peers.unseen.push(format!(
                    "{label} = {}: {}",
                    first.server,
                    first.containers.as_ref().err().map_or("", String::as_str)
                )),
            }
        }
        peers
    }

    /// What the other nodes hold on network `id` (named `name`).
    pub(super) fn on(&self, id: &str, name: &str) -> OtherNodes {
        let network = NetworkInfo {
            id: id.to_string(),
            name: name.to_string(),
            ..Default::default()
        };
        let mut elsewhere: Vec<NodeContainer> = self
            .nodes
            .iter()
            .flat_map(|node| {
                node.containers
                    .iter()
                    .filter(|c| c.name != node.proxy && c.is_on(&network))
                    .map(|c| NodeContainer {
                        server: node.server.clone(),
                        name: c.name.clone(),
                        id: c.id.clone(),
                        state: c.state.clone(),
                    })
            })
            .collect();
        elsewhere.sort_by(|a, b| (&a.server, &a.name).cmp(&(&b.server, &b.name)));
        OtherNodes {
            elsewhere,
            this_node_only: !self.unseen.is_empty(),
            unseen: self.unseen.clone(),
        }
    }
}

impl Ops {
    /// What the other nodes of `server`'s swarm hold on network `id`, when it is a swarm-scoped
    /// overlay (`driver`, `scope`) on a swarm manager; `None` (and no request) otherwise.
    pub(super) async fn other_nodes(
        &self,
        server: &Server,
        (id, name, driver, scope): (&str, &str, &str, &str),
    ) -> Option<OtherNodes> {
        if server.mode != ServerMode::SwarmManager || !is_swarm_overlay(driver, scope) {
            return None;
        }
        let cell = {
            let mut cache = self.swarm_peers.lock().unwrap_or_else(|p| p.into_inner());
            match cache.get(&server.uuid) {
                Some((at, cell)) if at.elapsed() < PEERS_REUSE => cell.clone(),
                _ => {
                    let cell = Arc::new(tokio::sync::OnceCell::new());
                    cache.insert(server.uuid.clone(), (Instant::now(), cell.clone()));
                    cell
                }
            }
        };
        let peers = cell.get_or_init(|| self.read_peers(server)).await;
        Some(peers.on(id, name))
    }

    /// Adds the other nodes' containers to the scan rows of a manager's swarm overlays.
    pub(super) async fn add_other_nodes(&self, server: &Server, rows: &mut [ScanRow]) {
        for row in rows.iter_mut() {
            let network = (&*row.id, &*row.network, &*row.driver, &*row.scope);
            if let Some(other) = self.other_nodes(server, network).await {
                row.unused &= other.elsewhere.is_empty() && !other.this_node_only;
                row.nodes = other;
            }
        }
    }

    /// Refuses the delete of a manager's swarm destination while containers on the swarm's
    /// other nodes are attached, naming them, before the proxy is disconnected (the manager
    /// would refuse the removal itself, but only after its attachment tasks' grace period, and
    /// without a word of what blocks it). Nodes destui does not know are left to the manager.
    pub(super) async fn refuse_if_on_other_nodes(
        &self,
        d: &Destination,
        server: &Server,
    ) -> Result<(), Error> {
        if d.kind != DestinationType::Swarm {
            return Ok(());
        }
        let network = (&*d.network_id, &*d.network, "overlay", "swarm");
        let Some(other) = self.other_nodes(server, network).await else {
            return Ok(());
        };
        if other.elsewhere.is_empty() {
            return Ok(());
        }
        Err(Error::ResourcesAttached {
            attached: other
                .elsewhere
                .iter()
                .map(|c| format!("{} ({}) on {}", c.name, c.state, c.server))
                .collect(),
            resources: Vec::new(),
        })
    }

    /// One wave, all in parallel: the manager's node list and node ID, and each recorded
    /// server whose last check found it in a swarm (manager or worker) its node ID and
    /// containers, each within `PEER_DEADLINE`. A server never checked, or standalone, is not
    /// asked: a swarm node destui does not know makes the count "this node only" anyway.
    async fn read_peers(&self, manager: &Server) -> SwarmPeers {
        let uuid = manager.uuid.clone();
        let candidates: Vec<Server> = match self
            .db(move |s| {
                Ok(s.servers()?
                    .into_iter()
                    .filter(|s| {
                        s.uuid != uuid
                            && matches!(s.mode, ServerMode::SwarmManager | ServerMode::SwarmWorker)
                    })
                    .collect())
            })
            .await
        {
            Ok(servers) => servers,
            Err(e) => {
                return SwarmPeers::sort_out(Err(e.to_string()), None, Vec::new());
            }
        };
        let own = async {
            let docker = self.docker(manager).await.map_err(|e| e.to_string())?;
            let (nodes, own) = futures::join!(docker.swarm_nodes(), docker.swarm_node_id());
            match (nodes, own) {
                (Ok(nodes), Ok(own)) => Ok((nodes, own)),
                (Err(e), _) | (_, Err(e)) => Err(self.fail(manager, e).await.to_string()),
            }
        };
        let others = futures::future::join_all(candidates.iter().map(|c| async move {
            match tokio::time::timeout(PEER_DEADLINE, self.read_candidate(c)).await {
                Ok(candidate) => candidate,
                Err(_) => {
                    let why = format!("no answer within {} s", PEER_DEADLINE.as_secs());
                    Candidate {
                        server: c.name.clone(),
                        proxy: c.proxy_container.clone(),
                        node: Err(why.clone()),
                        containers: Err(why),
                    }
                }
            }
        }));
        let (own, candidates) = futures::join!(own, others);
        match own {
            Ok((nodes, own)) => SwarmPeers::sort_out(Ok(&nodes), own.as_deref(), candidates),
            Err(why) => SwarmPeers::sort_out(Err(why), None, candidates),
        }
    }

    async fn read_candidate(&self, server: &Server) -> Candidate {
        let mut candidate = Candidate {
            server: server.name.clone(),
            proxy: server.proxy_container.clone(),
            node: Err(String::new()),
            containers: Err(String::new()),
        };
        let docker = match self.docker(server).await {
            Ok(docker) => docker,
            Err(e) => {
                candidate.node = Err(e.to_string());
                candidate.containers = Err(e.to_string());
                return candidate;
            }
        };
        let (node, containers) =
            futures::join!(docker.swarm_node_id(), docker.listed_containers(None));
        candidate.node = match node {
            Ok(node) => Ok(node),
            Err(e) => Err(self.fail(server, e).await.to_string()),
        };
        candidate.containers = match containers {
            Ok(listed) => Ok(listed),
            Err(e) => Err(self.fail(server, e).await.to_string()),
        };
        candidate
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(id: &str) -> SwarmNode {
        SwarmNode {
            id: id.into(),
            hostname: format!("host-{id}"),
            state: "ready".into(),
        }
    }

    fn container(name: &str, network_id: &str) -> ListedContainer {
        ListedContainer {
            id: format!("{name}-id"),
            name: name.into(),
            state: "running".into(),
            networks: vec![("net".into(), network_id.into())],
            started_on: None,
        }
    }

    fn candidate(server: &str, node: Option<&str>, containers: Vec<ListedContainer>) -> Candidate {
        Candidate {
            server: server.into(),
            proxy: "proxy".into(),
            node: Ok(node.map(str::to_string)),
            containers: Ok(containers),
        }
    }

    fn unreached(server: &str) -> Candidate {
        Candidate {
            server: server.into(),
            proxy: "proxy".into(),
            node: Err("connection refused".into()),
            containers: Err("connection refused".into()),
        }
    }

    #[test]
    fn containers_on_known_nodes_are_counted_without_their_proxy() {
        let nodes = [node("m"), node("w")];
        let worker = candidate(
            "w-1",
            Some("w"),
            vec![
                container("web", "NET"),
                container("proxy", "NET"),
                container("other", "ELSE"),
            ],
        );
        let standalone = candidate("s-1", None, vec![container("lost", "NET")]);
        let peers = SwarmPeers::sort_out(Ok(&nodes), Some("m"), vec![worker, standalone]);
        let other = peers.on("NET", "net");
        assert!(!other.this_node_only);
        let names: Vec<(&str, &str)> = other
            .elsewhere
            .iter()
            .map(|c| (c.server.as_str(), c.name.as_str()))
            .collect();
        assert_eq!(names, [("w-1", "web")]);
        assert_eq!(
            other.note().as_deref(),
            Some("attached on other nodes: web (running) on w-1")
        );
    }

    #[test]
    fn a_node_no_server_here_is_makes_the_count_this_node_only() {
        let nodes = [node("m"), node("w"), node("x")];
        let worker = candidate("w-1", Some("w"), vec![]);
        let peers = SwarmPeers::sort_out(Ok(&nodes), Some("m"), vec![worker]);
        let other = peers.on("NET", "net");
        assert!(other.this_node_only);
        assert!(other.elsewhere.is_empty());
        assert_eq!(
            other.note().as_deref(),
            Some("this node only: not counted: node host-x (x): no server here is that node")
        );
    }

    #[test]
    fn an_unreached_server_may_be_the_missing_node() {
        let nodes = [node("m"), node("w")];
        let peers = SwarmPeers::sort_out(Ok(&nodes), Some("m"), vec![unreached("w-1")]);
        let other = peers.on("NET", "net");
        assert!(other.this_node_only);
        assert!(other.unseen[0].contains("or it is w-1 (not reached)"));
    }

    #[test]
    fn two_records_of_one_node_count_its_containers_once() {
        let nodes = [node("m"), node("w")];
        let a = candidate("w-1", Some("w"), vec![container("web", "NET")]);
        let b = candidate("w-2", Some("w"), vec![container("web", "NET")]);
        let peers = SwarmPeers::sort_out(Ok(&nodes), Some("m"), vec![a, b]);
        assert_eq!(peers.on("NET", "net").elsewhere.len(), 1);
    }

    #[test]
    fn the_manager_itself_recorded_twice_is_not_another_node() {
        let nodes = [node("m")];
        let again = candidate("m-again", Some("m"), vec![container("web", "NET")]);
        let peers = SwarmPeers::sort_out(Ok(&nodes), Some("m"), vec![again]);
        let other = peers.on("NET", "net");
        assert_eq!(other, OtherNodes::default());
        assert_eq!(other.note(), None);
    }

    #[test]
    fn a_node_list_that_cannot_be_read_counts_this_node_only() {
        let peers = SwarmPeers::sort_out(Err("timeout".into()), None, Vec::new());
        assert!(peers.on("NET", "net").this_node_only);
    }

    #[test]
    fn a_node_whose_containers_cannot_be_read_is_not_counted() {
        let nodes = [node("m"), node("w")];
        let mut worker = candidate("w-1", Some("w"), vec![]);
        worker.containers = Err("permission denied".into());
        let peers = SwarmPeers::sort_out(Ok(&nodes), Some("m"), vec![worker]);
        let other = peers.on("NET", "net");
        assert!(other.this_node_only);
        assert_eq!(other.unseen, ["node host-w (w) = w-1: permission denied"]);
    }

    #[test]
    fn a_check_row_gains_the_other_nodes() {
        let mut row = CheckRow {
            destination: "d".into(),
            uuid: DestinationId::from("u".to_string()),
            status: HealthStatus::ProxyDetached,
            detail: Some("proxy p is not attached".into()),
            unused: true,
            containers: Some(0),
            nodes: OtherNodes::default(),
        };
        let nodes = [node("m"), node("w"), node("x")];
        let worker = candidate("w-1", Some("w"), vec![container("web", "NET")]);
        SwarmPeers::sort_out(Ok(&nodes), Some("m"), vec![worker])
            .on("NET", "net")
            .add_to(&mut row);
        assert!(!row.unused);
        assert_eq!(row.containers, Some(1));
        assert!(row.nodes.this_node_only);
        let detail = row.detail.unwrap();
        assert!(detail.starts_with("proxy p is not attached; attached on other nodes: web"));
        assert!(detail.ends_with("node host-x (x): no server here is that node"));
    }

    #[test]
    fn only_swarm_scoped_overlays_ask_the_other_nodes() {
        assert!(is_swarm_overlay("overlay", "swarm"));
        assert!(!is_swarm_overlay("overlay", "local"));
        assert!(!is_swarm_overlay("bridge", "local"));
    }
}
