use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Span;
use ratatui::widgets::Paragraph;

use std::collections::{BTreeSet, HashMap};

use super::{
    Cell, Column, Cursor, block, cell, inner_width, marker, matches_cells, more, table, with_more,
};
use crate::domain::DestinationId;
use crate::ops::{CheckRow, DestinationView, HealthStatus};
use crate::tui::app::{App, Pane};
use crate::tui::layout::table_rows;
use crate::tui::panes::servers::READ_ONLY_MARK;

/// The Destinations pane's own state: the destinations it lists, its cursor, filter and marks,
/// and which of them it shows (one server's, the unused ones).
#[derive(Debug, Default)]
pub struct DestinationsPane {
    /// Indexes into `App::destinations` that the pane shows (scope and filter applied).
    pub visible: Vec<usize>,
    pub cursor: Cursor,
    pub filter: String,
    /// Destinations marked (space) for a bulk delete, by uuid.
    pub marked: BTreeSet<DestinationId>,
    /// Show only the selected server's destinations.
    pub scoped: bool,
    /// Only those the last check found unused.
    pub unused_only: bool,
}

impl DestinationsPane {
    /// Lists the destinations of `scope` (a server uuid, when scoped), the unused ones when
    /// asked, that match the filter (`matching`, by index: see `matches`); the cursor stays
    /// on screen.
    pub fn refresh(
        &mut self,
        destinations: &[DestinationView],
        health: &HashMap<DestinationId, CheckRow>,
        scope: Option<&str>,
        matching: &[bool],
        page: usize,
    ) {
        self.visible = (0..destinations.len())
            .filter(|&i| {
                let d = &destinations[i];
                scope.is_none_or(|uuid| d.server_uuid == uuid)
                    && (!self.unused_only || health.get(&d.uuid).is_some_and(|h| h.unused))
                    && matching.get(i).copied().unwrap_or(true)
            })
            .collect();
        // Marks are never acted on unseen: those a filter, the scope or the unused view hides
        // are dropped.
        let shown: BTreeSet<&str> = self
            .visible
            .iter()
            .map(|&i| destinations[i].uuid.as_str())
            .collect();
        self.marked.retain(|uuid| shown.contains(uuid.as_str()));
        self.cursor.fit(self.visible.len(), page);
    }

    /// `A`: marks every destination shown; when all are marked already, clears the marks.
    /// Returns how many are marked now.
    pub fn mark_all(&mut self, destinations: &[DestinationView]) -> usize {
        let shown: Vec<&DestinationId> = self
            .visible
            .iter()
            .map(|&i| &destinations[i].uuid)
            .collect();
        if !shown.is_empty() && shown.iter().all(|uuid| self.marked.contains(*uuid)) {
            self.marked.clear();
        } else {
            self.marked.extend(shown.into_iter().cloned());
        }
        self.marked.len()
    }

    pub fn selected<'a>(&self, destinations: &'a [DestinationView]) -> Option<&'a DestinationView> {
        destinations.get(self.cursor.row(&self.visible)?)
    }

    /// Where the destination `uuid` is listed.
    pub fn position(&self, destinations: &[DestinationView], uuid: &str) -> Option<usize> {
        self.visible
            .iter()
            .position(|&i| destinations[i].uuid == uuid)
    }

    /// Marks the destination `uuid`, or unmarks it when it was marked.
    pub fn toggle_mark(&mut self, uuid: DestinationId) {
        if !self.marked.remove(&uuid) {
            self.marked.insert(uuid);
        }
    }
}

pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let pane = &app.panes.destinations;
    let title = title(app, pane);
    let mut count = pane.visible.len().to_string();
    if !pane.marked.is_empty() {
        count.push_str(&format!(", {} marked", pane.marked.len()));
    }
    let outer = block(app, Pane::Destinations, &title, count);
    if pane.visible.is_empty() {
        let text = if app.loading {
            "loading…"
        } else if app.destinations.is_empty() && app.servers.is_empty() {
            "none yet: add a server first (a in Servers)"
        } else if app.destinations.is_empty() && app.focus == Pane::Destinations {
            "none yet: a creates one, s scans a server to import its networks"
        } else if app.destinations.is_empty() {
            // `a` adds a server in Servers: the key is named for this pane.
            "none yet: a in this pane creates one, s scans a server to import its networks"
        } else if pane.unused_only {
            "none unused among the checked ones (u: all destinations)"
        } else if !pane.filter.is_empty() {
            "none match the filter (Esc clears it)"
        } else {
            "none on this server (v: all servers)"
        };
        frame.render_widget(
            Paragraph::new(Span::styled(text, app.theme.dim))
                .wrap(ratatui::widgets::Wrap { trim: true })
                .block(outer),
            area,
        );
        return;
    }
    let cursor = pane.cursor;
    let rows = pane
        .visible
        .iter()
        .enumerate()
        .skip(cursor.offset)
        .take(table_rows(area))
        .map(|(i, &index)| {
            let selected = i == cursor.selected;
            (cells(app, &app.destinations[index], selected), selected)
        });
    // Scoped to one server, the title names it: no SERVER column. Usage (the last columns)
    // shows only where it takes nothing from the others.
    let width = inner_width(area);
    let columns: Vec<Column> = COLUMNS
        .into_iter()
        .filter(|c| !(pane.scoped && c.title == SERVER.title))
        .filter(|c| width >= USAGE_FROM || ![CONT.title, CPU.title, MEM.title].contains(&c.title))
        .filter(|c| width >= DESCRIPTION_FROM || c.title != DESCRIPTION.title)
        .collect();
    let outer = with_more(
        outer,
        more(app, cursor, table_rows(area), pane.visible.len()),
    );
    let table = table(app, Pane::Destinations, &columns, rows, inner_width(area)).block(outer);
    frame.render_widget(table, area);
}

/// When narrow, SERVER and TYPE give way before NAME, NETWORK and CHECK (which `u` relies on;
/// it stays at every size, down to 60x20): they go while one of those is cut below what it
/// wants.
const NAME: Column = Column::new("NAME", 3, 10, 5).wants(20);
const NETWORK: Column = Column::new("NETWORK", 2, 8, 5).wants(14);
const SERVER: Column = Column::new("SERVER", 1, 8, 2);
const TYPE: Column = Column::new("TYPE", 1, 10, 1);
const CHECK: Column = Column::new("CHECK", 1, 7, 5).wants(14);
/// Usage (DESIGN.md §11): containers, and their CPU % and memory summed; empty until read.
/// Extra columns: shown only in a pane at least `USAGE_FROM` wide, where they cut no name.
const CONT: Column = Column::new("CONT", 1, 5, 3);
const CPU: Column = Column::new("CPU", 1, 6, 3);
const MEM: Column = Column::new("MEM", 1, 9, 3);
const USAGE_FROM: u16 = 100;
/// The description (DESIGN.md §15: "list (truncated)"), last and first to give way; whole in
/// the details. Only in a pane wide enough to keep the names whole beside it.
const DESCRIPTION: Column = Column::new("DESCRIPTION", 2, 16, 0);
const DESCRIPTION_FROM: u16 = 150;
// Cells are matched to columns by position: the description (the last cell) may only show
// where the usage cells before it show too.
const _: () = assert!(DESCRIPTION_FROM >= USAGE_FROM);
const COLUMNS: [Column; 11] = [
    Column::fixed("", 1),
    Column::fixed("", 1),
    NAME,
    NETWORK,
    SERVER,
    TYPE,
    CHECK,
    CONT,
    CPU,
    MEM,
    DESCRIPTION,
];

/// "Destinations", of one server when scoped, "Unused" when only those are shown.
fn title(app: &App, pane: &DestinationsPane) -> String {
    let mut title = if pane.scoped {
        match app.selected_server() {
            Some(s) => format!("Destinations on {}", s.name),
            None => "Destinations".into(),
        }
    } else {
        "Destinations".into()
    };
    if pane.unused_only {
        title = title.replacen("Destinations", "Unused destinations", 1);
    }
    title
}

/// Whether the destination matches the pane's lowercased `filter`: in any cell it shows,
/// the CHECK state and the description included.
pub fn matches(app: &App, d: &DestinationView, filter: &str) -> bool {
    matches_cells(filter, &cells(app, d, false))
}

/// A destination's cells, one per column of `COLUMNS` (no SERVER one when scoped).
fn cells(app: &App, d: &DestinationView, selected: bool) -> Vec<Cell> {
    let health = app.health.get(&d.uuid);
    let usage = app.usage.get(&d.uuid);
    // Containers that stopped (read with the usage, on this node): the row says so. One just
    // created is not counted: `docker run` connects it before it starts, and a read then
    // would call a starting container stopped until the next read.
    let stopped = usage.map_or(0, |u| {
        u.containers
            .iter()
            .filter(|c| matches!(c.state.as_str(), "exited" | "dead" | "paused"))
            .count()
    });
    let status = health.map_or(String::new(), |h| match h.status {
        HealthStatus::Ok if stopped > 0 => format!("ok, {stopped} stopped"),
        HealthStatus::Ok if h.unused => "ok, unused".into(),
        // The count leaves out nodes of the swarm destui does not know (DESIGN.md §13).
        HealthStatus::Ok if h.nodes.this_node_only => "ok, this node only".into(),
        status => status.as_str().into(),
    });
    let status_style = match health.map(|h| h.status) {
        Some(HealthStatus::Ok) if stopped == 0 => app.theme.ok,
        Some(_) => app.theme.error,
        None => app.theme.dim,
    };
    let marked = app.panes.destinations.marked.contains(&d.uuid);
    // Marked when its server is read-only. Only the server's name is tinted with the
    // server's colour: a green or red server must never make its destinations look ok or
    // failed (status colours own the row).
    let server = app.servers.iter().find(|s| s.uuid == d.server_uuid);
    let tint = app.theme.server(server.and_then(|s| s.color.as_deref()));
    let name = match server {
        Some(s) if s.read_only => format!("{READ_ONLY_MARK}{}", d.name),
        _ => d.name.clone(),
    };
    let mut cells = vec![
        cell(marker(selected)),
        cell(if marked { "*" } else { " " }),
        cell(name),
        cell(d.network.as_str()),
    ];
    if !app.panes.destinations.scoped {
        cells.push((d.server.clone(), tint));
    }
    cells.push(cell(d.kind.as_str()));
    cells.push((status, status_style));
    // The count follows the events (each one re-checks the destination at once); CPU and
    // memory take a sampling second, read after them. Once the usage is read, running/total.
    let count = health
        .and_then(|h| h.containers)
        .or(usage.map(|u| u.containers.len()));
    let count = match (count, usage) {
        (Some(n), Some(_)) if n > 0 => format!("{}/{n}", n.saturating_sub(stopped)),
        (Some(n), _) => n.to_string(),
        (None, _) => String::new(),
    };
    cells.push((
        count,
        if stopped > 0 {
            status_style
        } else {
            Style::new()
        },
    ));
    match usage {
        Some(u) => cells.extend([cell(cpu(u.cpu_percent)), cell(memory(u.memory_bytes))]),
        None => cells.extend([cell(""), cell("")]),
    }
    cells.push((d.description.clone().unwrap_or_default(), app.theme.dim));
    cells
}

/// CPU % of one CPU, as `docker stats` shows it: `1.2%`, `199.8%`.
pub fn cpu(percent: f64) -> String {
    // (A sample a hair below zero would print as `-0.0%`.)
    format!("{:.1}%", if percent > 0.0 { percent } else { 0.0 })
}

/// Memory in binary units, one decimal: `512 B`, `14.1 MiB`, `1.5 GiB`.
pub fn memory(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_reads_as_docker_stats_shows_it() {
        assert_eq!(cpu(0.0), "0.0%");
        assert_eq!(cpu(-0.0001), "0.0%", "never `-0.0%`");
        assert_eq!(cpu(1.234), "1.2%");
        assert_eq!(cpu(199.84), "199.8%");
        assert_eq!(memory(0), "0 B");
        assert_eq!(memory(1023), "1023 B");
        assert_eq!(memory(1024), "1.0 KiB");
        assert_eq!(memory(14_784_921), "14.1 MiB");
        assert_eq!(memory(3 * 1024 * 1024 * 1024 / 2), "1.5 GiB");
        assert_eq!(memory(u64::MAX), "16777216.0 TiB");
    }
}
