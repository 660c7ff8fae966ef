//! The task queue with a real store and real ssh: order within a lane, coalescing reads,
//! and a server that never answers delaying nothing on other lanes.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::too_many_lines
)]

use std::net::TcpListener;
use std::time::Duration;

use destui::domain::Error;
use destui::ops::{NewServer, Ops};
use destui::remote::RemoteConfig;
use destui::store::Store;
use destui::tasks::{Queue, Task, TaskEvent, TaskId, TaskResult};
use tokio::sync::mpsc::UnboundedReceiver;

struct Fixture {
    _dir: tempfile::TempDir,
    store: Store,
    queue: Queue,
    events: UnboundedReceiver<TaskEvent>,
    log: Vec<TaskEvent>,
}

impl Fixture {
    fn new() -> Self {
        Fixture::with_connect_timeout(Duration::from_secs(4))
    }

    fn with_connect_timeout(timeout: Duration) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(&dir.path().join("db")).expect("store");
        let runtime = dir.path().join("rt");
        let mut remote = RemoteConfig::for_tests(runtime);
        remote.connect_timeout = timeout;
        let (queue, events) = Queue::new(Ops::new(store.clone(), remote));
        Fixture {
            _dir: dir,
            store,
            queue,
            events,
            log: Vec::new(),
        }
    }

    /// Feeds events to the queue (as the event loop does) until `id` has finished.
    async fn until_finished(&mut self, id: TaskId) -> Result<TaskResult, Error> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            let event = tokio::time::timeout_at(deadline, self.events.recv())
                .await
                .unwrap_or_else(|_| panic!("task {id} did not finish; events: {:?}", self.log))
                .expect("queue open");
            self.queue.observe(&event);
            self.log.push(event.clone());
            if let TaskEvent::Finished {
                id: done, result, ..
            } = event
                && done == id
            {
                return result;
            }
        }
    }

    /// Feeds events to the queue until one satisfies `pred`.
    async fn until(&mut self, pred: impl Fn(&TaskEvent) -> bool) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            let event = tokio::time::timeout_at(deadline, self.events.recv())
                .await
                .unwrap_or_else(|_| panic!("no such event; events: {:?}", self.log))
                .expect("queue open");
            self.queue.observe(&event);
            self.log.push(event.clone());
            if pred(&event) {
                return;
            }
        }
    }

    /// Records (as task 1) server `silent` on `port`, unchecked; its record.
    async fn add_silent(&mut self, port: u16) -> destui::ops::Outcome<destui::domain::Server> {
        self.queue.submit(
            1,
            Task::AddServer(NewServer {
                name: "silent".into(),
                host: Some("127.0.0.1".into()),
                port: Some(port),
                user: Some("root".into()),
                check: false,
                ..Default::default()
            }),
        );
        match self.until_finished(1).await {
            Ok(TaskResult::ServerAdded(added)) => added,
            other => panic!("add failed: {other:?}"),
        }
    }

    fn position(&self, f: impl Fn(&TaskEvent) -> bool) -> usize {
        self.log
            .iter()
            .position(f)
            .unwrap_or_else(|| panic!("event not seen in {:?}", self.log))
    }
}

fn local_server(name: &str) -> Task {
    Task::AddServer(NewServer {
        name: name.into(),
        local: true,
        check: false,
        ..Default::default()
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_never_merge_and_a_read_after_a_write_runs_again() {
    let mut f = Fixture::new();
    f.queue.submit(1, Task::Load);
    f.queue.submit(3, local_server("one"));
    f.queue.submit(4, local_server("one"));
    // Asked for after a write: must not join the load before it, and must see the write.
    f.queue.submit(5, Task::Load);
    assert!(f.until_finished(1).await.is_ok());
    assert!(f.until_finished(3).await.is_ok());
    let refused = f
        .until_finished(4)
        .await
        .expect_err("a second server named one");
    assert!(refused.to_string().contains("one"), "{refused}");
    let Ok(TaskResult::Loaded { servers, .. }) = f.until_finished(5).await else {
        panic!("load failed");
    };
    assert_eq!(servers.len(), 1);
    assert!(
        !f.log
            .iter()
            .any(|e| matches!(e, TaskEvent::Joined { id: 5, .. })),
        "a read after a write runs again"
    );
    // One lane runs in order: 4 starts only after 3 has finished.
    let done3 = f.position(|e| matches!(e, TaskEvent::Finished { id: 3, .. }));
    let start4 = f.position(|e| matches!(e, TaskEvent::Started { id: 4, .. }));
    assert!(done3 < start4, "{:?}", f.log);
}

/// A read asked for while an identical one waits its turn joins it; one asked for once the
/// identical read has started runs again after it (the first may have read before what the
/// second was asked for: an event's network, say).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_joins_an_identical_one_only_before_it_starts() {
    // Accepts TCP connections but never speaks SSH: each read of it lasts the connect timeout.
    let silent = TcpListener::bind("127.0.0.1:0").expect("listener");
    let port = silent.local_addr().expect("addr").port();
    let mut f = Fixture::with_connect_timeout(Duration::from_secs(1));
    let added = f.add_silent(port).await;
    let server = added.value.uuid;
    let check = Task::CheckServer {
        server: server.clone(),
    };
    f.queue.submit(2, check.clone());
    f.until(|e| matches!(e, TaskEvent::Started { id: 2, .. }))
        .await;
    // 2 is running: an identical read is queued anew.
    f.queue.submit(3, check);
    // Both wait behind 2 and 3 on the server's lane: the second joins the first.
    let scan = Task::Scan { server };
    f.queue.submit(4, scan.clone());
    f.queue.submit(5, scan);
    assert!(f.until_finished(2).await.is_ok());
    assert!(f.until_finished(3).await.is_ok());
    let _ = f.until_finished(4).await;
    assert!(
        !f.log
            .iter()
            .any(|e| matches!(e, TaskEvent::Joined { id: 3, .. })),
        "a read started before the request is not joined: {:?}",
        f.log
    );
    assert!(
        f.log
            .iter()
            .any(|e| matches!(e, TaskEvent::Started { id: 3, .. })),
        "it ran again: {:?}",
        f.log
    );
    assert!(
        f.log.contains(&TaskEvent::Joined { id: 5, into: 4 }),
        "{:?}",
        f.log
    );
    drop(silent);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_never_answers_delays_no_other_lane() {
    // Accepts TCP connections (the kernel's backlog) but never speaks SSH.
    let silent = TcpListener::bind("127.0.0.1:0").expect("listener");
    let port = silent.local_addr().expect("addr").port();
    let mut f = Fixture::new();
    let added = f.add_silent(port).await;
    let uuid = added.value.uuid;
    f.queue.submit(
        2,
        Task::CheckServer {
            server: uuid.clone(),
        },
    );
    f.queue.submit(3, local_server("other"));
    f.queue.submit(4, Task::Load);
    assert!(f.until_finished(3).await.is_ok());
    assert!(f.until_finished(4).await.is_ok());
    assert!(
        !f.log
            .iter()
            .any(|e| matches!(e, TaskEvent::Finished { id: 2, .. })),
        "the silent server's check is still waiting while the others are done"
    );
    let Ok(TaskResult::ServerChecked { server, error }) = f.until_finished(2).await else {
        panic!("the check itself must not fail, only report offline");
    };
    assert!(!server.online);
    assert!(error.is_some_and(|e| !e.to_string().is_empty()));
    drop(silent);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_check_of_many_tells_its_row_how_far_it_is() {
    use destui::domain::{Destination, DestinationType};
    let mut f = Fixture::new();
    f.queue.submit(1, local_server("here"));
    let Ok(TaskResult::ServerAdded(added)) = f.until_finished(1).await else {
        panic!("server not added");
    };
    let server = added.value.uuid;
    // Three records whose networks are not there: each check is one quick `missing`.
    let ids: Vec<String> = (0..3).map(|i| format!("progress{i}")).collect();
    for id in &ids {
        f.store
            .insert_destination(&Destination {
                uuid: id.as_str().into(),
                name: id.clone(),
                network: id.clone(),
                network_id: format!("{:0<64}", "dead"),
                server_uuid: server.clone(),
                kind: DestinationType::Standalone,
                created_at: 0,
                description: None,
                original_name: None,
                options: Default::default(),
            })
            .expect("record");
    }
    f.queue.submit(
        2,
        Task::CheckDestinations {
            server,
            destinations: ids.iter().map(|i| i.as_str().into()).collect(),
        },
    );
    assert!(f.until_finished(2).await.is_ok());
    let notes: Vec<&str> = f
        .log
        .iter()
        .filter_map(|e| match e {
            TaskEvent::Progress { id: 2, note } => Some(note.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(notes.first(), Some(&"0/3"), "{notes:?}");
    assert_eq!(notes.last(), Some(&"3/3"), "{notes:?}");
    assert_eq!(notes.len(), 4, "one note per step: {notes:?}");
}

/// The add-server dialog's task refuses a server that reaches the Docker of one recorded
/// already (the same socket on this machine here; `servers_cli` has the ssh case), naming it;
/// another socket is another Docker.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_add_server_dialog_refuses_a_second_record_of_one_docker() {
    let mut f = Fixture::new();
    let on = |name: &str, socket: &str| {
        Task::AddServer(NewServer {
            name: name.into(),
            local: true,
            docker_socket: Some(socket.into()),
            check: false,
            ..Default::default()
        })
    };
    f.queue.submit(1, on("first", "/run/destui-x/docker.sock"));
    assert!(f.until_finished(1).await.is_ok());
    f.queue.submit(2, on("again", "/run/destui-x/docker.sock"));
    let refused = f
        .until_finished(2)
        .await
        .expect_err("the same Docker twice");
    assert_eq!(
        refused.to_string(),
        "server again reaches the same Docker as server first (same socket \
         /run/destui-x/docker.sock on this machine): use first, or edit it"
    );
    f.queue.submit(3, on("other", "/run/destui-y/docker.sock"));
    assert!(f.until_finished(3).await.is_ok(), "another socket");
    let names: Vec<String> = f
        .store
        .servers()
        .unwrap()
        .into_iter()
        .map(|s| s.name)
        .collect();
    assert!(!names.contains(&"again".to_string()), "{names:?}");
}
