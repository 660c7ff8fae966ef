//! The four panes, and the Messages view over them. Each file holds one pane's own state (the rows it lists, its cursor and
//! filter, its marks) beside its render, which draws only the rows on screen. The data they
//! list (servers, destinations, health) stays in `App`; `app::update` alone changes any of it.

pub mod destinations;
pub mod messages;
pub mod scan;
pub mod servers;
pub mod tasks;

use ratatui::layout::{Constraint, Flex, Rect};
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

/// One column of a pane's table. Its width is shared out by content: never wider than its
/// longest cell on screen (its title included), and cut only when the pane has no room left.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub title: &'static str,
    /// Its share, by weight, of the room left when cells must be cut; 0 for a fixed column.
    pub weight: u16,
    /// The cells it asks for before it is drawn (at least what it needs to be readable; less
    /// when its longest cell is shorter). A fixed column is always this wide.
    pub min: u16,
    /// How long it stays when the pane is narrow: the lowest gives way first.
    pub keep: u8,
    /// The cells it wants before columns that stay less long give way to it (`give_way`).
    pub want: u16,
}

impl Column {
    pub const fn new(title: &'static str, weight: u16, min: u16, keep: u8) -> Self {
        Column {
            title,
            weight,
            min,
            keep,
            want: min,
        }
    }

    /// The same column, wanting `want` cells before those that stay less long give way.
    pub const fn wants(self, want: u16) -> Self {
        Column { want, ..self }
    }

    /// A column that never gives way and is always `width` cells (the selection marker, a
    /// checkbox).
    pub const fn fixed(title: &'static str, width: u16) -> Self {
        Column::new(title, 0, width, u8::MAX)
    }

    fn is_fixed(&self) -> bool {
        self.weight == 0
    }

    /// The cells it needs before anything is cut: its `min`, or its longest cell if shorter.
    fn least(&self, longest: u16) -> u16 {
        if self.is_fixed() {
            self.min
        } else {
            self.min.min(longest)
        }
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

/// A sized column keeps one more blank cell after its text (unless it is the last): with the
/// spacing, two blanks between columns, so that a cell's own spaces (`ok, 1 stopped`) never
/// read as a column's end. After the marker and checkbox columns, one.
const PAD: u16 = 1;

/// The blank cells after the `k`th of the `kept` columns, beyond the spacing.
fn pad(columns: &[Column], kept: &[usize], k: usize) -> u16 {
    if k + 1 < kept.len() && !columns[kept[k]].is_fixed() {
        PAD
    } else {
        0
    }
}

/// The blank cells between the `kept` columns: the spacing and the pads.
fn gaps(columns: &[Column], kept: &[usize]) -> u16 {
    let spacing = COLUMN_SPACING * (kept.len() as u16).saturating_sub(1);
    spacing + (0..kept.len()).map(|k| pad(columns, kept, k)).sum::<u16>()
}

/// The cells `text` takes on screen.
fn text_width(text: &str) -> u16 {
    u16::try_from(Span::raw(text).width()).unwrap_or(u16::MAX)
}

/// The longest cell of each of `columns` among `rows`, its title included.
fn longest(columns: &[Column], rows: &[(Vec<Cell>, bool)]) -> Vec<u16> {
    columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            rows.iter()
                .filter_map(|(cells, _)| cells.get(i))
                .map(|(text, _)| text_width(text))
                .fold(text_width(c.title), u16::max)
        })
        .collect()
}

/// Which of `columns` fit in `width` cells: the one with the lowest `keep` (the rightmost of
/// equals) gives way until the others' least widths (see `Column::least`) fit.
fn fitting(columns: &[Column], longest: &[u16], width: u16) -> Vec<usize> {
    let mut kept: Vec<usize> = (0..columns.len()).collect();
    loop {
        let gaps = gaps(columns, &kept);
        let need = kept
            .iter()
            .map(|&i| columns[i].least(longest[i]))
            .sum::<u16>()
            + gaps;
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

/// The `kept` columns, less those that give way so that a column that stays longer is not cut
/// below what it `want`s: while one is, the lowest `keep` below its own (the rightmost of
/// equals) goes. A very long name is still cut beside every column that stays as long.
fn give_way(columns: &[Column], mut kept: Vec<usize>, longest: &[u16], width: u16) -> Vec<usize> {
    loop {
        let widths = split(columns, &kept, longest, width);
        let short = kept
            .iter()
            .zip(&widths)
            .filter(|&(&i, &w)| !columns[i].is_fixed() && w < columns[i].want.min(longest[i]))
            .map(|(&i, _)| columns[i].keep)
            .max();
        let Some(keep) = short else {
            return kept;
        };
        let Some(drop) = (0..kept.len())
            .filter(|&k| columns[kept[k]].keep < keep)
            .min_by_key(|&k| (columns[kept[k]].keep, usize::MAX - k))
        else {
            return kept;
        };
        kept.remove(drop);
    }
}

/// The widths of the `kept` columns in `width` cells, shared out by content: each starts at
/// its least width, then the room left goes, by weight, to the columns whose longest cell does
/// not fit yet, none past its longest cell. So no column is wider than its longest cell while
/// another is cut; room nobody needs stays blank at the right.
fn split(columns: &[Column], kept: &[usize], longest: &[u16], width: u16) -> Vec<u16> {
    let mut widths: Vec<u16> = kept.iter().map(|&i| columns[i].least(longest[i])).collect();
    let gaps = gaps(columns, kept);
    let mut room = width.saturating_sub(gaps + widths.iter().sum::<u16>());
    while room > 0 {
        let wanting: Vec<usize> = (0..kept.len())
            .filter(|&k| !columns[kept[k]].is_fixed() && widths[k] < longest[kept[k]])
            .collect();
        let weights: u32 = wanting
            .iter()
            .map(|&k| u32::from(columns[kept[k]].weight))
            .sum();
        if wanting.is_empty() || weights == 0 {
            break;
        }
        let mut given = 0;
        for &k in &wanting {
            let share = u32::from(room) * u32::from(columns[kept[k]].weight) / weights;
            let grow = (share as u16).min(longest[kept[k]] - widths[k]);
            widths[k] += grow;
            given += grow;
        }
        if given == 0 {
            // Less room than weight: a cell each, the columns that stay longest first.
            let mut order = wanting;
            order.sort_by_key(|&k| std::cmp::Reverse(columns[kept[k]].keep));
            for k in order.into_iter().take(usize::from(room)) {
                widths[k] += 1;
            }
            break;
        }
        room -= given;
    }
    widths
}

/// A pane's table in `width` cells: the columns that fit (see `Column::keep`), as wide as
/// their cells on screen need (see `split`), and each cell cut with `…` to its column. `rows`
/// hold one cell per column of `columns` and whether the row is selected.
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
    let rows: Vec<(Vec<Cell>, bool)> = rows.collect();
    let headed = !columns.iter().all(|c| c.title.is_empty());
    let longest = longest(columns, &rows);
    let kept = fitting(columns, &longest, width);
    let kept = give_way(columns, kept, &longest, width);
    let widths = split(columns, &kept, &longest, width);
    let line =
        |(text, style): &Cell, w: u16| Line::from(Span::styled(cut(text, usize::from(w)), *style));
    let header = Row::new(
        kept.iter()
            .zip(&widths)
            .map(|(&i, &w)| line(&cell(columns[i].title), w))
            .collect::<Vec<_>>(),
    )
    .style(app.theme.dim.add_modifier(Modifier::BOLD));
    let rows: Vec<Row> = rows
        .iter()
        .map(|(cells, selected)| {
            Row::new(
                kept.iter()
                    .zip(&widths)
                    .map(|(&i, &w)| cells.get(i).map_or_else(Line::default, |c| line(c, w)))
                    .collect::<Vec<_>>(),
            )
            .style(if *selected && focused {
                app.theme.selected
            } else {
                Style::new()
            })
        })
        .collect();
    // A column's pad is blank room of its own, after its (cut) text.
    let constraints: Vec<Constraint> = (0..kept.len())
        .map(|k| Constraint::Length(widths[k] + pad(columns, &kept, k)))
        .collect();
    let table = Table::new(rows, constraints)
        .column_spacing(COLUMN_SPACING)
        .flex(Flex::Start);
    // A table whose columns have no titles (the Tasks strip) has no header line.
    if headed { table.header(header) } else { table }
}

/// The mark of rows off screen, for a pane's bottom border: `↑ 2 ↓ 5 more` (what is above
/// the first row shown, what is below the last), none when every row shows.
pub fn more(app: &App, cursor: Cursor, shown: usize, len: usize) -> Option<Line<'static>> {
    let above = cursor.offset.min(len);
    let below = len.saturating_sub(cursor.offset + shown);
    let text = match (above, below) {
        (0, 0) => return None,
        (a, 0) => format!(" ↑ {a} more "),
        (0, b) => format!(" ↓ {b} more "),
        (a, b) => format!(" ↑ {a} ↓ {b} more "),
    };
    Some(Line::from(Span::styled(text, app.theme.accent)).right_aligned())
}

/// `block` with the mark of rows off screen (see `more`) in its bottom border.
pub fn with_more<'a>(block: Block<'a>, more: Option<Line<'static>>) -> Block<'a> {
    match more {
        Some(line) => block.title_bottom(line),
        None => block,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lowest_keep_gives_way_first() {
        let columns = [
            Column::fixed("", 1),
            Column::new("NAME", 1, 10, 4),
            Column::new("SERVER", 1, 8, 1),
            Column::new("TYPE", 1, 10, 2),
            Column::new("CHECK", 1, 14, 3),
        ];
        let longest = [1, 30, 30, 10, 14];
        assert_eq!(fitting(&columns, &longest, 60), vec![0, 1, 2, 3, 4]);
        // (A sized column keeps a blank more after it, unless it is the last.)
        assert_eq!(fitting(&columns, &longest, 42), vec![0, 1, 3, 4]);
        assert_eq!(fitting(&columns, &longest, 30), vec![0, 1, 4]);
        assert_eq!(fitting(&columns, &longest, 20), vec![0, 1]);
        // A column whose cells are short asks only for them.
        let short = [1, 30, 6, 10, 5];
        assert_eq!(fitting(&columns, &short, 40), vec![0, 1, 2, 3, 4]);
    }

    #[test]
    fn widths_follow_the_content_and_no_column_is_wider_than_its_cells_while_one_is_cut() {
        let columns = [
            Column::fixed("", 1),
            Column::new("NAME", 3, 12, 5),
            Column::new("SERVER", 1, 8, 2),
            Column::new("CHECK", 1, 7, 4),
        ];
        let kept = [0, 1, 2, 3];
        // Room for all: each as wide as its longest cell, the rest blank.
        assert_eq!(
            split(&columns, &kept, &[1, 20, 6, 5], 100),
            vec![1, 20, 6, 5]
        );
        // A long name takes every cell the short columns leave.
        assert_eq!(
            split(&columns, &kept, &[1, 200, 6, 5], 60),
            vec![1, 43, 6, 5]
        );
        // Two long ones share by weight, each from its least width.
        assert_eq!(
            split(&columns, &kept, &[1, 200, 40, 5], 40),
            vec![1, 19, 10, 5]
        );
    }

    #[test]
    fn lower_columns_give_way_while_a_higher_one_is_cut_below_what_it_wants() {
        let columns = [
            Column::new("NAME", 3, 10, 5).wants(20),
            Column::new("SERVER", 1, 6, 2),
            Column::new("TYPE", 1, 10, 1),
            Column::new("CHECK", 1, 7, 5),
        ];
        let all = vec![0, 1, 2, 3];
        // A 30-cell name in 40 cells: TYPE goes, then the name has 24 (all it wants).
        assert_eq!(
            give_way(&columns, all.clone(), &[30, 6, 10, 5], 40),
            vec![0, 1, 3]
        );
        // A short name wants no more than it has: nothing goes.
        assert_eq!(give_way(&columns, all.clone(), &[12, 6, 10, 5], 40), all);
        // With room for 20 of a very long name, everything stays.
        assert_eq!(give_way(&columns, all.clone(), &[200, 6, 10, 5], 60), all);
    }
}
