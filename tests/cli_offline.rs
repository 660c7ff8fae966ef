//! Command-line behaviour that needs no server: refusals happen before any remote call.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::too_many_lines
)]
mod common;

use common::{Ctx, closed_port};
use std::time::{Duration, Instant};

/// A server whose port is closed: any remote call would fail with "unreachable", so a
/// validation message proves the input was refused first.
fn ctx_with_dead_server() -> (Ctx, String) {
    let ctx = Ctx::offline();
    ctx.add_closed_server("dead");
    (ctx, "dead".to_string())
}

#[test]
fn hostile_network_names_are_refused_before_any_remote_call() {
    let (ctx, server) = ctx_with_dead_server();
    let long = "x".repeat(300);
    for bad in [
        "../x",
        "-rf",
        "with space",
        "ünïcödé",
        long.as_str(),
        "a/b",
        "",
    ] {
        let started = Instant::now();
        let run = ctx
            .run(&[
                "destination",
                "create",
                "--server",
                &server,
                &format!("--network={bad}"),
            ])
            .refused();
        assert!(
            run.stderr.contains("invalid network name"),
            "{bad:?} → {}",
            run.stderr
        );
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "no remote call for {bad:?}"
        );
    }
    let list = ctx.json(&["destination", "list"]);
    assert_eq!(list.as_array().unwrap().len(), 0, "nothing half-written");
}

#[test]
fn hostile_host_input_is_refused_and_never_reaches_ssh() {
    let ctx = Ctx::offline();
    let marker = ctx.dir.path().join("pwned");
    let host = format!("-oProxyCommand=touch {}", marker.display());
    let host_arg = format!("--host={host}");
    // Given as a separate argument, clap already refuses it as a usage error.
    assert_eq!(ctx.run(&["server", "add", "evil", "--host", &host]).code, 2);
    let run = ctx.run(&["server", "add", "evil", &host_arg]).refused();
    assert!(run.stderr.contains("invalid host"), "{}", run.stderr);
    // Even with --no-check, nothing is saved.
    ctx.run(&["server", "add", "evil", &host_arg, "--no-check"])
        .refused();
    assert!(!marker.exists(), "ssh must never have run the ProxyCommand");
    assert_eq!(ctx.json(&["server", "list"]).as_array().unwrap().len(), 0);
    ctx.run(&[
        "server",
        "add",
        "evil",
        "--host",
        "x",
        "--user=-oFoo=bar",
        "--no-check",
    ])
    .refused();
    ctx.run(&[
        "server",
        "add",
        "evil",
        "--host",
        "x",
        "--docker-socket",
        "/a:b",
        "--no-check",
    ])
    .refused();
}

#[test]
fn build_servers_cannot_hold_destinations() {
    let ctx = Ctx::offline();
    ctx.run(&[
        "server",
        "add",
        "builder",
        "--host",
        "127.0.0.1",
        "--build-server",
        "--no-check",
    ])
    .ok();
    let run = ctx
        .run(&["destination", "create", "--server", "builder"])
        .refused();
    assert_eq!(
        run.stderr.trim(),
        "destui: Destinations cannot be created on a build server."
    );
}

#[test]
fn unknown_references_and_usage_errors() {
    let ctx = Ctx::offline();
    let run = ctx.run(&["destination", "show", "nope"]).refused();
    assert!(run.stderr.contains("no destination nope"), "{}", run.stderr);
    let run = ctx
        .run(&["destination", "create", "--server", "ghost"])
        .refused();
    assert!(
        run.stderr.contains("no server named ghost"),
        "{}",
        run.stderr
    );
    assert_eq!(
        ctx.run(&["destination", "frobnicate"]).code,
        2,
        "usage error exits 2"
    );
    assert_eq!(ctx.run(&["server", "add"]).code, 2);
}

#[test]
fn closed_port_is_a_clear_refusal_not_a_hang() {
    let ctx = Ctx::offline();
    let port = closed_port().to_string();
    let started = Instant::now();
    let run = ctx
        .run(&[
            "server",
            "add",
            "closed",
            "--host",
            "127.0.0.1",
            "--port",
            &port,
        ])
        .refused();
    assert!(started.elapsed() < Duration::from_secs(20));
    assert!(run.stderr.contains("connection refused"), "{}", run.stderr);
    assert!(run.stderr.contains("Nothing was saved"), "{}", run.stderr);
    assert_eq!(ctx.json(&["server", "list"]).as_array().unwrap().len(), 0);
}

#[test]
fn a_second_process_on_the_same_data_directory_is_refused() {
    let ctx = Ctx::offline();
    ctx.run(&["server", "list"]).ok();
    // This test process holds the data directory open, as a running TUI would.
    let held = destui::store::Store::open(&ctx.db()).expect("open store");
    let run = ctx.run(&["server", "list"]).refused();
    assert!(
        run.stderr.contains("another destui is using"),
        "{}",
        run.stderr
    );
    drop(held);
    ctx.run(&["server", "list"]).ok();
}

#[test]
fn a_data_directory_from_a_newer_schema_is_refused() {
    let ctx = Ctx::offline();
    ctx.run(&["server", "add", "s", "--host", "h", "--no-check"])
        .ok();
    destui::store::Store::open(&ctx.db())
        .unwrap()
        .set_schema_version(destui::store::SCHEMA_VERSION + 1)
        .unwrap();
    let run = ctx.run(&["server", "list"]).refused();
    assert!(
        run.stderr.contains("written by a newer destui"),
        "{}",
        run.stderr
    );
}

#[test]
fn data_directory_is_created_private() {
    use std::os::unix::fs::PermissionsExt;
    let ctx = Ctx::offline();
    ctx.run(&["server", "list"]).ok();
    let mode = std::fs::metadata(ctx.db()).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o700);
}

#[test]
fn completions_are_generated() {
    let ctx = Ctx::offline();
    let run = ctx.run(&["completions", "bash"]).ok();
    assert!(run.stdout.contains("destination"));
}

/// `destui man` read back with `man -l`, as an admin would: the page of destui and of a
/// command it names.
fn rendered(ctx: &Ctx, args: &[&str]) -> String {
    let page = ctx.run(args).ok().stdout;
    let file = ctx.dir.path().join("page.1");
    std::fs::write(&file, page).unwrap();
    let out = std::process::Command::new("man")
        .arg("-l")
        .arg(&file)
        .env("MANWIDTH", "100")
        .env("MANPAGER", "cat")
        .output()
        .expect("man (man-db; tests/testbed/install.sh installs it)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn the_manual_pages_render_with_man() {
    let ctx = Ctx::offline();
    let page = rendered(&ctx, &["man"]);
    for part in [
        "NAME",
        "SYNOPSIS",
        "SUBCOMMANDS",
        "destui-destination(1)",
        "destui-watch(1)",
        "--ssh-config",
    ] {
        assert!(page.contains(part), "{part} in\n{page}");
    }
    let page = rendered(&ctx, &["man", "destination", "create"]);
    assert!(page.contains("destui-destination-create"), "{page}");
    assert!(
        page.contains("--description") && page.contains("--server"),
        "{page}"
    );
    let run = ctx.run(&["man", "nosuch"]);
    assert_eq!(run.code, 1);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(run.stderr.contains("no command nosuch"), "{}", run.stderr);
}

#[test]
fn server_json_has_the_contract_keys() {
    let ctx = Ctx::offline();
    let v = ctx.json(&[
        "server",
        "add",
        "s1",
        "--host",
        "example.invalid",
        "--no-check",
    ]);
    for key in [
        "uuid",
        "name",
        "host",
        "port",
        "user",
        "docker_socket",
        "local",
        "build_server",
        "proxy_container",
        "mode",
        "online",
        "last_error",
        "docker_version",
    ] {
        assert!(v.get(key).is_some(), "missing key {key} in {v}");
    }
    assert_eq!(v["proxy_container"], "coolify-proxy");
    assert_eq!(v["docker_socket"], "/var/run/docker.sock");
}

#[test]
fn a_server_with_destinations_cannot_be_removed_and_force_forgets_it() {
    let ctx = Ctx::offline();
    ctx.run(&["server", "add", "s", "--host", "h", "--no-check"])
        .ok();
    // A record whose network lives on an unreachable server, inserted through the store.
    {
        let store = destui::store::Store::open(&ctx.db()).unwrap();
        let server = store.find_server("s").unwrap();
        store
            .insert_destination(&destui::domain::Destination {
                uuid: destui::domain::new_uuid().into(),
                name: "d1".into(),
                network: "n1".into(),
                network_id: "f".repeat(64),
                server_uuid: server.uuid,
                kind: destui::domain::DestinationType::Standalone,
                created_at: 0,
                description: None,
                original_name: None,
                options: Default::default(),
            })
            .unwrap();
    }
    let run = ctx.run(&["server", "remove", "s"]).refused();
    assert!(
        run.stderr.contains("has 1 destination(s)"),
        "{}",
        run.stderr
    );
    // Without a terminal, --force needs --yes.
    ctx.run(&["server", "remove", "s", "--force"]).refused();
    assert_eq!(
        ctx.json(&["destination", "list"]).as_array().unwrap().len(),
        1
    );
    let run = ctx.run(&["server", "remove", "s", "--force", "--yes"]).ok();
    assert!(
        run.stderr.contains("may remain on the host"),
        "{}",
        run.stderr
    );
    assert_eq!(
        ctx.json(&["destination", "list"]).as_array().unwrap().len(),
        0
    );
    assert_eq!(ctx.json(&["server", "list"]).as_array().unwrap().len(), 0);
}

#[test]
fn the_tui_without_a_terminal_says_so_in_one_line() {
    let ctx = Ctx::offline();
    let run = ctx.run(&[]).refused();
    assert_eq!(
        run.stderr.trim(),
        "destui: the TUI needs a terminal; in scripts use the commands (destui --help)"
    );
}

#[test]
fn a_port_left_to_the_ssh_config_is_not_guessed() {
    let ctx = Ctx::offline();
    let v = ctx.json(&[
        "server",
        "add",
        "s1",
        "--host",
        "example.invalid",
        "--no-check",
    ]);
    assert!(v["port"].is_null(), "{v}");
    let v = ctx.json(&[
        "server",
        "add",
        "s2",
        "--host",
        "example.invalid",
        "--port",
        "2222",
        "--no-check",
    ]);
    assert_eq!(v["port"], 2222);
}

/// A server added with --no-check is not called offline before anything was tried; once a
/// check fails it is, with the reason.
#[test]
fn a_server_never_checked_is_listed_as_not_checked_until_a_check_fails() {
    let (ctx, server) = ctx_with_dead_server();
    let state = |ctx: &Ctx| {
        let run = ctx.run(&["server", "list"]).ok();
        let row = run
            .stdout
            .lines()
            .find(|l| l.starts_with(&server))
            .map(str::to_string);
        row.unwrap_or_else(|| panic!("no row for {server}:\n{}", run.stdout))
    };
    let row = state(&ctx);
    assert!(row.contains("not checked"), "{row}");
    assert!(!row.contains("offline"), "{row}");

    let check = ctx.run(&["server", "check", &server]);
    assert_eq!(check.code, 1, "{}{}", check.stdout, check.stderr);
    let lines: Vec<&str> = check.stderr.lines().collect();
    assert!(
        lines.len() == 1
            && lines[0].starts_with(&format!(
                "destui: server {server} is unreachable: nothing accepts ssh connections at"
            ))
            && lines[0].contains("check the host and port"),
        "one line saying what is wrong and what to do: {lines:?}"
    );
    let row = state(&ctx);
    assert!(row.contains("offline"), "{row}");
    assert!(row.contains("connection refused"), "{row}");
}
