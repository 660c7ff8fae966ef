//! The TUI's watches (DESIGN.md §11): one `Ops::watch_server` per watched server, each on its
//! own task, their changes on one channel the event loop reads. Like the task queue, this is
//! plumbing: what a change means for the panes is decided in `tui::app`.

use std::collections::HashMap;

use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};
use tokio::task::JoinHandle;

use crate::domain::{Server, ServerId};
use crate::ops::{Change, Ops, WatchOptions};

pub struct Watchers {
    ops: Ops,
    options: WatchOptions,
    sender: UnboundedSender<Vec<Change>>,
    /// Each watched server as it was when its watch started, and that watch.
    running: HashMap<ServerId, (Server, JoinHandle<()>)>,
}

impl Watchers {
    pub fn new(ops: Ops, options: WatchOptions) -> (Self, UnboundedReceiver<Vec<Change>>) {
        let (sender, changes) = unbounded_channel();
        let watchers = Watchers {
            ops,
            options,
            sender,
            running: HashMap::new(),
        };
        (watchers, changes)
    }

    /// Watches exactly `servers`: starts those not watched yet, restarts those whose record
    /// changed (an edited host or socket), stops the others.
    pub fn follow(&mut self, servers: Vec<Server>) {
        self.running.retain(|uuid, (old, watch)| {
            let kept = servers
                .iter()
                .any(|s| s.uuid == *uuid && s.same_target(old));
            if !kept {
                watch.abort();
            }
            kept
        });
        for server in servers {
            if self.running.contains_key(&server.uuid) {
                continue;
            }
            let (ops, sender, options) = (self.ops.clone(), self.sender.clone(), self.options);
            let watched = server.clone();
            let watch =
                tokio::spawn(async move { ops.watch_server(watched, options, sender).await });
            self.running.insert(server.uuid.clone(), (server, watch));
        }
    }

    /// How many servers are watched.
    pub fn len(&self) -> usize {
        self.running.len()
    }

    pub fn is_empty(&self) -> bool {
        self.running.is_empty()
    }
}

impl Drop for Watchers {
    fn drop(&mut self) {
        for (_, watch) in self.running.values() {
            watch.abort();
        }
    }
}
