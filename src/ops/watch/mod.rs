//! Live state (DESIGN.md §11): one Docker event stream per server, turned into changes of
//! destinations, networks and resources, each re-checked on its own (no full check); the
//! stream resumes where it broke off (`since=`), and a proxy something else disconnects can be
//! put back (opt-in). `destui watch` prints the changes; the TUI applies them to its panes.

use super::*;
use crate::domain::{LABEL_RESOURCE, Resource, ResourceId, ResourceStatus};
use crate::remote::docker::{DockerEvent, EventKind, since_after};
use std::collections::VecDeque;
use tokio::sync::mpsc::UnboundedSender;

mod events;
mod reattach;

/// A server's event stream, as the watch reads it.
type Events = std::pin::Pin<
    Box<dyn futures::Stream<Item = Result<DockerEvent, crate::remote::docker::DockerError>> + Send>,
>;

/// The first wait before connecting again; it doubles up to `LAST_BACKOFF`.
const FIRST_BACKOFF: Duration = Duration::from_secs(1);
const LAST_BACKOFF: Duration = Duration::from_secs(30);
/// Events that follow each other this closely are handled as one batch (one check per
/// destination, one rescan): a storm of 300 networks costs a few batches, not 300 reads.
const BATCH_WINDOW: Duration = Duration::from_millis(15);
const BATCH_MAX: usize = 512;
/// A stream silent this long is proven with a ping: a stalled link never ends a stream.
const SILENCE: Duration = Duration::from_secs(20);
const PING_WITHIN: Duration = Duration::from_secs(5);
/// After a reconnect, the replayed events come first; the re-check waits for this quiet.
const REPLAY_QUIET: Duration = Duration::from_millis(250);
/// How long a disconnected proxy is left before it is put back: a delete by someone else
/// (another admin's destui) disconnects it just before removing the network, and must not
/// find it attached again.
const REATTACH_GRACE: Duration = Duration::from_millis(400);
/// More disconnects than this within `FLAP_WINDOW`, and the proxy is left alone.
const FLAP_LIMIT: usize = 3;
const FLAP_WINDOW: Duration = Duration::from_secs(60);

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WatchOptions {
    /// Put back a proxy that something else disconnected (`[watch] reattach_proxy`).
    pub reattach_proxy: bool,
}

/// Whether a server's event stream runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamState {
    Watching,
    Reconnecting,
}

/// One change on a server: printed by `destui watch` (the serialized keys are the JSON lines'
/// keys of DESIGN.md §11), applied by the TUI (the skipped fields say what it touches).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    pub time: String,
    pub server: String,
    pub destination: Option<String>,
    pub network: Option<String>,
    /// The daemon's action (`create`, `destroy`, `connect`, `disconnect`, `start`, `die`…),
    /// or destui's own: `watching`, `reconnecting`, `check`, `reattach`.
    pub event: String,
    pub status: Option<String>,
    pub detail: Option<String>,
    #[serde(skip)]
    pub server_uuid: ServerId,
    /// The destination's state after this change.
    #[serde(skip)]
    pub check: Option<CheckRow>,
    #[serde(skip)]
    pub stream: Option<StreamState>,
    /// The server's networks changed (an open scan reads them again).
    #[serde(skip)]
    pub networks_changed: bool,
    /// A destination's containers changed (its usage is read again).
    #[serde(skip)]
    pub containers_changed: bool,
    /// A resource container changed state.
    #[serde(skip)]
    pub resource: Option<ResourceId>,
    /// For the panes only: no line of its own (`watch` prints the others).
    #[serde(skip)]
    pub silent: bool,
}

impl Ops {
    /// Watches `server` until `changes` is closed, sending each batch of changes as one
    /// message. It never gives up on a server: a stream that ends is opened again with backoff.
    pub async fn watch_server(
        &self,
        server: Server,
        options: WatchOptions,
        changes: UnboundedSender<Vec<Change>>,
    ) {
        // Putting a proxy back is a change: never on a read-only server (`writable`).
        let options = WatchOptions {
            reattach_proxy: options.reattach_proxy && writable(&server).is_ok(),
        };
        let mut watcher = Watcher {
            ops: self,
            server,
            options,
            out: changes,
            containers: HashMap::new(),
            told: HashMap::new(),
            detaches: HashMap::new(),
            given_up: HashSet::new(),
            last_event: None,
        };
        let mut backoff = FIRST_BACKOFF;
        // The reason last told: a server that stays down for hours is told why once, then
        // only that it still is.
        let mut last_reason: Option<String> = None;
        loop {
            let ended = match watcher.session().await {
                Ended::Closed => return,
                Ended::Broke { error, watched } => {
                    if watched {
                        backoff = FIRST_BACKOFF;
                        last_reason = None;
                    }
                    error
                }
            };
            let reason = ended.reason();
            let said = if last_reason.as_ref() == Some(&reason) {
                "still failing the same way".to_string()
            } else {
                reason.clone()
            };
            last_reason = Some(reason);
            let mut note = watcher.change("reconnecting");
            note.stream = Some(StreamState::Reconnecting);
            note.detail = Some(format!("{said}; trying again in {} s", backoff.as_secs()));
            if !watcher.send(vec![note]) {
                return;
            }
            tokio::select! {
                _ = tokio::time::sleep(backoff) => {}
                _ = watcher.out.closed() => return,
            }
            backoff = (backoff * 2).min(LAST_BACKOFF);
        }
    }
}

/// Why a session ended.
enum Ended {
    /// Nobody listens any more.
    Closed,
    /// The stream broke; `watched`: it had been running (the backoff starts over).
    Broke { error: Error, watched: bool },
}

/// One server's watch: what it knows between events.
struct Watcher<'a> {
    ops: &'a Ops,
    server: Server,
    options: WatchOptions,
    out: UnboundedSender<Vec<Change>>,
    /// Containers by ID: network events name containers by ID only, and a container
    /// removed is announced after its networks let go of it.
    containers: HashMap<String, Seen>,
    /// The status last told of each destination (a re-check tells only what differs).
    told: HashMap<DestinationId, HealthStatus>,
    /// When the proxy was found disconnected from each destination, within `FLAP_WINDOW`.
    detaches: HashMap<DestinationId, VecDeque<Instant>>,
    /// Destinations whose proxy is left alone (it flapped), until the window is quiet.
    given_up: HashSet<DestinationId>,
    /// The daemon's stamp of the last event handled, to resume after it.
    last_event: Option<i64>,
}

/// A container as the watch knows it.
#[derive(Debug, Default)]
struct Seen {
    name: String,
    /// The networks it is configured on: IDs, or for a container never started, the names
    /// it was created with.
    networks: HashSet<String>,
}

/// What a batch of events touched, before the checks say the destinations' state.
#[derive(Default)]
struct Touched {
    changes: Vec<Change>,
    /// Destinations to check again, by network ID.
    destinations: Vec<Destination>,
    /// Destinations the proxy was disconnected from.
    proxy_left: HashSet<DestinationId>,
}

impl Watcher<'_> {
    /// Opens the stream, checks the server, and follows the events until the stream ends.
    async fn session(&mut self) -> Ended {
        let (docker, listed, now) = match self.open().await {
            Ok(opened) => opened,
            Err(error) => {
                return Ended::Broke {
                    error,
                    watched: false,
                };
            }
        };
        self.remember_containers(&listed);
        let resumed = self.last_event.is_some();
        if !resumed {
            self.last_event = now.map(|n| n - 1);
        }
        let events: Events = Box::pin(docker.events(self.last_event.map(since_after)));
        if !resumed && !self.recheck(&listed).await {
            return Ended::Closed;
        }
        self.follow(&docker, events, resumed).await
    }

    /// The server's client, its containers, and the daemon's clock: the stream starts from
    /// that instant, so that nothing between here and its subscription is missed (and a stream
    /// that breaks before its first event resumes from there).
    async fn open(&self) -> Result<(DockerApi, Vec<ListedContainer>, Option<i64>), Error> {
        let docker = self.ops.docker(&self.server).await?;
        let now = match docker.daemon_now().await {
            Ok(now) => now,
            Err(e) => return Err(self.ops.fail(&self.server, e).await),
        };
        match docker.listed_containers(None).await {
            Ok(listed) => Ok((docker, listed, now)),
            Err(e) => Err(self.ops.fail(&self.server, e).await),
        }
    }

    fn remember_containers(&mut self, listed: &[ListedContainer]) {
        self.containers = listed
            .iter()
            .map(|c| {
                let networks = c
                    .networks
                    .iter()
                    .map(|(key, id)| if id.is_empty() { key } else { id }.clone())
                    .collect();
                let seen = Seen {
                    name: c.name.clone(),
                    networks,
                };
                (c.id.clone(), seen)
            })
            .collect();
    }

    /// Handles the events in batches until the stream ends. `resumed`: after a reconnect, the
    /// missed events are replayed first, and the server is checked once they are through.
    async fn follow(&mut self, docker: &DockerApi, mut events: Events, resumed: bool) -> Ended {
        let mut recheck_at = resumed.then(|| tokio::time::Instant::now() + REPLAY_QUIET);
        let mut silent_since = tokio::time::Instant::now();
        loop {
            let quiet = recheck_at.unwrap_or_else(|| silent_since + SILENCE);
            let first = tokio::select! {
                next = events.next() => next,
                _ = tokio::time::sleep_until(quiet) => {
                    if recheck_at.take().is_some() {
                        if !self.recheck_now(docker).await {
                            return Ended::Closed;
                        }
                    } else if let Err(error) = self.prove(docker).await {
                        return Ended::Broke { error, watched: true };
                    }
                    silent_since = tokio::time::Instant::now();
                    continue;
                }
                _ = self.out.closed() => return Ended::Closed,
            };
            silent_since = tokio::time::Instant::now();
            let batch = match self.batch(first, &mut events).await {
                Ok(batch) => batch,
                Err(error) => {
                    return Ended::Broke {
                        error,
                        watched: true,
                    };
                }
            };
            if let Some(at) = recheck_at.as_mut() {
                *at = tokio::time::Instant::now() + REPLAY_QUIET;
            }
            let changes = self.handle(docker, batch).await;
            if !changes.is_empty() && !self.send(changes) {
                return Ended::Closed;
            }
        }
    }

    /// The event `first` and those that follow it closely; an error when the stream broke.
    async fn batch(
        &self,
        first: Option<Result<DockerEvent, crate::remote::docker::DockerError>>,
        events: &mut Events,
    ) -> Result<Vec<DockerEvent>, Error> {
        let mut batch = match first {
            Some(Ok(event)) => vec![event],
            Some(Err(e)) => return Err(self.ops.fail(&self.server, e).await),
            None => {
                self.ops.drop_connection(&self.server.uuid).await;
                return Err(Error::Unreachable {
                    server: self.server.name.clone(),
                    detail: "the event stream ended (daemon restarted or link lost)".into(),
                });
            }
        };
        // (An error after the first is met again on the next read.)
        while batch.len() < BATCH_MAX {
            match tokio::time::timeout(BATCH_WINDOW, events.next()).await {
                Ok(Some(Ok(event))) => batch.push(event),
                _ => break,
            }
        }
        Ok(batch)
    }

    /// A ping that must answer in time: a silent stream on a stalled link is found this way.
    async fn prove(&self, docker: &DockerApi) -> Result<(), Error> {
        match tokio::time::timeout(PING_WITHIN, docker.ping()).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(self.ops.fail(&self.server, e).await),
            Err(_) => {
                self.ops.drop_connection(&self.server.uuid).await;
                Err(Error::Unreachable {
                    server: self.server.name.clone(),
                    detail: "it stopped answering while watched".into(),
                })
            }
        }
    }

    async fn recheck_now(&mut self, docker: &DockerApi) -> bool {
        match docker.listed_containers(None).await {
            Ok(listed) => self.recheck(&listed).await,
            // The stream itself says soon enough whether the server is gone.
            Err(_) => true,
        }
    }

    /// Checks every destination of the server and tells what differs from what was told
    /// (everything, the first time), then that the server is watched. False: nobody listens.
    async fn recheck(&mut self, listed: &[ListedContainer]) -> bool {
        let rows = self
            .ops
            .check_destinations_on(&self.server, listed)
            .await
            .unwrap_or_default();
        let destinations = self.destinations().await;
        let mut changes = Vec::new();
        for row in &rows {
            if self.told.get(&row.uuid) == Some(&row.status) {
                continue;
            }
            let mut change = self.change("check");
            if let Some(d) = destinations.iter().find(|d| d.uuid == row.uuid) {
                change.network = Some(d.network.clone());
            }
            self.tell_state(&mut change, row);
            changes.push(change);
        }
        let mut watching = self.change("watching");
        watching.stream = Some(StreamState::Watching);
        watching.detail = Some(format!("{} destination(s) checked", rows.len()));
        // The panes take the whole check with them (a CHECK column filled from the start).
        changes.extend(rows.into_iter().map(|row| {
            let mut quiet = self.change("check");
            quiet.check = Some(row);
            quiet.silent = true;
            quiet
        }));
        changes.push(watching);
        self.send(changes)
    }

    fn tell_state(&mut self, change: &mut Change, row: &CheckRow) {
        change.destination = Some(row.destination.clone());
        change.status = Some(row.status.as_str().to_string());
        change.detail = row.detail.clone().or(change.detail.take());
        change.check = Some(row.clone());
        self.told.insert(row.uuid.clone(), row.status);
    }

    /// The destinations recorded on this server now (one may have been created or deleted
    /// since the last batch).
    async fn destinations(&self) -> Vec<Destination> {
        let uuid = self.server.uuid.clone();
        self.ops
            .db(move |s| s.destinations_of(&uuid))
            .await
            .unwrap_or_default()
    }

    fn change(&self, event: &str) -> Change {
        Change {
            time: rfc3339(domain::now_unix()),
            server: self.server.name.clone(),
            destination: None,
            network: None,
            event: event.to_string(),
            status: None,
            detail: None,
            server_uuid: self.server.uuid.clone(),
            check: None,
            stream: None,
            networks_changed: false,
            containers_changed: false,
            resource: None,
            silent: false,
        }
    }

    /// False when nobody listens any more.
    fn send(&self, changes: Vec<Change>) -> bool {
        self.out.send(changes).is_ok()
    }
}
