use std::time::{Duration, Instant};

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Row, Table};

use super::{Cursor, block, marker, row_style};
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
        .map(|(i, t)| row(app, t, i == cursor.selected, now));
    let table = Table::new(
        rows,
        [
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Length(7),
            Constraint::Max(14),
            Constraint::Max(24),
            Constraint::Length(6),
            Constraint::Fill(1),
        ],
    )
    .column_spacing(1)
    .block(outer);
    frame.render_widget(table, area);
}

fn row<'a>(app: &App, t: &'a TaskRow, selected: bool, now: Instant) -> Row<'a> {
    let (symbol, style, state) = match t.state {
        TaskState::Queued => ("·", app.theme.dim, "queued"),
        TaskState::Running => (spinner(app, now), app.theme.accent, "running"),
        TaskState::Done => ("✓", app.theme.ok, "done"),
        TaskState::Failed => ("✗", app.theme.error, "failed"),
    };
    let elapsed = match (t.started_at, t.finished_at) {
        (Some(s), Some(f)) => duration(f.saturating_duration_since(s)),
        (Some(s), None) => duration(now.saturating_duration_since(s)),
        (None, _) => String::new(),
    };
    Row::new(vec![
        Line::from(marker(selected)),
        Line::from(Span::styled(symbol, style)),
        Line::from(Span::styled(state, style)),
        Line::from(t.server.as_str()),
        Line::from(t.label.as_str()),
        Line::from(elapsed),
        Line::from(Span::styled(
            t.note.as_str(),
            if t.state == TaskState::Failed {
                app.theme.error
            } else {
                app.theme.dim
            },
        )),
    ])
    .style(row_style(app, Pane::Tasks, selected))
}
