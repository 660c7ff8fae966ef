//! Every string a task brings back (names, labels, daemon errors, versions) is cleaned once,
//! as it enters the app state: characters a terminal would act on or hide
//! (`domain::is_unsafe_char`) become `�`, so a server can neither recolour the screen nor
//! make a name read as something else, and the admin still sees that something was there.
//! Errors stay typed in the state; `tui::hints::error_text`, the one place that turns an error
//! into text, cleans that text the same way.

use crate::domain::{Hint, Resource, Server, Warning, is_unsafe_char};
use crate::ops::{
    AddressRow, Adopted, CheckRow, ContainerRef, ContainerUsage, DeleteReport, Dependant,
    DestinationDetails, DestinationUsage, DestinationView, MissingRecord, NodeContainer,
    OtherNodes, Outcome, ResourceView, ScanRow, SyncReport, SyncSkipped,
};
use crate::tasks::{TaskEvent, TaskResult};

pub const REPLACEMENT: char = '\u{fffd}';

/// Replaces every unsafe character of `text` in place (allocates only when there is one).
pub fn clean_str(text: &mut String) {
    if text.chars().any(is_unsafe_char) {
        *text = text
            .chars()
            .map(|c| if is_unsafe_char(c) { REPLACEMENT } else { c })
            .collect();
    }
}

pub trait Clean {
    fn clean(&mut self);
}

impl Clean for String {
    fn clean(&mut self) {
        clean_str(self);
    }
}

impl<T: Clean> Clean for Option<T> {
    fn clean(&mut self) {
        if let Some(v) = self {
            v.clean();
        }
    }
}

impl<T: Clean> Clean for Vec<T> {
    fn clean(&mut self) {
        self.iter_mut().for_each(Clean::clean);
    }
}

impl<T: Clean> Clean for Box<T> {
    fn clean(&mut self) {
        self.as_mut().clean();
    }
}

impl Clean for Warning {
    fn clean(&mut self) {
        self.text.clean();
        self.hint.clean();
    }
}

impl Clean for Hint {
    fn clean(&mut self) {
        match self {
            Hint::ImportNetwork { server, network } => {
                server.clean();
                network.clean();
            }
            Hint::EmptyServer { server }
            | Hint::CreateDestination { server }
            | Hint::TrustHostKey { server }
            | Hint::CheckServer { server }
            | Hint::ScanServer { server } => server.clean(),
            Hint::ForceDelete { destination } => destination.clean(),
            Hint::ChooseDestination { candidates } => candidates.clean(),
            Hint::ListServers
            | Hint::ListDestinations
            | Hint::ListResources
            | Hint::FreeAddressPools
            | Hint::FreeIpv6AddressPools
            | Hint::AddWithoutCheck
            | Hint::RepairWhenProxyRuns
            | Hint::OtherLogin
            | Hint::SocketPath => {}
        }
    }
}

impl<T: Clean> Clean for Outcome<T> {
    fn clean(&mut self) {
        self.value.clean();
        self.warnings.clean();
    }
}

/// Lists the string fields of a struct, so each type says in one line what is cleaned.
macro_rules! clean_fields {
    ($($ty:ty => [$($field:ident),*]);* $(;)?) => {
        $(impl Clean for $ty {
            fn clean(&mut self) {
                $(self.$field.clean();)*
            }
        })*
    };
}

clean_fields! {
    Server => [name, host, last_error, docker_version, proxy_container, address];
    DestinationView => [name, network, server, server_ip, description, original_name, server_host];
    ScanRow => [network, driver, scope, containers, reason, nodes];
    CheckRow => [destination, detail, nodes];
    OtherNodes => [elsewhere, unseen];
    NodeContainer => [server, name, id, state];
    ContainerRef => [name, state];
    ContainerUsage => [name, state];
    DestinationUsage => [containers];
    Resource => [name, image, command];
    ResourceView => [name, image, command, destination, server, containers, networks];
    Dependant => [container, reason, variable, mentions, destination];
    Adopted => [uuid, name, original_name, server, on, kind];
    MissingRecord => [destination, uuid, server, network];
    SyncSkipped => [server, error];
    SyncReport => [adopted, missing, unreachable];
    AddressRow => [subnet, network, gateway, driver, scope, destination, overlaps];
    DeleteReport => [destination, network, network_id, server, proxy, steps, refusal, attached,
        resources, dependants, unknown];
}

impl Clean for DestinationDetails {
    fn clean(&mut self) {
        self.destination.clean();
        self.driver.clean();
        self.scope.clean();
        self.subnet.clean();
        self.gateway.clean();
        self.ip_range.clean();
        self.subnets.clean();
        self.options.clean();
        self.containers.clean();
        self.resources.clean();
        // Keyed by the names cleaned above, so that they still match.
        self.resource_status = std::mem::take(&mut self.resource_status)
            .into_iter()
            .map(|(mut name, status)| {
                name.clean();
                (name, status)
            })
            .collect();
        self.detail.clean();
        self.labels.clean();
        self.nodes.clean();
    }
}

/// Keys and values alike (labels, driver options).
impl Clean for std::collections::BTreeMap<String, String> {
    fn clean(&mut self) {
        *self = std::mem::take(self)
            .into_iter()
            .map(|(mut k, mut v)| {
                k.clean();
                v.clean();
                (k, v)
            })
            .collect();
    }
}

impl Clean for TaskResult {
    fn clean(&mut self) {
        match self {
            TaskResult::Settled { notes } => notes.clean(),
            TaskResult::Loaded {
                servers,
                destinations,
                resources,
            } => {
                servers.clean();
                destinations.clean();
                resources.clean();
            }
            // The error stays typed: its text is cleaned by `hints::error_text`.
            TaskResult::ServerChecked { server, .. } => server.clean(),
            TaskResult::LocalProbed { .. } => {}
            TaskResult::ServerAdded(o) | TaskResult::ServerRemoved(o) => o.clean(),
            TaskResult::ServerEdited(s) => s.clean(),
            TaskResult::Scanned { rows, .. } => rows.clean(),
            TaskResult::Imported { outcome, .. } => outcome.clean(),
            TaskResult::Synced { outcome, .. } => outcome.clean(),
            TaskResult::SyncPreviewed { preview, .. } => {
                preview.adopt.clean();
                preview.missing.clean();
            }
            TaskResult::Addresses { outcome, .. } => outcome.clean(),
            TaskResult::Created(o) | TaskResult::Deleted(o) => o.clean(),
            TaskResult::Edited(d) => d.clean(),
            TaskResult::Details(d) => d.clean(),
            TaskResult::DeleteReport(r) => r.clean(),
            TaskResult::Checked(rows) => rows.clean(),
            TaskResult::Usage { usage, .. } => usage.clean(),
            TaskResult::Repaired(o) => o.clean(),
            TaskResult::ResourceDeployed(o) => o.clean(),
        }
    }
}

impl Clean for TaskEvent {
    fn clean(&mut self) {
        match self {
            TaskEvent::Progress { note, .. } => note.clean(),
            TaskEvent::Finished { result: Ok(r), .. } => r.clean(),
            // Errors stay typed: their text is cleaned by `hints::error_text`.
            TaskEvent::Finished { result: Err(_), .. }
            | TaskEvent::Queued { .. }
            | TaskEvent::Joined { .. }
            | TaskEvent::Started { .. } => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsafe_characters_become_visible_replacements() {
        let mut s = "evil\u{1b}[31mred\u{202e}txt\u{200b}\nrow".to_string();
        s.clean();
        assert_eq!(s, "evil�[31mred�txt��row");
        let mut fine = "prod-eu ünï 网络".to_string();
        fine.clean();
        assert_eq!(fine, "prod-eu ünï 网络");
    }
}
