//! DESIGN.md §8 and §16: a dry run writes nothing to the data directory and exits as the real
//! run would. "Nothing" is compared by content — every tree's keys and values before and
//! after — not by the files' bytes: sled rewrites its files on a mere open and close (a
//! `server list` changes `db/db` and adds a snapshot), so a hash of the files would change
//! with no record touched.
//!
//! Before each dry run every server's last check is made an hour old and the checks shared
//! in the runtime directory go, as for a dry run made long after the last command: a dry run
//! then checks its server live, and what that check finds must not be recorded.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::too_many_lines
)]

mod common;

use common::{Ctx, ResourceContainers, Run, docker_ok, path_str, unique_name};
use destui::domain::Error;
use destui::store::{Contents, Store};
use std::path::Path;
use std::time::{Duration, Instant};

/// The data directory opened by the test itself. sled lets go of its lock from a thread of
/// its own when the last handle drops: the test's previous open may hold it a moment longer.
fn open(ctx: &Ctx) -> Store {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match Store::open(&ctx.db()) {
            Err(Error::StoreLocked(_)) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(20));
            }
            opened => return opened.expect("open the data directory"),
        }
    }
}

fn contents(ctx: &Ctx) -> Contents {
    open(ctx).contents().expect("read every tree")
}

/// Every server's last check an hour older; no shared check left in the runtime directory.
fn age_checks(ctx: &Ctx) {
    let store = open(ctx);
    for mut server in store.servers().expect("the servers") {
        if let Some(at) = server.checked_at {
            server.checked_at = Some(at - 3600);
            store.save_server(&server).expect("age the check");
        }
    }
    drop(store);
    remove_shared_checks(&ctx.runtime());
}

fn remove_shared_checks(dir: &Path) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            remove_shared_checks(&path);
        } else if path.extension().is_some_and(|x| x == "check") {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// Runs the dry run `args` (exit 0, or 1 with its one-line refusal) and checks that every
/// record of the data directory is as it was.
#[track_caller]
fn writes_nothing(ctx: &Ctx, args: &[&str]) -> Run {
    age_checks(ctx);
    let before = contents(ctx);
    let run = ctx.run(args);
    eprintln!("{args:?}: exit {} {}", run.code, run.stderr.trim());
    assert!(
        run.code == 0 || run.code == 1,
        "{args:?}: exit {}\nstderr: {}",
        run.code,
        run.stderr
    );
    assert!(
        contents(ctx) == before,
        "{args:?} wrote to the data directory\nstdout: {}\nstderr: {}",
        run.stdout,
        run.stderr
    );
    run
}

#[test]
fn no_dry_run_writes_to_the_data_directory_on_a_reachable_server() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    let socket = tb.socket_a();
    let server = ctx.add_server_a();
    let network = unique_name("dw");
    ctx.cleanup_network(socket, &network);
    let d = ctx.create_destination(&server, &network);
    let name = d["name"].as_str().expect("a name").to_string();
    let resource = unique_name("dwr");
    let deployed = ctx.deploy(&resource, &server, Some(&name), None);
    let uuid = deployed["uuid"].as_str().expect("a uuid").to_string();
    let _containers = ResourceContainers(socket, vec![uuid]);
    let (fresh, copy, other) = (unique_name("dwn"), unique_name("dwc"), unique_name("dws"));
    // A network made by hand, importable.
    let loose = unique_name("dwl");
    ctx.cleanup_network(socket, &loose);
    docker_ok(socket, &["network", "create", &loose]);
    let host = tb.get("DESTUI_TB_HOST_A");
    let ssh_config = path_str(Path::new(tb.ssh_config()));
    let image = tb.image();
    let runs: Vec<Vec<&str>> = vec![
        vec![
            "destination",
            "create",
            "--server",
            &server,
            "--network",
            &fresh,
            "--dry-run",
        ],
        vec!["destination", "rename", &name, "dw-renamed", "--dry-run"],
        vec![
            "destination",
            "edit",
            &name,
            "--description",
            "x",
            "--dry-run",
        ],
        vec!["destination", "delete", &name, "--dry-run"],
        vec!["destination", "repair", &name, "--dry-run"],
        vec!["import", &server, &loose, "--dry-run"],
        vec!["sync", &server, "--dry-run"],
        vec![
            "resource",
            "create",
            &copy,
            "--server",
            &server,
            "--destination",
            &name,
            "--image",
            image,
            "--dry-run",
        ],
        vec![
            "resource",
            "clone",
            &resource,
            "--destination",
            &name,
            "--dry-run",
        ],
        vec!["resource", "delete", &resource, "--dry-run"],
        vec![
            "server",
            "add",
            &other,
            "--host",
            host,
            // B's socket behind the same sshd: A's would be refused before the check, as a
            // second record of one Docker.
            "--docker-socket",
            tb.socket_b(),
            "--dry-run",
        ],
        vec!["server", "edit", &server, "--color", "red", "--dry-run"],
        vec!["server", "remove", &server, "--force", "--dry-run"],
        vec!["server", "trust", &server, "--dry-run"],
        vec![
            "--ssh-config",
            &ssh_config,
            "server",
            "import",
            "--ssh-config",
            "--match",
            host,
            "--dry-run",
        ],
    ];
    for args in &runs {
        writes_nothing(&ctx, args);
    }
    ctx.run(&["resource", "delete", &resource]).ok();
}

#[test]
fn no_dry_run_writes_on_an_unreachable_never_checked_server_and_sync_exits_as_the_real_run() {
    let ctx = Ctx::offline();
    let dead = unique_name("dead");
    ctx.add_closed_server(&dead);
    let other = unique_name("other");
    let port = common::closed_port().to_string();
    let runs: Vec<Vec<&str>> = vec![
        vec!["destination", "create", "--server", &dead, "--dry-run"],
        vec!["import", &dead, "--all", "--dry-run"],
        vec!["server", "edit", &dead, "--color", "red", "--dry-run"],
        vec!["server", "remove", &dead, "--dry-run"],
        vec!["server", "trust", &dead, "--dry-run"],
        vec![
            "resource",
            "create",
            "dr",
            "--server",
            &dead,
            "--image",
            "busybox",
            "--dry-run",
        ],
        vec![
            "server",
            "add",
            &other,
            "--host",
            "127.0.0.1",
            "--port",
            &port,
            "--dry-run",
        ],
    ];
    for args in &runs {
        writes_nothing(&ctx, args);
    }
    // The server still shows as never checked, not offline.
    let listed = ctx.json(&["server", "list"]);
    let row = &listed[0];
    assert_eq!(row["name"], dead.as_str());
    assert!(row["checked_at"].is_null(), "{row}");
    assert!(row["last_error"].is_null(), "{row}");

    // sync: the dry run exits as the real run, with the same line.
    let dry = writes_nothing(&ctx, &["sync", &dead, "--dry-run"]);
    let real = ctx.run(&["sync", &dead]);
    assert_eq!(real.code, 1, "{}", real.stderr);
    assert_eq!(dry.code, real.code, "{}", dry.stderr);
    let last = |run: &Run| {
        run.stderr
            .trim()
            .lines()
            .last()
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(last(&dry), last(&real));
}

#[test]
fn a_dry_run_leaves_a_change_left_half_done_to_the_next_real_command() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    let socket = tb.socket_a();
    let server = ctx.add_server_a();
    let network = unique_name("dwi");
    ctx.cleanup_network(socket, &network);
    let create = [
        "destination",
        "create",
        "--server",
        &server,
        "--network",
        &network,
    ];
    ctx.crash_at("after-network-create", &create);
    // The interrupted create's intent stays as it is through a dry run…
    let other = unique_name("dwj");
    writes_nothing(
        &ctx,
        &[
            "destination",
            "create",
            "--server",
            &server,
            "--network",
            &other,
            "--dry-run",
        ],
    );
    // …and the next real command settles it: the labelled network is adopted.
    let listed = ctx.json(&["destination", "list"]);
    let networks: Vec<&str> = listed
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|d| d["network"].as_str())
        .collect();
    assert_eq!(networks, [network.as_str()], "{listed}");
    ctx.run(&["destination", "delete", &format!("{server}/{network}")])
        .ok();
}
