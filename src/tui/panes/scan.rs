use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Span;
use ratatui::widgets::{Block, Paragraph};

use std::collections::BTreeSet;

use super::{
    Cell, Column, Cursor, block, cell, inner_width, marker, matches_cells, more, table,
    visible_indexes, with_more,
};
use crate::domain::ServerId;
use crate::ops::{NetworkRole, ScanRow};
use crate::tui::app::{App, Pane};
use crate::tui::layout::table_rows;

#[derive(Debug, Clone, PartialEq)]
pub enum ScanState {
    Loading,
    Ready,
    Failed(String),
}

/// One server's networks and the checked ones.
#[derive(Debug, Clone, PartialEq)]
pub struct ScanView {
    pub server: ServerId,
    pub rows: Vec<ScanRow>,
    /// Full IDs of the checked networks (two networks may share a name).
    pub checked: BTreeSet<String>,
    pub state: ScanState,
}

/// The Scan pane's own state: the last scan, the rows it lists, its cursor and its filter.
#[derive(Debug, Default)]
pub struct ScanPane {
    /// The last scan asked for; none before the first.
    pub view: Option<ScanView>,
    /// Indexes into the scan rows after the filter.
    pub visible: Vec<usize>,
    pub cursor: Cursor,
    pub filter: String,
}

impl ScanPane {
    /// Lists the rows whose network or driver matches the filter; the cursor stays on screen.
    /// Checks are never acted on unseen: those the filter hides are dropped.
    pub fn refresh(&mut self, page: usize) {
        let filter = self.filter.to_lowercase();
        self.visible = match &mut self.view {
            None => Vec::new(),
            Some(view) => {
                let visible = visible_indexes(&view.rows, |r| {
                    matches_cells(&filter, &texts(view, r).map(cell))
                });
                let shown: BTreeSet<&str> =
                    visible.iter().map(|&i| view.rows[i].id.as_str()).collect();
                view.checked.retain(|id| shown.contains(id.as_str()));
                visible
            }
        };
        self.cursor.fit(self.visible.len(), page);
    }

    pub fn selected_row(&self) -> Option<&ScanRow> {
        self.view
            .as_ref()?
            .rows
            .get(self.cursor.row(&self.visible)?)
    }

    /// Whether the pane holds a scan of `server` (uuid).
    pub fn is_of(&self, server: &str) -> bool {
        self.view.as_ref().is_some_and(|v| v.server == server)
    }

    /// A scan of `server` begins: a rescan keeps its rows and checks while it runs, another
    /// server's scan starts empty, at the top.
    pub fn begin(&mut self, server: &ServerId, page: usize) {
        let same = self.is_of(server);
        let (rows, checked) = match self.view.take() {
            Some(old) if same => (old.rows, old.checked),
            _ => (Vec::new(), BTreeSet::new()),
        };
        self.view = Some(ScanView {
            server: server.clone(),
            rows,
            checked,
            state: ScanState::Loading,
        });
        if !same {
            self.cursor = Cursor::default();
        }
        self.refresh(page);
    }

    /// The checked networks as import names them: by name, or by full ID where two networks
    /// on the server share that name.
    pub fn checked_references(&self) -> Vec<String> {
        let Some(view) = &self.view else {
            return Vec::new();
        };
        view.rows
            .iter()
            .filter(|r| view.checked.contains(&r.id))
            .map(|r| import_reference(&view.rows, r))
            .collect()
    }

    /// Checks the network `id`, or unchecks it when it was checked.
    pub fn toggle(&mut self, id: String) {
        if let Some(view) = &mut self.view
            && !view.checked.remove(&id)
        {
            view.checked.insert(id);
        }
    }

    /// `A`: checks every importable row listed, or unchecks all when they all are; says which
    /// (none before a scan).
    pub fn select_all(&mut self) -> Option<String> {
        let view = self.view.as_mut()?;
        let importable: BTreeSet<String> = self
            .visible
            .iter()
            .filter_map(|&i| view.rows.get(i))
            .filter(|r| r.importable)
            .map(|r| r.id.clone())
            .collect();
        if !importable.is_empty() && importable.is_subset(&view.checked) {
            view.checked.clear();
            Some("unmarked all".into())
        } else {
            let n = importable.len();
            view.checked.extend(importable);
            Some(format!("{n} importable network(s) marked"))
        }
    }
}

/// A scan row's network as `import` takes it: its name, unless another row has that name too.
pub fn import_reference(rows: &[ScanRow], row: &ScanRow) -> String {
    if rows.iter().filter(|r| r.network == row.network).count() > 1 {
        row.id.clone()
    } else {
        row.network.clone()
    }
}

pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let pane = &app.panes.scan;
    let Some(scan) = &pane.view else {
        let outer = block(app, Pane::Scan, "Scan", String::new());
        frame.render_widget(
            Paragraph::new(Span::styled(
                "s scans the selected server's networks",
                app.theme.dim,
            ))
            .wrap(ratatui::widgets::Wrap { trim: true })
            .block(outer),
            area,
        );
        return;
    };
    let server = app.server_name(&scan.server);
    let mut count = format!("{} networks", pane.visible.len());
    if !scan.checked.is_empty() {
        count.push_str(&format!(", {} marked", scan.checked.len()));
    }
    if scan.state == ScanState::Loading {
        count.push_str(", scanning…");
    }
    let outer = block(app, Pane::Scan, &format!("Scan {server}"), count);
    if scan.rows.is_empty() {
        render_empty(frame, area, app, scan, outer);
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
            (cells(app, scan, &scan.rows[index], selected), selected)
        });
    let outer = with_more(
        outer,
        more(app, cursor, table_rows(area), pane.visible.len()),
    );
    let table = table(app, Pane::Scan, &COLUMNS, rows, inner_width(area)).block(outer);
    frame.render_widget(table, area);
}

/// When narrow, SCOPE, CTRS and then DRIVER give way before NETWORK and IMPORT.
const COLUMNS: [Column; 7] = [
    Column::fixed("", 1),
    Column::fixed("", 3),
    Column::new("NETWORK", 2, 12, 4).wants(16),
    Column::new("DRIVER", 1, 7, 2),
    Column::new("SCOPE", 1, 6, 1),
    Column::new("CTRS", 1, 4, 1),
    Column::new("IMPORT", 2, 13, 4).wants(18),
];

/// A scan with no rows: why (failed, still scanning, nothing there).
fn render_empty(frame: &mut Frame, area: Rect, app: &App, scan: &ScanView, outer: Block) {
    if let ScanState::Failed(error) = &scan.state {
        frame.render_widget(
            Paragraph::new(Span::styled(
                format!("scan failed: {error}"),
                app.theme.error,
            ))
            .wrap(ratatui::widgets::Wrap { trim: true })
            .block(outer),
            area,
        );
        return;
    }
    let text = if scan.state == ScanState::Loading {
        "scanning…"
    } else {
        "no networks besides Docker's own"
    };
    frame.render_widget(
        Paragraph::new(Span::styled(text, app.theme.dim)).block(outer),
        area,
    );
}

/// A scan row's cells, one per column of `COLUMNS`.
fn cells(app: &App, scan: &ScanView, r: &ScanRow, selected: bool) -> Vec<Cell> {
    let [checkbox, network, driver, scope, count, status] = texts(scan, r);
    let status_style = if r.importable {
        app.theme.ok
    } else {
        app.theme.dim
    };
    vec![
        cell(marker(selected)),
        cell(checkbox),
        cell(network),
        cell(driver),
        cell(scope),
        cell(count),
        (status, status_style),
    ]
}

/// The text of a scan row's cells after the marker: what it shows, and what its filter matches.
fn texts(scan: &ScanView, r: &ScanRow) -> [String; 6] {
    let checkbox = if !r.importable {
        " - "
    } else if scan.checked.contains(&r.id) {
        "[x]"
    } else {
        "[ ]"
    };
    let status = match (&r.role, &r.reason, r.unused) {
        // What the network is says why at a glance; the full reason is in its details.
        (
            NetworkRole::ProxyNetwork
            | NetworkRole::Stack { .. }
            | NetworkRole::MadeElsewhere { .. },
            _,
            _,
        ) => r.role.to_string(),
        (_, Some(reason), _) => reason.clone(),
        (_, None, true) => "importable, unused".into(),
        (_, None, false) if r.nodes.this_node_only => "importable, this node only".into(),
        (_, None, false) => "importable".into(),
    };
    [
        checkbox.to_string(),
        r.network.clone(),
        r.driver.clone(),
        r.scope.clone(),
        (r.containers.len() + r.nodes.elsewhere.len()).to_string(),
        status,
    ]
}
