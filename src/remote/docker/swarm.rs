//! The swarm calls: which nodes a manager's swarm has, and which node a daemon is. A worker's
//! `info` names its node but not its cluster (only managers see `Swarm.Cluster`), so nodes are
//! matched by node ID: a manager's node list holds every node's ID, and each daemon's `info`
//! says its own.

use super::{DockerApi, DockerError, classify};
use bollard::models::LocalNodeState;

/// One node of a swarm, as a manager lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SwarmNode {
    pub id: String,
    pub hostname: String,
    /// `ready`, `down`, `unknown`, `disconnected`…
    pub state: String,
}

impl DockerApi {
    /// Every node of the swarm this daemon manages (a worker is refused: not a manager).
    pub async fn swarm_nodes(&self) -> Result<Vec<SwarmNode>, DockerError> {
        let nodes = self.docker.list_nodes(None).await.map_err(classify)?;
        Ok(nodes
            .into_iter()
            .map(|n| SwarmNode {
                id: n.id.unwrap_or_default(),
                hostname: n.description.and_then(|d| d.hostname).unwrap_or_default(),
                state: n
                    .status
                    .and_then(|s| s.state)
                    .map(|s| s.to_string())
                    .unwrap_or_default(),
            })
            .collect())
    }

    /// The swarm node this daemon is (manager or worker); `None` outside a swarm.
    pub async fn swarm_node_id(&self) -> Result<Option<String>, DockerError> {
        let info = self.docker.info().await.map_err(classify)?;
        Ok(info
            .swarm
            .filter(|s| s.local_node_state == Some(LocalNodeState::ACTIVE))
            .and_then(|s| s.node_id)
            .filter(|id| !id.is_empty()))
    }
}
