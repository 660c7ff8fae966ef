//! Messages (DESIGN.md §20): what the app tells the admin on its own — alerts, warnings,
//! results, live changes — is logged for the Messages view and shown in the status line until
//! something newer comes. Periodic reads (a rescan a live event asked for, the background
//! check, usage) tell nothing unless they find something new. The keys of the open view.

use crossterm::event::{KeyCode, KeyEvent};

use super::{App, Status};
use crate::domain::rfc3339;
use crate::ops::{CheckRow, HealthStatus};
use crate::tui::keymap::Command;
use crate::tui::panes::messages::{Level, Message, page};

impl App {
    /// Tells `text` about `object` on `server`, now: logged, and shown in the status line.
    pub(super) fn tell(&mut self, level: Level, server: &str, object: &str, text: String) {
        let time = rfc3339((self.clock)());
        self.tell_at(time, level, server, object, text);
    }

    /// Tells what happened at `time` (RFC 3339): a live change carries its event's time.
    pub(super) fn tell_at(
        &mut self,
        time: String,
        level: Level,
        server: &str,
        object: &str,
        text: String,
    ) {
        self.status = Status {
            text: text.clone(),
            error: level != Level::Info,
        };
        let page = self.messages_page();
        self.messages.push(
            Message {
                time,
                level,
                server: server.to_string(),
                object: object.to_string(),
                text,
            },
            page,
        );
    }

    /// A check found `row`'s destination in another state than the last one known: told
    /// (an unknown state — its server unreachable — is the server's news, not the
    /// destination's).
    pub(super) fn tell_health_change(&mut self, row: &CheckRow) {
        let before = self.health.get(&row.uuid).map(|h| h.status);
        let news = match before {
            _ if row.status == HealthStatus::Unknown => false,
            Some(HealthStatus::Unknown) | None => row.status != HealthStatus::Ok,
            Some(before) => before != row.status,
        };
        if !news {
            return;
        }
        let text = match before {
            Some(before) if before != HealthStatus::Unknown => format!(
                "{} {} → {}",
                row.destination,
                before.as_str(),
                row.status.as_str()
            ),
            _ => format!("{} is {}", row.destination, row.status.as_str()),
        };
        let level = if row.status == HealthStatus::Ok {
            Level::Info
        } else {
            Level::Alert
        };
        let server = self.server_of(&row.uuid);
        self.tell(level, &server, &row.destination, text);
    }

    /// The name of the server of the destination `uuid` (empty when unknown).
    pub(super) fn server_of(&self, uuid: &str) -> String {
        self.destinations
            .iter()
            .find(|d| d.uuid == uuid)
            .map(|d| d.server.clone())
            .unwrap_or_default()
    }

    fn messages_page(&self) -> usize {
        page(self.areas().messages)
    }

    /// `m`: the Messages view opens over whatever was open (help, details), newest first.
    pub(super) fn open_messages(&mut self) {
        self.help = false;
        self.help_scroll = 0;
        self.close_details();
        self.filter_input = None;
        let page = self.messages_page();
        self.messages.show(page);
    }
}

/// A key while the Messages view is open: its filter, moving, closing; nothing else acts.
pub(super) fn on_messages_key(app: &mut App, key: KeyEvent) {
    let page = app.messages_page();
    if let Some(input) = &mut app.filter_input {
        match key.code {
            KeyCode::Esc => {
                app.filter_input = None;
                app.messages.filter.clear();
            }
            KeyCode::Enter => app.filter_input = None,
            _ => {
                tui_input::backend::crossterm::EventHandler::handle_event(
                    input,
                    &crossterm::event::Event::Key(key),
                );
                app.messages.filter = input.value().to_string();
            }
        }
        app.messages.refresh(page);
        return;
    }
    let len = app.messages.visible.len();
    let cursor = &mut app.messages.cursor;
    match app.keymap.command(&key) {
        Some(Command::Cancel) if !app.messages.filter.is_empty() => {
            app.messages.filter.clear();
            app.messages.refresh(page);
        }
        Some(Command::Cancel | Command::Messages | Command::Quit) => app.messages.close(),
        Some(Command::Filter) => {
            app.filter_input = Some(tui_input::Input::new(app.messages.filter.clone()));
        }
        Some(Command::Help) => app.help = true,
        Some(Command::Down) => cursor.step(1, len, page),
        Some(Command::Up) => cursor.step(-1, len, page),
        Some(Command::PageDown) => cursor.step(page.max(1) as isize, len, page),
        Some(Command::PageUp) => cursor.step(-(page.max(1) as isize), len, page),
        Some(Command::Top) => cursor.set(0, len, page),
        Some(Command::Bottom) => cursor.set(len.saturating_sub(1), len, page),
        _ => {}
    }
}
