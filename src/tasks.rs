//! The async task queue the TUI hands every remote action to.
//!
//! Each server has its own lane: its tasks run one after another, in the order they were
//! submitted, while other servers' lanes run in parallel. Store-only work (loading the lists,
//! adding a server) runs on a lane of its own. A task reports `Started`, `Progress` and one
//! typed `Finished` event on a channel; nothing here draws or knows about keys.
//!
//! Reads (a scan, a server check, a reload, a details view) coalesce as in gitui's
//! `AsyncSingleJob`: a second request while the same read is still queued on that lane joins
//! the first. One asked for once the first has started runs again after it: the first may
//! have read before what the second is asked for (a network created, announced by an event,
//! while a scan was listing). Writes never coalesce; a write also ends the joining window of
//! the reads before it, so a read asked for after a write sees what the write did.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

use crate::domain::{DestinationId, Error, Resource, Server, ServerId};
use crate::ops::{
    AddressRow, CheckRow, DeleteReport, DestinationDetails, DestinationEdit, DestinationUsage,
    DestinationView, NewDestination, NewResource, NewServer, Ops, Outcome, ResourceView, ScanRow,
    ServerEdit, SyncPreview, SyncReport,
};

pub type TaskId = u64;

/// Where a task runs: one ordered lane per server, beside two of destui's own.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Lane {
    /// Store-only work (loading the lists, adding a server).
    Store,
    /// Start-up reconciliation may wait on several servers: a lane of its own, so that loads
    /// and local work never queue behind it.
    Settle,
    /// One server's tasks, by its uuid.
    Server(ServerId),
    /// One server's usage reads: a second of CPU sampling each, beside its lane, so that no
    /// action or details view on the server waits behind them.
    Usage(ServerId),
}

/// One action for the queue. Servers and destinations are named by uuid.
#[derive(Debug, Clone, PartialEq)]
pub enum Task {
    /// Settle what a crash interrupted (create, import, delete, resource deploy), from the
    /// stored intents.
    Settle,
    /// Servers and destinations from the store.
    Load,
    CheckServer {
        server: ServerId,
    },
    /// Whether this machine's Docker socket answers (to offer it as the first server).
    ProbeLocal,
    AddServer(NewServer),
    EditServer {
        server: ServerId,
        edit: ServerEdit,
    },
    RemoveServer {
        server: ServerId,
        force: bool,
    },
    Scan {
        server: ServerId,
    },
    Import {
        server: ServerId,
        networks: Vec<String>,
    },
    CreateDestination(Box<NewDestination>),
    /// A new name and/or description (the TUI's edit dialog sends both).
    EditDestination {
        server: ServerId,
        destination: DestinationId,
        edit: DestinationEdit,
    },
    DeleteDestination {
        server: ServerId,
        destination: DestinationId,
        force: bool,
    },
    ShowDestination {
        server: ServerId,
        destination: DestinationId,
    },
    /// What a delete would do, what blocks it and who depends on the network (changes nothing).
    DeleteReport {
        server: ServerId,
        destination: DestinationId,
    },
    CheckDestinations {
        server: ServerId,
        destinations: Vec<DestinationId>,
    },
    /// CPU and memory of the server's destinations (refreshed in the background: no row in
    /// the Tasks pane).
    Usage {
        server: ServerId,
    },
    RepairDestination {
        server: ServerId,
        destination: DestinationId,
    },
    /// Adopt what other data directories made on the server; list records whose network is gone.
    Sync {
        server: ServerId,
    },
    /// What `Sync` would adopt and list as missing (changes nothing).
    SyncPreview {
        server: ServerId,
    },
    /// Every subnet in use on the server, overlaps with other servers' destinations marked.
    Addresses {
        server: ServerId,
    },
    CreateResource(NewResource),
    /// `server` is the target destination's server (the lane the deploy runs on).
    CloneResource {
        server: ServerId,
        /// The resource's name or uuid, as the form was given it.
        resource: String,
        destination: DestinationId,
        name: Option<String>,
    },
}

impl Task {
    /// The lane this task runs on.
    pub fn lane(&self) -> Lane {
        let server = match self {
            Task::Load | Task::ProbeLocal | Task::AddServer(_) => return Lane::Store,
            Task::Usage { server } => return Lane::Usage(server.clone()),
            Task::Settle => return Lane::Settle,
            Task::CheckServer { server }
            | Task::RemoveServer { server, .. }
            | Task::EditServer { server, .. }
            | Task::Scan { server }
            | Task::Import { server, .. }
            | Task::EditDestination { server, .. }
            | Task::DeleteDestination { server, .. }
            | Task::ShowDestination { server, .. }
            | Task::DeleteReport { server, .. }
            | Task::CheckDestinations { server, .. }
            | Task::Sync { server }
            | Task::SyncPreview { server }
            | Task::Addresses { server }
            | Task::RepairDestination { server, .. }
            | Task::CloneResource { server, .. } => server,
            // Creates name their server by the reference they were given: the TUI gives the uuid.
            Task::CreateResource(input) => return Lane::Server(input.server.as_str().into()),
            Task::CreateDestination(input) => return Lane::Server(input.server.as_str().into()),
        };
        Lane::Server(server.clone())
    }

    /// Reads that may join an identical one already queued or running; every other task is a
    /// change (never joined, never dropped).
    pub fn is_read(&self) -> bool {
        matches!(
            self,
            Task::Load
                | Task::CheckServer { .. }
                | Task::ProbeLocal
                | Task::Scan { .. }
                | Task::ShowDestination { .. }
                | Task::DeleteReport { .. }
                | Task::CheckDestinations { .. }
                | Task::Usage { .. }
                | Task::Addresses { .. }
                | Task::SyncPreview { .. }
        )
    }
}

/// The typed result of a finished task, one variant per kind of outcome.
#[derive(Debug, Clone, PartialEq)]
pub enum TaskResult {
    /// One note per interrupted step that was settled, and one per server it waits for.
    Settled {
        notes: Vec<String>,
    },
    Loaded {
        servers: Vec<Server>,
        destinations: Vec<DestinationView>,
        resources: Vec<Resource>,
    },
    /// `error` says why the server is offline (the check itself ran fine).
    ServerChecked {
        server: Server,
        error: Option<Error>,
    },
    LocalProbed {
        reachable: bool,
    },
    ServerAdded(Outcome<Server>),
    ServerEdited(Server),
    ServerRemoved(Outcome<Server>),
    Scanned {
        server: ServerId,
        rows: Vec<ScanRow>,
    },
    Imported {
        server: ServerId,
        outcome: Outcome<Vec<DestinationView>>,
    },
    Created(Outcome<DestinationView>),
    Edited(DestinationView),
    Deleted(Outcome<DestinationView>),
    Details(Box<DestinationDetails>),
    DeleteReport(Box<DeleteReport>),
    Checked(Vec<CheckRow>),
    /// Every destination of `server`, with its containers' usage.
    Usage {
        server: ServerId,
        usage: Vec<DestinationUsage>,
    },
    Repaired(Outcome<CheckRow>),
    Synced {
        server: ServerId,
        outcome: Outcome<SyncReport>,
    },
    SyncPreviewed {
        server: ServerId,
        preview: SyncPreview,
    },
    Addresses {
        server: ServerId,
        outcome: Outcome<Vec<AddressRow>>,
    },
    ResourceDeployed(Outcome<ResourceView>),
}

// A few events a second at most, moved once through a channel: boxing would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum TaskEvent {
    /// Accepted (the TUI names it in the Tasks pane: it knows the names of what it acts on).
    Queued {
        id: TaskId,
        at: Instant,
    },
    /// Asked for again while the first was pending: its result will come as `into`'s.
    Joined {
        id: TaskId,
        into: TaskId,
    },
    Started {
        id: TaskId,
        at: Instant,
    },
    Progress {
        id: TaskId,
        note: String,
    },
    Finished {
        id: TaskId,
        at: Instant,
        result: Result<TaskResult, Error>,
    },
}

/// A task, and the flag its lane raises as it starts it (a started read is not joined).
type Job = (TaskId, Task, Arc<AtomicBool>);

/// Owned by the event loop (never shared): it hands tasks to the lanes.
pub struct Queue {
    ops: Ops,
    events: UnboundedSender<TaskEvent>,
    lanes: HashMap<Lane, UnboundedSender<Job>>,
    /// Reads still pending, by lane and task, each with its started flag: a new identical
    /// read joins one not started yet.
    pending_reads: Vec<(Task, TaskId, Arc<AtomicBool>)>,
}

impl Queue {
    pub fn new(ops: Ops) -> (Self, UnboundedReceiver<TaskEvent>) {
        let (events, receiver) = unbounded_channel();
        (
            Queue {
                ops,
                events,
                lanes: HashMap::new(),
                pending_reads: Vec::new(),
            },
            receiver,
        )
    }

    /// Submits `task` under the caller's `id`. Must be called from inside the tokio runtime.
    pub fn submit(&mut self, id: TaskId, task: Task) {
        // Raised by the lane before the task reads anything: a read not started when this
        // request came will see what the request was made for.
        let started = Arc::new(AtomicBool::new(false));
        self.pending_reads
            .retain(|(_, _, started)| !started.load(Ordering::Acquire));
        if task.is_read() {
            if let Some((_, into, _)) = self.pending_reads.iter().find(|(t, _, _)| *t == task) {
                let _ = self.events.send(TaskEvent::Joined { id, into: *into });
                return;
            }
            self.pending_reads.push((task.clone(), id, started.clone()));
        } else {
            let lane = task.lane();
            self.pending_reads.retain(|(t, _, _)| t.lane() != lane);
        }
        let _ = self.events.send(TaskEvent::Queued {
            id,
            at: Instant::now(),
        });
        let sender = self
            .lanes
            .entry(task.lane())
            .or_insert_with(|| spawn_lane(self.ops.clone(), self.events.clone()));
        if let Err(refused) = sender.send((id, task, started)) {
            // The lane's worker is gone (it only ends when the runtime does): report, never drop.
            let (id, _, _) = refused.0;
            let _ = self.events.send(TaskEvent::Finished {
                id,
                at: Instant::now(),
                result: Err(Error::Io("the task queue has stopped".into())),
            });
        }
    }

    /// Called with every event before the app sees it: a finished read is forgotten.
    pub fn observe(&mut self, event: &TaskEvent) {
        if let TaskEvent::Finished { id, .. } = event {
            self.pending_reads.retain(|(_, pending, _)| pending != id);
        }
    }
}

fn spawn_lane(ops: Ops, events: UnboundedSender<TaskEvent>) -> UnboundedSender<Job> {
    let (sender, mut jobs) = unbounded_channel::<Job>();
    tokio::spawn(async move {
        while let Some((id, task, started)) = jobs.recv().await {
            started.store(true, Ordering::Release);
            let _ = events.send(TaskEvent::Started {
                id,
                at: Instant::now(),
            });
            let progress = Progress {
                id,
                events: events.clone(),
            };
            // The steps of a long task (an import, a check of many) become its row's note.
            let steps = progress.clone();
            let listener: crate::ops::progress::Listener = std::sync::Arc::new(move |step| {
                steps.note(step.note(Instant::now()));
            });
            let result =
                crate::ops::progress::reporting(listener, run(&ops, task, &progress)).await;
            tracing::info!(task = id, ok = result.is_ok(), "task finished");
            let _ = events.send(TaskEvent::Finished {
                id,
                at: Instant::now(),
                result,
            });
        }
    });
    sender
}

/// A running task's channel for progress notes.
#[derive(Clone)]
struct Progress {
    id: TaskId,
    events: UnboundedSender<TaskEvent>,
}

impl Progress {
    fn note(&self, note: String) {
        let _ = self.events.send(TaskEvent::Progress { id: self.id, note });
    }
}

#[allow(clippy::too_many_lines)] // a room to split (issue 29)
async fn run(ops: &Ops, task: Task, progress: &Progress) -> Result<TaskResult, Error> {
    match task {
        Task::Settle => Ok(TaskResult::Settled {
            notes: ops.reconcile().await?,
        }),
        Task::Load => load(ops).await,
        Task::CheckServer { server } => check_server(ops, &server, progress).await,
        Task::ProbeLocal => Ok(TaskResult::LocalProbed {
            reachable: probe_local().await,
        }),
        Task::AddServer(input) => {
            progress.note(format!("checking {}", input.name));
            Ok(TaskResult::ServerAdded(ops.add_server(input).await?))
        }
        Task::EditServer { server, edit } => Ok(TaskResult::ServerEdited(
            ops.edit_server(&server, edit).await?,
        )),
        Task::RemoveServer { server, force } => Ok(TaskResult::ServerRemoved(
            ops.remove_server(&server, force).await?,
        )),
        Task::Scan { server } => {
            progress.note("listing networks".into());
            let rows = ops.scan(&server).await?;
            Ok(TaskResult::Scanned { server, rows })
        }
        Task::Import { server, networks } => {
            progress.note(format!("importing {} network(s)", networks.len()));
            let outcome = ops.import(&server, &networks, false).await?;
            Ok(TaskResult::Imported { server, outcome })
        }
        Task::CreateDestination(input) => {
            progress.note("creating the network".into());
            Ok(TaskResult::Created(ops.create_destination(*input).await?))
        }
        Task::EditDestination {
            destination, edit, ..
        } => Ok(TaskResult::Edited(
            ops.edit_destination(&destination, edit).await?,
        )),
        Task::DeleteDestination {
            destination, force, ..
        } => {
            progress.note("removing the network".into());
            Ok(TaskResult::Deleted(
                ops.delete_destination(&destination, force).await?,
            ))
        }
        Task::ShowDestination { destination, .. } => Ok(TaskResult::Details(Box::new(
            ops.show_destination(&destination).await?,
        ))),
        Task::DeleteReport { destination, .. } => {
            progress.note("checking dependants".into());
            Ok(TaskResult::DeleteReport(Box::new(
                ops.delete_report(&destination, false).await?,
            )))
        }
        Task::CheckDestinations { destinations, .. } => Ok(TaskResult::Checked(
            ops.check_destinations(&destinations).await?,
        )),
        Task::Usage { server } => {
            let usage = ops.usage(&server).await?;
            Ok(TaskResult::Usage { server, usage })
        }
        Task::Addresses { server } => {
            progress.note("listing subnets".into());
            let outcome = ops.addresses(&server).await?;
            Ok(TaskResult::Addresses { server, outcome })
        }
        Task::Sync { server } => {
            progress.note("reading labels".into());
            let record = ops.server(&server).await?;
            let outcome = ops.sync_server(&record).await?;
            Ok(TaskResult::Synced { server, outcome })
        }
        Task::SyncPreview { server } => {
            progress.note("reading labels".into());
            let record = ops.server(&server).await?;
            let preview = ops.preview_sync(&record).await?;
            Ok(TaskResult::SyncPreviewed { server, preview })
        }
        Task::CreateResource(input) => {
            progress.note("starting the container".into());
            Ok(TaskResult::ResourceDeployed(
                ops.create_resource(input).await?,
            ))
        }
        Task::CloneResource {
            resource,
            destination,
            name,
            ..
        } => {
            progress.note("starting the copy".into());
            Ok(TaskResult::ResourceDeployed(
                ops.clone_resource(&resource, &destination, name).await?,
            ))
        }
        Task::RepairDestination { destination, .. } => {
            progress.note("recreating the network".into());
            Ok(TaskResult::Repaired(
                ops.repair_destination(&destination).await?,
            ))
        }
    }
}

/// Servers, destinations and resources from the store.
async fn load(ops: &Ops) -> Result<TaskResult, Error> {
    let servers = ops.servers().await?;
    let destinations = ops.destinations(None).await?;
    let resources = ops.store_resources().await?;
    Ok(TaskResult::Loaded {
        servers,
        destinations,
        resources,
    })
}

async fn check_server(ops: &Ops, server: &str, progress: &Progress) -> Result<TaskResult, Error> {
    let record = ops.server(server).await?;
    progress.note(format!("connecting to {}", record.name));
    let (server, error) = ops.check_server(&record).await?;
    Ok(TaskResult::ServerChecked { server, error })
}

/// Whether this machine's Docker socket answers.
async fn probe_local() -> bool {
    crate::remote::docker::DockerApi::connect(crate::domain::DEFAULT_DOCKER_SOCKET)
        .await
        .is_ok()
}
