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
        Served::Started { id, command, at } => {
            let mut label = format!("cli: {command}");
            clean_str(&mut label);
            let row = TaskRow {
                id,
                label,
                server: String::new(),
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
        Served::Finished { id, code, at } => {
            app.panes
                .tasks
                .finish(id, at, code != 0, false, format!("exit {code}"));
            // What the command line did is told like the app's own results.
            let label = app.panes.tasks.row_mut(id).map(|t| t.label.clone());
            if let Some(label) = label {
                let (level, text) = match code {
                    0 => (Level::Info, format!("{label}: done")),
                    _ => (Level::Alert, format!("{label}: exit {code}")),
                };
                app.tell(level, "", &label, text);
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
