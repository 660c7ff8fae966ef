//! Text fitted to a terminal's cells, for both front ends: a cell cut with `…` (never
//! silently) in the TUI's panes and the command line's tables alike.

use ratatui::text::Span;

/// The cells a character takes on screen.
pub(crate) fn char_width(c: char) -> usize {
    Span::raw(c.encode_utf8(&mut [0; 4]).to_string()).width()
}

/// `text` as it fits in `width` cells: whole, or cut with `…` as its last character, so that
/// nothing is ever cut unseen. Every pane's cells, overlay title and cut CLI cell go through here.
pub fn cut(text: &str, width: usize) -> String {
    if Span::raw(text).width() <= width {
        return text.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = char_width(c);
        if used + w + 1 > width {
            break;
        }
        out.push(c);
        used += w;
    }
    if width > 0 {
        out.push('…');
    }
    out
}
