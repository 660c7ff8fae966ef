//! How a form is drawn: its fields one row each, the focused pick's list, the hint, the error
//! and the keys, sized so that every field and the keys stay on screen.

use std::time::Instant;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::app::App;
use super::dialog::{Choice, Field, Form, Picker};
use super::overlay::popup;
use super::panes::tasks::spinner;
use super::text::{cut, wrap};

/// The most rows a pick's list takes, however tall the screen.
const LIST_ROWS: u16 = 12;

/// A form: its fields one row each (the focused pick's list below it), then the focused
/// field's hint, the error or progress, and the keys. The list shrinks first, then the info
/// lines go, so the fields, the error and the keys are on screen at any size that holds them.
pub(super) fn render_form(frame: &mut Frame, app: &App, form: &Form, now: Instant) {
    let screen = frame.area();
    let width = FORM_WIDTH.min(screen.width);
    // "> " + the longest label + one space, then "[value]".
    let label_width = form
        .fields
        .iter()
        .map(|f| f.label().len())
        .max()
        .unwrap_or(0) as u16
        + 1;
    let focused = form.fields.get(form.focus);
    let text_width = usize::from(width.saturating_sub(2));
    let tail = tail_lines(app, form, now, text_width);
    let info: Vec<(String, Style)> = form
        .info
        .iter()
        .map(|i| (i.clone(), app.theme.dim))
        .collect();
    let info = wrapped_lines(&info, text_width);
    let tail_h = tail.len() as u16;
    let info_h = info.len() as u16;
    let fields_h = form.fields.len() as u16;
    let room = screen.height.saturating_sub(2 + fields_h + tail_h);
    let list_want = list_rows(form).min(LIST_ROWS);
    let info_h = if info_h + list_want.min(3) <= room {
        info_h
    } else {
        0
    };
    let list_h = list_want.min(room - info_h);
    let inner = popup(
        frame,
        &form.title,
        FORM_WIDTH,
        info_h + fields_h + list_h + tail_h + 2,
        app,
    );
    let [info_area, fields_area, tail_area] = Layout::vertical([
        Constraint::Length(info_h),
        Constraint::Min(0),
        Constraint::Length(tail_h),
    ])
    .areas(inner);
    frame.render_widget(Paragraph::new(info), info_area);
    frame.render_widget(Paragraph::new(tail), tail_area);

    let value_width = usize::from(inner.width.saturating_sub(2 + label_width + 2));
    let lines = field_lines(app, form, label_width, value_width, list_h, inner.width);
    // Squeezed (a tiny screen): the focused field stays in view.
    let total = lines.len() as u16;
    let scroll = (form.focus as u16).min(total.saturating_sub(fields_area.height));
    frame.render_widget(Paragraph::new(lines).scroll((scroll, 0)), fields_area);
    let typing = |f: &Field| match f.choice {
        Choice::Text => true,
        Choice::Pick(_) => form.list_open(),
        Choice::Cycle { .. } => false,
    };
    if let Some(f) = focused
        && !app.form_waiting()
        && typing(f)
    {
        let shown = f.input.visual_scroll(value_width);
        let x = inner.x + 2 + label_width + 1 + (f.input.visual_cursor() - shown) as u16;
        let y = fields_area.y + (form.focus as u16).saturating_sub(scroll);
        if x < inner.right() && y < fields_area.bottom() {
            frame.set_cursor_position(Position::new(x, y));
        }
    }
}

/// Below the fields: the focused field's hint, the error or the work in progress, the keys.
fn tail_lines(app: &App, form: &Form, now: Instant, width: usize) -> Vec<Line<'static>> {
    let focused = form.fields.get(form.focus);
    let status = match (app.form_waiting(), &form.error) {
        (true, _) => (format!("{} working…", spinner(app, now)), app.theme.accent),
        (false, Some(e)) => (format!("! {e}"), app.theme.error),
        (false, None) => (String::new(), Style::new()),
    };
    let tail = [
        (
            format!("  {}", focused.map_or("", |f| f.hint.as_str())),
            app.theme.dim,
        ),
        status,
        (form.keys().to_string(), app.theme.dim),
    ];
    wrapped_lines(&tail, width)
}

/// One row per field (the focused one marked), the focused pick's list of `list_h` rows
/// under it.
fn field_lines<'a>(
    app: &App,
    form: &'a Form,
    label_width: u16,
    value_width: usize,
    list_h: u16,
    width: u16,
) -> Vec<Line<'a>> {
    let mut lines = Vec::new();
    for (i, f) in form.fields.iter().enumerate() {
        let focus = i == form.focus;
        let mut line = vec![
            Span::raw(if focus { "> " } else { "  " }),
            Span::styled(
                format!("{:<width$}", f.label(), width = label_width as usize),
                if focus {
                    app.theme.title
                } else {
                    app.theme.dim
                },
            ),
        ];
        let open = focus && form.list_open();
        line.extend(field_spans(app, f, focus, open, value_width));
        lines.push(Line::from(line));
        if !focus {
            continue;
        }
        match &f.choice {
            Choice::Pick(picker) if open => lines.extend(pick_lines(app, f, picker, list_h, width)),
            Choice::Cycle { options, at } if open => {
                lines.extend(option_lines(app, options, *at, list_h, width))
            }
            _ => {
                if let Some((matches, at)) = form.completions() {
                    lines.extend(option_lines(app, &matches, at, list_h, width));
                }
            }
        }
    }
    lines
}

/// A list of plain options (a cycle's, the ssh aliases Tab completes), `rows` high, scrolled
/// to the one at `at`, which is marked `▸`.
fn option_lines<'a>(
    app: &App,
    options: &[&str],
    at: usize,
    rows: u16,
    width: u16,
) -> Vec<Line<'a>> {
    let rows = usize::from(rows);
    options
        .iter()
        .enumerate()
        .skip((at + 1).saturating_sub(rows))
        .take(rows)
        .map(|(i, o)| {
            let row = format!("  {} {o}", if i == at { "▸" } else { " " });
            let style = if i == at {
                app.theme.selected
            } else {
                Style::new()
            };
            Line::from(Span::styled(cut(&row, usize::from(width)), style))
        })
        .collect()
}

const FORM_WIDTH: u16 = 76;

/// The list rows the focused field wants: an open pick's matches (one row when none match),
/// an open cycle's options, or the aliases Tab is completing.
fn list_rows(form: &Form) -> u16 {
    let Some(f) = form.fields.get(form.focus) else {
        return 0;
    };
    let rows = match &f.choice {
        Choice::Pick(p) if form.list_open() => p.matching(f.input.value()).len().max(1),
        Choice::Cycle { options, .. } if form.list_open() => options.len(),
        _ => form.completions().map_or(0, |(matches, _)| matches.len()),
    };
    u16::try_from(rows).unwrap_or(u16::MAX)
}

/// A field's value: text scrolled to its cursor, every option with the chosen one in
/// brackets, a pick's filter while its list is open (with where the choice is) or else its
/// choice (focused: how to open the list).
fn field_spans<'a>(
    app: &App,
    f: &'a Field,
    focus: bool,
    open: bool,
    width: usize,
) -> Vec<Span<'a>> {
    let style = if focus {
        Style::new().add_modifier(Modifier::BOLD)
    } else {
        Style::new()
    };
    let typed = || {
        let from = f.input.visual_scroll(width);
        let text: String = f.input.value().chars().skip(from).take(width).collect();
        Span::styled(format!("[{text}]"), style)
    };
    match &f.choice {
        Choice::Text => vec![typed()],
        Choice::Cycle { options, at } => options
            .iter()
            .enumerate()
            .map(|(i, o)| {
                if i == *at {
                    Span::styled(format!("[{o}] "), style)
                } else {
                    Span::styled(format!(" {o}  "), app.theme.dim)
                }
            })
            .collect(),
        Choice::Pick(p) if open => {
            let shown = p.matching(f.input.value());
            let at = p.chosen.and_then(|c| shown.iter().position(|&i| i == c));
            let place = match at {
                Some(at) => format!("  {} of {} · type to filter", at + 1, shown.len()),
                None => format!("  {} to choose from · type to filter", shown.len()),
            };
            vec![typed(), Span::styled(place, app.theme.dim)]
        }
        Choice::Pick(p) => {
            let mut spans = match p.chosen() {
                Some(c) => vec![Span::styled(format!("[{}]", c.label), style)],
                None => vec![
                    Span::raw("[]"),
                    Span::styled("  none chosen", app.theme.dim),
                ],
            };
            if focus {
                let more = format!("  Enter or type: {} to choose from", p.items.len());
                spans.push(Span::styled(more, app.theme.dim));
            }
            spans
        }
    }
}

/// The focused pick's list, `rows` high, scrolled to its choice; the choice marked `▸` and
/// highlighted; rows too long for `width` end in `…`.
fn pick_lines<'a>(app: &App, f: &Field, p: &'a Picker, rows: u16, width: u16) -> Vec<Line<'a>> {
    let filter = f.input.value();
    let shown = p.matching(filter);
    if shown.is_empty() {
        let what = f.label().to_lowercase();
        return vec![Line::from(Span::styled(
            cut(
                &format!("    no {what} matches {:?}", filter.trim()),
                usize::from(width),
            ),
            app.theme.error,
        ))];
    }
    let rows = usize::from(rows);
    let at = p
        .chosen
        .and_then(|c| shown.iter().position(|&i| i == c))
        .unwrap_or(0);
    let label_width = shown
        .iter()
        .map(|&i| p.items[i].label.chars().count())
        .max()
        .unwrap_or(0);
    shown
        .iter()
        .skip((at + 1).saturating_sub(rows))
        .take(rows)
        .map(|&i| {
            let c = &p.items[i];
            let chosen = p.chosen == Some(i);
            let row = format!(
                "  {} {:<label_width$}  {}",
                if chosen { "▸" } else { " " },
                c.label,
                c.detail
            );
            Line::from(Span::styled(
                cut(&row, usize::from(width)),
                if chosen {
                    app.theme.selected
                } else {
                    Style::new()
                },
            ))
        })
        .collect()
}

/// Each text in its style, wrapped exactly (`text::wrap`): the form knows how many rows its
/// error and keys take.
fn wrapped_lines(texts: &[(String, Style)], width: usize) -> Vec<Line<'static>> {
    let lines: Vec<Line> = texts
        .iter()
        .map(|(text, style)| Line::from(Span::styled(text.as_str(), *style)))
        .collect();
    wrap(&lines, u16::try_from(width).unwrap_or(u16::MAX))
}
