//! Text fitted to the screen: a cell cut with `…` (never silently), and the overlays' lines
//! wrapped so that a long name or error is read whole.

use crate::text::char_width;
pub use crate::text::cut;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

/// `lines` wrapped to `width` cells, as the overlays draw them: a line breaks after its last
/// space that fits (inside a word that has none, such as a long name), and a line of a label
/// and a value (two or more spans, the first narrower than half the width) goes on under the
/// value. Wrapping here, not in the paragraph, makes the count of rows exact for scrolling.
pub fn wrap(lines: &[Line], width: u16) -> Vec<Line<'static>> {
    let width = usize::from(width).max(1);
    let mut out = Vec::new();
    for line in lines {
        let indent = match line.spans.as_slice() {
            [label, _, ..] if label.width() < width / 2 => label.width(),
            _ => 0,
        };
        let mut row: Vec<(char, Style)> = Vec::new();
        let (mut used, mut start, mut after_space) = (0, 0, None);
        for span in &line.spans {
            for c in span.content.chars() {
                let w = char_width(c);
                // A break after a space, past the label; else where the row is full.
                while used + w > width && row.len() > start {
                    let rest = match after_space {
                        Some(at) if at > indent => row.split_off(at),
                        _ => Vec::new(),
                    };
                    out.push(joined(&row));
                    row = vec![(' ', Style::new()); indent];
                    row.extend(rest.into_iter().skip_while(|(c, _)| *c == ' '));
                    start = indent;
                    used = row.iter().map(|(c, _)| char_width(*c)).sum();
                    after_space = row.iter().rposition(|(c, _)| *c == ' ').map(|i| i + 1);
                }
                row.push((c, span.style));
                used += w;
                if c == ' ' {
                    after_space = Some(row.len());
                }
            }
        }
        out.push(joined(&row));
    }
    out
}

/// One line of styled characters, as spans of one style each.
fn joined(row: &[(char, Style)]) -> Line<'static> {
    let mut spans: Vec<Span<'static>> = Vec::new();
    let mut text = String::new();
    let mut style = None;
    for &(c, s) in row {
        if style.is_some_and(|st| st != s) {
            spans.push(Span::styled(
                std::mem::take(&mut text),
                style.unwrap_or_default(),
            ));
        }
        style = Some(s);
        text.push(c);
    }
    if !text.is_empty() {
        spans.push(Span::styled(text, style.unwrap_or_default()));
    }
    Line::from(spans)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cut_ends_in_an_ellipsis_and_fits() {
        assert_eq!(cut("alpha", 5), "alpha");
        assert_eq!(cut("alpha-web", 5), "alph…");
        assert_eq!(cut("alpha", 1), "…");
        assert_eq!(cut("alpha", 0), "");
        assert_eq!(cut("日本語の名前", 5), "日本…");
    }

    fn texts(lines: &[Line]) -> Vec<String> {
        lines.iter().map(|l| l.to_string()).collect()
    }

    #[test]
    fn wrapping_breaks_at_spaces_and_goes_on_under_the_value() {
        let line = Line::from(vec![
            Span::raw("  error: "),
            Span::raw("cannot reach gone now"),
        ]);
        assert_eq!(
            texts(&wrap(&[line], 20)),
            ["  error: cannot ", "         reach gone ", "         now"]
        );
        // A value with no space breaks where the row is full, never after its label.
        let line = Line::from(vec![Span::raw("name: "), Span::raw("x".repeat(20))]);
        assert_eq!(
            texts(&wrap(&[line], 14)),
            ["name: xxxxxxxx", "      xxxxxxxx", "      xxxx"]
        );
        let name = "n".repeat(25);
        assert_eq!(
            texts(&wrap(&[Line::from(name.as_str())], 10)),
            ["nnnnnnnnnn", "nnnnnnnnnn", "nnnnn"]
        );
        assert_eq!(texts(&wrap(&[Line::from("")], 10)), [""]);
    }
}
