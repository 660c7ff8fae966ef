//! Keys and mouse: what each command does to the state, and which tasks it asks for.

use std::collections::BTreeSet;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::Position;

use super::*;
use crate::tui::dialog::{Confirm, ConfirmKind, Dialog, Form};
use crate::tui::keymap::Command;

// ---------- keys ----------

pub(super) fn on_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    if key.kind == crossterm::event::KeyEventKind::Release {
        return Vec::new();
    }
    if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c') {
        return vec![Effect::Quit];
    }
    if app.help {
        app.help = false;
        return Vec::new();
    }
    if app.details.is_some() {
        // Long details (many containers) scroll on small screens.
        match key.code {
            KeyCode::Esc | KeyCode::Enter | KeyCode::Char('q') => {
                app.details = None;
                app.details_scroll = 0;
            }
            KeyCode::Down | KeyCode::Char('j') => {
                app.details_scroll = app.details_scroll.saturating_add(1);
            }
            KeyCode::Up | KeyCode::Char('k') => {
                app.details_scroll = app.details_scroll.saturating_sub(1);
            }
            KeyCode::Char('g') | KeyCode::Home => app.details_scroll = 0,
            _ => {}
        }
        return Vec::new();
    }
    if app.dialog.is_some() {
        return on_dialog_key(app, key);
    }
    if app.filter_input.is_some() {
        on_filter_key(app, key);
        return Vec::new();
    }
    let Some(command) = app.keymap.command(&key) else {
        return Vec::new();
    };
    on_command(app, command)
}

fn on_command(app: &mut App, command: Command) -> Vec<Effect> {
    let pane = app.focus;
    match command {
        Command::Quit => return vec![Effect::Quit],
        Command::Help => app.help = true,
        Command::NextPane => app.focus = pane.step(true),
        Command::PrevPane => app.focus = pane.step(false),
        Command::Up => app.move_cursor(pane, |c, len, page| c.step(-1, len, page)),
        Command::Down => app.move_cursor(pane, |c, len, page| c.step(1, len, page)),
        Command::PageUp => app.move_cursor(pane, |c, len, page| {
            c.step(-(page.max(1) as isize), len, page)
        }),
        Command::PageDown => {
            app.move_cursor(pane, |c, len, page| c.step(page.max(1) as isize, len, page))
        }
        Command::Top => app.move_cursor(pane, |c, len, page| c.set(0, len, page)),
        Command::Bottom => {
            app.move_cursor(pane, |c, len, page| c.set(len.saturating_sub(1), len, page))
        }
        Command::Filter => {
            if pane == Pane::Tasks {
                app.say("the Tasks pane has no filter");
            } else {
                app.filter_input = Some(tui_input::Input::new(app.filter(pane).to_string()));
            }
        }
        Command::Cancel => {
            if !app.filter(pane).is_empty() {
                app.filters.remove(&pane);
                app.refresh_all();
                app.say("filter cleared");
            } else if pane == Pane::Scan && !app.scan_checked().is_empty() {
                if let Some(scan) = &mut app.scan {
                    scan.checked.clear();
                }
            } else if pane == Pane::Destinations && !app.marked.is_empty() {
                app.marked.clear();
            }
        }
        Command::Scope => {
            app.scoped = !app.scoped;
            app.refresh_destinations();
            app.say(if app.scoped {
                "destinations of the selected server"
            } else {
                "destinations of all servers"
            });
        }
        Command::Unused => return toggle_unused(app),
        Command::Scan => return scan_selected(app),
        Command::Toggle => toggle(app),
        Command::SelectAll => select_all(app),
        Command::Import => return import(app),
        Command::Details => return details(app),
        Command::Add => add(app),
        Command::Edit => edit(app),
        Command::Delete => delete(app),
        Command::Check => return check(app),
        Command::Repair => return repair(app),
        Command::NewResource => new_resource(app),
        Command::CloneResource => clone_resource(app),
        Command::Refresh => return refresh(app),
    }
    Vec::new()
}

impl App {
    /// The checked networks as import names them: by name, or by full ID where two networks
    /// on the server share that name.
    fn scan_checked(&self) -> Vec<String> {
        let Some(scan) = &self.scan else {
            return Vec::new();
        };
        scan.rows
            .iter()
            .filter(|r| scan.checked.contains(&r.id))
            .map(|r| import_reference(&scan.rows, r))
            .collect()
    }

    /// The server an action on the right-hand panes is about: the scanned one in Scan, the
    /// selected destination's in Destinations, else the one selected in Servers.
    fn current_server(&self) -> Option<&Server> {
        let uuid = match self.focus {
            Pane::Scan => self.scan.as_ref().map(|s| s.server.clone()),
            Pane::Destinations => self.selected_destination().map(|d| d.server_uuid.clone()),
            _ => None,
        };
        match uuid {
            Some(uuid) => self.servers.iter().find(|s| s.uuid == uuid),
            None => self.selected_server(),
        }
    }
}

fn scan_selected(app: &mut App) -> Vec<Effect> {
    let Some(server) = app.current_server().cloned() else {
        app.complain("no server to scan: add one with a in the Servers pane");
        return Vec::new();
    };
    app.focus = Pane::Scan;
    scan_server(app, &server)
}

pub(super) fn scan_server(app: &mut App, server: &Server) -> Vec<Effect> {
    let effect = app.submit(Task::Scan {
        server: server.uuid.clone(),
    });
    let Effect::Submit(id, _) = &effect else {
        return Vec::new();
    };
    let same = app.scan.as_ref().is_some_and(|s| s.server == server.uuid);
    let (rows, checked) = match app.scan.take() {
        Some(old) if same => (old.rows, old.checked),
        _ => (Vec::new(), BTreeSet::new()),
    };
    app.scan = Some(ScanView {
        server: server.uuid.clone(),
        rows,
        checked,
        state: ScanState::Loading,
        task: Some(*id),
    });
    if !same {
        app.cursors.remove(&Pane::Scan);
    }
    app.refresh_scan();
    app.say(format!("scanning {}…", server.name));
    vec![effect]
}

fn toggle(app: &mut App) {
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
            if let Some(scan) = &mut app.scan
                && !scan.checked.remove(&row.id)
            {
                scan.checked.insert(row.id);
            }
            app.move_cursor(Pane::Scan, |c, len, page| c.step(1, len, page));
        }
        Pane::Destinations => {
            let Some(d) = app.selected_destination().map(|d| d.uuid.clone()) else {
                return;
            };
            if !app.marked.remove(&d) {
                app.marked.insert(d);
            }
            app.move_cursor(Pane::Destinations, |c, len, page| c.step(1, len, page));
        }
        _ => app.say("space checks networks in Scan and marks destinations"),
    }
}

fn select_all(app: &mut App) {
    let visible: Vec<usize> = app.visible_scan.clone();
    let Some(scan) = &mut app.scan else {
        app.say("scan a server first (s)");
        return;
    };
    let importable: BTreeSet<String> = visible
        .iter()
        .filter_map(|&i| scan.rows.get(i))
        .filter(|r| r.importable)
        .map(|r| r.id.clone())
        .collect();
    if !importable.is_empty() && importable.is_subset(&scan.checked) {
        scan.checked.clear();
        app.say("unchecked all");
    } else {
        let n = importable.len();
        scan.checked.extend(importable);
        app.say(format!("{n} importable network(s) checked"));
    }
}

/// A scan row's network as `import` takes it: its name, unless another row has that name too.
fn import_reference(rows: &[ScanRow], row: &ScanRow) -> String {
    if rows.iter().filter(|r| r.network == row.network).count() > 1 {
        row.id.clone()
    } else {
        row.network.clone()
    }
}

fn import(app: &mut App) -> Vec<Effect> {
    let Some(scan) = &app.scan else {
        app.complain("scan a server first (s), check networks (space), then import (i)");
        return Vec::new();
    };
    let mut networks = app.scan_checked();
    if networks.is_empty()
        && app.focus == Pane::Scan
        && let Some(row) = app.selected_scan_row()
        && row.importable
    {
        networks.push(import_reference(&scan.rows, row));
    }
    if networks.is_empty() {
        app.complain("nothing to import: check networks with space (A checks all importable)");
        return Vec::new();
    }
    let server = scan.server.clone();
    app.say(format!(
        "importing {} network(s) on {}…",
        networks.len(),
        app.server_name(&server)
    ));
    vec![app.submit(Task::Import { server, networks })]
}

fn details(app: &mut App) -> Vec<Effect> {
    match app.focus {
        Pane::Servers => {
            if let Some(s) = app.selected_server().cloned() {
                app.details = Some(Details::Server(Box::new(s)));
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
            let effect = app.submit(Task::ShowDestination {
                server: d.server_uuid.clone(),
                destination: d.uuid.clone(),
            });
            if let Effect::Submit(id, _) = &effect {
                app.details = Some(Details::Loading {
                    title: d.name.clone(),
                    task: *id,
                });
            }
            return vec![effect];
        }
        Pane::Tasks => {}
    }
    Vec::new()
}

fn add(app: &mut App) {
    match app.focus {
        Pane::Servers => app.dialog = Some(Dialog::Form(Form::add_server())),
        _ => {
            let Some(server) = app.current_server().cloned() else {
                app.complain("add a server first (a in the Servers pane)");
                return;
            };
            app.dialog = Some(Dialog::Form(Form::create_destination(&server)));
        }
    }
}

fn edit(app: &mut App) {
    match app.focus {
        Pane::Servers => {
            if let Some(s) = app.selected_server().cloned() {
                app.dialog = Some(Dialog::Form(Form::edit_server(&s)));
            }
        }
        Pane::Destinations => {
            if let Some(d) = app.selected_destination().cloned() {
                app.dialog = Some(Dialog::Form(Form::rename(&d)));
            }
        }
        _ => app.say("e edits a server or renames a destination"),
    }
}

fn delete(app: &mut App) {
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
            let targets: Vec<DestinationView> = if app.marked.is_empty() {
                app.selected_destination().cloned().into_iter().collect()
            } else {
                app.destinations
                    .iter()
                    .filter(|d| app.marked.contains(&d.uuid))
                    .cloned()
                    .collect()
            };
            if !targets.is_empty() {
                app.dialog = Some(Dialog::Confirm(Confirm::delete_destinations(&targets)));
            }
        }
        _ => app.say("d deletes a destination or removes a server"),
    }
}

fn check(app: &mut App) -> Vec<Effect> {
    match app.focus {
        Pane::Destinations => {
            if app.visible_destinations.is_empty() {
                return Vec::new();
            }
            app.say("checking destinations…");
            check_all(app, true)
        }
        _ => {
            let Some(server) = app.current_server().cloned() else {
                return Vec::new();
            };
            let effect = app.submit(Task::CheckServer {
                server: server.uuid.clone(),
            });
            if let Effect::Submit(id, _) = &effect {
                app.dialog = Some(Dialog::ServerCheck {
                    server: server.uuid.clone(),
                    task: Some(*id),
                });
            }
            vec![effect]
        }
    }
}

/// Unused is a live fact: turning the view on checks every destination, and the list fills
/// as the results come in.
fn toggle_unused(app: &mut App) -> Vec<Effect> {
    if app.unused_only {
        app.unused_only = false;
        app.refresh_destinations();
        app.say("all destinations");
        return Vec::new();
    }
    // What the view holds now (scope and filter) is checked, then narrowed to the unused.
    let effects = if app.visible_destinations.is_empty() {
        Vec::new()
    } else {
        check_all(app, true)
    };
    app.unused_only = true;
    app.refresh_destinations();
    app.say("unused destinations (nothing but the proxy attached): checking…");
    effects
}

fn new_resource(app: &mut App) {
    let Some(server) = app.current_server().cloned() else {
        app.complain("add a server first (a in the Servers pane)");
        return;
    };
    let names: Vec<String> = app
        .destinations
        .iter()
        .filter(|d| d.server_uuid == server.uuid)
        .map(|d| d.name.clone())
        .collect();
    if names.is_empty() {
        app.complain(format!(
            "{} has no destination yet: create one first (a in Destinations)",
            server.name
        ));
        return;
    }
    let selected = app
        .selected_destination()
        .filter(|d| app.focus == Pane::Destinations && d.server_uuid == server.uuid)
        .map(|d| d.name.clone());
    app.dialog = Some(Dialog::Form(Form::new_resource(
        &server,
        &names,
        selected.as_deref(),
    )));
}

fn clone_resource(app: &mut App) {
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
    let elsewhere: Vec<String> = app
        .destinations
        .iter()
        .filter(|x| x.uuid != d.uuid)
        .map(|x| x.name.clone())
        .collect();
    app.dialog = Some(Dialog::Form(Form::clone_resource(&here, &elsewhere)));
}

fn repair(app: &mut App) -> Vec<Effect> {
    if app.focus != Pane::Destinations {
        app.say("R repairs the selected destination in the Destinations pane");
        return Vec::new();
    }
    let Some(d) = app.selected_destination().cloned() else {
        return Vec::new();
    };
    if app
        .health
        .get(&d.uuid)
        .is_some_and(|h| h.status == crate::ops::HealthStatus::Ok)
    {
        app.say(format!("{} is ok: nothing to repair", d.name));
        return Vec::new();
    }
    app.say(format!("repairing {}…", d.name));
    vec![app.submit(Task::RepairDestination {
        server: d.server_uuid,
        destination: d.uuid,
    })]
}

/// Checks destinations, one task per server (the background check, and `c`).
pub(super) fn check_all(app: &mut App, only_visible: bool) -> Vec<Effect> {
    let mut by_server: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    let indexes: Vec<usize> = if only_visible {
        app.visible_destinations.clone()
    } else {
        (0..app.destinations.len()).collect()
    };
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

fn refresh(app: &mut App) -> Vec<Effect> {
    let mut effects = vec![app.reload()];
    effects.extend(app.check_all_servers());
    if app.focus == Pane::Scan
        && let Some(uuid) = app.scan.as_ref().map(|s| s.server.clone())
        && let Some(server) = app.servers.iter().find(|s| s.uuid == uuid).cloned()
    {
        effects.extend(scan_server(app, &server));
    }
    app.say("refreshing…");
    effects
}

fn on_filter_key(app: &mut App, key: KeyEvent) {
    let pane = app.focus;
    match key.code {
        KeyCode::Esc => {
            app.filter_input = None;
            app.filters.remove(&pane);
        }
        KeyCode::Enter => app.filter_input = None,
        _ => {
            if let Some(input) = &mut app.filter_input {
                tui_input::backend::crossterm::EventHandler::handle_event(
                    input,
                    &crossterm::event::Event::Key(key),
                );
                let text = input.value().to_string();
                app.filters.insert(pane, text);
            }
        }
    }
    app.refresh_all();
}

// ---------- dialogs ----------

fn on_dialog_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    let Some(dialog) = app.dialog.as_mut() else {
        return Vec::new();
    };
    match dialog {
        Dialog::ServerCheck { .. } => {
            if matches!(key.code, KeyCode::Esc | KeyCode::Enter | KeyCode::Char('q')) {
                app.dialog = None;
            }
            Vec::new()
        }
        Dialog::Confirm(confirm) => match key.code {
            KeyCode::Char('y') | KeyCode::Char('Y') => {
                let kind = confirm.kind.clone();
                app.dialog = None;
                confirmed(app, kind)
            }
            KeyCode::Char('n') | KeyCode::Char('N') | KeyCode::Esc | KeyCode::Char('q') => {
                app.dialog = None;
                Vec::new()
            }
            _ => Vec::new(),
        },
        Dialog::Form(form) => match key.code {
            KeyCode::Esc => {
                app.dialog = None;
                Vec::new()
            }
            KeyCode::Enter => {
                if form.waiting.is_some() {
                    return Vec::new();
                }
                let task = form.task().and_then(|task| match task {
                    Task::CloneResource {
                        resource,
                        destination,
                        name,
                        ..
                    } => match app.destinations.iter().find(|d| d.name == destination) {
                        Some(target) => Ok(Task::CloneResource {
                            server: target.server_uuid.clone(),
                            resource,
                            destination: target.uuid.clone(),
                            name,
                        }),
                        None => Err(format!("no destination named {destination:?}")),
                    },
                    other => Ok(other),
                });
                let Some(Dialog::Form(form)) = app.dialog.as_mut() else {
                    return Vec::new();
                };
                match task {
                    Err(message) => {
                        form.error = Some(message);
                        Vec::new()
                    }
                    Ok(task) => {
                        let effect = app.submit(task);
                        if let (Effect::Submit(id, _), Some(Dialog::Form(form))) =
                            (&effect, app.dialog.as_mut())
                        {
                            form.waiting = Some(*id);
                            form.error = None;
                        }
                        vec![effect]
                    }
                }
            }
            _ => {
                form.on_key(key);
                Vec::new()
            }
        },
    }
}

fn confirmed(app: &mut App, kind: ConfirmKind) -> Vec<Effect> {
    match kind {
        ConfirmKind::DeleteDestinations(targets) => {
            app.say(format!("deleting {} destination(s)…", targets.len()));
            targets
                .into_iter()
                .map(|(server, destination)| {
                    app.submit(Task::DeleteDestination {
                        server,
                        destination,
                        force: false,
                    })
                })
                .collect()
        }
        ConfirmKind::RemoveServer { server, force } => {
            vec![app.submit(Task::RemoveServer { server, force })]
        }
        ConfirmKind::AddLocal => vec![app.submit(Task::AddServer(crate::ops::NewServer {
            name: "local".into(),
            local: true,
            check: true,
            ..Default::default()
        }))],
    }
}

// ---------- mouse ----------

pub(super) fn on_mouse(app: &mut App, mouse: MouseEvent) {
    if !matches!(mouse.kind, MouseEventKind::Down(MouseButton::Left))
        || app.dialog.is_some()
        || app.help
        || app.details.is_some()
    {
        return;
    }
    let at = Position::new(mouse.column, mouse.row);
    let areas = app.areas();
    let hit = [
        (Pane::Servers, areas.servers),
        (Pane::Destinations, areas.destinations),
        (Pane::Scan, areas.scan),
        (Pane::Tasks, areas.tasks),
    ]
    .into_iter()
    .find(|(_, area)| area.contains(at));
    let Some((pane, area)) = hit else {
        return;
    };
    app.focus = pane;
    // Tables have a border and a header line; the Tasks strip only a border.
    let first_row = area.y + if pane == Pane::Tasks { 1 } else { 2 };
    if at.y < first_row {
        return;
    }
    let row = app.cursor(pane).offset + usize::from(at.y - first_row);
    if row < app.len(pane) && usize::from(at.y - first_row) < app.page(pane) {
        app.move_cursor(pane, |c, len, page| c.set(row, len, page));
    }
}
