//! What each kind of task result changes in the panes, and which tasks follow it (a reload
//! after any write, a rescan after an import).

use std::collections::BTreeSet;

use super::commands::scan_server;
use super::pending::Waiter;
use super::*;
use crate::domain::{Resource, Warning};
use crate::ops::{HealthStatus, Outcome, ResourceView};
use crate::tasks::TaskResult;
use crate::tui::dialog::{Confirm, Dialog};
use crate::tui::hints::warning_text;
use crate::tui::panes::messages::Level;
use crate::tui::panes::scan::ScanState;

pub(super) fn finished(app: &mut App, waiters: &[Waiter], result: TaskResult) -> Vec<Effect> {
    let effects = follow(app, waiters, result);
    // `r` says `refreshing…` until everything it asked for has answered.
    if app.status.text == REFRESHING && !app.busy() {
        app.say("refreshed");
    }
    effects
}

/// What `r` says while its reload, checks and scan run (commands::refresh).
pub(super) const REFRESHING: &str = "refreshing…";

#[allow(clippy::too_many_lines)] // a room to split (issue 29)
fn follow(app: &mut App, waiters: &[Waiter], result: TaskResult) -> Vec<Effect> {
    match result {
        TaskResult::Loaded {
            servers,
            destinations,
            resources,
        } => loaded(app, waiters, servers, destinations, resources),
        TaskResult::ServerChecked { server, error } => {
            // The start-up round is told as one count when its last answer is in.
            let tell = !waiters.contains(&Waiter::FirstRound);
            server_checked(app, server, error, tell);
            Vec::new()
        }
        TaskResult::Settled { notes } => settled(app, notes),
        TaskResult::LocalProbed { reachable } => {
            app.local_reachable = Some(reachable);
            offer_local(app);
            Vec::new()
        }
        TaskResult::ServerAdded(outcome) => {
            close_form(app, waiters);
            // Added by this process, checked as it was added (unless asked not to).
            if outcome.value.checked_at.is_some() {
                app.mark_reached(&outcome.value.uuid);
            }
            let name = &outcome.value.name;
            let text = format!("added server {name}");
            warn_or_say(app, (name, name), text, &outcome.warnings);
            vec![app.reload_selecting(Record::Server(outcome.value.uuid))]
        }
        TaskResult::ServerEdited(server) => {
            close_form(app, waiters);
            server_edited(app, server)
        }
        TaskResult::ServerRemoved(outcome) => server_removed(app, outcome),
        TaskResult::Scanned { server, rows } => {
            reached(app, &server);
            scanned(app, &server, rows, waiters.contains(&Waiter::Asked));
            Vec::new()
        }
        TaskResult::Imported { server, outcome } => imported(app, &server, outcome),
        TaskResult::Synced { server, outcome } => super::sync::synced(app, &server, outcome),
        TaskResult::SyncPreviewed { server, preview } => {
            reached(app, &server);
            super::sync::previewed(app, &server, preview);
            Vec::new()
        }
        TaskResult::Addresses { server, outcome } => {
            if let Some(Details::Server(open, addresses)) = &mut app.details
                && open.uuid == server
            {
                *addresses = Addresses::Found(Box::new(outcome));
            }
            reached(app, &server);
            Vec::new()
        }
        TaskResult::Created(outcome) => {
            close_form(app, waiters);
            let d = &outcome.value;
            let text = format!("created {} (network {})", d.name, d.network);
            warn_or_say(app, (&d.server, &d.name), text, &outcome.warnings);
            vec![app.reload_selecting(Record::Destination(outcome.value.uuid))]
        }
        TaskResult::Edited(view) => {
            close_form(app, waiters);
            let text = format!("saved {}", view.name);
            app.tell(Level::Info, &view.server, &view.name, text);
            vec![app.reload_selecting(Record::Destination(view.uuid))]
        }
        TaskResult::Deleted(outcome) => deleted(app, outcome),
        TaskResult::Details(details) => {
            details_found(app, waiters, details);
            Vec::new()
        }
        TaskResult::DeleteReport(report) => {
            if let Some(Dialog::Confirm(confirm)) = &mut app.dialog
                && let Some(check) = &mut confirm.check
            {
                check.answered(*report);
            }
            app.report_in()
        }
        TaskResult::ResourceDeployed(outcome) => {
            close_form(app, waiters);
            resource_deployed(app, outcome);
            vec![app.reload()]
        }
        TaskResult::Repaired(outcome) => repaired(app, outcome),
        TaskResult::Checked(rows) => checked(app, rows, waiters.contains(&Waiter::Asked)),
        TaskResult::Usage { server, usage } => {
            reached(app, &server);
            for u in usage {
                app.usage.insert(u.uuid.clone(), u);
            }
            Vec::new()
        }
    }
}

/// A destination's details: shown if the view still waits for them, and the list's CHECK says
/// what they just found.
fn details_found(app: &mut App, waiters: &[Waiter], details: Box<crate::ops::DestinationDetails>) {
    let d = &details.destination;
    let previous = app.health.get(&d.uuid);
    let unused = previous.is_some_and(|h| h.unused);
    // Details read this node only: what the last check found on the swarm's other nodes stays.
    let nodes = previous.map(|h| h.nodes.clone()).unwrap_or_default();
    app.health.insert(
        d.uuid.clone(),
        crate::ops::CheckRow {
            destination: d.name.clone(),
            uuid: d.uuid.clone(),
            status: details.status,
            detail: details.detail.clone(),
            unused: unused && details.resources.is_empty(),
            containers: Some(
                details
                    .containers
                    .len()
                    .saturating_sub(usize::from(details.proxy_connected == Some(true)))
                    + nodes.elsewhere.len(),
            ),
            nodes,
        },
    );
    if waiters.contains(&Waiter::Details) {
        app.details = Some(Details::Destination(details));
    }
}

/// Work a crash interrupted was settled: told, and the records read again.
fn settled(app: &mut App, notes: Vec<String>) -> Vec<Effect> {
    if notes.is_empty() {
        return Vec::new();
    }
    app.tell(Level::Info, "", "interrupted work", notes.join("; "));
    vec![app.reload()]
}

/// A server saved: told, selected once reloaded, and checked with its new settings.
fn server_edited(app: &mut App, server: Server) -> Vec<Effect> {
    let text = format!("saved server {}", server.name);
    app.tell(Level::Info, &server.name, &server.name, text);
    let reload = app.reload_selecting(Record::Server(server.uuid.clone()));
    let check = app.submit(Task::CheckServer {
        server: server.uuid,
    });
    vec![reload, check]
}

/// Closes the form, if it waited for this task.
fn close_form(app: &mut App, waiters: &[Waiter]) {
    if waiters.contains(&Waiter::Form) {
        app.close_dialog();
    }
}

/// Tells a result about `(server, object)`, with its first warning.
pub(super) fn warn_or_say(
    app: &mut App,
    (server, object): (&str, &str),
    text: String,
    warnings: &[Warning],
) {
    match warnings.first() {
        Some(w) => {
            let warning = warning_text(w, &app.keymap);
            let text = format!("{text}; warning: {warning}");
            app.tell(Level::Warning, server, object, text);
        }
        None => app.tell(Level::Info, server, object, text),
    }
}

/// The records from the store: the selection stays on the same server and destination (or
/// moves to the one a write asked for); the first load starts the check of every server.
fn loaded(
    app: &mut App,
    waiters: &[Waiter],
    mut servers: Vec<Server>,
    destinations: Vec<DestinationView>,
    resources: Vec<Resource>,
) -> Vec<Effect> {
    app.resources = resources;
    servers.sort_by(|a, b| a.name.cmp(&b.name));
    let first_load = app.loading;
    let selected = app.selected_server().map(|s| s.uuid.clone());
    let selected_destination = app.selected_destination().map(|d| d.uuid.clone());
    app.servers = servers;
    app.destinations = destinations;
    app.panes
        .destinations
        .marked
        .retain(|m| app.destinations.iter().any(|d| &d.uuid == m));
    app.loading = false;
    app.refresh_all();
    let asked = waiters.iter().find_map(|w| match w {
        Waiter::SelectAfterLoad(record) => Some(record.clone()),
        _ => None,
    });
    // What was asked for, and in the other pane what was selected before.
    let (server, destination) = match asked {
        Some(Record::Server(uuid)) => (Some(uuid), selected_destination),
        Some(Record::Destination(uuid)) => (selected, Some(uuid)),
        None => (selected, selected_destination),
    };
    for record in [
        destination.map(Record::Destination),
        server.map(Record::Server),
    ]
    .into_iter()
    .flatten()
    {
        app.select(record);
    }
    app.refresh_destinations();
    let mut effects = Vec::new();
    if first_load {
        app.say(format!(
            "{} server(s), {} destination(s) — ? for help",
            app.servers.len(),
            app.destinations.len()
        ));
        // Said before the checks start, when they could not all hold a connection.
        if let Some(w) = crate::remote::housekeeping::open_file_warning(app.servers.len()) {
            app.tell(Level::Warning, "", "open files", w);
        }
        effects.extend(app.check_all_servers_first());
    }
    offer_local(app);
    effects
}

/// A live check's answer: the server's dot, mode and version; a server that went offline, or
/// came back, is told when `tell`.
fn server_checked(app: &mut App, server: Server, error: Option<crate::domain::Error>, tell: bool) {
    let error = error.map(|e| crate::tui::hints::error_text(&e, &app.keymap));
    if let Some(error) = &error {
        tracing::info!(server = %server.name, error = %error, "server offline");
    }
    // Only a server checked before can go offline or come back.
    let was_online = app
        .servers
        .iter()
        .find(|s| s.uuid == server.uuid && s.checked_at.is_some())
        .map(|s| s.online);
    match (was_online.filter(|_| tell), &error) {
        (Some(true), Some(error)) => {
            let text = format!("{} went offline: {error}", server.name);
            app.tell(Level::Alert, &server.name, &server.name, text);
        }
        (Some(false), None) if server.online => {
            let text = format!("{} is online", server.name);
            app.tell(Level::Info, &server.name, &server.name, text);
        }
        _ => {}
    }
    app.mark_reached(&server.uuid);
    if let Some(slot) = app.servers.iter_mut().find(|s| s.uuid == server.uuid) {
        slot.mode = server.mode;
        slot.online = server.online;
        slot.last_error = server.last_error;
        slot.checked_at = server.checked_at;
        slot.docker_version = server.docker_version;
    }
}

fn server_removed(app: &mut App, outcome: Outcome<Server>) -> Vec<Effect> {
    let name = &outcome.value.name;
    let text = format!("removed server {name}");
    warn_or_say(app, (name, name), text, &outcome.warnings);
    if app.panes.scan.is_of(&outcome.value.uuid) {
        app.panes.scan.view = None;
        app.forget(&Waiter::Scan);
        app.refresh_scan();
    }
    vec![app.reload()]
}

/// A scan's rows replace the pane's, if it still shows that server; checks of networks no
/// longer importable are dropped.
fn scanned(app: &mut App, server: &str, rows: Vec<crate::ops::ScanRow>, asked: bool) {
    let name = app.server_name(server);
    let Some(view) = app.panes.scan.view.as_mut().filter(|v| v.server == server) else {
        return;
    };
    view.checked
        .retain(|id| rows.iter().any(|r| &r.id == id && r.importable));
    let importable = rows.iter().filter(|r| r.importable).count();
    let total = rows.len();
    view.rows = rows;
    view.state = ScanState::Ready;
    app.refresh_scan();
    // Only a scan the admin asked for says so: a rescan after a live event or a task is
    // no news, and never covers the newest message.
    if asked {
        let text =
            format!("{name}: {total} network(s), {importable} importable — space marks, i imports");
        app.tell(Level::Info, &name, "scan", text);
    }
}

/// Imported networks: unchecked in Scan, the first selected once reloaded, and the server
/// scanned again when Scan shows it.
fn imported(
    app: &mut App,
    server: &ServerId,
    outcome: Outcome<Vec<DestinationView>>,
) -> Vec<Effect> {
    let names: Vec<String> = outcome.value.iter().map(|d| d.name.clone()).collect();
    let imported: BTreeSet<&str> = outcome
        .value
        .iter()
        .map(|d| d.network_id.as_str())
        .collect();
    if let Some(view) = app.panes.scan.view.as_mut().filter(|v| &v.server == server) {
        view.checked.retain(|id| !imported.contains(id.as_str()));
    }
    let text = format!("imported {}", names.join(", "));
    let name = app.server_name(server);
    warn_or_say(app, (&name, &names.join(", ")), text, &outcome.warnings);
    let reload = match outcome.value.first() {
        Some(first) => app.reload_selecting(Record::Destination(first.uuid.clone())),
        None => app.reload(),
    };
    let mut effects = vec![reload];
    reached(app, server);
    effects.extend(rescan_if_shown(app, server));
    // The CHECK column of what was just imported, without waiting for the next round.
    if !outcome.value.is_empty() {
        effects.push(app.submit(Task::CheckDestinations {
            server: server.clone(),
            destinations: outcome.value.iter().map(|d| d.uuid.clone()).collect(),
        }));
    }
    effects
}

fn deleted(app: &mut App, outcome: Outcome<DestinationView>) -> Vec<Effect> {
    let d = &outcome.value;
    app.panes.destinations.marked.remove(&d.uuid);
    app.health.remove(&d.uuid);
    app.usage.remove(&d.uuid);
    let text = format!("deleted {} (network {})", d.name, d.network);
    warn_or_say(app, (&d.server, &d.name), text, &outcome.warnings);
    let server = d.server_uuid.clone();
    let mut effects = vec![app.reload()];
    effects.extend(rescan_if_shown(app, &server));
    effects
}

/// The Scan pane shows `server`: scan it again, so that what a task changed shows there (a
/// deleted destination's network is importable again). One scan for many deletes: a scan
/// asked while another waits joins it.
pub(super) fn rescan_if_shown(app: &mut App, server: &ServerId) -> Vec<Effect> {
    match app.servers.iter().find(|s| &s.uuid == server).cloned() {
        Some(s) if app.panes.scan.is_of(&s.uuid) => scan_server(app, &s),
        _ => Vec::new(),
    }
}

/// A task reached `server`: its dot is green again if a failure had turned it red.
pub(super) fn reached(app: &mut App, server: &ServerId) {
    app.mark_reached(server);
    if let Some(slot) = app.servers.iter_mut().find(|s| &s.uuid == server)
        && !slot.online
    {
        slot.online = true;
        slot.last_error = None;
    }
}

/// A task found its server unreachable: the Servers pane shows it offline with the reason,
/// as a check would (the error names the server by name).
pub(super) fn unreachable(app: &mut App, error: &crate::domain::Error) {
    let Some(server) = error.unreachable_server() else {
        return;
    };
    let text = crate::tui::hints::error_text(error, &app.keymap);
    if let Some(uuid) = app
        .servers
        .iter()
        .find(|s| s.name == server)
        .map(|s| s.uuid.clone())
    {
        app.mark_reached(&uuid);
    }
    if let Some(slot) = app.servers.iter_mut().find(|s| s.name == server) {
        slot.online = false;
        slot.last_error = Some(text);
    }
}

fn repaired(app: &mut App, outcome: Outcome<crate::ops::CheckRow>) -> Vec<Effect> {
    let row = outcome.value;
    let text = format!(
        "{} is {} after repair",
        row.destination,
        row.status.as_str()
    );
    let server = app.server_of(&row.uuid);
    warn_or_say(app, (&server, &row.destination), text, &outcome.warnings);
    app.health.insert(row.uuid.clone(), row);
    vec![app.reload()]
}

fn resource_deployed(app: &mut App, outcome: Outcome<ResourceView>) {
    let r = &outcome.value;
    // A destination with a resource is no longer unused: the unused view drops it at once.
    if let Some(health) = app.health.get_mut(&r.destination_uuid) {
        health.unused = false;
    }
    if app.panes.destinations.unused_only {
        app.refresh_destinations();
    }
    let text = format!(
        "{} ({}) is {} on {}",
        r.name, r.kind, r.status, r.destination
    );
    warn_or_say(app, (&r.server, &r.name), text, &outcome.warnings);
}

/// Destination checks: the CHECK column, and the unused view narrowed to what they found;
/// then the usage of each server whose destinations were checked and answered (one read per
/// server and round: a check task covers one server). A destination whose state changed is
/// told; the round's count only when the admin `asked` for it (never the background's).
fn checked(app: &mut App, rows: Vec<crate::ops::CheckRow>, asked: bool) -> Vec<Effect> {
    let bad = rows.iter().filter(|r| r.status != HealthStatus::Ok).count();
    let n = rows.len();
    let mut answered: BTreeSet<ServerId> = BTreeSet::new();
    for row in rows.iter().filter(|r| r.status != HealthStatus::Unknown) {
        if let Some(d) = app.destinations.iter().find(|d| d.uuid == row.uuid) {
            answered.insert(d.server_uuid.clone());
        }
    }
    for row in rows {
        app.tell_health_change(&row);
        app.health.insert(row.uuid.clone(), row);
    }
    if app.panes.destinations.unused_only {
        app.refresh_destinations();
    }
    if asked && bad == 0 {
        app.tell(
            Level::Info,
            "",
            "check",
            format!("{n} destination(s) checked: all ok"),
        );
    } else if asked {
        let text = format!("{n} destination(s) checked: {bad} not ok");
        app.tell(Level::Alert, "", "check", text);
    }
    answered
        .into_iter()
        .map(|server| app.refresh_usage(&server))
        .collect()
}

/// With no server recorded and the local socket answering, offer it as the first server —
/// once both the load and the probe have answered.
fn offer_local(app: &mut App) {
    if app.local_offered
        || app.loading
        || app.local_reachable != Some(true)
        || !app.servers.is_empty()
        || app.dialog.is_some()
    {
        return;
    }
    app.local_offered = true;
    app.dialog = Some(Dialog::Confirm(Confirm::add_local()));
}
