//! The four panes, and the Messages view over them. Each file holds one pane's own state (the rows it lists, its cursor and
//! filter, its marks) beside its render, which draws only the rows on screen. The data they
//! list (servers, destinations, health) stays in `App`; `app::update` alone changes any of it.

pub mod destinations;
pub mod messages;
pub mod scan;
pub mod servers;
pub mod tasks;

use std::collections::HashMap;

use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Row, Table};

use super::app::{App, Pane};
use super::text::cut;

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

    /// The row shown under the cursor, as an index into the pane's items: `visible` holds the
    /// indexes of the items the pane shows (after its filter), in the order shown. Every
    /// action on "the selected row" goes through here, so a filtered pane acts on what it shows.
    pub fn row(&self, visible: &[usize]) -> Option<usize> {
        visible.get(self.selected).copied()
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

/// The one filter rule of every pane: a row matches when the lowercased `filter` is found in
/// one of the cells it shows (whether its column fits the width or not: a destination's
/// description too).
fn matches_cells(filter: &str, cells: &[Cell]) -> bool {
    filter.is_empty()
        || cells
            .iter()
            .any(|(text, _)| text.to_lowercase().contains(filter))
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

/// The inner width of a bordered pane.
pub fn inner_width(area: Rect) -> u16 {
    area.width.saturating_sub(2)
}

/// One column of a pane's table.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub title: &'static str,
    pub width: Constraint,
    /// The cells it asks for before it is drawn (at least what it needs to be readable).
    pub min: u16,
    /// How long it stays when the pane is narrow: the lowest gives way first.
    pub keep: u8,
}

impl Column {
    pub const fn new(title: &'static str, width: Constraint, min: u16, keep: u8) -> Self {
        Column {
            title,
            width,
            min,
            keep,
        }
    }

    /// A column that never gives way (the selection marker, a checkbox).
    pub const fn fixed(title: &'static str, width: u16) -> Self {
        Column::new(title, Constraint::Length(width), width, u8::MAX)
    }
}

/// One cell: its text (cut to the column when drawn) and its style.
pub type Cell = (String, Style);

/// A plain cell.
pub fn cell(text: impl Into<String>) -> Cell {
    (text.into(), Style::new())
}

/// Columns are one cell apart.
const COLUMN_SPACING: u16 = 1;

/// Which of `columns` fit in `width` cells: the one with the lowest `keep` (the rightmost of
/// equals) gives way until the others' minimums fit.
fn fitting(columns: &[Column], width: u16) -> Vec<usize> {
    let mut kept: Vec<usize> = (0..columns.len()).collect();
    loop {
        let gaps = COLUMN_SPACING * (kept.len() as u16).saturating_sub(1);
        let need = kept.iter().map(|&i| columns[i].min).sum::<u16>() + gaps;
        if need <= width || kept.len() <= 1 {
            return kept;
        }
        let Some(drop) = (0..kept.len()).min_by_key(|&k| (columns[kept[k]].keep, usize::MAX - k))
        else {
            return kept;
        };
        kept.remove(drop);
    }
}

/// The constraints of the `kept` columns in `width` cells, and the widths they get. A `Fill`
/// column whose share by weight would be less than its `min` (the fixed columns leave little)
/// gets its `min` instead, and the other `Fill` columns share the rest by weight: what
/// `fitting` kept is drawn readable, and the others keep what weight gives them.
fn split(columns: &[Column], kept: &[usize], width: u16) -> (Vec<Constraint>, Vec<usize>) {
    let constraints: Vec<Constraint> = kept.iter().map(|&i| columns[i].width).collect();
    // The same split the table makes (no highlight symbol: the marker is a column).
    let split = |constraints: &[Constraint]| -> Vec<usize> {
        Layout::horizontal(constraints.to_vec())
            .flex(Flex::Start)
            .spacing(COLUMN_SPACING)
            .split(Rect::new(0, 0, width, 1))
            .iter()
            .map(|r| usize::from(r.width))
            .collect()
    };
    let widths = split(&constraints);
    let squeezed = kept.iter().zip(&widths).any(|(&i, &w)| {
        matches!(columns[i].width, Constraint::Fill(_)) && w < usize::from(columns[i].min)
    });
    if !squeezed {
        return (constraints, widths);
    }
    let weight = |c: &Column| match c.width {
        Constraint::Fill(n) => Some(n.max(1)),
        _ => None,
    };
    let fixed: u16 = kept
        .iter()
        .zip(&widths)
        .filter(|(i, _)| weight(&columns[**i]).is_none())
        .map(|(_, &w)| w as u16)
        .sum();
    let gaps = COLUMN_SPACING * (kept.len() as u16).saturating_sub(1);
    let fills: Vec<usize> = kept
        .iter()
        .copied()
        .filter(|&i| weight(&columns[i]).is_some())
        .collect();
    // Water-filling: the share by weight, except that a column whose share falls below its
    // `min` gets its `min`, and the others share what is left (again by weight).
    let mut pinned: Vec<usize> = Vec::new();
    let shares: HashMap<usize, u16> = loop {
        let room = width
            .saturating_sub(fixed + gaps + pinned.iter().map(|&i| columns[i].min).sum::<u16>());
        let free: Vec<usize> = fills
            .iter()
            .copied()
            .filter(|i| !pinned.contains(i))
            .collect();
        let weights: u32 = free
            .iter()
            .filter_map(|&i| weight(&columns[i]))
            .map(u32::from)
            .sum();
        let share = |i: usize| {
            let n = u32::from(weight(&columns[i]).unwrap_or(1));
            (u32::from(room) * n / weights.max(1)) as u16
        };
        let under: Vec<usize> = free
            .iter()
            .copied()
            .filter(|&i| share(i) < columns[i].min)
            .collect();
        if under.is_empty() {
            let mut shares: HashMap<usize, u16> = free.iter().map(|&i| (i, share(i))).collect();
            shares.extend(pinned.iter().map(|&i| (i, columns[i].min)));
            break shares;
        }
        pinned.extend(under);
    };
    let constraints: Vec<Constraint> = kept
        .iter()
        .zip(&widths)
        .map(|(&i, &w)| match shares.get(&i) {
            Some(&share) => Constraint::Length(share),
            None => Constraint::Length(w as u16),
        })
        .collect();
    let widths = split(&constraints);
    (constraints, widths)
}

/// A pane's table in `width` cells: the columns that fit (see `Column::keep`), and each row's
/// cells cut with `…` to the width its column gets. `rows` hold one cell per column of
/// `columns` and whether the row is selected.
pub fn table<'a>(
    app: &App,
    pane: Pane,
    columns: &[Column],
    rows: impl Iterator<Item = (Vec<Cell>, bool)>,
    width: u16,
) -> Table<'a> {
    table_in(app, app.focus == pane, columns, rows, width)
}

/// A table as `table` draws it; the selection is highlighted only when `focused`.
pub fn table_in<'a>(
    app: &App,
    focused: bool,
    columns: &[Column],
    rows: impl Iterator<Item = (Vec<Cell>, bool)>,
    width: u16,
) -> Table<'a> {
    let kept = fitting(columns, width);
    let (constraints, widths) = split(columns, &kept, width);
    let line = |(text, style): &Cell, w: usize| Line::from(Span::styled(cut(text, w), *style));
    let header = Row::new(
        kept.iter()
            .zip(&widths)
            .map(|(&i, &w)| line(&cell(columns[i].title), w))
            .collect::<Vec<_>>(),
    )
    .style(app.theme.dim.add_modifier(Modifier::BOLD));
    let rows: Vec<Row> = rows
        .map(|(cells, selected)| {
            Row::new(
                kept.iter()
                    .zip(&widths)
                    .map(|(&i, &w)| cells.get(i).map_or_else(Line::default, |c| line(c, w)))
                    .collect::<Vec<_>>(),
            )
            .style(if selected && focused {
                app.theme.selected
            } else {
                Style::new()
            })
        })
        .collect();
    let table = Table::new(rows, constraints).column_spacing(COLUMN_SPACING);
    // A table whose columns have no titles (the Tasks strip) has no header line.
    if columns.iter().all(|c| c.title.is_empty()) {
        table
    } else {
        table.header(header)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lowest_keep_gives_way_first() {
        let columns = [
            Column::fixed("", 1),
            Column::new("NAME", Constraint::Fill(1), 10, 4),
            Column::new("SERVER", Constraint::Fill(1), 8, 1),
            Column::new("TYPE", Constraint::Length(10), 10, 2),
            Column::new("CHECK", Constraint::Length(14), 14, 3),
        ];
        assert_eq!(fitting(&columns, 60), vec![0, 1, 2, 3, 4]);
        assert_eq!(fitting(&columns, 40), vec![0, 1, 3, 4]);
        assert_eq!(fitting(&columns, 30), vec![0, 1, 4]);
        assert_eq!(fitting(&columns, 20), vec![0, 1]);
    }

    #[test]
    fn a_kept_fill_column_is_never_squeezed_below_its_min() {
        let columns = [
            Column::new("NAME", Constraint::Fill(3), 12, 5),
            Column::new("SERVER", Constraint::Fill(1), 8, 2),
            Column::new("CHECK", Constraint::Length(14), 14, 3),
        ];
        let kept = fitting(&columns, 40);
        assert_eq!(kept, vec![0, 1, 2]);
        // By weight alone SERVER would get 6 of the 24 left: it gets its min, and NAME keeps
        // all the rest (a column at its min takes no more from the others than it needs).
        let (_, widths) = split(&columns, &kept, 40);
        assert_eq!(widths, vec![16, 8, 14]);
        // With room, the split is by weight as before.
        let (_, widths) = split(&columns, &kept, 100);
        assert_eq!(widths, vec![63, 21, 14]);
    }
}
