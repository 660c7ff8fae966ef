//! Keys and mouse: which command a key means where it lands (the details view, a dialog, the
//! filter being typed, the focused pane), and where a click lands.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::Position;

use super::commands::*;
use super::dialogs::on_dialog_key;
use super::messages::on_messages_key;
use super::*;
use crate::tui::dialog::{Confirm, ConfirmKind, Dialog};
use crate::tui::keymap::Command;

// ---------- keys ----------

pub(super) fn on_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    if key.kind == crossterm::event::KeyEventKind::Release {
        return Vec::new();
    }
    if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c') {
        // A second Ctrl-C answers the question the first one asked.
        if matches!(&app.dialog, Some(Dialog::Confirm(c)) if c.kind == ConfirmKind::Quit) {
            return vec![Effect::Quit];
        }
        return quit(app);
    }
    let messages_key = app.keymap.command(&key) == Some(Command::Messages);
    if app.help {
        // A help taller than the screen scrolls; any other key closes it (`m` opens the
        // Messages view in its place).
        if !app.scroll_overlay(key) {
            app.help = false;
            app.help_scroll = 0;
            if messages_key && !app.messages.open {
                app.open_messages();
            }
        }
        return Vec::new();
    }
    if app.details.is_some() && messages_key {
        app.open_messages();
        return Vec::new();
    }
    if app.details.is_some() {
        // Long details (many containers, a long error) scroll on small screens.
        if !app.scroll_overlay(key)
            && matches!(key.code, KeyCode::Esc | KeyCode::Enter | KeyCode::Char('q'))
        {
            app.close_details();
        }
        return Vec::new();
    }
    if app.dialog.is_some() {
        return on_dialog_key(app, key);
    }
    if app.messages.open {
        on_messages_key(app, key);
        return Vec::new();
    }
    if app.filter_input.is_some() {
        on_filter_key(app, key);
        return Vec::new();
    }
    let Some(command) = app.keymap.command(&key) else {
        return Vec::new();
    };
    on_command(app, command)
}

fn on_command(app: &mut App, command: Command) -> Vec<Effect> {
    let pane = app.focus;
    match command {
        Command::Quit => return quit(app),
        Command::Help => app.help = true,
        Command::Messages => app.open_messages(),
        Command::NextPane => app.focus = pane.step(true),
        Command::PrevPane => app.focus = pane.step(false),
        Command::Up => app.move_cursor(pane, |c, len, page| c.step(-1, len, page)),
        Command::Down => app.move_cursor(pane, |c, len, page| c.step(1, len, page)),
        Command::PageUp => app.move_cursor(pane, |c, len, page| {
            c.step(-(page.max(1) as isize), len, page)
        }),
        Command::PageDown => {
            app.move_cursor(pane, |c, len, page| c.step(page.max(1) as isize, len, page))
        }
        Command::Top => app.move_cursor(pane, |c, len, page| c.set(0, len, page)),
        Command::Bottom => {
            app.move_cursor(pane, |c, len, page| c.set(len.saturating_sub(1), len, page))
        }
        // Every pane filters: `/` is never refused, so what is typed next is never read as
        // commands.
        Command::Filter => {
            app.filter_input = Some(tui_input::Input::new(app.filter(pane).to_string()));
        }
        Command::Cancel => {
            if !app.filter(pane).is_empty() {
                app.filter_mut(pane).clear();
                app.refresh_all();
                app.say("filter cleared");
            } else if pane == Pane::Scan && !app.panes.scan.checked_references().is_empty() {
                if let Some(view) = &mut app.panes.scan.view {
                    view.checked.clear();
                }
            } else if pane == Pane::Destinations && !app.panes.destinations.marked.is_empty() {
                app.panes.destinations.marked.clear();
            }
        }
        Command::Scope => {
            let scoped = !app.panes.destinations.scoped;
            app.panes.destinations.scoped = scoped;
            app.refresh_destinations();
            app.say(if scoped {
                "destinations of the selected server"
            } else {
                "destinations of all servers"
            });
        }
        Command::Unused => return toggle_unused(app),
        Command::Scan => return scan_selected(app),
        Command::Toggle => toggle(app),
        Command::SelectAll => select_all(app),
        Command::Import => return import(app),
        Command::Details => return details(app),
        Command::Add => add(app),
        Command::Edit => edit(app),
        Command::Delete => return delete(app),
        Command::Check => return check(app),
        Command::Repair => return repair(app),
        Command::Sync => return sync_selected(app),
        Command::NewResource => new_resource(app),
        Command::CloneResource => clone_resource(app),
        Command::Refresh => return refresh(app),
    }
    Vec::new()
}

/// `q` or Ctrl-C: quits at once unless changes are queued or running; then asks first (reads
/// do not count).
fn quit(app: &mut App) -> Vec<Effect> {
    match app.changes_pending() {
        0 => vec![Effect::Quit],
        changes => {
            app.close_details();
            app.help = false;
            app.close_dialog();
            app.dialog = Some(Dialog::Confirm(Confirm::quit(changes)));
            Vec::new()
        }
    }
}

fn on_filter_key(app: &mut App, key: KeyEvent) {
    let pane = app.focus;
    match key.code {
        KeyCode::Esc => {
            app.filter_input = None;
            app.filter_mut(pane).clear();
        }
        KeyCode::Enter => app.filter_input = None,
        _ => {
            if let Some(input) = &mut app.filter_input {
                tui_input::backend::crossterm::EventHandler::handle_event(
                    input,
                    &crossterm::event::Event::Key(key),
                );
                let text = input.value().to_string();
                *app.filter_mut(pane) = text;
            }
        }
    }
    app.refresh_all();
}

// ---------- mouse ----------

pub(super) fn on_mouse(app: &mut App, mouse: MouseEvent) {
    match mouse.kind {
        MouseEventKind::ScrollDown => return on_wheel(app, mouse, WHEEL_ROWS),
        MouseEventKind::ScrollUp => return on_wheel(app, mouse, -WHEEL_ROWS),
        _ => {}
    }
    if !matches!(mouse.kind, MouseEventKind::Down(MouseButton::Left))
        || app.dialog.is_some()
        || app.help
        || app.details.is_some()
        || app.messages.open
    {
        return;
    }
    let at = Position::new(mouse.column, mouse.row);
    let Some((pane, area)) = pane_at(app, at) else {
        return;
    };
    if pane != app.focus {
        // A filter being typed stays with its pane: what follows is no longer typed into it.
        app.filter_input = None;
    }
    app.focus = pane;
    // Tables have a border and a header line; the Tasks strip only a border.
    let first_row = area.y + if pane == Pane::Tasks { 1 } else { 2 };
    if at.y < first_row {
        return;
    }
    let row = app.cursor(pane).offset + usize::from(at.y - first_row);
    if row < app.len(pane) && usize::from(at.y - first_row) < app.page(pane) {
        app.move_cursor(pane, |c, len, page| c.set(row, len, page));
    }
}

/// Rows one notch of the wheel scrolls.
const WHEEL_ROWS: isize = 3;

/// The pane at `at`, and its area.
fn pane_at(app: &App, at: Position) -> Option<(Pane, ratatui::layout::Rect)> {
    let areas = app.areas();
    [
        (Pane::Servers, areas.servers),
        (Pane::Destinations, areas.destinations),
        (Pane::Scan, areas.scan),
        (Pane::Tasks, areas.tasks),
    ]
    .into_iter()
    .find(|(_, area)| area.contains(at))
}

/// The wheel scrolls what is under the pointer: the help or the details view when open,
/// else the pane's rows `by` rows (the selection stays on a row shown; the focus stays).
fn on_wheel(app: &mut App, mouse: MouseEvent, by: isize) {
    if app.dialog.is_some() || app.messages.open {
        return;
    }
    if app.help || app.details.is_some() {
        let code = if by > 0 { KeyCode::Down } else { KeyCode::Up };
        for _ in 0..by.unsigned_abs() {
            app.scroll_overlay(KeyEvent::from(code));
        }
        return;
    }
    let Some((pane, _)) = pane_at(app, Position::new(mouse.column, mouse.row)) else {
        return;
    };
    app.move_cursor(pane, |c, len, page| {
        let page = page.max(1);
        let last = len.saturating_sub(1);
        c.offset = c
            .offset
            .saturating_add_signed(by)
            .min(len.saturating_sub(page));
        c.selected = c.selected.clamp(c.offset, (c.offset + page - 1).min(last));
    });
}
