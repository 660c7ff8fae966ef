use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{
    Column, Cursor, block, cell, marker, matches_cells, more, table, visible_indexes, with_more,
};
use crate::domain::{DEFAULT_DOCKER_SOCKET, Server, ServerMode, rfc3339};
use crate::ops::StreamState;
use crate::tui::app::{App, Pane};
use crate::tui::layout::{SERVER_DETAIL_LINES, server_rows};
use crate::tui::text::{cut, wrap};
use crate::tui::theme::Theme;

/// The Servers pane's own state: the servers it lists, its cursor and its filter.
#[derive(Debug, Default)]
pub struct ServersPane {
    /// Indexes into `App::servers` after the filter.
    pub visible: Vec<usize>,
    pub cursor: Cursor,
    pub filter: String,
}

impl ServersPane {
    /// Lists the servers that match the filter in a column shown (name, host, mode); the
    /// cursor stays on screen.
    pub fn refresh(&mut self, servers: &[Server], page: usize) {
        let filter = self.filter.to_lowercase();
        self.visible = visible_indexes(servers, |s| {
            matches_cells(
                &filter,
                &[cell(shown_name(s)), cell(host(s)), cell(mode_label(s.mode))],
            )
        });
        self.cursor.fit(self.visible.len(), page);
    }

    pub fn selected<'a>(&self, servers: &'a [Server]) -> Option<&'a Server> {
        servers.get(self.cursor.row(&self.visible)?)
    }

    /// Where the server `uuid` is listed.
    pub fn position(&self, servers: &[Server], uuid: &str) -> Option<usize> {
        self.visible.iter().position(|&i| servers[i].uuid == uuid)
    }
}

/// What the Servers pane knows of a server's Docker, shown as the row's dot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerState {
    /// Being checked, never checked before.
    Checking,
    /// Not checked yet.
    Unchecked,
    /// Checked by an earlier run, not yet reached by this one: what it was is only a memory.
    NotReached,
    Online,
    /// Online when last checked, its event stream lost and being opened again.
    Reconnecting,
    Offline,
}

impl ServerState {
    pub fn of(app: &App, server: &Server) -> Self {
        if app.is_checking(&server.uuid) && server.checked_at.is_none() {
            ServerState::Checking
        } else if server.checked_at.is_none() {
            ServerState::Unchecked
        } else if !app.has_reached(&server.uuid) {
            ServerState::NotReached
        } else if server.online && app.live_state(&server.uuid) == Some(StreamState::Reconnecting) {
            ServerState::Reconnecting
        } else if server.online {
            ServerState::Online
        } else {
            ServerState::Offline
        }
    }

    /// `●` online, `↻` its events reconnecting, `✗` offline, `…` being checked, `?` not
    /// checked yet, `○` not reached yet by this run (whatever an earlier run saw).
    pub fn symbol(self) -> &'static str {
        match self {
            ServerState::Checking => "…",
            ServerState::Unchecked => "?",
            ServerState::NotReached => "○",
            ServerState::Online => "●",
            ServerState::Reconnecting => "↻",
            ServerState::Offline => "✗",
        }
    }

    fn style(self, theme: &Theme) -> Style {
        match self {
            ServerState::Online => theme.ok,
            ServerState::Offline | ServerState::Reconnecting => theme.error,
            ServerState::Checking | ServerState::Unchecked | ServerState::NotReached => theme.dim,
        }
    }
}

/// HOST gives way first when narrow; the selected server's details below name it anyway.
const COLUMNS: [Column; 5] = [
    Column::fixed("", 1),
    Column::fixed("", 1),
    Column::new("NAME", 2, 8, 3),
    Column::new("HOST", 1, 12, 1),
    Column::new("MODE", 1, 10, 2),
];

/// The host, with its Docker socket when that is not the default one: two servers on one host
/// with different sockets look different.
fn host(s: &Server) -> String {
    if s.docker_socket == DEFAULT_DOCKER_SOCKET {
        s.host.clone()
    } else {
        format!("{} ({})", s.host, s.docker_socket)
    }
}

/// The mark of a read-only server, before its name and its destinations' names: seen
/// without colour too.
pub const READ_ONLY_MARK: &str = "[ro] ";

/// The name as the pane shows it: marked when the server is read-only.
pub fn shown_name(s: &Server) -> String {
    if s.read_only {
        format!("{READ_ONLY_MARK}{}", s.name)
    } else {
        s.name.clone()
    }
}

pub fn mode_label(mode: ServerMode) -> &'static str {
    match mode {
        ServerMode::Unknown => "unknown",
        ServerMode::Standalone => "standalone",
        ServerMode::SwarmManager => "swarm-mgr",
        ServerMode::SwarmWorker => "swarm-wkr",
    }
}

pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let count = if app.loading {
        String::new()
    } else {
        app.panes.servers.visible.len().to_string()
    };
    let cursor = app.panes.servers.cursor;
    let shown = server_rows(area);
    let outer = block(app, Pane::Servers, "Servers", count);
    let outer = with_more(
        outer,
        more(app, cursor, shown, app.panes.servers.visible.len()),
    );
    let inner = outer.inner(area);
    frame.render_widget(outer, area);
    let [table_area, detail_area] =
        Layout::vertical([Constraint::Min(1), Constraint::Length(SERVER_DETAIL_LINES)])
            .areas(inner);

    let rows = app
        .panes
        .servers
        .visible
        .iter()
        .enumerate()
        .skip(cursor.offset)
        .take(shown)
        .map(|(i, &index)| {
            let s = &app.servers[index];
            let selected = i == cursor.selected;
            let state = ServerState::of(app, s);
            let cells = vec![
                cell(marker(selected)),
                (state.symbol().to_string(), state.style(&app.theme)),
                (shown_name(s), app.theme.server(s.color.as_deref())),
                cell(host(s)),
                cell(mode_label(s.mode)),
            ];
            (cells, selected)
        });
    let table = table(app, Pane::Servers, &COLUMNS, rows, table_area.width);
    frame.render_widget(table, table_area);

    let lines = if app.loading {
        vec![Line::from(Span::styled("loading records…", app.theme.dim))]
    } else if app.servers.is_empty() {
        vec![
            Line::from("no servers yet"),
            Line::from(Span::styled("a adds one", app.theme.dim)),
        ]
    } else if let Some(s) = app.selected_server() {
        detail_lines(app, s)
    } else {
        vec![Line::from(Span::styled("no server matches", app.theme.dim))]
    };
    let lines = fitted(&lines, detail_area);
    frame.render_widget(Paragraph::new(lines), detail_area);
}

/// A stored time as the details say it: `2026-11-22 10:00 UTC`.
fn when(secs: i64) -> String {
    let t = rfc3339(secs);
    match (t.get(..10), t.get(11..16)) {
        (Some(day), Some(time)) => format!("{day} {time} UTC"),
        _ => t,
    }
}

/// `lines` wrapped to `area`; when they take more rows than it has, the last row shown ends
/// in `…` (the details view, Enter, shows them whole).
fn fitted(lines: &[Line], area: Rect) -> Vec<Line<'static>> {
    let mut rows = wrap(lines, area.width);
    let height = usize::from(area.height);
    if rows.len() <= height || height == 0 {
        return rows;
    }
    let last = rows[height - 1].to_string();
    let style = rows[height - 1]
        .spans
        .first()
        .map_or_else(Style::new, |s| s.style);
    rows.truncate(height - 1);
    rows.push(Line::from(Span::styled(
        cut(&format!("{}…", last.trim_end()), usize::from(area.width)),
        style,
    )));
    rows
}

fn detail_lines<'a>(app: &App, s: &'a Server) -> Vec<Line<'a>> {
    let target = if s.local {
        format!("local socket {}", s.docker_socket)
    } else {
        format!(
            "{}{}{}",
            s.user
                .as_deref()
                .map(|u| format!("{u}@"))
                .unwrap_or_default(),
            s.host,
            s.port.map(|p| format!(":{p}")).unwrap_or_default()
        )
    };
    let target = if s.local || s.docker_socket == DEFAULT_DOCKER_SOCKET {
        target
    } else {
        format!("{target} · socket {}", s.docker_socket)
    };
    let target = if s.read_only {
        format!("{target} · read-only: changes are refused")
    } else {
        target
    };
    let mut lines = vec![Line::from(Span::styled(target, app.theme.dim))];
    if let Some(at) = s.checked_at.filter(|_| !app.has_reached(&s.uuid)) {
        // What an earlier run saw, said as such until this one hears from the server.
        let doing = if app.is_checking(&s.uuid) {
            "connecting…"
        } else {
            "not reached yet"
        };
        let seen = if s.online {
            format!("last seen {}", when(at))
        } else {
            format!("offline at the last check, {}", when(at))
        };
        lines.push(Line::from(Span::styled(
            format!("{doing} · {seen}"),
            app.theme.dim,
        )));
        return lines;
    }
    if app.is_checking(&s.uuid) {
        lines.push(Line::from(Span::styled("checking…", app.theme.dim)));
    } else if s.checked_at.is_none() {
        lines.push(Line::from(Span::styled("not checked yet", app.theme.dim)));
    } else if s.online && app.live_state(&s.uuid) == Some(StreamState::Reconnecting) {
        lines.push(Line::from(Span::styled(
            "online · events: reconnecting",
            app.theme.error,
        )));
    } else if s.online {
        let events = match app.live_state(&s.uuid) {
            Some(_) => " · events: live",
            None => "",
        };
        lines.push(Line::from(Span::styled(
            format!(
                "online · Docker {}{events}",
                s.docker_version.as_deref().unwrap_or("?")
            ),
            app.theme.dim,
        )));
    } else {
        // The row already names the server: show the reason, wrapped over the lines left.
        let error = s.last_error.as_deref().unwrap_or("offline");
        let prefix = format!("server {} is unreachable: ", s.name);
        let reason = error.strip_prefix(&prefix).unwrap_or(error);
        lines.push(Line::from(Span::styled(
            format!("error: {reason}"),
            app.theme.error,
        )));
    }
    if s.build_server && s.online {
        lines.push(Line::from(Span::styled("build server", app.theme.dim)));
    }
    lines
}
