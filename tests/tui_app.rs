//! The TUI without a terminal: state updates driven through `update`, and every pane and
//! dialog rendered into ratatui's `TestBackend` at 80x24 and 120x40 (insta snapshots).

use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use destui::domain::{Destination, DestinationType, Error, Server, ServerMode};
use destui::ops::{
    CheckRow, ContainerRef, DestinationDetails, DestinationView, HealthStatus, Outcome, ScanRow,
};
use destui::tasks::{Task, TaskEvent, TaskId, TaskResult};
use destui::tui::app::{Action, App, Details, Effect, Pane, update};
use destui::tui::dialog::{Dialog, FieldId};
use destui::tui::keymap::Keymap;
use destui::tui::panes::scan::ScanView;
use destui::tui::panes::tasks::{TaskRow, TaskState};
use destui::tui::render::render;
use destui::tui::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;
use std::sync::OnceLock;

// ---------- fixture ----------

fn base() -> Instant {
    static BASE: OnceLock<Instant> = OnceLock::new();
    *BASE.get_or_init(Instant::now)
}

fn at(ms: u64) -> Instant {
    base() + Duration::from_millis(ms)
}

/// 2026-11-22T10:00:00Z
const CHECKED: i64 = 1_795_341_600;

fn server(uuid: &str, name: &str, host: &str, mode: ServerMode) -> Server {
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
    }
}

fn servers() -> Vec<Server> {
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

fn destination(uuid: &str, name: &str, network: &str, server: &Server) -> DestinationView {
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
        },
        Some(server),
    )
}

fn destinations(servers: &[Server]) -> Vec<DestinationView> {
    let (beta, alpha) = (&servers[0], &servers[1]);
    vec![
        destination("d-1", "alpha-web", "web", alpha),
        destination("d-2", "alpha-db", "db", alpha),
        destination("d-3", "beta-stack", "stack", beta),
    ]
}

fn scan_rows() -> Vec<ScanRow> {
    let row = |network: &str, importable: bool, containers: &[&str]| ScanRow {
        network: network.into(),
        id: format!("{network:x<64}"),
        driver: "bridge".into(),
        scope: "local".into(),
        containers: containers.iter().map(|c| c.to_string()).collect(),
        importable,
        reason: (!importable).then(|| "already added".into()),
        unused: containers.iter().all(|c| *c == "coolify-proxy"),
    };
    vec![
        row("db", false, &["coolify-proxy", "postgres"]),
        row("legacy", true, &["coolify-proxy"]),
        row("shop", true, &["shop-app"]),
        row("web", false, &["coolify-proxy"]),
    ]
}

struct Harness {
    app: App,
    effects: Vec<Effect>,
}

impl Harness {
    fn new(width: u16, height: u16) -> Self {
        let mut app = App::new(
            Keymap::default(),
            Theme::plain(),
            Rect::new(0, 0, width, height),
            base(),
        );
        let effects = app.start();
        Harness { app, effects }
    }

    /// Start-up with the fixture loaded and the servers checked: alpha and beta online,
    /// gone offline.
    fn loaded(width: u16, height: u16) -> Self {
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
            h.queue(id, "check server", 6);
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
    fn submitted(&mut self, f: impl Fn(&Task) -> bool) -> TaskId {
        let i = self
            .effects
            .iter()
            .position(|e| matches!(e, Effect::Submit(_, t) if f(t)))
            .unwrap_or_else(|| panic!("no such task submitted; effects: {:?}", self.effects));
        match self.effects.remove(i) {
            Effect::Submit(id, _) => id,
            Effect::Quit => unreachable!(),
        }
    }

    fn tasks(&self) -> Vec<&Task> {
        self.effects
            .iter()
            .filter_map(|e| match e {
                Effect::Submit(_, t) => Some(t),
                Effect::Quit => None,
            })
            .collect()
    }

    fn event(&mut self, event: TaskEvent) {
        let more = update(&mut self.app, Action::Task(event));
        self.effects.extend(more);
    }

    fn queue(&mut self, id: TaskId, label: &str, ms: u64) {
        self.event(TaskEvent::Queued {
            id,
            label: label.into(),
            at: at(ms),
        });
    }

    fn finish(&mut self, id: TaskId, ms: u64, result: Result<TaskResult, Error>) {
        self.event(TaskEvent::Finished {
            id,
            at: at(ms),
            result,
        });
    }

    fn key(&mut self, code: KeyCode) {
        let more = update(
            &mut self.app,
            Action::Key(KeyEvent::new(code, KeyModifiers::NONE)),
        );
        self.effects.extend(more);
    }

    fn keys(&mut self, text: &str) {
        for c in text.chars() {
            self.key(KeyCode::Char(c));
        }
    }

    fn scan_alpha(&mut self) -> TaskId {
        self.key(KeyCode::Char('s'));
        let id = self.submitted(|t| {
            *t == Task::Scan {
                server: "s-alpha".into(),
            }
        });
        self.queue(id, "scan", 300);
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

    fn task_row(&self, id: TaskId) -> Option<&TaskRow> {
        self.app.panes.tasks.rows.iter().find(|t| t.id == id)
    }

    fn scan(&self) -> Option<&ScanView> {
        self.app.panes.scan.view.as_ref()
    }

    fn screen(&self) -> String {
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
fn line_with<'a>(screen: &'a str, needle: &str) -> &'a str {
    screen
        .lines()
        .find(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no line with {needle:?} in\n{screen}"))
}

// ---------- state updates ----------

#[test]
fn start_up_loads_then_checks_every_server_and_selects_the_first_by_name() {
    let mut h = Harness::new(80, 24);
    assert_eq!(h.tasks(), vec![&Task::Load, &Task::ProbeLocal]);
    assert!(
        h.screen().contains("loading records"),
        "first frame before any answer"
    );
    let load = h.submitted(|t| *t == Task::Load);
    let all = servers();
    h.finish(
        load,
        5,
        Ok(TaskResult::Loaded {
            destinations: destinations(&all),
            servers: all,
            resources: vec![],
        }),
    );
    let mut checks: Vec<String> = h
        .tasks()
        .into_iter()
        .filter_map(|t| match t {
            Task::CheckServer { server } => Some(server.to_string()),
            _ => None,
        })
        .collect();
    checks.sort();
    assert_eq!(checks, ["s-alpha", "s-beta", "s-gone"]);
    assert_eq!(h.app.focus, Pane::Servers);
    assert_eq!(
        h.app.selected_server().map(|s| s.name.as_str()),
        Some("alpha")
    );
    // Servers not answered yet show as being checked, not as offline.
    assert!(line_with(&h.screen(), "gone").contains('…'));
}

#[test]
fn an_offline_server_shows_its_error_and_the_others_stay_online() {
    let mut h = Harness::loaded(120, 40);
    let screen = h.screen();
    assert!(
        line_with(&screen, "> ● alpha").contains("standalone"),
        "{screen}"
    );
    assert!(line_with(&screen, "10.0.0.2").contains('●'), "{screen}");
    assert!(line_with(&screen, "192.0.2.9").contains('✗'));
    h.keys("jj");
    assert_eq!(
        h.app.selected_server().map(|s| s.name.as_str()),
        Some("gone")
    );
    assert!(h.screen().contains("error: cannot reach gone"));
}

#[test]
fn the_local_socket_is_offered_only_with_an_empty_database_once_both_answers_are_in() {
    for probe_first in [true, false] {
        let mut h = Harness::new(80, 24);
        let load = h.submitted(|t| *t == Task::Load);
        let probe = h.submitted(|t| *t == Task::ProbeLocal);
        let loaded = Ok(TaskResult::Loaded {
            servers: vec![],
            destinations: vec![],
            resources: vec![],
        });
        let probed = Ok(TaskResult::LocalProbed { reachable: true });
        if probe_first {
            h.finish(probe, 1, probed);
            assert!(h.app.dialog.is_none(), "not before the load");
            h.finish(load, 2, loaded);
        } else {
            h.finish(load, 1, loaded);
            h.finish(probe, 2, probed);
        }
        assert!(h.screen().contains("No servers yet"));
        h.key(KeyCode::Char('y'));
        let add = h.tasks();
        assert!(
            matches!(add.as_slice(), [Task::AddServer(s)] if s.local && s.name == "local"),
            "{add:?}"
        );
    }
    let mut h = Harness::loaded(80, 24);
    let probe = h.app.start().len(); // a second start asks again; servers exist now
    assert_eq!(probe, 2);
    h.finish(99, 1, Ok(TaskResult::LocalProbed { reachable: true }));
    assert!(h.app.dialog.is_none(), "never offered when servers exist");
}

#[test]
fn scan_check_and_import_submit_exactly_the_checked_networks() {
    let mut h = Harness::loaded(120, 40);
    h.scan_alpha();
    assert_eq!(h.app.focus, Pane::Scan);
    // db (already added) cannot be checked; the cursor stays put and the status says why.
    h.key(KeyCode::Char(' '));
    assert!(h.app.status.error && h.app.status.text.contains("already added"));
    h.key(KeyCode::Char('j'));
    h.key(KeyCode::Char(' '));
    let screen = h.screen();
    assert!(line_with(&screen, "legacy").contains("[x]"));
    assert!(line_with(&screen, "shop").contains("[ ]"));
    assert!(
        line_with(&screen, "> [ ] shop").contains('>'),
        "cursor moved on"
    );
    h.key(KeyCode::Char('i'));
    assert_eq!(
        h.tasks(),
        vec![&Task::Import {
            server: "s-alpha".into(),
            networks: vec!["legacy".into()]
        }]
    );
    let import = h.submitted(|t| matches!(t, Task::Import { .. }));
    let alpha = servers()[1].clone();
    let mut imported = destination("d-9", "alpha-legacy", "legacy", &alpha);
    imported.network_id = format!("{:x<64}", "legacy");
    h.finish(
        import,
        900,
        Ok(TaskResult::Imported {
            server: "s-alpha".into(),
            outcome: Outcome {
                value: vec![imported],
                warnings: vec![],
            },
        }),
    );
    // The panes refresh without a key press: a reload and a rescan of that server.
    let mut follow = h.tasks();
    follow.sort_by_key(|t| format!("{t:?}"));
    assert_eq!(
        follow,
        vec![
            &Task::Load,
            &Task::Scan {
                server: "s-alpha".into()
            }
        ]
    );
    assert!(h.scan().is_some_and(|s| s.checked.is_empty()));
    assert!(h.app.status.text.contains("imported alpha-legacy"));
}

#[test]
fn select_all_checks_every_importable_network_and_again_clears() {
    let mut h = Harness::loaded(120, 40);
    h.scan_alpha();
    h.key(KeyCode::Char('A'));
    let checked: Vec<&str> = h
        .scan()
        .map(|s| s.checked.iter().map(String::as_str).collect())
        .unwrap_or_default();
    // Checks hold full IDs: two networks may share a name.
    assert_eq!(
        checked,
        [format!("{:x<64}", "legacy"), format!("{:x<64}", "shop")]
    );
    h.key(KeyCode::Char('A'));
    assert!(h.scan().is_some_and(|s| s.checked.is_empty()));
    h.key(KeyCode::Char('i'));
    assert!(
        h.tasks().is_empty(),
        "nothing importable under the cursor (db)"
    );
}

#[test]
fn a_form_keeps_what_was_typed_and_shows_errors_inline() {
    let mut h = Harness::loaded(80, 24);
    h.key(KeyCode::Tab);
    h.key(KeyCode::Char('a'));
    let Some(Dialog::Form(form)) = &mut h.app.dialog else {
        panic!("create form expected");
    };
    form.fields[1].input = tui_input::Input::new(String::new());
    h.key(KeyCode::Tab);
    h.keys("bad name!");
    h.key(KeyCode::Enter);
    assert!(h.tasks().is_empty(), "refused before anything is submitted");
    let screen = h.screen();
    assert!(screen.contains("[bad name!]"), "{screen}");
    assert!(screen.contains("! "), "inline error:\n{screen}");
    // Fix the network; the name follows the network until it is edited by hand.
    for _ in 0.."bad name!".len() {
        h.key(KeyCode::Backspace);
    }
    h.keys("web");
    let Some(Dialog::Form(form)) = &h.app.dialog else {
        panic!("form still open");
    };
    assert_eq!(form.value(FieldId::Name), "alpha-web");
    h.key(KeyCode::Enter);
    let create = h.submitted(|t| matches!(t, Task::CreateDestination(d) if d.network.as_deref() == Some("web") && d.server == "s-alpha"));
    h.finish(create, 500, Err(Error::NetworkAlreadyAdded));
    let screen = h.screen();
    assert!(
        screen.contains("! Network already added to this server."),
        "{screen}"
    );
    assert!(screen.contains("[web]"), "typed text kept");
    // A refusal with a hint says it in the TUI's words (its keys), not as a command line.
    h.key(KeyCode::Enter);
    let again = h.submitted(
        |t| matches!(t, Task::CreateDestination(d) if d.network.as_deref() == Some("web")),
    );
    h.finish(
        again,
        600,
        Err(Error::NetworkExists {
            server: "alpha".into(),
            network: "web".into(),
        }),
    );
    let Some(Dialog::Form(form)) = &h.app.dialog else {
        panic!("form still open");
    };
    assert_eq!(
        form.error.as_deref(),
        Some(
            "A network named web already exists on alpha but is not a destination: import it from the Scan pane (s on alpha, then i on web)."
        )
    );
    // `q` inside a form is text, not quit.
    h.key(KeyCode::Char('q'));
    assert!(!h.effects.contains(&Effect::Quit));
    h.key(KeyCode::Backspace);
    h.key(KeyCode::Esc);
    assert!(h.app.dialog.is_none());
}

#[test]
fn delete_asks_first_and_deletes_every_marked_destination() {
    let mut h = Harness::loaded(120, 40);
    h.key(KeyCode::Tab);
    assert_eq!(h.app.focus, Pane::Destinations);
    h.key(KeyCode::Char('d'));
    h.key(KeyCode::Char('n'));
    assert!(h.app.dialog.is_none() && h.tasks().is_empty(), "n cancels");
    h.key(KeyCode::Char(' '));
    h.key(KeyCode::Char(' '));
    h.key(KeyCode::Char('d'));
    assert!(h.screen().contains("Delete 2 destination(s)?"));
    h.key(KeyCode::Char('y'));
    let mut deleted: Vec<String> = h
        .tasks()
        .into_iter()
        .map(|t| match t {
            Task::DeleteDestination {
                destination, force, ..
            } => {
                assert!(!force);
                destination.to_string()
            }
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    deleted.sort();
    assert_eq!(deleted.len(), 2);
    let id = h.submitted(|t| matches!(t, Task::DeleteDestination { .. }));
    h.finish(
        id,
        700,
        Err(Error::ResourcesAttached {
            attached: vec![],
            resources: vec![],
        }),
    );
    assert!(h.app.status.error);
    assert!(h.screen().contains("You must delete all resources"));
}

#[test]
fn task_rows_go_from_queued_to_running_to_done_with_a_duration() {
    let mut h = Harness::loaded(120, 40);
    // Reloads and the local probe are not listed; server checks are.
    assert_eq!(h.app.panes.tasks.rows.len(), 3);
    // A check that finds the server offline is shown as failed.
    let states: Vec<(String, TaskState)> = h
        .app
        .panes
        .tasks
        .rows
        .iter()
        .map(|t| (t.server.clone(), t.state))
        .collect();
    assert!(
        states.contains(&("gone".into(), TaskState::Failed)),
        "{states:?}"
    );
    assert!(
        states.contains(&("alpha".into(), TaskState::Done)),
        "{states:?}"
    );
    let id = h.scan_alpha();
    let row = h.task_row(id).expect("scan row");
    assert_eq!(row.state, TaskState::Done);
    assert_eq!(row.server, "alpha");
    assert!(line_with(&h.screen(), "2 importable").contains("120ms"));
    h.key(KeyCode::Char('r'));
    let pending = h.effects.len();
    assert!(
        pending >= 4,
        "reload + a check per server + rescan: {:?}",
        h.effects
    );
    let check = h.submitted(|t| {
        *t == Task::CheckServer {
            server: "s-gone".into(),
        }
    });
    h.queue(check, "check server", 1000);
    assert!(h.app.busy());
    let screen = h.screen();
    assert!(line_with(&screen, "queued").contains("check server"));
}

#[test]
fn a_joined_request_waits_for_the_task_it_joined() {
    let mut h = Harness::loaded(120, 40);
    h.key(KeyCode::Tab);
    h.key(KeyCode::Enter);
    let first = h.submitted(|t| matches!(t, Task::ShowDestination { .. }));
    h.key(KeyCode::Esc);
    h.key(KeyCode::Enter);
    let second = h.submitted(|t| matches!(t, Task::ShowDestination { .. }));
    h.event(TaskEvent::Joined {
        id: second,
        into: first,
    });
    let all = servers();
    let view = destinations(&all)[1].clone();
    h.finish(first, 800, Ok(TaskResult::Details(Box::new(details(view)))));
    assert!(matches!(h.app.details, Some(Details::Destination(_))));
}

#[test]
fn filter_scope_mouse_and_resize() {
    let mut h = Harness::loaded(120, 40);
    h.key(KeyCode::Tab);
    h.keys("/db");
    assert_eq!(h.app.panes.destinations.visible.len(), 1);
    h.key(KeyCode::Enter);
    assert!(h.screen().contains("/db"));
    h.key(KeyCode::Esc);
    assert_eq!(h.app.panes.destinations.visible.len(), 3);
    // v: only the selected server's (alpha) destinations.
    h.key(KeyCode::Char('v'));
    assert_eq!(h.app.panes.destinations.visible.len(), 2);
    h.key(KeyCode::Char('v'));
    // A click on the third destination row selects it and focuses the pane.
    let area = h.app.areas().destinations;
    h.key(KeyCode::BackTab);
    update(
        &mut h.app,
        Action::Mouse(MouseEvent {
            kind: MouseEventKind::Down(MouseButton::Left),
            column: area.x + 5,
            row: area.y + 4,
            modifiers: KeyModifiers::NONE,
        }),
    );
    assert_eq!(h.app.focus, Pane::Destinations);
    assert_eq!(
        h.app.selected_destination().map(|d| d.name.as_str()),
        Some("beta-stack")
    );
    // Shrinking keeps the selection on screen.
    update(&mut h.app, Action::Resize(80, 24));
    let screen = h.screen();
    assert!(line_with(&screen, "beta-stack").contains('>'), "{screen}");
}

#[test]
fn quit_keys() {
    let mut h = Harness::loaded(80, 24);
    h.key(KeyCode::Char('q'));
    assert_eq!(h.effects, vec![Effect::Quit]);
    let mut h = Harness::loaded(80, 24);
    h.key(KeyCode::Char('?'));
    let more = update(
        &mut h.app,
        Action::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
    );
    assert_eq!(more, vec![Effect::Quit], "Ctrl-C quits from anywhere");
}

fn details(view: DestinationView) -> DestinationDetails {
    DestinationDetails {
        destination: view,
        driver: Some("bridge".into()),
        scope: Some("local".into()),
        attachable: Some(false),
        internal: Some(false),
        subnet: Some("172.20.0.0/16".into()),
        gateway: Some("172.20.0.1".into()),
        labels: [("destui.managed".to_string(), "true".to_string())].into(),
        containers: vec![
            ContainerRef {
                name: "coolify-proxy".into(),
                id: "0123456789abcdef".into(),
                state: "running".into(),
            },
            ContainerRef {
                name: "postgres".into(),
                id: "fedcba9876543210".into(),
                state: "exited".into(),
            },
        ],
        proxy_connected: Some(true),
        resources: vec![],
        status: HealthStatus::Ok,
        detail: None,
    }
}

// ---------- snapshots ----------

/// Every screen worth seeing, at both sizes.
fn screens(width: u16, height: u16) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    out.push(("first_frame", Harness::new(width, height).screen()));

    let mut h = Harness::loaded(width, height);
    out.push(("servers", h.screen()));

    h.scan_alpha();
    h.key(KeyCode::Char('j'));
    h.key(KeyCode::Char(' '));
    out.push(("scan", h.screen()));

    h.key(KeyCode::BackTab);
    h.key(KeyCode::Char('c'));
    let ids: Vec<TaskId> = h
        .effects
        .iter()
        .filter_map(|e| match e {
            Effect::Submit(id, Task::CheckDestinations { .. }) => Some(*id),
            _ => None,
        })
        .collect();
    for (n, id) in ids.into_iter().enumerate() {
        h.queue(id, "check destinations", 500);
        h.event(TaskEvent::Started { id, at: at(500) });
        if n == 0 {
            h.finish(
                id,
                650,
                Ok(TaskResult::Checked(vec![
                    CheckRow {
                        destination: "alpha-web".into(),
                        uuid: "d-1".into(),
                        status: HealthStatus::Ok,
                        detail: None,
                        unused: false,
                    },
                    CheckRow {
                        destination: "alpha-db".into(),
                        uuid: "d-2".into(),
                        status: HealthStatus::ProxyDetached,
                        detail: Some("proxy not attached".into()),
                        unused: false,
                    },
                ])),
            );
        }
    }
    h.effects.clear();
    h.key(KeyCode::Char(' '));
    out.push(("destinations_and_tasks", h.screen()));

    h.key(KeyCode::Char('d'));
    out.push(("confirm_delete", h.screen()));
    h.key(KeyCode::Esc);

    h.key(KeyCode::Char('e'));
    out.push(("rename", h.screen()));
    h.key(KeyCode::Esc);

    h.key(KeyCode::Char('a'));
    if let Some(Dialog::Form(form)) = &mut h.app.dialog {
        form.fields[0].input = tui_input::Input::new("alpha-payments".into());
        form.fields[1].input = tui_input::Input::new("payments".into());
    }
    out.push(("create_destination", h.screen()));
    h.key(KeyCode::Esc);

    h.key(KeyCode::Enter);
    let show = h.submitted(|t| matches!(t, Task::ShowDestination { .. }));
    let view = h.app.selected_destination().cloned().expect("selected");
    h.finish(show, 800, Ok(TaskResult::Details(Box::new(details(view)))));
    out.push(("details", h.screen()));
    h.key(KeyCode::Esc);

    h.key(KeyCode::Char('?'));
    out.push(("help", h.screen()));
    h.key(KeyCode::Esc);

    h.key(KeyCode::BackTab);
    h.key(KeyCode::Char('a'));
    h.keys("gamma");
    out.push(("add_server", h.screen()));
    h.key(KeyCode::Esc);

    h.keys("jj");
    h.key(KeyCode::Char('c'));
    out.push(("server_check", h.screen()));
    out
}

#[test]
fn snapshots_80x24() {
    for (name, screen) in screens(80, 24) {
        insta::assert_snapshot!(format!("80x24_{name}"), screen);
    }
}

#[test]
fn snapshots_120x40() {
    for (name, screen) in screens(120, 40) {
        insta::assert_snapshot!(format!("120x40_{name}"), screen);
    }
}

#[test]
fn selection_and_checkboxes_do_not_depend_on_colour() {
    let mut h = Harness::loaded(80, 24);
    h.scan_alpha();
    h.key(KeyCode::Char('j'));
    h.key(KeyCode::Char(' '));
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).expect("terminal");
    terminal
        .draw(|f| render(f, &h.app, at(1000)))
        .expect("draw");
    let buffer = terminal.backend().buffer().clone();
    // With the plain (NO_COLOR) theme no cell has a colour, and the marks are characters.
    assert!(
        buffer
            .content()
            .iter()
            .all(|c| c.fg == ratatui::style::Color::Reset && c.bg == ratatui::style::Color::Reset)
    );
    let screen = terminal.backend().to_string();
    assert!(line_with(&screen, "legacy").contains("[x]"));
    assert!(line_with(&screen, "shop").contains('>'));
}

#[test]
fn long_details_scroll_on_a_small_screen() {
    let mut h = Harness::loaded(80, 24);
    h.key(KeyCode::Tab);
    h.key(KeyCode::Enter);
    let show = h.submitted(|t| matches!(t, Task::ShowDestination { .. }));
    let view = h.app.selected_destination().cloned().expect("selected");
    let mut many = details(view);
    many.containers = (0..20)
        .map(|i| ContainerRef {
            name: format!("worker-{i:02}"),
            id: format!("{i:016}"),
            state: "running".into(),
        })
        .collect();
    h.finish(show, 800, Ok(TaskResult::Details(Box::new(many))));
    let screen = h.screen();
    assert!(screen.contains("j/k scroll"), "{screen}");
    assert!(!screen.contains("worker-19"), "{screen}");
    for _ in 0..40 {
        h.key(KeyCode::Char('j'));
    }
    let screen = h.screen();
    assert!(
        screen.contains("worker-19"),
        "the last line is reachable:\n{screen}"
    );
    assert!(screen.contains("resources"), "{screen}");
    h.key(KeyCode::Esc);
    assert!(h.app.details.is_none() && h.app.details_scroll == 0);
}

#[test]
fn the_background_check_covers_every_server_and_repair_follows_a_bad_result() {
    let mut h = Harness::loaded(120, 40);
    // Scoped to one server or filtered, the background check still covers everything.
    h.key(KeyCode::Tab);
    h.key(KeyCode::Char('v'));
    h.effects.clear();
    let more = update(&mut h.app, Action::CheckAll);
    let mut checked: Vec<(String, usize)> = more
        .iter()
        .map(|e| match e {
            Effect::Submit(
                _,
                Task::CheckDestinations {
                    server,
                    destinations,
                },
            ) => (server.to_string(), destinations.len()),
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    checked.sort();
    assert_eq!(
        checked,
        [("s-alpha".to_string(), 2), ("s-beta".to_string(), 1)]
    );
    let Effect::Submit(id, _) = &more[0] else {
        unreachable!()
    };
    h.finish(
        *id,
        900,
        Ok(TaskResult::Checked(vec![
            CheckRow {
                destination: "alpha-web".into(),
                uuid: "d-1".into(),
                status: HealthStatus::Ok,
                detail: None,
                unused: false,
            },
            CheckRow {
                destination: "alpha-db".into(),
                uuid: "d-2".into(),
                status: HealthStatus::Missing,
                detail: Some("network gone".into()),
                unused: false,
            },
        ])),
    );
    assert!(line_with(&h.screen(), "alpha-db").contains("missing"));
    // R on an ok destination does nothing; on the missing one it asks for a repair.
    h.key(KeyCode::Char('R'));
    assert!(
        h.tasks().is_empty() && h.app.status.text.contains("nothing to repair"),
        "{:?} {:?} {:?}",
        h.tasks(),
        h.app.status,
        h.app.selected_destination().map(|d| &d.name)
    );
    h.key(KeyCode::Char('j'));
    h.key(KeyCode::Char('R'));
    let repair = h.submitted(
        |t| matches!(t, Task::RepairDestination { destination, .. } if destination == "d-2"),
    );
    h.finish(
        repair,
        1200,
        Ok(TaskResult::Repaired(Outcome {
            value: CheckRow {
                destination: "alpha-db".into(),
                uuid: "d-2".into(),
                status: HealthStatus::Ok,
                detail: None,
                unused: false,
            },
            warnings: vec![],
        })),
    );
    assert!(line_with(&h.screen(), "alpha-db").contains("ok"));
    assert_eq!(h.tasks(), vec![&Task::Load], "the records are reloaded");
}

#[test]
fn new_resource_and_clone_dialogs_submit_typed_tasks() {
    let mut h = Harness::loaded(120, 40);
    // beta has exactly one destination: it is prefilled.
    h.key(KeyCode::Char('j'));
    h.key(KeyCode::Char('n'));
    let Some(Dialog::Form(form)) = &h.app.dialog else {
        panic!("new resource form");
    };
    assert_eq!(form.value(FieldId::Destination), "beta-stack");
    h.keys("shop");
    for _ in 0..3 {
        h.key(KeyCode::Tab);
    }
    h.keys("nginx:1");
    h.key(KeyCode::Enter);
    let Some(Effect::Submit(id, Task::CreateResource(r))) = h.effects.first().cloned() else {
        panic!("{:?}", h.effects);
    };
    assert_eq!(
        (
            r.name.as_str(),
            r.server.as_str(),
            r.destination.as_deref(),
            r.image.as_str()
        ),
        ("shop", "s-beta", Some("beta-stack"), "nginx:1")
    );
    h.effects.clear();
    h.finish(id, 900, Err(Error::ResourceNameTaken("shop".into())));
    assert!(
        h.screen()
            .contains("! A resource named shop already exists.")
    );
    h.key(KeyCode::Esc);

    // alpha has two: nothing is prefilled outside the Destinations pane, and the choice is listed.
    h.key(KeyCode::Char('k'));
    h.key(KeyCode::Char('n'));
    let screen = h.screen();
    assert!(
        screen.contains("destinations: alpha-web, alpha-db"),
        "{screen}"
    );
    let Some(Dialog::Form(form)) = &h.app.dialog else {
        panic!("new resource form");
    };
    assert_eq!(form.value(FieldId::Destination), "");
    h.key(KeyCode::Esc);

    // Clone: the resources of the selected destination, to a destination by name.
    let load = {
        h.key(KeyCode::Char('r'));
        h.submitted(|t| *t == Task::Load)
    };
    h.effects.clear();
    let all = servers();
    h.finish(
        load,
        1000,
        Ok(TaskResult::Loaded {
            destinations: destinations(&all),
            servers: all,
            resources: vec![destui::domain::Resource {
                uuid: "r-1".into(),
                name: "shop".into(),
                kind: destui::domain::ResourceKind::Application,
                image: "nginx:1".into(),
                command: None,
                destination_uuid: "d-1".into(),
                connect_predefined: false,
            }],
        }),
    );
    h.effects.clear();
    h.key(KeyCode::Tab);
    h.key(KeyCode::Char('C'));
    let Some(Dialog::Form(form)) = &h.app.dialog else {
        panic!("clone form");
    };
    assert_eq!(form.value(FieldId::Resource), "shop");
    h.key(KeyCode::Tab);
    h.keys("beta-stack");
    h.key(KeyCode::Enter);
    assert_eq!(
        h.tasks(),
        vec![&Task::CloneResource {
            server: "s-beta".into(),
            resource: "shop".into(),
            destination: "d-3".into(),
            name: None
        }]
    );
}

#[test]
fn interrupted_work_is_settled_in_the_background_then_the_records_reload() {
    let mut h = Harness::loaded(120, 40);
    let effects = vec![h.app.settle_interrupted()];
    h.effects.extend(effects);
    let settle = h.submitted(|t| *t == Task::Settle);
    h.queue(settle, "settle interrupted work", 300);
    // Its own lane, not a server's: the row names no server.
    let row = h.task_row(settle).expect("a row");
    assert_eq!(row.server, "");
    h.finish(
        settle,
        900,
        Ok(TaskResult::Settled {
            notes: vec!["finished deleting destination alpha-web (network web on alpha) after an interrupted delete".into()],
        }),
    );
    assert_eq!(h.tasks(), vec![&Task::Load], "the records are loaded again");
    assert!(
        h.screen()
            .contains("finished deleting destination alpha-web"),
        "{}",
        h.screen()
    );

    // Nothing to settle: no reload, no message.
    let effects = vec![h.app.settle_interrupted()];
    h.effects.clear();
    h.effects.extend(effects);
    let settle = h.submitted(|t| *t == Task::Settle);
    h.finish(settle, 950, Ok(TaskResult::Settled { notes: vec![] }));
    assert!(h.tasks().is_empty(), "{:?}", h.effects);
}

#[test]
fn the_unused_view_checks_then_lists_only_destinations_with_nothing_but_the_proxy() {
    let mut h = Harness::loaded(120, 40);
    h.effects.clear();
    h.key(KeyCode::Char('u'));
    let checks: Vec<_> = h
        .effects
        .iter()
        .filter_map(|e| match e {
            Effect::Submit(id, Task::CheckDestinations { server, .. }) => {
                Some((*id, server.clone()))
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        checks.iter().map(|(_, s)| s.as_str()).collect::<Vec<_>>(),
        ["s-alpha", "s-beta"],
        "turning the view on checks every listed destination"
    );
    assert!(h.screen().contains("none unused"), "{}", h.screen());

    let row = |name: &str, uuid: &str, unused| CheckRow {
        destination: name.into(),
        uuid: uuid.into(),
        status: HealthStatus::Ok,
        detail: None,
        unused,
    };
    h.finish(
        checks[0].0,
        700,
        Ok(TaskResult::Checked(vec![
            row("alpha-web", "d-1", true),
            row("alpha-db", "d-2", false),
        ])),
    );
    let screen = h.screen();
    assert!(screen.contains("Unused destinations"), "{screen}");
    assert!(
        line_with(&screen, "alpha-web").contains("ok, unused"),
        "{screen}"
    );
    assert!(!screen.contains("alpha-db"), "{screen}");

    h.key(KeyCode::Char('u'));
    let screen = h.screen();
    assert!(screen.contains("alpha-db") && !screen.contains("Unused destinations"));
    assert!(line_with(&screen, "alpha-db").contains("ok"));
}

// ---------- output safety (DESIGN.md §9) ----------

/// Scans alpha with `rows` in place of the fixture's.
fn scan_alpha_with(h: &mut Harness, rows: Vec<ScanRow>) {
    h.key(KeyCode::Char('s'));
    let id = h.submitted(|t| {
        *t == Task::Scan {
            server: "s-alpha".into(),
        }
    });
    h.finish(
        id,
        420,
        Ok(TaskResult::Scanned {
            server: "s-alpha".into(),
            rows,
        }),
    );
}

#[test]
fn names_from_a_server_cannot_drive_the_terminal_or_forge_a_row() {
    let mut h = Harness::loaded(120, 40);
    let mut rows = scan_rows();
    rows[1].network = "ev\u{1b}[1m\u{202e}x\ny".into();
    rows[1].containers = vec!["x\u{200b}y".into()];
    scan_alpha_with(&mut h, rows);
    let screen = h.screen();
    assert!(
        !screen
            .chars()
            .any(|c| c != '\n' && destui::domain::is_unsafe_char(c)),
        "{screen:?}"
    );
    // Each unsafe character shows as a visible replacement, on the row it belongs to.
    assert!(line_with(&screen, "ev�").contains("ev�[1m�x�y"), "{screen}");
}

#[test]
fn two_networks_of_one_name_are_checked_and_imported_by_full_id() {
    let mut h = Harness::loaded(120, 40);
    let mut rows = scan_rows();
    let mut twin = rows[1].clone();
    twin.id = format!("{:y<64}", "legacy");
    rows.insert(2, twin.clone());
    scan_alpha_with(&mut h, rows);
    // Cursor on db (not importable): move to the first legacy, check both legacies.
    h.key(KeyCode::Char('j'));
    h.key(KeyCode::Char(' '));
    h.key(KeyCode::Char(' '));
    let checked: Vec<String> = h
        .scan()
        .map(|s| s.checked.iter().cloned().collect())
        .unwrap_or_default();
    assert_eq!(checked.len(), 2, "both twins checked, each by its ID");
    h.key(KeyCode::Char('i'));
    let Some(Task::Import { networks, .. }) = h.tasks().first().copied().cloned() else {
        panic!("an import was submitted: {:?}", h.tasks());
    };
    let mut networks = networks;
    networks.sort();
    assert_eq!(networks, [format!("{:x<64}", "legacy"), twin.id]);
}

#[test]
fn the_start_up_check_says_how_many_servers_answered_once_the_last_one_has() {
    let h = Harness::loaded(120, 40);
    let online = servers().iter().filter(|s| s.name != "gone").count();
    assert!(
        h.app.status.error,
        "one server is offline: said as bad news"
    );
    assert_eq!(
        h.app.status.text,
        format!(
            "{} server(s) checked: {online} online, 1 offline",
            online + 1
        )
    );
}

#[test]
fn a_rename_keeps_the_destinations_check() {
    let mut h = Harness::loaded(120, 40);
    // (Results are applied whatever task brought them: ids of tasks never submitted here.)
    h.finish(
        9001,
        700,
        Ok(TaskResult::Checked(vec![CheckRow {
            destination: "alpha-db".into(),
            uuid: "d-2".into(),
            status: HealthStatus::Missing,
            detail: Some("network gone".into()),
            unused: false,
        }])),
    );
    assert!(line_with(&h.screen(), "alpha-db").contains("missing"));
    // The same destination under its new name, as the reload after a rename brings it.
    let alpha = servers()[1].clone();
    let mut renamed = destinations(&servers());
    renamed[1] = destination("d-2", "alpha-database", "db", &alpha);
    h.finish(
        9002,
        800,
        Ok(TaskResult::Loaded {
            servers: servers(),
            destinations: renamed,
            resources: vec![],
        }),
    );
    assert!(
        line_with(&h.screen(), "alpha-database").contains("missing"),
        "{}",
        h.screen()
    );
}

// ---------- issue 15: nothing cut unseen, columns by priority, task results, help scroll ----------

/// The sizes the layout and truncation rules are shown at.
const SIZES: [(u16, u16); 3] = [(60, 20), (80, 24), (200, 50)];

/// Two destinations whose 100-character names differ only at the end.
fn long_names() -> [String; 2] {
    let stem = "payments-".repeat(11);
    [
        format!("{}-east", &stem[..95]),
        format!("{}-west", &stem[..95]),
    ]
}

/// The fixture with the two long-named destinations on alpha added, and the servers as given.
fn loaded_with(width: u16, height: u16, servers: Vec<Server>) -> Harness {
    let mut h = Harness::loaded(width, height);
    let servers: Vec<Server> = servers
        .into_iter()
        .map(|mut s| {
            s.checked_at = Some(CHECKED);
            s.online = s.name != "gone";
            s
        })
        .collect();
    let alpha = servers[1].clone();
    let mut dests = destinations(&servers);
    for (i, name) in long_names().iter().enumerate() {
        dests.push(destination(&format!("d-long-{i}"), name, name, &alpha));
    }
    h.finish(
        9100,
        900,
        Ok(TaskResult::Loaded {
            servers,
            destinations: dests,
            resources: vec![],
        }),
    );
    h.effects.clear();
    h
}

/// What the overlay box shows, its rows joined and every space taken out (a wrapped value
/// reads as one word again).
fn overlay_text(screen: &str) -> String {
    screen
        .lines()
        .filter_map(|l| {
            let (first, last) = (l.find('║')?, l.rfind('║')?);
            (first < last).then(|| l[first + '║'.len_utf8()..last].to_string())
        })
        .collect::<String>()
        .replace(' ', "")
}

#[test]
fn two_long_names_are_cut_with_a_mark_and_read_whole_in_details() {
    let names = long_names();
    for (width, height) in SIZES {
        let mut h = loaded_with(width, height, servers());
        h.key(KeyCode::Tab);
        h.key(KeyCode::Char('G'));
        let screen = h.screen();
        insta::assert_snapshot!(format!("{width}x{height}_long_names"), screen);
        let rows: Vec<&str> = screen
            .lines()
            .filter(|l| l.contains("payments-payment"))
            .collect();
        assert!(rows.len() >= 2, "both long names listed:\n{screen}");
        for name in &names {
            assert!(!screen.contains(name.as_str()), "too long to show whole");
        }
        for row in &rows {
            let cell = row
                .split_whitespace()
                .find(|w| w.starts_with("payments-"))
                .expect("the name cell");
            assert!(cell.ends_with('…'), "a cut name ends in …: {row}");
        }

        // Details name it whole, wrapped, under a title cut with a mark.
        let selected = h.app.selected_destination().cloned().expect("selected");
        assert_eq!(selected.name, names[1]);
        h.key(KeyCode::Enter);
        let show = h.submitted(|t| matches!(t, Task::ShowDestination { .. }));
        h.finish(
            show,
            950,
            Ok(TaskResult::Details(Box::new(details(selected)))),
        );
        let screen = h.screen();
        insta::assert_snapshot!(format!("{width}x{height}_long_name_details"), screen);
        assert!(
            overlay_text(&screen).contains(&format!("name:{}", names[1])),
            "the full name in the body:\n{screen}"
        );
        let title = line_with(&screen, "Destination payments");
        assert!(title.contains('…'), "the title is cut with a mark: {title}");
        h.key(KeyCode::Esc);
    }
}

/// The header line of the pane whose title holds `pane`.
fn header_below<'a>(screen: &'a str, pane: &str) -> &'a str {
    let mut lines = screen.lines().skip_while(|l| !l.contains(pane));
    lines.next();
    lines.next().unwrap_or_default()
}

#[test]
fn server_and_type_give_way_before_name_network_and_check() {
    for (width, height) in SIZES {
        let h = loaded_with(width, height, servers());
        let screen = h.screen();
        // Only the Destinations pane's part of the line (right of the Servers pane).
        let header = header_below(&screen, "Destinations");
        let right = &header[header.find("NAME").expect("NAME") + 4..];
        assert!(right.contains("NAME") || header.contains("NAME"));
        assert!(right.contains("NETWORK"), "{width}x{height}:\n{screen}");
        let has = |title: &str| right.contains(title);
        if width >= 80 {
            assert!(has("CHECK"), "CHECK stays from 80 columns up:\n{screen}");
        }
        if has("SERVER") || has("TYPE") {
            assert!(has("CHECK"), "SERVER and TYPE go first:\n{screen}");
        }
        if width >= 200 {
            assert!(has("SERVER") && has("TYPE"), "room for all:\n{screen}");
        }
    }
}

#[test]
fn a_server_with_another_docker_socket_shows_it() {
    let mut all = servers();
    let mut rootless = server(
        "s-rootless",
        "alpha-rootless",
        "10.0.0.7",
        ServerMode::Standalone,
    );
    rootless.docker_socket = "/run/user/1000/docker.sock".into();
    let mut root = server("s-root", "alpha-root", "10.0.0.7", ServerMode::Standalone);
    root.docker_socket = destui::domain::DEFAULT_DOCKER_SOCKET.into();
    all.extend([rootless, root]);
    let mut h = loaded_with(200, 50, all);
    let screen = h.screen();
    insta::assert_snapshot!("200x50_docker_socket", screen);
    assert!(line_with(&screen, "alpha-rootless").contains("10.0.0.7 (/run/user"));
    assert!(!line_with(&screen, "alpha-root ").contains("10.0.0.7 ("));
    // The selected server's details line names the socket whole.
    h.keys("jj");
    assert_eq!(
        h.app.selected_server().map(|s| s.name.as_str()),
        Some("alpha-rootless")
    );
    let screen = h.screen();
    assert!(
        screen.contains("socket /run/user/1000/docker.sock"),
        "{screen}"
    );
}

/// A failed scan whose error is far longer than its row, selected in the Tasks pane.
fn failed_task(h: &mut Harness) {
    let error = format!(
        "cannot reach alpha (alpha.example.net): {} and the last words of the error",
        "connection timed out after 30 s; ".repeat(6)
    );
    h.key(KeyCode::Char('s'));
    let id = h.submitted(|t| matches!(t, Task::Scan { .. }));
    h.queue(id, "scan", 1200);
    h.event(TaskEvent::Started { id, at: at(1200) });
    h.finish(id, 1500, Err(Error::Io(error)));
    h.effects.clear();
    while h.app.focus != Pane::Tasks {
        h.key(KeyCode::Tab);
    }
    h.key(KeyCode::Char('G'));
}

#[test]
fn enter_on_a_task_shows_its_whole_result_and_esc_closes() {
    for (width, height) in SIZES {
        let mut h = Harness::loaded(width, height);
        failed_task(&mut h);
        let screen = h.screen();
        let row = screen
            .lines()
            .find(|l| l.contains("✗ failed") && l.contains("scan"))
            .unwrap_or_else(|| panic!("the failed scan's row:\n{screen}"));
        assert!(
            !row.contains("last words") && row.contains('…'),
            "the row shows one line of it, cut with a mark: {row}"
        );
        h.key(KeyCode::Enter);
        assert!(matches!(h.app.details, Some(Details::Task(_))));
        let screen = h.screen();
        insta::assert_snapshot!(format!("{width}x{height}_task_result"), screen);
        for _ in 0..30 {
            h.key(KeyCode::Char('j'));
        }
        let end = overlay_text(&h.screen());
        let text = overlay_text(&screen) + &end;
        assert!(text.contains("task:scan"), "{screen}");
        assert!(text.contains("server:alpha"), "{screen}");
        assert!(text.contains("state:failed"), "{screen}");
        assert!(text.contains("duration:300ms"), "{screen}");
        assert!(
            end.contains("andthelastwordsoftheerror"),
            "the whole error, scrolled to its end:\n{}",
            h.screen()
        );
        h.key(KeyCode::Esc);
        assert!(h.app.details.is_none() && h.app.details_scroll == 0);
        assert!(!h.screen().contains('║'), "closed");
    }
}

#[test]
fn help_scrolls_to_its_last_line_on_a_small_screen() {
    let last = "close / cancel / clear filter";
    let mut h = Harness::loaded(60, 20);
    h.key(KeyCode::Char('?'));
    let screen = h.screen();
    insta::assert_snapshot!("60x20_help", screen);
    assert!(!screen.contains(last), "the help is taller than 60x20");
    assert!(
        screen.contains("more · j/k scroll"),
        "a mark says there is more:\n{screen}"
    );
    h.key(KeyCode::PageDown);
    h.key(KeyCode::PageDown);
    for _ in 0..5 {
        h.key(KeyCode::Char('j'));
    }
    assert!(h.app.help, "scrolling keys keep the help open");
    let screen = h.screen();
    insta::assert_snapshot!("60x20_help_end", screen);
    assert!(screen.contains(last), "the last line is reached:\n{screen}");
    assert!(screen.contains("the end"), "{screen}");
    // No scrolling past the end: one key up shows less than the end.
    h.key(KeyCode::Up);
    assert!(!h.screen().contains("the end"));
    h.key(KeyCode::Home);
    assert!(h.screen().contains("this help"));
    h.key(KeyCode::Esc);
    assert!(!h.app.help && h.app.help_scroll == 0);

    // Where it fits, any key closes it, as before.
    for (width, height) in [(80, 24), (200, 50)] {
        let mut h = Harness::loaded(width, height);
        h.key(KeyCode::Char('?'));
        let screen = h.screen();
        insta::assert_snapshot!(format!("{width}x{height}_help_fits"), screen);
        assert!(
            screen.contains(last) && !screen.contains("more · j/k scroll"),
            "{screen}"
        );
        h.key(KeyCode::Char('j'));
        assert!(!h.app.help);
    }
}
