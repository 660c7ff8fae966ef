//! Task events: the Tasks pane rows, and what each result changes in the panes.

use std::collections::BTreeSet;

use super::input::scan_server;
use super::*;
use crate::domain::Error;
use crate::tui::dialog::{Confirm, Dialog};
use crate::tui::hints::{error_text, warning_text};

// ---------- task events ----------

pub(super) fn on_task(app: &mut App, event: TaskEvent) -> Vec<Effect> {
    match event {
        TaskEvent::Queued { id, label, at } => {
            if !app.hidden_tasks.contains(&id) {
                app.tasks.push(TaskRow {
                    id,
                    label,
                    server: app.task_servers.get(&id).cloned().unwrap_or_default(),
                    state: TaskState::Queued,
                    queued_at: at,
                    started_at: None,
                    finished_at: None,
                    note: String::new(),
                });
                trim_tasks(app);
                let (len, page) = (app.len(Pane::Tasks), app.page(Pane::Tasks));
                app.cursor_mut(Pane::Tasks)
                    .set(len.saturating_sub(1), len, page);
            }
            Vec::new()
        }
        TaskEvent::Joined { id, into } => {
            retarget(app, id, into);
            app.say("already under way: joined the running task");
            Vec::new()
        }
        TaskEvent::Started { id, at } => {
            if let Some(row) = app.tasks.iter_mut().find(|t| t.id == id) {
                row.state = TaskState::Running;
                row.started_at = Some(at);
            }
            Vec::new()
        }
        TaskEvent::Progress { id, note } => {
            if let Some(row) = app.tasks.iter_mut().find(|t| t.id == id) {
                row.note = note;
            }
            Vec::new()
        }
        TaskEvent::Finished { id, at, result } => {
            let online = matches!(&result, Ok(TaskResult::ServerChecked { error: None, .. }));
            app.count_first_round(id, online, at);
            let line = match &result {
                Ok(r) => summary(r),
                Err(e) => error_text(e),
            };
            // A check that finds the server offline ran fine, but it is bad news: shown as failed.
            let bad_news = matches!(
                &result,
                Err(_) | Ok(TaskResult::ServerChecked { error: Some(_), .. })
            );
            if let Some(row) = app.tasks.iter_mut().find(|t| t.id == id) {
                row.state = if bad_news {
                    TaskState::Failed
                } else {
                    TaskState::Done
                };
                row.started_at.get_or_insert(at);
                row.finished_at = Some(at);
                row.note = line;
            }
            app.hidden_tasks.remove(&id);
            app.task_servers.remove(&id);
            app.check_tasks.remove(&id);
            match result {
                Ok(r) => finished(app, id, r),
                Err(e) => failed(app, id, e),
            }
        }
    }
}

fn trim_tasks(app: &mut App) {
    while app.tasks.len() > TASK_HISTORY {
        match app
            .tasks
            .iter()
            .position(|t| matches!(t.state, TaskState::Done | TaskState::Failed))
        {
            Some(i) => {
                app.tasks.remove(i);
            }
            None => break,
        }
    }
}

/// A joined request waits for the task it joined.
fn retarget(app: &mut App, id: TaskId, into: TaskId) {
    app.hidden_tasks.remove(&id);
    app.task_servers.remove(&id);
    app.check_tasks.remove(&id);
    if let Some(scan) = &mut app.scan
        && scan.task == Some(id)
    {
        scan.task = Some(into);
    }
    if let Some(Details::Loading { task, .. }) = &mut app.details
        && *task == id
    {
        *task = into;
    }
    match &mut app.dialog {
        Some(Dialog::Form(form)) if form.waiting == Some(id) => form.waiting = Some(into),
        Some(Dialog::ServerCheck { task, .. }) if *task == Some(id) => *task = Some(into),
        _ => {}
    }
}

/// The one-line result the Tasks pane shows.
fn summary(result: &TaskResult) -> String {
    let with_warnings = |text: String, warnings: &[String]| match warnings.first() {
        Some(w) => format!("{text} (warning: {})", warning_text(w)),
        None => text,
    };
    match result {
        TaskResult::Settled { notes } => match notes.as_slice() {
            [] => "nothing to settle".into(),
            [one] => one.clone(),
            many => format!("{} notes on interrupted work", many.len()),
        },
        TaskResult::Loaded {
            servers,
            destinations,
            ..
        } => format!(
            "{} server(s), {} destination(s)",
            servers.len(),
            destinations.len()
        ),
        TaskResult::ServerChecked { server, error } => match error {
            None => format!(
                "online, {}, Docker {}",
                server.mode,
                server.docker_version.as_deref().unwrap_or("?")
            ),
            Some(e) => format!("offline: {}", error_text(e)),
        },
        TaskResult::LocalProbed { reachable } => format!("local Docker reachable: {reachable}"),
        TaskResult::ServerAdded(o) => with_warnings(format!("added {}", o.value.name), &o.warnings),
        TaskResult::ServerEdited(s) => format!("saved {}", s.name),
        TaskResult::ServerRemoved(o) => {
            with_warnings(format!("removed {}", o.value.name), &o.warnings)
        }
        TaskResult::Scanned { rows, .. } => format!(
            "{} network(s), {} importable",
            rows.len(),
            rows.iter().filter(|r| r.importable).count()
        ),
        TaskResult::Imported { outcome, .. } => {
            let names: Vec<&str> = outcome.value.iter().map(|d| d.name.as_str()).collect();
            with_warnings(format!("imported {}", names.join(", ")), &outcome.warnings)
        }
        TaskResult::Created(o) => with_warnings(
            format!("created {} ({})", o.value.name, o.value.network),
            &o.warnings,
        ),
        TaskResult::Renamed(d) => format!("renamed to {}", d.name),
        TaskResult::Deleted(o) => with_warnings(
            format!("deleted {} ({})", o.value.name, o.value.network),
            &o.warnings,
        ),
        TaskResult::Details(d) => format!("{}: {}", d.destination.name, d.status.as_str()),
        TaskResult::ResourceDeployed(o) => with_warnings(
            format!("{} running on {}", o.value.name, o.value.destination),
            &o.warnings,
        ),
        TaskResult::Repaired(o) => with_warnings(
            format!("{}: {}", o.value.destination, o.value.status.as_str()),
            &o.warnings,
        ),
        TaskResult::Checked(rows) => {
            let bad = rows
                .iter()
                .filter(|r| r.status != crate::ops::HealthStatus::Ok)
                .count();
            format!("{} checked, {} not ok", rows.len(), bad)
        }
    }
}

fn failed(app: &mut App, id: TaskId, error: Error) -> Vec<Effect> {
    let error = error_text(&error);
    // A form keeps what was typed and shows the error inline.
    if let Some(Dialog::Form(form)) = &mut app.dialog
        && form.waiting == Some(id)
    {
        form.waiting = None;
        form.error = Some(error);
        return Vec::new();
    }
    if let Some(Dialog::ServerCheck { task, .. }) = &mut app.dialog
        && *task == Some(id)
    {
        *task = None;
    }
    if let Some(scan) = &mut app.scan
        && scan.task == Some(id)
    {
        scan.task = None;
        scan.state = ScanState::Failed(error.clone());
    }
    if let Some(Details::Loading { title, task }) = &app.details
        && *task == id
    {
        app.details = Some(Details::Failed {
            title: title.clone(),
            error: error.clone(),
        });
    }
    if app.loading {
        app.loading = false;
    }
    app.complain(error);
    Vec::new()
}

/// Closes the form that waited for `id`, if any.
fn close_form(app: &mut App, id: TaskId) {
    if let Some(Dialog::Form(form)) = &app.dialog
        && form.waiting == Some(id)
    {
        app.dialog = None;
    }
}

fn warn_or_say(app: &mut App, text: String, warnings: &[String]) {
    match warnings.first() {
        Some(w) => app.complain(format!("{text}; warning: {}", warning_text(w))),
        None => app.say(text),
    }
}

fn finished(app: &mut App, id: TaskId, result: TaskResult) -> Vec<Effect> {
    match result {
        TaskResult::Loaded {
            mut servers,
            destinations,
            resources,
        } => {
            app.resources = resources;
            servers.sort_by(|a, b| a.name.cmp(&b.name));
            let first_load = app.loading;
            let selected = app.selected_server().map(|s| s.uuid.clone());
            let selected_destination = app.selected_destination().map(|d| d.uuid.clone());
            app.servers = servers;
            app.destinations = destinations;
            app.marked
                .retain(|m| app.destinations.iter().any(|d| &d.uuid == m));
            app.loading = false;
            app.refresh_all();
            let (pane, want) = match app.select_after_load.take() {
                Some((pane, uuid)) => (pane, Some(uuid)),
                None => (Pane::Servers, selected.clone()),
            };
            select_uuid(app, pane, want);
            if pane != Pane::Servers {
                select_uuid(app, Pane::Servers, selected);
            } else {
                select_uuid(app, Pane::Destinations, selected_destination);
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
                    app.complain(warning_text(&w));
                }
                effects.extend(app.check_all_servers_first());
            }
            offer_local(app);
            effects
        }
        TaskResult::ServerChecked { server, error } => {
            if let Some(Dialog::ServerCheck { task, .. }) = &mut app.dialog
                && *task == Some(id)
            {
                *task = None;
            }
            if let Some(e) = &error {
                tracing::info!(server = %server.name, error = %error_text(e), "server offline");
            }
            if let Some(slot) = app.servers.iter_mut().find(|s| s.uuid == server.uuid) {
                slot.mode = server.mode;
                slot.online = server.online;
                slot.last_error = server.last_error;
                slot.checked_at = server.checked_at;
                slot.docker_version = server.docker_version;
            }
            Vec::new()
        }
        TaskResult::Settled { notes } => {
            if notes.is_empty() {
                return Vec::new();
            }
            app.say(notes.join("; "));
            vec![app.reload()]
        }
        TaskResult::LocalProbed { reachable } => {
            app.local_reachable = Some(reachable);
            offer_local(app);
            Vec::new()
        }
        TaskResult::ServerAdded(outcome) => {
            close_form(app, id);
            warn_or_say(
                app,
                format!("added server {}", outcome.value.name),
                &outcome.warnings,
            );
            app.select_after_load = Some((Pane::Servers, outcome.value.uuid.clone()));
            vec![app.reload()]
        }
        TaskResult::ServerEdited(server) => {
            close_form(app, id);
            app.say(format!("saved server {}", server.name));
            app.select_after_load = Some((Pane::Servers, server.uuid.clone()));
            let check = app.submit(Task::CheckServer {
                server: server.uuid,
            });
            vec![app.reload(), check]
        }
        TaskResult::ServerRemoved(outcome) => {
            warn_or_say(
                app,
                format!("removed server {}", outcome.value.name),
                &outcome.warnings,
            );
            if app
                .scan
                .as_ref()
                .is_some_and(|s| s.server == outcome.value.uuid)
            {
                app.scan = None;
                app.refresh_scan();
            }
            vec![app.reload()]
        }
        TaskResult::Scanned { server, rows } => {
            let name = app.server_name(&server);
            if let Some(scan) = &mut app.scan
                && scan.server == server
            {
                scan.checked
                    .retain(|id| rows.iter().any(|r| &r.id == id && r.importable));
                let importable = rows.iter().filter(|r| r.importable).count();
                let total = rows.len();
                scan.rows = rows;
                scan.state = ScanState::Ready;
                if scan.task == Some(id) {
                    scan.task = None;
                }
                app.refresh_scan();
                app.say(format!(
                    "{name}: {total} network(s), {importable} importable — space checks, i imports"
                ));
            }
            Vec::new()
        }
        TaskResult::Imported { server, outcome } => {
            let names: Vec<String> = outcome.value.iter().map(|d| d.name.clone()).collect();
            let imported: BTreeSet<&str> = outcome
                .value
                .iter()
                .map(|d| d.network_id.as_str())
                .collect();
            if let Some(scan) = &mut app.scan
                && scan.server == server
            {
                scan.checked.retain(|id| !imported.contains(id.as_str()));
            }
            warn_or_say(
                app,
                format!("imported {}", names.join(", ")),
                &outcome.warnings,
            );
            if let Some(first) = outcome.value.first() {
                app.select_after_load = Some((Pane::Destinations, first.uuid.clone()));
            }
            let mut effects = vec![app.reload()];
            if let Some(s) = app.servers.iter().find(|s| s.uuid == server).cloned()
                && app.scan.as_ref().is_some_and(|v| v.server == s.uuid)
            {
                effects.extend(scan_server(app, &s));
                app.say(format!("imported {}", names.join(", ")));
            }
            effects
        }
        TaskResult::Created(outcome) => {
            close_form(app, id);
            warn_or_say(
                app,
                format!(
                    "created {} (network {})",
                    outcome.value.name, outcome.value.network
                ),
                &outcome.warnings,
            );
            app.select_after_load = Some((Pane::Destinations, outcome.value.uuid.clone()));
            vec![app.reload()]
        }
        TaskResult::Renamed(view) => {
            close_form(app, id);
            app.say(format!("renamed to {}", view.name));
            app.select_after_load = Some((Pane::Destinations, view.uuid.clone()));
            vec![app.reload()]
        }
        TaskResult::Deleted(outcome) => {
            app.marked.remove(&outcome.value.uuid);
            app.health.remove(&outcome.value.uuid);
            warn_or_say(
                app,
                format!(
                    "deleted {} (network {})",
                    outcome.value.name, outcome.value.network
                ),
                &outcome.warnings,
            );
            vec![app.reload()]
        }
        TaskResult::Details(details) => {
            if let Some(Details::Loading { task, .. }) = &app.details
                && *task == id
            {
                app.details = Some(Details::Destination(details));
            }
            Vec::new()
        }
        TaskResult::ResourceDeployed(outcome) => {
            close_form(app, id);
            warn_or_say(
                app,
                format!(
                    "{} ({}) is {} on {}",
                    outcome.value.name,
                    outcome.value.kind,
                    outcome.value.status,
                    outcome.value.destination
                ),
                &outcome.warnings,
            );
            vec![app.reload()]
        }
        TaskResult::Repaired(outcome) => {
            let row = outcome.value;
            warn_or_say(
                app,
                format!(
                    "{} is {} after repair",
                    row.destination,
                    row.status.as_str()
                ),
                &outcome.warnings,
            );
            app.health.insert(row.uuid.clone(), row);
            vec![app.reload()]
        }
        TaskResult::Checked(rows) => {
            let bad = rows
                .iter()
                .filter(|r| r.status != crate::ops::HealthStatus::Ok)
                .count();
            let n = rows.len();
            for row in rows {
                app.health.insert(row.uuid.clone(), row);
            }
            if app.unused_only {
                app.refresh_destinations();
            }
            if bad == 0 {
                app.say(format!("{n} destination(s) checked: all ok"));
            } else {
                app.complain(format!("{n} destination(s) checked: {bad} not ok"));
            }
            Vec::new()
        }
    }
}

fn select_uuid(app: &mut App, pane: Pane, uuid: Option<String>) {
    let Some(uuid) = uuid else {
        return;
    };
    let position = match pane {
        Pane::Servers => app
            .visible_servers
            .iter()
            .position(|&i| app.servers[i].uuid == uuid),
        Pane::Destinations => app
            .visible_destinations
            .iter()
            .position(|&i| app.destinations[i].uuid == uuid),
        _ => None,
    };
    if let Some(p) = position {
        let (len, page) = (app.len(pane), app.page(pane));
        app.cursor_mut(pane).set(p, len, page);
    }
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
