//! How keys move through a form (DESIGN.md §20, one rule for every dialog): `Tab`/`↓` next
//! field, `Shift-Tab`/`↑` previous; a field that chooses (a pick, a kind, yes/no) opens its
//! list with `Enter` or by typing, and closes it with `Enter` (keeping the choice) or `Esc`
//! (as it was). Only inside an open list do ↑/↓ change the choice, and the list is drawn
//! while open: the mode is never hidden. `Enter` on a text field and `Ctrl-S` anywhere save.

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use super::{Choice, Field, FieldId, Form, FormKind, complete};
use crate::domain;

/// What a key in a form asks of the dialog around it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormKey {
    /// The form took it (a field moved, a value or a list changed).
    Handled,
    /// Submit the form.
    Save,
    /// Close the dialog, nothing done.
    Cancel,
}

/// The focused field's list while it is open: the field as it was when opened, for `Esc`.
#[derive(Debug, Clone)]
pub(super) struct OpenList {
    before: Box<Field>,
}

impl Form {
    /// Whether the focused field's list is open.
    pub fn list_open(&self) -> bool {
        self.open.is_some()
    }

    /// The footer for the focused field as it is now.
    pub fn keys(&self) -> &'static str {
        self.fields
            .get(self.focus)
            .map_or(super::TEXT_KEYS, |f| f.choice.keys(self.list_open()))
    }

    pub fn on_key(&mut self, key: KeyEvent) -> FormKey {
        if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('s') {
            return match self.settle_list() {
                Ok(()) => FormKey::Save,
                Err(e) => {
                    self.error = Some(e);
                    FormKey::Handled
                }
            };
        }
        if self.open.is_some() {
            self.on_list_key(key);
            return FormKey::Handled;
        }
        if key.code == KeyCode::Tab && self.complete_host() {
            return FormKey::Handled;
        }
        self.completion = None;
        let Some(field) = self.fields.get_mut(self.focus) else {
            return FormKey::Cancel;
        };
        let choosing = !matches!(field.choice, Choice::Text);
        match key.code {
            KeyCode::Esc => return FormKey::Cancel,
            KeyCode::Enter if !choosing => return FormKey::Save,
            KeyCode::Enter => self.open_list(),
            KeyCode::Tab | KeyCode::Down => self.move_focus(1),
            KeyCode::BackTab | KeyCode::Up => self.move_focus(-1),
            _ if field.choice.change_in_place(key) => self.error = None,
            KeyCode::Char(_) if choosing => {
                // Typing in a pick opens its list and starts its filter.
                self.open_list();
                self.type_into_focused(key);
            }
            _ if choosing => {}
            _ => self.type_into_focused(key),
        }
        FormKey::Handled
    }

    fn move_focus(&mut self, by: isize) {
        let count = self.fields.len().max(1) as isize;
        self.focus = (self.focus as isize + by).rem_euclid(count) as usize;
    }

    fn open_list(&mut self) {
        if let Some(field) = self.fields.get(self.focus) {
            self.open = Some(OpenList {
                before: Box::new(field.clone()),
            });
            self.error = None;
        }
    }

    /// Keys inside an open list.
    fn on_list_key(&mut self, key: KeyEvent) {
        let Some(field) = self.fields.get_mut(self.focus) else {
            self.open = None;
            return;
        };
        if field.choice.step_in_list(key, field.input.value()) {
            self.error = None;
            return;
        }
        match key.code {
            KeyCode::Esc => {
                if let Some(open) = self.open.take() {
                    *field = *open.before;
                }
            }
            KeyCode::Enter => {
                if let Err(e) = self.settle_list() {
                    self.error = Some(e);
                }
            }
            KeyCode::Tab | KeyCode::BackTab => match self.settle_list() {
                Ok(()) => self.move_focus(if key.code == KeyCode::Tab { 1 } else { -1 }),
                Err(e) => self.error = Some(e),
            },
            _ if field.choice.change_in_place(key) => {}
            _ if matches!(field.choice, Choice::Pick(_)) => self.type_into_focused(key),
            _ => {}
        }
    }

    /// Closes the open list keeping its choice, or says why it cannot: a filter that matches
    /// nothing stays, with what to do.
    fn settle_list(&mut self) -> Result<(), String> {
        if self.open.is_none() {
            return Ok(());
        }
        let Some(field) = self.fields.get_mut(self.focus) else {
            self.open = None;
            return Ok(());
        };
        let filter = field.input.value().trim().to_string();
        if let Choice::Pick(p) = &field.choice
            && !filter.is_empty()
            && p.matching(&filter).is_empty()
        {
            let what = field.label().to_lowercase();
            return Err(format!(
                "no {what} matches {filter:?}: Backspace widens the list (Esc puts it back)"
            ));
        }
        field.input = Input::default();
        self.open = None;
        self.error = None;
        Ok(())
    }

    /// A key typed into the focused field's text (a text field's value, a pick's filter).
    fn type_into_focused(&mut self, key: KeyEvent) {
        let Some(field) = self.fields.get_mut(self.focus) else {
            return;
        };
        let id = field.id;
        if field.input.handle_event(&Event::Key(key)).is_some() {
            field.choice.typed(field.input.value());
            self.error = None;
            self.follow_network(id);
        }
    }

    /// Tab in a server form's Host field: the next ssh alias that completes what was typed
    /// (the matches are listed under the field); `false` when there is none (Tab moves on).
    fn complete_host(&mut self) -> bool {
        let cycle = self.completion.take();
        let Some(field) = self.fields.get_mut(self.focus) else {
            return false;
        };
        if field.id != FieldId::Host {
            return false;
        }
        match complete::next(&self.aliases, field.input.value(), cycle.as_ref()) {
            Some((value, cycle)) => {
                field.input = Input::new(value);
                self.completion = Some(cycle);
                self.error = None;
                true
            }
            None => false,
        }
    }

    /// While Tab completes the Host field: the aliases that match, and which one is shown.
    pub fn completions(&self) -> Option<(Vec<&str>, usize)> {
        let cycle = self.completion.as_ref()?;
        Some((complete::matches(&self.aliases, cycle.stem()), cycle.at()))
    }

    /// In the create form the default name tracks the network until the name is edited.
    fn follow_network(&mut self, edited: FieldId) {
        if !matches!(self.kind, FormKind::CreateDestination { .. }) {
            return;
        }
        match edited {
            FieldId::Name => self.name_edited = true,
            FieldId::Network if !self.name_edited => {
                let name = domain::default_destination_name(
                    &self.server_name,
                    self.value(FieldId::Network),
                );
                if let Some(f) = self.fields.iter_mut().find(|f| f.id == FieldId::Name) {
                    f.input = Input::new(name);
                }
            }
            _ => {}
        }
    }
}
