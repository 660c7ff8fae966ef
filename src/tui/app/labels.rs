//! What the Tasks pane calls a task: named for what it acts on (`delete web-prod`, `scan
//! alpha`, `check 3 destinations on beta`). The queue knows only uuids; the app knows the names.

use super::App;
use super::sanitize::clean_str;
use crate::tasks::Task;

impl App {
    /// The label of `task`'s row in the Tasks pane.
    pub(super) fn label(&self, task: &Task) -> String {
        let mut label = match task {
            Task::Load => "load records".into(),
            Task::Settle => "settle interrupted work".into(),
            Task::ProbeLocal => "probe local Docker".into(),
            Task::CheckServer { server } => format!("check server {}", self.server_name(server)),
            Task::AddServer(s) => format!("add server {}", s.name),
            Task::RemoveServer { server, .. } => {
                format!("remove server {}", self.server_name(server))
            }
            Task::EditServer { server, .. } => format!("edit server {}", self.server_name(server)),
            Task::Scan { server } => format!("scan {}", self.server_name(server)),
            Task::Import { server, networks } => match networks.as_slice() {
                [one] => format!("import {}", self.network_name(one)),
                many => format!(
                    "import {} networks on {}",
                    many.len(),
                    self.server_name(server)
                ),
            },
            Task::CreateDestination(d) => match (&d.name, &d.network) {
                (Some(name), _) => format!("create {name}"),
                (None, Some(network)) => format!("create destination for {network}"),
                (None, None) => format!("create destination on {}", self.server_name(&d.server)),
            },
            Task::EditDestination {
                destination, edit, ..
            } => {
                let current = self.destination_name(destination);
                match &edit.name {
                    Some(name) if *name != current => format!("rename {current} to {name}"),
                    _ => format!("edit {current}"),
                }
            }
            Task::DeleteDestination { destination, .. } => {
                format!("delete {}", self.destination_name(destination))
            }
            Task::DeleteReport { destination, .. } => {
                format!("check dependants of {}", self.destination_name(destination))
            }
            Task::ShowDestination { destination, .. } => {
                format!("details of {}", self.destination_name(destination))
            }
            Task::CheckDestinations {
                server,
                destinations,
            } => match destinations.as_slice() {
                [one] => format!("check {}", self.destination_name(one)),
                many => format!(
                    "check {} destinations on {}",
                    many.len(),
                    self.server_name(server)
                ),
            },
            Task::Usage { server } => format!("usage on {}", self.server_name(server)),
            Task::Sync { server } => format!("sync {}", self.server_name(server)),
            Task::SyncPreview { server } => {
                format!("sync {} (what to adopt)", self.server_name(server))
            }
            Task::Addresses { server } => format!("subnets on {}", self.server_name(server)),
            Task::RepairDestination { destination, .. } => {
                format!("repair {}", self.destination_name(destination))
            }
            Task::CreateResource(r) => match &r.destination {
                Some(d) => format!("deploy {} to {}", r.name, self.destination_name(d)),
                None => format!("deploy {}", r.name),
            },
            Task::CloneResource {
                resource,
                destination,
                ..
            } => format!("clone {resource} to {}", self.destination_name(destination)),
        };
        // Typed names are shown as typed, never as terminal controls.
        clean_str(&mut label);
        label
    }

    /// The destination's name, by uuid (the uuid when unknown).
    pub(super) fn destination_name(&self, uuid: &str) -> String {
        self.destinations
            .iter()
            .find(|d| d.uuid == uuid)
            .map_or_else(|| uuid.to_string(), |d| d.name.clone())
    }

    /// The scanned network's name, by the reference an import names it with (its full id when
    /// two networks share a name).
    fn network_name(&self, reference: &str) -> String {
        self.panes
            .scan
            .view
            .as_ref()
            .and_then(|v| {
                v.rows
                    .iter()
                    .find(|r| r.id == reference || r.network == reference)
            })
            .map_or_else(|| reference.to_string(), |r| r.network.clone())
    }
}
