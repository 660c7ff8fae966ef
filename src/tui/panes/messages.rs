//! The Messages view (DESIGN.md §20, k9s `:events`): every alert, warning, result and live
//! change of the session with its time, server and object, newest first, filtered with `/`
//! on any column. Opened with `m` from anywhere; while it is closed, what arrives counts as
//! unread in the status line. The log is kept for the session, bounded at `KEPT` (the oldest
//! go first).

use std::collections::VecDeque;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Paragraph, Wrap};

use super::{Cell, Column, Cursor, cell, marker, matches_filter, more, table_in, with_more};
use crate::tui::app::App;

/// Messages kept for the session; past it the oldest go.
pub const KEPT: usize = 10_000;

/// How much a message matters: an alert (a failure, something found not ok) and a warning
/// are marked without colour too (`!`, `*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Info,
    Warning,
    Alert,
}

impl Level {
    fn mark(self) -> &'static str {
        match self {
            Level::Info => " ",
            Level::Warning => "*",
            Level::Alert => "!",
        }
    }
}

/// One message: when (RFC 3339, UTC), on which server, about what, and what was said.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub time: String,
    pub level: Level,
    pub server: String,
    pub object: String,
    pub text: String,
}

impl Message {
    /// The time of day it came, `HH:MM:SS` (UTC).
    pub fn clock(&self) -> &str {
        self.time.get(11..19).unwrap_or(&self.time)
    }

    fn matches(&self, filter: &str) -> bool {
        matches_filter(
            filter,
            &[self.clock(), &self.server, &self.object, &self.text],
        )
    }
}

/// The view's own state: the log, what is unread, and (while open) its rows, cursor and filter.
#[derive(Debug, Default)]
pub struct MessagesView {
    /// Oldest first; shown newest first.
    pub log: VecDeque<Message>,
    /// Messages that came since the view was last open.
    pub unread: usize,
    pub open: bool,
    pub filter: String,
    /// Indexes into `log` that match the filter, newest first (kept while open).
    pub visible: Vec<usize>,
    pub cursor: Cursor,
}

impl MessagesView {
    /// Logs `message`; unread unless the view is open (where it shows at once).
    pub fn push(&mut self, message: Message, page: usize) {
        self.log.push_back(message);
        while self.log.len() > KEPT {
            self.log.pop_front();
        }
        if self.open {
            // The selection stays on its message as a newer one comes in above it.
            let shown = self
                .log
                .back()
                .is_some_and(|m| m.matches(&self.filter.to_lowercase()));
            if shown && self.cursor.selected > 0 {
                self.cursor.selected += 1;
            }
            self.refresh(page);
        } else {
            self.unread = (self.unread + 1).min(self.log.len());
        }
    }

    /// Opens the view at the newest message: everything is read.
    pub fn show(&mut self, page: usize) {
        self.open = true;
        self.unread = 0;
        self.cursor = Cursor::default();
        self.refresh(page);
    }

    pub fn close(&mut self) {
        self.open = false;
        self.visible.clear();
    }

    /// Lists the messages that match the filter, newest first.
    pub fn refresh(&mut self, page: usize) {
        let filter = self.filter.to_lowercase();
        self.visible = (0..self.log.len())
            .rev()
            .filter(|&i| self.log[i].matches(&filter))
            .collect();
        self.cursor.fit(self.visible.len(), page);
    }

    /// The newest messages first, as shown (filtered).
    pub fn shown(&self) -> impl Iterator<Item = &Message> {
        self.visible.iter().filter_map(|&i| self.log.get(i))
    }
}

/// Rows of messages on screen in `area` (a border, a header line).
pub fn page(area: Rect) -> usize {
    usize::from(area.height.saturating_sub(3))
}

/// SERVER and OBJECT as wide as their longest cell on screen: the message takes the rest, and
/// gives way last.
const COLUMNS: [Column; 6] = [
    Column::fixed("", 1),
    Column::fixed("", 1),
    Column::fixed("TIME", 8),
    Column::new("SERVER", 1, 6, 1),
    Column::new("OBJECT", 2, 10, 2),
    Column::new("MESSAGE", 4, 20, 3),
];

/// The view, over the panes in `area`.
pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let view = &app.messages;
    frame.render_widget(Clear, area);
    let mut title = vec![
        Span::styled(" Messages ", app.theme.title),
        Span::styled(format!("{} ", view.visible.len()), app.theme.dim),
    ];
    match &app.filter_input {
        Some(input) => title.push(Span::styled(
            format!("/{}▏ ", input.value()),
            app.theme.accent,
        )),
        None if !view.filter.is_empty() => {
            title.push(Span::styled(format!("/{} ", view.filter), app.theme.accent))
        }
        None => {}
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Thick)
        .border_style(app.theme.accent)
        .title(Line::from(title))
        .title_bottom(Span::styled(
            " newest first · / filter · j k move · Esc close ",
            app.theme.dim,
        ));
    if view.visible.is_empty() {
        let text = if view.log.is_empty() {
            "no messages yet: alerts, results and live changes show here"
        } else {
            "none match (Esc clears the filter)"
        };
        frame.render_widget(
            Paragraph::new(Span::styled(text, app.theme.dim))
                .wrap(Wrap { trim: true })
                .block(block),
            area,
        );
        return;
    }
    let cursor = view.cursor;
    let rows = view
        .shown()
        .enumerate()
        .skip(cursor.offset)
        .take(page(area))
        .map(|(i, m)| {
            let selected = i == cursor.selected;
            (cells(app, m, selected), selected)
        });
    let block = with_more(block, more(app, cursor, page(area), view.visible.len()));
    let inner = block.inner(area);
    let table = table_in(app, true, &COLUMNS, rows, inner.width).block(block);
    frame.render_widget(table, area);
}

fn cells(app: &App, m: &Message, selected: bool) -> Vec<Cell> {
    let style = match m.level {
        Level::Info => ratatui::style::Style::new(),
        Level::Warning | Level::Alert => app.theme.error,
    };
    vec![
        cell(marker(selected)),
        (m.level.mark().to_string(), style),
        (m.clock().to_string(), app.theme.dim),
        cell(m.server.as_str()),
        cell(m.object.as_str()),
        (m.text.clone(), style),
    ]
}
