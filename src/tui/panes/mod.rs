//! The four panes. Each file holds one pane's own state (the rows it lists, its cursor and
//! filter, its marks) beside its render, which draws only the rows on screen. The data they
//! list (servers, destinations, health) stays in `App`; `app::update` alone changes any of it.

pub mod destinations;
pub mod scan;
pub mod servers;
pub mod tasks;

use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Row};

use super::app::{App, Pane};

/// Each pane's own state.
#[derive(Debug, Default)]
pub struct Panes {
    pub servers: servers::ServersPane,
    pub destinations: destinations::DestinationsPane,
    pub scan: scan::ScanPane,
    pub tasks: tasks::TasksPane,
}

/// A selected row and the first row on screen, kept so that the selection stays visible.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cursor {
    pub selected: usize,
    pub offset: usize,
}

impl Cursor {
    pub fn set(&mut self, selected: usize, len: usize, height: usize) {
        self.selected = selected.min(len.saturating_sub(1));
        self.fit(len, height);
    }

    pub fn step(&mut self, delta: isize, len: usize, height: usize) {
        let target = self.selected.saturating_add_signed(delta);
        self.set(target, len, height);
    }

    /// Keeps the selection inside the list and on screen.
    pub fn fit(&mut self, len: usize, height: usize) {
        self.selected = self.selected.min(len.saturating_sub(1));
        let height = height.max(1);
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + height {
            self.offset = self.selected + 1 - height;
        }
        self.offset = self.offset.min(len.saturating_sub(height));
    }
}

/// The indexes of the `items` a pane lists: those `keep` accepts.
fn visible_indexes<T>(items: &[T], keep: impl Fn(&T) -> bool) -> Vec<usize> {
    (0..items.len()).filter(|&i| keep(&items[i])).collect()
}

/// Whether a lowercased `filter` is empty or found in one of `fields` (case-insensitive).
fn matches_filter(filter: &str, fields: &[&str]) -> bool {
    filter.is_empty() || fields.iter().any(|f| f.to_lowercase().contains(filter))
}

/// The frame of a pane: thick border and `»` when focused (visible without colour), the
/// title with a count, and the active filter.
pub fn block<'a>(app: &App, pane: Pane, title: &str, count: String) -> Block<'a> {
    let focused = app.focus == pane;
    let filter = app.filter(pane);
    let mut spans = vec![Span::styled(
        format!("{}{title} ", if focused { "» " } else { " " }),
        if focused {
            app.theme.title
        } else {
            Style::new().add_modifier(Modifier::BOLD)
        },
    )];
    if !count.is_empty() {
        spans.push(Span::styled(format!("{count} "), app.theme.dim));
    }
    if app.filter_input.is_some() && focused {
        let typed = app
            .filter_input
            .as_ref()
            .map(|i| i.value().to_string())
            .unwrap_or_default();
        spans.push(Span::styled(format!("/{typed}▏ "), app.theme.accent));
    } else if !filter.is_empty() {
        spans.push(Span::styled(format!("/{filter} "), app.theme.accent));
    }
    Block::default()
        .borders(Borders::ALL)
        .border_type(if focused {
            BorderType::Thick
        } else {
            BorderType::Plain
        })
        .border_style(if focused {
            app.theme.accent
        } else {
            app.theme.dim
        })
        .title(Line::from(spans))
}

/// The marker column: `>` on the selected row.
pub fn marker(selected: bool) -> &'static str {
    if selected { ">" } else { " " }
}

/// The style of a row: the selection is highlighted in the focused pane only.
pub fn row_style(app: &App, pane: Pane, selected: bool) -> Style {
    if selected && app.focus == pane {
        app.theme.selected
    } else {
        Style::new()
    }
}

pub fn header<'a>(app: &App, cells: Vec<&'a str>) -> Row<'a> {
    Row::new(cells).style(app.theme.dim.add_modifier(Modifier::BOLD))
}

/// The inner width of a bordered pane.
pub fn inner_width(area: Rect) -> u16 {
    area.width.saturating_sub(2)
}
