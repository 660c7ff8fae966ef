use std::time::{Duration, Instant};

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::Span;
use ratatui::widgets::Paragraph;

use super::{Cell, Column, Cursor, block, cell, inner_width, marker, table};
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

#[derive(Debug, Clone, PartialEq)]
pub struct TaskRow {
    pub id: TaskId,
    pub label: String,
    pub server: String,
    pub state: TaskState,
    pub queued_at: Instant,
    pub started_at: Option<Instant>,
    pub finished_at: Option<Instant>,
    /// Progress while running, the one-line result when done.
    pub note: String,
}

/// The Tasks pane's own state: its rows and cursor. Its rows are not filtered: `/` is refused
/// here, and the filter holds only what was typed when a click moved the focus mid-filter.
#[derive(Debug, Default)]
pub struct TasksPane {
    pub rows: Vec<TaskRow>,
    pub cursor: Cursor,
    pub filter: String,
}

impl TasksPane {
    /// Lists a task the queue accepted and selects it; past `TASK_HISTORY` rows the oldest
    /// finished ones go.
    pub fn push(&mut self, row: TaskRow, page: usize) {
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
        let len = self.rows.len();
        self.cursor.set(len.saturating_sub(1), len, page);
    }

    pub fn row_mut(&mut self, id: TaskId) -> Option<&mut TaskRow> {
        self.rows.iter_mut().find(|t| t.id == id)
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
    let failed = pane
        .rows
        .iter()
        .filter(|t| t.state == TaskState::Failed)
        .count();
    let count = match (running, failed) {
        (0, 0) => String::new(),
        (r, 0) => format!("{r} pending"),
        (0, f) => format!("{f} failed"),
        (r, f) => format!("{r} pending, {f} failed"),
    };
    let outer = block(app, Pane::Tasks, "Tasks", count);
    if pane.rows.is_empty() {
        frame.render_widget(
            Paragraph::new(Span::styled(
                "remote actions run here, one lane per server",
                app.theme.dim,
            ))
            .wrap(ratatui::widgets::Wrap { trim: true })
            .block(outer),
            area,
        );
        return;
    }
    let cursor = pane.cursor;
    let visible = usize::from(area.height.saturating_sub(2));
    let rows = pane
        .rows
        .iter()
        .enumerate()
        .skip(cursor.offset)
        .take(visible)
        .map(|(i, t)| {
            let selected = i == cursor.selected;
            (cells(app, t, selected, now), selected)
        });
    // No header: the strip is short. Enter shows a task's whole result.
    let table = table(app, Pane::Tasks, &COLUMNS, rows, inner_width(area)).block(outer);
    frame.render_widget(table, area);
}

const COLUMNS: [Column; 7] = [
    Column::fixed("", 1),
    Column::fixed("", 1),
    Column::fixed("", 7),
    Column::new("", Constraint::Max(14), 6, 1),
    Column::new("", Constraint::Max(24), 12, 3),
    Column::new("", Constraint::Length(6), 6, 2),
    // Min, not Fill: the note keeps its room before SERVER and the label take their most.
    Column::new("", Constraint::Min(10), 10, 3),
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
