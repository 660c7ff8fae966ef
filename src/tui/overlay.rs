//! What is drawn over the panes: the help, the details view (of a server, a destination, a
//! network or a task) and the dialogs. The help and the details scroll when they do not fit.

use std::time::Instant;

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Paragraph, Wrap};

use super::app::{Addresses, App, Details};
use super::dialog::{Confirm, Dialog, Tone};
use super::keymap::{CONFIGURABLE, FIXED};
use super::panes::destinations::{cpu, memory};
use super::panes::servers::mode_label;
use super::panes::tasks::{TaskState, elapsed, note_style, spinner, state_mark};
use super::text::{cut, wrap};
use crate::domain::Server;
use crate::ops::{DestinationDetails, DestinationUsage, ScanRow, rfc3339};
use crate::tasks::TaskId;

pub fn render(frame: &mut Frame, app: &App, now: Instant) {
    if let Some(details) = &app.details {
        render_details(frame, app, details, now);
    }
    match &app.dialog {
        Some(Dialog::Form(form)) => super::form_view::render_form(frame, app, form, now),
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
pub(super) fn popup(frame: &mut Frame, title: &str, width: u16, height: u16, app: &App) -> Rect {
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
        Details::Server(s, addresses) => {
            let mut lines = server_lines(app, s);
            lines.extend(address_lines(app, addresses));
            (format!("Server {}", s.name), lines)
        }
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
    // A note of several lines (a forwarded command's output) keeps them, indented.
    let note = or_dash(&t.note);
    for (i, part) in note.lines().enumerate() {
        let head = if i == 0 {
            format!("{what:>15}: ")
        } else {
            " ".repeat(17)
        };
        lines.push(Line::from(vec![
            Span::styled(head, app.theme.dim),
            Span::styled(part.to_string(), note_style(app, t)),
        ]));
    }
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
#[allow(clippy::too_many_lines)] // a room to split (issue 29)
fn destination_lines<'a>(app: &App, d: &'a DestinationDetails) -> Vec<Line<'a>> {
    let v = &d.destination;
    let mut lines = vec![
        kv(app, "name", v.name.clone()),
        kv(
            app,
            "status",
            format!("{} · created {}", d.status.as_str(), v.created_at),
        ),
        kv(app, "server", v.server_label()),
        kv(app, "description", opt(&v.description)),
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
        kv(
            app,
            "addresses",
            format!(
                "{} · ip range {} · ipv6 {} · mtu {}",
                if d.subnets.is_empty() {
                    "-".to_string()
                } else {
                    d.subnets.join(", ")
                },
                opt(&d.ip_range),
                yes_no(d.ipv6),
                d.mtu.map_or("-".to_string(), |m| m.to_string())
            ),
        ),
        kv(app, "proxy attached", yes_no(d.proxy_connected)),
    ];
    // A destination adopted from elsewhere and renamed here (DESIGN.md §12).
    if let Some(original) = &v.original_name {
        lines.insert(1, kv(app, "original name", original.clone()));
    }
    let mut labels: Vec<_> = d.labels.iter().collect();
    labels.sort();
    for (k, val) in labels {
        lines.push(kv(app, "label", format!("{k}={val}")));
    }
    for (k, val) in &d.options {
        lines.push(kv(app, "option", format!("{k}={val}")));
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
    // A swarm overlay's containers on the other nodes destui knows (DESIGN.md §13).
    for c in &d.nodes.elsewhere {
        let id: String = c.id.chars().take(12).collect();
        let text = format!("{} ({id}, {}) on {}", c.name, c.state, c.server);
        lines.push(kv(app, "container", text));
    }
    if d.nodes.this_node_only {
        let text = format!("this node only: not counted: {}", d.nodes.unseen.join(", "));
        lines.push(kv(app, "swarm", text));
    }
    lines.push(kv(
        app,
        "resources",
        list_or_none(&d.resources_with_status()),
    ));
    lines.extend(usage_lines(app, app.usage.get(&v.uuid)));
    if let Some(detail) = &d.detail {
        lines.push(Line::from(Span::styled(detail.clone(), app.theme.error)));
    }
    lines
}

/// A destination's usage (read apart from the details, refreshed as they open): the total,
/// then each container with its state, CPU and memory.
fn usage_lines<'a>(app: &App, usage: Option<&DestinationUsage>) -> Vec<Line<'a>> {
    let Some(u) = usage else {
        return vec![kv(app, "usage", "not read yet".into())];
    };
    let mut lines = vec![kv(
        app,
        "usage",
        format!(
            "{} container(s) · CPU {} · memory {} · proxy not counted",
            u.containers.len(),
            cpu(u.cpu_percent),
            memory(u.memory_bytes)
        ),
    )];
    for c in &u.containers {
        let text = match (c.cpu_percent, c.memory_bytes) {
            (Some(p), Some(m)) => {
                format!("{} · {} · CPU {} · {}", c.name, c.state, cpu(p), memory(m))
            }
            _ => format!("{} · {}", c.name, c.state),
        };
        lines.push(Line::from(vec![Span::raw(" ".repeat(17)), Span::raw(text)]));
    }
    lines
}

fn server_lines<'a>(app: &App, s: &Server) -> Vec<Line<'a>> {
    vec![
        kv(app, "name", s.name.clone()),
        kv(app, "host", s.host.clone()),
        kv(app, "address", opt(&s.address)),
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

/// The subnets in use on the server (DESIGN.md §14): one line each, sorted by address, a
/// destination that overlaps another server's marked `overlaps …` in the error colour.
fn address_lines<'a>(app: &App, addresses: &Addresses) -> Vec<Line<'a>> {
    let mut lines = vec![Line::from("")];
    match addresses {
        Addresses::Reading => lines.push(kv(app, "subnets", "reading…".into())),
        Addresses::Failed(error) => lines.push(Line::from(vec![
            Span::styled(format!("{:>15}: ", "subnets"), app.theme.dim),
            Span::styled(error.clone(), app.theme.error),
        ])),
        Addresses::Found(outcome) => {
            if outcome.value.is_empty() {
                lines.push(kv(app, "subnets", "none".into()));
            }
            for r in &outcome.value {
                let what = match &r.destination {
                    Some(d) => format!("destination {d}"),
                    None => format!("{} {}", r.driver, r.scope),
                };
                let mut spans = vec![
                    Span::styled(format!("{:>15}: ", r.subnet), app.theme.dim),
                    Span::raw(format!(
                        "{} · gw {} · {what}",
                        r.network,
                        r.gateway.as_deref().unwrap_or("-")
                    )),
                ];
                if !r.overlaps.is_empty() {
                    spans.push(Span::styled(
                        format!(" · overlaps {}", r.overlaps.join(", ")),
                        app.theme.error,
                    ));
                }
                lines.push(Line::from(spans));
            }
            for w in &outcome.warnings {
                lines.push(Line::from(Span::styled(w.to_string(), app.theme.dim)));
            }
        }
    }
    lines
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

fn render_confirm(frame: &mut Frame, app: &App, confirm: &Confirm) {
    let mut lines: Vec<Line> = confirm
        .lines
        .iter()
        .map(|l| Line::from(l.clone()))
        .collect();
    let footer = match &confirm.check {
        Some(check) => {
            // The report, one line each cut to the box, as many as the screen leaves room for.
            let width = usize::from(76.min(frame.area().width).saturating_sub(2));
            let used = wrapped_height(&lines, 76, frame.area()) + 3;
            let room = usize::from(frame.area().height.saturating_sub(used)).max(1);
            let report = check.lines();
            lines.push(Line::from(""));
            let shown = if report.len() > room {
                room - 1
            } else {
                report.len()
            };
            for (tone, text) in report.iter().take(shown) {
                let style = match tone {
                    Tone::Plain => app.theme.dim,
                    Tone::Warning => app.theme.accent,
                    Tone::Blocked => app.theme.error,
                };
                lines.push(Line::from(Span::styled(cut(text, width), style)));
            }
            if report.len() > shown {
                let more = format!(
                    "… {} more: destui destination delete D --dry-run lists them all",
                    report.len() - shown
                );
                lines.push(Line::from(Span::styled(cut(&more, width), app.theme.dim)));
            }
            check.keys()
        }
        None => "y yes · n no".into(),
    };
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(footer, app.theme.accent)));
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
        let how = if s.local {
            "this machine's Docker socket".to_string()
        } else {
            format!("ssh to {}, then its Docker socket", s.host)
        };
        lines.push(Line::from(format!(
            "{} waiting for Docker on {} to answer ({how})…",
            spinner(app, now),
            s.name
        )));
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
    let keys = if running {
        "Esc closes (the check goes on in Tasks)"
    } else {
        "Esc closes"
    };
    lines.push(Line::from(Span::styled(keys, app.theme.dim)));
    let height = wrapped_height(&lines, 76, frame.area());
    let inner = popup(frame, &format!("Check {}", s.name), 76, height, app);
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}
