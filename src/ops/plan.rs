//! `--dry-run` (DESIGN.md §16, Terraform's plan and Ansible's check mode): each change's
//! checks run as the real run makes them — the same refusals, as the same errors — and its
//! steps are returned instead of taken. Nothing here creates, connects, removes or saves: the
//! daemons are only read (a server's check, as any action's, refreshes its status).

use super::adopt::{missing_records, resource_of};
use super::destinations::checked_edit;
use super::import::name_imported;
use super::resources::{NewResource, container_name_for};
use super::*;
use crate::domain::{LABEL_RESOURCE, OptionRefusal, Resource, ResourceKind, SubnetChoice};

/// What a change would do. A change the real run would refuse is no plan but that refusal
/// (`Err`), word for word.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Plan {
    /// Always true: marks the document as a dry run's.
    pub dry_run: bool,
    /// The change, one line: `create destination shop on a`.
    pub action: String,
    /// The steps the real run would take, in order (none: it would change nothing).
    pub steps: Vec<String>,
    /// What the real run would warn about.
    pub warnings: Vec<String>,
    /// The servers the real run could not reach either (`sync`): it would exit 1 for them.
    #[serde(skip)]
    pub unreachable: Vec<String>,
}

impl Plan {
    /// A plan made by a front end (a step that needs no use case, e.g. recording host keys).
    pub fn of(action: String, steps: Vec<String>) -> Self {
        Plan {
            steps,
            ..Plan::new(action)
        }
    }

    fn new(action: String) -> Self {
        Plan {
            dry_run: true,
            action,
            steps: Vec::new(),
            warnings: Vec::new(),
            unreachable: Vec::new(),
        }
    }

    fn step(&mut self, step: String) {
        self.steps.push(step);
    }
}

/// `driver bridge, subnet 10.1.2.0/24, internal, mtu 1450, …`: how a network would be made.
fn network_shape(driver: &str, options: &domain::NetworkOptions) -> String {
    let mut parts = vec![format!("driver {driver}")];
    if let Some(subnet) = &options.subnet {
        parts.push(format!("subnet {subnet}"));
    }
    if options.internal {
        parts.push("internal".into());
    }
    if options.ipv6 {
        parts.push("ipv6".into());
    }
    if let Some(subnet6) = &options.subnet6 {
        parts.push(format!("subnet6 {subnet6}"));
    }
    if let Some(gateway) = &options.gateway {
        parts.push(format!("gateway {gateway}"));
    }
    if let Some(range) = &options.ip_range {
        parts.push(format!("ip range {range}"));
    }
    if let Some(mtu) = options.mtu {
        parts.push(format!("mtu {mtu}"));
    }
    for (k, v) in &options.labels {
        parts.push(format!("label {k}={v}"));
    }
    for (k, v) in &options.driver_opts {
        parts.push(format!("opt {k}={v}"));
    }
    parts.join(", ")
}

impl Ops {
    /// `destination create --dry-run`: every check of the create (options, name and network
    /// free here, read-only and build servers, the server online and its mode, a swarm
    /// worker, a network of that name already on the daemon: one list by exact name).
    pub async fn plan_create_destination(&self, input: &NewDestination) -> Result<Plan, Error> {
        let (server, mut destination, choice) = self.plan_destination(input).await?;
        let (server, docker) = self.online(&server).await?;
        destination.kind = DestinationType::for_mode(server.mode)?;
        let mut picked = None;
        if let SubnetChoice::Auto(pool) = choice {
            let pool = pool
                .or(self.fallback_pool)
                .ok_or(OptionRefusal::AutoNeedsPool)?;
            let subnet = self.free_subnet(&server, &docker, pool).await?;
            destination.options.subnet = Some(subnet.to_string());
            picked = Some(subnet);
        }
        if destination.kind == DestinationType::Swarm {
            domain::validate_swarm_network_name(&destination.network)?;
        }
        match docker.network_named(&destination.network).await {
            Ok(None) => {}
            Ok(Some(_)) => {
                return Err(Error::NetworkExists {
                    server: server.name.clone(),
                    network: destination.network.clone(),
                });
            }
            Err(e) => return Err(self.fail(&server, e).await),
        }
        let mut plan = Plan::new(format!(
            "create destination {} on {}",
            destination.name, server.name
        ));
        plan.step(format!(
            "create network {} ({}{})",
            destination.network,
            network_shape(destination.kind.driver(), &destination.options),
            if picked.is_some() {
                ": the first /24 of the pool no network there uses"
            } else {
                ""
            }
        ));
        if input.network.is_none() {
            plan.warnings.push(format!(
                "{} is a fresh name made for this dry run: the real run makes another (give --network NET to fix it)",
                destination.network
            ));
        }
        plan.step(format!(
            "connect proxy {} to {}",
            server.proxy_container, destination.network
        ));
        plan.step(format!(
            "save the record {} ({}, {})",
            destination.name, destination.kind, server.name
        ));
        Ok(plan)
    }

    /// `import --dry-run`: the networks that would be imported, with the names they would
    /// get, and the proxy attached to each.
    pub async fn plan_import(
        &self,
        reference: &str,
        networks: &[String],
        all: bool,
    ) -> Result<Plan, Error> {
        let (server, _, chosen, warnings) = self.import_choice(reference, networks, all).await?;
        let chosen: Vec<&NetworkInfo> = chosen.iter().collect();
        let (server_uuid, server_name) = (server.uuid.clone(), server.name.clone());
        let plans = super::import::import_plans(&server, &chosen).2;
        let records = self
            .db(move |s| name_imported(s, &server_uuid, &server_name, plans))
            .await?;
        let mut plan = Plan::new(format!(
            "import {} network(s) of {}",
            records.len(),
            server.name
        ));
        plan.warnings = warnings.iter().map(|w| w.text.clone()).collect();
        for d in &records {
            let adopted = match &d.original_name {
                Some(original) => format!(" (adopted: made elsewhere as {original})"),
                None => String::new(),
            };
            plan.step(format!(
                "record network {} as destination {} ({}){adopted}",
                d.network, d.name, d.kind
            ));
            plan.step(format!(
                "connect proxy {} to {}",
                server.proxy_container, d.network
            ));
        }
        if records.iter().any(|d| d.original_name.is_some()) {
            plan.step("adopt the resources deployed on the adopted destinations".into());
        }
        Ok(plan)
    }

    /// `destination repair --dry-run`: what the repair would put back.
    pub async fn plan_repair(&self, reference: &str) -> Result<Plan, Error> {
        let (d, server) = self.destination(reference).await?;
        writable(&server)?;
        let (server, docker) = self.online(&server).await?;
        let before = self.check_destination(&d, &server).await;
        let mut plan = Plan::new(format!("repair destination {} on {}", d.name, server.name));
        match before.status {
            HealthStatus::Unknown => {
                return Err(Error::Unreachable {
                    server: server.name.clone(),
                    detail: before.detail.unwrap_or_default(),
                });
            }
            HealthStatus::Ok => {}
            HealthStatus::Missing => {
                match docker.network_named(&d.network).await {
                    Ok(Some(_)) => {
                        return Err(Error::NetworkExists {
                            server: server.name.clone(),
                            network: d.network.clone(),
                        });
                    }
                    Ok(None) => {}
                    Err(e) => return Err(self.fail(&server, e).await),
                }
                plan.step(format!(
                    "create network {} ({})",
                    d.network,
                    network_shape(d.kind.driver(), &d.options)
                ));
                plan.step(format!("save the new network ID in the record {}", d.name));
                plan.step(format!(
                    "connect proxy {} to {}",
                    server.proxy_container, d.network
                ));
            }
            HealthStatus::ProxyDetached => {
                plan.step(format!(
                    "connect proxy {} to {}",
                    server.proxy_container, d.network
                ));
            }
        }
        Ok(plan)
    }

    /// `destination edit/rename --dry-run`: what would change in the record.
    pub async fn plan_edit_destination(
        &self,
        reference: &str,
        edit: &DestinationEdit,
    ) -> Result<Plan, Error> {
        let description = checked_edit(edit)?;
        let (d, server) = self.destination(reference).await?;
        writable(&server)?;
        let mut plan = Plan::new(format!("edit destination {} on {}", d.name, server.name));
        if let Some(name) = edit.name.clone()
            && name != d.name
        {
            let check = name.clone();
            self.db(move |s| {
                s.check_name_is_not_uuid("destination", &check)?;
                if s.destination_name_taken(&check)? {
                    return Err(Error::DestinationNameTaken(check));
                }
                Ok(())
            })
            .await?;
            plan.step(format!("rename {} to {name}", d.name));
        }
        if let Some(description) = description
            && description != d.description
        {
            plan.step(match description {
                Some(text) => format!("set the description to {text}"),
                None => "clear the description".into(),
            });
        }
        Ok(plan)
    }

    /// `server add --dry-run`: the record checked and (unless --no-check) the server checked
    /// live, as the real add does; nothing saved.
    pub async fn plan_add_server(&self, input: &NewServer) -> Result<Plan, Error> {
        let outcome = self.prepare_server(input).await?;
        let s = &outcome.value;
        let mut plan = Plan::new(format!("add server {}", s.name));
        plan.warnings = outcome.warnings.iter().map(|w| w.to_string()).collect();
        let live = if s.checked_at.is_some() {
            format!(
                ", online, {}, Docker {}",
                s.mode,
                s.docker_version.as_deref().unwrap_or("?")
            )
        } else {
            String::new()
        };
        plan.step(format!(
            "save server {} (host {}{}{live})",
            s.name,
            s.host,
            s.address
                .as_ref()
                .filter(|a| **a != s.host)
                .map(|a| format!(" → {a}"))
                .unwrap_or_default()
        ));
        Ok(plan)
    }

    /// `server edit --dry-run`: each setting that would change, checked as the real edit
    /// checks it; nothing saved.
    pub async fn plan_edit_server(&self, reference: &str, edit: ServerEdit) -> Result<Plan, Error> {
        let (before, after) = self.edited_server(reference, edit).await?;
        let mut plan = Plan::new(format!("edit server {}", before.name));
        let show = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
        let port = |p: Option<u16>| p.map_or("-".into(), |p| p.to_string());
        let changes = [
            ("name", before.name.clone(), after.name.clone()),
            ("host", before.host.clone(), after.host.clone()),
            ("port", port(before.port), port(after.port)),
            ("user", show(&before.user), show(&after.user)),
            ("identity", show(&before.identity), show(&after.identity)),
            (
                "docker socket",
                before.docker_socket.clone(),
                after.docker_socket.clone(),
            ),
            (
                "proxy container",
                before.proxy_container.clone(),
                after.proxy_container.clone(),
            ),
            (
                "build server",
                before.build_server.to_string(),
                after.build_server.to_string(),
            ),
            ("color", show(&before.color), show(&after.color)),
            (
                "read-only",
                before.read_only.to_string(),
                after.read_only.to_string(),
            ),
        ];
        for (what, old, new) in changes {
            if old != new {
                plan.step(format!("change the {what} from {old} to {new}"));
            }
        }
        if !plan.steps.is_empty() {
            plan.step(format!("save server {}", after.name));
        }
        Ok(plan)
    }

    /// `server remove --dry-run`: what would be forgotten (nothing on the host changes).
    pub async fn plan_remove_server(&self, reference: &str, force: bool) -> Result<Plan, Error> {
        let server = self.server(reference).await?;
        let uuid = server.uuid.clone();
        let (destinations, resources) = self
            .db(move |s| {
                let destinations = s.destinations_of(&uuid)?;
                let resources: Vec<Resource> = s
                    .resources()?
                    .into_iter()
                    .filter(|r| destinations.iter().any(|d| d.uuid == r.destination_uuid))
                    .collect();
                Ok((destinations, resources))
            })
            .await?;
        if !destinations.is_empty() && !force {
            return Err(Error::ServerHasDestinations {
                server: server.name.clone(),
                count: destinations.len(),
            });
        }
        let mut plan = Plan::new(format!("remove server {}", server.name));
        for d in &destinations {
            plan.step(format!(
                "forget the record of destination {} (the network {} stays on the host)",
                d.name, d.network
            ));
        }
        for r in &resources {
            plan.step(format!(
                "forget the record of resource {} (its containers stay on the host)",
                r.name
            ));
        }
        plan.step(format!("forget server {}", server.name));
        if !destinations.is_empty() {
            let networks: Vec<&str> = destinations.iter().map(|d| d.network.as_str()).collect();
            plan.warnings.push(format!(
                "would forget {} destination(s) of {}; their networks ({}) and any containers may remain on the host",
                destinations.len(),
                server.name,
                networks.join(", ")
            ));
        }
        Ok(plan)
    }

    /// `resource create --dry-run`: the destination chosen as the real run chooses it, the
    /// image, a stack's own network and the container's name.
    pub async fn plan_create_resource(&self, input: &NewResource) -> Result<Plan, Error> {
        let (resource, destination, server) = self.new_resource(input).await?;
        self.plan_deploy(&resource, &destination, &server, "create")
            .await
    }

    /// `resource clone --dry-run`: the copy's name and its deploy on the target.
    pub async fn plan_clone_resource(
        &self,
        reference: &str,
        destination: &str,
        name: Option<String>,
    ) -> Result<Plan, Error> {
        let (original, copy, target, server) =
            self.planned_copy(reference, destination, name).await?;
        let mut plan = self.plan_deploy(&copy, &target, &server, "clone").await?;
        plan.action = format!(
            "clone resource {} as {} to {} on {}",
            original.name, copy.name, target.name, server.name
        );
        Ok(plan)
    }

    /// The steps of a deploy (create, clone): the server must be online, as for the real one.
    async fn plan_deploy(
        &self,
        r: &Resource,
        d: &Destination,
        server: &Server,
        verb: &str,
    ) -> Result<Plan, Error> {
        let (server, _) = self.online(server).await?;
        let mut plan = Plan::new(format!(
            "{verb} resource {} ({}) on {} ({})",
            r.name, r.kind, d.name, server.name
        ));
        let network = if r.kind == ResourceKind::Service {
            let swarm = d.kind == DestinationType::Swarm;
            let stack = domain::stack_network(&r.uuid);
            plan.step(format!(
                "create the stack's own network {} (driver {})",
                stack,
                if swarm { "overlay" } else { "bridge" }
            ));
            stack
        } else {
            d.network.clone()
        };
        let command = r
            .command
            .as_ref()
            .map(|c| format!(", command {c}"))
            .unwrap_or_default();
        plan.step(format!(
            "run container {} from image {}{command} on network {network}",
            container_name_for(&r.name, "<new uuid>"),
            r.image
        ));
        if r.kind == ResourceKind::Service && r.connect_predefined {
            plan.step(format!("connect the container to {}", d.network));
        }
        plan.step(format!("save the record {}", r.name));
        Ok(plan)
    }

    /// `resource delete --dry-run`: the containers and stack network that would be removed.
    pub async fn plan_delete_resource(&self, reference: &str) -> Result<Plan, Error> {
        let reference = reference.to_string();
        let r = self.db(move |s| s.find_resource(&reference)).await?;
        let (d, server) = self.destination(&r.destination_uuid).await?;
        writable(&server)?;
        let (server, docker) = self.online(&server).await?;
        let mut plan = Plan::new(format!(
            "delete resource {} on {} ({})",
            r.name, d.name, server.name
        ));
        match super::resources::containers_of(&docker, &r.uuid, Some(&d.network)).await {
            Ok(containers) => {
                for c in containers {
                    plan.step(format!("remove container {}", c.name));
                }
            }
            Err(e) => return Err(self.fail(&server, e).await),
        }
        match docker.network_named(&domain::stack_network(&r.uuid)).await {
            Ok(Some(n))
                if n.labels.get(LABEL_RESOURCE).map(String::as_str) == Some(r.uuid.as_str()) =>
            {
                plan.step(format!("remove the stack's own network {}", n.name));
            }
            Ok(_) => {}
            Err(e) => return Err(self.fail(&server, e).await),
        }
        plan.step(format!("forget the record {}", r.name));
        Ok(plan)
    }

    /// `sync --dry-run`: the destinations that would be adopted (with the names they would
    /// get) and the records whose network is gone; an unreachable server is said, as in a
    /// sync (its plan is a warning).
    pub async fn plan_sync(&self, servers: &[String]) -> Result<Plan, Error> {
        let targets = self.servers_named(servers).await?;
        let mut plan = Plan::new(format!("sync {} server(s)", targets.len()));
        for server in &targets {
            match self.plan_sync_server(server).await {
                Ok(preview) => plan
                    .steps
                    .extend(preview.adopt.into_iter().chain(preview.missing)),
                Err(e) => {
                    plan.warnings.push(format!(
                        "unreachable: {}: {} (nothing would be synced there)",
                        server.name,
                        e.reason()
                    ));
                    plan.unreachable.push(server.name.clone());
                }
            }
        }
        Ok(plan)
    }

    /// What a sync of `server` would adopt and list as missing, as `sync --dry-run` says it
    /// (the TUI's `S` shows it and asks once); changes nothing.
    pub async fn preview_sync(&self, server: &Server) -> Result<SyncPreview, Error> {
        self.dry_run().plan_sync_server(server).await
    }

    async fn plan_sync_server(&self, server: &Server) -> Result<SyncPreview, Error> {
        let (server, _, listed, labelled) = self.read_labels(server).await?;
        let uuid = server.uuid.clone();
        let (recorded, resources) = self
            .db(move |s| Ok((s.destinations_of(&uuid)?, s.resources()?)))
            .await?;
        let mut preview = SyncPreview::default();
        let chosen = self.made_elsewhere(&server, &listed).await?;
        let (server_uuid, server_name) = (server.uuid.clone(), server.name.clone());
        let plans = super::import::import_plans(&server, &chosen).2;
        let adopted = self
            .db(move |s| name_imported(s, &server_uuid, &server_name, plans))
            .await?;
        for d in &adopted {
            preview.adopt.push(format!(
                "adopt destination {}: network {} on {} ({})",
                d.name, d.network, server.name, d.kind
            ));
        }
        // The resources the real sync would adopt: read from the labels as it reads them, on
        // a destination that is (or would be) recorded, not recorded here themselves.
        let on: Vec<Destination> = recorded.iter().chain(&adopted).cloned().collect();
        let mut seen = HashSet::new();
        for r in labelled.iter().filter_map(|c| resource_of(c, &on)) {
            if resources.iter().any(|known| known.uuid == r.uuid) || !seen.insert(r.uuid.clone()) {
                continue;
            }
            let destination = on.iter().find(|d| d.uuid == r.destination_uuid);
            let name = destination.map_or("?", |d| d.name.as_str());
            (preview.adopt).push(format!("adopt resource {} on {name}", r.name));
        }
        for m in missing_records(&server, &recorded, &listed) {
            preview.missing.push(format!(
                "list as missing: destination {} (network {} on {}): its network is gone",
                m.destination, m.network, m.server
            ));
        }
        Ok(preview)
    }
}

/// What a sync of one server would do: the lines `sync --dry-run` prints for it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncPreview {
    /// `adopt destination …` and `adopt resource …`, one per record.
    pub adopt: Vec<String>,
    /// `list as missing: …`, one per record whose network is gone.
    pub missing: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_networks_shape_names_every_option_given_and_nothing_else() {
        assert_eq!(
            network_shape("bridge", &domain::NetworkOptions::default()),
            "driver bridge"
        );
        let options = domain::NetworkOptions {
            subnet: Some("10.1.2.0/24".into()),
            internal: true,
            mtu: Some(1450),
            labels: BTreeMap::from([("team".into(), "shop".into())]),
            ..Default::default()
        };
        assert_eq!(
            network_shape("overlay", &options),
            "driver overlay, subnet 10.1.2.0/24, internal, mtu 1450, label team=shop"
        );
    }
}
