use std::time::{Duration, Instant};

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Span;
use ratatui::widgets::Paragraph;

use super::{
    Cell, Column, Cursor, block, cell, inner_width, marker, matches_filter, more, table,
    visible_indexes, with_more,
};
use crate::tasks::TaskId;
use crate::tui::app::{App, Pane};

/// Tasks kept in the Tasks pane; the oldest finished ones go first.
const TASK_HISTORY: usize = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskState {
    Queued,
    Running,
    Done,
    Failed,
}

impl TaskState {
    /// The word the Tasks pane shows (and filters on).
    pub fn as_str(self) -> &'static str {
        match self {
            TaskState::Queued => "queued",
            TaskState::Running => "running",
            TaskState::Done => "done",
            TaskState::Failed => "failed",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct TaskRow {
    pub id: TaskId,
    /// What the task does, named for what it acts on (`delete web-prod`, `scan alpha`).
    pub label: String,
    pub server: String,
    pub state: TaskState,
    pub queued_at: Instant,
    pub started_at: Option<Instant>,
    pub finished_at: Option<Instant>,
    /// Progress while running, the one-line result when done.
    pub note: String,
}

/// The Tasks pane's own state: its rows, which of them the filter shows (by server, action,
/// state or text), its cursor, and how many tasks failed since the pane was last focused.
#[derive(Debug, Default)]
pub struct TasksPane {
    pub rows: Vec<TaskRow>,
    /// Indexes into `rows` that match the filter.
    pub visible: Vec<usize>,
    pub cursor: Cursor,
    pub filter: String,
    /// Tasks failed since the pane was last focused (the badge in its title).
    pub unseen_failed: usize,
}

impl TasksPane {
    /// Lists a task the queue accepted; past `TASK_HISTORY` rows the oldest finished ones go.
    /// The selection follows it only when it was on the newest row: one kept on an older row
    /// stays there.
    pub fn push(&mut self, row: TaskRow, page: usize) {
        let on_newest = self.cursor.selected + 1 >= self.visible.len();
        let selected = self.selected().map(|t| t.id);
        self.rows.push(row);
        while self.rows.len() > TASK_HISTORY {
            match self
                .rows
                .iter()
                .position(|t| matches!(t.state, TaskState::Done | TaskState::Failed))
            {
                Some(i) => {
                    self.rows.remove(i);
                }
                None => break,
            }
        }
        self.visible = self.matching();
        if on_newest {
            let len = self.visible.len();
            self.cursor.set(len.saturating_sub(1), len, page);
        } else {
            self.select(selected, page);
        }
    }

    /// Lists the rows that match the filter; the selection stays on its row while listed.
    pub fn refresh(&mut self, page: usize) {
        let selected = self.selected().map(|t| t.id);
        self.visible = self.matching();
        self.select(selected, page);
    }

    /// Puts the cursor on task `id` if listed, else keeps it inside the list.
    fn select(&mut self, id: Option<TaskId>, page: usize) {
        let len = self.visible.len();
        match id.and_then(|id| self.visible.iter().position(|&i| self.rows[i].id == id)) {
            Some(p) => self.cursor.set(p, len, page),
            None => self.cursor.fit(len, page),
        }
    }

    fn matching(&self) -> Vec<usize> {
        let filter = self.filter.to_lowercase();
        visible_indexes(&self.rows, |t| {
            matches_filter(&filter, &[&t.server, &t.label, t.state.as_str(), &t.note])
        })
    }

    /// The selected row, if any is listed.
    pub fn selected(&self) -> Option<&TaskRow> {
        self.rows.get(self.cursor.row(&self.visible)?)
    }

    pub fn row_mut(&mut self, id: TaskId) -> Option<&mut TaskRow> {
        self.rows.iter_mut().find(|t| t.id == id)
    }

    /// The task `id` ended. A failure counts in the badge unless it was `shown` where the
    /// admin is looking (a form's refusal, shown inside the form).
    pub fn finish(&mut self, id: TaskId, at: Instant, failed: bool, shown: bool, note: String) {
        let Some(row) = self.row_mut(id) else {
            return;
        };
        row.state = if failed {
            TaskState::Failed
        } else {
            TaskState::Done
        };
        row.started_at.get_or_insert(at);
        row.finished_at = Some(at);
        row.note = note;
        if failed && !shown {
            self.unseen_failed += 1;
        }
    }

    /// Whether any task is queued or running.
    pub fn pending(&self) -> bool {
        self.rows
            .iter()
            .any(|t| matches!(t.state, TaskState::Queued | TaskState::Running))
    }
}

const SPINNER: [&str; 8] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧"];

pub fn spinner(app: &App, now: Instant) -> &'static str {
    let tick = now.saturating_duration_since(app.started).as_millis() / 100;
    SPINNER[(tick % SPINNER.len() as u128) as usize]
}

pub fn duration(d: Duration) -> String {
    if d.as_secs() >= 60 {
        format!("{}m{:02}s", d.as_secs() / 60, d.as_secs() % 60)
    } else if d.as_millis() >= 10_000 {
        format!("{}s", d.as_secs())
    } else if d.as_millis() >= 1_000 {
        format!("{:.1}s", d.as_secs_f64())
    } else {
        format!("{}ms", d.as_millis())
    }
}

pub fn render(frame: &mut Frame, area: Rect, app: &App, now: Instant) {
    let pane = &app.panes.tasks;
    let running = pane
        .rows
        .iter()
        .filter(|t| matches!(t.state, TaskState::Queued | TaskState::Running))
        .count();
    let failed = pane.unseen_failed;
    let count = match (running, failed) {
        (0, 0) => String::new(),
        (r, 0) => format!("{r} pending"),
        (0, f) => format!("{f} failed"),
        (r, f) => format!("{r} pending, {f} failed"),
    };
    let outer = block(app, Pane::Tasks, "Tasks", count);
    if pane.visible.is_empty() {
        let text = if pane.rows.is_empty() {
            "remote actions run here, one lane per server"
        } else {
            "none match (Esc clears the filter)"
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
    let visible = usize::from(area.height.saturating_sub(2));
    let rows = pane
        .visible
        .iter()
        .enumerate()
        .skip(cursor.offset)
        .take(visible)
        .map(|(i, &index)| {
            let selected = i == cursor.selected;
            (cells(app, &pane.rows[index], selected, now), selected)
        });
    // No header: the strip is short. Enter shows a task's whole result.
    let outer = with_more(outer, more(app, cursor, visible, pane.visible.len()));
    let table = table(app, Pane::Tasks, &COLUMNS, rows, inner_width(area)).block(outer);
    frame.render_widget(table, area);
}

const COLUMNS: [Column; 7] = [
    Column::fixed("", 1),
    Column::fixed("", 1),
    Column::fixed("", 7),
    // SERVER, the label, the duration, the note: as wide as their cells, the note shares
    // what is left with the label when they are cut.
    Column::new("", 1, 6, 1),
    Column::new("", 2, 12, 3),
    Column::new("", 1, 6, 2),
    Column::new("", 3, 10, 3),
];

/// How a task shows its state: a symbol, a style and a word.
pub fn state_mark(app: &App, t: &TaskRow, now: Instant) -> (&'static str, Style, &'static str) {
    match t.state {
        TaskState::Queued => ("·", app.theme.dim, "queued"),
        TaskState::Running => (spinner(app, now), app.theme.accent, "running"),
        TaskState::Done => ("✓", app.theme.ok, "done"),
        TaskState::Failed => ("✗", app.theme.error, "failed"),
    }
}

/// How long the task ran (or has been running); empty while queued.
pub fn elapsed(t: &TaskRow, now: Instant) -> String {
    match (t.started_at, t.finished_at) {
        (Some(s), Some(f)) => duration(f.saturating_duration_since(s)),
        (Some(s), None) => duration(now.saturating_duration_since(s)),
        (None, _) => String::new(),
    }
}

/// The style of a task's note: an error's, or dim.
pub fn note_style(app: &App, t: &TaskRow) -> Style {
    if t.state == TaskState::Failed {
        app.theme.error
    } else {
        app.theme.dim
    }
}

/// A task's cells, one per column of `COLUMNS`.
fn cells(app: &App, t: &TaskRow, selected: bool, now: Instant) -> Vec<Cell> {
    let (symbol, style, state) = state_mark(app, t, now);
    vec![
        cell(marker(selected)),
        (symbol.to_string(), style),
        (state.to_string(), style),
        cell(t.server.as_str()),
        cell(t.label.as_str()),
        cell(elapsed(t, now)),
        (t.note.clone(), note_style(app, t)),
    ]
}
