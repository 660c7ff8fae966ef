//! The TUI in daily use, issue 28 (DESIGN.md §3, §20): rows, marks, filters and messages,
//! driven through the pure `update` without a terminal (the harness of `tui_fixture`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::too_many_lines
)]

mod tui_fixture;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseEvent, MouseEventKind};
use destui::domain::Error;
use destui::ops::{ContainerUsage, DestinationUsage, HealthStatus};
use destui::tasks::{Task, TaskResult};
use destui::tui::app::{Action, Details, Pane, update};
use destui::tui::dialog::{ConfirmKind, Dialog, FieldId, Form, FormKind};
use tui_fixture::{Harness, check_row, destination, line_with, servers};

/// Types `/text` Enter in the focused pane.
fn filter(h: &mut Harness, text: &str) {
    h.key(KeyCode::Char('/'));
    h.keys(text);
    h.key(KeyCode::Enter);
}

/// The one task submitted since the last call (cleared), for a key pressed on a row.
fn only_task(h: &mut Harness) -> Task {
    let tasks: Vec<Task> = h.tasks().into_iter().cloned().collect();
    h.effects.clear();
    match tasks.as_slice() {
        [one] => one.clone(),
        other => panic!("expected one task, got {other:?}"),
    }
}

fn form_kind(h: &Harness) -> FormKind {
    match &h.app.dialog {
        Some(Dialog::Form(form)) => form.kind.clone(),
        other => panic!("no form open: {other:?}"),
    }
}

fn confirm_kind(h: &Harness) -> ConfirmKind {
    match &h.app.dialog {
        Some(Dialog::Confirm(confirm)) => confirm.kind.clone(),
        other => panic!("no confirmation open: {other:?}"),
    }
}

// ---------- item 2: the row under the cursor ----------

/// Issue 28 item 2: `/ scan Enter` on the only task shown opened another task's result (the
/// filtered index was used on the unfiltered list).
#[test]
fn enter_in_a_filtered_tasks_pane_opens_the_task_shown() {
    let mut h = Harness::loaded(120, 40);
    let scan = h.scan_alpha();
    h.key(KeyCode::Tab);
    assert_eq!(h.app.focus, Pane::Tasks);
    filter(&mut h, "scan");
    assert_eq!(h.app.panes.tasks.visible.len(), 1);
    h.key(KeyCode::Enter);
    assert_eq!(h.app.details, Some(Details::Task(scan)));
    let screen = h.screen();
    assert!(screen.contains("scan alpha"), "{screen}");
}

#[test]
fn every_action_of_a_filtered_servers_pane_acts_on_the_server_shown() {
    let mut h = Harness::loaded(120, 40);
    // alpha, beta, gone by name: the filter leaves gone, the last, under the cursor.
    filter(&mut h, "gone");
    h.key(KeyCode::Enter);
    assert_eq!(
        only_task(&mut h),
        Task::Addresses {
            server: "s-gone".into()
        }
    );
    assert!(matches!(&h.app.details, Some(Details::Server(s, _)) if s.name == "gone"));
    h.key(KeyCode::Esc);
    h.key(KeyCode::Char('e'));
    assert_eq!(
        form_kind(&h),
        FormKind::EditServer {
            server: "s-gone".into()
        }
    );
    h.key(KeyCode::Esc);
    h.key(KeyCode::Char('d'));
    assert!(
        matches!(confirm_kind(&h), ConfirmKind::RemoveServer { server, .. } if server == "s-gone")
    );
    h.key(KeyCode::Esc);
    h.key(KeyCode::Char('c'));
    assert_eq!(
        only_task(&mut h),
        Task::CheckServer {
            server: "s-gone".into()
        }
    );
    h.key(KeyCode::Esc);
    h.key(KeyCode::Char('S'));
    assert_eq!(
        only_task(&mut h),
        Task::SyncPreview {
            server: "s-gone".into()
        }
    );
    h.key(KeyCode::Char('s'));
    assert_eq!(
        only_task(&mut h),
        Task::Scan {
            server: "s-gone".into()
        }
    );
}

#[test]
fn every_action_of_a_filtered_destinations_pane_acts_on_the_destination_shown() {
    let mut h = Harness::loaded(120, 40);
    h.key(KeyCode::Tab);
    // alpha-web, alpha-db, beta-stack: the filter leaves alpha-db, the second.
    filter(&mut h, "db");
    h.key(KeyCode::Enter);
    let tasks: Vec<Task> = h.tasks().into_iter().cloned().collect();
    h.effects.clear();
    assert!(
        tasks.contains(&Task::ShowDestination {
            server: "s-alpha".into(),
            destination: "d-2".into()
        }),
        "{tasks:?}"
    );
    h.key(KeyCode::Esc);
    h.key(KeyCode::Char('e'));
    assert_eq!(
        form_kind(&h),
        FormKind::EditDestination {
            server: "s-alpha".into(),
            destination: "d-2".into()
        }
    );
    h.key(KeyCode::Esc);
    h.key(KeyCode::Char('d'));
    assert_eq!(
        confirm_kind(&h),
        ConfirmKind::DeleteDestinations(vec![("s-alpha".into(), "d-2".into())])
    );
    h.key(KeyCode::Esc);
    h.effects.clear();
    h.key(KeyCode::Char('R'));
    assert_eq!(
        only_task(&mut h),
        Task::RepairDestination {
            server: "s-alpha".into(),
            destination: "d-2".into()
        }
    );
    h.key(KeyCode::Char('c'));
    assert_eq!(
        only_task(&mut h),
        Task::CheckDestinations {
            server: "s-alpha".into(),
            destinations: vec!["d-2".into()]
        }
    );
    h.key(KeyCode::Char(' '));
    assert_eq!(h.marked(), ["d-2"]);
}

/// Scan: Enter, space and `i` take the row shown; a check the filter hides is dropped, never
/// imported unseen.
#[test]
fn every_action_of_a_filtered_scan_pane_acts_on_the_network_shown() {
    let mut h = Harness::loaded(120, 40);
    h.scan_alpha();
    h.effects.clear();
    // db, legacy, shop, web: check legacy, then filter to shop.
    h.key(KeyCode::Char('j'));
    h.key(KeyCode::Char(' '));
    assert_eq!(h.app.panes.scan.checked_references(), ["legacy"]);
    filter(&mut h, "shop");
    assert!(
        h.app.panes.scan.checked_references().is_empty(),
        "the hidden check is dropped"
    );
    h.key(KeyCode::Enter);
    assert!(matches!(&h.app.details, Some(Details::Network(r)) if r.network == "shop"));
    h.key(KeyCode::Esc);
    h.key(KeyCode::Char('i'));
    assert_eq!(
        only_task(&mut h),
        Task::Import {
            server: "s-alpha".into(),
            networks: vec!["shop".into()]
        }
    );
    h.key(KeyCode::Char(' '));
    assert_eq!(h.app.panes.scan.checked_references(), ["shop"]);
    // A click on the one row shown selects it (the visible index, not the list's).
    let area = h.app.areas().scan;
    h.key(KeyCode::Char('k'));
    h.click(area.x + 5, area.y + 2);
    assert_eq!(
        h.app.selected_scan_row().map(|r| r.network.as_str()),
        Some("shop")
    );
}

// ---------- item 15: one filter rule ----------

/// The names each pane lists, as shown.
fn listed(h: &Harness, pane: Pane) -> Vec<String> {
    let app = &h.app;
    match pane {
        Pane::Servers => (app.panes.servers.visible.iter())
            .map(|&i| app.servers[i].name.clone())
            .collect(),
        Pane::Destinations => (app.panes.destinations.visible.iter())
            .map(|&i| app.destinations[i].name.clone())
            .collect(),
        Pane::Scan => {
            let rows = h.app.panes.scan.view.as_ref().map(|v| &v.rows);
            (app.panes.scan.visible.iter())
                .filter_map(|&i| rows.and_then(|r| r.get(i)))
                .map(|r| r.network.clone())
                .collect()
        }
        Pane::Tasks => (app.panes.tasks.visible.iter())
            .map(|&i| app.panes.tasks.rows[i].label.clone())
            .collect(),
    }
}

/// Issue 28 item 15: Destinations' `/` matched only the name, network and server; every pane
/// now matches any column it shows, and a destination's description.
#[test]
fn every_pane_filters_on_any_column_it_shows_and_the_description() {
    let mut h = Harness::loaded(120, 40);
    h.app.destinations[1].description = Some("Shop orders, EU".into());
    // The CHECK state of alpha-db, and alpha-web ok (beta-stack not checked yet).
    for row in [
        check_row("d-1", "alpha-web", HealthStatus::Ok, 1),
        check_row("d-2", "alpha-db", HealthStatus::ProxyDetached, 0),
    ] {
        h.app.health.insert(row.uuid.clone(), row);
    }
    h.key(KeyCode::Tab);
    for (text, names) in [
        ("proxy-detached", vec!["alpha-db"]),
        ("orders", vec!["alpha-db"]),
        ("swarm", vec!["beta-stack"]),
        ("ok", vec!["alpha-web"]),
    ] {
        filter(&mut h, text);
        assert_eq!(listed(&h, Pane::Destinations), names, "/{text}");
        h.key(KeyCode::Esc);
    }
    // Servers: the mode (and the host) as shown.
    h.key(KeyCode::BackTab);
    filter(&mut h, "swarm-mgr");
    assert_eq!(listed(&h, Pane::Servers), ["beta"]);
    h.key(KeyCode::Esc);
    // Scan: what a network is (IMPORT) and its scope.
    h.scan_alpha();
    filter(&mut h, "already added");
    assert_eq!(listed(&h, Pane::Scan), ["db", "web"]);
    h.key(KeyCode::Esc);
    filter(&mut h, "unused");
    assert_eq!(listed(&h, Pane::Scan), ["legacy"]);
}

// ---------- item 11: marks for repair and check ----------

/// Issue 28 item 11: with rows marked, `R` and `c` acted on the selected row (and `c` on all);
/// they act on the marked ones, as `d` does.
#[test]
fn repair_and_check_act_on_the_marked_destinations() {
    let mut h = Harness::loaded(120, 40);
    h.key(KeyCode::Tab);
    // Mark alpha-web and beta-stack; the cursor ends on alpha-db, unmarked.
    h.key(KeyCode::Char(' '));
    h.key(KeyCode::Char('j'));
    h.key(KeyCode::Char(' '));
    h.key(KeyCode::Char('k'));
    assert_eq!(h.marked(), ["d-1", "d-3"]);
    assert_eq!(
        h.app.selected_destination().map(|d| d.name.as_str()),
        Some("alpha-db")
    );
    h.effects.clear();
    h.key(KeyCode::Char('R'));
    let mut repaired: Vec<Task> = h.tasks().into_iter().cloned().collect();
    repaired.sort_by_key(|t| format!("{t:?}"));
    assert_eq!(
        repaired,
        [
            Task::RepairDestination {
                server: "s-alpha".into(),
                destination: "d-1".into()
            },
            Task::RepairDestination {
                server: "s-beta".into(),
                destination: "d-3".into()
            },
        ]
    );
    assert_eq!(h.app.status.text, "repairing 2 destination(s)…");
    h.effects.clear();
    h.key(KeyCode::Char('c'));
    let checked: Vec<Task> = h.tasks().into_iter().cloned().collect();
    assert_eq!(
        checked,
        [
            Task::CheckDestinations {
                server: "s-alpha".into(),
                destinations: vec!["d-1".into()]
            },
            Task::CheckDestinations {
                server: "s-beta".into(),
                destinations: vec!["d-3".into()]
            },
        ]
    );
    // One found ok is left alone by the next repair.
    h.app.health.insert(
        "d-1".into(),
        check_row("d-1", "alpha-web", HealthStatus::Ok, 1),
    );
    h.effects.clear();
    h.key(KeyCode::Char('R'));
    assert_eq!(
        h.tasks(),
        [&Task::RepairDestination {
            server: "s-beta".into(),
            destination: "d-3".into()
        }]
    );
    assert_eq!(
        h.app.status.text,
        "repairing 1 destination(s); 1 ok, left alone"
    );
    // Without marks, the row under the cursor (R) and every row listed (c), as before.
    h.key(KeyCode::Esc);
    h.effects.clear();
    h.key(KeyCode::Char('R'));
    assert_eq!(
        h.tasks(),
        [&Task::RepairDestination {
            server: "s-alpha".into(),
            destination: "d-2".into()
        }]
    );
}

// ---------- items 5 and 19: `a` where it lands ----------

/// Issue 28 item 5: `a` in Destinations created on the selected destination's server; the
/// dialog's server is the one last chosen in Servers.
#[test]
fn a_in_destinations_creates_on_the_server_chosen_in_servers() {
    let mut h = Harness::loaded(120, 40);
    h.key(KeyCode::Char('j'));
    assert_eq!(
        h.app.selected_server().map(|s| s.name.as_str()),
        Some("beta")
    );
    h.key(KeyCode::Tab);
    assert_eq!(
        h.app.selected_destination().map(|d| d.server.as_str()),
        Some("alpha"),
        "the selected destination is on another server"
    );
    h.key(KeyCode::Char('a'));
    assert_eq!(
        form_kind(&h),
        FormKind::CreateDestination {
            server: "s-beta".into()
        }
    );
}

/// Issue 28 item 19: `a` in Tasks opened Create destination; it opens nothing there.
#[test]
fn a_in_tasks_opens_nothing() {
    let mut h = Harness::loaded(120, 40);
    h.key(KeyCode::BackTab);
    assert_eq!(h.app.focus, Pane::Tasks);
    h.key(KeyCode::Char('a'));
    assert!(h.app.dialog.is_none(), "{:?}", h.app.dialog);
    assert!(h.app.status.text.contains("a adds a server in Servers"));
}

/// Issue 28 item 19: on first start Destinations said `a creates one` while the focus was on
/// Servers, where `a` adds a server.
#[test]
fn the_first_start_hint_names_a_for_the_pane_that_has_the_focus() {
    let mut h = Harness::loaded(120, 40);
    h.finish(
        9100,
        900,
        Ok(TaskResult::Loaded {
            servers: servers(),
            destinations: vec![],
            resources: vec![],
        }),
    );
    assert_eq!(h.app.focus, Pane::Servers);
    let screen = h.screen();
    assert!(!screen.contains("none yet: a creates one"), "{screen}");
    assert!(screen.contains("a in this pane creates one"), "{screen}");
    h.key(KeyCode::Tab);
    assert!(
        h.screen().contains("none yet: a creates one"),
        "{}",
        h.screen()
    );
}

// ---------- item 14: wording ----------

/// Issue 28 item 14: a deploy's task row named the destination's uuid (`deploy shop to
/// qke0…`); it names the destination.
#[test]
fn a_deploy_row_names_its_destination_not_its_uuid() {
    let mut h = Harness::loaded(120, 40);
    // beta has one destination, prefilled.
    h.key(KeyCode::Char('j'));
    h.key(KeyCode::Char('n'));
    h.keys("shop");
    for _ in 0..3 {
        h.key(KeyCode::Tab);
    }
    h.keys("nginx:1");
    h.key(KeyCode::Enter);
    let id = h.submitted(|t| matches!(t, Task::CreateResource(_)));
    h.queue(id, 900);
    let row = h.task_row(id).expect("a row");
    assert_eq!(row.label, "deploy shop to beta-stack");
}

/// The tick is a mark (`space mark`), `c` checks; an empty list without a filter does not
/// say a filter could be cleared.
#[test]
fn marks_are_called_marks_and_no_filter_is_offered_to_clear_when_none_is_set() {
    let mut h = Harness::loaded(120, 40);
    h.scan_alpha();
    let screen = h.screen();
    assert!(line_with(&screen, "help q quit").contains("space mark i import A all"));
    h.key(KeyCode::Char('j'));
    h.key(KeyCode::Char(' '));
    assert!(line_with(&h.screen(), "Scan alpha").contains("1 marked"));
    h.key(KeyCode::Char('?'));
    let help = h.screen();
    assert!(
        help.contains("space  mark a network / a destination"),
        "{help}"
    );
    assert!(
        help.contains("c  check a server / the destinations"),
        "{help}"
    );
    h.key(KeyCode::Esc);
    // gone has no destination: scoped to it, the list is empty with no filter set.
    h.key(KeyCode::BackTab);
    h.key(KeyCode::BackTab);
    assert_eq!(h.app.focus, Pane::Servers);
    h.key(KeyCode::Char('G'));
    h.key(KeyCode::Char('v'));
    let screen = h.screen();
    assert!(
        screen.contains("none on this server (v: all servers)"),
        "{screen}"
    );
    assert!(!screen.contains("clears a filter"), "{screen}");
    h.key(KeyCode::Tab);
    filter(&mut h, "zzz");
    assert!(h.screen().contains("none match the filter (Esc clears it)"));
}

// ---------- item 10: a stopped resource is visible ----------

/// Issue 28 item 10: a destination whose one container stopped showed `ok`, CONT 1; CONT
/// says running/total (`0/1`) and CHECK marks the row, at any width.
#[test]
fn a_stopped_container_shows_as_running_of_total_and_marks_the_row() {
    for (width, height) in [(160, 40), (80, 24)] {
        let mut h = Harness::loaded(width, height);
        h.app.health.insert(
            "d-1".into(),
            check_row("d-1", "alpha-web", HealthStatus::Ok, 1),
        );
        // The usage read after the check: its one container exited.
        let stopped = ContainerUsage {
            name: "web-1".into(),
            state: "exited".into(),
            cpu_percent: None,
            memory_bytes: None,
        };
        let usage = vec![DestinationUsage {
            uuid: "d-1".into(),
            containers: vec![stopped],
            cpu_percent: 0.0,
            memory_bytes: 0,
        }];
        let server = "s-alpha".into();
        h.finish(9200, 900, Ok(TaskResult::Usage { server, usage }));
        let screen = h.screen();
        let web = line_with(&screen, "alpha-web");
        assert!(web.contains("ok, 1 stopped"), "{width}x{height}: {web}");
        if width >= 160 {
            assert!(web.contains(" 0/1 "), "{web}");
        }
    }
}

// ---------- item 7: known refusals ask nothing ----------

/// Issue 28 item 7: `d` on a destination with a running container showed `refused: attached …`
/// and still offered `y yes`. A refusal the reports know asks nothing; with several, `y`
/// deletes only those not refused.
#[test]
fn a_delete_the_reports_refuse_offers_no_yes() {
    let mut h = Harness::loaded(80, 24);
    h.key(KeyCode::Tab);
    h.key(KeyCode::Char('d'));
    h.answer_reports(&[], &["alpha-web"]);
    let screen = h.screen();
    assert!(screen.contains("refused: attached"), "{screen}");
    assert!(!screen.contains("y yes"), "{screen}");
    assert!(
        screen.contains("refused, nothing is deleted · Esc closes"),
        "{screen}"
    );
    h.key(KeyCode::Char('y'));
    assert!(h.app.dialog.is_some(), "y answers nothing");
    assert!(
        !h.tasks()
            .iter()
            .any(|t| matches!(t, Task::DeleteDestination { .. })),
        "{:?}",
        h.effects
    );
    h.key(KeyCode::Esc);
    assert!(h.app.dialog.is_none());
    // Two marked, one refused: y deletes the other one only.
    h.effects.clear();
    h.key(KeyCode::Char(' '));
    h.key(KeyCode::Char(' '));
    h.key(KeyCode::Char('d'));
    h.answer_reports(&[], &["alpha-web"]);
    assert!(
        h.screen().contains("y deletes the other 1 · n no"),
        "{}",
        h.screen()
    );
    h.key(KeyCode::Char('y'));
    let deleted: Vec<&Task> = h
        .tasks()
        .into_iter()
        .filter(|t| matches!(t, Task::DeleteDestination { .. }))
        .collect();
    assert_eq!(
        deleted,
        [&Task::DeleteDestination {
            server: "s-alpha".into(),
            destination: "d-2".into(),
            force: false
        }]
    );
}

/// Issue 28 item 7: a read-only server's dialogs opened and refused only on save (`e` on a
/// read-only destination opened the editor). Nothing that edits opens: the refusal is said
/// at once, and kept in Messages.
#[test]
fn read_only_objects_open_nothing_that_edits() {
    let mut h = Harness::loaded(120, 40);
    for s in &mut h.app.servers {
        s.read_only = s.name == "alpha";
    }
    // Servers: alpha selected. `e` still opens (it takes the mark off); `a` on Destinations,
    // `n`, and on alpha-web `e`, `d`, `R` open nothing.
    h.key(KeyCode::Char('e'));
    assert!(
        matches!(&h.app.dialog, Some(Dialog::Form(_))),
        "edit server opens"
    );
    h.key(KeyCode::Esc);
    h.key(KeyCode::Char('n'));
    assert!(h.app.dialog.is_none(), "{:?}", h.app.dialog);
    assert!(
        h.app
            .status
            .text
            .contains("deploy refused: server alpha is read-only")
    );
    h.key(KeyCode::Tab);
    h.effects.clear();
    for key in ['a', 'e', 'd', 'R'] {
        h.key(KeyCode::Char(key));
        assert!(h.app.dialog.is_none(), "{key}: {:?}", h.app.dialog);
        assert!(h.app.status.error, "{key}");
        assert!(
            h.app
                .status
                .text
                .contains("server alpha is read-only (e in Servers takes the mark off)"),
            "{key}: {}",
            h.app.status.text
        );
    }
    assert!(h.tasks().is_empty(), "{:?}", h.effects);
    let refused: Vec<&str> = (h.app.messages.log.iter())
        .filter(|m| m.text.contains("refused"))
        .map(|m| m.object.as_str())
        .collect();
    assert_eq!(
        refused,
        [
            "deploy",
            "create destination",
            "edit alpha-web",
            "delete alpha-web",
            "repair alpha-web"
        ]
    );
    // beta's destination is not read-only: its delete asks.
    h.key(KeyCode::Char('G'));
    h.key(KeyCode::Char('d'));
    assert!(matches!(&h.app.dialog, Some(Dialog::Confirm(_))));
}

// ---------- shared: many destinations ----------

/// alpha with 30 destinations (`alpha-net-01` … `alpha-net-30`, uuids `d-01` …), beta with
/// `beta-stack` (`d-b`), and the application `shop` on `alpha-net-01`.
fn with_30_destinations(h: &mut Harness) {
    h.key(KeyCode::Char('r'));
    let load = h.submitted(|t| *t == Task::Load);
    h.effects.clear();
    let all = servers();
    let mut dests: Vec<_> = (1..=30)
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
    let shop = destui::domain::Resource {
        uuid: "r-1".into(),
        name: "shop".into(),
        kind: destui::domain::ResourceKind::Application,
        image: "nginx:1".into(),
        command: None,
        destination_uuid: "d-01".into(),
        connect_predefined: false,
        original_name: None,
    };
    h.finish(
        load,
        1000,
        Ok(TaskResult::Loaded {
            destinations: dests,
            servers: all,
            resources: vec![shop],
        }),
    );
    h.effects.clear();
}

// ---------- item 6: one navigation rule for every dialog ----------

fn ctrl_s(h: &mut Harness) {
    let key = KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL);
    h.effects.extend(update(&mut h.app, Action::Key(key)));
}

fn form(h: &Harness) -> &Form {
    match &h.app.dialog {
        Some(Dialog::Form(form)) => form,
        other => panic!("no form open: {other:?}"),
    }
}

fn focused(h: &Harness) -> FieldId {
    let form = form(h);
    form.fields[form.focus].id
}

/// The dialog's lines (inside its double border) that hold `needle`.
fn dialog_lines(screen: &str, needle: &str) -> Vec<String> {
    screen
        .lines()
        .filter(|l| l.contains('║') && l.contains(needle))
        .map(String::from)
        .collect()
}

/// Issue 28 item 6: in New resource `↓` inside the destination picker changed the choice, so
/// the image and the command were typed into the picker's filter. Closed, ↓ moves on; Enter
/// opens the list, where ↓ chooses; Enter closes it.
#[test]
fn new_resource_down_passes_a_closed_picker_and_chooses_only_in_its_open_list() {
    let mut h = Harness::loaded(80, 24);
    with_30_destinations(&mut h);
    h.key(KeyCode::Char('n'));
    h.keys("shop2");
    h.key(KeyCode::Down);
    h.key(KeyCode::Down);
    assert_eq!(focused(&h), FieldId::Destination);
    assert!(!form(&h).list_open());
    let screen = h.screen();
    assert!(
        dialog_lines(&screen, "alpha-net-0").is_empty(),
        "closed: no list\n{screen}"
    );
    assert!(screen.contains("Type/Enter list"), "{screen}");
    h.key(KeyCode::Down);
    assert_eq!(focused(&h), FieldId::Image, "↓ passed the closed picker");
    h.keys("nginx:1");
    h.key(KeyCode::Down);
    h.keys("sleep 1");
    assert_eq!(form(&h).value(FieldId::Image), "nginx:1");
    assert_eq!(form(&h).value(FieldId::Command), "sleep 1");
    assert_eq!(
        form(&h).chosen(FieldId::Destination),
        None,
        "nothing typed into it"
    );
    // Back up to the picker; Enter opens its list, ↓ chooses, Enter closes it.
    h.key(KeyCode::Up);
    h.key(KeyCode::Up);
    h.key(KeyCode::Enter);
    assert!(form(&h).list_open());
    assert!(
        h.tasks().is_empty(),
        "Enter on a picker opens it, saves nothing"
    );
    h.key(KeyCode::Home);
    assert_eq!(
        form(&h).value(FieldId::Destination),
        "alpha-net-01",
        "Home: the first"
    );
    h.key(KeyCode::Down);
    let screen = h.screen();
    assert!(
        dialog_lines(&screen, "▸")[0].contains("alpha-net-02"),
        "{screen}"
    );
    assert!(
        screen.contains("↑↓ choose"),
        "the open list's keys\n{screen}"
    );
    h.key(KeyCode::Enter);
    assert!(!form(&h).list_open());
    assert_eq!(form(&h).value(FieldId::Destination), "alpha-net-02");
    // Typing opens the list with a filter; Esc puts the choice back.
    h.keys("net-17");
    assert!(form(&h).list_open());
    assert_eq!(form(&h).value(FieldId::Destination), "alpha-net-17");
    h.key(KeyCode::Esc);
    assert!(
        h.app.dialog.is_some(),
        "Esc closed the list, not the dialog"
    );
    assert_eq!(form(&h).value(FieldId::Destination), "alpha-net-02");
    // The kind opens its list the same way.
    h.key(KeyCode::Up);
    assert_eq!(focused(&h), FieldId::Kind);
    h.key(KeyCode::Enter);
    h.key(KeyCode::Down);
    h.key(KeyCode::Enter);
    assert_eq!(form(&h).value(FieldId::Kind), "database");
    h.key(KeyCode::Down);
    assert_eq!(focused(&h), FieldId::Destination);
    h.key(KeyCode::Down);
    h.key(KeyCode::Enter);
    assert!(
        matches!(&h.tasks()[..], [Task::CreateResource(r)]
            if r.destination.as_deref() == Some("d-02") && r.image == "nginx:1"
                && r.command.as_deref() == Some("sleep 1")),
        "{:?}",
        h.effects
    );
}

/// Issue 28 item 6: Tab completion of ssh aliases shows the matching list; ↓ moves on.
#[test]
fn add_server_lists_the_aliases_tab_completes_and_its_pickers_open_with_enter() {
    let mut h = Harness::loaded(80, 24);
    h.app.ssh_aliases = ["prod-web", "prod-db", "staging"]
        .map(String::from)
        .to_vec();
    h.key(KeyCode::Char('a'));
    h.keys("web");
    h.key(KeyCode::Down);
    assert_eq!(focused(&h), FieldId::Host);
    h.keys("pro");
    h.key(KeyCode::Tab);
    let screen = h.screen();
    assert!(
        dialog_lines(&screen, "▸")[0].contains("prod-web"),
        "{screen}"
    );
    assert_eq!(dialog_lines(&screen, "prod-db").len(), 1, "{screen}");
    assert!(
        dialog_lines(&screen, "staging").is_empty(),
        "only the matches\n{screen}"
    );
    h.key(KeyCode::Tab);
    assert!(dialog_lines(&h.screen(), "▸")[0].contains("prod-db"));
    h.key(KeyCode::Down);
    assert_eq!(focused(&h), FieldId::Port);
    assert!(
        dialog_lines(&h.screen(), "prod-web").is_empty(),
        "the list went"
    );
    // Colour: closed, ↓ passes it; Enter opens, ↓ chooses, Esc undoes.
    for _ in 0..5 {
        h.key(KeyCode::Down);
    }
    assert_eq!(focused(&h), FieldId::Color);
    h.key(KeyCode::Enter);
    h.key(KeyCode::Down);
    assert_ne!(form(&h).value(FieldId::Color), "none");
    h.key(KeyCode::Esc);
    assert_eq!(form(&h).value(FieldId::Color), "none");
    h.key(KeyCode::Down);
    assert_eq!(focused(&h), FieldId::ReadOnly);
    h.key(KeyCode::Char('y'));
    ctrl_s(&mut h);
    assert!(
        matches!(&h.tasks()[..], [Task::AddServer(s)]
            if s.host.as_deref() == Some("prod-db") && s.read_only && s.color.is_none()),
        "{:?}",
        h.effects
    );
}

/// Issue 28 item 6: the create and edit dialogs follow the same rule: ↓/↑ move, a yes/no
/// opens its list with Enter, Ctrl-S saves from any field.
#[test]
fn create_and_edit_destination_move_with_arrows_and_save_from_any_field() {
    let mut h = Harness::loaded(80, 24);
    h.key(KeyCode::Tab);
    h.key(KeyCode::Char('a'));
    h.key(KeyCode::Down);
    h.key(KeyCode::Down);
    h.key(KeyCode::Down);
    assert_eq!(focused(&h), FieldId::Internal);
    h.key(KeyCode::Enter);
    assert!(form(&h).list_open() && h.tasks().is_empty());
    h.key(KeyCode::Down);
    h.key(KeyCode::Enter);
    assert_eq!(form(&h).value(FieldId::Internal), "yes");
    h.key(KeyCode::Up);
    assert_eq!(focused(&h), FieldId::Subnet);
    h.key(KeyCode::Down);
    h.key(KeyCode::Down);
    ctrl_s(&mut h);
    assert!(
        matches!(&h.tasks()[..], [Task::CreateDestination(d)] if d.internal),
        "{:?}",
        h.effects
    );
    h.effects.clear();
    h.key(KeyCode::Esc);
    h.key(KeyCode::Char('e'));
    h.key(KeyCode::Down);
    assert_eq!(focused(&h), FieldId::Description);
    h.keys("front");
    h.key(KeyCode::Up);
    assert_eq!(focused(&h), FieldId::Name);
    ctrl_s(&mut h);
    assert!(
        matches!(&h.tasks()[..], [Task::EditDestination { edit, .. }]
            if edit.description.as_deref() == Some("front")),
        "{:?}",
        h.effects
    );
}

/// Issue 28 item 6: clone's pickers are passed by ↓ when closed and chosen in their list.
#[test]
fn clone_passes_its_closed_pickers_and_chooses_by_typing() {
    let mut h = Harness::loaded(80, 24);
    with_30_destinations(&mut h);
    h.key(KeyCode::Tab);
    h.key(KeyCode::Char('g'));
    h.key(KeyCode::Char('C'));
    assert_eq!(focused(&h), FieldId::Resource);
    h.key(KeyCode::Down);
    assert_eq!(focused(&h), FieldId::Destination);
    h.key(KeyCode::Down);
    assert_eq!(
        focused(&h),
        FieldId::Name,
        "↓ passed the closed destination picker"
    );
    h.key(KeyCode::Up);
    h.keys("beta");
    assert!(form(&h).list_open());
    h.key(KeyCode::Enter);
    assert!(!form(&h).list_open());
    assert!(h.tasks().is_empty(), "Enter closed the list, saved nothing");
    h.key(KeyCode::Down);
    h.keys("shop-b");
    h.key(KeyCode::Enter);
    assert!(
        matches!(&h.tasks()[..], [Task::CloneResource { destination, name, .. }]
            if destination == "d-b" && name.as_deref() == Some("shop-b")),
        "{:?}",
        h.effects
    );
}

/// Issue 28 item 6: a confirmation and the server check never swallow a key unseen; the check
/// says what it waits for and what the keys do.
#[test]
fn the_delete_confirmation_and_the_server_check_say_what_their_keys_do() {
    let mut h = Harness::loaded(80, 24);
    h.key(KeyCode::Tab);
    h.key(KeyCode::Char('d'));
    h.answer_reports(&[], &[]);
    h.key(KeyCode::Down);
    assert!(matches!(&h.app.dialog, Some(Dialog::Confirm(_))));
    assert!(
        h.app.status.text.contains("answers only: y yes · n no"),
        "{:?}",
        h.app.status
    );
    h.key(KeyCode::Esc);
    assert!(h.app.dialog.is_none());
    h.key(KeyCode::BackTab);
    h.key(KeyCode::Char('c'));
    let screen = h.screen();
    assert!(
        screen.contains("waiting for Docker on alpha to answer (ssh to alpha.example.net"),
        "{screen}"
    );
    assert!(
        screen.contains("Esc closes (the check goes on in Tasks)"),
        "{screen}"
    );
    h.key(KeyCode::Char('j'));
    assert!(matches!(&h.app.dialog, Some(Dialog::ServerCheck { .. })));
    assert!(
        h.app
            .status
            .text
            .contains("the check of alpha is open: Esc closes it"),
        "{:?}",
        h.app.status
    );
    h.key(KeyCode::Esc);
    assert!(h.app.dialog.is_none());
}

// ---------- item 19: the mouse wheel ----------

/// One notch of the wheel at (`column`, `row`).
fn wheel(h: &mut Harness, down: bool, column: u16, row: u16) {
    let kind = if down {
        MouseEventKind::ScrollDown
    } else {
        MouseEventKind::ScrollUp
    };
    let mouse = MouseEvent {
        kind,
        column,
        row,
        modifiers: KeyModifiers::NONE,
    };
    h.effects.extend(update(&mut h.app, Action::Mouse(mouse)));
}

/// Issue 28 item 19: the wheel scrolled nothing. It scrolls the pane under the pointer (the
/// focus stays where it is) and, when open, the help.
#[test]
fn the_mouse_wheel_scrolls_the_pane_under_the_pointer() {
    let mut h = Harness::loaded(80, 24);
    with_30_destinations(&mut h);
    assert_eq!(h.app.focus, Pane::Servers);
    let area = h.app.areas().destinations;
    let (x, y) = (area.x + 5, area.y + 3);
    assert_eq!(h.app.panes.destinations.cursor.offset, 0);
    wheel(&mut h, true, x, y);
    wheel(&mut h, true, x, y);
    let cursor = h.app.panes.destinations.cursor;
    assert_eq!(cursor.offset, 6, "two notches, three rows each");
    assert_eq!(cursor.selected, 6, "the selection stays on a row shown");
    assert_eq!(
        h.app.focus,
        Pane::Servers,
        "the wheel does not move the focus"
    );
    let screen = h.screen();
    assert!(line_with(&screen, "alpha-net-07").contains('>'), "{screen}");
    assert!(!screen.contains("alpha-net-01"), "{screen}");
    wheel(&mut h, false, x, y);
    assert_eq!(h.app.panes.destinations.cursor.offset, 3);
    // Far down: never past the last row.
    for _ in 0..20 {
        wheel(&mut h, true, x, y);
    }
    let cursor = h.app.panes.destinations.cursor;
    assert!(h.screen().contains("beta-stack"), "the last row");
    assert!(cursor.selected < 31 && cursor.offset > 20, "{cursor:?}");
    // The servers' list under the pointer: it fits, nothing moves.
    let servers = h.app.areas().servers;
    wheel(&mut h, true, servers.x + 3, servers.y + 3);
    assert_eq!(h.app.panes.servers.cursor.offset, 0);
    // The help, open on a small screen, scrolls under the wheel.
    let mut h = Harness::loaded(60, 20);
    h.key(KeyCode::Char('?'));
    wheel(&mut h, true, 30, 10);
    assert_eq!(h.app.help_scroll, 3);
    assert!(h.app.help, "the wheel does not close the help");
}

// ---------- item 13: the TUI's own words ----------

/// The focused field's error, after Ctrl-S submitted nothing.
fn refused(h: &mut Harness) -> String {
    ctrl_s(h);
    assert!(h.tasks().is_empty(), "nothing submitted: {:?}", h.effects);
    let error = form(h).error.clone().unwrap_or_default();
    assert!(!error.contains("--"), "no flag in the TUI: {error}");
    error
}

/// Moves the focus to field `id` with ↓.
fn focus_on(h: &mut Harness, id: FieldId) {
    for _ in 0..form(h).fields.len() {
        if focused(h) == id {
            return;
        }
        h.key(KeyCode::Down);
    }
    panic!("no field {id:?}");
}

/// Issue 28 item 13: the create dialog said `--mtu 50 is out of range` and `--subnet auto
/// needs a pool…`; its hint offered plain `auto` with no pool configured; it had no IPv6
/// subnet. It names its own fields, shows what Subnet accepts, and takes an IPv6 subnet.
#[test]
fn the_create_dialog_names_its_fields_not_flags_and_takes_an_ipv6_subnet() {
    let mut h = Harness::loaded(80, 24);
    h.key(KeyCode::Tab);
    h.key(KeyCode::Char('a'));
    focus_on(&mut h, FieldId::Mtu);
    h.keys("50");
    let error = refused(&mut h);
    assert!(
        error.starts_with("MTU 50 is out of range: give 68 to 65535"),
        "{error}"
    );
    h.key(KeyCode::Backspace);
    h.key(KeyCode::Backspace);
    h.keys("1450");
    // No fallback pool: Subnet says what it accepts, and plain `auto` is refused inline.
    h.key(KeyCode::Tab);
    focus_on(&mut h, FieldId::Subnet);
    let screen = h.screen();
    assert!(
        screen.contains("or auto:POOL for a free /24 of POOL"),
        "{screen}"
    );
    assert!(!screen.contains("auto[:POOL]"), "{screen}");
    h.keys("auto");
    let error = refused(&mut h);
    assert!(
        error.starts_with("Subnet auto needs a pool: write auto:10.201.0.0/16"),
        "{error}"
    );
    h.keys(":10.201.0.0/16");
    // The IPv6 subnet needs IPv6 on.
    focus_on(&mut h, FieldId::Subnet6);
    h.keys("fd00:dead:beef::/64");
    let error = refused(&mut h);
    assert!(
        error.starts_with("IPv6 subnet needs IPv6: set IPv6 to yes"),
        "{error}"
    );
    h.key(KeyCode::Up);
    assert_eq!(focused(&h), FieldId::Ipv6);
    h.key(KeyCode::Char('y'));
    ctrl_s(&mut h);
    let id = h.submitted(|t| {
        matches!(t, Task::CreateDestination(d)
            if d.ipv6 && d.subnet6.as_deref() == Some("fd00:dead:beef::/64")
                && d.subnet.as_deref() == Some("auto:10.201.0.0/16") && d.mtu == Some(1450))
    });
    // A refusal from the server's side is said in the dialog's words too.
    let full = destui::domain::OptionRefusal::PoolFull {
        pool: "10.201.0.0/16".into(),
        server: "alpha".into(),
    };
    h.finish(id, 900, Err(Error::BadOption(full)));
    let screen = h.screen();
    assert!(screen.contains("give a wider pool in Subnet"), "{screen}");
    assert!(!screen.contains("--subnet"), "{screen}");
}

/// With `[network] fallback_pool`, the Subnet hint offers plain `auto`, and it is taken.
#[test]
fn with_a_fallback_pool_plain_auto_is_offered_and_taken() {
    let mut h = Harness::loaded(80, 24);
    h.app.fallback_pool = Some("10.201.0.0/16".into());
    h.key(KeyCode::Tab);
    h.key(KeyCode::Char('a'));
    focus_on(&mut h, FieldId::Subnet);
    let screen = h.screen();
    assert!(
        screen.contains("auto (a free /24 of 10.201.0.0/16)"),
        "{screen}"
    );
    h.keys("auto");
    h.key(KeyCode::Enter);
    h.submitted(|t| matches!(t, Task::CreateDestination(d) if d.subnet.as_deref() == Some("auto")));
}
