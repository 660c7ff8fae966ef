//! The Messages view (issue 28 item 1, DESIGN.md §20): every alert, warning, result and live
//! change with its time, server and object, newest first, filterable, bounded; the status line
//! keeps the newest message. Driven through the pure `update` (the harness of `tui_fixture`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::too_many_lines
)]

mod tui_fixture;

use crossterm::event::KeyCode;
use destui::ops::HealthStatus;
use destui::tasks::{Task, TaskId, TaskResult};
use destui::tui::app::{Action, Effect, Pane, update};
use tui_fixture::{Harness, at, change, check_row, line_with, scan_rows, servers};

/// Types `/text` Enter in the focused pane (or view).
fn filter(h: &mut Harness, text: &str) {
    h.key(KeyCode::Char('/'));
    h.keys(text);
    h.key(KeyCode::Enter);
}

/// `A: alpha-web die → stopped`, as the watch reports it at 10:00:00.
fn died(h: &mut Harness) {
    let alpha = servers().remove(1);
    let mut died = change(&alpha, "die");
    died.destination = Some("alpha-web".into());
    died.status = Some("stopped".into());
    died.check = Some(check_row("d-1", "alpha-web", HealthStatus::Ok, 1));
    died.containers_changed = true;
    died.networks_changed = true;
    let effects = update(&mut h.app, Action::Live(vec![died], at(600)));
    h.effects.extend(effects);
}

const DIED: &str = "alpha: alpha-web die → stopped";

/// Issue 28 item 1: the status line was overwritten by the scan counter 0.1 s after a live
/// alert; it now keeps the newest message through the reads that follow (the quiet rescan
/// the event asked for, the usage, the background check, the spinner's ticks).
#[test]
fn a_live_alert_stays_in_the_status_line_through_later_scans_checks_and_ticks() {
    let mut h = Harness::loaded(120, 40);
    h.scan_alpha();
    h.effects.clear();
    died(&mut h);
    assert_eq!(h.app.status.text, DIED);
    assert!(h.app.status.error);
    // The rescan the event asked for answers, then the usage read.
    let rescan = h.submitted(|t| matches!(t, Task::Scan { .. }));
    h.finish(
        rescan,
        700,
        Ok(TaskResult::Scanned {
            server: "s-alpha".into(),
            rows: scan_rows(),
        }),
    );
    let usage = h.submitted(|t| matches!(t, Task::Usage { .. }));
    h.finish(
        usage,
        710,
        Ok(TaskResult::Usage {
            server: "s-alpha".into(),
            usage: vec![],
        }),
    );
    // The background round finds nothing new; the spinner ticks.
    h.effects.extend(update(&mut h.app, Action::CheckAll));
    let checks: Vec<TaskId> = h
        .effects
        .iter()
        .filter_map(|e| match e {
            Effect::Submit(id, Task::CheckDestinations { .. }) => Some(*id),
            _ => None,
        })
        .collect();
    assert!(!checks.is_empty());
    for id in checks {
        let rows = vec![check_row("d-1", "alpha-web", HealthStatus::Ok, 1)];
        h.finish(id, 800, Ok(TaskResult::Checked(rows)));
    }
    update(&mut h.app, Action::Tick);
    assert_eq!(h.app.status.text, DIED, "the newest message stays");
    let screen = h.screen();
    assert!(line_with(&screen, DIED).contains("new: m]"), "{screen}");
    // Something newer (a check finds alpha-db missing) takes its place.
    h.effects.clear();
    h.key(KeyCode::BackTab);
    assert_eq!(h.app.focus, Pane::Destinations);
    h.key(KeyCode::Char('c'));
    let id =
        h.submitted(|t| matches!(t, Task::CheckDestinations { server, .. } if server == "s-alpha"));
    let rows = vec![check_row("d-2", "alpha-db", HealthStatus::Missing, 0)];
    h.finish(id, 900, Ok(TaskResult::Checked(rows)));
    assert_eq!(h.app.status.text, "1 destination(s) checked: 1 not ok");
    let texts: Vec<&str> = h.app.messages.log.iter().map(|m| m.text.as_str()).collect();
    assert!(texts.contains(&"alpha-db is missing"), "{texts:?}");
}

/// `m` from anywhere opens every message, newest first, with its time, server and object;
/// the unread count shows until then; `/` filters on any column; Esc clears, then closes.
#[test]
fn messages_open_with_m_from_anywhere_newest_first_and_filter() {
    let mut h = Harness::loaded(120, 40);
    // The start-up count, then a scan's result, then the live alert.
    h.scan_alpha();
    died(&mut h);
    assert_eq!(h.app.messages.unread, 3);
    assert!(
        h.screen().contains("[3 new: m] ! alpha: alpha-web die"),
        "{}",
        h.screen()
    );
    // From the details view too (and from any pane).
    h.key(KeyCode::Enter);
    assert!(h.app.details.is_some());
    h.key(KeyCode::Char('m'));
    assert!(h.app.messages.open && h.app.details.is_none());
    assert_eq!(h.app.messages.unread, 0);
    let screen = h.screen();
    insta::assert_snapshot!("120x40_messages", screen);
    assert!(!screen.contains("new: m]"), "all read:\n{screen}");
    let newest = line_with(&screen, "alpha-web die");
    for column in ["10:00:00", "alpha", "alpha-web", "!"] {
        assert!(newest.contains(column), "{column}: {newest}");
    }
    let shown: Vec<&str> = h.app.messages.shown().map(|m| m.text.as_str()).collect();
    assert_eq!(
        shown,
        [
            DIED,
            "alpha: 4 network(s), 2 importable — space marks, i imports",
            "3 server(s) checked: 2 online, 1 offline",
        ]
    );
    // Keys in the view act on it only: `s` scans nothing, `d` deletes nothing.
    h.effects.clear();
    h.keys("sd");
    assert!(
        h.tasks().is_empty() && h.app.dialog.is_none(),
        "{:?}",
        h.effects
    );
    // The filter matches any column: the server, the object, the time, the text.
    filter(&mut h, "offline");
    let shown: Vec<&str> = h.app.messages.shown().map(|m| m.text.as_str()).collect();
    assert_eq!(shown, ["3 server(s) checked: 2 online, 1 offline"]);
    filter(&mut h, "");
    h.key(KeyCode::Esc);
    filter(&mut h, "alpha-web");
    assert_eq!(h.app.messages.shown().count(), 1);
    assert!(h.screen().contains("/alpha-web"), "{}", h.screen());
    assert_eq!(
        h.app.filter(Pane::Scan),
        "",
        "the panes' filters are untouched"
    );
    h.key(KeyCode::Esc);
    assert!(h.app.messages.open, "Esc clears the filter first");
    assert_eq!(h.app.messages.shown().count(), 3);
    h.key(KeyCode::Esc);
    assert!(!h.app.messages.open);
    // A message that comes while the view is closed is unread again.
    died(&mut h);
    assert_eq!(h.app.messages.unread, 1);
    let mut small = Harness::loaded(80, 24);
    small.scan_alpha();
    died(&mut small);
    small.key(KeyCode::Char('m'));
    insta::assert_snapshot!("80x24_messages", small.screen());
}

/// Messages are kept for the session, at most 10,000: the oldest go first.
#[test]
fn messages_are_bounded_at_ten_thousand_oldest_first() {
    let mut h = Harness::loaded(120, 40);
    let alpha = servers().remove(1);
    let changes: Vec<_> = (0..10_005)
        .map(|i| {
            let mut c = change(&alpha, "die");
            c.destination = Some(format!("web-{i}"));
            c
        })
        .collect();
    update(&mut h.app, Action::Live(changes, at(600)));
    let log = &h.app.messages.log;
    assert_eq!(log.len(), 10_000);
    assert_eq!(log.front().map(|m| m.object.as_str()), Some("web-5"));
    assert_eq!(log.back().map(|m| m.object.as_str()), Some("web-10004"));
    assert_eq!(h.app.messages.unread, 10_000);
    assert_eq!(h.app.status.text, "alpha: web-10004 die");
}

/// The view keeps its selection on screen as the screen shrinks, and moves with j/k/G.
#[test]
fn the_messages_view_scrolls_and_keeps_its_selection_on_screen() {
    let mut h = Harness::loaded(120, 40);
    let alpha = servers().remove(1);
    let changes: Vec<_> = (0..60)
        .map(|i| {
            let mut c = change(&alpha, "die");
            c.destination = Some(format!("web-{i}"));
            c
        })
        .collect();
    update(&mut h.app, Action::Live(changes, at(600)));
    h.key(KeyCode::Char('m'));
    h.key(KeyCode::Char('G'));
    let last = h.app.messages.visible.len() - 1;
    assert_eq!(h.app.messages.cursor.selected, last);
    update(&mut h.app, Action::Resize(80, 24));
    let cursor = h.app.messages.cursor;
    let page = destui::tui::panes::messages::page(h.app.areas().messages);
    assert!(
        cursor.offset <= cursor.selected && cursor.selected < cursor.offset + page,
        "{cursor:?}, page {page}"
    );
    let screen = h.screen();
    assert!(
        line_with(&screen, "3 server(s) checked").contains('>'),
        "{screen}"
    );
    h.key(KeyCode::Char('g'));
    assert!(line_with(&h.screen(), "web-59").contains('>'));
}
