//! What waits on which task. One map, task id to waiters: a joined task hands its waiters to
//! the task it joined, and a finished task's waiters are settled in one place each for a result
//! and for an error (`results`, `events::failed`).

use std::time::Instant;

use super::{App, Effect, Record};
use crate::domain::{DestinationId, ServerId};
use crate::tasks::{Task, TaskId};
use crate::tui::panes::messages::Level;

/// Something that waits on a task.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Waiter {
    /// The Tasks pane lists the task when the queue accepts it, under this server's name (empty
    /// for none) and this label (what it does, named for what it acts on). Reloads and the
    /// local probe have no row: they run hidden.
    Row { server: String, label: String },
    /// A change (not a read): quitting while one is queued or running asks first.
    Change,
    /// A reload after a write: once loaded, `pane` selects the record `uuid`.
    SelectAfterLoad(Record),
    /// A live check of this server (uuid): the Servers pane shows it as being checked.
    ServerCheck { server: ServerId },
    /// One of the start-up checks of every server, counted when it answers.
    FirstRound,
    /// The Scan pane, loading until the scan answers.
    Scan,
    /// The details view, loading until the details answer.
    Details,
    /// The open server details, reading the subnets in use on that server.
    Addresses,
    /// The open form, which closes on success and shows an error inline.
    Form,
    /// The server-check dialog, checking until the check answers.
    CheckDialog,
    /// The delete confirmation, waiting for this destination's dependency report.
    Report(DestinationId),
    /// The admin asked for this with a key: its result is told even when it is a read (a
    /// scan, a check), and joining a running task says so.
    Asked,
    /// A read refreshed often in the background (usage): like a reload it has no row, and
    /// it says nothing when it joins a pending one or fails (the failure is logged; a server
    /// it finds unreachable still turns red).
    Background,
}

impl Waiter {
    /// Elements that wait on one task at a time: a newer task replaces the older one.
    fn is_single(&self) -> bool {
        matches!(
            self,
            Waiter::Scan | Waiter::Details | Waiter::Form | Waiter::CheckDialog
        )
    }
}

/// The start-up check of every server: what came back so far.
#[derive(Debug, Default)]
pub(super) struct CheckRound {
    online: usize,
    offline: usize,
    /// When the last server that answered came online.
    last_online: Option<Instant>,
}

impl App {
    /// `waiter` waits on task `id` (and no longer on any other, when it waits on one at a time).
    pub(super) fn wait(&mut self, id: TaskId, waiter: Waiter) {
        if waiter.is_single() {
            self.forget(&waiter);
        }
        self.pending.entry(id).or_default().push(waiter);
    }

    /// `waiter` waits on every task of `effects`.
    pub(super) fn wait_all(&mut self, effects: &[Effect], waiter: Waiter) {
        for effect in effects {
            if let Effect::Submit(id, _) = effect {
                self.wait(*id, waiter.clone());
            }
        }
    }

    /// `waiter` no longer waits on any task (its element closed).
    pub(super) fn forget(&mut self, waiter: &Waiter) {
        for waiters in self.pending.values_mut() {
            waiters.retain(|w| w != waiter);
        }
        self.pending.retain(|_, waiters| !waiters.is_empty());
    }

    /// The delete confirmation closed: no report shows there any more.
    pub(super) fn forget_reports(&mut self) {
        for waiters in self.pending.values_mut() {
            waiters.retain(|w| !matches!(w, Waiter::Report(_)));
        }
        self.pending.retain(|_, waiters| !waiters.is_empty());
    }

    /// Whether `waiter` waits on a task.
    pub(super) fn waits(&self, waiter: &Waiter) -> bool {
        self.pending.values().flatten().any(|w| w == waiter)
    }

    /// The task `id` finished: its waiters, out of the map.
    pub(super) fn take_waiters(&mut self, id: TaskId) -> Vec<Waiter> {
        self.pending.remove(&id).unwrap_or_default()
    }

    /// The row `id` waits for (its server and label), taken as the queue accepts the task.
    pub(super) fn take_row(&mut self, id: TaskId) -> Option<(String, String)> {
        let waiters = self.pending.get_mut(&id)?;
        let i = waiters
            .iter()
            .position(|w| matches!(w, Waiter::Row { .. }))?;
        match waiters.remove(i) {
            Waiter::Row { server, label } => Some((server, label)),
            _ => None,
        }
    }

    /// How many changes are queued or running (reads do not count).
    pub fn changes_pending(&self) -> usize {
        self.pending
            .values()
            .flatten()
            .filter(|w| **w == Waiter::Change)
            .count()
    }

    /// A joined request waits for the task it joined.
    pub(super) fn retarget(&mut self, id: TaskId, into: TaskId) {
        let waiters = self.take_waiters(id);
        self.pending.entry(into).or_default().extend(waiters);
    }

    /// Whether any live server check is in flight.
    pub(super) fn checks_pending(&self) -> bool {
        self.pending
            .values()
            .flatten()
            .any(|w| matches!(w, Waiter::ServerCheck { .. }))
    }

    /// Whether a live check of this server (uuid) is in flight.
    pub fn is_checking(&self, uuid: &str) -> bool {
        self.pending
            .values()
            .flatten()
            .any(|w| matches!(w, Waiter::ServerCheck { server } if server == uuid))
    }

    /// Whether the open form waits on the task it submitted.
    pub fn form_waiting(&self) -> bool {
        self.waits(&Waiter::Form)
    }

    /// Whether the server-check dialog's check is still running.
    pub fn check_dialog_running(&self) -> bool {
        self.waits(&Waiter::CheckDialog)
    }

    /// A live check of every recorded server, each on its own lane.
    pub(super) fn check_all_servers(&mut self) -> Vec<Effect> {
        let uuids: Vec<ServerId> = self.servers.iter().map(|s| s.uuid.clone()).collect();
        uuids
            .into_iter()
            .map(|server| self.submit(Task::CheckServer { server }))
            .collect()
    }

    /// The start-up check of every server: its answers are counted as they land, and the
    /// last one says how it went.
    pub(super) fn check_all_servers_first(&mut self) -> Vec<Effect> {
        let effects = self.check_all_servers();
        for effect in &effects {
            if let Effect::Submit(id, _) = effect {
                self.wait(*id, Waiter::FirstRound);
            }
        }
        if !effects.is_empty() {
            self.first_round = Some(CheckRound::default());
        }
        effects
    }

    /// Counts a server check's answer into the start-up round; at its last answer, says how
    /// many servers are online (and logs how long the round took from the start).
    pub(super) fn count_first_round(&mut self, online: bool, at: Instant) {
        let last = !self.waits(&Waiter::FirstRound);
        let Some(round) = &mut self.first_round else {
            return;
        };
        if online {
            round.online += 1;
            round.last_online = Some(at);
        } else {
            round.offline += 1;
        }
        if !last {
            return;
        }
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
        let level = if offline == 0 {
            Level::Info
        } else {
            Level::Alert
        };
        self.tell(level, "", "servers", text);
    }
}
