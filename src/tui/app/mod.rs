//! The TUI's state and its one pure update function: `update(&mut App, Action) -> Vec<Effect>`.
//! No terminal, no network: keys and task events come in, tasks to submit go out. Tests drive
//! it directly. Keys and mouse are handled in `input` (commands in `commands`, dialogs in
//! `dialogs`), task events in `events` (each result kind in `results`); `pending` says what
//! waits on which task.

mod commands;
mod dialogs;
mod events;
mod forwarded;
mod input;
mod labels;
mod live;
mod messages;
mod pending;
mod results;
pub mod sanitize;
mod scroll;
mod sync;

use crate::ops::{AddressRow, Outcome};
use std::collections::{HashMap, HashSet};
use std::time::Instant;

use crossterm::event::{KeyEvent, MouseEvent};
use ratatui::layout::Rect;

use crate::domain::{DestinationId, Server, ServerId};
use crate::ops::{CheckRow, DestinationDetails, DestinationUsage, DestinationView, ScanRow};
use crate::tasks::{Task, TaskEvent, TaskId};

use super::dialog::Dialog;
use super::keymap::Keymap;
use super::layout;
use super::panes::destinations;
use super::panes::messages::MessagesView;
use super::panes::{Cursor, Panes};
use super::theme::Theme;
use pending::{CheckRound, Waiter};

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

#[derive(Debug, Clone, PartialEq)]
pub enum Details {
    /// A destination's live details, until the task reading them answers.
    Loading {
        title: String,
    },
    Destination(Box<DestinationDetails>),
    /// A server's record, and the subnets in use on it (DESIGN.md §14), read when it opens.
    Server(Box<Server>, Addresses),
    Network(Box<ScanRow>),
    /// A task's whole result, read live from its row in the Tasks pane.
    Task(TaskId),
    Failed {
        title: String,
        error: String,
    },
}

/// The subnets in use on the server whose details are open.
#[derive(Debug, Clone, PartialEq)]
pub enum Addresses {
    Reading,
    Found(Box<Outcome<Vec<AddressRow>>>),
    Failed(String),
}

/// A record a pane can select, by its id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Record {
    Server(ServerId),
    Destination(DestinationId),
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
    /// A command another destui ran through this one started or finished.
    Served(crate::owner::Served),
    /// Sent only while something is pending, to move the spinner.
    Tick,
    /// The background check of every destination (config `[tui] check_interval_seconds`).
    CheckAll,
    /// What the servers' event streams announced (one batch of one server), and when it came.
    Live(Vec<crate::ops::Change>, Instant),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    Submit(TaskId, Task),
    /// Follow exactly these servers' event streams (DESIGN.md §11).
    Watch(Vec<Server>),
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
    /// The last check of each destination, by destination uuid (a rename keeps it).
    pub health: HashMap<DestinationId, CheckRow>,
    /// The last usage read of each destination (containers, CPU, memory), by uuid.
    pub usage: HashMap<DestinationId, DestinationUsage>,
    /// Each pane's rows, cursor, filter and marks.
    pub panes: Panes,
    /// The filter being typed, for the focused pane.
    pub filter_input: Option<tui_input::Input>,
    pub dialog: Option<Dialog>,
    pub details: Option<Details>,
    /// Lines scrolled in the details view.
    pub details_scroll: u16,
    pub help: bool,
    /// Lines scrolled in the help.
    pub help_scroll: u16,
    pub status: Status,
    /// Every alert, warning, result and live change of the session (`m` shows them).
    pub messages: MessagesView,
    /// Seconds since the epoch, for the time of a message (a fixed clock in tests).
    pub clock: fn() -> i64,
    /// True until the first load from the store has arrived.
    pub loading: bool,
    pub started: Instant,
    next_task: TaskId,
    /// What waits on each task not yet finished (see `Waiter`).
    pending: HashMap<TaskId, Vec<Waiter>>,
    /// The answers so far of the start-up check of every server, until its last one lands.
    first_round: Option<CheckRound>,
    /// Whether the local Docker socket answered, once probed; and whether it was offered.
    local_reachable: Option<bool>,
    local_offered: bool,
    /// Each watched server's event stream (see `live`).
    live: HashMap<ServerId, crate::ops::StreamState>,
    /// Servers (by name) where a change lost its connection: its intent waits for the next
    /// contact, which is when the server's event stream is watching again.
    unsettled: std::collections::BTreeSet<String>,
    /// What the watches were last told to follow (`live::watch_effect`).
    watching: Vec<Server>,
    /// Rows the watches added to the Tasks pane so far.
    live_rows: TaskId,
    /// The Host aliases of the ssh config, for Tab in the server forms (DESIGN.md §16).
    pub ssh_aliases: Vec<String>,
    /// `[network] fallback_pool`: what a Subnet of plain `auto` takes (DESIGN.md §14).
    pub fallback_pool: Option<String>,
    /// Servers whose state this process has seen for itself (a check answered or failed, a
    /// task reached them or not, their event stream opened): until then the stored
    /// `online` is only what an earlier run saw (issue 28 item 4).
    reached: HashSet<ServerId>,
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
            health: HashMap::new(),
            usage: HashMap::new(),
            panes: Panes::default(),
            filter_input: None,
            dialog: None,
            details: None,
            details_scroll: 0,
            help: false,
            help_scroll: 0,
            status: Status {
                text: "loading records…".into(),
                error: false,
            },
            messages: MessagesView::default(),
            clock: crate::domain::now_unix,
            loading: true,
            started: now,
            next_task: 1,
            pending: HashMap::new(),
            first_round: None,
            local_reachable: None,
            local_offered: false,
            live: HashMap::new(),
            unsettled: Default::default(),
            watching: Vec::new(),
            live_rows: 0,
            ssh_aliases: Vec::new(),
            fallback_pool: None,
            reached: HashSet::new(),
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

    /// Whether this process has seen the server's state for itself (see `reached`).
    pub fn has_reached(&self, server: &str) -> bool {
        self.reached.contains(server)
    }

    /// The server's state was seen in this process: its stored one is now the real one.
    fn mark_reached(&mut self, server: &str) {
        if !self.reached.contains(server) {
            self.reached.insert(server.into());
        }
    }

    pub fn cursor(&self, pane: Pane) -> Cursor {
        match pane {
            Pane::Servers => self.panes.servers.cursor,
            Pane::Destinations => self.panes.destinations.cursor,
            Pane::Scan => self.panes.scan.cursor,
            Pane::Tasks => self.panes.tasks.cursor,
        }
    }

    pub fn filter(&self, pane: Pane) -> &str {
        match pane {
            Pane::Servers => &self.panes.servers.filter,
            Pane::Destinations => &self.panes.destinations.filter,
            Pane::Scan => &self.panes.scan.filter,
            Pane::Tasks => &self.panes.tasks.filter,
        }
    }

    pub fn selected_server(&self) -> Option<&Server> {
        self.panes.servers.selected(&self.servers)
    }

    pub fn selected_destination(&self) -> Option<&DestinationView> {
        self.panes.destinations.selected(&self.destinations)
    }

    pub fn selected_scan_row(&self) -> Option<&ScanRow> {
        self.panes.scan.selected_row()
    }

    pub fn server_name(&self, uuid: &str) -> String {
        self.servers
            .iter()
            .find(|s| s.uuid == uuid)
            .map_or_else(|| uuid.to_string(), |s| s.name.clone())
    }

    /// Whether anything is queued or running (the spinner turns only then).
    pub fn busy(&self) -> bool {
        self.panes.tasks.pending() || self.checks_pending() || self.loading
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
            Pane::Servers => self.panes.servers.visible.len(),
            Pane::Destinations => self.panes.destinations.visible.len(),
            Pane::Scan => self.panes.scan.visible.len(),
            Pane::Tasks => self.panes.tasks.visible.len(),
        }
    }

    fn cursor_mut(&mut self, pane: Pane) -> &mut Cursor {
        match pane {
            Pane::Servers => &mut self.panes.servers.cursor,
            Pane::Destinations => &mut self.panes.destinations.cursor,
            Pane::Scan => &mut self.panes.scan.cursor,
            Pane::Tasks => &mut self.panes.tasks.cursor,
        }
    }

    fn filter_mut(&mut self, pane: Pane) -> &mut String {
        match pane {
            Pane::Servers => &mut self.panes.servers.filter,
            Pane::Destinations => &mut self.panes.destinations.filter,
            Pane::Scan => &mut self.panes.scan.filter,
            Pane::Tasks => &mut self.panes.tasks.filter,
        }
    }

    fn move_cursor(&mut self, pane: Pane, f: impl FnOnce(&mut Cursor, usize, usize)) {
        let (len, page) = (self.len(pane), self.page(pane));
        let before = self.cursor(pane).selected;
        f(self.cursor_mut(pane), len, page);
        if pane == Pane::Servers && before != self.cursor(pane).selected {
            self.server_selection_changed();
        }
    }

    /// Puts the cursor of the record's pane on it, if listed.
    fn select(&mut self, record: Record) {
        let (pane, position) = match &record {
            Record::Server(uuid) => (
                Pane::Servers,
                self.panes.servers.position(&self.servers, uuid),
            ),
            Record::Destination(uuid) => (
                Pane::Destinations,
                self.panes.destinations.position(&self.destinations, uuid),
            ),
        };
        if let Some(p) = position {
            let (len, page) = (self.len(pane), self.page(pane));
            self.cursor_mut(pane).set(p, len, page);
        }
    }

    fn server_selection_changed(&mut self) {
        if self.panes.destinations.scoped {
            self.refresh_destinations();
        }
    }

    // ---------- derived views ----------

    fn refresh_servers(&mut self) {
        let page = self.page(Pane::Servers);
        self.panes.servers.refresh(&self.servers, page);
    }

    fn refresh_destinations(&mut self) {
        let scope = if self.panes.destinations.scoped {
            self.selected_server().map(|s| s.uuid.clone())
        } else {
            None
        };
        let page = self.page(Pane::Destinations);
        let filter = self.panes.destinations.filter.to_lowercase();
        let matching: Vec<bool> = self
            .destinations
            .iter()
            .map(|d| filter.is_empty() || destinations::matches(self, d, &filter))
            .collect();
        self.panes.destinations.refresh(
            &self.destinations,
            &self.health,
            scope.as_deref(),
            &matching,
            page,
        );
    }

    fn refresh_scan(&mut self) {
        let page = self.page(Pane::Scan);
        self.panes.scan.refresh(page);
    }

    fn refresh_tasks(&mut self) {
        let page = self.page(Pane::Tasks);
        self.panes.tasks.refresh(page);
    }

    fn refresh_all(&mut self) {
        self.refresh_servers();
        self.refresh_destinations();
        self.refresh_scan();
        self.refresh_tasks();
    }

    // ---------- submitting ----------

    /// Hands `task` to the queue under a new id. Every task but a reload, the local probe or
    /// a usage read gets a row in the Tasks pane, named for its server.
    fn submit(&mut self, task: Task) -> Effect {
        let id = self.next_task;
        self.next_task += 1;
        if matches!(task, Task::Usage { .. }) {
            self.wait(id, Waiter::Background);
        } else if !matches!(task, Task::Load | Task::ProbeLocal) {
            let server = match task.lane() {
                crate::tasks::Lane::Server(server) | crate::tasks::Lane::Usage(server) => {
                    self.server_name(&server)
                }
                crate::tasks::Lane::Store | crate::tasks::Lane::Settle => String::new(),
            };
            let label = self.label(&task);
            self.wait(id, Waiter::Row { server, label });
        }
        if !task.is_read() {
            self.wait(id, Waiter::Change);
        }
        if let Task::CheckServer { server } = &task {
            let server = server.clone();
            self.wait(id, Waiter::ServerCheck { server });
        }
        Effect::Submit(id, task)
    }

    /// Hands `task` to the queue with no row in the Tasks pane: reads the live state asks for
    /// in the background (an open scan or details read again).
    fn submit_quiet(&mut self, task: Task) -> Effect {
        let id = self.next_task;
        self.next_task += 1;
        Effect::Submit(id, task)
    }

    /// Submits `task` for `waiter` (an element that shows its result).
    fn submit_for(&mut self, task: Task, waiter: Waiter) -> Effect {
        let effect = self.submit(task);
        if let Effect::Submit(id, _) = &effect {
            self.wait(*id, waiter);
        }
        effect
    }

    /// Reads the usage (containers, CPU, memory) of `server`'s destinations again, in the
    /// background: after its checks, on its containers' events, when a destination's details
    /// open. A read asked while one is pending joins it.
    pub(super) fn refresh_usage(&mut self, server: &ServerId) -> Effect {
        self.submit(Task::Usage {
            server: server.clone(),
        })
    }

    fn reload(&mut self) -> Effect {
        self.submit(Task::Load)
    }

    /// A reload after a write: once loaded, the record's pane selects it.
    fn reload_selecting(&mut self, record: Record) -> Effect {
        self.submit_for(Task::Load, Waiter::SelectAfterLoad(record))
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
    let mut effects = dispatch(app, action);
    // The watches follow the records: a server found online, removed or edited.
    effects.extend(app.watch_effect());
    // The failed badge counts what failed since the Tasks pane was last looked at.
    if app.focus == Pane::Tasks {
        app.panes.tasks.unseen_failed = 0;
    }
    effects
}

fn dispatch(app: &mut App, action: Action) -> Vec<Effect> {
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
            if app.messages.open {
                let page = super::panes::messages::page(app.areas().messages);
                app.messages.refresh(page);
            }
            Vec::new()
        }
        Action::Task(mut event) => {
            sanitize::Clean::clean(&mut event);
            events::on_task(app, event)
        }
        Action::Served(served) => forwarded::on_served(app, served),
        Action::Tick => Vec::new(),
        Action::CheckAll => commands::check_all(app, false),
        Action::Live(changes, at) => live::on_changes(app, changes, at),
    }
}
