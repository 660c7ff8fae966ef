//! Commands other destui processes ran through this TUI (DESIGN.md §10): each shows in the
//! Tasks pane while it runs, marked as coming from the command line, and what it changed
//! shows in the panes as soon as it is done.

use super::sanitize::clean_str;
use super::*;
use crate::owner::Served;
use crate::tui::panes::messages::Level;
use crate::tui::panes::tasks::{TaskRow, TaskState};

pub(super) fn on_served(app: &mut App, served: Served) -> Vec<Effect> {
    match served {
        Served::Started {
            id,
            command,
            servers,
            at,
        } => {
            let mut label = format!("cli: {command}");
            clean_str(&mut label);
            let mut server = servers;
            clean_str(&mut server);
            let row = TaskRow {
                id,
                label,
                server,
                state: TaskState::Running,
                queued_at: at,
                started_at: Some(at),
                finished_at: None,
                note: "from the command line".into(),
            };
            let page = app.page(Pane::Tasks);
            app.panes.tasks.push(row, page);
            Vec::new()
        }
        Served::Finished {
            id,
            code,
            output,
            at,
        } => {
            // What it printed, as the command line shows it (its error line, on failure).
            let mut said = output.trim().to_string();
            clean_multiline(&mut said);
            let note = if said.is_empty() {
                format!("exit {code}")
            } else {
                format!("exit {code}: {said}")
            };
            app.panes.tasks.finish(id, at, code != 0, false, note);
            // What the command line did is told like the app's own results.
            let row = app
                .panes
                .tasks
                .row_mut(id)
                .map(|t| (t.label.clone(), t.server.clone()));
            if let Some((label, server)) = row {
                let last = said.lines().last().unwrap_or_default();
                let (level, text) = match code {
                    0 => (Level::Info, format!("{label}: done")),
                    _ => (Level::Alert, format!("{label}: exit {code}: {last}")),
                };
                app.tell(level, &server, &label, text);
            }
            // The command may have changed records or networks: read both again.
            let mut effects = vec![app.reload()];
            let scanned = app.panes.scan.view.as_ref().map(|v| v.server.clone());
            if let Some(server) =
                scanned.and_then(|uuid| app.servers.iter().find(|s| s.uuid == uuid).cloned())
            {
                effects.extend(commands::scan_server(app, &server));
            }
            effects
        }
    }
}

/// `clean_str` line by line: the output keeps its line breaks, and nothing else a server or
/// another process wrote can drive the terminal.
fn clean_multiline(text: &mut String) {
    let lines: Vec<String> = text
        .lines()
        .map(|line| {
            let mut line = line.to_string();
            clean_str(&mut line);
            line
        })
        .collect();
    *text = lines.join("\n");
}
