//! The TUI's state and its one pure update function: `update(&mut App, Action) -> Vec<Effect>`.
//! No terminal, no network: keys and task events come in, tasks to submit go out. Tests drive
//! it directly. Keys and mouse are handled in `input`, task events in `events`.

mod events;
mod input;
pub mod sanitize;

use std::collections::{BTreeSet, HashMap, HashSet};
use std::time::Instant;

use crossterm::event::{KeyEvent, MouseEvent};
use ratatui::layout::Rect;

use crate::domain::Server;
use crate::ops::{CheckRow, DestinationDetails, DestinationView, ScanRow};
use crate::tasks::{Task, TaskEvent, TaskId, TaskResult};

use super::dialog::Dialog;
use super::keymap::Keymap;
use super::layout;
use super::theme::Theme;

/// Tasks kept in the Tasks pane; the oldest finished ones go first.
const TASK_HISTORY: usize = 200;

/// The four panes: which has the focus, and whose rows a cursor and a filter belong to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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
    /// Full IDs of the checked networks (two networks may share a name).
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
    /// The background check of every destination (config `[tui] check_interval_seconds`).
    CheckAll,
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
    /// Resource records (for the new-resource and clone dialogs).
    pub resources: Vec<crate::domain::Resource>,
    /// Indexes into `destinations` that the pane shows (scope and filter applied).
    pub visible_destinations: Vec<usize>,
    /// Indexes into `servers` after the filter.
    pub visible_servers: Vec<usize>,
    /// Indexes into the scan rows after the filter.
    pub visible_scan: Vec<usize>,
    /// Show only the selected server's destinations.
    pub scoped: bool,
    /// Destinations pane: only those the last check found unused.
    pub unused_only: bool,
    pub cursors: HashMap<Pane, Cursor>,
    pub filters: HashMap<Pane, String>,
    /// The filter being typed, for the focused pane.
    pub filter_input: Option<tui_input::Input>,
    pub scan: Option<ScanView>,
    /// Destinations marked (space) for a bulk delete, by uuid.
    pub marked: BTreeSet<String>,
    /// The last check of each destination, by destination uuid (a rename keeps it).
    pub health: HashMap<String, CheckRow>,
    pub tasks: Vec<TaskRow>,
    pub dialog: Option<Dialog>,
    pub details: Option<Details>,
    /// Lines scrolled in the details view.
    pub details_scroll: u16,
    pub help: bool,
    pub status: Status,
    /// True until the first load from the store has arrived.
    pub loading: bool,
    pub started: Instant,
    next_task: TaskId,
    /// Tasks the Tasks pane does not list (reloads), and which server each task is for.
    hidden_tasks: HashSet<TaskId>,
    task_servers: HashMap<TaskId, String>,
    /// Server checks in flight, and which server each is for: any ending clears it.
    check_tasks: HashMap<TaskId, String>,
    /// The check of every server at start-up, until its last answer lands.
    first_round: Option<CheckRound>,
    /// Reloads asked for by a finished write select this server or destination once loaded.
    select_after_load: Option<(Pane, String)>,
    /// Whether the local Docker socket answered, once probed; and whether it was offered.
    local_reachable: Option<bool>,
    local_offered: bool,
}

/// The start-up check of every server: which answers are still out, and what came back.
#[derive(Debug, Default)]
struct CheckRound {
    pending: HashSet<TaskId>,
    online: usize,
    offline: usize,
    /// When the last server that answered came online.
    last_online: Option<Instant>,
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
            resources: Vec::new(),
            visible_destinations: Vec::new(),
            visible_servers: Vec::new(),
            visible_scan: Vec::new(),
            scoped: false,
            unused_only: false,
            cursors: HashMap::new(),
            filters: HashMap::new(),
            filter_input: None,
            scan: None,
            marked: BTreeSet::new(),
            health: HashMap::new(),
            tasks: Vec::new(),
            dialog: None,
            details: None,
            details_scroll: 0,
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
            check_tasks: HashMap::new(),
            first_round: None,
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

    /// Start-up with stored intents (a crash interrupted a create, import, delete or deploy): they
    /// are settled in the background, then the records are loaded again.
    pub fn settle_interrupted(&mut self) -> Effect {
        self.submit(Task::Settle)
    }

    // ---------- queries used by render ----------

    pub fn cursor(&self, pane: Pane) -> Cursor {
        self.cursors.get(&pane).copied().unwrap_or_default()
    }

    pub fn filter(&self, pane: Pane) -> &str {
        self.filters.get(&pane).map_or("", String::as_str)
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

    /// Whether a live check of this server (uuid) is in flight.
    pub fn is_checking(&self, uuid: &str) -> bool {
        self.check_tasks.values().any(|s| s == uuid)
    }

    /// A live check of every recorded server, each on its own lane.
    fn check_all_servers(&mut self) -> Vec<Effect> {
        let uuids: Vec<String> = self.servers.iter().map(|s| s.uuid.clone()).collect();
        uuids
            .into_iter()
            .map(|server| self.submit(Task::CheckServer { server }))
            .collect()
    }

    /// The start-up check of every server: its answers are counted as they land, and the
    /// last one says how it went.
    fn check_all_servers_first(&mut self) -> Vec<Effect> {
        let effects = self.check_all_servers();
        let pending: HashSet<TaskId> = effects
            .iter()
            .filter_map(|e| match e {
                Effect::Submit(id, _) => Some(*id),
                Effect::Quit => None,
            })
            .collect();
        if !pending.is_empty() {
            self.first_round = Some(CheckRound {
                pending,
                ..CheckRound::default()
            });
        }
        effects
    }

    /// Counts a server check's answer into the start-up round; at its last answer, says how
    /// many servers are online (and logs how long the round took from the start).
    fn count_first_round(&mut self, id: TaskId, online: bool, at: Instant) {
        let Some(round) = &mut self.first_round else {
            return;
        };
        if !round.pending.remove(&id) {
            return;
        }
        if online {
            round.online += 1;
            round.last_online = Some(at);
        } else {
            round.offline += 1;
        }
        if round.pending.is_empty() {
            let (online, offline) = (round.online, round.offline);
            let since_start =
                |t: Instant| t.saturating_duration_since(self.started).as_secs_f64() * 1000.0;
            tracing::info!(
                online,
                offline,
                all_online_ms = round.last_online.map_or(0.0, since_start),
                all_checked_ms = since_start(at),
                "every server checked"
            );
            self.first_round = None;
            let text = format!(
                "{} server(s) checked: {online} online, {offline} offline",
                online + offline
            );
            if offline == 0 {
                self.say(text);
            } else {
                self.complain(text);
            }
        }
    }

    /// Whether anything is queued or running (the spinner turns only then).
    pub fn busy(&self) -> bool {
        self.tasks
            .iter()
            .any(|t| matches!(t.state, TaskState::Queued | TaskState::Running))
            || !self.check_tasks.is_empty()
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
        self.cursors.entry(pane).or_default()
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
                    && (!self.unused_only || self.health.get(&d.uuid).is_some_and(|h| h.unused))
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
        if let crate::tasks::Lane::Server(server) = task.lane() {
            self.task_servers.insert(id, self.server_name(&server));
        }
        if task == Task::Load || task == Task::ProbeLocal {
            self.hidden_tasks.insert(id);
        }
        if let Task::CheckServer { server } = &task {
            self.check_tasks.insert(id, server.clone());
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
        Action::Key(key) => input::on_key(app, key),
        Action::Mouse(mouse) => {
            input::on_mouse(app, mouse);
            Vec::new()
        }
        Action::Resize(width, height) => {
            app.size = Rect::new(0, 0, width, height);
            for pane in Pane::ORDER {
                app.move_cursor(pane, |c, len, page| c.fit(len, page));
            }
            Vec::new()
        }
        Action::Task(mut event) => {
            sanitize::Clean::clean(&mut event);
            events::on_task(app, event)
        }
        Action::Tick => Vec::new(),
        Action::CheckAll => input::check_all(app, false),
    }
}
