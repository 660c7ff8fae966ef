//! Many destui processes on one data directory (DESIGN.md §10): the one holding the store
//! serves the others through `<data dir>/destui.sock`, beside an open TUI and in parallel,
//! against the real testbed.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::too_many_lines
)]
mod common;

use common::tmux::{Tui, short_name};
use common::{Ctx, network_id_by_exact_name};
use std::collections::BTreeSet;
use std::os::unix::fs::PermissionsExt;
use std::process::{Command, Stdio};

fn args(line: &str) -> Vec<String> {
    line.split(' ').map(String::from).collect()
}

/// The destinations the records list on `server`, by network name.
fn recorded_networks(ctx: &Ctx, server: &str) -> BTreeSet<String> {
    ctx.json(&["destination", "list", "--server", server])
        .as_array()
        .expect("a list")
        .iter()
        .map(|d| d["network"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// The TUI is up, holding the data directory, with `extra` in its environment: its one server
/// loaded and checked online.
fn tui_ready(ctx: &Ctx, extra: &[(&str, &str)]) -> Tui {
    let tui = Tui::start(ctx, 120, 40, extra);
    tui.wait("the server loaded and online", |s| {
        s.pane("Servers")
            .is_some_and(|p| p.rows.iter().any(|r| r.contains('●')))
    });
    tui
}

fn quit(tui: &Tui) {
    tui.keys(&["q"]);
    assert_eq!(tui.wait_exit(), 0, "the TUI quits cleanly");
}

#[test]
fn ten_commands_at_once_with_no_tui_all_succeed_and_records_match_the_daemon() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    let a = ctx.add_server_a();
    let kept = short_name("kp");
    ctx.create_destination(&a, &kept);
    ctx.cleanup_network(tb.socket_a(), &kept);
    let made: Vec<String> = (0..6).map(|_| short_name("par")).collect();
    for n in &made {
        ctx.cleanup_network(tb.socket_a(), n);
    }
    let mut commands: Vec<Vec<String>> = made
        .iter()
        .map(|n| {
            args(&format!(
                "destination create --server {a} --network {n} --name {n}"
            ))
        })
        .collect();
    commands.push(args("destination list"));
    commands.push(args(&format!("--json destination show {a}/{kept}")));
    commands.push(args(&format!("scan {a}")));
    commands.push(args("server list"));
    let runs = ctx.all_at_once(&commands);
    for (command, run) in commands.iter().zip(&runs) {
        assert_eq!(
            run.code, 0,
            "{command:?} failed\nstdout: {}\nstderr: {}",
            run.stdout, run.stderr
        );
    }
    for (n, run) in made.iter().zip(&runs) {
        assert_eq!(
            run.stdout,
            format!("created destination {n} (network {n}, standalone) on {a}\n")
        );
    }
    assert_eq!(runs[7].json()["network"], kept.as_str());
    // Records and the daemon agree: every record has its network, and no network of ours is
    // left without a record.
    let recorded = recorded_networks(&ctx, &a);
    for n in made.iter().chain([&kept]) {
        assert!(recorded.contains(n), "{n} is recorded: {recorded:?}");
        assert!(
            network_id_by_exact_name(tb.socket_a(), n).is_some(),
            "{n} exists on the daemon"
        );
    }
    assert_eq!(recorded.len(), made.len() + 1);
}

#[test]
fn twenty_commands_beside_an_open_tui_print_what_they_print_alone() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    let a = ctx.add_server_a();
    let b = ctx.add_server_b();
    // Server b is only read while the commands run, so what reads print can be compared with
    // the same reads run alone afterwards; server a takes the writes.
    let shown = short_name("sh");
    ctx.create_destination(&b, &shown);
    ctx.cleanup_network(tb.socket_b(), &shown);
    let renamed: Vec<String> = (0..4).map(|_| short_name("rn")).collect();
    let deleted: Vec<String> = (0..4).map(|_| short_name("dl")).collect();
    for n in renamed.iter().chain(&deleted) {
        ctx.create_destination(&a, n);
        ctx.cleanup_network(tb.socket_a(), n);
    }
    let created: Vec<String> = (0..5).map(|_| short_name("cr")).collect();
    for n in &created {
        ctx.cleanup_network(tb.socket_a(), n);
    }
    let name_of = |network: &str| format!("{a}-{network}");

    let tui = tui_ready(&ctx, &[]);
    let mut writes: Vec<(Vec<String>, String)> = Vec::new();
    for n in &created {
        writes.push((
            args(&format!(
                "destination create --server {a} --network {n} --name {n}"
            )),
            format!("created destination {n} (network {n}, standalone) on {a}\n"),
        ));
    }
    for n in &renamed {
        writes.push((
            args(&format!("destination rename {} {n}-new", name_of(n))),
            format!("renamed to {n}-new\n"),
        ));
    }
    for n in &deleted {
        writes.push((
            args(&format!("destination delete {}", name_of(n))),
            format!("deleted destination {} (network {n})\n", name_of(n)),
        ));
    }
    let reads: Vec<Vec<String>> = [
        format!("destination list --server {b}"),
        format!("--json destination list --server {b}"),
        format!("destination show {b}/{shown}"),
        format!("--json destination show {b}/{shown}"),
        format!("scan {b}"),
        format!("--json scan {b}"),
        "resource list".to_string(),
    ]
    .iter()
    .map(|l| args(l))
    .collect();
    let mut commands: Vec<Vec<String>> = writes.iter().map(|(c, _)| c.clone()).collect();
    commands.extend(reads.iter().cloned());
    assert_eq!(commands.len(), 20);
    let runs = ctx.all_at_once(&commands);
    for (command, run) in commands.iter().zip(&runs) {
        assert_eq!(
            (run.code, run.stderr.as_str()),
            (0, ""),
            "{command:?}\nstdout: {}",
            run.stdout
        );
    }
    for ((command, expected), run) in writes.iter().zip(&runs) {
        assert_eq!(&run.stdout, expected, "{command:?}");
    }
    // The TUI listed them as coming from the command line, and shows what they did.
    let screen = tui.wait("the forwarded commands and their effect", |s| {
        s.contains("cli: ")
            && s.pane("Destinations")
                .is_some_and(|p| created.iter().all(|n| p.row_with(n).is_some()))
    });
    let tasks = screen.pane("Tasks").expect("the Tasks pane");
    assert!(
        tasks.rows.iter().filter(|r| r.contains("cli: ")).count() >= 5,
        "rows marked as from the command line:\n{}",
        screen.text
    );
    quit(&tui);

    // Alone, with nothing holding the data directory, the reads print the same bytes.
    for (command, forwarded) in reads.iter().zip(&runs[writes.len()..]) {
        let alone = ctx.run(&command.iter().map(String::as_str).collect::<Vec<_>>());
        assert_eq!(alone.code, 0, "{command:?}: {}", alone.stderr);
        assert_eq!(
            forwarded.stdout, alone.stdout,
            "{command:?} forwarded vs alone"
        );
    }
    let recorded = recorded_networks(&ctx, &a);
    for n in created.iter().chain(&renamed) {
        assert!(recorded.contains(n), "{n}: {recorded:?}");
    }
    for n in &deleted {
        assert!(!recorded.contains(n), "{n} deleted");
        assert!(network_id_by_exact_name(tb.socket_a(), n).is_none());
    }
}

#[test]
fn a_holder_that_dies_mid_command_is_said_in_one_line_and_the_next_command_settles_it() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    let a = ctx.add_server_a();
    let network = short_name("kl");
    ctx.cleanup_network(tb.socket_a(), &network);
    // The holder aborts (like kill -9) right after creating the forwarded command's network.
    let tui = tui_ready(&ctx, &[("DESTUI_FAILPOINT", "after-network-create")]);
    let run = ctx
        .run(&[
            "destination",
            "create",
            "--server",
            &a,
            "--network",
            &network,
        ])
        .refused();
    assert!(
        run.stderr.contains("ended before this command finished")
            && run.stderr.contains("destination check"),
        "{}",
        run.stderr
    );
    assert_ne!(tui.wait_exit(), 0, "the holder died");
    // The next command holds the store, settles the interrupted create, and agrees with the
    // daemon: the network it made is recorded, with the proxy attached.
    let next = ctx.run(&["--json", "destination", "list"]).ok();
    assert!(next.stderr.contains("note:"), "{}", next.stderr);
    let recorded = recorded_networks(&ctx, &a);
    let on_daemon = network_id_by_exact_name(tb.socket_a(), &network);
    assert_eq!(
        recorded.contains(&network),
        on_daemon.is_some(),
        "records {recorded:?} and daemon ({on_daemon:?}) agree"
    );
}

#[test]
fn a_client_of_another_user_is_refused() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    let a = ctx.add_server_a();
    let network = short_name("uid");
    ctx.cleanup_network(tb.socket_a(), &network);
    let tui = tui_ready(&ctx, &[]);
    // Let the other user reach the socket at all (the data directory is private, and so is
    // the socket): what refuses it then is the holder's check of its peer credentials.
    for dir in [ctx.dir.path().to_path_buf(), ctx.db()] {
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o711)).unwrap();
    }
    let socket = ctx.db().join("destui.sock");
    std::fs::set_permissions(&socket, std::fs::Permissions::from_mode(0o666)).unwrap();
    let request = serde_json::json!({
        "run": { "argv": ["destui", "destination", "create", "--server", a, "--network", network] }
    });
    let client = r#"
import socket, struct, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(sys.argv[2].encode() + b"\n")
data = b""
while True:
    chunk = s.recv(65536)
    if not chunk:
        break
    data += chunk
i = 0
while i < len(data):
    tag, n = data[i:i+1], struct.unpack(">I", data[i+1:i+5])[0]
    print(tag.decode(), data[i+5:i+5+n].decode(errors="replace").strip() if tag != b"x" else struct.unpack(">i", data[i+5:i+5+n])[0])
    i += 5 + n
"#;
    let out = Command::new("runuser")
        .args([
            "-u",
            tb.get("DESTUI_TB_NODOCKER_USER"),
            "--",
            "python3",
            "-c",
        ])
        .arg(client)
        .arg(&socket)
        .arg(request.to_string())
        .output()
        .expect("run the client as the other user");
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{said} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        said.contains("e destui: refused") && said.contains("serves only its own user"),
        "{said}"
    );
    assert!(said.contains("x 1"), "exit 1: {said}");
    assert!(
        !said.lines().any(|l| l.starts_with('a')),
        "never accepted: {said}"
    );
    assert!(network_id_by_exact_name(tb.socket_a(), &network).is_none());
    quit(&tui);
}

#[test]
fn a_second_tui_is_refused_and_forwarded_questions_name_their_flag() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    let a = ctx.add_server_a();
    let network = short_name("q");
    ctx.create_destination(&a, &network);
    ctx.cleanup_network(tb.socket_a(), &network);
    let tui = tui_ready(&ctx, &[]);
    let run = ctx.run(&[]).refused();
    let pid: String = run
        .stderr
        .split("(pid ")
        .nth(1)
        .map(|rest| rest.chars().take_while(char::is_ascii_digit).collect())
        .unwrap_or_default();
    assert!(
        run.stderr.contains("a destui TUI is already open"),
        "{}",
        run.stderr
    );
    let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
    assert_eq!(comm.trim(), "destui", "pid {pid} is the open TUI");
    // A forwarded command has no terminal to ask on: it names the flag that answers, and
    // changes nothing.
    let run = ctx.run(&["server", "remove", &a, "--force"]).refused();
    assert!(run.stderr.contains("pass --yes"), "{}", run.stderr);
    assert_eq!(recorded_networks(&ctx, &a).len(), 1, "nothing was removed");
    quit(&tui);
}

#[test]
fn a_socket_left_by_a_dead_holder_is_replaced() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    let a = ctx.add_server_a();
    // A holder killed outright leaves its socket file behind: nothing listens on it.
    let socket = ctx.db().join("destui.sock");
    drop(std::os::unix::net::UnixListener::bind(&socket).expect("bind"));
    assert!(socket.exists());
    let runs = ctx.all_at_once(&[args("server list"), args(&format!("scan {a}"))]);
    for run in &runs {
        assert_eq!(run.code, 0, "{}", run.stderr);
    }
    assert!(!socket.exists(), "the last holder took its socket with it");
}

/// A TUI that quits while it runs another process's command keeps serving it to the end: the
/// client gets the whole answer, never "ended before this command finished".
#[test]
fn a_tui_quitting_finishes_the_commands_it_serves() {
    let tb = live!();
    let mut ctx = Ctx::new(tb);
    ctx.add_server_a();
    // A server that never answers: checking it takes the connect timeout.
    let silent = short_name("sl");
    ctx.add_silent_server(&silent, 4);
    let tui = tui_ready(&ctx, &[]);
    let client = ctx
        .command(&["server", "check", &silent])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn the client");
    tui.wait("the forwarded check running", |s| {
        s.contains("cli: server check")
    });
    tui.keys(&["q"]);
    let out = client.wait_with_output().expect("the client");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "offline: exit 1\n{stderr}");
    assert!(
        !stderr.contains("ended before this command finished"),
        "{stderr}"
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains(&silent));
    assert_eq!(tui.wait_exit(), 0);
}

/// `server import` forwarded to the open TUI reads the caller's ssh config in use — the one
/// its `DESTUI_SSH_CONFIG` names, with or without a bare `--ssh-config` — not the holder's.
#[test]
fn a_forwarded_server_import_reads_the_callers_ssh_config_in_use() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    ctx.add_server_a();
    let alias = short_name("inuse");
    let config = ctx.dir.path().join("callers_config");
    std::fs::write(&config, format!("Host {alias}\n  HostName 192.0.2.12\n")).unwrap();
    let config = config.display().to_string();
    let tui = tui_ready(&ctx, &[]);
    for bare in [true, false] {
        let mut args = vec!["--json", "server", "import", "--no-check", "--dry-run"];
        if bare {
            args.push("--ssh-config");
        }
        let out = ctx
            .command(&args)
            .env("DESTUI_SSH_CONFIG", &config)
            .output()
            .expect("run destui");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let report: serde_json::Value = serde_json::from_str(&stdout)
            .unwrap_or_else(|e| panic!("{e}: {stdout}{}", String::from_utf8_lossy(&out.stderr)));
        assert_eq!(report["source"], config.as_str(), "bare {bare}: {report}");
        assert!(report.to_string().contains(&alias), "{report}");
    }
    quit(&tui);
}

/// Relative file paths are the caller's: a command forwarded to the open TUI runs in another
/// process, with another working directory. An identity file given as `keys/deploy` is stored
/// absolute (the same file wherever destui runs next), and `server import --ssh-config FILE`
/// reads the caller's FILE.
#[test]
fn relative_paths_of_a_forwarded_command_are_the_callers() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    ctx.add_server_a();
    let work = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(work.path().join("keys")).unwrap();
    std::fs::write(work.path().join("keys/deploy"), "not a real key\n").unwrap();
    let alias = short_name("fwd");
    std::fs::write(
        work.path().join("hosts_config"),
        format!("Host {alias}\n  HostName 192.0.2.10\n"),
    )
    .unwrap();
    let in_work = |args: &[&str]| {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let out = ctx
            .command(&all)
            .current_dir(work.path())
            .output()
            .expect("run destui");
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(0), "{args:?}\n{stdout}\n{stderr}");
        serde_json::from_str::<serde_json::Value>(&stdout)
            .unwrap_or_else(|e| panic!("{e}: {stdout}"))
    };

    let tui = tui_ready(&ctx, &[]);
    let keyed = short_name("key");
    let added = in_work(&[
        "server",
        "add",
        &keyed,
        "--host",
        "192.0.2.7",
        "--identity",
        "keys/deploy",
        "--no-check",
    ]);
    let expected = work.path().join("keys/deploy").display().to_string();
    assert_eq!(added["identity"], expected.as_str(), "{added}");
    let imported = in_work(&[
        "server",
        "import",
        "--ssh-config",
        "hosts_config",
        "--no-check",
    ]);
    assert!(
        imported.to_string().contains(&alias),
        "the caller's hosts_config was read: {imported}"
    );
    // The caller's DOCKER_CONFIG (relative, even), not the holder's.
    let context = short_name("ctx");
    common::write_docker_context(
        &work.path().join("dockercfg"),
        &context,
        "ssh://root@192.0.2.11",
    );
    let mut all = vec![
        "--json",
        "server",
        "import",
        "--docker-contexts",
        "--no-check",
    ];
    let out = ctx
        .command(&all)
        .env("DOCKER_CONFIG", "dockercfg")
        .current_dir(work.path())
        .output()
        .expect("run destui");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains(&context),
        "the caller's contexts were read: {stdout}"
    );
    // Named on the command line: relative to the caller too.
    all.push("--docker-config");
    all.push("dockercfg");
    all.push("--dry-run");
    let out = ctx
        .command(&all)
        .current_dir(work.path())
        .output()
        .expect("run destui");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(&work.path().join("dockercfg").display().to_string()),
        "{stdout}"
    );
    quit(&tui);

    // Run alone (no holder), the same rule: an edit's relative identity is stored absolute.
    let edited = in_work(&["server", "edit", &keyed, "--identity=keys/other"]);
    let expected = work.path().join("keys/other").display().to_string();
    assert_eq!(edited["identity"], expected.as_str(), "{edited}");
}
