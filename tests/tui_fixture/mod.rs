//! The harness of the TUI's fast tests (`tui_app`, `tui_daily`): the fixture (three servers,
//! three destinations, a scan) and `Harness`, which drives the pure `update` with keys, clicks
//! and task events and renders into ratatui's `TestBackend`.
#![allow(dead_code)]

use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use destui::domain::{Destination, DestinationType, Error, Server, ServerMode};
use destui::ops::{CheckRow, DeleteReport, Dependant, DestinationView, HealthStatus, ScanRow};
use destui::tasks::{Task, TaskEvent, TaskId, TaskResult};
use destui::tui::app::{Action, App, Effect, update};
use destui::tui::keymap::Keymap;
use destui::tui::panes::scan::ScanView;
use destui::tui::panes::tasks::TaskRow;
use destui::tui::render::render;
use destui::tui::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;
use std::sync::OnceLock;

// ---------- fixture ----------

pub fn base() -> Instant {
    static BASE: OnceLock<Instant> = OnceLock::new();
    *BASE.get_or_init(Instant::now)
}

pub fn at(ms: u64) -> Instant {
    base() + Duration::from_millis(ms)
}

/// 2026-11-22T10:00:00Z
pub const CHECKED: i64 = 1_795_341_600;

pub fn server(uuid: &str, name: &str, host: &str, mode: ServerMode) -> Server {
    Server {
        uuid: uuid.into(),
        name: name.into(),
        host: host.into(),
        port: Some(22),
        user: Some("root".into()),
        identity: None,
        docker_socket: "/var/run/docker.sock".into(),
        local: false,
        build_server: false,
        proxy_container: "coolify-proxy".into(),
        mode,
        online: false,
        last_error: None,
        checked_at: None,
        docker_version: None,
        address: None,
        color: None,
        read_only: false,
    }
}

pub fn servers() -> Vec<Server> {
    vec![
        server("s-beta", "beta", "10.0.0.2", ServerMode::SwarmManager),
        server(
            "s-alpha",
            "alpha",
            "alpha.example.net",
            ServerMode::Standalone,
        ),
        server("s-gone", "gone", "192.0.2.9", ServerMode::Unknown),
    ]
}

pub fn destination(uuid: &str, name: &str, network: &str, server: &Server) -> DestinationView {
    let kind = if server.mode == ServerMode::SwarmManager {
        DestinationType::Swarm
    } else {
        DestinationType::Standalone
    };
    DestinationView::new(
        &Destination {
            uuid: uuid.into(),
            name: name.into(),
            network: network.into(),
            network_id: format!("{:0<64}", uuid.replace('-', "")),
            server_uuid: server.uuid.clone(),
            kind,
            created_at: CHECKED,
            description: None,
            original_name: None,
            options: Default::default(),
        },
        Some(server),
    )
}

pub fn destinations(servers: &[Server]) -> Vec<DestinationView> {
    let (beta, alpha) = (&servers[0], &servers[1]);
    vec![
        destination("d-1", "alpha-web", "web", alpha),
        destination("d-2", "alpha-db", "db", alpha),
        destination("d-3", "beta-stack", "stack", beta),
    ]
}

pub fn scan_rows() -> Vec<ScanRow> {
    let row = |network: &str, importable: bool, containers: &[&str]| ScanRow {
        network: network.into(),
        id: format!("{network:x<64}"),
        driver: "bridge".into(),
        scope: "local".into(),
        containers: containers.iter().map(|c| c.to_string()).collect(),
        role: if importable {
            destui::ops::NetworkRole::Importable
        } else {
            destui::ops::NetworkRole::Destination
        },
        importable,
        reason: (!importable).then(|| "already added".into()),
        unused: containers.iter().all(|c| *c == "coolify-proxy"),
        nodes: Default::default(),
    };
    vec![
        row("db", false, &["coolify-proxy", "postgres"]),
        row("legacy", true, &["coolify-proxy"]),
        row("shop", true, &["shop-app"]),
        row("web", false, &["coolify-proxy"]),
    ]
}

pub struct Harness {
    pub app: App,
    pub effects: Vec<Effect>,
}

impl Harness {
    pub fn new(width: u16, height: u16) -> Self {
        let mut app = App::new(
            Keymap::default(),
            Theme::plain(),
            Rect::new(0, 0, width, height),
            base(),
        );
        // Messages are stamped 2026-11-22T11:00:00Z: the same in every run.
        app.clock = || CHECKED + 3600;
        let effects = app.start();
        Harness { app, effects }
    }

    /// Start-up with the fixture loaded and the servers checked: alpha and beta online,
    /// gone offline.
    pub fn loaded(width: u16, height: u16) -> Self {
        let mut h = Harness::new(width, height);
        let load = h.submitted(|t| *t == Task::Load);
        let all = servers();
        let dests = destinations(&all);
        h.finish(
            load,
            5,
            Ok(TaskResult::Loaded {
                servers: all.clone(),
                destinations: dests,
                resources: vec![],
            }),
        );
        for mut s in all {
            let id = h.submitted(|t| {
                *t == Task::CheckServer {
                    server: s.uuid.clone(),
                }
            });
            h.queue(id, 6);
            h.event(TaskEvent::Started { id, at: at(7) });
            let error = if s.name == "gone" {
                s.online = false;
                s.last_error = Some("cannot reach gone (192.0.2.9): connection timed out".into());
                Some(Error::Io(
                    "cannot reach gone (192.0.2.9): connection timed out".into(),
                ))
            } else {
                s.online = true;
                s.docker_version = Some("20.10.24".into());
                None
            };
            s.checked_at = Some(CHECKED);
            h.finish(id, 240, Ok(TaskResult::ServerChecked { server: s, error }));
        }
        h.effects.clear();
        h
    }

    /// The id of the one submitted task matching `f`, taken out of the pending effects.
    pub fn submitted(&mut self, f: impl Fn(&Task) -> bool) -> TaskId {
        let i = self
            .effects
            .iter()
            .position(|e| matches!(e, Effect::Submit(_, t) if f(t)))
            .unwrap_or_else(|| panic!("no such task submitted; effects: {:?}", self.effects));
        match self.effects.remove(i) {
            Effect::Submit(id, _) => id,
            Effect::Watch(_) | Effect::Quit => unreachable!(),
        }
    }

    pub fn tasks(&self) -> Vec<&Task> {
        self.effects
            .iter()
            .filter_map(|e| match e {
                Effect::Submit(_, t) => Some(t),
                Effect::Watch(_) | Effect::Quit => None,
            })
            .collect()
    }

    pub fn event(&mut self, event: TaskEvent) {
        let more = update(&mut self.app, Action::Task(event));
        self.effects.extend(more);
    }

    pub fn queue(&mut self, id: TaskId, ms: u64) {
        self.event(TaskEvent::Queued { id, at: at(ms) });
    }

    pub fn finish(&mut self, id: TaskId, ms: u64, result: Result<TaskResult, Error>) {
        self.event(TaskEvent::Finished {
            id,
            at: at(ms),
            result,
        });
    }

    pub fn key(&mut self, code: KeyCode) {
        let more = update(
            &mut self.app,
            Action::Key(KeyEvent::new(code, KeyModifiers::NONE)),
        );
        self.effects.extend(more);
    }

    pub fn keys(&mut self, text: &str) {
        for c in text.chars() {
            self.key(KeyCode::Char(c));
        }
    }

    pub fn scan_alpha(&mut self) -> TaskId {
        self.key(KeyCode::Char('s'));
        let id = self.submitted(|t| {
            *t == Task::Scan {
                server: "s-alpha".into(),
            }
        });
        self.queue(id, 300);
        self.event(TaskEvent::Started { id, at: at(300) });
        self.finish(
            id,
            420,
            Ok(TaskResult::Scanned {
                server: "s-alpha".into(),
                rows: scan_rows(),
            }),
        );
        id
    }

    /// Answers every dependency report the delete confirmation asked for: `dependants` for
    /// each, and `blocked` ones refused with an attached container.
    pub fn answer_reports(&mut self, dependants: &[Dependant], blocked: &[&str]) {
        let pending: Vec<(TaskId, String)> = self
            .effects
            .iter()
            .filter_map(|e| match e {
                Effect::Submit(id, Task::DeleteReport { destination, .. }) => {
                    Some((*id, destination.to_string()))
                }
                _ => None,
            })
            .collect();
        assert!(
            !pending.is_empty(),
            "no report asked for: {:?}",
            self.effects
        );
        self.effects
            .retain(|e| !matches!(e, Effect::Submit(_, Task::DeleteReport { .. })));
        for (id, uuid) in pending {
            let view = self
                .app
                .destinations
                .iter()
                .find(|d| d.uuid == uuid)
                .cloned()
                .expect("a listed destination");
            let blocked = blocked.contains(&view.name.as_str());
            let report = delete_report(&view, dependants, blocked);
            self.finish(id, 850, Ok(TaskResult::DeleteReport(Box::new(report))));
        }
    }

    pub fn task_row(&self, id: TaskId) -> Option<&TaskRow> {
        self.app.panes.tasks.rows.iter().find(|t| t.id == id)
    }

    pub fn scan(&self) -> Option<&ScanView> {
        self.app.panes.scan.view.as_ref()
    }

    pub fn screen(&self) -> String {
        let mut terminal =
            Terminal::new(TestBackend::new(self.app.size.width, self.app.size.height))
                .expect("test terminal");
        terminal
            .draw(|f| render(f, &self.app, at(1000)))
            .expect("draw");
        terminal.backend().to_string()
    }
}

/// The line of the screen that contains `needle`.
pub fn line_with<'a>(screen: &'a str, needle: &str) -> &'a str {
    screen
        .lines()
        .find(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no line with {needle:?} in\n{screen}"))
}

impl Harness {
    pub fn click(&mut self, column: u16, row: u16) {
        update(
            &mut self.app,
            Action::Mouse(MouseEvent {
                kind: MouseEventKind::Down(MouseButton::Left),
                column,
                row,
                modifiers: KeyModifiers::NONE,
            }),
        );
    }

    /// The marked destinations' uuids.
    pub fn marked(&self) -> Vec<&str> {
        let marked = &self.app.panes.destinations.marked;
        marked.iter().map(|u| u.as_str()).collect()
    }

    pub fn ctrl_c(&mut self) {
        let more = update(
            &mut self.app,
            Action::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
        );
        self.effects.extend(more);
    }

    /// The labels of the Tasks pane's rows, oldest first.
    pub fn labels(&self) -> Vec<&str> {
        self.app
            .panes
            .tasks
            .rows
            .iter()
            .map(|t| t.label.as_str())
            .collect()
    }

    /// Marks alpha-web and alpha-db (space twice from the top of Destinations) and confirms
    /// their delete; returns the two delete tasks' ids, queued.
    pub fn delete_two(&mut self) -> Vec<TaskId> {
        self.key(KeyCode::Char(' '));
        self.key(KeyCode::Char(' '));
        self.key(KeyCode::Char('d'));
        self.answer_reports(&[], &[]);
        self.key(KeyCode::Char('y'));
        let ids: Vec<TaskId> = (0..2)
            .map(|_| self.submitted(|t| matches!(t, Task::DeleteDestination { .. })))
            .collect();
        for &id in &ids {
            self.queue(id, 900);
        }
        ids
    }
}

pub fn change(server: &Server, event: &str) -> destui::ops::Change {
    destui::ops::Change {
        time: "2026-11-22T10:00:00Z".into(),
        server: server.name.clone(),
        destination: None,
        network: None,
        event: event.into(),
        status: None,
        detail: None,
        server_uuid: server.uuid.clone(),
        check: None,
        stream: None,
        networks_changed: false,
        containers_changed: false,
        resource: None,
        silent: false,
    }
}

pub fn check_row(uuid: &str, name: &str, status: HealthStatus, containers: usize) -> CheckRow {
    CheckRow {
        destination: name.into(),
        uuid: uuid.into(),
        status,
        detail: None,
        unused: false,
        containers: Some(containers),
        nodes: Default::default(),
    }
}

/// The dependency report of `view`: with `dependants`, refused with an attached container when
/// `blocked`.
pub fn delete_report(
    view: &DestinationView,
    dependants: &[Dependant],
    blocked: bool,
) -> DeleteReport {
    let attached: Vec<String> = if blocked {
        vec!["web-1 (running)".into()]
    } else {
        vec![]
    };
    DeleteReport {
        destination: view.name.clone(),
        uuid: view.uuid.clone(),
        network: view.network.clone(),
        network_id: view.network_id.clone(),
        server: view.server.clone(),
        proxy: "coolify-proxy".into(),
        steps: vec![],
        blocked,
        refusal: blocked.then(|| {
            Error::ResourcesAttached {
                attached: attached.clone(),
                resources: vec![],
            }
            .to_string()
        }),
        attached,
        resources: vec![],
        dependants: Some(dependants.to_vec()),
        unknown: None,
    }
}
