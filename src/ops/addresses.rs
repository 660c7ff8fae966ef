//! A server's address space (DESIGN.md §14): every subnet in use on it, sorted, with the
//! destinations whose subnets overlap a destination's on another server marked (two sites
//! joined by a VPN or a route cannot both use one range).

use super::*;
use ipnet::IpNet;

/// One address range of one network on the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AddressRow {
    pub subnet: String,
    pub network: String,
    pub gateway: Option<String>,
    pub driver: String,
    pub scope: String,
    /// The destination it is, when recorded here.
    pub destination: Option<String>,
    /// Destinations on other servers whose subnets overlap it: `name on server (subnet)`.
    pub overlaps: Vec<String>,
}

/// A destination's range on some server, for the overlap check.
struct Range {
    net: IpNet,
    text: String,
}

impl Ops {
    /// Every subnet in use on `reference`'s server; overlaps with the destinations of the
    /// other servers (read live, in parallel: one that cannot be read is a warning).
    pub async fn addresses(&self, reference: &str) -> Result<Outcome<Vec<AddressRow>>, Error> {
        let server = self.server(reference).await?;
        let docker = self.docker(&server).await?;
        let listed = match docker.networks().await {
            Ok(n) => n,
            Err(e) => return Err(self.fail(&server, e).await),
        };
        let (servers, destinations) = self.db(|s| Ok((s.servers()?, s.destinations()?))).await?;
        let mut warnings = Vec::new();
        let others: Vec<&Server> = servers
            .iter()
            .filter(|o| o.uuid != server.uuid)
            .filter(|o| destinations.iter().any(|d| d.server_uuid == o.uuid))
            .collect();
        let read = futures::future::join_all(others.iter().map(|o| async move {
            let docker = self.docker(o).await?;
            docker
                .networks()
                .await
                .map_err(|e| remote::docker_error(o, e))
        }))
        .await;
        let mut elsewhere: Vec<Range> = Vec::new();
        for (other, networks) in others.iter().zip(read) {
            let networks = match networks {
                Ok(n) => n,
                Err(e) => {
                    warnings.push(Warning::from(format!(
                        "overlaps with {} not checked: {}",
                        other.name,
                        e.reason()
                    )));
                    continue;
                }
            };
            for d in destinations.iter().filter(|d| d.server_uuid == other.uuid) {
                let Some(n) = networks.iter().find(|n| n.id == d.network_id) else {
                    continue;
                };
                elsewhere.extend(n.ipam.iter().filter_map(|r| {
                    Some(Range {
                        net: r.subnet.parse().ok()?,
                        text: format!("{} on {} ({})", d.name, other.name, r.subnet),
                    })
                }));
            }
        }
        let mut rows: Vec<AddressRow> = Vec::new();
        for n in &listed {
            let destination = destinations
                .iter()
                .find(|d| d.server_uuid == server.uuid && d.network_id == n.id);
            for r in &n.ipam {
                let overlaps = match (destination, r.subnet.parse::<IpNet>()) {
                    (Some(_), Ok(net)) => elsewhere
                        .iter()
                        .filter(|o| domain::overlaps(&net, &o.net))
                        .map(|o| o.text.clone())
                        .collect(),
                    _ => Vec::new(),
                };
                rows.push(AddressRow {
                    subnet: r.subnet.clone(),
                    network: n.name.clone(),
                    gateway: r.gateway.clone(),
                    driver: n.driver.clone(),
                    scope: n.scope.clone(),
                    destination: destination.map(|d| d.name.clone()),
                    overlaps,
                });
            }
        }
        rows.sort_by(|a, b| {
            (sort_key(&a.subnet), &a.network).cmp(&(sort_key(&b.subnet), &b.network))
        });
        Ok(Outcome {
            value: rows,
            warnings,
        })
    }
}

/// IPv4 before IPv6, then by address and prefix; what does not parse goes last.
fn sort_key(subnet: &str) -> (u8, u128, u8) {
    match subnet.parse::<IpNet>() {
        Ok(IpNet::V4(n)) => (0, u128::from(u32::from(n.network())), n.prefix_len()),
        Ok(IpNet::V6(n)) => (1, u128::from(n.network()), n.prefix_len()),
        Err(_) => (2, 0, 0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subnets_sort_by_address_not_by_text() {
        let mut subnets = vec![
            "fd00::/64",
            "172.18.0.0/16",
            "10.201.10.0/24",
            "10.201.9.0/24",
        ];
        subnets.sort_by_key(|s| sort_key(s));
        assert_eq!(
            subnets,
            [
                "10.201.9.0/24",
                "10.201.10.0/24",
                "172.18.0.0/16",
                "fd00::/64"
            ]
        );
    }
}
