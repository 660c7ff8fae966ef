//! The TUI without a terminal: state updates driven through `update`, and every pane and
//! dialog rendered into ratatui's `TestBackend` at 80x24 and 120x40 (insta snapshots).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::too_many_lines
)]

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use destui::domain::{Destination, DestinationType, Error, ResourceStatus, Server, ServerMode};
use destui::ops::{
    CheckRow, ContainerRef, ContainerUsage, Dependant, DestinationDetails, DestinationUsage,
    DestinationView, HealthStatus, Outcome, ScanRow,
};
use destui::tasks::{Task, TaskEvent, TaskId, TaskResult};
use destui::tui::app::{Action, Details, Effect, Pane, update};
use destui::tui::dialog::{Dialog, FieldId};
use destui::tui::panes::tasks::TaskState;
use destui::tui::render::render;
use destui::tui::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

mod tui_fixture;

use tui_fixture::{
    CHECKED, Harness, at, change, check_row, destination, destinations, line_with, scan_rows,
    server, servers,
};

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
    // The panes refresh without a key press: a reload, a rescan of that server, and a check
    // of what was imported (its CHECK column is not left blank).
    let mut follow = h.tasks();
    follow.sort_by_key(|t| format!("{t:?}"));
    assert_eq!(
        follow,
        vec![
            &Task::CheckDestinations {
                server: "s-alpha".into(),
                destinations: vec!["d-9".into()],
            },
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
    assert!(h.app.dialog.is_none(), "n cancels");
    assert!(
        h.tasks()
            .iter()
            .all(|t| matches!(t, Task::DeleteReport { .. })),
        "nothing but the report was asked for: {:?}",
        h.effects
    );
    h.effects.clear();
    h.key(KeyCode::Char(' '));
    h.key(KeyCode::Char(' '));
    h.key(KeyCode::Char('d'));
    assert!(h.screen().contains("Delete 2 destination(s)?"));
    h.answer_reports(&[], &[]);
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
fn the_delete_confirmation_shows_the_dependency_report_and_waits_for_it() {
    let mut h = Harness::loaded(80, 24);
    h.key(KeyCode::Tab);
    h.key(KeyCode::Char('d'));
    let screen = h.screen();
    assert!(screen.contains("checking dependants…"), "{screen}");
    assert!(
        !screen.contains("y yes"),
        "no yes before the report:\n{screen}"
    );
    // y before the report: nothing is deleted yet, the dialog stays, the status says why.
    h.key(KeyCode::Char('y'));
    assert!(
        h.tasks()
            .iter()
            .all(|t| !matches!(t, Task::DeleteDestination { .. })),
        "{:?}",
        h.effects
    );
    assert!(h.app.dialog.is_some());
    assert!(
        h.app
            .status
            .text
            .contains("deleting as soon as the report is in")
    );
    let dependants = vec![
        env_dependant("billing-worker", "DATABASE_URL", "alpha-db-1", "web"),
        env_dependant("reports", "NET", "web", "web"),
        Dependant {
            container: "shared-cache".into(),
            reason: "also on destination alpha-db".into(),
            variable: None,
            mentions: None,
            destination: Some("alpha-db".into()),
        },
    ];
    // The report has something to show: the early y does not delete; it asks again.
    h.answer_reports(&dependants, &[]);
    assert!(
        h.tasks()
            .iter()
            .all(|t| !matches!(t, Task::DeleteDestination { .. })),
        "dependants shown before any delete: {:?}",
        h.effects
    );
    assert!(h.app.status.error);
    assert!(h.app.status.text.contains("something to show"));
    let screen = h.screen();
    insta::assert_snapshot!("80x24_confirm_delete_report", screen);
    assert!(
        screen.contains("warning: billing-worker depends on it: env DATABASE_URL mentions"),
        "{screen}"
    );
    assert!(
        dialog_line(&screen, "y yes · n no").contains('║'),
        "{screen}"
    );
    h.key(KeyCode::Char('y'));
    assert!(
        h.tasks()
            .iter()
            .any(|t| matches!(t, Task::DeleteDestination { .. })),
        "{:?}",
        h.effects
    );

    // y before a report that tells nothing: the delete goes ahead as soon as it is in.
    let mut h = Harness::loaded(80, 24);
    h.key(KeyCode::Tab);
    h.key(KeyCode::Char('d'));
    h.key(KeyCode::Char('y'));
    assert!(h.app.dialog.is_some(), "still waiting for the report");
    h.answer_reports(&[], &[]);
    assert!(h.app.dialog.is_none());
    assert!(
        h.tasks()
            .iter()
            .any(|t| matches!(t, Task::DeleteDestination { .. })),
        "{:?}",
        h.effects
    );

    // Bulk: one report per marked destination, summed, each line named; a blocked one says so.
    let mut h = Harness::loaded(80, 24);
    h.key(KeyCode::Tab);
    h.key(KeyCode::Char(' '));
    h.key(KeyCode::Char(' '));
    h.key(KeyCode::Char('d'));
    let asked = h
        .tasks()
        .iter()
        .filter(|t| matches!(t, Task::DeleteReport { .. }))
        .count();
    assert_eq!(asked, 2);
    h.answer_reports(&[], &["alpha-web"]);
    let screen = h.screen();
    assert!(
        screen.contains("alpha-web: refused: attached web-1 (running)"),
        "{screen}"
    );
    assert!(
        screen.contains("no other container depends on them"),
        "blocked, and still nothing depends on either:\n{screen}"
    );
    insta::assert_snapshot!("80x24_confirm_delete_two_reports", screen);
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
    h.queue(check, 1000);
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
    h.click(area.x + 5, area.y + 4);
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

fn env_dependant(container: &str, variable: &str, mentions: &str, network: &str) -> Dependant {
    Dependant {
        container: container.into(),
        reason: format!("env {variable} mentions {mentions} (on {network})"),
        variable: Some(variable.into()),
        mentions: Some(mentions.into()),
        destination: None,
    }
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
        ipv6: Some(false),
        mtu: Some(1450),
        ip_range: None,
        options: [(
            "com.docker.network.driver.mtu".to_string(),
            "1450".to_string(),
        )]
        .into(),
        subnets: vec!["172.20.0.0/16".into()],
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
        resource_status: Default::default(),
        status: HealthStatus::Ok,
        detail: None,
        nodes: Default::default(),
    }
}

/// The usage of alpha's destinations: two running containers on alpha-web, one stopped on
/// alpha-db.
fn alpha_usage() -> Vec<DestinationUsage> {
    let running = |name: &str, cpu: f64, memory: u64| ContainerUsage {
        name: name.into(),
        state: "running".into(),
        cpu_percent: Some(cpu),
        memory_bytes: Some(memory),
    };
    vec![
        DestinationUsage {
            uuid: "d-1".into(),
            containers: vec![
                running("web-1", 1.25, 14_784_921),
                running("web-2", 98.5, 2_097_152),
            ],
            cpu_percent: 99.75,
            memory_bytes: 16_882_073,
        },
        DestinationUsage {
            uuid: "d-2".into(),
            containers: vec![ContainerUsage {
                name: "postgres".into(),
                state: "exited".into(),
                cpu_percent: None,
                memory_bytes: None,
            }],
            cpu_percent: 0.0,
            memory_bytes: 0,
        },
    ]
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
        h.queue(id, 500);
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
                        containers: None,
                        nodes: Default::default(),
                    },
                    CheckRow {
                        destination: "alpha-db".into(),
                        uuid: "d-2".into(),
                        status: HealthStatus::ProxyDetached,
                        detail: Some("proxy not attached".into()),
                        unused: false,
                        containers: None,
                        nodes: Default::default(),
                    },
                ])),
            );
        }
    }
    // The checks of alpha answered: its usage is read in the background, with no row.
    let usage = h.submitted(|t| matches!(t, Task::Usage { server } if server == "s-alpha"));
    h.finish(
        usage,
        700,
        Ok(TaskResult::Usage {
            server: "s-alpha".into(),
            usage: alpha_usage(),
        }),
    );
    h.effects.clear();
    h.key(KeyCode::Char(' '));
    out.push(("destinations_and_tasks", h.screen()));

    h.key(KeyCode::Char('d'));
    out.push(("confirm_delete_checking", h.screen()));
    h.answer_reports(
        &[env_dependant("billing", "DATABASE_URL", "postgres", "db")],
        &[],
    );
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

/// The rows of the screen that contain `needles`, each run of cells in a colour written
/// `{colour:text}`: a snapshot that holds the colours (DESIGN.md §16).
fn tinted_rows(h: &Harness, needles: &[&str]) -> String {
    let mut terminal =
        Terminal::new(TestBackend::new(h.app.size.width, h.app.size.height)).expect("terminal");
    terminal
        .draw(|f| render(f, &h.app, at(1000)))
        .expect("draw");
    let buffer = terminal.backend().buffer().clone();
    let width = usize::from(buffer.area.width);
    let mut rows = Vec::new();
    for row in buffer.content().chunks(width) {
        let text: String = row.iter().map(|c| c.symbol()).collect();
        if !needles.iter().any(|n| text.contains(n)) {
            continue;
        }
        let mut line = String::new();
        let mut open: Option<ratatui::style::Color> = None;
        for c in row {
            // Only servers' own colours; the theme's greens and greys are not the point here.
            let fg = Some(c.fg).filter(|fg| {
                matches!(
                    fg,
                    ratatui::style::Color::Red | ratatui::style::Color::Rgb(..)
                )
            });
            if fg != open {
                if open.is_some() {
                    line.push('}');
                }
                if let Some(fg) = fg {
                    line.push_str(&format!("{{{fg}:"));
                }
                open = fg;
            }
            line.push_str(c.symbol());
        }
        if open.is_some() {
            line.push('}');
        }
        rows.push(line.trim_end().to_string());
    }
    rows.join("\n")
}

/// Alpha red and read-only, beta in a hex colour.
fn tinted(theme: Theme) -> Harness {
    let mut h = Harness::loaded(80, 24);
    h.app.theme = theme;
    for s in &mut h.app.servers {
        match s.name.as_str() {
            "alpha" => {
                s.color = Some("red".into());
                s.read_only = true;
            }
            "beta" => s.color = Some("#00aa88".into()),
            _ => {}
        }
    }
    h
}

#[test]
fn a_server_colour_tints_its_row_and_its_destinations_and_read_only_is_marked() {
    let h = tinted(Theme::new(&Default::default(), false));
    insta::assert_snapshot!(
        "servers_tinted",
        tinted_rows(&h, &["alpha", "beta", "gone"])
    );
    let screen = h.screen();
    assert!(line_with(&screen, "● [ro] alpha").contains("standalone"));
    assert!(screen.contains("[ro] alpha-web"), "{screen}");
}

#[test]
fn under_no_color_servers_are_not_tinted_and_read_only_is_still_marked() {
    let h = tinted(Theme::plain());
    let rows = tinted_rows(&h, &["alpha", "beta"]);
    assert!(!rows.contains('{'), "no colour at all:\n{rows}");
    assert!(rows.contains("[ro] alpha"), "{rows}");
    assert!(rows.contains("[ro] alpha-web"), "{rows}");
}

#[test]
fn tab_in_the_host_field_completes_the_ssh_config_aliases() {
    let mut h = Harness::loaded(80, 24);
    h.app.ssh_aliases = ["prod-web", "prod-db", "staging"]
        .map(String::from)
        .to_vec();
    h.key(KeyCode::Char('a'));
    h.keys("web");
    h.key(KeyCode::Tab);
    h.keys("pro");
    let host = |h: &Harness| match &h.app.dialog {
        Some(Dialog::Form(form)) => form.value(FieldId::Host).to_string(),
        _ => panic!("the form is open"),
    };
    h.key(KeyCode::Tab);
    assert_eq!(host(&h), "prod-web");
    h.key(KeyCode::Tab);
    assert_eq!(host(&h), "prod-db");
    h.key(KeyCode::Tab);
    assert_eq!(host(&h), "prod-web", "cycles");
    // Typing starts again from what is typed; a single match already there moves on.
    h.key(KeyCode::Backspace);
    for _ in 0.."prod-we".len() {
        h.key(KeyCode::Backspace);
    }
    h.keys("stag");
    h.key(KeyCode::Tab);
    assert_eq!(host(&h), "staging");
    h.key(KeyCode::Tab);
    let Some(Dialog::Form(form)) = &h.app.dialog else {
        panic!("the form is open");
    };
    assert_eq!(form.fields[form.focus].id, FieldId::Port, "Tab moved on");
    h.key(KeyCode::Enter);
    h.submitted(|t| {
        matches!(t, Task::AddServer(s) if s.host.as_deref() == Some("staging")
            && s.name == "web" && !s.read_only && s.color.is_none())
    });
}

#[test]
fn a_change_on_a_read_only_server_fails_with_the_refusal_in_the_status_line() {
    let mut h = tinted(Theme::plain());
    h.scan_alpha();
    h.key(KeyCode::Char('j'));
    h.key(KeyCode::Char(' '));
    h.key(KeyCode::Char('i'));
    let import = h.submitted(|t| matches!(t, Task::Import { .. }));
    h.finish(import, 900, Err(Error::ReadOnly("alpha".into())));
    assert!(h.app.status.error, "{:?}", h.app.status);
    assert!(
        h.app.status.text.contains("server alpha is read-only"),
        "{:?}",
        h.app.status
    );
}

/// DESIGN.md §13: a swarm overlay's details list the containers on the other nodes destui
/// knows, each with its node, and say when the list is this node's only.
#[test]
fn swarm_details_list_the_other_nodes_containers() {
    let mut h = Harness::loaded(120, 40);
    h.key(KeyCode::Tab);
    h.key(KeyCode::Enter);
    let show = h.submitted(|t| matches!(t, Task::ShowDestination { .. }));
    let view = h.app.selected_destination().cloned().expect("selected");
    let mut swarm = details(view);
    swarm.nodes = destui::ops::OtherNodes {
        elsewhere: vec![destui::ops::NodeContainer {
            server: "worker-c".into(),
            name: "api-on-c".into(),
            id: "abcdef0123456789".into(),
            state: "running".into(),
        }],
        this_node_only: true,
        unseen: vec!["node-d (not recorded here)".into()],
    };
    h.finish(show, 810, Ok(TaskResult::Details(Box::new(swarm))));
    let screen = h.screen();
    assert!(
        screen.contains("api-on-c (abcdef012345, running) on worker-c"),
        "{screen}"
    );
    assert!(
        screen.contains("this node only: not counted: node-d"),
        "{screen}"
    );
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
    // Each resource with its live state (a died container's resource is `stopped`).
    many.resources = vec!["shop".into(), "cache".into(), "gone".into()];
    many.resource_status = [
        ("shop".to_string(), ResourceStatus::Running),
        ("cache".to_string(), ResourceStatus::Stopped),
    ]
    .into();
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
    assert!(
        screen.contains("shop (running), cache (stopped), gone"),
        "{screen}"
    );
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
                containers: None,
                nodes: Default::default(),
            },
            CheckRow {
                destination: "alpha-db".into(),
                uuid: "d-2".into(),
                status: HealthStatus::Missing,
                detail: Some("network gone".into()),
                unused: false,
                containers: None,
                nodes: Default::default(),
            },
        ])),
    );
    assert!(line_with(&h.screen(), "alpha-db").contains("missing"));
    // The server that answered its checks has its usage read next, in the background.
    h.submitted(|t| matches!(t, Task::Usage { server } if server == "s-alpha"));
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
                containers: None,
                nodes: Default::default(),
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
        ("shop", "s-beta", Some("d-3"), "nginx:1")
    );
    h.effects.clear();
    h.finish(id, 900, Err(Error::ResourceNameTaken("shop".into())));
    assert!(
        h.screen()
            .contains("! A resource named shop already exists.")
    );
    h.key(KeyCode::Esc);

    // alpha has two: nothing is prefilled outside the Destinations pane, and the choice is listed
    // (in the destination's picker).
    h.key(KeyCode::Char('k'));
    h.key(KeyCode::Char('n'));
    h.key(KeyCode::Tab);
    h.key(KeyCode::Tab);
    h.key(KeyCode::Enter);
    let screen = h.screen();
    assert!(
        dialog_line(&screen, "alpha-web").contains("network web")
            && dialog_line(&screen, "alpha-db").contains("network db"),
        "{screen}"
    );
    let Some(Dialog::Form(form)) = &h.app.dialog else {
        panic!("new resource form");
    };
    assert_eq!(form.value(FieldId::Destination), "");
    h.key(KeyCode::Esc);
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
            resources: vec![shop_on("d-1")],
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
    h.key(KeyCode::Tab);
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
    h.queue(settle, 300);
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
        containers: None,
        nodes: Default::default(),
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
            containers: None,
            nodes: Default::default(),
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

// ---------- daily use (DESIGN.md §3, issue 15) ----------

#[test]
fn slash_in_the_tasks_pane_filters_and_what_follows_is_never_a_command() {
    let mut h = Harness::loaded(120, 40);
    h.scan_alpha();
    h.key(KeyCode::Tab);
    assert_eq!(h.app.focus, Pane::Tasks);
    // The keys of the issue: `/`, `a` (add), Enter (submit): only a filter comes of them.
    h.keys("/a");
    h.key(KeyCode::Enter);
    assert!(h.app.dialog.is_none(), "a is filter text, not add");
    assert!(h.tasks().is_empty(), "nothing submitted: {:?}", h.effects);
    assert_eq!(h.app.filter(Pane::Tasks), "a");
    // By server, by state, by action, by text (the one-line result).
    let shown = |h: &mut Harness, filter: &str| -> Vec<String> {
        h.key(KeyCode::Esc);
        h.key(KeyCode::Char('/'));
        h.keys(filter);
        h.key(KeyCode::Enter);
        let pane = &h.app.panes.tasks;
        pane.visible
            .iter()
            .map(|&i| pane.rows[i].label.clone())
            .collect()
    };
    assert_eq!(shown(&mut h, "gone"), ["check server gone"]);
    assert_eq!(shown(&mut h, "failed"), ["check server gone"]);
    assert_eq!(shown(&mut h, "scan"), ["scan alpha"]);
    assert_eq!(shown(&mut h, "importable"), ["scan alpha"]);
    let screen = h.screen();
    let tasks = line_with(&screen, "Tasks");
    assert!(tasks.contains("/importable"), "{screen}");
    assert!(
        line_with(&screen, "scan alpha").contains('>'),
        "the one row shown is selected:\n{screen}"
    );
    // Nothing matches: said so; Esc clears the filter and every row is back.
    shown(&mut h, "zzz");
    assert!(h.screen().contains("none match"), "{}", h.screen());
    h.key(KeyCode::Esc);
    assert_eq!(h.app.filter(Pane::Tasks), "");
    assert_eq!(h.app.panes.tasks.visible.len(), 4);
}

#[test]
fn a_click_elsewhere_ends_the_filter_being_typed() {
    let mut h = Harness::loaded(120, 40);
    h.key(KeyCode::Tab);
    h.keys("/alpha");
    let area = h.app.areas().servers;
    h.click(area.x + 3, area.y + 1);
    assert_eq!(h.app.focus, Pane::Servers);
    // What follows is read as commands again, and the Servers pane's filter is untouched.
    h.key(KeyCode::Char('s'));
    assert_eq!(h.app.filter(Pane::Servers), "");
    assert_eq!(h.app.filter(Pane::Destinations), "alpha");
    assert!(
        h.tasks().iter().any(|t| matches!(t, Task::Scan { .. })),
        "{:?}",
        h.effects
    );
}

#[test]
fn a_in_destinations_marks_every_shown_one_and_again_clears() {
    let mut h = Harness::loaded(120, 40);
    h.key(KeyCode::Tab);
    h.key(KeyCode::Char('A'));
    assert_eq!(h.app.panes.destinations.marked.len(), 3);
    assert!(
        line_with(&h.screen(), "Destinations").contains("3 marked"),
        "{}",
        h.screen()
    );
    h.key(KeyCode::Char('A'));
    assert!(h.app.panes.destinations.marked.is_empty(), "A again clears");
    // With a filter, A marks only what is shown.
    h.keys("/alpha");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Char('A'));
    let marked = h.marked();
    assert_eq!(marked, ["d-1", "d-2"]);
    h.key(KeyCode::Char('d'));
    assert!(h.screen().contains("Delete 2 destination(s)?"));
    h.key(KeyCode::Char('n'));
}

#[test]
fn marks_a_filter_hides_are_dropped_and_never_deleted_unseen() {
    let mut h = Harness::loaded(120, 40);
    h.key(KeyCode::Tab);
    h.key(KeyCode::Char('A'));
    assert_eq!(h.app.panes.destinations.marked.len(), 3);
    // The filter hides two marked destinations: their marks go.
    h.keys("/stack");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Esc);
    assert_eq!(h.app.panes.destinations.visible.len(), 3, "filter cleared");
    let marked = h.marked();
    assert_eq!(marked, ["d-3"], "only the one that stayed in view");
    h.key(KeyCode::Char('d'));
    assert!(h.screen().contains("Delete 1 destination(s)?"));
    h.answer_reports(&[], &[]);
    h.key(KeyCode::Char('y'));
    let deleted: Vec<&Task> = h.tasks();
    assert_eq!(
        deleted,
        [&Task::DeleteDestination {
            server: "s-beta".into(),
            destination: "d-3".into(),
            force: false,
        }]
    );
    // The scope (v) hides the other server's destinations: their marks go too.
    h.effects.clear();
    h.key(KeyCode::Char('A'));
    h.key(KeyCode::Char('v'));
    assert_eq!(h.app.panes.destinations.marked.len(), 2, "alpha's two only");
}

#[test]
fn task_rows_name_what_they_act_on() {
    let mut h = Harness::loaded(120, 40);
    h.scan_alpha();
    // Import one checked network (by its full ID): the row names the network.
    h.key(KeyCode::Char('j'));
    h.key(KeyCode::Char(' '));
    h.key(KeyCode::Char('i'));
    let import = h.submitted(|t| matches!(t, Task::Import { .. }));
    h.queue(import, 800);
    h.key(KeyCode::BackTab);
    assert_eq!(h.app.focus, Pane::Destinations);
    h.key(KeyCode::Char('c'));
    let checks: Vec<TaskId> = (0..2)
        .map(|_| h.submitted(|t| matches!(t, Task::CheckDestinations { .. })))
        .collect();
    for id in checks {
        h.queue(id, 850);
    }
    h.delete_two();
    assert_eq!(
        h.labels(),
        [
            "check server beta",
            "check server alpha",
            "check server gone",
            "scan alpha",
            "import legacy",
            "check 2 destinations on alpha",
            "check beta-stack",
            "delete alpha-web",
            "delete alpha-db",
        ]
    );
    let screen = h.screen();
    assert!(line_with(&screen, "delete alpha-web").contains("queued"));
}

#[test]
fn the_task_selection_follows_new_tasks_only_from_the_newest() {
    let mut h = Harness::loaded(120, 40);
    let selected = |h: &Harness| h.app.panes.tasks.selected().map(|t| t.label.clone());
    assert_eq!(selected(&h).as_deref(), Some("check server gone"));
    // On the newest: it follows.
    h.scan_alpha();
    assert_eq!(selected(&h).as_deref(), Some("scan alpha"));
    // On an older row: it stays there while new tasks come.
    h.key(KeyCode::Tab);
    h.key(KeyCode::Char('k'));
    assert_eq!(selected(&h).as_deref(), Some("check server gone"));
    h.key(KeyCode::BackTab);
    h.key(KeyCode::Char('s'));
    let scan = h.submitted(|t| matches!(t, Task::Scan { .. }));
    h.queue(scan, 900);
    assert_eq!(selected(&h).as_deref(), Some("check server gone"));
    // Back on the newest, it follows again.
    h.key(KeyCode::Tab);
    h.key(KeyCode::Char('G'));
    h.key(KeyCode::BackTab);
    h.key(KeyCode::Char('s'));
    let again = h.submitted(|t| matches!(t, Task::Scan { .. }));
    h.queue(again, 950);
    assert_eq!(h.app.panes.tasks.selected().map(|t| t.id), Some(again));
}

#[test]
fn the_failed_badge_counts_failures_since_the_tasks_pane_was_last_focused() {
    let mut h = Harness::loaded(120, 40);
    let badge = |h: &Harness| line_with(&h.screen(), "Tasks").to_string();
    assert!(badge(&h).contains("1 failed"), "gone is offline");
    // Looking at the Tasks pane clears it.
    h.key(KeyCode::BackTab);
    assert_eq!(h.app.focus, Pane::Tasks);
    assert!(!badge(&h).contains("failed"), "{}", badge(&h));
    h.key(KeyCode::Tab);
    assert!(!badge(&h).contains("failed"), "{}", badge(&h));
    // A delete fails while another pane has the focus: counted.
    h.key(KeyCode::Tab);
    let ids = h.delete_two();
    h.finish(
        ids[0],
        950,
        Err(Error::ResourcesAttached {
            attached: vec![],
            resources: vec![],
        }),
    );
    assert!(badge(&h).contains("1 failed"), "{}", badge(&h));
    // A form's refusal is shown in the form, and a refusal before submitting never reaches
    // the queue: neither counts.
    h.key(KeyCode::Char('a'));
    let Some(Dialog::Form(form)) = &mut h.app.dialog else {
        panic!("create form expected");
    };
    form.fields[1].input = tui_input::Input::new("bad name!".into());
    h.key(KeyCode::Enter);
    assert!(h.tasks().is_empty(), "refused in the form");
    let Some(Dialog::Form(form)) = &mut h.app.dialog else {
        panic!("form still open");
    };
    form.fields[1].input = tui_input::Input::new("web".into());
    h.key(KeyCode::Enter);
    let create = h.submitted(|t| matches!(t, Task::CreateDestination(_)));
    h.queue(create, 960);
    h.finish(create, 980, Err(Error::NetworkAlreadyAdded));
    assert!(badge(&h).contains("1 failed"), "{}", badge(&h));
    assert_eq!(h.app.panes.tasks.unseen_failed, 1);
}

#[test]
fn quitting_with_changes_queued_or_running_asks_first() {
    let mut h = Harness::loaded(120, 40);
    // Reads do not count: a scan under way does not hold `q`.
    h.key(KeyCode::Char('s'));
    let scan = h.submitted(|t| matches!(t, Task::Scan { .. }));
    h.queue(scan, 800);
    h.key(KeyCode::Tab);
    h.key(KeyCode::Char('q'));
    assert_eq!(h.effects, vec![Effect::Quit]);
    h.effects.clear();

    let mut h = Harness::loaded(120, 40);
    h.key(KeyCode::Tab);
    let ids = h.delete_two();
    h.event(TaskEvent::Started {
        id: ids[0],
        at: at(910),
    });
    h.key(KeyCode::Char('q'));
    assert!(h.effects.is_empty(), "asked, not quit: {:?}", h.effects);
    let screen = h.screen();
    assert!(screen.contains("Quit?"), "{screen}");
    assert!(
        screen.contains("2 change(s) are queued or running; quit anyway?"),
        "{screen}"
    );
    h.key(KeyCode::Char('n'));
    assert!(h.app.dialog.is_none() && h.effects.is_empty());
    h.key(KeyCode::Char('q'));
    h.key(KeyCode::Char('y'));
    assert_eq!(h.effects, vec![Effect::Quit]);
    h.effects.clear();
    h.app.dialog = None;
    // Ctrl-C asks too; a second Ctrl-C answers.
    h.ctrl_c();
    assert!(h.effects.is_empty(), "asked first: {:?}", h.effects);
    h.ctrl_c();
    assert_eq!(h.effects, vec![Effect::Quit]);
    h.effects.clear();
    h.app.dialog = None;
    // Once both are done (one failed), q quits at once.
    for id in ids {
        h.finish(
            id,
            990,
            Err(Error::ResourcesAttached {
                attached: vec![],
                resources: vec![],
            }),
        );
    }
    h.effects.clear();
    h.key(KeyCode::Char('q'));
    assert_eq!(h.effects, vec![Effect::Quit]);
}

// ---------- views follow the truth (DESIGN.md §3 "Daily use", issue 15) ----------

#[test]
fn views_follow_what_tasks_found() {
    let mut h = Harness::loaded(120, 40);
    let alpha = servers()[1].clone();
    assert_eq!(alpha.name, "alpha");

    // A delete on the server the Scan pane shows scans it again: its network is importable.
    h.scan_alpha();
    h.effects.clear();
    let gone = destination("d-1", "alpha-web", "web", &alpha);
    h.finish(
        9_001,
        1_000,
        Ok(TaskResult::Deleted(Outcome {
            value: gone,
            warnings: vec![],
        })),
    );
    assert!(
        h.tasks().contains(&&Task::Scan {
            server: "s-alpha".into()
        }),
        "{:?}",
        h.tasks()
    );

    // A task that finds a server unreachable turns its dot red with the reason; the next one
    // that reaches it turns it green again.
    h.finish(
        9_002,
        1_100,
        Err(Error::Unreachable {
            server: "alpha".into(),
            detail: "ssh to alpha timed out".into(),
        }),
    );
    let offline = h.app.servers.iter().find(|s| s.name == "alpha").unwrap();
    assert!(!offline.online);
    assert!(
        offline
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("timed out")),
        "{offline:?}"
    );
    h.finish(
        9_003,
        1_200,
        Ok(TaskResult::Scanned {
            server: "s-alpha".into(),
            rows: scan_rows(),
        }),
    );
    assert!(h.app.servers.iter().any(|s| s.name == "alpha" && s.online));

    // A deploy takes its destination out of the unused view at once.
    h.key(KeyCode::Tab);
    h.key(KeyCode::Char('u'));
    let check =
        h.submitted(|t| matches!(t, Task::CheckDestinations { server, .. } if server == "s-alpha"));
    let unused = |name: &str, uuid: &str| CheckRow {
        destination: name.into(),
        uuid: uuid.into(),
        status: HealthStatus::Ok,
        detail: None,
        unused: true,
        containers: None,
        nodes: Default::default(),
    };
    h.finish(
        check,
        1_300,
        Ok(TaskResult::Checked(vec![
            unused("alpha-web", "d-1"),
            unused("alpha-db", "d-2"),
        ])),
    );
    assert!(h.screen().contains("alpha-db"), "{}", h.screen());
    h.finish(
        9_004,
        1_400,
        Ok(TaskResult::ResourceDeployed(Outcome {
            value: destui::ops::ResourceView {
                uuid: "r-1".into(),
                name: "shop".into(),
                kind: destui::domain::ResourceKind::Application,
                image: "nginx".into(),
                command: None,
                destination: "alpha-db".into(),
                destination_uuid: "d-2".into(),
                server: "alpha".into(),
                containers: vec!["shop-r-1".into()],
                networks: vec!["db".into()],
                connect_predefined: false,
                status: destui::domain::ResourceStatus::Running,
            },
            warnings: vec![],
        })),
    );
    let screen = h.screen();
    assert!(screen.contains("Unused destinations 1 "), "{screen}");
    assert!(
        !screen
            .lines()
            .any(|l| l.contains("alpha-db") && l.contains("standalone")),
        "{screen}"
    );

    // `r` says `refreshing…` until everything it asked for has answered.
    h.effects.clear();
    h.key(KeyCode::Char('r'));
    assert_eq!(h.app.status.text, "refreshing…");
    let asked: Vec<TaskId> = h
        .effects
        .iter()
        .filter_map(|e| match e {
            Effect::Submit(id, _) => Some(*id),
            _ => None,
        })
        .collect();
    for (i, id) in asked.iter().enumerate() {
        h.queue(*id, 1_500);
        let result = match h.effects.iter().find_map(|e| match e {
            Effect::Submit(i2, t) if i2 == id => Some(t.clone()),
            _ => None,
        }) {
            Some(Task::CheckServer { server }) => {
                let mut s = servers().into_iter().find(|s| s.uuid == server).unwrap();
                s.online = true;
                Ok(TaskResult::ServerChecked {
                    server: s,
                    error: None,
                })
            }
            _ => Ok(TaskResult::Loaded {
                servers: servers(),
                destinations: destinations(&servers()),
                resources: vec![],
            }),
        };
        h.finish(*id, 1_600 + i as u64, result);
    }
    assert_eq!(h.app.status.text, "refreshed");
}

// ---------- dialogs choose (issue 15, DESIGN.md §3 "Daily use") ----------

/// The line of an open dialog (inside its double border) that contains `needle`.
fn dialog_line<'a>(screen: &'a str, needle: &str) -> &'a str {
    screen
        .lines()
        .find(|l| l.contains('║') && l.contains(needle))
        .unwrap_or_else(|| panic!("no dialog line with {needle:?} in\n{screen}"))
}

/// alpha with 37 destinations (`alpha-net-01` … `alpha-net-37`, uuids `d-01` … `d-37`),
/// beta with one, and a resource `shop` on `alpha-net-01`.
fn with_37_destinations(h: &mut Harness) {
    h.key(KeyCode::Char('r'));
    let load = h.submitted(|t| *t == Task::Load);
    h.effects.clear();
    let all = servers();
    let mut dests: Vec<DestinationView> = (1..=37)
        .map(|i| {
            destination(
                &format!("d-{i:02}"),
                &format!("alpha-net-{i:02}"),
                &format!("net-{i:02}"),
                &all[1],
            )
        })
        .collect();
    dests.push(destination("d-b", "beta-stack", "stack", &all[0]));
    h.finish(
        load,
        1000,
        Ok(TaskResult::Loaded {
            destinations: dests,
            servers: all,
            resources: vec![shop_on("d-01")],
        }),
    );
    h.effects.clear();
}

/// The application `shop` (nginx:1) on destination `uuid`.
fn shop_on(uuid: &str) -> destui::domain::Resource {
    destui::domain::Resource {
        uuid: "r-1".into(),
        name: "shop".into(),
        kind: destui::domain::ResourceKind::Application,
        image: "nginx:1".into(),
        command: None,
        destination_uuid: uuid.into(),
        connect_predefined: false,
        original_name: None,
    }
}

/// Ctrl-S: saves a form from any field (DESIGN.md §20).
fn ctrl_s(h: &mut Harness) {
    let key = KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL);
    h.effects.extend(update(&mut h.app, Action::Key(key)));
}

/// The footer of the open form, as its focused field is now, is on one line of the dialog.
fn footer_shown(h: &Harness, screen: &str) -> bool {
    dialog_line(screen, form(h).keys()).contains(form(h).keys())
}

fn form(h: &Harness) -> &destui::tui::dialog::Form {
    match &h.app.dialog {
        Some(Dialog::Form(form)) => form,
        other => panic!("a form expected, not {other:?}"),
    }
}

/// The deploy dialog on alpha (37 destinations), name typed, focus on the destination.
fn deploy_on_alpha(width: u16, height: u16) -> Harness {
    let mut h = Harness::loaded(width, height);
    with_37_destinations(&mut h);
    h.key(KeyCode::Char('n'));
    h.keys("shop2");
    h.key(KeyCode::Tab);
    h.key(KeyCode::Tab);
    h
}

/// The clone dialog from `alpha-net-01` (the 37 others to choose from), focus on the target.
fn clone_from_alpha(width: u16, height: u16) -> Harness {
    let mut h = Harness::loaded(width, height);
    with_37_destinations(&mut h);
    h.key(KeyCode::Tab);
    h.key(KeyCode::Char('g'));
    h.key(KeyCode::Char('C'));
    assert_eq!(form(&h).value(FieldId::Resource), "shop");
    h.key(KeyCode::Tab);
    h
}

#[test]
fn deploy_chooses_the_30th_of_37_destinations_and_a_kind_with_keys() {
    let mut h = Harness::loaded(80, 24);
    with_37_destinations(&mut h);
    h.key(KeyCode::Char('n'));
    h.keys("shop2");
    h.key(KeyCode::Tab);
    // Kind cycles: → twice is service, ← once back to database, space on to service again;
    // letters choose, they are never typed.
    h.key(KeyCode::Right);
    h.key(KeyCode::Right);
    assert_eq!(form(&h).value(FieldId::Kind), "service");
    h.key(KeyCode::Left);
    assert_eq!(form(&h).value(FieldId::Kind), "database");
    h.key(KeyCode::Char(' '));
    assert_eq!(form(&h).value(FieldId::Kind), "service");
    h.key(KeyCode::Char('q'));
    assert_eq!(form(&h).value(FieldId::Kind), "service");
    assert!(!h.effects.contains(&Effect::Quit));
    h.key(KeyCode::Tab);
    // Nothing is chosen for you among 37; ↓ thirty times lands on the 30th.
    assert_eq!(form(&h).chosen(FieldId::Destination), None);
    h.key(KeyCode::Enter);
    for _ in 0..30 {
        h.key(KeyCode::Down);
    }
    assert_eq!(form(&h).value(FieldId::Destination), "alpha-net-30");
    let screen = h.screen();
    assert!(
        dialog_line(&screen, "▸").contains("alpha-net-30"),
        "the choice is highlighted and scrolled into view:\n{screen}"
    );
    assert!(screen.contains("30 of 37"), "{screen}");
    // The predefined toggle: space says yes.
    h.key(KeyCode::Tab);
    h.keys("nginx:1");
    h.key(KeyCode::Tab);
    h.key(KeyCode::Tab);
    h.key(KeyCode::Char(' '));
    assert_eq!(form(&h).value(FieldId::Predefined), "yes");
    ctrl_s(&mut h);
    let Some(Effect::Submit(_, Task::CreateResource(r))) = h.effects.first().cloned() else {
        panic!("{:?}", h.effects);
    };
    assert_eq!(
        (
            r.name.as_str(),
            r.kind,
            r.server.as_str(),
            r.destination.as_deref(),
            r.connect_predefined
        ),
        (
            "shop2",
            Some(destui::domain::ResourceKind::Service),
            "s-alpha",
            Some("d-30"),
            true
        )
    );
}

/// Enter submits nothing; the dialog's line with `error` also says `how`, its keys stay shown.
fn enter_is_refused(h: &mut Harness, error: &str, how: &str) {
    h.key(KeyCode::Enter);
    assert!(h.tasks().is_empty(), "nothing submitted: {:?}", h.tasks());
    let screen = h.screen();
    assert!(dialog_line(&screen, error).contains(how), "{screen}");
    assert!(footer_shown(h, &screen), "{screen}");
}

#[test]
fn a_destination_not_among_the_candidates_is_refused_inside_the_dialog() {
    let mut h = deploy_on_alpha(60, 20);
    // Nothing chosen: refused, saying how to choose.
    h.key(KeyCode::Tab);
    h.keys("nginx:1");
    enter_is_refused(&mut h, "! choose the destination", "Enter opens its list");
    // A name that is not among the candidates: refused with a clear line.
    h.key(KeyCode::BackTab);
    h.keys("nowhere");
    assert_eq!(form(&h).chosen(FieldId::Destination), None);
    enter_is_refused(&mut h, "! no destination matches \"nowhere\"", "Backspace");
    for _ in 0.."nowhere".len() {
        h.key(KeyCode::Backspace);
    }
    // Typing filters and chooses the first match; Enter submits exactly that one.
    h.keys("net-17");
    h.key(KeyCode::Enter);
    ctrl_s(&mut h);
    assert!(
        matches!(&h.tasks()[..], [Task::CreateResource(r)] if r.destination.as_deref() == Some("d-17")),
        "{:?}",
        h.effects
    );
}

#[test]
fn clone_chooses_its_target_by_filter_or_keys() {
    let mut h = clone_from_alpha(80, 24);
    h.keys("BETA");
    assert_eq!(form(&h).value(FieldId::Destination), "beta-stack");
    for _ in 0.."BETA".len() {
        h.key(KeyCode::Backspace);
    }
    // The choice stays while it still matches; ↑ from the end of the list is the 36th.
    h.key(KeyCode::PageDown);
    h.key(KeyCode::PageDown);
    h.key(KeyCode::PageDown);
    h.key(KeyCode::PageDown);
    h.key(KeyCode::Up);
    let chosen = form(&h)
        .chosen(FieldId::Destination)
        .cloned()
        .expect("chosen");
    h.key(KeyCode::Enter);
    ctrl_s(&mut h);
    let server = if chosen.key == "d-b" {
        "s-beta"
    } else {
        "s-alpha"
    };
    assert_eq!(
        h.tasks(),
        vec![&Task::CloneResource {
            server: server.into(),
            resource: "shop".into(),
            destination: chosen.key.as_str().into(),
            name: None
        }]
    );
    assert_ne!(chosen.key, "d-01", "not the destination it is cloned from");
}

#[test]
fn every_dialog_fits_80x24_with_all_its_fields_and_its_footer() {
    let mut h = Harness::loaded(80, 24);
    with_37_destinations(&mut h);
    let mut seen = Vec::new();
    let mut check = |h: &mut Harness, what: &str| {
        let screen = h.screen();
        match &h.app.dialog {
            Some(Dialog::Form(form)) => {
                for f in &form.fields {
                    let row = format!("║  {}", f.label());
                    let focused = format!("║> {}", f.label());
                    assert!(
                        screen.contains(&row) || screen.contains(&focused),
                        "{what}: field {} is on screen\n{screen}",
                        f.label()
                    );
                }
                assert!(footer_shown(h, &screen), "{what}\n{screen}");
            }
            Some(Dialog::Confirm(_)) => {
                // The footer (`y yes · n no`, or `y deletes the other N · n no` where a
                // report refuses some).
                assert!(dialog_line(&screen, " · n no").contains("║y "), "{what}");
            }
            other => panic!("{what}: a dialog expected, not {other:?}"),
        }
        seen.push(what.to_string());
        if matches!(&h.app.dialog, Some(Dialog::Form(f)) if f.list_open()) {
            h.key(KeyCode::Esc);
            assert!(
                matches!(&h.app.dialog, Some(Dialog::Form(f)) if !f.list_open()),
                "{what}: Esc closes the list first"
            );
        }
        h.key(KeyCode::Esc);
        assert!(h.app.dialog.is_none(), "{what} closes");
    };
    h.key(KeyCode::Char('a'));
    check(&mut h, "add server");
    h.key(KeyCode::Char('e'));
    check(&mut h, "edit server");
    h.key(KeyCode::Char('d'));
    check(&mut h, "remove server");
    h.key(KeyCode::Char('n'));
    check(&mut h, "new resource");
    h.key(KeyCode::Char('n'));
    h.keys("\t\t");
    h.key(KeyCode::Enter);
    check(&mut h, "new resource, destination list open");
    h.key(KeyCode::Tab);
    h.key(KeyCode::Char('a'));
    check(&mut h, "create destination");
    h.key(KeyCode::Char('e'));
    check(&mut h, "rename");
    for _ in 0..12 {
        h.key(KeyCode::Char(' '));
        h.key(KeyCode::Char('j'));
    }
    h.key(KeyCode::Char('d'));
    let many: Vec<Dependant> = (0..30)
        .map(|n| env_dependant(&format!("app-{n}"), "DB_HOST", "db-1", "web"))
        .collect();
    h.answer_reports(&many, &["alpha-net-01"]);
    check(&mut h, "delete 12");
    h.key(KeyCode::Char('g'));
    h.key(KeyCode::Char('C'));
    check(&mut h, "clone");
    h.key(KeyCode::Char('C'));
    h.key(KeyCode::Tab);
    h.key(KeyCode::Enter);
    check(&mut h, "clone, destination list open");
    assert_eq!(seen.len(), 10);
}

#[test]
fn a_long_error_shows_inside_the_dialog_with_its_footer_at_60x20() {
    let mut h = deploy_on_alpha(60, 20);
    h.key(KeyCode::Enter);
    h.key(KeyCode::Down);
    h.key(KeyCode::Tab);
    h.keys("nginx:1");
    h.key(KeyCode::Enter);
    let id = h.submitted(|t| matches!(t, Task::CreateResource(_)));
    let long = "x".repeat(150);
    h.finish(id, 900, Err(Error::Invalid(long.clone())));
    let screen = h.screen();
    let inside: String = screen
        .lines()
        .filter(|l| l.contains('║'))
        .map(|l| l.replace(['║', ' ', '"'], ""))
        .collect();
    assert!(inside.contains(&long), "the whole error:\n{screen}");
    assert!(dialog_line(&screen, "Esc cancel").contains("Enter save"));
}

fn dialog_screens(width: u16, height: u16) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    let mut h = deploy_on_alpha(width, height);
    h.key(KeyCode::Enter);
    for _ in 0..30 {
        h.key(KeyCode::Down);
    }
    out.push(("deploy_37_picking", h.screen()));
    h.key(KeyCode::BackTab);
    h.key(KeyCode::Char('s'));
    out.push(("deploy_kind_service", h.screen()));
    let mut h = clone_from_alpha(width, height);
    h.keys("be");
    out.push(("clone_37_filtered", h.screen()));
    let mut h = Harness::loaded(width, height);
    h.key(KeyCode::Tab);
    h.key(KeyCode::Char('a'));
    if let Some(Dialog::Form(form)) = &mut h.app.dialog {
        form.fields[0].input = tui_input::Input::new("alpha-payments".into());
        form.fields[1].input = tui_input::Input::new("payments".into());
    }
    for _ in 0..3 {
        h.key(KeyCode::Tab);
    }
    h.key(KeyCode::Char(' '));
    out.push(("create_internal_yes", h.screen()));
    out
}

#[test]
fn dialog_snapshots_at_60x20_80x24_and_200x50() {
    for (width, height) in [(60, 20), (80, 24), (200, 50)] {
        for (name, screen) in dialog_screens(width, height) {
            insta::assert_snapshot!(format!("{width}x{height}_{name}"), screen);
        }
    }
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
            // (At 60x20 CHECK stays beside them: NAME shows `payments-pa…`.)
            .filter(|l| l.contains("payments-pa"))
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
    h.queue(id, 1200);
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
    let last = "details / close, cancel, clear a filter";
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

/// The Scan pane says what a network is (DESIGN.md §3): the proxy's own network and a service
/// stack's are named as such, never offered.
#[test]
fn scan_rows_name_the_proxy_network_and_service_stacks() {
    let mut h = Harness::loaded(120, 40);
    let mut rows = scan_rows();
    let mut proxy = rows[1].clone();
    proxy.network = "proxynet".into();
    proxy.id = format!("{:p<64}", "proxynet");
    proxy.role = destui::ops::NetworkRole::ProxyNetwork;
    proxy.importable = false;
    proxy.unused = false;
    proxy.reason = Some("cannot be imported: the proxy coolify-proxy was started on it".into());
    let mut stack = proxy.clone();
    stack.network = "destui-r1".into();
    stack.id = format!("{:s<64}", "destui-r1");
    stack.role = destui::ops::NetworkRole::Stack {
        resource: "shop".into(),
    };
    rows.extend([proxy, stack]);
    scan_alpha_with(&mut h, rows);
    let screen = h.screen();
    assert!(
        line_with(&screen, "proxynet").contains("proxy network"),
        "{screen}"
    );
    assert!(
        line_with(&screen, "destui-r1").contains("stack of shop"),
        "{screen}"
    );
    assert!(
        line_with(&screen, "proxynet").contains(" - "),
        "never checkable"
    );
}

#[test]
fn usage_follows_each_answered_check_in_the_background_with_no_row_and_no_noise() {
    let mut h = Harness::loaded(160, 40);
    h.effects.clear();
    let more = update(&mut h.app, Action::CheckAll);
    let id_of = |server: &str| {
        more.iter()
            .find_map(|e| match e {
                Effect::Submit(id, Task::CheckDestinations { server: s, .. }) if s == server => {
                    Some(*id)
                }
                _ => None,
            })
            .expect("a check of the server")
    };
    let (alpha, beta) = (id_of("s-alpha"), id_of("s-beta"));
    let row = |uuid: &str, status| CheckRow {
        destination: uuid.into(),
        uuid: uuid.into(),
        status,
        detail: None,
        unused: false,
        containers: None,
        nodes: Default::default(),
    };
    // beta did not answer: no usage read is spent on it.
    h.finish(
        beta,
        600,
        Ok(TaskResult::Checked(vec![row("d-3", HealthStatus::Unknown)])),
    );
    assert!(h.tasks().is_empty(), "{:?}", h.tasks());
    h.finish(
        alpha,
        700,
        Ok(TaskResult::Checked(vec![
            row("d-1", HealthStatus::Ok),
            row("d-2", HealthStatus::Missing),
        ])),
    );
    assert_eq!(
        h.tasks(),
        vec![&Task::Usage {
            server: "s-alpha".into()
        }],
        "one usage read for the server and round"
    );
    let Effect::Submit(usage, _) = h.effects[0].clone() else {
        unreachable!()
    };
    h.effects.clear();
    // It gets no row, and asking again while it runs joins it without a word.
    let rows = h.app.panes.tasks.rows.len();
    h.queue(usage, 710);
    assert_eq!(
        h.app.panes.tasks.rows.len(),
        rows,
        "no row in the Tasks pane"
    );
    let more = update(&mut h.app, Action::CheckAll);
    let alpha = more
        .iter()
        .find_map(|e| match e {
            Effect::Submit(id, Task::CheckDestinations { server, .. }) if server == "s-alpha" => {
                Some(*id)
            }
            _ => None,
        })
        .expect("alpha checked again");
    h.finish(
        alpha,
        720,
        Ok(TaskResult::Checked(vec![row("d-1", HealthStatus::Ok)])),
    );
    let second = h.submitted(|t| matches!(t, Task::Usage { .. }));
    let status = h.app.status.clone();
    h.event(TaskEvent::Joined {
        id: second,
        into: usage,
    });
    assert_eq!(h.app.status, status, "a joined usage read says nothing");
    h.finish(
        usage,
        900,
        Ok(TaskResult::Usage {
            server: "s-alpha".into(),
            usage: alpha_usage(),
        }),
    );
    let screen = h.screen();
    let web = line_with(&screen, "alpha-web");
    assert!(
        web.contains("99.8%") && web.contains("16.1 MiB"),
        "CPU and memory summed:\n{screen}"
    );
    assert!(line_with(&screen, "alpha-db").contains("0 B"));
    assert!(
        !line_with(&screen, "beta-stack").contains('%'),
        "empty until read"
    );
    // A failed background read is logged, not shown.
    let again = h.app.panes.tasks.rows.len();
    let more = update(&mut h.app, Action::CheckAll);
    let alpha = more
        .iter()
        .find_map(|e| match e {
            Effect::Submit(id, Task::CheckDestinations { server, .. }) if server == "s-alpha" => {
                Some(*id)
            }
            _ => None,
        })
        .expect("alpha checked again");
    h.finish(
        alpha,
        1000,
        Ok(TaskResult::Checked(vec![row("d-1", HealthStatus::Ok)])),
    );
    let usage = h.submitted(|t| matches!(t, Task::Usage { .. }));
    let status_after_check = h.app.status.clone();
    h.finish(usage, 1100, Err(Error::Io("stats went away".into())));
    assert_eq!(h.app.status, status_after_check, "no complaint");
    assert_eq!(h.app.panes.tasks.rows.len(), again, "still no row");
    assert!(
        line_with(&h.screen(), "alpha-web").contains("99.8%"),
        "the last reading stays"
    );
}

#[test]
fn usage_columns_give_way_before_name_network_and_check() {
    for (width, height) in [(60, 20), (80, 24), (100, 30), (120, 40), (200, 50)] {
        let mut h = loaded_with(width, height, servers());
        let id = h.app.panes.tasks.rows.len() as u64 + 1000;
        h.finish(
            id,
            900,
            Ok(TaskResult::Usage {
                server: "s-alpha".into(),
                usage: alpha_usage(),
            }),
        );
        let screen = h.screen();
        let header = header_below(&screen, "Destinations");
        let right = &header[header.find("NAME").expect("NAME") + 4..];
        let has = |title: &str| right.contains(title);
        assert!(has("NAME") && has("NETWORK"), "{width}x{height}:\n{screen}");
        if has("CONT") || has("CPU") || has("MEM") {
            assert!(has("CHECK"), "usage goes before CHECK:\n{screen}");
        }
        if width >= 80 {
            assert!(has("CHECK"), "CHECK stays from 80 columns up:\n{screen}");
        }
        if width < 150 {
            assert!(
                !has("CONT") && !has("CPU") && !has("MEM"),
                "usage never takes room from the names: {width}x{height}:\n{screen}"
            );
        }
        if width >= 200 {
            assert!(
                has("CONT") && has("CPU") && has("MEM"),
                "room for all:\n{screen}"
            );
        }
    }
}

// ---------- live state (DESIGN.md §11) ----------

#[test]
fn live_changes_fill_the_panes_and_ask_only_for_quiet_reads() {
    use destui::ops::StreamState;
    let mut h = Harness::loaded(160, 40);
    let all = servers();
    let (beta, alpha) = (&all[0], &all[1]);

    // A stream starts: its first check fills CHECK and CONT, and the usage is read.
    let mut watching = change(alpha, "watching");
    watching.stream = Some(StreamState::Watching);
    let mut first = vec![watching];
    for (uuid, name, status, n) in [
        ("d-1", "alpha-web", HealthStatus::Ok, 2),
        ("d-2", "alpha-db", HealthStatus::ProxyDetached, 0),
    ] {
        let mut quiet = change(alpha, "check");
        quiet.check = Some(check_row(uuid, name, status, n));
        quiet.silent = true;
        first.push(quiet);
    }
    let effects = update(&mut h.app, Action::Live(first, at(500)));
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::Submit(_, Task::Usage { server }) if server == "s-alpha")),
        "{effects:?}"
    );
    let screen = h.screen();
    let web = line_with(&screen, "alpha-web");
    assert!(web.contains(" ok ") && web.contains(" 2 "), "{web}");
    assert!(line_with(&screen, "alpha-db").contains("proxy-detached"));
    assert!(screen.contains("events: live"), "{screen}");

    // A change seen on a destination: its row and the status line follow.
    let mut left = change(alpha, "disconnect");
    left.destination = Some("alpha-web".into());
    left.status = Some("proxy-detached".into());
    left.detail = Some("container coolify-proxy left".into());
    left.check = Some(check_row(
        "d-1",
        "alpha-web",
        HealthStatus::ProxyDetached,
        2,
    ));
    left.containers_changed = true;
    update(&mut h.app, Action::Live(vec![left], at(600)));
    assert!(line_with(&h.screen(), "alpha-web").contains("proxy-detached"));
    assert!(h.app.status.error);
    assert!(
        h.app
            .status
            .text
            .contains("alpha-web disconnect → proxy-detached")
    );

    // A stream lost: the server shows it, in its row and its details.
    let mut lost = change(beta, "reconnecting");
    lost.stream = Some(StreamState::Reconnecting);
    lost.detail = Some("the event stream ended; trying again in 1 s".into());
    update(&mut h.app, Action::Live(vec![lost], at(700)));
    assert_eq!(h.app.live_state("s-beta"), Some(StreamState::Reconnecting));
    assert!(line_with(&h.screen(), "beta").contains('↻'));
    h.key(KeyCode::Char('j'));
    assert!(
        h.screen().contains("events: reconnecting"),
        "{}",
        h.screen()
    );
    h.key(KeyCode::Char('k'));

    // Networks changed on the scanned server: the scan is read again, with no task row.
    h.scan_alpha();
    let rows_before = h.app.panes.tasks.rows.len();
    let mut made = change(alpha, "create");
    made.network = Some("by-hand".into());
    made.networks_changed = true;
    let effects = update(&mut h.app, Action::Live(vec![made], at(800)));
    let rescan = effects
        .iter()
        .find_map(|e| match e {
            Effect::Submit(id, Task::Scan { server }) if server == "s-alpha" => Some(*id),
            _ => None,
        })
        .expect("a rescan");
    h.queue(rescan, 810);
    assert_eq!(
        h.app.panes.tasks.rows.len(),
        rows_before,
        "no row for a quiet read"
    );

    // A proxy put back by the watch: a finished row says so.
    let mut back = change(alpha, "reattach");
    back.destination = Some("alpha-web".into());
    back.status = Some("ok".into());
    back.detail = Some(
        "proxy coolify-proxy was disconnected from alpha-web by something else: attached again"
            .into(),
    );
    back.check = Some(check_row("d-1", "alpha-web", HealthStatus::Ok, 2));
    update(&mut h.app, Action::Live(vec![back], at(900)));
    let row = h.app.panes.tasks.rows.last().expect("a row");
    assert_eq!(row.label, "reattach proxy to alpha-web");
    assert_eq!(row.state, TaskState::Done);
    assert!(row.note.contains("attached again"));

    // The watches follow the records: a server removed is no longer watched.
    let load = {
        h.key(KeyCode::Char('r'));
        h.submitted(|t| *t == Task::Load)
    };
    let mut kept: Vec<Server> = servers().into_iter().filter(|s| s.name != "beta").collect();
    for s in &mut kept {
        s.online = s.name == "alpha";
        s.checked_at = Some(CHECKED);
    }
    h.finish(
        load,
        1000,
        Ok(TaskResult::Loaded {
            servers: kept,
            destinations: destinations(&servers()),
            resources: vec![],
        }),
    );
    let watched = h
        .effects
        .iter()
        .find_map(|e| match e {
            Effect::Watch(servers) => {
                Some(servers.iter().map(|s| s.name.clone()).collect::<Vec<_>>())
            }
            _ => None,
        })
        .expect("the watch set told again");
    assert_eq!(watched, ["alpha"]);
}

// ---------- issue 18: a destination's description, and the server's address ----------

/// The fixture reloaded with alpha's address known and a description on alpha-web, focus on
/// the Destinations pane with alpha-web selected.
fn described(width: u16, height: u16) -> Harness {
    let mut h = Harness::loaded(width, height);
    let mut all: Vec<Server> = servers()
        .into_iter()
        .map(|mut s| {
            s.checked_at = Some(CHECKED);
            s.online = s.name != "gone";
            s
        })
        .collect();
    all[1].address = Some("203.0.113.7".into());
    let mut dests = destinations(&all);
    let mut web = Destination {
        uuid: "d-1".into(),
        name: "alpha-web".into(),
        network: "web".into(),
        network_id: format!("{:0<64}", "d1"),
        server_uuid: all[1].uuid.clone(),
        kind: DestinationType::Standalone,
        created_at: CHECKED,
        description: None,
        original_name: None,
        options: Default::default(),
    };
    web.description = Some("storefront for the EU shop, behind the CDN since March".into());
    dests[0] = DestinationView::new(&web, Some(&all[1]));
    h.finish(
        9200,
        900,
        Ok(TaskResult::Loaded {
            servers: all,
            destinations: dests,
            resources: vec![],
        }),
    );
    h.effects.clear();
    h.key(KeyCode::Tab);
    h.key(KeyCode::Char('g'));
    for _ in 0..5 {
        if h.app.selected_destination().map(|d| d.name.as_str()) == Some("alpha-web") {
            break;
        }
        h.key(KeyCode::Char('j'));
    }
    assert_eq!(
        h.app.selected_destination().map(|d| d.name.as_str()),
        Some("alpha-web")
    );
    h
}

/// Sets the text of field `id` of the open form.
fn set_field(h: &mut Harness, id: FieldId, text: &str) {
    let Some(Dialog::Form(form)) = &mut h.app.dialog else {
        panic!("a form expected");
    };
    let field = form
        .fields
        .iter_mut()
        .find(|f| f.id == id)
        .expect("the field");
    field.input = tui_input::Input::new(text.into());
}

/// Every field and the footer of the open form are on screen.
fn form_fits(h: &Harness, what: &str) {
    let screen = h.screen();
    for f in &form(h).fields {
        assert!(
            screen.contains(&format!("║  {}", f.label()))
                || screen.contains(&format!("║> {}", f.label())),
            "{what}: field {} on screen\n{screen}",
            f.label()
        );
    }
    assert!(footer_shown(h, &screen), "{what}: footer\n{screen}");
}

#[test]
fn e_on_a_destination_edits_its_name_and_description_in_one_task() {
    let mut h = described(80, 24);
    h.key(KeyCode::Char('e'));
    let f = form(&h);
    assert_eq!(f.title, "Edit alpha-web");
    assert_eq!(f.value(FieldId::Name), "alpha-web");
    assert_eq!(
        f.value(FieldId::Description),
        "storefront for the EU shop, behind the CDN since March"
    );
    assert!(
        f.info
            .iter()
            .any(|i| i == "server alpha (alpha.example.net → 203.0.113.7)"),
        "{:?}",
        f.info
    );
    form_fits(&h, "edit");
    insta::assert_snapshot!("80x24_edit_destination", h.screen());

    // Refused inline, before anything is submitted; what was typed stays.
    set_field(&mut h, FieldId::Description, "line one\u{7}bell");
    h.key(KeyCode::Enter);
    assert!(h.tasks().is_empty(), "nothing submitted");
    assert_eq!(
        form(&h).error.as_deref(),
        Some(Error::DescriptionUnsafe.to_string().as_str())
    );
    set_field(&mut h, FieldId::Description, &"x".repeat(501));
    h.key(KeyCode::Enter);
    assert!(h.tasks().is_empty(), "nothing submitted");
    assert_eq!(
        form(&h).error.as_deref(),
        Some(Error::DescriptionTooLong(501).to_string().as_str())
    );
    form_fits(&h, "edit, error on a 501-character description");
    insta::assert_snapshot!("80x24_edit_destination_too_long", h.screen());

    // Name and description go in one task; its row names the destination.
    set_field(&mut h, FieldId::Name, "alpha-shop");
    set_field(&mut h, FieldId::Description, "");
    h.key(KeyCode::Enter);
    let edit = h.submitted(|t| {
        matches!(t, Task::EditDestination { server, destination, edit }
            if server == "s-alpha" && destination == "d-1"
                && edit.name.as_deref() == Some("alpha-shop")
                && edit.description.as_deref() == Some(""))
    });
    h.queue(edit, 1000);
    assert_eq!(
        h.task_row(edit).map(|t| t.label.as_str()),
        Some("rename alpha-web to alpha-shop")
    );
    let mut saved = h.app.selected_destination().cloned().expect("selected");
    saved.name = "alpha-shop".into();
    saved.description = None;
    h.finish(edit, 1100, Ok(TaskResult::Edited(saved)));
    assert!(h.app.dialog.is_none(), "the dialog closes once saved");
    assert!(h.screen().contains("saved alpha-shop"), "{}", h.screen());
    h.submitted(|t| *t == Task::Load);

    // A description alone: the row says edit.
    h.key(KeyCode::Char('e'));
    set_field(&mut h, FieldId::Description, "checkout");
    h.key(KeyCode::Enter);
    let edit = h.submitted(|t| {
        matches!(t, Task::EditDestination { edit, .. }
            if edit.name.as_deref() == Some("alpha-web")
                && edit.description.as_deref() == Some("checkout"))
    });
    h.queue(edit, 1200);
    assert_eq!(
        h.task_row(edit).map(|t| t.label.as_str()),
        Some("edit alpha-web")
    );
}

#[test]
fn the_create_dialog_takes_a_description_and_fits_80x24() {
    let mut h = described(80, 24);
    h.key(KeyCode::Char('a'));
    assert!(
        form(&h).fields.iter().any(|f| f.id == FieldId::Description),
        "a Description field"
    );
    set_field(&mut h, FieldId::Network, "payments");
    set_field(&mut h, FieldId::Name, "alpha-payments");
    set_field(&mut h, FieldId::Description, "card payments (PCI scope)");
    for _ in 0..4 {
        h.key(KeyCode::Tab);
    }
    form_fits(&h, "create");
    insta::assert_snapshot!("80x24_create_destination_described", h.screen());

    // A line break is refused inline; blank means none.
    set_field(&mut h, FieldId::Description, "two\nlines");
    ctrl_s(&mut h);
    assert!(h.tasks().is_empty(), "nothing submitted");
    assert_eq!(
        form(&h).error.as_deref(),
        Some(Error::DescriptionUnsafe.to_string().as_str())
    );
    set_field(&mut h, FieldId::Description, "  ");
    ctrl_s(&mut h);
    h.submitted(|t| matches!(t, Task::CreateDestination(d) if d.description.is_none()));
    h.key(KeyCode::Esc);

    h.key(KeyCode::Char('a'));
    set_field(&mut h, FieldId::Network, "payments");
    set_field(&mut h, FieldId::Description, "card payments (PCI scope)");
    h.key(KeyCode::Enter);
    h.submitted(|t| {
        matches!(t, Task::CreateDestination(d)
            if d.network.as_deref() == Some("payments")
                && d.description.as_deref() == Some("card payments (PCI scope)"))
    });
}

/// DESIGN.md §15: the list shows the description (cut), where the pane is wide enough to
/// keep NAME, NETWORK and the usage columns whole beside it; details always have it whole.
#[test]
fn the_list_shows_the_description_cut_only_where_it_is_wide() {
    for (width, height) in [(80, 24), (120, 40), (200, 50), (240, 50), (320, 60)] {
        let h = described(width, height);
        let screen = h.screen();
        let header = header_below(&screen, "Destinations");
        let row = line_with(&screen, "alpha-web");
        if width < 240 {
            assert!(
                !header.contains("DESCRIPTION"),
                "{width}x{height}:\n{screen}"
            );
            assert!(!row.contains("storefront"), "{width}x{height}:\n{screen}");
            continue;
        }
        assert!(
            header.contains("DESCRIPTION") && header.contains("MEM"),
            "{width}x{height}:\n{screen}"
        );
        assert!(
            row.contains("storefront for the EU"),
            "{width}x{height}:\n{screen}"
        );
        // Issue 28 item 9: no cell is cut while the pane has room to spare; the whole
        // description fits here, so it shows whole.
        assert!(
            row.contains("storefront for the EU shop, behind the CDN since March"),
            "whole where it fits:\n{screen}"
        );
        // Names keep their room: the longest name of the fixture is whole.
        assert!(line_with(&screen, "beta-stack").contains("beta-stack"));
    }
}

#[test]
fn details_show_the_description_whole_and_the_address_beside_the_alias() {
    for (width, height) in [(80, 24), (120, 40)] {
        let mut h = described(width, height);
        h.key(KeyCode::Enter);
        let show = h.submitted(|t| matches!(t, Task::ShowDestination { .. }));
        let view = h.app.selected_destination().cloned().expect("selected");
        h.finish(show, 950, Ok(TaskResult::Details(Box::new(details(view)))));
        let screen = h.screen();
        insta::assert_snapshot!(format!("{width}x{height}_described_details"), screen);
        let body = overlay_text(&screen);
        assert!(
            body.contains("server:alpha(alpha.example.net→203.0.113.7)"),
            "{screen}"
        );
        assert!(
            body.contains("description:storefrontfortheEUshop,behindtheCDNsinceMarch"),
            "{screen}"
        );
    }
}

#[test]
fn sync_from_the_servers_pane_adopts_then_reloads_and_scan_tells_what_was_made_elsewhere() {
    use destui::ops::{Adopted, MissingRecord, NetworkRole, SyncReport};
    let mut h = Harness::loaded(120, 40);
    assert_eq!(h.app.focus, Pane::Servers);
    h.key(KeyCode::Char('S'));
    // What it would adopt first, asked once (tui_sync has the details).
    let preview = h.submitted(|t| {
        *t == Task::SyncPreview {
            server: "s-alpha".into(),
        }
    });
    h.finish(
        preview,
        300,
        Ok(TaskResult::SyncPreviewed {
            server: "s-alpha".into(),
            preview: destui::ops::SyncPreview {
                adopt: vec!["adopt destination shop-eu: network shop on alpha (standalone)".into()],
                missing: vec![],
            },
        }),
    );
    h.key(KeyCode::Char('y'));
    let sync = h.submitted(|t| {
        *t == Task::Sync {
            server: "s-alpha".into(),
        }
    });
    h.queue(sync, 400);
    assert!(h.labels().contains(&"sync alpha"), "{:?}", h.labels());
    let adopted = Adopted {
        what: "destination",
        uuid: "d-77".into(),
        name: "shop-eu".into(),
        original_name: "shop-eu".into(),
        server: "alpha".into(),
        on: "shop".into(),
        kind: "standalone".into(),
    };
    h.finish(
        sync,
        500,
        Ok(TaskResult::Synced {
            server: "s-alpha".into(),
            outcome: Outcome {
                value: SyncReport {
                    adopted: vec![adopted],
                    missing: vec![MissingRecord {
                        destination: "alpha-web".into(),
                        uuid: "d-2".into(),
                        server: "alpha".into(),
                        network: "web".into(),
                    }],
                    unreachable: vec![],
                },
                warnings: vec![],
            },
        }),
    );
    assert!(h.tasks().contains(&&Task::Load), "{:?}", h.tasks());
    let status = &h.app.status.text;
    assert!(
        status.contains("adopted destination shop-eu (network shop)")
            && status.contains("network gone: alpha-web"),
        "{status}"
    );

    // A network made by another admin's destui: its role, and still importable.
    let mut rows = scan_rows();
    rows[2].role = NetworkRole::MadeElsewhere {
        name: "shop-eu".into(),
    };
    h.effects.clear();
    scan_alpha_with(&mut h, rows);
    let screen = h.screen();
    assert!(
        line_with(&screen, "shop").contains("made elsewhere: shop-eu"),
        "{screen}"
    );
    assert!(line_with(&screen, "shop").contains("[ ]"), "{screen}");
}

#[test]
fn the_create_dialog_takes_ipv6_and_an_mtu_and_refuses_a_bad_one_inline() {
    let mut h = described(80, 24);
    h.key(KeyCode::Char('a'));
    set_field(&mut h, FieldId::Network, "payments");
    set_field(&mut h, FieldId::Mtu, "20");
    // Name, Network, Subnet, Internal, then IPv6: space turns it on.
    for _ in 0..4 {
        h.key(KeyCode::Tab);
    }
    h.key(KeyCode::Char(' '));
    ctrl_s(&mut h);
    assert!(h.tasks().is_empty(), "nothing submitted");
    let error = form(&h).error.clone().unwrap_or_default();
    assert!(
        error.contains("out of range") && error.contains("1280"),
        "{error}"
    );
    set_field(&mut h, FieldId::Mtu, "1450");
    set_field(&mut h, FieldId::Subnet, "auto:10.201.0.0/16");
    ctrl_s(&mut h);
    h.submitted(|t| {
        matches!(t, Task::CreateDestination(d)
            if d.ipv6 && d.mtu == Some(1450) && d.subnet.as_deref() == Some("auto:10.201.0.0/16"))
    });
}

#[test]
fn server_details_list_the_subnets_in_use_and_mark_overlaps() {
    use destui::ops::AddressRow;
    let mut h = Harness::loaded(120, 40);
    assert_eq!(h.app.focus, Pane::Servers);
    h.key(KeyCode::Enter);
    let read = h.submitted(|t| {
        *t == Task::Addresses {
            server: "s-alpha".into(),
        }
    });
    assert!(h.screen().contains("reading…"), "{}", h.screen());
    let row =
        |subnet: &str, network: &str, destination: Option<&str>, overlaps: &[&str]| AddressRow {
            subnet: subnet.into(),
            network: network.into(),
            gateway: Some("10.201.0.1".into()),
            driver: "bridge".into(),
            scope: "local".into(),
            destination: destination.map(str::to_string),
            overlaps: overlaps.iter().map(|o| o.to_string()).collect(),
        };
    h.finish(
        read,
        300,
        Ok(TaskResult::Addresses {
            server: "s-alpha".into(),
            outcome: Outcome {
                value: vec![
                    row(
                        "10.201.0.0/24",
                        "web",
                        Some("alpha-web"),
                        &["beta-stack on beta (10.201.0.0/16)"],
                    ),
                    row("172.17.0.0/16", "bridge", None, &[]),
                ],
                warnings: vec![],
            },
        }),
    );
    let screen = h.screen();
    assert!(
        line_with(&screen, "10.201.0.0/24").contains("destination alpha-web")
            && line_with(&screen, "10.201.0.0/24").contains("overlaps beta-stack on"),
        "{screen}"
    );
    assert!(
        line_with(&screen, "172.17.0.0/16").contains("bridge local"),
        "{screen}"
    );
    assert!(
        !line_with(&screen, "172.17.0.0/16").contains("overlaps"),
        "{screen}"
    );
}

/// Issue 28 item 8: a command forwarded to the TUI shows the server(s) it names and what it
/// printed (its error line on a failure), not `exit 1` with server `-`.
#[test]
fn a_forwarded_commands_row_shows_its_server_and_its_output() {
    use destui::owner::{FORWARDED_IDS, Served};
    let mut h = Harness::new(120, 40);
    let id = FORWARDED_IDS + 7;
    update(
        &mut h.app,
        Action::Served(Served::Started {
            id,
            command: "destination create --server alpha --network web".into(),
            servers: "alpha".into(),
            at: at(10),
        }),
    );
    update(
        &mut h.app,
        Action::Served(Served::Finished {
            id,
            code: 1,
            output: "destui: A network named web already exists on alpha but is not a destination\u{1b}[31m\n".into(),
            at: at(20),
        }),
    );
    let row = h
        .app
        .panes
        .tasks
        .rows
        .iter()
        .find(|r| r.id == id)
        .expect("the row");
    assert_eq!(row.server, "alpha");
    assert_eq!(row.state, TaskState::Failed);
    assert!(row.note.contains("already exists on alpha"), "{}", row.note);
    assert!(!row.note.contains('\u{1b}'), "{}", row.note);
}

/// Issue 27 item 2 in the TUI: a change that lost its connection leaves its intent to the
/// next contact with that server — when its event stream is watching again, the TUI settles
/// it (a `Settle` task), once.
#[test]
fn a_change_that_lost_its_connection_is_settled_at_the_next_contact() {
    let mut h = Harness::loaded(120, 40);
    h.app.focus = Pane::Destinations;
    h.effects.clear();
    h.key(KeyCode::Char('c'));
    let id = h.submitted(|t| matches!(t, Task::CheckDestinations { .. }));
    h.finish(
        id,
        50,
        Err(Error::ConnectionLost {
            server: "alpha".into(),
            action: "the create of web".into(),
        }),
    );
    let alpha = servers().into_iter().find(|s| s.name == "alpha").unwrap();
    let mut back = change(&alpha, "watching");
    back.stream = Some(destui::ops::StreamState::Watching);
    let effects = update(&mut h.app, Action::Live(vec![back.clone()], at(60)));
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::Submit(_, Task::Settle))),
        "{effects:?}"
    );
    // Once: the next time it is watching again there is nothing left to settle here.
    let effects = update(&mut h.app, Action::Live(vec![back], at(70)));
    assert!(
        !effects
            .iter()
            .any(|e| matches!(e, Effect::Submit(_, Task::Settle))),
        "{effects:?}"
    );
}
