//! The four panes. Each draws only the rows on screen, from the app's state.

pub mod destinations;
pub mod scan;
pub mod servers;
pub mod tasks;

use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Row};

use super::app::{App, Pane};

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
