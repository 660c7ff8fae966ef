//! Styles, from the config's `[theme]`. With `NO_COLOR` set every style is colourless; the
//! selection marker (`>`) and checkboxes (`[x]`) carry the meaning without colour anyway.

use std::str::FromStr;

use ratatui::style::{Color, Modifier, Style};

use crate::config;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Theme {
    pub accent: Style,
    pub error: Style,
    pub ok: Style,
    pub dim: Style,
    pub selected: Style,
    pub title: Style,
    /// Whether servers' own colours show (not under NO_COLOR).
    pub tints: bool,
}

impl Theme {
    pub fn new(settings: &config::Theme, no_color: bool) -> Self {
        if no_color {
            return Theme::plain();
        }
        let color = |name: &Option<String>, default: Color| {
            name.as_deref()
                .and_then(|n| Color::from_str(n).ok())
                .unwrap_or(default)
        };
        let accent = color(&settings.accent, Color::Cyan);
        Theme {
            accent: Style::new().fg(accent),
            error: Style::new().fg(color(&settings.error, Color::Red)),
            ok: Style::new().fg(Color::Green),
            dim: Style::new().fg(Color::DarkGray),
            selected: Style::new().add_modifier(Modifier::REVERSED),
            title: Style::new().fg(accent).add_modifier(Modifier::BOLD),
            tints: true,
        }
    }

    /// No colour at all; modifiers only.
    pub fn plain() -> Self {
        Theme {
            accent: Style::new(),
            error: Style::new(),
            ok: Style::new(),
            dim: Style::new(),
            selected: Style::new().add_modifier(Modifier::BOLD),
            title: Style::new().add_modifier(Modifier::BOLD),
            tints: false,
        }
    }

    /// The style of a server's name and its destinations: its own colour (DESIGN.md §16),
    /// none without one or under NO_COLOR.
    pub fn server(&self, color: Option<&str>) -> Style {
        match color
            .filter(|_| self.tints)
            .and_then(|c| Color::from_str(c).ok())
        {
            Some(c) => Style::new().fg(c),
            None => Style::new(),
        }
    }

    /// `NO_COLOR` set to anything non-empty (no-color.org).
    pub fn no_color_requested() -> bool {
        std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
    }
}
