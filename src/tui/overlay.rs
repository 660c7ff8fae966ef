//! What is drawn over the panes: the help, the details view (of a server, a destination, a
//! network or a task) and the dialogs. The help and the details scroll when they do not fit.

use std::time::Instant;

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Position, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Paragraph, Wrap};

use super::app::{App, Details};
use super::dialog::{Choice, Confirm, Dialog, Field, Form, Picker, TEXT_KEYS};
use super::keymap::{CONFIGURABLE, FIXED};
use super::panes::servers::mode_label;
use super::panes::tasks::{TaskState, elapsed, note_style, spinner, state_mark};
use super::text::{cut, wrap};
use crate::domain::Server;
use crate::ops::{DestinationDetails, ScanRow, rfc3339};
use crate::tasks::TaskId;

pub fn render(frame: &mut Frame, app: &App, now: Instant) {
    if let Some(details) = &app.details {
        render_details(frame, app, details, now);
    }
    match &app.dialog {
        Some(Dialog::Form(form)) => render_form(frame, app, form, now),
        Some(Dialog::Confirm(confirm)) => render_confirm(frame, app, confirm),
        Some(Dialog::ServerCheck { server }) => {
            render_server_check(frame, app, server, app.check_dialog_running(), now)
        }
        None => {}
    }
    if app.help {
        render_help(frame, app);
    }
}

/// The height of `lines` wrapped into a box `width` wide (borders included), so that the
/// last line (the key hint) is never cut off by a long value.
fn wrapped_height(lines: &[Line], width: u16, screen: Rect) -> u16 {
    let inner = usize::from(width.min(screen.width).saturating_sub(2)).max(1);
    let rows: usize = lines.iter().map(|l| l.width().div_ceil(inner).max(1)).sum();
    u16::try_from(rows).unwrap_or(u16::MAX).saturating_add(2)
}

/// A centred box of at most `width` x `height`, shrunk to the screen.
fn popup(frame: &mut Frame, title: &str, width: u16, height: u16, app: &App) -> Rect {
    let screen = frame.area();
    let [area] = Layout::horizontal([Constraint::Length(width.min(screen.width))])
        .flex(Flex::Center)
        .areas(screen);
    let [area] = Layout::vertical([Constraint::Length(height.min(screen.height))])
        .flex(Flex::Center)
        .areas(area);
    frame.render_widget(Clear, area);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Double)
        .border_style(app.theme.accent)
        .title(Span::styled(
            format!(
                " {} ",
                cut(title, usize::from(area.width.saturating_sub(4)))
            ),
            app.theme.title,
        ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    inner
}

/// The help's lines: every key, configurable ones as configured.
fn help_lines(app: &App) -> Vec<Line<'static>> {
    let key = |keys: String| Span::styled(format!("{keys:>16}  "), app.theme.accent);
    let configurable = CONFIGURABLE
        .iter()
        .map(|(_, command, _, what)| (app.keymap.key_name(*command), *what));
    let fixed = FIXED.iter().map(|(keys, what)| (keys.to_string(), *what));
    configurable
        .chain(fixed)
        .map(|(keys, what)| Line::from(vec![key(keys), Span::raw(what)]))
        .collect()
}

const HELP_WIDTH: u16 = 70;
const DETAILS_WIDTH: u16 = 90;

fn render_help(frame: &mut Frame, app: &App) {
    let box_ = Scrolling::new(frame.area(), HELP_WIDTH, &help_lines(app), false);
    let title = if box_.max == 0 {
        "Help — any key closes · letters: config [keys]"
    } else {
        "Help — letters: config [keys]"
    };
    box_.render(frame, app, title, app.help_scroll, "other keys close");
}

/// A box of wrapped lines that scrolls when they do not fit the screen, with a hint line
/// under them that says how much more there is.
struct Scrolling {
    lines: Vec<Line<'static>>,
    width: u16,
    height: u16,
    /// Rows of lines on screen.
    page: u16,
    /// The furthest it scrolls.
    max: u16,
    hint: bool,
}

impl Scrolling {
    /// `lines` in a box at most `width` wide on `screen`; `hint`: a hint line even when all fits.
    fn new(screen: Rect, width: u16, lines: &[Line], hint: bool) -> Self {
        let width = width.min(screen.width);
        let lines = wrap(lines, width.saturating_sub(2));
        let rows = u16::try_from(lines.len()).unwrap_or(u16::MAX);
        let fits = rows.saturating_add(2 + u16::from(hint)) <= screen.height;
        let (height, page) = if fits {
            (rows + 2 + u16::from(hint), rows)
        } else {
            (screen.height, screen.height.saturating_sub(3))
        };
        Scrolling {
            lines,
            width,
            height,
            page,
            max: rows.saturating_sub(page),
            hint: hint || !fits,
        }
    }

    fn render(self, frame: &mut Frame, app: &App, title: &str, scroll: u16, closes: &str) {
        let inner = popup(frame, title, self.width, self.height, app);
        let [body, hint] =
            Layout::vertical([Constraint::Min(1), Constraint::Length(u16::from(self.hint))])
                .areas(inner);
        let scroll = scroll.min(self.max);
        frame.render_widget(Paragraph::new(self.lines).scroll((scroll, 0)), body);
        let text = if self.max == 0 {
            closes.to_string()
        } else {
            let (above, below) = (scroll, self.max - scroll);
            let place = match (above, below) {
                (0, _) => format!("↓ {below} more"),
                (_, 0) => format!("↑ {above}, the end"),
                _ => format!("↑ {above} ↓ {below} more"),
            };
            format!("{place} · j/k scroll, PgUp/PgDn · {closes}")
        };
        let text = cut(&text, usize::from(hint.width));
        frame.render_widget(Span::styled(text, app.theme.dim), hint);
    }
}

/// How far the open help or details view scrolls: (rows on screen, the furthest scroll).
/// `update` keeps the scroll within it; render draws the same box.
pub fn scroll_range(app: &App) -> (u16, u16) {
    let screen = app.size;
    let box_ = if app.help {
        Scrolling::new(screen, HELP_WIDTH, &help_lines(app), false)
    } else if let Some(details) = &app.details {
        let (_, lines) = details_content(app, details, app.started);
        Scrolling::new(screen, DETAILS_WIDTH, &lines, true)
    } else {
        return (0, 0);
    };
    (box_.page, box_.max)
}

fn kv<'a>(app: &App, key: &str, value: String) -> Line<'a> {
    Line::from(vec![
        Span::styled(format!("{key:>15}: "), app.theme.dim),
        Span::raw(value),
    ])
}

fn yes_no(b: Option<bool>) -> String {
    match b {
        Some(true) => "yes".to_string(),
        Some(false) => "no".to_string(),
        None => "?".to_string(),
    }
}

fn opt(v: &Option<String>) -> String {
    v.clone().unwrap_or_else(|| "-".into())
}

/// The details view's title and lines.
fn details_content<'a>(app: &App, details: &'a Details, now: Instant) -> (String, Vec<Line<'a>>) {
    match details {
        Details::Loading { title } => (
            title.clone(),
            vec![Line::from(format!(
                "{} reading the live network…",
                spinner(app, now)
            ))],
        ),
        Details::Failed { title, error } => (
            title.clone(),
            vec![Line::from(Span::styled(error.clone(), app.theme.error))],
        ),
        Details::Destination(d) => (
            format!("Destination {}", d.destination.name),
            destination_lines(app, d),
        ),
        Details::Server(s) => (format!("Server {}", s.name), server_lines(app, s)),
        Details::Network(r) => (format!("Network {}", r.network), network_lines(app, r)),
        Details::Task(id) => task_content(app, *id, now),
    }
}

fn render_details(frame: &mut Frame, app: &App, details: &Details, now: Instant) {
    let (title, lines) = details_content(app, details, now);
    let box_ = Scrolling::new(frame.area(), DETAILS_WIDTH, &lines, true);
    box_.render(frame, app, &title, app.details_scroll, "Esc closes");
}

/// A task's whole result: what it acted on, where, how it went, how long it took, and its
/// full note or error (the Tasks pane shows one line of it).
fn task_content(app: &App, id: TaskId, now: Instant) -> (String, Vec<Line<'static>>) {
    let Some(t) = app.panes.tasks.rows.iter().find(|t| t.id == id) else {
        return (
            "Task".into(),
            vec![Line::from("this task is no longer listed")],
        );
    };
    let (_, style, state) = state_mark(app, t, now);
    let elapsed = elapsed(t, now);
    let mut lines = vec![
        kv(app, "task", t.label.clone()),
        kv(app, "server", or_dash(&t.server)),
        Line::from(vec![
            Span::styled(format!("{:>15}: ", "state"), app.theme.dim),
            Span::styled(state, style),
        ]),
        kv(app, "duration", or_dash(&elapsed)),
    ];
    let what = match t.state {
        TaskState::Failed => "error",
        TaskState::Done => "result",
        TaskState::Queued | TaskState::Running => "progress",
    };
    lines.push(Line::from(vec![
        Span::styled(format!("{what:>15}: "), app.theme.dim),
        Span::styled(or_dash(&t.note), note_style(app, t)),
    ]));
    (format!("Task {}", t.label), lines)
}

/// `text`, or `-` when empty.
fn or_dash(text: &str) -> String {
    if text.is_empty() {
        "-".into()
    } else {
        text.to_string()
    }
}

/// A destination's live details: the network, its labels, every container on it.
fn destination_lines<'a>(app: &App, d: &'a DestinationDetails) -> Vec<Line<'a>> {
    let v = &d.destination;
    let mut lines = vec![
        kv(app, "name", v.name.clone()),
        kv(
            app,
            "status",
            format!("{} · created {}", d.status.as_str(), v.created_at),
        ),
        kv(app, "server", format!("{} ({})", v.server, v.server_ip)),
        kv(app, "network", v.network.clone()),
        kv(app, "network id", v.network_id.clone()),
        kv(
            app,
            "type",
            format!(
                "{} · driver {} · scope {}",
                v.kind,
                opt(&d.driver),
                opt(&d.scope)
            ),
        ),
        kv(
            app,
            "attachable",
            format!("{} · internal {}", yes_no(d.attachable), yes_no(d.internal)),
        ),
        kv(
            app,
            "subnet",
            format!("{} · gateway {}", opt(&d.subnet), opt(&d.gateway)),
        ),
        kv(app, "proxy attached", yes_no(d.proxy_connected)),
    ];
    let mut labels: Vec<_> = d.labels.iter().collect();
    labels.sort();
    for (k, val) in labels {
        lines.push(kv(app, "label", format!("{k}={val}")));
    }
    if d.containers.is_empty() {
        lines.push(kv(app, "containers", "none".into()));
    }
    for c in &d.containers {
        let id: String = c.id.chars().take(12).collect();
        // Stopped and never-started containers count as attached: say which they are.
        let text = if c.state == "running" {
            format!("{} ({id})", c.name)
        } else {
            format!("{} ({id}, {})", c.name, c.state)
        };
        lines.push(kv(app, "container", text));
    }
    lines.push(kv(app, "resources", list_or_none(&d.resources)));
    if let Some(detail) = &d.detail {
        lines.push(Line::from(Span::styled(detail.clone(), app.theme.error)));
    }
    lines
}

fn server_lines<'a>(app: &App, s: &Server) -> Vec<Line<'a>> {
    vec![
        kv(app, "name", s.name.clone()),
        kv(app, "host", s.host.clone()),
        kv(app, "port", s.port.map_or("-".into(), |p| p.to_string())),
        kv(app, "user", opt(&s.user)),
        kv(app, "identity", opt(&s.identity)),
        kv(app, "docker socket", s.docker_socket.clone()),
        kv(app, "proxy container", s.proxy_container.clone()),
        kv(app, "mode", mode_label(s.mode).to_string()),
        kv(app, "online", yes_no(s.checked_at.map(|_| s.online))),
        kv(app, "docker", opt(&s.docker_version)),
        kv(app, "checked", s.checked_at.map_or("never".into(), rfc3339)),
        kv(app, "build server", yes_no(Some(s.build_server))),
        kv(app, "last error", opt(&s.last_error)),
    ]
}

fn network_lines<'a>(app: &App, r: &ScanRow) -> Vec<Line<'a>> {
    vec![
        kv(app, "network", r.network.clone()),
        kv(app, "id", r.id.clone()),
        kv(app, "driver", r.driver.clone()),
        kv(app, "scope", r.scope.clone()),
        kv(app, "importable", yes_no(Some(r.importable))),
        kv(app, "reason", opt(&r.reason)),
        kv(app, "unused", yes_no(Some(r.unused))),
        kv(app, "containers", list_or_none(&r.containers)),
    ]
}

/// `a, b, c`, or `none`.
fn list_or_none(items: &[String]) -> String {
    if items.is_empty() {
        "none".into()
    } else {
        items.join(", ")
    }
}

/// The most rows a pick's list takes, however tall the screen.
const LIST_ROWS: u16 = 12;

/// A form: its fields one row each (the focused pick's list below it), then the focused
/// field's hint, the error or progress, and the keys. The list shrinks first, then the info
/// lines go, so the fields, the error and the keys are on screen at any size that holds them.
fn render_form(frame: &mut Frame, app: &App, form: &Form, now: Instant) {
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
    let waiting = app.form_waiting();
    let text_width = usize::from(width.saturating_sub(2));
    let status = match (waiting, &form.error) {
        (true, _) => (format!("{} working…", spinner(app, now)), app.theme.accent),
        (false, Some(e)) => (format!("! {e}"), app.theme.error),
        (false, None) => (String::new(), Style::new()),
    };
    let tail = [
        (
            format!("  {}", focused.map_or("", |f| f.hint)),
            app.theme.dim,
        ),
        status,
        (
            focused.map_or(TEXT_KEYS, |f| f.choice.keys()).to_string(),
            app.theme.dim,
        ),
    ];
    let tail = wrapped_lines(&tail, text_width);
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
    let list_want = focused.map_or(0, |f| pick_rows(f).min(LIST_ROWS));
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
        line.extend(field_spans(app, f, focus, value_width));
        lines.push(Line::from(line));
        if focus && let Choice::Pick(picker) = &f.choice {
            lines.extend(pick_lines(app, f, picker, list_h, inner.width));
        }
    }
    // Squeezed (a tiny screen): the focused field stays in view.
    let total = lines.len() as u16;
    let scroll = (form.focus as u16).min(total.saturating_sub(fields_area.height));
    frame.render_widget(Paragraph::new(lines).scroll((scroll, 0)), fields_area);
    if let Some(f) = focused
        && !waiting
        && !matches!(f.choice, Choice::Cycle { .. })
    {
        let shown = f.input.visual_scroll(value_width);
        let x = inner.x + 2 + label_width + 1 + (f.input.visual_cursor() - shown) as u16;
        let y = fields_area.y + (form.focus as u16).saturating_sub(scroll);
        if x < inner.right() && y < fields_area.bottom() {
            frame.set_cursor_position(Position::new(x, y));
        }
    }
}

const FORM_WIDTH: u16 = 76;

/// The list rows the focused field wants: a pick's matches (one row when none match).
fn pick_rows(f: &Field) -> u16 {
    match &f.choice {
        Choice::Pick(p) => (p.matching(f.input.value()).len() as u16).max(1),
        _ => 0,
    }
}

/// A field's value: text scrolled to its cursor, every option with the chosen one in
/// brackets, a pick's filter while focused (with where the choice is) or else its choice.
fn field_spans<'a>(app: &App, f: &'a Field, focus: bool, width: usize) -> Vec<Span<'a>> {
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
        Choice::Pick(p) if focus => {
            let shown = p.matching(f.input.value());
            let at = p.chosen.and_then(|c| shown.iter().position(|&i| i == c));
            let place = match at {
                Some(at) => format!("  {} of {} · type to filter", at + 1, shown.len()),
                None => format!("  {} to choose from · type to filter", shown.len()),
            };
            vec![typed(), Span::styled(place, app.theme.dim)]
        }
        Choice::Pick(p) => match p.chosen() {
            Some(c) => vec![Span::styled(format!("[{}]", c.label), style)],
            None => vec![
                Span::raw("[]"),
                Span::styled("  none chosen", app.theme.dim),
            ],
        },
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

fn render_confirm(frame: &mut Frame, app: &App, confirm: &Confirm) {
    let mut lines: Vec<Line> = confirm
        .lines
        .iter()
        .map(|l| Line::from(l.clone()))
        .collect();
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled("y yes · n no", app.theme.accent)));
    let height = wrapped_height(&lines, 76, frame.area());
    let inner = popup(frame, &confirm.title, 76, height, app);
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

fn render_server_check(frame: &mut Frame, app: &App, uuid: &str, running: bool, now: Instant) {
    let Some(s) = app.servers.iter().find(|s| s.uuid == uuid) else {
        return;
    };
    let mut lines = vec![kv(app, "host", s.host.clone())];
    if running {
        lines.push(Line::from(format!("{} checking…", spinner(app, now))));
    } else if s.online {
        lines.push(Line::from(Span::styled("online", app.theme.ok)));
        lines.push(kv(app, "mode", s.mode.to_string()));
        lines.push(kv(
            app,
            "docker",
            s.docker_version.clone().unwrap_or_else(|| "?".into()),
        ));
    } else {
        lines.push(Line::from(Span::styled("offline", app.theme.error)));
        lines.push(Line::from(Span::styled(
            s.last_error.clone().unwrap_or_default(),
            app.theme.error,
        )));
    }
    if let Some(at) = s.checked_at.filter(|_| !running) {
        lines.push(kv(app, "checked", rfc3339(at)));
    }
    lines.push(Line::from(Span::styled("Esc closes", app.theme.dim)));
    let height = wrapped_height(&lines, 76, frame.area());
    let inner = popup(frame, &format!("Check {}", s.name), 76, height, app);
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}
