//! Usage (DESIGN.md §11): per destination, its containers with their CPU % and memory, summed
//! — one reading of each running container's stats, as `docker stats --no-stream` takes it.

use super::*;
use crate::remote::docker::ContainerStats;

/// Stats readings in flight at once on one server: each keeps the daemon about a second
/// (it waits for a second sample), so they overlap; bounded, so that a server with hundreds
/// of containers is not asked for all of them at once.
const STATS_CONCURRENCY: usize = 16;

/// One container of a destination, with its usage when it runs.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ContainerUsage {
    pub name: String,
    /// `running`, `exited`, `created`…
    pub state: String,
    /// Of one CPU (a container busy on two cores shows 200); `None` when it does not run.
    pub cpu_percent: Option<f64>,
    /// `None` when it does not run.
    pub memory_bytes: Option<u64>,
}

/// A destination's containers, and their CPU % and memory summed.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DestinationUsage {
    pub uuid: DestinationId,
    /// By name; stopped ones too (they count, with no CPU or memory).
    pub containers: Vec<ContainerUsage>,
    pub cpu_percent: f64,
    pub memory_bytes: u64,
}

impl Ops {
    /// The usage of every destination of server `reference` (uuid or name), one entry per
    /// destination (with no containers when none is on its network). The server's containers
    /// are listed once and its running ones' stats read in parallel; a container on several
    /// destinations counts in each.
    ///
    /// The server's proxy container is left out: it is attached to every destination, and
    /// would count in each of them the same CPU and memory that none of them uses.
    pub async fn usage(&self, reference: &str) -> Result<Vec<DestinationUsage>, Error> {
        let server = self.server(reference).await?;
        let uuid = server.uuid.clone();
        let destinations = self.db(move |s| s.destinations_of(&uuid)).await?;
        self.read_again(&server, || self.usage_once(&server, &destinations))
            .await
    }

    async fn usage_once(
        &self,
        server: &Server,
        destinations: &[Destination],
    ) -> Result<Vec<DestinationUsage>, Error> {
        let docker = self.docker(server).await?;
        let listed = match docker.listed_containers(None).await {
            Ok(listed) => listed,
            Err(e) => return Err(self.fail(server, e).await),
        };
        let on: Vec<(&Destination, Vec<&ListedContainer>)> = destinations
            .iter()
            .map(|d| (d, on_destination(d, &listed, &server.proxy_container)))
            .collect();
        // Each running container once, however many destinations it is on.
        let mut running: Vec<&str> = on
            .iter()
            .flat_map(|(_, cs)| cs.iter())
            .filter(|c| c.state == "running")
            .map(|c| c.id.as_str())
            .collect();
        running.sort_unstable();
        running.dedup();
        let readings: Vec<_> = running
            .into_iter()
            .map(|id| {
                let docker = &docker;
                async move { (id, docker.container_stats(id).await) }
            })
            .collect();
        let readings: Vec<(&str, Result<Option<ContainerStats>, DockerError>)> =
            stream::iter(readings)
                .buffer_unordered(STATS_CONCURRENCY)
                .collect()
                .await;
        let mut stats: HashMap<&str, ContainerStats> = HashMap::new();
        for (id, reading) in readings {
            match reading {
                Ok(Some(s)) => {
                    stats.insert(id, s);
                }
                // Gone since the list: it counts, with no usage.
                Ok(None) => {}
                Err(e @ (DockerError::Transport(_) | DockerError::Stalled(_))) => {
                    return Err(self.fail(server, e).await);
                }
                // One container the daemon cannot read (e.g. being removed) spoils no other.
                Err(e) => {
                    tracing::warn!(server = %server.name, container = id, error = %e, "no stats")
                }
            }
        }
        Ok(on
            .into_iter()
            .map(|(d, containers)| destination_usage(d, &containers, &stats))
            .collect())
    }
}

/// The containers configured on `d`'s network (stopped and never-started ones too), but
/// `proxy`.
fn on_destination<'a>(
    d: &Destination,
    listed: &'a [ListedContainer],
    proxy: &str,
) -> Vec<&'a ListedContainer> {
    let network = NetworkInfo {
        id: d.network_id.clone(),
        name: d.network.clone(),
        ..Default::default()
    };
    listed
        .iter()
        .filter(|c| c.name != proxy && c.is_on(&network))
        .collect()
}

/// `d`'s containers with their readings (by container id), and the sums.
fn destination_usage(
    d: &Destination,
    containers: &[&ListedContainer],
    stats: &HashMap<&str, ContainerStats>,
) -> DestinationUsage {
    let mut containers: Vec<ContainerUsage> = containers
        .iter()
        .map(|c| {
            let reading = stats.get(c.id.as_str());
            ContainerUsage {
                name: c.name.clone(),
                state: c.state.clone(),
                cpu_percent: reading.map(|s| s.cpu_percent),
                memory_bytes: reading.map(|s| s.memory_bytes),
            }
        })
        .collect();
    containers.sort_by(|a, b| a.name.cmp(&b.name));
    DestinationUsage {
        uuid: d.uuid.clone(),
        cpu_percent: containers.iter().filter_map(|c| c.cpu_percent).sum(),
        memory_bytes: containers.iter().filter_map(|c| c.memory_bytes).sum(),
        containers,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn destination() -> Destination {
        Destination {
            uuid: "d-1".into(),
            name: "alpha-web".into(),
            network: "web".into(),
            network_id: "n-web".into(),
            server_uuid: "s-1".into(),
            kind: DestinationType::Standalone,
            created_at: 0,
            description: None,
            original_name: None,
            options: Default::default(),
        }
    }

    fn listed(id: &str, name: &str, state: &str, networks: &[(&str, &str)]) -> ListedContainer {
        ListedContainer {
            id: id.into(),
            name: name.into(),
            state: state.into(),
            networks: networks
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            started_on: None,
        }
    }

    #[test]
    fn a_destination_sums_its_containers_but_not_the_proxy() {
        let d = destination();
        let all = vec![
            listed("c-1", "web-1", "running", &[("web", "n-web")]),
            listed(
                "c-2",
                "worker",
                "exited",
                &[("web", "n-web"), ("db", "n-db")],
            ),
            // Never started: named by the network it was created with, no id yet.
            listed("c-3", "fresh", "created", &[("web", "")]),
            listed(
                "c-4",
                "proxy",
                "running",
                &[("web", "n-web"), ("db", "n-db")],
            ),
            listed("c-5", "db-1", "running", &[("db", "n-db")]),
        ];
        let on = on_destination(&d, &all, "proxy");
        let names: Vec<&str> = on.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["web-1", "worker", "fresh"]);
        let stats = HashMap::from([
            (
                "c-1",
                ContainerStats {
                    cpu_percent: 12.5,
                    memory_bytes: 1_000,
                },
            ),
            (
                "c-4",
                ContainerStats {
                    cpu_percent: 50.0,
                    memory_bytes: 9_000,
                },
            ),
        ]);
        let usage = destination_usage(&d, &on, &stats);
        assert_eq!(usage.uuid, "d-1");
        assert_eq!(usage.cpu_percent, 12.5);
        assert_eq!(usage.memory_bytes, 1_000);
        let rows: Vec<(&str, Option<u64>)> = usage
            .containers
            .iter()
            .map(|c| (c.name.as_str(), c.memory_bytes))
            .collect();
        assert_eq!(
            rows,
            [("fresh", None), ("web-1", Some(1_000)), ("worker", None)]
        );
    }
}
