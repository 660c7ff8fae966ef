//! What the servers announce (DESIGN.md §11), applied as it comes: a destination's CHECK, the
//! servers' event streams, and reads of what an event made stale (an open scan, open details,
//! the usage). The watches themselves run outside the app (`crate::live`); the set of servers
//! they follow is derived here from the records (`watch_effect`).

use std::collections::BTreeSet;

use super::*;
use crate::ops::{Change, HealthStatus, StreamState};
use crate::tui::panes::messages::Level;
use crate::tui::panes::tasks::{TaskRow, TaskState};

/// Ids of the Tasks pane's rows for what a watch did on its own (a proxy attached again):
/// far from the app's own task ids and from forwarded commands' (`owner::FORWARDED_IDS`).
const LIVE_ROWS: TaskId = 1 << 44;

pub(super) fn on_changes(app: &mut App, changes: Vec<Change>, now: Instant) -> Vec<Effect> {
    let open_details = match &app.details {
        Some(Details::Destination(d)) => Some(d.destination.uuid.clone()),
        _ => None,
    };
    let mut rescan: BTreeSet<ServerId> = BTreeSet::new();
    let mut usage: BTreeSet<ServerId> = BTreeSet::new();
    let mut details_again = false;
    let mut settle = false;
    for change in changes {
        if let Some(state) = change.stream {
            app.live.insert(change.server_uuid.clone(), state);
            // The next contact with a server where a change lost its connection settles it.
            settle |= state == StreamState::Watching && app.unsettled.remove(&change.server);
            // An open stream is an answer of the server itself.
            if state == StreamState::Watching {
                app.mark_reached(&change.server_uuid);
            }
        }
        if let Some(row) = &change.check {
            details_again |= !change.silent && open_details.as_ref() == Some(&row.uuid);
            app.health.insert(row.uuid.clone(), row.clone());
        }
        if change.networks_changed {
            rescan.insert(change.server_uuid.clone());
        }
        // Usage is read when a stream starts (with its first check) and when containers come,
        // go or change state.
        if change.containers_changed || change.stream == Some(StreamState::Watching) {
            usage.insert(change.server_uuid.clone());
        }
        if change.resource.is_some() {
            details_again |= open_details.is_some()
                && change.destination.as_deref() == app.details_title().as_deref();
        }
        if change.event == "reattach" {
            reattach_row(app, &change, now);
        }
        // Every change is told (the Messages view keeps them); the status line shows the last.
        if !change.silent && (change.destination.is_some() || change.stream.is_some()) {
            tell_change(app, &change);
        }
    }
    app.refresh_destinations();
    app.refresh_servers();
    let mut effects = Vec::new();
    if settle {
        effects.push(app.submit_quiet(Task::Settle));
    }
    let scanned = app.panes.scan.view.as_ref().map(|v| v.server.clone());
    if let Some(server) = scanned.filter(|s| rescan.contains(s)) {
        effects.push(app.submit_quiet(Task::Scan { server }));
    }
    for server in usage {
        effects.push(app.refresh_usage(&server));
    }
    if details_again
        && let Some(uuid) = open_details
        && let Some(d) = app.destinations.iter().find(|d| d.uuid == uuid)
    {
        let task = Task::ShowDestination {
            server: d.server_uuid.clone(),
            destination: uuid,
        };
        let effect = app.submit_quiet(task);
        if let Effect::Submit(id, _) = &effect {
            app.wait(*id, Waiter::Details);
        }
        effects.push(effect);
    }
    effects
}

/// A change of a destination, or of a server's stream, told with the time of its event.
fn tell_change(app: &mut App, change: &Change) {
    let mut text = format!("{}: ", change.server);
    match (&change.destination, change.stream) {
        (Some(d), _) => text.push_str(&format!("{d} {}", change.event)),
        (None, Some(StreamState::Reconnecting)) => text.push_str("events: reconnecting"),
        (None, _) => text.push_str("events: live"),
    }
    if let Some(status) = &change.status {
        text.push_str(&format!(" → {status}"));
    }
    if let Some(detail) = &change.detail {
        text.push_str(&format!(" ({detail})"));
    }
    let bad = change.stream == Some(StreamState::Reconnecting)
        || change
            .status
            .as_deref()
            .is_some_and(|s| s != HealthStatus::Ok.as_str() && s != "running");
    let level = if bad { Level::Alert } else { Level::Info };
    let object = match &change.destination {
        Some(d) => d.clone(),
        None => "events".into(),
    };
    let (time, server) = (change.time.clone(), change.server.clone());
    app.tell_at(time, level, &server, &object, text);
}

/// A proxy put back (or left alone) by the watch: a finished row in the Tasks pane.
fn reattach_row(app: &mut App, change: &Change, now: Instant) {
    app.live_rows += 1;
    let id = LIVE_ROWS + app.live_rows;
    let failed = change.status.as_deref() != Some(HealthStatus::Ok.as_str());
    let row = TaskRow {
        id,
        label: format!(
            "reattach proxy to {}",
            change.destination.as_deref().unwrap_or("?")
        ),
        server: change.server.clone(),
        state: TaskState::Running,
        queued_at: now,
        started_at: Some(now),
        finished_at: None,
        note: String::new(),
    };
    let page = app.page(Pane::Tasks);
    app.panes.tasks.push(row, page);
    let note = change.detail.clone().unwrap_or_default();
    app.panes.tasks.finish(id, now, failed, false, note);
    app.refresh_tasks();
}

impl App {
    /// The servers to watch: those found online, and those already watched (a watch that
    /// lost its stream keeps trying); a removed server is no longer watched, an edited one is
    /// watched afresh. `None` when the set is what the watches follow already.
    pub(super) fn watch_effect(&mut self) -> Option<Effect> {
        let wanted: Vec<Server> = self
            .servers
            .iter()
            .filter(|s| s.online || self.live.contains_key(&s.uuid))
            .cloned()
            .collect();
        let same = wanted.len() == self.watching.len()
            && wanted
                .iter()
                .zip(&self.watching)
                .all(|(new, old)| new.same_target(old));
        if same {
            return None;
        }
        self.watching = wanted.clone();
        let kept: BTreeSet<&ServerId> = wanted.iter().map(|s| &s.uuid).collect();
        self.live.retain(|uuid, _| kept.contains(uuid));
        Some(Effect::Watch(wanted))
    }

    /// The server's event stream: watched, reconnecting, or not watched (`None`).
    pub fn live_state(&self, server: &str) -> Option<StreamState> {
        self.live.get(server).copied()
    }

    /// The name of the destination whose details are open.
    fn details_title(&self) -> Option<String> {
        match &self.details {
            Some(Details::Destination(d)) => Some(d.destination.name.clone()),
            _ => None,
        }
    }
}
