//! The TUI in daily use, issue 28 (DESIGN.md §3, §20): rows, marks, filters and messages,
//! driven through the pure `update` without a terminal (the harness of `tui_fixture`).

mod tui_fixture;

use crossterm::event::KeyCode;
use destui::tasks::Task;
use destui::tui::app::{Details, Pane};
use destui::tui::dialog::{ConfirmKind, Dialog, FormKind};
use tui_fixture::Harness;

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
        Task::Sync {
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
