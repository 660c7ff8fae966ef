//! Draws the whole screen from the app's state; reads only.

use std::time::Instant;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::app::{App, Pane};
use super::keymap::Command;
use super::text::cut;
use super::{overlay, panes};

pub fn render(frame: &mut Frame, app: &App, now: Instant) {
    let areas = app.areas();
    panes::servers::render(frame, areas.servers, app);
    panes::destinations::render(frame, areas.destinations, app);
    panes::scan::render(frame, areas.scan, app);
    panes::tasks::render(frame, areas.tasks, app, now);
    if app.messages.open {
        panes::messages::render(frame, areas.messages, app);
    }
    status_line(frame, areas.status, app, now);
    overlay::render(frame, app, now);
}

fn status_line(frame: &mut Frame, area: ratatui::layout::Rect, app: &App, now: Instant) {
    let hints = hints(app);
    // Messages not yet seen are counted before the newest one, which the line shows.
    let unread = match app.messages.unread {
        0 => String::new(),
        n => format!("[{n} new: {}] ", app.keymap.key_name(Command::Messages)),
    };
    let unread_width = unread.chars().count() as u16;
    // The message wins: the hints show only where they fit beside it.
    let message_width = app.status.text.chars().count() as u16 + 4 + unread_width;
    let hint_width = hints.chars().count() as u16 + 2;
    let hint_width = if message_width + hint_width <= area.width {
        hint_width
    } else {
        0
    };
    let [left, right] =
        Layout::horizontal([Constraint::Min(10), Constraint::Length(hint_width)]).areas(area);
    let mut spans = Vec::new();
    if app.busy() {
        spans.push(Span::styled(
            format!("{} ", panes::tasks::spinner(app, now)),
            app.theme.accent,
        ));
    }
    if !unread.is_empty() {
        spans.push(Span::styled(unread, app.theme.accent));
    }
    // A message longer than the line ends in `…`; the Messages view shows it all.
    let room = usize::from(left.width)
        .saturating_sub(if app.busy() { 2 } else { 0 })
        .saturating_sub(usize::from(unread_width));
    if app.status.error {
        spans.push(Span::styled(
            cut(&format!("! {}", app.status.text), room),
            app.theme.error,
        ));
    } else {
        spans.push(Span::raw(cut(&app.status.text, room)));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), left);
    frame.render_widget(
        Paragraph::new(Span::styled(hints, app.theme.dim)).right_aligned(),
        right,
    );
}

/// The keys that matter in the focused pane, shortest first.
fn hints(app: &App) -> String {
    let k = |c: Command| app.keymap.key_name(c);
    if app.filter_input.is_some() {
        return "Enter keep · Esc clear".into();
    }
    if app.messages.open {
        return format!("{} filter Esc close", k(Command::Filter));
    }
    let pane_keys = match app.focus {
        Pane::Servers => format!(
            "{} scan {} add {} check",
            k(Command::Scan),
            k(Command::Add),
            k(Command::Check)
        ),
        Pane::Destinations => format!(
            "{} delete {} edit {} mark",
            k(Command::Delete),
            k(Command::Edit),
            k(Command::Toggle)
        ),
        Pane::Scan => format!(
            "{} mark {} import {} all",
            k(Command::Toggle),
            k(Command::Import),
            k(Command::SelectAll)
        ),
        Pane::Tasks => "Tab pane".to_string(),
    };
    format!(
        "{pane_keys} {} help {} quit",
        k(Command::Help),
        k(Command::Quit)
    )
}
