//! Live state (DESIGN.md §11): one Docker event stream per server, turned into changes of
//! destinations, networks and resources, each re-checked on its own (no full check); the
//! stream resumes where it broke off (`since=`), and a proxy something else disconnects can be
//! put back (opt-in). `destui watch` prints the changes; the TUI applies them to its panes.

use super::*;
use crate::domain::{LABEL_RESOURCE, Resource, ResourceId, ResourceStatus};
use crate::remote::docker::{DockerEvent, EventKind, since_after};
use std::collections::VecDeque;
use tokio::sync::mpsc::UnboundedSender;

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
        loop {
            let ended = match watcher.session().await {
                Ended::Closed => return,
                Ended::Broke { error, watched } => {
                    if watched {
                        backoff = FIRST_BACKOFF;
                    }
                    error
                }
            };
            let mut note = watcher.change("reconnecting");
            note.stream = Some(StreamState::Reconnecting);
            note.detail = Some(format!(
                "{}; trying again in {} s",
                ended.reason(),
                backoff.as_secs()
            ));
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
        let broke = |error| Ended::Broke {
            error,
            watched: false,
        };
        let docker = match self.ops.docker(&self.server).await {
            Ok(docker) => docker,
            Err(error) => return broke(error),
        };
        // The daemon's clock: the stream starts from this instant, so that nothing between
        // here and the stream's subscription is missed (and a stream that breaks before its
        // first event resumes from here).
        let now = match docker.daemon_now().await {
            Ok(now) => now,
            Err(e) => return broke(self.ops.fail(&self.server, e).await),
        };
        let listed = match docker.listed_containers(None).await {
            Ok(listed) => listed,
            Err(e) => return broke(self.ops.fail(&self.server, e).await),
        };
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
        let resumed = self.last_event.is_some();
        if !resumed {
            self.last_event = now.map(|n| n - 1);
        }
        let mut events = Box::pin(docker.events(self.last_event.map(since_after)));
        if !resumed && !self.recheck(&listed).await {
            return Ended::Closed;
        }
        // After a reconnect the missed events are replayed first; the check follows them.
        let mut recheck_at = resumed.then(|| tokio::time::Instant::now() + REPLAY_QUIET);
        let mut silent_since = tokio::time::Instant::now();
        loop {
            let quiet = recheck_at.unwrap_or_else(|| silent_since + SILENCE);
            let first = tokio::select! {
                next = events.next() => next,
                _ = tokio::time::sleep_until(quiet) => {
                    if recheck_at.take().is_some() {
                        if !self.recheck_now(&docker).await {
                            return Ended::Closed;
                        }
                    } else if let Err(error) = self.prove(&docker).await {
                        return Ended::Broke { error, watched: true };
                    }
                    silent_since = tokio::time::Instant::now();
                    continue;
                }
                _ = self.out.closed() => return Ended::Closed,
            };
            silent_since = tokio::time::Instant::now();
            let mut batch = match first {
                Some(Ok(event)) => vec![event],
                Some(Err(e)) => {
                    let error = self.ops.fail(&self.server, e).await;
                    return Ended::Broke {
                        error,
                        watched: true,
                    };
                }
                None => {
                    self.ops.drop_connection(&self.server.uuid).await;
                    return Ended::Broke {
                        error: Error::Unreachable {
                            server: self.server.name.clone(),
                            detail: "the event stream ended (daemon restarted or link lost)".into(),
                        },
                        watched: true,
                    };
                }
            };
            // What follows closely joins the batch; an error is met again on the next read.
            while batch.len() < BATCH_MAX {
                match tokio::time::timeout(BATCH_WINDOW, events.next()).await {
                    Ok(Some(Ok(event))) => batch.push(event),
                    _ => break,
                }
            }
            if let Some(at) = recheck_at.as_mut() {
                *at = tokio::time::Instant::now() + REPLAY_QUIET;
            }
            let changes = self.handle(&docker, batch).await;
            if !changes.is_empty() && !self.send(changes) {
                return Ended::Closed;
            }
        }
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

    /// One batch of events: what each touched, then one check per destination touched.
    async fn handle(&mut self, docker: &DockerApi, mut batch: Vec<DockerEvent>) -> Vec<Change> {
        // The daemon may announce one disconnect twice in a row (seen for a container's
        // second network): one change each.
        batch.dedup_by(|a, b| {
            (a.kind, &a.action, &a.id, &a.container) == (b.kind, &b.action, &b.id, &b.container)
        });
        if let Some(last) = batch.iter().map(|e| e.time_nano).max() {
            self.last_event = Some(last.max(self.last_event.unwrap_or(0)));
        }
        let destinations = self.destinations().await;
        let resources = self.resources().await;
        let mut touched = Touched::default();
        for event in batch {
            match event.kind {
                EventKind::Network => self.network_event(event, &destinations, &mut touched),
                EventKind::Container => {
                    self.container_event(event, &resources, &destinations, &mut touched)
                }
            }
        }
        self.check_touched(&mut touched).await;
        if self.options.reattach_proxy {
            self.reattach(docker, &mut touched).await;
        }
        touched.changes
    }

    fn network_event(
        &mut self,
        event: DockerEvent,
        destinations: &[Destination],
        touched: &mut Touched,
    ) {
        let destination = destinations.iter().find(|d| d.network_id == event.id);
        let mut change = self.change(&event.action);
        change.time = rfc3339(event.time_nano.div_euclid(1_000_000_000));
        change.network = Some(event.name.clone());
        change.networks_changed = true;
        if let Some(container) = &event.container {
            let seen = self.containers.entry(container.clone()).or_default();
            if event.action == "connect" {
                seen.networks.insert(event.id.clone());
            }
            let name = if seen.name.is_empty() {
                container.chars().take(12).collect()
            } else {
                seen.name.clone()
            };
            let verb = if event.action == "connect" {
                "joined"
            } else {
                "left"
            };
            change.detail = Some(format!("container {name} {verb}"));
            change.containers_changed = destination.is_some();
            if let Some(d) = destination
                && event.action == "disconnect"
                && name == self.server.proxy_container
            {
                touched.proxy_left.insert(d.uuid.clone());
            }
        }
        if let Some(d) = destination {
            change.destination = Some(d.name.clone());
            if !touched.destinations.iter().any(|t| t.uuid == d.uuid) {
                touched.destinations.push(d.clone());
            }
        }
        touched.changes.push(change);
    }

    fn container_event(
        &mut self,
        event: DockerEvent,
        resources: &[Resource],
        destinations: &[Destination],
        touched: &mut Touched,
    ) {
        match event.action.as_str() {
            "create" | "rename" => {
                self.containers.entry(event.id.clone()).or_default().name = event.name.clone();
            }
            "destroy" => {
                let gone = self.containers.remove(&event.id).unwrap_or_default();
                self.container_removed(&event, gone, destinations, touched);
            }
            _ => {}
        }
        let Some(resource) = event
            .attributes
            .get(LABEL_RESOURCE)
            .and_then(|uuid| resources.iter().find(|r| r.uuid == *uuid))
        else {
            return;
        };
        let status = match event.action.as_str() {
            "start" | "unpause" => ResourceStatus::Running,
            "die" | "pause" => ResourceStatus::Stopped,
            "destroy" => ResourceStatus::Missing,
            _ => return,
        };
        let mut change = self.change(&event.action);
        change.time = rfc3339(event.time_nano.div_euclid(1_000_000_000));
        if let Some(d) = destinations
            .iter()
            .find(|d| d.uuid == resource.destination_uuid)
        {
            change.destination = Some(d.name.clone());
            change.network = Some(d.network.clone());
        }
        change.status = Some(status.to_string());
        change.detail = Some(format!(
            "resource {}: container {}",
            resource.name, event.name
        ));
        change.resource = Some(resource.uuid.clone());
        change.containers_changed = true;
        touched.changes.push(change);
    }

    /// A container removed leaves the destinations it was configured on (stopped, it still
    /// counted there): each is checked again.
    fn container_removed(
        &self,
        event: &DockerEvent,
        gone: Seen,
        destinations: &[Destination],
        touched: &mut Touched,
    ) {
        for d in destinations
            .iter()
            .filter(|d| gone.networks.contains(&d.network_id) || gone.networks.contains(&d.network))
        {
            let mut change = self.change("destroy");
            change.time = rfc3339(event.time_nano.div_euclid(1_000_000_000));
            change.destination = Some(d.name.clone());
            change.network = Some(d.network.clone());
            change.detail = Some(format!("container {} removed", event.name));
            change.containers_changed = true;
            change.networks_changed = true;
            if !touched.destinations.iter().any(|t| t.uuid == d.uuid) {
                touched.destinations.push(d.clone());
            }
            touched.changes.push(change);
        }
    }

    /// Checks each destination touched (in parallel), and says its state on its changes.
    async fn check_touched(&mut self, touched: &mut Touched) {
        let assigned = self.assigned().await;
        let checks: Vec<_> = touched
            .destinations
            .iter()
            .map(|d| {
                self.ops
                    .check_against(d, &self.server, assigned.contains(&d.uuid), None)
            })
            .collect();
        let rows: Vec<CheckRow> = stream::iter(checks)
            .buffered(SCAN_CONCURRENCY)
            .collect()
            .await;
        for row in rows {
            let name = row.destination.clone();
            let mut last = None;
            for (i, change) in touched.changes.iter_mut().enumerate() {
                if change.destination.as_deref() == Some(name.as_str()) && change.resource.is_none()
                {
                    change.status = Some(row.status.as_str().to_string());
                    last = Some(i);
                }
            }
            if let Some(i) = last {
                let change = &mut touched.changes[i];
                if row.status != HealthStatus::Ok
                    && let Some(detail) = &row.detail
                {
                    change.detail = Some(match change.detail.take() {
                        Some(what) => format!("{what}; {detail}"),
                        None => detail.clone(),
                    });
                }
                change.check = Some(row.clone());
            }
            self.told.insert(row.uuid.clone(), row.status);
        }
    }

    /// Puts the proxy back on the destinations it was disconnected from, unless destui itself
    /// is removing them (a stored intent), the network went with it, or it keeps flapping.
    async fn reattach(&mut self, docker: &DockerApi, touched: &mut Touched) {
        let detached: Vec<Destination> = touched
            .destinations
            .iter()
            .filter(|d| {
                touched.proxy_left.contains(&d.uuid)
                    && self.told.get(&d.uuid) == Some(&HealthStatus::ProxyDetached)
            })
            .cloned()
            .collect();
        if detached.is_empty() {
            return;
        }
        tokio::time::sleep(REATTACH_GRACE).await;
        let busy: HashSet<DestinationId> = self
            .ops
            .db(|s| s.intents())
            .await
            .map(|intents| intents.into_iter().map(|i| i.destination.uuid).collect())
            .unwrap_or_default();
        for d in detached {
            if busy.contains(&d.uuid) || !self.still_recorded(&d).await {
                continue;
            }
            if self.flapping(&d, touched) {
                continue;
            }
            let check = self.ops.check_against(&d, &self.server, true, None).await;
            if check.status != HealthStatus::ProxyDetached {
                continue;
            }
            let warning = self
                .ops
                .attach_proxy(&self.server, docker, &d.network_id)
                .await;
            let after = self.ops.check_against(&d, &self.server, true, None).await;
            let mut change = self.change("reattach");
            change.destination = Some(d.name.clone());
            change.network = Some(d.network.clone());
            change.detail = Some(match &warning {
                None => format!(
                    "proxy {} was disconnected from {} by something else: attached again",
                    self.server.proxy_container, d.name
                ),
                Some(w) => w.to_string(),
            });
            self.tell_state(&mut change, &after);
            // The unused flag of a check that assumed a resource is not known here.
            if let Some(check) = change.check.as_mut() {
                check.unused = false;
            }
            touched.changes.push(change);
        }
    }

    /// Counts a disconnect of the proxy from `d`; true when it is one too many (the first
    /// time, a change says it is left alone).
    fn flapping(&mut self, d: &Destination, touched: &mut Touched) -> bool {
        let now = Instant::now();
        let seen = self.detaches.entry(d.uuid.clone()).or_default();
        seen.push_back(now);
        while seen
            .front()
            .is_some_and(|t| now.duration_since(*t) > FLAP_WINDOW)
        {
            seen.pop_front();
        }
        let times = seen.len();
        if times <= FLAP_LIMIT {
            self.given_up.remove(&d.uuid);
            return false;
        }
        if self.given_up.insert(d.uuid.clone()) {
            let mut change = self.change("reattach");
            change.destination = Some(d.name.clone());
            change.network = Some(d.network.clone());
            change.status = Some(HealthStatus::ProxyDetached.as_str().to_string());
            change.detail = Some(format!(
                "proxy {} was disconnected from {} {} times in {} s: left alone, something keeps disconnecting it",
                self.server.proxy_container,
                d.name,
                times,
                FLAP_WINDOW.as_secs()
            ));
            touched.changes.push(change);
        }
        true
    }

    async fn still_recorded(&self, d: &Destination) -> bool {
        let uuid = d.uuid.clone();
        matches!(
            self.ops.db(move |s| s.destination(&uuid)).await,
            Ok(Some(_))
        )
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
            .db(move |s| {
                Ok(s.destinations()?
                    .into_iter()
                    .filter(|d| d.server_uuid == uuid)
                    .collect::<Vec<_>>())
            })
            .await
            .unwrap_or_default()
    }

    async fn resources(&self) -> Vec<Resource> {
        self.ops.db(|s| s.resources()).await.unwrap_or_default()
    }

    /// Destinations with a resource recorded (never `unused`); a store that cannot be read
    /// counts every one as assigned.
    async fn assigned(&self) -> HashSet<DestinationId> {
        match self.ops.db(|s| s.resources()).await {
            Ok(resources) => resources.into_iter().map(|r| r.destination_uuid).collect(),
            Err(_) => self.told.keys().cloned().collect(),
        }
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
