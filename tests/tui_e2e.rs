//! The real TUI, end to end: the binary runs inside tmux against the testbed's daemons, the
//! tests type keys and read the screen, then check the outcome through the CLI and Docker.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::too_many_lines
)]
mod common;

use common::tmux::{Screen, Tui, short_name};
use common::{
    Ctx, attached, closed_port, docker, inspect_network, kill_masters, network_id_by_exact_name,
    wait_for,
};
use std::time::Duration;

/// The row of `server` in the Servers pane shows `symbol` (`●`, `✗`, `…`, `?`).
fn server_shows(screen: &Screen, server: &str, symbol: &str) -> bool {
    screen
        .pane("Servers")
        .and_then(|p| {
            p.row(server)
                .map(|r| r.split_whitespace().any(|w| w == symbol))
        })
        .unwrap_or(false)
}

/// The Scan pane of `server` has finished scanning and lists `network`.
fn scanned(screen: &Screen, server: &str, network: &str) -> bool {
    screen
        .pane(&format!("Scan {server}"))
        .is_some_and(|p| !p.title_line.contains("scanning") && p.row_with(network).is_some())
}

/// Whether a capture with styles (`capture-pane -e`) sets any foreground or background colour.
fn has_colour(styled: &str) -> bool {
    styled.split("\x1b[").skip(1).any(|seq| {
        let Some(end) = seq.find(|c: char| c.is_ascii_alphabetic()) else {
            return false;
        };
        seq[end..].starts_with('m')
            && seq[..end].split(';').any(|p| {
                p.parse::<u16>()
                    .is_ok_and(|n| matches!(n, 30..=38 | 40..=48 | 90..=97 | 100..=107))
            })
    })
}

/// Scan → check one network with space → import, from the keyboard; returns the screen once
/// the destination is listed and the scan row says `already added`.
fn scan_check_import(tui: &Tui, server: &str, network: &str, destination: &str) -> Screen {
    let scan_title = format!("Scan {server}");
    tui.keys(&["s"]);
    tui.wait(&format!("{scan_title} focused, listing {network}"), |s| {
        s.focused(&scan_title) && scanned(s, server, network)
    });
    tui.select(&scan_title, network);
    tui.keys(&["Space"]);
    let screen = tui.wait(&format!("[x] on {network}"), |s| {
        s.pane(&scan_title)
            .and_then(|p| p.row(network).map(str::to_string))
            .is_some_and(|r| r.contains("[x]"))
    });
    let pane = screen.pane(&scan_title).unwrap();
    assert!(pane.title_line.contains("1 marked"), "{}", screen.text);
    assert_eq!(
        pane.rows.iter().filter(|r| r.contains("[x]")).count(),
        1,
        "only {network} is checked:\n{}",
        screen.text
    );

    tui.keys(&["i"]);
    tui.wait(
        &format!("{destination} listed and {network} already added"),
        |s| {
            let listed = s
                .pane("Destinations")
                .is_some_and(|p| p.row_with(destination).is_some());
            let added = s.pane(&scan_title).is_some_and(|p| {
                !p.title_line.contains("scanning")
                    && p.row(network).is_some_and(|r| {
                        r.contains("already added") && r.contains(" - ") && !r.contains("[x]")
                    })
            });
            listed && added
        },
    )
}

#[test]
fn scan_toggle_import_then_delete_from_the_keyboard_on_two_servers() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    let (server_a, server_b) = (short_name("tua"), short_name("tub"));
    ctx.add_server_named(&server_a, tb.get("DESTUI_TB_HOST_A"), tb.socket_a());
    ctx.add_server_named(&server_b, tb.get("DESTUI_TB_HOST_B"), tb.socket_b());
    let (net_a, net_b) = (short_name("tna"), short_name("tnb"));
    ctx.cleanup_network(tb.socket_a(), &net_a);
    ctx.cleanup_network(tb.socket_b(), &net_b);
    assert!(docker(tb.socket_a(), &["network", "create", &net_a]).0);
    assert!(
        docker(
            tb.socket_b(),
            &[
                "network",
                "create",
                "--driver",
                "overlay",
                "--attachable",
                &net_b
            ]
        )
        .0
    );
    let dest_a = format!("{server_a}-{net_a}");
    let dest_b = format!("{server_b}-{net_b}");

    let tui = Tui::start(&ctx, 120, 40, &[]);
    let screen = tui.wait("both servers online", |s| {
        server_shows(s, &server_a, "●") && server_shows(s, &server_b, "●")
    });
    let servers = screen.pane("Servers").unwrap();
    assert!(servers.focused, "focus starts on Servers:\n{}", screen.text);
    assert_eq!(
        servers.selected(),
        servers.row_with(&server_a),
        "the first server by name is selected:\n{}",
        screen.text
    );
    assert!(
        servers.row(&server_b).unwrap().contains("swarm-mgr"),
        "{}",
        screen.text
    );

    // Server A: scan, check the network, import.
    scan_check_import(&tui, &server_a, &net_a, &dest_a);

    // Server B: back to Servers (Scan → Destinations → Servers), select it, the same there.
    tui.keys(&["BTab", "BTab"]);
    tui.wait("Servers focused", |s| s.focused("Servers"));
    tui.select("Servers", &server_b);
    let screen = scan_check_import(&tui, &server_b, &net_b, &dest_b);
    let destinations = screen.pane("Destinations").unwrap();
    assert!(
        destinations.row(&dest_b).unwrap().contains("swarm"),
        "imported from an overlay network: a swarm destination\n{}",
        screen.text
    );
    assert!(
        destinations.row(&dest_a).unwrap().contains("standalone"),
        "{}",
        screen.text
    );

    // Help opens and any key closes it.
    tui.keys(&["?"]);
    tui.wait("the help", |s| {
        s.pane("Help")
            .is_some_and(|p| p.contains("scan the selected server's networks"))
    });
    tui.keys(&["Escape"]);
    tui.wait("the help closed", |s| {
        s.pane("Help").is_none() && s.pane("Servers").is_some()
    });

    // Delete A's destination from the Destinations pane.
    tui.keys(&["BTab"]);
    tui.wait("Destinations focused", |s| s.focused("Destinations"));
    tui.select("Destinations", &dest_a);
    tui.keys(&["d"]);
    tui.wait("the delete confirmation", |s| {
        s.pane("Delete 1 destination(s)?")
            .is_some_and(|p| p.contains(&dest_a))
    });
    tui.keys(&["y"]);
    let screen = tui.wait(&format!("{dest_a} gone from Destinations"), |s| {
        s.pane("Delete").is_none()
            && s.pane("Destinations")
                .is_some_and(|p| p.row_with(&dest_a).is_none() && p.row_with(&dest_b).is_some())
    });
    let tasks = screen.pane("Tasks").unwrap();
    assert!(
        !tasks.title_line.contains("failed"),
        "no task failed:\n{}",
        screen.text
    );

    tui.keys(&["q"]);
    assert_eq!(tui.wait_exit(), 0, "{}", tui.screen().text);
    assert!(
        !tui.screen().contains("Servers"),
        "the terminal is restored:\n{}",
        tui.screen().text
    );

    // What the TUI did is what the records and the daemons say.
    let list = ctx.json(&["destination", "list"]);
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 1, "{list:?}");
    let b = &list[0];
    assert_eq!(b["name"], dest_b.as_str());
    assert_eq!(b["network"], net_b.as_str());
    assert_eq!(b["server"], server_b.as_str());
    assert_eq!(b["type"], "swarm");
    let id_b = b["network_id"].as_str().unwrap();
    assert_eq!(
        Some(id_b.to_string()),
        network_id_by_exact_name(tb.socket_b(), &net_b)
    );
    assert!(
        attached(tb.socket_b(), id_b).contains(&tb.proxy().to_string()),
        "the proxy is attached to {net_b}"
    );
    assert!(
        inspect_network(tb.socket_a(), &net_a).is_none(),
        "the imported network {net_a} was removed with its destination"
    );

    // The CLI reaches B right after the TUI quit, and the delete really removes the network.
    ctx.run(&["destination", "delete", &dest_b]).ok();
    assert!(
        inspect_network(tb.socket_b(), id_b).is_none(),
        "{net_b} removed"
    );
}

/// The TUI reuses the ssh master a CLI run left behind; quitting it must leave the server
/// reachable for the next CLI run.
#[test]
fn quitting_the_tui_leaves_the_cli_working() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    let server = short_name("tub");
    ctx.add_server_named(&server, tb.get("DESTUI_TB_HOST_B"), tb.socket_b());
    let tui = Tui::start(&ctx, 120, 40, &[]);
    tui.wait("the server online", |s| server_shows(s, &server, "●"));
    tui.keys(&["q"]);
    assert_eq!(tui.wait_exit(), 0);
    let run = ctx.run(&["--json", "server", "check", &server]);
    assert_eq!(
        run.code, 0,
        "the server is reachable after the TUI quit\nstdout: {}\nstderr: {}",
        run.stdout, run.stderr
    );
    assert_eq!(run.json()[0]["online"], true);
}

#[test]
fn an_unreachable_server_does_not_delay_the_others() {
    let tb = live!();
    let mut ctx = Ctx::new(tb);
    // A long connect timeout: the stalled server stays "checking" well after A is online.
    ctx.extra_env
        .push(("DESTUI_CONNECT_TIMEOUT".into(), "10".into()));
    let server_a = short_name("tua");
    ctx.add_server_named(&server_a, tb.get("DESTUI_TB_HOST_A"), tb.socket_a());
    // A closed port (refused at once) and a port that accepts but never speaks (a stalled link).
    let closed = short_name("tuc");
    let stalled = short_name("tus");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    for (name, port) in [
        (&closed, closed_port()),
        (&stalled, listener.local_addr().unwrap().port()),
    ] {
        ctx.run(&[
            "server",
            "add",
            name,
            "--host",
            "127.0.0.1",
            "--port",
            &port.to_string(),
            "--no-check",
        ])
        .ok();
    }

    let tui = Tui::start(&ctx, 120, 40, &[]);
    tui.wait_up_to(Duration::from_secs(3), "the first frame", |s| {
        s.pane("Servers").is_some()
    });
    let first_frame = tui.started.elapsed();

    let screen = tui.wait_up_to(Duration::from_secs(5), "A online", |s| {
        server_shows(s, &server_a, "●")
    });
    eprintln!(
        "first frame after {first_frame:?}, {server_a} online after {:?}",
        tui.started.elapsed()
    );
    assert!(
        server_shows(&screen, &stalled, "…"),
        "A is online while the stalled server is still being checked:\n{}",
        screen.text
    );

    let screen = tui.wait_up_to(
        Duration::from_secs(40),
        "both unreachable servers offline",
        |s| server_shows(s, &closed, "✗") && server_shows(s, &stalled, "✗"),
    );
    assert!(server_shows(&screen, &server_a, "●"), "{}", screen.text);
    assert!(
        has_colour(&tui.screen_with_styles()),
        "without NO_COLOR the screen has colours"
    );

    // The selected server's details say that it is offline, and Enter shows the whole error.
    for (name, why) in [(&closed, "nothing accepts"), (&stalled, "timed out")] {
        tui.select("Servers", name);
        // The reason itself (wrapped over the detail lines), without repeating the name.
        tui.wait(&format!("{name}'s error line"), |s| {
            s.pane("Servers").is_some_and(|p| {
                let detail: Vec<&str> = p.rows.iter().map(|r| r.trim()).collect();
                let detail = detail.join(" ");
                p.rows.iter().any(|r| r.starts_with("error: "))
                    && detail.contains(why)
                    && !detail.contains(&format!("server {name} is unreachable"))
            })
        });
        tui.keys(&["Enter"]);
        let title = format!("Server {name}");
        tui.wait(&format!("{name}'s details with {why:?}"), |s| {
            s.pane(&title).is_some_and(|p| {
                let text: Vec<&str> = p.rows.iter().map(|r| r.trim()).collect();
                text.join(" ").contains(why)
            })
        });
        tui.keys(&["Escape"]);
        tui.wait("the details closed", |s| s.pane(&title).is_none());
    }
    tui.select("Servers", &server_a);
    tui.wait("A's details", |s| {
        s.pane("Servers")
            .is_some_and(|p| p.contains("online · Docker") && !p.contains("error:"))
    });

    tui.keys(&["q"]);
    assert_eq!(tui.wait_exit(), 0);
    drop(listener);
    assert!(
        first_frame < Duration::from_secs(3),
        "the first frame took {first_frame:?}"
    );
}

#[test]
fn an_empty_database_offers_the_local_docker_socket() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    let tui = Tui::start(&ctx, 120, 40, &[]);
    tui.wait("the offer to add the local socket", |s| {
        s.pane("No servers yet")
            .is_some_and(|p| p.contains("Add it as the first server, named `local`?"))
    });
    tui.keys(&["y"]);
    let screen = tui.wait("local online", |s| {
        s.pane("No servers yet").is_none() && server_shows(s, "local", "●")
    });
    let servers = screen.pane("Servers").unwrap();
    assert_eq!(
        servers.selected(),
        servers.row_with("local"),
        "{}",
        screen.text
    );
    assert!(servers.contains("local socket"), "{}", screen.text);
    tui.keys(&["q"]);
    assert_eq!(tui.wait_exit(), 0);

    let list = ctx.json(&["server", "list"]);
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(list[0]["name"], "local");
    assert_eq!(list[0]["local"], true);
    assert_eq!(list[0]["online"], true);
}

#[test]
fn at_80x24_without_colour_the_markers_still_show() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    let server = short_name("tua");
    ctx.add_server_named(&server, tb.get("DESTUI_TB_HOST_A"), tb.socket_a());
    let net = short_name("tna");
    ctx.cleanup_network(tb.socket_a(), &net);
    assert!(docker(tb.socket_a(), &["network", "create", &net]).0);

    let tui = Tui::start(&ctx, 80, 24, &[("NO_COLOR", "1")]);
    let screen = tui.wait("the server online", |s| server_shows(s, &server, "●"));
    for title in ["Servers", "Destinations", "Scan", "Tasks"] {
        assert!(
            screen.pane(title).is_some(),
            "{title} at 80x24:\n{}",
            screen.text
        );
    }
    let servers = screen.pane("Servers").unwrap();
    assert!(
        servers.row(&server).unwrap().starts_with('>'),
        "{}",
        screen.text
    );

    let scan_title = format!("Scan {server}");
    tui.keys(&["s"]);
    tui.wait("the scan", |s| {
        s.focused(&scan_title) && scanned(s, &server, &net)
    });
    tui.select(&scan_title, &net);
    tui.keys(&["Space"]);
    let screen = tui.wait(&format!("[x] on {net}"), |s| {
        s.pane(&scan_title)
            .and_then(|p| p.row(&net).map(str::to_string))
            .is_some_and(|r| r.contains("[x]"))
    });
    assert!(screen.pane(&scan_title).unwrap().selected().is_some());
    let styled = tui.screen_with_styles();
    assert!(!has_colour(&styled), "NO_COLOR: no colours\n{styled:?}");

    // Esc in Scan unchecks.
    tui.keys(&["Escape"]);
    tui.wait(&format!("[ ] on {net}"), |s| {
        s.pane(&scan_title)
            .and_then(|p| p.row(&net).map(str::to_string))
            .is_some_and(|r| r.contains("[ ]"))
    });
    tui.keys(&["q"]);
    assert_eq!(tui.wait_exit(), 0);
    assert!(
        ctx.json(&["destination", "list"])
            .as_array()
            .unwrap()
            .is_empty()
    );
}

/// The master connection dies in the middle of a session (kill -9): the next action finds
/// the dead tunnel, reconnects and succeeds, with no restart and no failed task.
#[test]
fn a_master_killed_mid_session_is_reconnected_by_the_next_action() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    let server = short_name("tum");
    ctx.add_server_named(&server, tb.get("DESTUI_TB_HOST_A"), tb.socket_a());
    let net = short_name("tmk");
    ctx.cleanup_network(tb.socket_a(), &net);
    let tui = Tui::start(&ctx, 120, 40, &[]);
    tui.wait("the server online", |s| server_shows(s, &server, "●"));
    assert!(docker(tb.socket_a(), &["network", "create", &net]).0);

    assert!(kill_masters(&ctx) >= 1, "no master to kill");
    tui.keys(&["s"]);
    let screen = tui.wait(&format!("a scan listing {net} after the kill"), |s| {
        scanned(s, &server, &net)
    });
    assert!(
        !screen.contains("failed"),
        "no task failed:\n{}",
        screen.text
    );
    // Online all along: at most `↻` (its event stream reconnecting) for a moment, never `✗`.
    assert!(!server_shows(&screen, &server, "✗"), "{}", screen.text);
    tui.wait("the server's events back", |s| {
        server_shows(s, &server, "●")
    });
    tui.keys(&["q"]);
    assert_eq!(tui.wait_exit(), 0);
}

/// A delete killed half-way (kill -9 after the proxy was detached): the TUI opens at once and
/// settles it in the background, then shows the records as they now are.
#[test]
fn the_tui_settles_an_interrupted_delete_after_its_first_frame() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    let server = short_name("tus");
    ctx.add_server_named(&server, tb.get("DESTUI_TB_HOST_A"), tb.socket_a());
    let net = short_name("tsd");
    ctx.cleanup_network(tb.socket_a(), &net);
    ctx.create_destination(&server, &net);
    ctx.crash_at(
        "after-proxy-disconnect",
        &["destination", "delete", &format!("{server}/{net}")],
    );

    let tui = Tui::start(&ctx, 120, 40, &[]);
    let screen = tui.wait("the interrupted delete finished", |s| {
        s.contains("finished deleting")
            && s.pane("Destinations").is_some_and(|p| {
                p.rows.iter().any(|r| r.contains("none yet"))
                    && !p.rows.iter().any(|r| r.contains(net.as_str()))
            })
    });
    assert!(!screen.contains("failed"), "{}", screen.text);
    tui.keys(&["q"]);
    assert_eq!(tui.wait_exit(), 0);
    assert!(network_id_by_exact_name(tb.socket_a(), &net).is_none());
}

// ---------- daily use (DESIGN.md §3, issue 15) ----------

/// The names of the networks destui manages on the daemon at `socket`.
fn managed_networks(socket: &str) -> std::collections::BTreeSet<String> {
    let (ok, out) = docker(
        socket,
        &[
            "network",
            "ls",
            "--filter",
            "label=destui.managed=true",
            "--format",
            "{{.Name}}",
        ],
    );
    assert!(ok, "docker network ls: {out}");
    out.lines().map(str::to_string).collect()
}

/// Whether `name` has the shape of the network name a create form proposes (a uuid).
fn uuid_shaped(name: &str) -> bool {
    name.len() == 36 && name.chars().filter(|c| *c == '-').count() == 4
}

/// A server that accepts connections and never answers (a stalled link), recorded unchecked;
/// connecting to it waits `DESTUI_CONNECT_TIMEOUT` (10 s here).
fn with_stalled_server(ctx: &mut Ctx) -> String {
    let stalled = short_name("tus");
    ctx.add_silent_server(&stalled, 10);
    stalled
}

/// Sends `key` and returns how long the process took to be gone (at most `limit`, else panics).
#[track_caller]
fn gone_within(tui: &Tui, key: &str, limit: Duration) -> Duration {
    let pressed = std::time::Instant::now();
    tui.keys(&[key]);
    let gone = wait_for(limit, || tui.exit_status().is_some());
    let took = pressed.elapsed();
    assert!(
        gone,
        "destui still running {took:?} after {key}\n{}",
        tui.screen().text
    );
    took
}

#[test]
fn keys_after_slash_in_the_tasks_pane_are_a_filter_and_create_nothing() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    let server = short_name("tua");
    ctx.add_server_named(&server, tb.get("DESTUI_TB_HOST_A"), tb.socket_a());
    let before = managed_networks(tb.socket_a());
    let tui = Tui::start(&ctx, 120, 40, &[]);
    tui.wait("the server online", |s| server_shows(s, &server, "●"));
    tui.keys(&["BTab"]);
    tui.wait("Tasks focused", |s| s.focused("Tasks"));
    // The keys of issue 15: `/` then `a` (add) and Enter (submit) once ran as commands.
    tui.keys(&["/", "a", "Enter"]);
    let screen = tui.wait("the Tasks pane filtered by a", |s| {
        s.pane("Tasks").is_some_and(|p| p.title_line.contains("/a"))
    });
    assert!(
        screen.pane("Create destination").is_none(),
        "no create dialog:\n{}",
        screen.text
    );
    // Nothing is queued: q quits at once (it would ask with a change pending).
    tui.keys(&["q"]);
    assert_eq!(tui.wait_exit(), 0, "{}", tui.screen().text);
    let list = ctx.json(&["destination", "list"]);
    assert_eq!(list.as_array().map(Vec::len), Some(0), "{list:?}");
    let made: Vec<String> = managed_networks(tb.socket_a())
        .difference(&before)
        .filter(|n| uuid_shaped(n))
        .cloned()
        .collect();
    assert!(made.is_empty(), "networks created: {made:?}");
}

#[test]
fn q_with_a_change_pending_asks_first_and_then_quits_at_once() {
    let tb = live!();
    let mut ctx = Ctx::new(tb);
    let stalled = with_stalled_server(&mut ctx);
    let tui = Tui::start(&ctx, 120, 40, &[]);
    tui.wait("the stalled server being checked", |s| {
        server_shows(s, &stalled, "…")
    });
    // A create on the stalled server waits behind its check: a change queued.
    tui.keys(&["Tab", "a"]);
    tui.wait("the create form", |s| {
        s.pane("Create destination").is_some()
    });
    tui.keys(&["Enter"]);
    tui.wait("the create queued", |s| {
        s.pane("Tasks")
            .is_some_and(|p| p.rows.iter().any(|r| r.contains("create")))
    });
    tui.keys(&["Escape"]);
    tui.wait("the form closed", |s| {
        s.pane("Create destination").is_none()
    });
    tui.keys(&["q"]);
    let screen = tui.wait("the quit question", |s| {
        s.pane("Quit?")
            .is_some_and(|p| p.contains("1 change(s) are queued or running; quit anyway?"))
    });
    assert!(screen.pane("Servers").is_some(), "still running");
    tui.keys(&["n"]);
    tui.wait("the question closed", |s| {
        s.pane("Quit?").is_none() && s.pane("Servers").is_some()
    });
    tui.keys(&["q"]);
    tui.wait("the quit question again", |s| s.pane("Quit?").is_some());
    let took = gone_within(&tui, "y", Duration::from_secs(2));
    eprintln!("gone {took:?} after y");
    assert_eq!(tui.wait_exit(), 0);
}

#[test]
fn quitting_while_a_server_stalls_is_done_within_two_seconds() {
    let tb = live!();
    let mut ctx = Ctx::new(tb);
    let stalled = with_stalled_server(&mut ctx);
    let server_a = short_name("tua");
    ctx.add_server_named(&server_a, tb.get("DESTUI_TB_HOST_A"), tb.socket_a());
    let tui = Tui::start(&ctx, 120, 40, &[]);
    tui.wait("A online, the stalled server still being checked", |s| {
        server_shows(s, &server_a, "●") && server_shows(s, &stalled, "…")
    });
    // A check is a read: q does not ask, and nothing waits on the stalled server.
    let took = gone_within(&tui, "q", Duration::from_secs(2));
    eprintln!("gone {took:?} after q");
    assert_eq!(tui.wait_exit(), 0);
    assert!(
        !tui.screen().contains("Servers"),
        "the terminal is restored:\n{}",
        tui.screen().text
    );
}
