//! One batch of events: what each touched (a destination, the server's networks, a resource
//! container), then one check per destination touched.

use super::*;

impl Watcher<'_> {
    /// One batch of events: what each touched, then one check per destination touched.
    pub(super) async fn handle(
        &mut self,
        docker: &DockerApi,
        mut batch: Vec<DockerEvent>,
    ) -> Vec<Change> {
        // The daemon may announce one disconnect twice in a row (seen for a container's
        // second network): one change each.
        batch.dedup_by(|a, b| {
            (a.kind, &a.action, &a.id, &a.container) == (b.kind, &b.action, &b.id, &b.container)
        });
        if let Some(last) = batch.iter().map(|e| e.time_nano).max() {
            self.last_event = Some(last.max(self.last_event.unwrap_or(0)));
        }
        // One read of the records for the whole batch (one may have been created or deleted
        // since the last): the server's destinations, and every resource.
        let uuid = self.server.uuid.clone();
        let (destinations, resources, deleting) = self
            .ops
            .db(move |s| {
                // Destinations this data directory is deleting right now (its own delete,
                // or one forwarded to this holder): their network going is no drift.
                let deleting: HashSet<DestinationId> = s
                    .intents()?
                    .into_iter()
                    .filter(|i| matches!(i.step, IntentStep::Delete))
                    .map(|i| i.destination.uuid)
                    .collect();
                Ok((s.destinations_of(&uuid)?, s.resources()?, deleting))
            })
            .await
            .unwrap_or_default();
        // Destinations with a resource recorded are never `unused`.
        let assigned: HashSet<DestinationId> = resources
            .iter()
            .map(|r| r.destination_uuid.clone())
            .collect();
        let mut touched = Touched::default();
        for event in batch {
            match event.kind {
                EventKind::Network => {
                    self.network_event(event, &destinations, &deleting, &mut touched)
                }
                EventKind::Container => {
                    self.container_event(event, &resources, &destinations, &mut touched)
                }
            }
        }
        self.check_touched(&mut touched, &assigned).await;
        if self.options.reattach_proxy {
            self.reattach(docker, &mut touched).await;
        }
        touched.changes
    }

    fn network_event(
        &mut self,
        event: DockerEvent,
        destinations: &[Destination],
        deleting: &HashSet<DestinationId>,
        touched: &mut Touched,
    ) {
        let destination = destinations.iter().find(|d| d.network_id == event.id);
        if let Some(d) = destination.filter(|d| deleting.contains(&d.uuid)) {
            // destui's own delete: a line for `watch`, no destination to check or raise as
            // drift (its task says how it went).
            let mut change = self.change(&event.action);
            change.network = Some(event.name.clone());
            change.networks_changed = true;
            change.detail = Some(format!("destui is deleting destination {}", d.name));
            touched.changes.push(change);
            return;
        }
        let mut change = self.change(&event.action);
        change.time = rfc3339(event.time_nano.div_euclid(1_000_000_000));
        change.network = Some(event.name.clone());
        change.networks_changed = true;
        if let Some(container) = &event.container {
            let seen = self.containers.entry(container.clone()).or_default();
            if event.action == "connect" {
                seen.networks.insert(event.id.clone());
            }
            let name = if seen.name.is_empty() {
                container.chars().take(12).collect()
            } else {
                seen.name.clone()
            };
            let verb = if event.action == "connect" {
                "joined"
            } else {
                "left"
            };
            change.detail = Some(format!("container {name} {verb}"));
            change.containers_changed = destination.is_some();
            if let Some(d) = destination
                && event.action == "disconnect"
                && name == self.server.proxy_container
            {
                touched.proxy_left.insert(d.uuid.clone());
            }
        }
        if let Some(d) = destination {
            change.destination = Some(d.name.clone());
            if !touched.destinations.iter().any(|t| t.uuid == d.uuid) {
                touched.destinations.push(d.clone());
            }
        }
        touched.changes.push(change);
    }

    /// A container that is no resource started or stopped on a destination's network: no
    /// alert, but the destination's usage (running/total) is read again — the connect came
    /// before the start, and a read then found it not running yet.
    fn other_container_state(
        &self,
        event: &DockerEvent,
        destinations: &[Destination],
        touched: &mut Touched,
    ) {
        if !matches!(event.action.as_str(), "start" | "die" | "pause" | "unpause") {
            return;
        }
        let Some(seen) = self.containers.get(&event.id) else {
            return;
        };
        let Some(d) = destinations
            .iter()
            .find(|d| seen.networks.contains(&d.network_id))
        else {
            return;
        };
        let mut change = self.change(&event.action);
        change.time = rfc3339(event.time_nano.div_euclid(1_000_000_000));
        change.destination = Some(d.name.clone());
        change.network = Some(d.network.clone());
        change.containers_changed = true;
        change.silent = true;
        touched.changes.push(change);
    }

    fn container_event(
        &mut self,
        event: DockerEvent,
        resources: &[Resource],
        destinations: &[Destination],
        touched: &mut Touched,
    ) {
        match event.action.as_str() {
            "create" | "rename" => {
                self.containers.entry(event.id.clone()).or_default().name = event.name.clone();
            }
            "destroy" => {
                let gone = self.containers.remove(&event.id).unwrap_or_default();
                self.container_removed(&event, gone, destinations, touched);
            }
            _ => {}
        }
        let Some(resource) = event
            .attributes
            .get(LABEL_RESOURCE)
            .and_then(|uuid| resources.iter().find(|r| r.uuid == *uuid))
        else {
            self.other_container_state(&event, destinations, touched);
            return;
        };
        let status = match event.action.as_str() {
            "start" | "unpause" => ResourceStatus::Running,
            "die" | "pause" => ResourceStatus::Stopped,
            "destroy" => ResourceStatus::Missing,
            _ => return,
        };
        let mut change = self.change(&event.action);
        change.time = rfc3339(event.time_nano.div_euclid(1_000_000_000));
        if let Some(d) = destinations
            .iter()
            .find(|d| d.uuid == resource.destination_uuid)
        {
            change.destination = Some(d.name.clone());
            change.network = Some(d.network.clone());
        }
        change.status = Some(status.to_string());
        change.detail = Some(format!(
            "resource {}: container {}",
            resource.name, event.name
        ));
        change.resource = Some(resource.uuid.clone());
        change.containers_changed = true;
        touched.changes.push(change);
    }

    /// A container removed leaves the destinations it was configured on (stopped, it still
    /// counted there): each is checked again.
    fn container_removed(
        &self,
        event: &DockerEvent,
        gone: Seen,
        destinations: &[Destination],
        touched: &mut Touched,
    ) {
        for d in destinations
            .iter()
            .filter(|d| gone.networks.contains(&d.network_id) || gone.networks.contains(&d.network))
        {
            let mut change = self.change("destroy");
            change.time = rfc3339(event.time_nano.div_euclid(1_000_000_000));
            change.destination = Some(d.name.clone());
            change.network = Some(d.network.clone());
            change.detail = Some(format!("container {} removed", event.name));
            change.containers_changed = true;
            change.networks_changed = true;
            if !touched.destinations.iter().any(|t| t.uuid == d.uuid) {
                touched.destinations.push(d.clone());
            }
            touched.changes.push(change);
        }
    }

    /// Checks each destination touched (in parallel), and says its state on its changes.
    async fn check_touched(&mut self, touched: &mut Touched, assigned: &HashSet<DestinationId>) {
        let checks: Vec<_> = touched
            .destinations
            .iter()
            .map(|d| {
                self.ops
                    .check_against(d, &self.server, assigned.contains(&d.uuid), None)
            })
            .collect();
        let rows: Vec<CheckRow> = stream::iter(checks)
            .buffered(SCAN_CONCURRENCY)
            .collect()
            .await;
        for row in rows {
            let name = row.destination.clone();
            let mut last = None;
            for (i, change) in touched.changes.iter_mut().enumerate() {
                if change.destination.as_deref() == Some(name.as_str()) && change.resource.is_none()
                {
                    change.status = Some(row.status.as_str().to_string());
                    last = Some(i);
                }
            }
            if let Some(i) = last {
                let change = &mut touched.changes[i];
                if row.status != HealthStatus::Ok
                    && let Some(detail) = &row.detail
                {
                    change.detail = Some(match change.detail.take() {
                        Some(what) => format!("{what}; {detail}"),
                        None => detail.clone(),
                    });
                }
                change.check = Some(row.clone());
            }
            self.told.insert(row.uuid.clone(), row.status);
        }
    }
}
