//! The TUI's state and its one pure update function: `update(&mut App, Action) -> Vec<Effect>`.
//! No terminal, no network: keys and task events come in, tasks to submit go out. Tests drive
//! it directly.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::time::Instant;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::{Position, Rect};

use crate::domain::{self, Server};
use crate::ops::{CheckRow, DestinationDetails, DestinationView, ScanRow};
use crate::tasks::{Task, TaskEvent, TaskId, TaskResult};

use super::dialog::{Confirm, ConfirmKind, Dialog, Form};
use super::keymap::{Command, Keymap};
use super::layout;
use super::theme::Theme;

/// Tasks kept in the Tasks pane; the oldest finished ones go first.
const TASK_HISTORY: usize = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Servers,
    Destinations,
    Scan,
    Tasks,
}

impl Pane {
    const ORDER: [Pane; 4] = [Pane::Servers, Pane::Destinations, Pane::Scan, Pane::Tasks];

    fn step(self, forward: bool) -> Pane {
        let i = Pane::ORDER.iter().position(|p| *p == self).unwrap_or(0);
        let n = Pane::ORDER.len();
        Pane::ORDER[if forward {
            (i + 1) % n
        } else {
            (i + n - 1) % n
        }]
    }
}

/// A selected row and the first row on screen, kept so that the selection stays visible.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cursor {
    pub selected: usize,
    pub offset: usize,
}

impl Cursor {
    fn set(&mut self, selected: usize, len: usize, height: usize) {
        self.selected = selected.min(len.saturating_sub(1));
        self.fit(len, height);
    }

    fn step(&mut self, delta: isize, len: usize, height: usize) {
        let target = self.selected.saturating_add_signed(delta);
        self.set(target, len, height);
    }

    /// Keeps the selection inside the list and on screen.
    fn fit(&mut self, len: usize, height: usize) {
        self.selected = self.selected.min(len.saturating_sub(1));
        let height = height.max(1);
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + height {
            self.offset = self.selected + 1 - height;
        }
        self.offset = self.offset.min(len.saturating_sub(height));
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum ScanState {
    Loading,
    Ready,
    Failed(String),
}

/// The Scan pane: one server's networks and the checked ones.
#[derive(Debug, Clone, PartialEq)]
pub struct ScanView {
    pub server: String,
    pub rows: Vec<ScanRow>,
    pub checked: BTreeSet<String>,
    pub state: ScanState,
    pub task: Option<TaskId>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskState {
    Queued,
    Running,
    Done,
    Failed,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TaskRow {
    pub id: TaskId,
    pub label: String,
    pub server: String,
    pub state: TaskState,
    pub queued_at: Instant,
    pub started_at: Option<Instant>,
    pub finished_at: Option<Instant>,
    /// Progress while running, the one-line result when done.
    pub note: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Details {
    Loading { title: String, task: TaskId },
    Destination(Box<DestinationDetails>),
    Server(Box<Server>),
    Network(Box<ScanRow>),
    Failed { title: String, error: String },
}

/// The status line: the last message, and whether it reports a failure.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Status {
    pub text: String,
    pub error: bool,
}

#[allow(clippy::large_enum_variant)] // see TaskEvent
#[derive(Debug)]
pub enum Action {
    Key(KeyEvent),
    Mouse(MouseEvent),
    Resize(u16, u16),
    Task(TaskEvent),
    /// Sent only while something is pending, to move the spinner.
    Tick,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    Submit(TaskId, Task),
    Quit,
}

#[derive(Debug)]
pub struct App {
    pub keymap: Keymap,
    pub theme: Theme,
    pub size: Rect,
    pub focus: Pane,
    pub servers: Vec<Server>,
    pub destinations: Vec<DestinationView>,
    /// Indexes into `destinations` that the pane shows (scope and filter applied).
    pub visible_destinations: Vec<usize>,
    /// Indexes into `servers` after the filter.
    pub visible_servers: Vec<usize>,
    /// Indexes into the scan rows after the filter.
    pub visible_scan: Vec<usize>,
    /// Show only the selected server's destinations.
    pub scoped: bool,
    pub cursors: HashMap<PaneKey, Cursor>,
    pub filters: HashMap<PaneKey, String>,
    /// The filter being typed, for the focused pane.
    pub filter_input: Option<tui_input::Input>,
    pub scan: Option<ScanView>,
    /// Destinations marked (space) for a bulk delete, by uuid.
    pub marked: BTreeSet<String>,
    /// The last check of each destination, by destination name.
    pub health: HashMap<String, CheckRow>,
    /// Servers with a check in flight, by uuid.
    pub checking: HashSet<String>,
    pub tasks: Vec<TaskRow>,
    pub dialog: Option<Dialog>,
    pub details: Option<Details>,
    pub help: bool,
    pub status: Status,
    /// True until the first load from the store has arrived.
    pub loading: bool,
    pub started: Instant,
    next_task: TaskId,
    /// Tasks the Tasks pane does not list (reloads), and which server each task is for.
    hidden_tasks: HashSet<TaskId>,
    task_servers: HashMap<TaskId, String>,
    /// Reloads asked for by a finished write select this server or destination once loaded.
    select_after_load: Option<(Pane, String)>,
    /// Whether the local Docker socket answered, once probed; and whether it was offered.
    local_reachable: Option<bool>,
    local_offered: bool,
}

/// The panes whose rows have a cursor and a filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PaneKey {
    Servers,
    Destinations,
    Scan,
    Tasks,
}

fn key_of(pane: Pane) -> PaneKey {
    match pane {
        Pane::Servers => PaneKey::Servers,
        Pane::Destinations => PaneKey::Destinations,
        Pane::Scan => PaneKey::Scan,
        Pane::Tasks => PaneKey::Tasks,
    }
}

impl App {
    pub fn new(keymap: Keymap, theme: Theme, size: Rect, now: Instant) -> Self {
        App {
            keymap,
            theme,
            size,
            focus: Pane::Servers,
            servers: Vec::new(),
            destinations: Vec::new(),
            visible_destinations: Vec::new(),
            visible_servers: Vec::new(),
            visible_scan: Vec::new(),
            scoped: false,
            cursors: HashMap::new(),
            filters: HashMap::new(),
            filter_input: None,
            scan: None,
            marked: BTreeSet::new(),
            health: HashMap::new(),
            checking: HashSet::new(),
            tasks: Vec::new(),
            dialog: None,
            details: None,
            help: false,
            status: Status {
                text: "loading records…".into(),
                error: false,
            },
            loading: true,
            started: now,
            next_task: 1,
            hidden_tasks: HashSet::new(),
            task_servers: HashMap::new(),
            select_after_load: None,
            local_reachable: None,
            local_offered: false,
        }
    }

    /// What to run at start-up: load the records, and probe the local Docker socket.
    pub fn start(&mut self) -> Vec<Effect> {
        let mut effects = vec![self.reload()];
        effects.push(self.submit(Task::ProbeLocal));
        effects
    }

    // ---------- queries used by render ----------

    pub fn cursor(&self, pane: Pane) -> Cursor {
        self.cursors.get(&key_of(pane)).copied().unwrap_or_default()
    }

    pub fn filter(&self, pane: Pane) -> &str {
        self.filters.get(&key_of(pane)).map_or("", String::as_str)
    }

    pub fn selected_server(&self) -> Option<&Server> {
        let i = *self
            .visible_servers
            .get(self.cursor(Pane::Servers).selected)?;
        self.servers.get(i)
    }

    pub fn selected_destination(&self) -> Option<&DestinationView> {
        let i = *self
            .visible_destinations
            .get(self.cursor(Pane::Destinations).selected)?;
        self.destinations.get(i)
    }

    pub fn selected_scan_row(&self) -> Option<&ScanRow> {
        let scan = self.scan.as_ref()?;
        let i = *self.visible_scan.get(self.cursor(Pane::Scan).selected)?;
        scan.rows.get(i)
    }

    pub fn server_name(&self, uuid: &str) -> String {
        self.servers
            .iter()
            .find(|s| s.uuid == uuid)
            .map_or_else(|| uuid.to_string(), |s| s.name.clone())
    }

    /// Whether anything is queued or running (the spinner turns only then).
    pub fn busy(&self) -> bool {
        self.tasks
            .iter()
            .any(|t| matches!(t.state, TaskState::Queued | TaskState::Running))
            || !self.checking.is_empty()
            || self.loading
    }

    pub fn areas(&self) -> layout::Areas {
        layout::areas(self.size)
    }

    fn page(&self, pane: Pane) -> usize {
        let areas = self.areas();
        match pane {
            Pane::Servers => layout::server_rows(areas.servers),
            Pane::Destinations => layout::table_rows(areas.destinations),
            Pane::Scan => layout::table_rows(areas.scan),
            Pane::Tasks => usize::from(areas.tasks.height.saturating_sub(2)),
        }
    }

    fn len(&self, pane: Pane) -> usize {
        match pane {
            Pane::Servers => self.visible_servers.len(),
            Pane::Destinations => self.visible_destinations.len(),
            Pane::Scan => self.visible_scan.len(),
            Pane::Tasks => self.tasks.len(),
        }
    }

    fn cursor_mut(&mut self, pane: Pane) -> &mut Cursor {
        self.cursors.entry(key_of(pane)).or_default()
    }

    fn move_cursor(&mut self, pane: Pane, f: impl FnOnce(&mut Cursor, usize, usize)) {
        let (len, page) = (self.len(pane), self.page(pane));
        let before = self.cursor(pane).selected;
        f(self.cursor_mut(pane), len, page);
        if pane == Pane::Servers && before != self.cursor(pane).selected {
            self.server_selection_changed();
        }
    }

    fn server_selection_changed(&mut self) {
        if self.scoped {
            self.refresh_destinations();
        }
    }

    // ---------- derived views ----------

    fn refresh_servers(&mut self) {
        let filter = self.filter(Pane::Servers).to_lowercase();
        self.visible_servers = (0..self.servers.len())
            .filter(|&i| {
                let s = &self.servers[i];
                filter.is_empty()
                    || s.name.to_lowercase().contains(&filter)
                    || s.host.to_lowercase().contains(&filter)
            })
            .collect();
        let (len, page) = (self.len(Pane::Servers), self.page(Pane::Servers));
        self.cursor_mut(Pane::Servers).fit(len, page);
    }

    fn refresh_destinations(&mut self) {
        let filter = self.filter(Pane::Destinations).to_lowercase();
        let scope = if self.scoped {
            self.selected_server().map(|s| s.uuid.clone())
        } else {
            None
        };
        self.visible_destinations = (0..self.destinations.len())
            .filter(|&i| {
                let d = &self.destinations[i];
                scope.as_ref().is_none_or(|uuid| &d.server_uuid == uuid)
                    && (filter.is_empty()
                        || d.name.to_lowercase().contains(&filter)
                        || d.network.to_lowercase().contains(&filter)
                        || d.server.to_lowercase().contains(&filter))
            })
            .collect();
        let (len, page) = (self.len(Pane::Destinations), self.page(Pane::Destinations));
        self.cursor_mut(Pane::Destinations).fit(len, page);
    }

    fn refresh_scan(&mut self) {
        let filter = self.filter(Pane::Scan).to_lowercase();
        self.visible_scan = match &self.scan {
            None => Vec::new(),
            Some(scan) => (0..scan.rows.len())
                .filter(|&i| {
                    let r = &scan.rows[i];
                    filter.is_empty()
                        || r.network.to_lowercase().contains(&filter)
                        || r.driver.to_lowercase().contains(&filter)
                })
                .collect(),
        };
        let (len, page) = (self.len(Pane::Scan), self.page(Pane::Scan));
        self.cursor_mut(Pane::Scan).fit(len, page);
    }

    fn refresh_all(&mut self) {
        self.refresh_servers();
        self.refresh_destinations();
        self.refresh_scan();
    }

    // ---------- submitting ----------

    fn submit(&mut self, task: Task) -> Effect {
        let id = self.next_task;
        self.next_task += 1;
        let server = task.lane().to_string();
        if !server.is_empty() {
            self.task_servers.insert(id, self.server_name(&server));
        }
        if task == Task::Load || task == Task::ProbeLocal {
            self.hidden_tasks.insert(id);
        }
        if let Task::CheckServer { server } = &task {
            self.checking.insert(server.clone());
        }
        Effect::Submit(id, task)
    }

    fn reload(&mut self) -> Effect {
        self.submit(Task::Load)
    }

    fn say(&mut self, text: impl Into<String>) {
        self.status = Status {
            text: text.into(),
            error: false,
        };
    }

    fn complain(&mut self, text: impl Into<String>) {
        self.status = Status {
            text: text.into(),
            error: true,
        };
    }
}

/// The one entry point: state and action in, effects out.
pub fn update(app: &mut App, action: Action) -> Vec<Effect> {
    match action {
        Action::Key(key) => on_key(app, key),
        Action::Mouse(mouse) => {
            on_mouse(app, mouse);
            Vec::new()
        }
        Action::Resize(width, height) => {
            app.size = Rect::new(0, 0, width, height);
            for pane in Pane::ORDER {
                app.move_cursor(pane, |c, len, page| c.fit(len, page));
            }
            Vec::new()
        }
        Action::Task(event) => on_task(app, event),
        Action::Tick => Vec::new(),
    }
}

// ---------- keys ----------

fn on_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    if key.kind == crossterm::event::KeyEventKind::Release {
        return Vec::new();
    }
    if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c') {
        return vec![Effect::Quit];
    }
    if app.help {
        app.help = false;
        return Vec::new();
    }
    if app.details.is_some() {
        if matches!(key.code, KeyCode::Esc | KeyCode::Enter | KeyCode::Char('q')) {
            app.details = None;
        }
        return Vec::new();
    }
    if app.dialog.is_some() {
        return on_dialog_key(app, key);
    }
    if app.filter_input.is_some() {
        on_filter_key(app, key);
        return Vec::new();
    }
    let Some(command) = app.keymap.command(&key) else {
        return Vec::new();
    };
    on_command(app, command)
}

fn on_command(app: &mut App, command: Command) -> Vec<Effect> {
    let pane = app.focus;
    match command {
        Command::Quit => return vec![Effect::Quit],
        Command::Help => app.help = true,
        Command::NextPane => app.focus = pane.step(true),
        Command::PrevPane => app.focus = pane.step(false),
        Command::Up => app.move_cursor(pane, |c, len, page| c.step(-1, len, page)),
        Command::Down => app.move_cursor(pane, |c, len, page| c.step(1, len, page)),
        Command::PageUp => app.move_cursor(pane, |c, len, page| {
            c.step(-(page.max(1) as isize), len, page)
        }),
        Command::PageDown => {
            app.move_cursor(pane, |c, len, page| c.step(page.max(1) as isize, len, page))
        }
        Command::Top => app.move_cursor(pane, |c, len, page| c.set(0, len, page)),
        Command::Bottom => {
            app.move_cursor(pane, |c, len, page| c.set(len.saturating_sub(1), len, page))
        }
        Command::Filter => {
            if pane == Pane::Tasks {
                app.say("the Tasks pane has no filter");
            } else {
                app.filter_input = Some(tui_input::Input::new(app.filter(pane).to_string()));
            }
        }
        Command::Cancel => {
            if !app.filter(pane).is_empty() {
                app.filters.remove(&key_of(pane));
                app.refresh_all();
                app.say("filter cleared");
            } else if pane == Pane::Scan && !app.scan_checked().is_empty() {
                if let Some(scan) = &mut app.scan {
                    scan.checked.clear();
                }
            } else if pane == Pane::Destinations && !app.marked.is_empty() {
                app.marked.clear();
            }
        }
        Command::Scope => {
            app.scoped = !app.scoped;
            app.refresh_destinations();
            app.say(if app.scoped {
                "destinations of the selected server"
            } else {
                "destinations of all servers"
            });
        }
        Command::Scan => return scan_selected(app),
        Command::Toggle => toggle(app),
        Command::SelectAll => select_all(app),
        Command::Import => return import(app),
        Command::Details => return details(app),
        Command::Add => add(app),
        Command::Edit => edit(app),
        Command::Delete => delete(app),
        Command::Check => return check(app),
        Command::Refresh => return refresh(app),
    }
    Vec::new()
}

impl App {
    fn scan_checked(&self) -> Vec<String> {
        self.scan
            .as_ref()
            .map(|s| s.checked.iter().cloned().collect())
            .unwrap_or_default()
    }

    /// The server an action on the right-hand panes is about: the scanned one in Scan, the
    /// selected destination's in Destinations, else the one selected in Servers.
    fn current_server(&self) -> Option<&Server> {
        let uuid = match self.focus {
            Pane::Scan => self.scan.as_ref().map(|s| s.server.clone()),
            Pane::Destinations => self.selected_destination().map(|d| d.server_uuid.clone()),
            _ => None,
        };
        match uuid {
            Some(uuid) => self.servers.iter().find(|s| s.uuid == uuid),
            None => self.selected_server(),
        }
    }
}

fn scan_selected(app: &mut App) -> Vec<Effect> {
    let Some(server) = app.current_server().cloned() else {
        app.complain("no server to scan: add one with a in the Servers pane");
        return Vec::new();
    };
    app.focus = Pane::Scan;
    scan_server(app, &server)
}

fn scan_server(app: &mut App, server: &Server) -> Vec<Effect> {
    let effect = app.submit(Task::Scan {
        server: server.uuid.clone(),
    });
    let Effect::Submit(id, _) = &effect else {
        return Vec::new();
    };
    let same = app.scan.as_ref().is_some_and(|s| s.server == server.uuid);
    let (rows, checked) = match app.scan.take() {
        Some(old) if same => (old.rows, old.checked),
        _ => (Vec::new(), BTreeSet::new()),
    };
    app.scan = Some(ScanView {
        server: server.uuid.clone(),
        rows,
        checked,
        state: ScanState::Loading,
        task: Some(*id),
    });
    if !same {
        app.cursors.remove(&PaneKey::Scan);
    }
    app.refresh_scan();
    app.say(format!("scanning {}…", server.name));
    vec![effect]
}

fn toggle(app: &mut App) {
    match app.focus {
        Pane::Scan => {
            let Some(row) = app.selected_scan_row().cloned() else {
                return;
            };
            if !row.importable {
                app.complain(format!(
                    "{} cannot be imported: {}",
                    row.network,
                    row.reason.unwrap_or_default()
                ));
                return;
            }
            if let Some(scan) = &mut app.scan
                && !scan.checked.remove(&row.network)
            {
                scan.checked.insert(row.network);
            }
            app.move_cursor(Pane::Scan, |c, len, page| c.step(1, len, page));
        }
        Pane::Destinations => {
            let Some(d) = app.selected_destination().map(|d| d.uuid.clone()) else {
                return;
            };
            if !app.marked.remove(&d) {
                app.marked.insert(d);
            }
            app.move_cursor(Pane::Destinations, |c, len, page| c.step(1, len, page));
        }
        _ => app.say("space checks networks in Scan and marks destinations"),
    }
}

fn select_all(app: &mut App) {
    let visible: Vec<usize> = app.visible_scan.clone();
    let Some(scan) = &mut app.scan else {
        app.say("scan a server first (s)");
        return;
    };
    let importable: BTreeSet<String> = visible
        .iter()
        .filter_map(|&i| scan.rows.get(i))
        .filter(|r| r.importable)
        .map(|r| r.network.clone())
        .collect();
    if !importable.is_empty() && importable.is_subset(&scan.checked) {
        scan.checked.clear();
        app.say("unchecked all");
    } else {
        let n = importable.len();
        scan.checked.extend(importable);
        app.say(format!("{n} importable network(s) checked"));
    }
}

fn import(app: &mut App) -> Vec<Effect> {
    let Some(scan) = &app.scan else {
        app.complain("scan a server first (s), check networks (space), then import (i)");
        return Vec::new();
    };
    let mut networks = app.scan_checked();
    if networks.is_empty()
        && app.focus == Pane::Scan
        && let Some(row) = app.selected_scan_row()
        && row.importable
    {
        networks.push(row.network.clone());
    }
    if networks.is_empty() {
        app.complain("nothing to import: check networks with space (A checks all importable)");
        return Vec::new();
    }
    let server = scan.server.clone();
    app.say(format!(
        "importing {} network(s) on {}…",
        networks.len(),
        app.server_name(&server)
    ));
    vec![app.submit(Task::Import { server, networks })]
}

fn details(app: &mut App) -> Vec<Effect> {
    match app.focus {
        Pane::Servers => {
            if let Some(s) = app.selected_server().cloned() {
                app.details = Some(Details::Server(Box::new(s)));
            }
        }
        Pane::Scan => {
            if let Some(row) = app.selected_scan_row().cloned() {
                app.details = Some(Details::Network(Box::new(row)));
            }
        }
        Pane::Destinations => {
            let Some(d) = app.selected_destination().cloned() else {
                return Vec::new();
            };
            let effect = app.submit(Task::ShowDestination {
                server: d.server_uuid.clone(),
                destination: d.uuid.clone(),
            });
            if let Effect::Submit(id, _) = &effect {
                app.details = Some(Details::Loading {
                    title: d.name.clone(),
                    task: *id,
                });
            }
            return vec![effect];
        }
        Pane::Tasks => {}
    }
    Vec::new()
}

fn add(app: &mut App) {
    match app.focus {
        Pane::Servers => app.dialog = Some(Dialog::Form(Form::add_server())),
        _ => {
            let Some(server) = app.current_server().cloned() else {
                app.complain("add a server first (a in the Servers pane)");
                return;
            };
            app.dialog = Some(Dialog::Form(Form::create_destination(&server)));
        }
    }
}

fn edit(app: &mut App) {
    match app.focus {
        Pane::Servers => {
            if let Some(s) = app.selected_server().cloned() {
                app.dialog = Some(Dialog::Form(Form::edit_server(&s)));
            }
        }
        Pane::Destinations => {
            if let Some(d) = app.selected_destination().cloned() {
                app.dialog = Some(Dialog::Form(Form::rename(&d)));
            }
        }
        _ => app.say("e edits a server or renames a destination"),
    }
}

fn delete(app: &mut App) {
    match app.focus {
        Pane::Servers => {
            if let Some(s) = app.selected_server() {
                let count = app
                    .destinations
                    .iter()
                    .filter(|d| d.server_uuid == s.uuid)
                    .count();
                app.dialog = Some(Dialog::Confirm(Confirm::remove_server(s, count)));
            }
        }
        Pane::Destinations => {
            let targets: Vec<DestinationView> = if app.marked.is_empty() {
                app.selected_destination().cloned().into_iter().collect()
            } else {
                app.destinations
                    .iter()
                    .filter(|d| app.marked.contains(&d.uuid))
                    .cloned()
                    .collect()
            };
            if !targets.is_empty() {
                app.dialog = Some(Dialog::Confirm(Confirm::delete_destinations(&targets)));
            }
        }
        _ => app.say("d deletes a destination or removes a server"),
    }
}

fn check(app: &mut App) -> Vec<Effect> {
    match app.focus {
        Pane::Destinations => {
            let mut by_server: HashMap<String, Vec<String>> = HashMap::new();
            for &i in &app.visible_destinations {
                let d = &app.destinations[i];
                by_server
                    .entry(d.server_uuid.clone())
                    .or_default()
                    .push(d.uuid.clone());
            }
            if by_server.is_empty() {
                return Vec::new();
            }
            let mut servers: Vec<_> = by_server.into_iter().collect();
            servers.sort();
            app.say("checking destinations…");
            servers
                .into_iter()
                .map(|(server, destinations)| {
                    app.submit(Task::CheckDestinations {
                        server,
                        destinations,
                    })
                })
                .collect()
        }
        _ => {
            let Some(server) = app.current_server().cloned() else {
                return Vec::new();
            };
            let effect = app.submit(Task::CheckServer {
                server: server.uuid.clone(),
            });
            if let Effect::Submit(id, _) = &effect {
                app.dialog = Some(Dialog::ServerCheck {
                    server: server.uuid.clone(),
                    task: Some(*id),
                });
            }
            vec![effect]
        }
    }
}

fn refresh(app: &mut App) -> Vec<Effect> {
    let mut effects = vec![app.reload()];
    let uuids: Vec<String> = app.servers.iter().map(|s| s.uuid.clone()).collect();
    for server in uuids {
        effects.push(app.submit(Task::CheckServer { server }));
    }
    if app.focus == Pane::Scan
        && let Some(uuid) = app.scan.as_ref().map(|s| s.server.clone())
        && let Some(server) = app.servers.iter().find(|s| s.uuid == uuid).cloned()
    {
        effects.extend(scan_server(app, &server));
    }
    app.say("refreshing…");
    effects
}

fn on_filter_key(app: &mut App, key: KeyEvent) {
    let pane = app.focus;
    match key.code {
        KeyCode::Esc => {
            app.filter_input = None;
            app.filters.remove(&key_of(pane));
        }
        KeyCode::Enter => app.filter_input = None,
        _ => {
            if let Some(input) = &mut app.filter_input {
                tui_input::backend::crossterm::EventHandler::handle_event(
                    input,
                    &crossterm::event::Event::Key(key),
                );
                let text = input.value().to_string();
                app.filters.insert(key_of(pane), text);
            }
        }
    }
    app.refresh_all();
}

// ---------- dialogs ----------

fn on_dialog_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    let Some(dialog) = app.dialog.as_mut() else {
        return Vec::new();
    };
    match dialog {
        Dialog::ServerCheck { .. } => {
            if matches!(key.code, KeyCode::Esc | KeyCode::Enter | KeyCode::Char('q')) {
                app.dialog = None;
            }
            Vec::new()
        }
        Dialog::Confirm(confirm) => match key.code {
            KeyCode::Char('y') | KeyCode::Char('Y') => {
                let kind = confirm.kind.clone();
                app.dialog = None;
                confirmed(app, kind)
            }
            KeyCode::Char('n') | KeyCode::Char('N') | KeyCode::Esc | KeyCode::Char('q') => {
                app.dialog = None;
                Vec::new()
            }
            _ => Vec::new(),
        },
        Dialog::Form(form) => match key.code {
            KeyCode::Esc => {
                app.dialog = None;
                Vec::new()
            }
            KeyCode::Enter => {
                if form.waiting.is_some() {
                    return Vec::new();
                }
                match form.task() {
                    Err(message) => {
                        form.error = Some(message);
                        Vec::new()
                    }
                    Ok(task) => {
                        let effect = app.submit(task);
                        if let (Effect::Submit(id, _), Some(Dialog::Form(form))) =
                            (&effect, app.dialog.as_mut())
                        {
                            form.waiting = Some(*id);
                            form.error = None;
                        }
                        vec![effect]
                    }
                }
            }
            _ => {
                form.on_key(key);
                Vec::new()
            }
        },
    }
}

fn confirmed(app: &mut App, kind: ConfirmKind) -> Vec<Effect> {
    match kind {
        ConfirmKind::DeleteDestinations(targets) => {
            app.say(format!("deleting {} destination(s)…", targets.len()));
            targets
                .into_iter()
                .map(|(server, destination)| {
                    app.submit(Task::DeleteDestination {
                        server,
                        destination,
                        force: false,
                    })
                })
                .collect()
        }
        ConfirmKind::RemoveServer { server, force } => {
            vec![app.submit(Task::RemoveServer { server, force })]
        }
        ConfirmKind::AddLocal => vec![app.submit(Task::AddServer(crate::ops::NewServer {
            name: "local".into(),
            local: true,
            check: true,
            ..Default::default()
        }))],
    }
}

// ---------- mouse ----------

fn on_mouse(app: &mut App, mouse: MouseEvent) {
    if !matches!(mouse.kind, MouseEventKind::Down(MouseButton::Left))
        || app.dialog.is_some()
        || app.help
        || app.details.is_some()
    {
        return;
    }
    let at = Position::new(mouse.column, mouse.row);
    let areas = app.areas();
    let hit = [
        (Pane::Servers, areas.servers),
        (Pane::Destinations, areas.destinations),
        (Pane::Scan, areas.scan),
        (Pane::Tasks, areas.tasks),
    ]
    .into_iter()
    .find(|(_, area)| area.contains(at));
    let Some((pane, area)) = hit else {
        return;
    };
    app.focus = pane;
    // Tables have a border and a header line; the Tasks strip only a border.
    let first_row = area.y + if pane == Pane::Tasks { 1 } else { 2 };
    if at.y < first_row {
        return;
    }
    let row = app.cursor(pane).offset + usize::from(at.y - first_row);
    if row < app.len(pane) && usize::from(at.y - first_row) < app.page(pane) {
        app.move_cursor(pane, |c, len, page| c.set(row, len, page));
    }
}

// ---------- task events ----------

fn on_task(app: &mut App, event: TaskEvent) -> Vec<Effect> {
    match event {
        TaskEvent::Queued { id, label, at } => {
            if !app.hidden_tasks.contains(&id) {
                app.tasks.push(TaskRow {
                    id,
                    label,
                    server: app.task_servers.get(&id).cloned().unwrap_or_default(),
                    state: TaskState::Queued,
                    queued_at: at,
                    started_at: None,
                    finished_at: None,
                    note: String::new(),
                });
                trim_tasks(app);
                let (len, page) = (app.len(Pane::Tasks), app.page(Pane::Tasks));
                app.cursor_mut(Pane::Tasks)
                    .set(len.saturating_sub(1), len, page);
            }
            Vec::new()
        }
        TaskEvent::Joined { id, into } => {
            retarget(app, id, into);
            app.say("already under way: joined the running task");
            Vec::new()
        }
        TaskEvent::Started { id, at } => {
            if let Some(row) = app.tasks.iter_mut().find(|t| t.id == id) {
                row.state = TaskState::Running;
                row.started_at = Some(at);
            }
            Vec::new()
        }
        TaskEvent::Progress { id, note } => {
            if let Some(row) = app.tasks.iter_mut().find(|t| t.id == id) {
                row.note = note;
            }
            Vec::new()
        }
        TaskEvent::Finished { id, at, result } => {
            let line = match &result {
                Ok(r) => summary(app, r),
                Err(e) => e.clone(),
            };
            if let Some(row) = app.tasks.iter_mut().find(|t| t.id == id) {
                row.state = if result.is_ok() {
                    TaskState::Done
                } else {
                    TaskState::Failed
                };
                row.started_at.get_or_insert(at);
                row.finished_at = Some(at);
                row.note = line;
            }
            app.hidden_tasks.remove(&id);
            app.task_servers.remove(&id);
            match result {
                Ok(r) => finished(app, id, r),
                Err(e) => failed(app, id, e),
            }
        }
    }
}

fn trim_tasks(app: &mut App) {
    while app.tasks.len() > TASK_HISTORY {
        match app
            .tasks
            .iter()
            .position(|t| matches!(t.state, TaskState::Done | TaskState::Failed))
        {
            Some(i) => {
                app.tasks.remove(i);
            }
            None => break,
        }
    }
}

/// A joined request waits for the task it joined.
fn retarget(app: &mut App, id: TaskId, into: TaskId) {
    app.hidden_tasks.remove(&id);
    app.task_servers.remove(&id);
    if let Some(scan) = &mut app.scan
        && scan.task == Some(id)
    {
        scan.task = Some(into);
    }
    if let Some(Details::Loading { task, .. }) = &mut app.details
        && *task == id
    {
        *task = into;
    }
    match &mut app.dialog {
        Some(Dialog::Form(form)) if form.waiting == Some(id) => form.waiting = Some(into),
        Some(Dialog::ServerCheck { task, .. }) if *task == Some(id) => *task = Some(into),
        _ => {}
    }
}

/// The one-line result the Tasks pane shows.
fn summary(app: &App, result: &TaskResult) -> String {
    let with_warnings = |text: String, warnings: &[String]| match warnings.first() {
        Some(w) => format!("{text} (warning: {w})"),
        None => text,
    };
    match result {
        TaskResult::Loaded {
            servers,
            destinations,
        } => format!(
            "{} server(s), {} destination(s)",
            servers.len(),
            destinations.len()
        ),
        TaskResult::ServerChecked { server, error } => match error {
            None => format!(
                "online, {}, Docker {}",
                server.mode,
                server.docker_version.as_deref().unwrap_or("?")
            ),
            Some(e) => format!("offline: {e}"),
        },
        TaskResult::LocalProbed { reachable } => format!("local Docker reachable: {reachable}"),
        TaskResult::ServerAdded(o) => with_warnings(format!("added {}", o.value.name), &o.warnings),
        TaskResult::ServerEdited(s) => format!("saved {}", s.name),
        TaskResult::ServerRemoved(o) => {
            with_warnings(format!("removed {}", o.value.name), &o.warnings)
        }
        TaskResult::Scanned { rows, .. } => format!(
            "{} network(s), {} importable",
            rows.len(),
            rows.iter().filter(|r| r.importable).count()
        ),
        TaskResult::Imported { outcome, .. } => {
            let names: Vec<&str> = outcome.value.iter().map(|d| d.name.as_str()).collect();
            with_warnings(format!("imported {}", names.join(", ")), &outcome.warnings)
        }
        TaskResult::Created(o) => with_warnings(
            format!("created {} ({})", o.value.name, o.value.network),
            &o.warnings,
        ),
        TaskResult::Renamed(d) => format!("renamed to {}", d.name),
        TaskResult::Deleted(o) => with_warnings(
            format!("deleted {} ({})", o.value.name, o.value.network),
            &o.warnings,
        ),
        TaskResult::Details(d) => format!("{}: {}", d.destination.name, d.status.as_str()),
        TaskResult::Checked(rows) => {
            let bad = rows
                .iter()
                .filter(|r| r.status != crate::ops::HealthStatus::Ok)
                .count();
            let _ = app;
            format!("{} checked, {} not ok", rows.len(), bad)
        }
    }
}

fn failed(app: &mut App, id: TaskId, error: String) -> Vec<Effect> {
    // A form keeps what was typed and shows the error inline.
    if let Some(Dialog::Form(form)) = &mut app.dialog
        && form.waiting == Some(id)
    {
        form.waiting = None;
        form.error = Some(error);
        return Vec::new();
    }
    if let Some(Dialog::ServerCheck { task, .. }) = &mut app.dialog
        && *task == Some(id)
    {
        *task = None;
    }
    if let Some(scan) = &mut app.scan
        && scan.task == Some(id)
    {
        scan.task = None;
        scan.state = ScanState::Failed(error.clone());
    }
    if let Some(Details::Loading { title, task }) = &app.details
        && *task == id
    {
        app.details = Some(Details::Failed {
            title: title.clone(),
            error: error.clone(),
        });
    }
    app.checking
        .retain(|uuid| app.servers.iter().any(|s| &s.uuid == uuid));
    if app.loading {
        app.loading = false;
    }
    app.complain(error);
    Vec::new()
}

/// Closes the form that waited for `id`, if any.
fn close_form(app: &mut App, id: TaskId) {
    if let Some(Dialog::Form(form)) = &app.dialog
        && form.waiting == Some(id)
    {
        app.dialog = None;
    }
}

fn warn_or_say(app: &mut App, text: String, warnings: &[String]) {
    match warnings.first() {
        Some(w) => app.complain(format!("{text}; warning: {w}")),
        None => app.say(text),
    }
}

fn finished(app: &mut App, id: TaskId, result: TaskResult) -> Vec<Effect> {
    match result {
        TaskResult::Loaded {
            mut servers,
            destinations,
        } => {
            servers.sort_by(|a, b| a.name.cmp(&b.name));
            let first_load = app.loading;
            let selected = app.selected_server().map(|s| s.uuid.clone());
            let selected_destination = app.selected_destination().map(|d| d.uuid.clone());
            app.servers = servers;
            app.destinations = destinations;
            app.marked
                .retain(|m| app.destinations.iter().any(|d| &d.uuid == m));
            app.loading = false;
            app.refresh_all();
            let (pane, want) = match app.select_after_load.take() {
                Some((pane, uuid)) => (pane, Some(uuid)),
                None => (Pane::Servers, selected.clone()),
            };
            select_uuid(app, pane, want);
            if pane != Pane::Servers {
                select_uuid(app, Pane::Servers, selected);
            } else {
                select_uuid(app, Pane::Destinations, selected_destination);
            }
            app.refresh_destinations();
            let mut effects = Vec::new();
            if first_load {
                app.say(format!(
                    "{} server(s), {} destination(s) — ? for help",
                    app.servers.len(),
                    app.destinations.len()
                ));
                let uuids: Vec<String> = app.servers.iter().map(|s| s.uuid.clone()).collect();
                for server in uuids {
                    effects.push(app.submit(Task::CheckServer { server }));
                }
            }
            offer_local(app);
            effects
        }
        TaskResult::ServerChecked { server, error } => {
            app.checking.remove(&server.uuid);
            if let Some(Dialog::ServerCheck { task, .. }) = &mut app.dialog
                && *task == Some(id)
            {
                *task = None;
            }
            if let Some(e) = &error {
                tracing::info!(server = %server.name, error = %e, "server offline");
            }
            if let Some(slot) = app.servers.iter_mut().find(|s| s.uuid == server.uuid) {
                slot.mode = server.mode;
                slot.online = server.online;
                slot.last_error = server.last_error;
                slot.checked_at = server.checked_at;
                slot.docker_version = server.docker_version;
            }
            Vec::new()
        }
        TaskResult::LocalProbed { reachable } => {
            app.local_reachable = Some(reachable);
            offer_local(app);
            Vec::new()
        }
        TaskResult::ServerAdded(outcome) => {
            close_form(app, id);
            warn_or_say(
                app,
                format!("added server {}", outcome.value.name),
                &outcome.warnings,
            );
            app.select_after_load = Some((Pane::Servers, outcome.value.uuid.clone()));
            vec![app.reload()]
        }
        TaskResult::ServerEdited(server) => {
            close_form(app, id);
            app.say(format!("saved server {}", server.name));
            app.select_after_load = Some((Pane::Servers, server.uuid.clone()));
            let check = app.submit(Task::CheckServer {
                server: server.uuid,
            });
            vec![app.reload(), check]
        }
        TaskResult::ServerRemoved(outcome) => {
            warn_or_say(
                app,
                format!("removed server {}", outcome.value.name),
                &outcome.warnings,
            );
            if app
                .scan
                .as_ref()
                .is_some_and(|s| s.server == outcome.value.uuid)
            {
                app.scan = None;
                app.refresh_scan();
            }
            vec![app.reload()]
        }
        TaskResult::Scanned { server, rows } => {
            let name = app.server_name(&server);
            if let Some(scan) = &mut app.scan
                && scan.server == server
            {
                scan.checked
                    .retain(|n| rows.iter().any(|r| &r.network == n && r.importable));
                let importable = rows.iter().filter(|r| r.importable).count();
                let total = rows.len();
                scan.rows = rows;
                scan.state = ScanState::Ready;
                if scan.task == Some(id) {
                    scan.task = None;
                }
                app.refresh_scan();
                app.say(format!(
                    "{name}: {total} network(s), {importable} importable — space checks, i imports"
                ));
            }
            Vec::new()
        }
        TaskResult::Imported { server, outcome } => {
            let names: Vec<String> = outcome.value.iter().map(|d| d.name.clone()).collect();
            let networks: BTreeSet<&str> =
                outcome.value.iter().map(|d| d.network.as_str()).collect();
            if let Some(scan) = &mut app.scan
                && scan.server == server
            {
                scan.checked.retain(|n| !networks.contains(n.as_str()));
            }
            warn_or_say(
                app,
                format!("imported {}", names.join(", ")),
                &outcome.warnings,
            );
            if let Some(first) = outcome.value.first() {
                app.select_after_load = Some((Pane::Destinations, first.uuid.clone()));
            }
            let mut effects = vec![app.reload()];
            if let Some(s) = app.servers.iter().find(|s| s.uuid == server).cloned()
                && app.scan.as_ref().is_some_and(|v| v.server == s.uuid)
            {
                effects.extend(scan_server(app, &s));
                app.say(format!("imported {}", names.join(", ")));
            }
            effects
        }
        TaskResult::Created(outcome) => {
            close_form(app, id);
            warn_or_say(
                app,
                format!(
                    "created {} (network {})",
                    outcome.value.name, outcome.value.network
                ),
                &outcome.warnings,
            );
            app.select_after_load = Some((Pane::Destinations, outcome.value.uuid.clone()));
            vec![app.reload()]
        }
        TaskResult::Renamed(view) => {
            close_form(app, id);
            app.say(format!("renamed to {}", view.name));
            app.select_after_load = Some((Pane::Destinations, view.uuid.clone()));
            vec![app.reload()]
        }
        TaskResult::Deleted(outcome) => {
            app.marked.remove(&outcome.value.uuid);
            app.health.remove(&outcome.value.name);
            warn_or_say(
                app,
                format!(
                    "deleted {} (network {})",
                    outcome.value.name, outcome.value.network
                ),
                &outcome.warnings,
            );
            vec![app.reload()]
        }
        TaskResult::Details(details) => {
            if let Some(Details::Loading { task, .. }) = &app.details
                && *task == id
            {
                app.details = Some(Details::Destination(details));
            }
            Vec::new()
        }
        TaskResult::Checked(rows) => {
            let bad = rows
                .iter()
                .filter(|r| r.status != crate::ops::HealthStatus::Ok)
                .count();
            let n = rows.len();
            for row in rows {
                app.health.insert(row.destination.clone(), row);
            }
            if bad == 0 {
                app.say(format!("{n} destination(s) checked: all ok"));
            } else {
                app.complain(format!("{n} destination(s) checked: {bad} not ok"));
            }
            Vec::new()
        }
    }
}

fn select_uuid(app: &mut App, pane: Pane, uuid: Option<String>) {
    let Some(uuid) = uuid else {
        return;
    };
    let position = match pane {
        Pane::Servers => app
            .visible_servers
            .iter()
            .position(|&i| app.servers[i].uuid == uuid),
        Pane::Destinations => app
            .visible_destinations
            .iter()
            .position(|&i| app.destinations[i].uuid == uuid),
        _ => None,
    };
    if let Some(p) = position {
        let (len, page) = (app.len(pane), app.page(pane));
        app.cursor_mut(pane).set(p, len, page);
    }
}

/// With no server recorded and the local socket answering, offer it as the first server —
/// once both the load and the probe have answered.
fn offer_local(app: &mut App) {
    if app.local_offered
        || app.loading
        || app.local_reachable != Some(true)
        || !app.servers.is_empty()
        || app.dialog.is_some()
    {
        return;
    }
    app.local_offered = true;
    app.dialog = Some(Dialog::Confirm(Confirm::add_local()));
}

/// Validation shared with the CLI, used by the forms before anything is submitted.
pub fn validate_network(network: &str) -> Result<(), String> {
    domain::validate_network_name(network).map_err(|e| e.to_string())
}
