//! Fields a form chooses rather than types (DESIGN.md §3 "dialogs choose"): one of a few
//! fixed options changed in place (a kind, yes/no), or one of a list of candidates filtered by
//! what is typed (a destination, a resource). A pick can only ever be one of its candidates.

use crossterm::event::{KeyCode, KeyEvent};

use crate::ops::DestinationView;

/// How a field takes its value.
#[derive(Debug, Clone)]
pub enum Choice {
    /// Typed text: the field's `input`.
    Text,
    /// One of `options`: ←/→ or space change it, its first letter picks it; Enter lists them.
    Cycle {
        options: &'static [&'static str],
        at: usize,
    },
    /// One of a list, opened by Enter or by typing; the field's `input` is the filter.
    Pick(Picker),
}

/// The keys a field answers, as the form's footer says them: a text field; a closed cycle or
/// pick; an open list (DESIGN.md §20: one rule for every dialog).
pub const TEXT_KEYS: &str = "Enter save · Tab/↑↓ field · Esc cancel";
const CYCLE_KEYS: &str = "←→ change · Enter list · ↑↓ field · Ctrl-S save · Esc cancel";
const PICK_KEYS: &str = "Type/Enter list · Tab/↑↓ field · Ctrl-S save · Esc cancel";
const LIST_KEYS: &str = "↑↓ choose · Enter close · Esc undo · Ctrl-S save";

/// Rows a page key moves in a list.
const PAGE: isize = 10;

/// One thing a pick can choose.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// What the task is given (a uuid, or a name that is unique).
    pub key: String,
    /// What the list shows and the filter matches.
    pub label: String,
    /// Shown dim beside the label (its server, its network); matched too.
    pub detail: String,
}

impl Candidate {
    pub fn destination(d: &DestinationView) -> Self {
        Candidate {
            key: d.uuid.to_string(),
            label: d.name.clone(),
            detail: format!("on {} · network {}", d.server, d.network),
        }
    }

    pub fn named(name: &str) -> Self {
        Candidate {
            key: name.to_string(),
            label: name.to_string(),
            detail: String::new(),
        }
    }

    fn matches(&self, filter: &str) -> bool {
        let filter = filter.trim().to_lowercase();
        self.label.to_lowercase().contains(&filter) || self.detail.to_lowercase().contains(&filter)
    }
}

#[derive(Debug, Clone, Default)]
pub struct Picker {
    pub items: Vec<Candidate>,
    /// Index into `items`; nothing until chosen when there is a real choice to make.
    pub chosen: Option<usize>,
}

impl Picker {
    /// `items`, with the one keyed `preselected` chosen, or the only one.
    pub fn new(items: Vec<Candidate>, preselected: Option<&str>) -> Self {
        let chosen = match (items.len(), preselected) {
            (1, _) => Some(0),
            (_, Some(key)) => items.iter().position(|c| c.key == key),
            _ => None,
        };
        Picker { items, chosen }
    }

    /// Indexes into `items` of those matching `filter` (any case, label or detail).
    pub fn matching(&self, filter: &str) -> Vec<usize> {
        (0..self.items.len())
            .filter(|&i| self.items[i].matches(filter))
            .collect()
    }

    pub fn chosen(&self) -> Option<&Candidate> {
        self.chosen.and_then(|i| self.items.get(i))
    }

    /// Moves the choice `by` rows within the matching items, stopping at either end; from
    /// nothing, down starts at the first and up at the last.
    fn step(&mut self, filter: &str, by: isize) {
        let shown = self.matching(filter);
        let Some(last) = shown.len().checked_sub(1) else {
            return;
        };
        let at = match self.chosen.and_then(|c| shown.iter().position(|&i| i == c)) {
            Some(at) => at.saturating_add_signed(by).min(last),
            None if by > 0 => 0,
            None => last,
        };
        self.chosen = Some(shown[at]);
    }

    /// After the filter changed: the choice stays while it matches, else the first match (a
    /// filter emptied chooses nothing).
    fn refilter(&mut self, filter: &str) {
        let shown = self.matching(filter);
        if !self.chosen.is_some_and(|c| shown.contains(&c)) {
            self.chosen = shown.first().copied().filter(|_| !filter.trim().is_empty());
        }
    }
}

impl Choice {
    /// Yes/no, `no` first.
    pub fn toggle(on: bool) -> Self {
        Choice::Cycle {
            options: &["no", "yes"],
            at: usize::from(on),
        }
    }

    /// The footer of a form whose focused field is this one, its list `open` or not.
    pub fn keys(&self, open: bool) -> &'static str {
        match (self, open) {
            (Choice::Text, _) => TEXT_KEYS,
            (Choice::Cycle { .. }, false) => CYCLE_KEYS,
            (Choice::Cycle { .. } | Choice::Pick(_), true) => LIST_KEYS,
            (Choice::Pick(_), false) => PICK_KEYS,
        }
    }

    /// A closed cycle changed in place (←/→, space, a letter); `false` leaves the key to the
    /// form. Nothing is ever typed into a cycle.
    pub(super) fn change_in_place(&mut self, key: KeyEvent) -> bool {
        let Choice::Cycle { options, at } = self else {
            return false;
        };
        let n = options.len();
        match key.code {
            KeyCode::Left => *at = (*at + n - 1) % n,
            KeyCode::Right | KeyCode::Char(' ') => *at = (*at + 1) % n,
            // A letter picks the option it starts; nothing here is typed.
            KeyCode::Char(c) => {
                let c = c.to_ascii_lowercase();
                if let Some(i) = options.iter().position(|o| o.starts_with(c)) {
                    *at = i;
                }
            }
            KeyCode::Backspace | KeyCode::Delete => {}
            _ => return false,
        }
        true
    }

    /// In an open list: ↑/↓ and the page keys move the choice (within what `filter`
    /// matches), stopping at either end; `false` for any other key.
    pub(super) fn step_in_list(&mut self, key: KeyEvent, filter: &str) -> bool {
        let by = match key.code {
            KeyCode::Up => -1,
            KeyCode::Down => 1,
            KeyCode::PageUp => -PAGE,
            KeyCode::PageDown => PAGE,
            KeyCode::Home => -isize::MAX,
            KeyCode::End => isize::MAX,
            _ => return false,
        };
        match self {
            Choice::Text => return false,
            Choice::Cycle { options, at } => {
                *at = at.saturating_add_signed(by).min(options.len() - 1);
            }
            // Home and End go to either end, whatever was chosen (or nothing).
            Choice::Pick(picker) if by.abs() == isize::MAX => {
                picker.chosen = None;
                picker.step(filter, -by.signum());
            }
            Choice::Pick(picker) => picker.step(filter, by),
        }
        true
    }

    /// After the field's input changed.
    pub(super) fn typed(&mut self, filter: &str) {
        if let Choice::Pick(picker) = self {
            picker.refilter(filter);
        }
    }
}
