//! Task events: the Tasks pane's rows, and what a failed task changes. What each kind of
//! result changes is in `results`.

use super::pending::Waiter;
use super::*;
use crate::domain::{Error, Warning};
use crate::tasks::TaskResult;
use crate::tui::dialog::Dialog;
use crate::tui::hints::{error_text, warning_text};
use crate::tui::panes::messages::Level;
use crate::tui::panes::scan::ScanState;
use crate::tui::panes::tasks::{TaskRow, TaskState};

pub(super) fn on_task(app: &mut App, event: TaskEvent) -> Vec<Effect> {
    match event {
        TaskEvent::Queued { id, at } => {
            if let Some((server, label)) = app.take_row(id) {
                let row = TaskRow {
                    id,
                    label,
                    server,
                    state: TaskState::Queued,
                    queued_at: at,
                    started_at: None,
                    finished_at: None,
                    note: String::new(),
                };
                let page = app.page(Pane::Tasks);
                app.panes.tasks.push(row, page);
            }
            Vec::new()
        }
        TaskEvent::Joined { id, into } => {
            // (Reads asked for in the background — the usage, or quietly by the live state —
            // say nothing.)
            let quiet = app
                .pending
                .get(&id)
                .is_none_or(|w| !w.contains(&Waiter::Asked));
            app.retarget(id, into);
            if !quiet {
                app.say("already under way: joined the running task");
            }
            Vec::new()
        }
        TaskEvent::Started { id, at } => {
            if let Some(row) = app.panes.tasks.row_mut(id) {
                row.state = TaskState::Running;
                row.started_at = Some(at);
            }
            app.refresh_tasks();
            Vec::new()
        }
        TaskEvent::Progress { id, note } => {
            if let Some(row) = app.panes.tasks.row_mut(id) {
                row.note = note;
            }
            app.refresh_tasks();
            Vec::new()
        }
        TaskEvent::Finished { id, at, result } => {
            let waiters = app.take_waiters(id);
            if waiters.contains(&Waiter::FirstRound) {
                let online = matches!(&result, Ok(TaskResult::ServerChecked { error: None, .. }));
                app.count_first_round(online, at);
            }
            finish_row(app, id, at, &result, &waiters);
            app.refresh_tasks();
            match result {
                Ok(r) => super::results::finished(app, &waiters, r),
                Err(e) => failed(app, id, waiters, e),
            }
        }
    }
}

/// The task's row shows how it ended, and its one-line result. A failure counts in the
/// Tasks pane's badge unless the open form shows it (a refusal of what was typed there).
fn finish_row(
    app: &mut App,
    id: TaskId,
    at: Instant,
    result: &Result<TaskResult, Error>,
    waiters: &[Waiter],
) {
    let note = match result {
        Ok(r) => summary(r, &app.keymap),
        Err(e) => error_text(e, &app.keymap),
    };
    // A check that finds the server offline ran fine, but it is bad news: shown as failed.
    let bad_news = matches!(
        result,
        Err(_) | Ok(TaskResult::ServerChecked { error: Some(_), .. })
    );
    let in_form = waiters.contains(&Waiter::Form) && matches!(app.dialog, Some(Dialog::Form(_)));
    app.panes.tasks.finish(id, at, bad_news, in_form, note);
}

/// The one-line result the Tasks pane shows.
#[allow(clippy::too_many_lines)] // a room to split (issue 29)
fn summary(result: &TaskResult, keys: &Keymap) -> String {
    let with_warnings = |text: String, warnings: &[Warning]| match warnings.first() {
        Some(w) => format!("{text} (warning: {})", warning_text(w, keys)),
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
            Some(e) => format!("offline: {}", error_text(e, keys)),
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
        TaskResult::Addresses { outcome, .. } => {
            let rows = &outcome.value;
            let overlapping = rows.iter().filter(|r| !r.overlaps.is_empty()).count();
            with_warnings(
                format!("{} subnet(s), {overlapping} overlapping", rows.len()),
                &outcome.warnings,
            )
        }
        TaskResult::Synced { outcome, .. } => {
            let report = &outcome.value;
            let names: Vec<&str> = report.adopted.iter().map(|a| a.name.as_str()).collect();
            let adopted = match names.is_empty() {
                true => "nothing adopted".to_string(),
                false => format!("adopted {}", names.join(", ")),
            };
            let text = format!(
                "{adopted}, {} record(s) without network",
                report.missing.len()
            );
            with_warnings(text, &outcome.warnings)
        }
        TaskResult::SyncPreviewed { preview, .. } => format!(
            "would adopt {}, {} record(s) without network",
            preview.adopt.len(),
            preview.missing.len()
        ),
        TaskResult::Imported { outcome, .. } => {
            let names: Vec<&str> = outcome.value.iter().map(|d| d.name.as_str()).collect();
            with_warnings(format!("imported {}", names.join(", ")), &outcome.warnings)
        }
        TaskResult::Created(o) => with_warnings(
            format!("created {} ({})", o.value.name, o.value.network),
            &o.warnings,
        ),
        TaskResult::Edited(d) => format!("saved {}", d.name),
        TaskResult::Deleted(o) => with_warnings(
            format!("deleted {} ({})", o.value.name, o.value.network),
            &o.warnings,
        ),
        TaskResult::Details(d) => format!("{}: {}", d.destination.name, d.status.as_str()),
        TaskResult::DeleteReport(r) => match (&r.refusal, &r.dependants) {
            (Some(_), _) => format!("{}: the delete would be refused", r.destination),
            (None, None) => format!("{}: dependants unknown", r.destination),
            (None, Some(found)) => format!("{}: {} dependant(s)", r.destination, found.len()),
        },
        TaskResult::ResourceDeployed(o) => with_warnings(
            format!("{} running on {}", o.value.name, o.value.destination),
            &o.warnings,
        ),
        TaskResult::Repaired(o) => with_warnings(
            format!("{}: {}", o.value.destination, o.value.status.as_str()),
            &o.warnings,
        ),
        TaskResult::Usage { usage, .. } => format!("usage of {} destination(s)", usage.len()),
        TaskResult::Checked(rows) => {
            let bad = rows
                .iter()
                .filter(|r| r.status != crate::ops::HealthStatus::Ok)
                .count();
            format!("{} checked, {} not ok", rows.len(), bad)
        }
    }
}

/// A failed task: each element that waited on it shows the error; the status line says it,
/// unless a form shows it inline (keeping what was typed).
fn failed(app: &mut App, id: TaskId, waiters: Vec<Waiter>, error: Error) -> Vec<Effect> {
    super::results::unreachable(app, &error);
    if let Error::ConnectionLost { server, .. } = &error {
        app.unsettled.insert(server.clone());
    }
    if waiters.contains(&Waiter::Background) {
        tracing::info!(error = %error, "background read failed");
        return Vec::new();
    }
    let error = error_text(&error, &app.keymap);
    let mut inline = false;
    for waiter in waiters {
        match waiter {
            Waiter::Form => {
                if let Some(Dialog::Form(form)) = &mut app.dialog {
                    form.error = Some(error.clone());
                    inline = true;
                }
            }
            Waiter::Scan => {
                if let Some(view) = &mut app.panes.scan.view {
                    view.state = ScanState::Failed(error.clone());
                }
            }
            Waiter::Addresses => {
                if let Some(Details::Server(_, addresses)) = &mut app.details {
                    *addresses = Addresses::Failed(error.clone());
                }
            }
            Waiter::Details => {
                if let Some(Details::Loading { title }) = &app.details {
                    app.details = Some(Details::Failed {
                        title: title.clone(),
                        error: error.clone(),
                    });
                }
            }
            Waiter::Report(destination) => {
                let name = app.destination_name(&destination);
                if let Some(Dialog::Confirm(confirm)) = &mut app.dialog
                    && let Some(check) = &mut confirm.check
                {
                    check.failed(&destination, &name, error.clone());
                    // A report that failed has something to show: an early `y` waits again.
                    check.confirmed_early = false;
                    inline = true;
                }
            }
            // Settled by being taken out of the map.
            Waiter::Row { .. }
            | Waiter::Change
            | Waiter::SelectAfterLoad(_)
            | Waiter::ServerCheck { .. }
            | Waiter::FirstRound
            | Waiter::CheckDialog
            | Waiter::Asked
            | Waiter::Background => {}
        }
    }
    if inline {
        return Vec::new();
    }
    app.loading = false;
    // Told about what its row names: the task's server and what it acted on.
    let (server, object) = app
        .panes
        .tasks
        .row_mut(id)
        .map(|t| (t.server.clone(), t.label.clone()))
        .unwrap_or_default();
    app.tell(Level::Alert, &server, &object, error);
    Vec::new()
}
