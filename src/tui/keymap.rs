//! Keys to commands. The letter keys come from the config file (`[keys]`, defaults embedded
//! from assets/default-config.toml); navigation keys are fixed.

use std::collections::{BTreeMap, HashMap};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::domain::Error;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Command {
    Quit,
    Help,
    Scan,
    Import,
    Add,
    Edit,
    Delete,
    Check,
    Refresh,
    Filter,
    Toggle,
    SelectAll,
    /// Destinations pane: all servers, or the selected server only.
    Scope,
    /// Destinations pane: only the unused ones (nothing but the proxy attached), or all.
    Unused,
    Repair,
    /// Servers pane: adopt what other data directories made on the selected server.
    Sync,
    NewResource,
    CloneResource,
    /// The Messages view, from anywhere.
    Messages,
    NextPane,
    PrevPane,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    Details,
    Cancel,
}

/// The configurable commands: config name, command, default key, what help says.
pub const CONFIGURABLE: &[(&str, Command, char, &str)] = &[
    ("quit", Command::Quit, 'q', "quit (Ctrl-C too)"),
    ("help", Command::Help, '?', "this help"),
    (
        "messages",
        Command::Messages,
        'm',
        "messages: alerts, results, live changes",
    ),
    (
        "scan",
        Command::Scan,
        's',
        "scan the selected server's networks",
    ),
    (
        "import",
        Command::Import,
        'i',
        "import the checked networks",
    ),
    (
        "add",
        Command::Add,
        'a',
        "add a server / create a destination",
    ),
    ("edit", Command::Edit, 'e', "edit a server / a destination"),
    ("delete", Command::Delete, 'd', "delete (asks first)"),
    (
        "check",
        Command::Check,
        'c',
        "check a server / the destinations",
    ),
    (
        "refresh",
        Command::Refresh,
        'r',
        "reload records, re-check servers, rescan",
    ),
    ("filter", Command::Filter, '/', "filter the pane"),
    (
        "toggle",
        Command::Toggle,
        ' ',
        "mark a network / a destination",
    ),
    (
        "select_all",
        Command::SelectAll,
        'A',
        "mark all importable networks / all shown",
    ),
    (
        "scope",
        Command::Scope,
        'v',
        "destinations: all servers or the selected one",
    ),
    (
        "unused",
        Command::Unused,
        'u',
        "destinations: only the unused ones, or all",
    ),
    (
        "repair",
        Command::Repair,
        'R',
        "repair a missing / proxy-detached destination",
    ),
    (
        "sync",
        Command::Sync,
        'S',
        "sync: adopt what other admins made here",
    ),
    (
        "new_resource",
        Command::NewResource,
        'n',
        "deploy a resource on the selected server",
    ),
    (
        "clone",
        Command::CloneResource,
        'C',
        "clone a resource of the selected destination",
    ),
];

/// Keys that are not configurable, for the help screen.
pub const FIXED: &[(&str, &str)] = &[
    (
        "Tab / Shift-Tab",
        "next / previous pane; a click selects a row",
    ),
    (
        "j k ↓ ↑ PgDn PgUp",
        "a row / a page; g G Home End: top, bottom",
    ),
    ("Enter / Esc", "details / close, cancel, clear a filter"),
];

#[derive(Debug, Clone)]
pub struct Keymap {
    chars: HashMap<char, Command>,
    names: HashMap<Command, char>,
}

impl Default for Keymap {
    fn default() -> Self {
        Keymap::from_config(&BTreeMap::new()).unwrap_or_else(|_| unreachable!())
    }
}

impl Keymap {
    /// Defaults for what the config leaves out; an unknown name, a key that is not one
    /// character, a navigation key or a key bound twice is refused.
    pub fn from_config(keys: &BTreeMap<String, String>) -> Result<Self, Error> {
        for name in keys.keys() {
            if !CONFIGURABLE.iter().any(|(n, ..)| n == name) {
                let known: Vec<&str> = CONFIGURABLE.iter().map(|(n, ..)| *n).collect();
                return Err(Error::Invalid(format!(
                    "config [keys]: unknown command {name:?}; known: {}",
                    known.join(", ")
                )));
            }
        }
        let mut chars = HashMap::new();
        let mut names = HashMap::new();
        for (name, command, default, _) in CONFIGURABLE {
            let key = match keys.get(*name) {
                None => *default,
                Some(text) => parse_key(text).ok_or_else(|| {
                    Error::Invalid(format!(
                        "config [keys]: {name} = {text:?}: give one character (or \"space\")"
                    ))
                })?,
            };
            if "jkgG".contains(key) {
                return Err(Error::Invalid(format!(
                    "config [keys]: {name} = {key:?}: j, k, g and G are the movement keys"
                )));
            }
            if let Some(other) = chars.insert(key, *command) {
                let other = CONFIGURABLE
                    .iter()
                    .find(|(_, c, ..)| *c == other)
                    .map_or("?", |(n, ..)| *n);
                return Err(Error::Invalid(format!(
                    "config [keys]: {key:?} is bound to both {other} and {name}"
                )));
            }
            names.insert(*command, key);
        }
        Ok(Keymap { chars, names })
    }

    pub fn command(&self, key: &KeyEvent) -> Option<Command> {
        if key.modifiers.contains(KeyModifiers::CONTROL) {
            return match key.code {
                KeyCode::Char('c') => Some(Command::Quit),
                _ => None,
            };
        }
        Some(match key.code {
            KeyCode::Tab => Command::NextPane,
            KeyCode::BackTab => Command::PrevPane,
            KeyCode::Up => Command::Up,
            KeyCode::Down => Command::Down,
            KeyCode::PageUp => Command::PageUp,
            KeyCode::PageDown => Command::PageDown,
            KeyCode::Home => Command::Top,
            KeyCode::End => Command::Bottom,
            KeyCode::Enter => Command::Details,
            KeyCode::Esc => Command::Cancel,
            KeyCode::Char(c) => match self.chars.get(&c) {
                Some(command) => *command,
                None => match c {
                    'j' => Command::Down,
                    'k' => Command::Up,
                    'g' => Command::Top,
                    'G' => Command::Bottom,
                    _ => return None,
                },
            },
            _ => return None,
        })
    }

    /// How the key of a configurable command is written in hints and help.
    pub fn key_name(&self, command: Command) -> String {
        match self.names.get(&command) {
            Some(' ') => "space".into(),
            Some(c) => c.to_string(),
            None => String::new(),
        }
    }
}

fn parse_key(text: &str) -> Option<char> {
    if text.eq_ignore_ascii_case("space") {
        return Some(' ');
    }
    let mut chars = text.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => Some(c),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
    }

    #[test]
    fn defaults_and_overrides() {
        let map = Keymap::default();
        assert_eq!(map.command(&key('s')), Some(Command::Scan));
        assert_eq!(map.command(&key(' ')), Some(Command::Toggle));
        assert_eq!(map.command(&key('j')), Some(Command::Down));
        let custom = Keymap::from_config(&BTreeMap::from([("scan".into(), "x".into())])).unwrap();
        assert_eq!(custom.command(&key('x')), Some(Command::Scan));
        assert_eq!(custom.command(&key('s')), None);
        assert_eq!(custom.key_name(Command::Toggle), "space");
    }

    #[test]
    fn bad_bindings_are_refused() {
        for (name, value) in [("scan", "q"), ("scan", "xy"), ("scan", "j"), ("nope", "x")] {
            assert!(
                Keymap::from_config(&BTreeMap::from([(name.into(), value.into())])).is_err(),
                "{name} = {value}"
            );
        }
    }
}
