//! The TUI's words for what the layers below report. Every error and every warning the TUI
//! shows becomes text here, once: this is where a TUI-specific hint (a key rather than a CLI
//! flag) is added to a typed error.

use super::app::sanitize::clean_str;
use crate::domain::{Error, Warning};

/// The line the TUI shows for `error`. A daemon's or server's words may be inside, so the text
/// is cleaned (DESIGN.md §9) like every other string a task brings back.
pub fn error_text(error: &Error) -> String {
    let mut text = error.to_string();
    clean_str(&mut text);
    text
}

/// The line the TUI shows for one of an `Outcome`'s warnings (cleaned when it arrived).
pub fn warning_text(warning: &Warning) -> String {
    warning.to_string()
}
