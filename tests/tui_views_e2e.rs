//! The TUI's panes follow what its tasks did (DESIGN.md §3 "Daily use"), end to end: the real
//! binary in tmux against the testbed.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::too_many_lines
)]
mod common;

use common::relay::relayed_servers;
use common::tmux::{Screen, Tui, short_name};
use common::{Ctx, docker};

fn scan_row(screen: &Screen, server: &str, network: &str) -> Option<String> {
    screen
        .pane(&format!("Scan {server}"))
        .filter(|p| !p.title_line.contains("scanning"))
        .and_then(|p| p.row(network).map(str::to_string))
}

#[test]
fn import_and_delete_refresh_the_scan_and_the_check_column() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    let server = short_name("tv");
    ctx.add_server_named(&server, tb.get("DESTUI_TB_HOST_A"), tb.socket_a());
    let network = short_name("nv");
    ctx.cleanup_network(tb.socket_a(), &network);
    assert!(docker(tb.socket_a(), &["network", "create", &network]).0);
    let destination = format!("{server}-{network}");

    let tui = Tui::start(&ctx, 120, 40, &[]);
    tui.wait("the server online", |s| {
        s.pane("Servers")
            .is_some_and(|p| p.row(&server).is_some_and(|r| r.contains('●')))
    });
    tui.keys(&["s"]);
    tui.wait("the scan", |s| {
        scan_row(s, &server, &network).is_some_and(|r| r.contains("importable"))
    });
    tui.select(&format!("Scan {server}"), &network);
    tui.keys(&["Space", "i"]);
    // Imported: listed, checked without a key press (CHECK is not blank), and the scan says
    // it is a destination now.
    tui.wait("the import, its check and the rescan", |s| {
        let checked = s.pane("Destinations").is_some_and(|p| {
            p.row(&destination)
                .is_some_and(|r| r.split_whitespace().any(|w| w.starts_with("ok")))
        });
        checked && scan_row(s, &server, &network).is_some_and(|r| r.contains("already added"))
    });

    // Deleted from the Destinations pane (its network with it): the rescan drops the row.
    tui.keys(&["BTab"]);
    tui.wait("Destinations focused", |s| s.focused("Destinations"));
    tui.select("Destinations", &destination);
    tui.keys(&["d"]);
    tui.wait("the delete confirmation", |s| s.pane("Delete").is_some());
    tui.keys(&["y"]);
    tui.wait("the delete and the rescan", |s| {
        s.pane("Destinations")
            .is_some_and(|p| p.row_with(&destination).is_none())
            && s.pane(&format!("Scan {server}")).is_some_and(|p| {
                !p.title_line.contains("scanning") && p.row_with(&network).is_none()
            })
    });
    tui.keys(&["q"]);
    assert_eq!(tui.wait_exit(), 0);
}

/// A task that finds its server unreachable turns the server's dot red, with the reason, at
/// once (not at the next periodic check).
#[test]
fn a_scan_that_finds_the_server_gone_turns_its_dot_red() {
    let tb = live!();
    let mut ctx = Ctx::new(tb);
    let (server, relay) = relayed_servers(&mut ctx, 1).remove(0);
    let tui = Tui::start(&ctx, 120, 40, &[]);
    tui.wait("the server online", |s| {
        s.pane("Servers")
            .is_some_and(|p| p.row(&server).is_some_and(|r| r.contains('●')))
    });
    relay.stall();
    tui.keys(&["s"]);
    let screen = tui.wait("the dot red after the failed scan", |s| {
        s.pane("Servers")
            .is_some_and(|p| p.row(&server).is_some_and(|r| r.contains('✗')))
    });
    assert!(
        screen
            .pane("Servers")
            .is_some_and(|p| p.contains("unreachable")
                || p.contains("timed out")
                || p.contains("stopped answering")),
        "the reason shows:\n{}",
        screen.text
    );
    tui.keys(&["q"]);
    tui.wait_exit();
}

/// A deploy takes its destination out of the unused view at once.
#[test]
fn a_deploy_takes_its_destination_out_of_the_unused_view() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    let server = short_name("tu");
    ctx.add_server_named(&server, tb.get("DESTUI_TB_HOST_A"), tb.socket_a());
    let network = short_name("nu");
    ctx.create_destination(&server, &network);
    ctx.cleanup_network(tb.socket_a(), &network);
    let destination = format!("{server}-{network}");
    let resource = short_name("rs");

    let tui = Tui::start(&ctx, 120, 40, &[]);
    tui.wait("the server online", |s| {
        s.pane("Servers")
            .is_some_and(|p| p.row(&server).is_some_and(|r| r.contains('●')))
    });
    tui.keys(&["Tab"]);
    tui.wait("Destinations focused", |s| s.focused("Destinations"));
    tui.keys(&["u"]);
    tui.wait("the unused view lists it", |s| {
        s.pane("Unused destinations")
            .is_some_and(|p| p.row_with(&destination).is_some())
    });
    tui.select("Unused destinations", &destination);
    tui.keys(&["n"]);
    tui.wait("the deploy dialog", |s| s.contains("New resource on"));
    // Name, Kind, Destination (the selected one), Image, Command.
    tui.keys(&[
        &resource,
        "Tab",
        "Tab",
        "Tab",
        tb.image(),
        "Tab",
        "sleep 600",
        "Enter",
    ]);
    tui.wait("the destination gone from the unused view", |s| {
        !s.contains("New resource on")
            && s.pane("Unused destinations")
                .is_some_and(|p| p.row_with(&destination).is_none())
    });
    tui.keys(&["q"]);
    tui.wait_exit();
    ctx.run(&["resource", "delete", &resource]).ok();
}
