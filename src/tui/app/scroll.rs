//! Scrolling the help and the details view: a line, a page, or to either end, never past
//! the last line (the box is measured as render draws it).

use crossterm::event::{KeyCode, KeyEvent};

use super::App;
use crate::tui::overlay;

impl App {
    /// Scrolls the open help or details view when `key` is a scrolling key; whether it was.
    /// A help that fits has nothing to scroll: every key closes it.
    pub(super) fn scroll_overlay(&mut self, key: KeyEvent) -> bool {
        let (page, max) = overlay::scroll_range(self);
        if self.help && max == 0 {
            return false;
        }
        let offset = if self.help {
            &mut self.help_scroll
        } else {
            &mut self.details_scroll
        };
        let page = page.max(1);
        *offset = match key.code {
            KeyCode::Down | KeyCode::Char('j') => offset.saturating_add(1),
            KeyCode::Up | KeyCode::Char('k') => offset.saturating_sub(1),
            KeyCode::PageDown => offset.saturating_add(page),
            KeyCode::PageUp => offset.saturating_sub(page),
            KeyCode::Home | KeyCode::Char('g') => 0,
            KeyCode::End | KeyCode::Char('G') => max,
            _ => return false,
        }
        .min(max);
        true
    }
}
