//! What each command does to the state in the focused pane, and which tasks it asks for.

use super::pending::Waiter;
use super::*;
use crate::tui::dialog::{Confirm, Dialog, Form};
use crate::tui::keymap::Command;
use crate::tui::panes::messages::Level;
use crate::tui::panes::scan::import_reference;

impl App {
    /// What an action on several destinations acts on: the marked ones (all shown: marks a
    /// filter hides are dropped), else the one under the cursor.
    fn marked_or_selected(&self) -> Vec<DestinationView> {
        let marked = &self.panes.destinations.marked;
        if marked.is_empty() {
            return self.selected_destination().cloned().into_iter().collect();
        }
        (self.destinations.iter())
            .filter(|d| marked.contains(&d.uuid))
            .cloned()
            .collect()
    }

    /// A change on the server `uuid` that is refused before anything opens: it is read-only
    /// (DESIGN.md §16). Said with what is refused and how to lift it; true when refused.
    fn refuse_read_only(&mut self, uuid: &str, what: &str) -> bool {
        let Some(s) = self.servers.iter().find(|s| s.uuid == uuid && s.read_only) else {
            return false;
        };
        let name = s.name.clone();
        let text = format!(
            "{what} refused: server {name} is read-only ({} in Servers takes the mark off)",
            self.keymap.key_name(Command::Edit)
        );
        self.tell(Level::Alert, &name, what, text);
        true
    }

    /// `refuse_read_only` for several destinations: the first on a read-only server refuses
    /// them all, named (nothing is acted on unseen).
    fn refuse_read_only_any(&mut self, targets: &[DestinationView], what: &str) -> bool {
        let Some(first) = targets
            .iter()
            .find(|d| (self.servers.iter()).any(|s| s.uuid == d.server_uuid && s.read_only))
        else {
            return false;
        };
        let server = first.server_uuid.clone();
        let names: Vec<&str> = (targets.iter())
            .filter(|d| d.server_uuid == server)
            .map(|d| d.name.as_str())
            .collect();
        let what = format!("{what} {}", names.join(", "));
        self.refuse_read_only(&server, &what)
    }

    /// The server an action on the right-hand panes is about: the scanned one in Scan, the
    /// selected destination's in Destinations, else the one selected in Servers.
    fn current_server(&self) -> Option<&Server> {
        let uuid = match self.focus {
            Pane::Scan => self.panes.scan.view.as_ref().map(|s| s.server.clone()),
            Pane::Destinations => self.selected_destination().map(|d| d.server_uuid.clone()),
            _ => None,
        };
        match uuid {
            Some(uuid) => self.servers.iter().find(|s| s.uuid == uuid),
            None => self.selected_server(),
        }
    }
}

pub(super) fn scan_selected(app: &mut App) -> Vec<Effect> {
    let Some(server) = app.current_server().cloned() else {
        app.complain("no server to scan: add one with a in the Servers pane");
        return Vec::new();
    };
    app.focus = Pane::Scan;
    let effects = scan_server(app, &server);
    app.wait_all(&effects, Waiter::Asked);
    app.say(format!("scanning {}…", server.name));
    effects
}

/// `S`: adopt what other admins made on the selected server (DESIGN.md §12) — first what it
/// would adopt, asked once (`sync::previewed`).
pub(super) fn sync_selected(app: &mut App) -> Vec<Effect> {
    let Some(server) = app.current_server().cloned() else {
        app.complain("no server to sync: add one with a in the Servers pane");
        return Vec::new();
    };
    let task = Task::SyncPreview {
        server: server.uuid.clone(),
    };
    let effect = app.submit_for(task, Waiter::Asked);
    app.say(format!(
        "sync {}: reading what other admins made there…",
        server.name
    ));
    vec![effect]
}

pub(super) fn scan_server(app: &mut App, server: &Server) -> Vec<Effect> {
    let task = Task::Scan {
        server: server.uuid.clone(),
    };
    let effect = app.submit_for(task, Waiter::Scan);
    let page = app.page(Pane::Scan);
    app.panes.scan.begin(&server.uuid, page);
    vec![effect]
}

pub(super) fn toggle(app: &mut App) {
    match app.focus {
        Pane::Scan => {
            let Some(row) = app.selected_scan_row().cloned() else {
                return;
            };
            if !row.importable {
                app.complain(format!(
                    "{} cannot be imported: {}",
                    row.network,
                    row.reason.unwrap_or_default()
                ));
                return;
            }
            app.panes.scan.toggle(row.id);
            app.move_cursor(Pane::Scan, |c, len, page| c.step(1, len, page));
        }
        Pane::Destinations => {
            let Some(d) = app.selected_destination().map(|d| d.uuid.clone()) else {
                return;
            };
            app.panes.destinations.toggle_mark(d);
            app.move_cursor(Pane::Destinations, |c, len, page| c.step(1, len, page));
        }
        _ => app.say("space marks networks in Scan and destinations"),
    }
}

/// `A` marks every listed row in the focused pane (Scan: the importable ones; Destinations:
/// all shown), or clears the marks when all were marked.
pub(super) fn select_all(app: &mut App) {
    if app.focus == Pane::Destinations {
        let marked = app.panes.destinations.mark_all(&app.destinations);
        app.say(match marked {
            0 => "no destination marked".to_string(),
            n => format!("{n} destination(s) marked: d deletes, c checks, R repairs them; Esc clears the marks"),
        });
        return;
    }
    match app.panes.scan.select_all() {
        Some(said) => app.say(said),
        None => app.say("scan a server first (s)"),
    }
}

pub(super) fn import(app: &mut App) -> Vec<Effect> {
    let Some(view) = &app.panes.scan.view else {
        app.complain("scan a server first (s), mark networks (space), then import (i)");
        return Vec::new();
    };
    let mut networks = app.panes.scan.checked_references();
    if networks.is_empty()
        && app.focus == Pane::Scan
        && let Some(row) = app.selected_scan_row()
        && row.importable
    {
        networks.push(import_reference(&view.rows, row));
    }
    if networks.is_empty() {
        app.complain("nothing to import: mark networks with space (A marks all importable)");
        return Vec::new();
    }
    let server = view.server.clone();
    app.say(format!(
        "importing {} network(s) on {}…",
        networks.len(),
        app.server_name(&server)
    ));
    vec![app.submit(Task::Import { server, networks })]
}

pub(super) fn details(app: &mut App) -> Vec<Effect> {
    match app.focus {
        Pane::Servers => {
            if let Some(s) = app.selected_server().cloned() {
                let task = Task::Addresses {
                    server: s.uuid.clone(),
                };
                app.details = Some(Details::Server(Box::new(s), Addresses::Reading));
                return vec![app.submit_for(task, Waiter::Addresses)];
            }
        }
        Pane::Scan => {
            if let Some(row) = app.selected_scan_row().cloned() {
                app.details = Some(Details::Network(Box::new(row)));
            }
        }
        Pane::Destinations => {
            let Some(d) = app.selected_destination().cloned() else {
                return Vec::new();
            };
            let task = Task::ShowDestination {
                server: d.server_uuid.clone(),
                destination: d.uuid.clone(),
            };
            let effect = app.submit_for(task, Waiter::Details);
            // The usage part of the details, read fresh beside them.
            let usage = app.refresh_usage(&d.server_uuid);
            app.details = Some(Details::Loading { title: d.name });
            return vec![effect, usage];
        }
        Pane::Tasks => {
            if let Some(t) = app.panes.tasks.selected() {
                app.details = Some(Details::Task(t.id));
            }
        }
    }
    Vec::new()
}

/// `a`: a server in Servers; a destination in Destinations (on the server last chosen in
/// Servers, whatever destination is selected) and in Scan (on the scanned server).
pub(super) fn add(app: &mut App) {
    match app.focus {
        Pane::Servers => app.dialog = Some(Dialog::Form(Form::add_server(&app.ssh_aliases))),
        Pane::Tasks => app.say("a adds a server in Servers, a destination in Destinations"),
        Pane::Destinations | Pane::Scan => {
            let server = match app.focus {
                Pane::Scan => app.current_server(),
                _ => app.selected_server(),
            };
            let Some(server) = server.cloned() else {
                app.complain("add a server first (a in the Servers pane)");
                return;
            };
            if app.refuse_read_only(&server.uuid, "create destination") {
                return;
            }
            app.dialog = Some(Dialog::Form(Form::create_destination(
                &server,
                app.fallback_pool.as_deref(),
            )));
        }
    }
}

pub(super) fn edit(app: &mut App) {
    match app.focus {
        Pane::Servers => {
            if let Some(s) = app.selected_server().cloned() {
                app.dialog = Some(Dialog::Form(Form::edit_server(&s, &app.ssh_aliases)));
            }
        }
        Pane::Destinations => {
            if let Some(d) = app.selected_destination().cloned()
                && !app.refuse_read_only(&d.server_uuid, &format!("edit {}", d.name))
            {
                app.dialog = Some(Dialog::Form(Form::edit_destination(&d)));
            }
        }
        _ => app.say("e edits a server or a destination"),
    }
}

pub(super) fn delete(app: &mut App) -> Vec<Effect> {
    match app.focus {
        Pane::Servers => {
            if let Some(s) = app.selected_server() {
                let count = app
                    .destinations
                    .iter()
                    .filter(|d| d.server_uuid == s.uuid)
                    .count();
                app.dialog = Some(Dialog::Confirm(Confirm::remove_server(s, count)));
            }
        }
        Pane::Destinations => {
            let targets = app.marked_or_selected();
            if targets.is_empty() || app.refuse_read_only_any(&targets, "delete") {
                return Vec::new();
            }
            app.dialog = Some(Dialog::Confirm(Confirm::delete_destinations(&targets)));
            // The dependency report of each, shown in the confirmation as it comes in.
            return targets
                .into_iter()
                .map(|d| {
                    let task = Task::DeleteReport {
                        server: d.server_uuid,
                        destination: d.uuid.clone(),
                    };
                    app.submit_for(task, Waiter::Report(d.uuid))
                })
                .collect();
        }
        _ => app.say("d deletes a destination or removes a server"),
    }
    Vec::new()
}

pub(super) fn check(app: &mut App) -> Vec<Effect> {
    match app.focus {
        Pane::Destinations => {
            if app.panes.destinations.visible.is_empty() {
                return Vec::new();
            }
            // The marked ones, else every one listed.
            let pane = &app.panes.destinations;
            let indexes: Vec<usize> = (pane.visible.iter().copied())
                .filter(|&i| {
                    pane.marked.is_empty() || pane.marked.contains(&app.destinations[i].uuid)
                })
                .collect();
            app.say(if pane.marked.is_empty() {
                "checking destinations…"
            } else {
                "checking the marked destinations…"
            });
            let effects = check_indexes(app, indexes);
            app.wait_all(&effects, Waiter::Asked);
            effects
        }
        _ => {
            let Some(server) = app.current_server().cloned() else {
                return Vec::new();
            };
            let task = Task::CheckServer {
                server: server.uuid.clone(),
            };
            let effect = app.submit_for(task, Waiter::CheckDialog);
            app.wait_all(std::slice::from_ref(&effect), Waiter::Asked);
            app.dialog = Some(Dialog::ServerCheck {
                server: server.uuid,
            });
            vec![effect]
        }
    }
}

/// Unused is a live fact: turning the view on checks every destination, and the list fills
/// as the results come in.
pub(super) fn toggle_unused(app: &mut App) -> Vec<Effect> {
    if app.panes.destinations.unused_only {
        app.panes.destinations.unused_only = false;
        app.refresh_destinations();
        app.say("all destinations");
        return Vec::new();
    }
    // What the view holds now (scope and filter) is checked, then narrowed to the unused.
    let effects = if app.panes.destinations.visible.is_empty() {
        Vec::new()
    } else {
        check_all(app, true)
    };
    app.panes.destinations.unused_only = true;
    app.refresh_destinations();
    app.say("unused destinations (nothing but the proxy attached): checking…");
    effects
}

pub(super) fn new_resource(app: &mut App) {
    let Some(server) = app.current_server().cloned() else {
        app.complain("add a server first (a in the Servers pane)");
        return;
    };
    if app.refuse_read_only(&server.uuid, "deploy") {
        return;
    }
    let candidates: Vec<DestinationView> = app
        .destinations
        .iter()
        .filter(|d| d.server_uuid == server.uuid)
        .cloned()
        .collect();
    if candidates.is_empty() {
        app.complain(format!(
            "{} has no destination yet: create one first (a in Destinations)",
            server.name
        ));
        return;
    }
    let selected = app
        .selected_destination()
        .filter(|d| app.focus == Pane::Destinations && d.server_uuid == server.uuid)
        .map(|d| d.uuid.to_string());
    app.dialog = Some(Dialog::Form(Form::new_resource(
        &server,
        &candidates,
        selected.as_deref(),
    )));
}

pub(super) fn clone_resource(app: &mut App) {
    let Some(d) = app.selected_destination().cloned() else {
        app.say("select a destination with resources in the Destinations pane");
        return;
    };
    let here: Vec<String> = app
        .resources
        .iter()
        .filter(|r| r.destination_uuid == d.uuid)
        .map(|r| r.name.clone())
        .collect();
    if here.is_empty() {
        app.say(format!("{} has no resources to clone", d.name));
        return;
    }
    let elsewhere: Vec<DestinationView> = app
        .destinations
        .iter()
        .filter(|x| x.uuid != d.uuid)
        .cloned()
        .collect();
    app.dialog = Some(Dialog::Form(Form::clone_resource(&here, &elsewhere)));
}

pub(super) fn repair(app: &mut App) -> Vec<Effect> {
    if app.focus != Pane::Destinations {
        app.say("R repairs the selected destination in the Destinations pane");
        return Vec::new();
    }
    // The marked ones, else the selected one; those the last check found ok are left alone.
    let targets = app.marked_or_selected();
    if app.refuse_read_only_any(&targets, "repair") {
        return Vec::new();
    }
    let is_ok = |d: &DestinationView| {
        app.health
            .get(&d.uuid)
            .is_some_and(|h| h.status == crate::ops::HealthStatus::Ok)
    };
    let (ok, broken): (Vec<DestinationView>, Vec<DestinationView>) =
        targets.into_iter().partition(is_ok);
    match (broken.as_slice(), ok.as_slice()) {
        ([], [one]) => app.say(format!("{} is ok: nothing to repair", one.name)),
        ([], _) => app.say("the marked destinations are ok: nothing to repair"),
        ([one], []) => app.say(format!("repairing {}…", one.name)),
        (_, []) => app.say(format!("repairing {} destination(s)…", broken.len())),
        (_, _) => app.say(format!(
            "repairing {} destination(s); {} ok, left alone",
            broken.len(),
            ok.len()
        )),
    }
    broken
        .into_iter()
        .map(|d| {
            app.submit(Task::RepairDestination {
                server: d.server_uuid,
                destination: d.uuid,
            })
        })
        .collect()
}

/// Checks destinations, one task per server: every one (the background check), or those the
/// pane shows (`u`).
pub(super) fn check_all(app: &mut App, only_visible: bool) -> Vec<Effect> {
    let indexes: Vec<usize> = if only_visible {
        app.panes.destinations.visible.clone()
    } else {
        (0..app.destinations.len()).collect()
    };
    check_indexes(app, indexes)
}

/// Checks the destinations at `indexes` (of `App::destinations`), one task per server.
fn check_indexes(app: &mut App, indexes: Vec<usize>) -> Vec<Effect> {
    let mut by_server: std::collections::BTreeMap<ServerId, Vec<DestinationId>> =
        Default::default();
    for i in indexes {
        let d = &app.destinations[i];
        by_server
            .entry(d.server_uuid.clone())
            .or_default()
            .push(d.uuid.clone());
    }
    by_server
        .into_iter()
        .map(|(server, destinations)| {
            app.submit(Task::CheckDestinations {
                server,
                destinations,
            })
        })
        .collect()
}

pub(super) fn refresh(app: &mut App) -> Vec<Effect> {
    let mut effects = vec![app.reload()];
    effects.extend(app.check_all_servers());
    if app.focus == Pane::Scan
        && let Some(uuid) = app.panes.scan.view.as_ref().map(|s| s.server.clone())
        && let Some(server) = app.servers.iter().find(|s| s.uuid == uuid).cloned()
    {
        effects.extend(scan_server(app, &server));
    }
    app.say("refreshing…");
    effects
}
