//! `S` in the TUI, issue 28 item 12: what a sync would adopt is shown and asked once; what was
//! adopted is named and its destinations checked. Driven through the pure `update` (the
//! harness of `tui_fixture`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::too_many_lines
)]

mod tui_fixture;

use crossterm::event::KeyCode;
use destui::ops::{Adopted, Outcome, SyncPreview, SyncReport};
use destui::tasks::{Task, TaskResult};
use destui::tui::dialog::{ConfirmKind, Dialog};
use tui_fixture::Harness;

fn preview_task(h: &mut Harness) -> destui::tasks::TaskId {
    h.submitted(|t| {
        *t == Task::SyncPreview {
            server: "s-alpha".into(),
        }
    })
}

fn adopted(what: &'static str, uuid: &str, name: &str, on: &str) -> Adopted {
    Adopted {
        what,
        uuid: uuid.into(),
        name: name.into(),
        original_name: name.into(),
        server: "alpha".into(),
        on: on.into(),
        kind: "standalone".into(),
    }
}

#[test]
fn s_shows_what_a_sync_would_adopt_asks_once_then_names_and_checks_what_it_adopted() {
    let mut h = Harness::loaded(120, 40);
    h.key(KeyCode::Char('S'));
    let preview = preview_task(&mut h);
    assert!(
        h.tasks().is_empty(),
        "nothing adopted before the answer: {:?}",
        h.tasks()
    );
    h.finish(
        preview,
        300,
        Ok(TaskResult::SyncPreviewed {
            server: "s-alpha".into(),
            preview: SyncPreview {
                adopt: vec![
                    "adopt destination shop-eu: network shop on alpha (standalone)".into(),
                    "adopt resource shop-app on shop-eu".into(),
                ],
                missing: vec![
                    "list as missing: destination alpha-web (network web on alpha): its network is gone".into(),
                ],
            },
        }),
    );
    // One question, listing what it would adopt; nothing submitted yet.
    match &h.app.dialog {
        Some(Dialog::Confirm(c)) => {
            assert_eq!(c.kind, ConfirmKind::Sync("s-alpha".into()));
            assert_eq!(c.title, "Adopt 2 record(s) made elsewhere on alpha?");
        }
        other => panic!("no confirmation: {other:?}"),
    }
    let screen = h.screen();
    for line in [
        "adopt destination shop-eu: network shop on alpha (standalone)",
        "adopt resource shop-app on shop-eu",
        "list as missing: destination alpha-web",
        "y yes · n no",
        "sync alpha: 2 record(s) to adopt — y adopts them, n adopts nothing",
    ] {
        assert!(screen.contains(line), "{line:?} in\n{screen}");
    }
    assert!(h.tasks().is_empty(), "{:?}", h.tasks());
    h.key(KeyCode::Char('y'));
    let sync = h.submitted(|t| {
        *t == Task::Sync {
            server: "s-alpha".into(),
        }
    });
    h.queue(sync, 400);
    h.finish(
        sync,
        500,
        Ok(TaskResult::Synced {
            server: "s-alpha".into(),
            outcome: Outcome {
                value: SyncReport {
                    adopted: vec![
                        adopted("destination", "d-77", "shop-eu", "shop"),
                        adopted("resource", "r-1", "shop-app", "shop-eu"),
                    ],
                    ..SyncReport::default()
                },
                warnings: vec![],
            },
        }),
    );
    assert_eq!(
        h.app.status.text,
        "synced alpha: adopted destination shop-eu (network shop), resource shop-app on shop-eu"
    );
    // The lists read again, and the adopted destination checked.
    assert!(h.tasks().contains(&&Task::Load), "{:?}", h.tasks());
    assert!(
        h.tasks().contains(&&Task::CheckDestinations {
            server: "s-alpha".into(),
            destinations: vec!["d-77".into()],
        }),
        "{:?}",
        h.tasks()
    );
    let row = h
        .app
        .panes
        .tasks
        .rows
        .iter()
        .find(|t| t.id == sync)
        .expect("the sync's row");
    assert!(
        row.note.contains("adopted shop-eu, shop-app"),
        "{}",
        row.note
    );
}

#[test]
fn s_with_nothing_to_adopt_asks_nothing_and_n_adopts_nothing() {
    let mut h = Harness::loaded(120, 40);
    h.key(KeyCode::Char('S'));
    let preview = preview_task(&mut h);
    h.finish(
        preview,
        300,
        Ok(TaskResult::SyncPreviewed {
            server: "s-alpha".into(),
            preview: SyncPreview::default(),
        }),
    );
    assert!(h.app.dialog.is_none(), "{:?}", h.app.dialog);
    assert_eq!(h.app.status.text, "sync alpha: nothing to adopt");
    assert!(h.tasks().is_empty(), "{:?}", h.tasks());

    h.key(KeyCode::Char('S'));
    let preview = preview_task(&mut h);
    h.finish(
        preview,
        600,
        Ok(TaskResult::SyncPreviewed {
            server: "s-alpha".into(),
            preview: SyncPreview {
                adopt: vec!["adopt destination shop-eu: network shop on alpha (standalone)".into()],
                missing: vec![],
            },
        }),
    );
    h.key(KeyCode::Char('n'));
    assert!(h.app.dialog.is_none());
    assert!(
        !h.tasks().iter().any(|t| matches!(t, Task::Sync { .. })),
        "{:?}",
        h.tasks()
    );
}
