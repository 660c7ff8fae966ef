//! Servers over a real sshd: host keys, the user's ssh config, and reuse of the master.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::too_many_lines
)]
mod common;

use common::{Ctx, unique_name};

/// A copy of the testbed's ssh config whose known-hosts file starts empty.
fn config_with_empty_known_hosts(ctx: &Ctx) -> (String, std::path::PathBuf) {
    let tb = ctx.tb.unwrap();
    let known = ctx.dir.path().join("known_hosts");
    std::fs::write(&known, "").unwrap();
    let text = std::fs::read_to_string(tb.ssh_config())
        .unwrap()
        .replace(tb.get("DESTUI_TB_KNOWN_HOSTS"), &known.to_string_lossy());
    let file = ctx.dir.path().join("ssh_config");
    std::fs::write(&file, text).unwrap();
    (file.to_string_lossy().into_owned(), known)
}

#[test]
fn an_unknown_host_key_is_refused_until_trusted() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    let (config, known) = config_with_empty_known_hosts(&ctx);
    let name = unique_name("hk");
    let add = |extra: &[&str]| {
        let mut args = vec![
            "--ssh-config",
            config.as_str(),
            "server",
            "add",
            name.as_str(),
            "--host",
            "destui-a",
        ];
        args.extend_from_slice(extra);
        ctx.run(&args)
    };
    let run = add(&[]).refused();
    assert!(
        run.stderr.contains("host key")
            && run.stderr.contains(&format!("destui server trust {name}")),
        "{}",
        run.stderr
    );
    assert!(
        std::fs::read_to_string(&known).unwrap().is_empty(),
        "never accepted silently"
    );

    add(&["--no-check"]).ok();
    let run = ctx.run(&["--ssh-config", &config, "server", "check", &name]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.contains("offline"), "{}", run.stdout);

    // Without a terminal and without --yes, nothing is recorded.
    let run = ctx.run(&["--ssh-config", &config, "server", "trust", &name]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.contains("SHA256:"),
        "fingerprint shown: {}",
        run.stdout
    );
    assert!(std::fs::read_to_string(&known).unwrap().is_empty());
    // A dry run shows where they would go, exits 0, records nothing.
    let run = ctx
        .run(&[
            "--ssh-config",
            &config,
            "server",
            "trust",
            &name,
            "--dry-run",
        ])
        .ok();
    assert!(
        run.stdout.contains("SHA256:") && run.stdout.contains("would record them in"),
        "{}",
        run.stdout
    );
    assert!(std::fs::read_to_string(&known).unwrap().is_empty());

    let trusted = ctx.json(&["--ssh-config", &config, "server", "trust", &name, "--yes"]);
    assert_eq!(trusted["recorded"], true);
    let port = tb.get("DESTUI_TB_SSH_PORT");
    assert!(
        std::fs::read_to_string(&known)
            .unwrap()
            .contains(&format!("[127.0.0.1]:{port}"))
    );
    let checked = ctx.json(&["--ssh-config", &config, "server", "check", &name]);
    assert_eq!(checked[0]["online"], true);
}

#[test]
fn a_changed_host_key_is_refused() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    let (config, known) = config_with_empty_known_hosts(&ctx);
    // A key that is not the server's, recorded for its address.
    let fake = ctx.dir.path().join("fake");
    assert!(
        std::process::Command::new("ssh-keygen")
            .args(["-q", "-t", "ed25519", "-N", "", "-f"])
            .arg(&fake)
            .status()
            .unwrap()
            .success()
    );
    let pubkey = std::fs::read_to_string(fake.with_extension("pub")).unwrap();
    let key: Vec<&str> = pubkey.split_whitespace().take(2).collect();
    let port = tb.get("DESTUI_TB_SSH_PORT");
    std::fs::write(&known, format!("[127.0.0.1]:{port} {}\n", key.join(" "))).unwrap();
    let run = ctx
        .run(&[
            "--ssh-config",
            &config,
            "server",
            "add",
            "changed",
            "--host",
            "destui-a",
        ])
        .refused();
    assert!(
        run.stderr.contains("not known or has changed"),
        "{}",
        run.stderr
    );
}

#[test]
fn the_ssh_config_comes_from_the_flag_or_the_environment() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    // An alias that only this file knows (the user's own ~/.ssh/config includes the testbed's).
    let alias = unique_name("only-here");
    let text = std::fs::read_to_string(tb.ssh_config()).unwrap().replacen(
        "Host destui-a\n",
        &format!("Host {alias}\n"),
        1,
    );
    let config = ctx.dir.path().join("private_config");
    std::fs::write(&config, text).unwrap();
    let config = config.to_string_lossy().into_owned();
    ctx.run(&["server", "add", "viaflag", "--host", &alias, "--no-check"])
        .ok();

    let mut without = ctx.command(&["server", "check", "viaflag"]);
    without.env_remove("DESTUI_SSH_CONFIG");
    assert_eq!(
        without.output().unwrap().status.code(),
        Some(1),
        "alias unknown to plain ssh"
    );

    let mut with_flag = ctx.command(&[
        "--ssh-config",
        &config,
        "--json",
        "server",
        "check",
        "viaflag",
    ]);
    with_flag.env_remove("DESTUI_SSH_CONFIG");
    let out = with_flag.output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let mut with_env = ctx.command(&["--json", "server", "check", "viaflag"]);
    with_env.env("DESTUI_SSH_CONFIG", &config);
    let out = with_env.output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v[0]["mode"], "standalone");
}

/// The next CLI process reuses the detached master and its forwarded socket: no new ssh.
#[test]
fn a_second_command_reuses_the_master_connection() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    let server = ctx.add_server_b();
    let masters = || -> Vec<String> {
        let mut found = Vec::new();
        for dir in std::fs::read_dir(ctx.runtime()).unwrap().flatten() {
            if let Ok(entries) = std::fs::read_dir(dir.path()) {
                // Each master lives in a `.ssh-connection*` directory (beside the connect lock).
                for e in entries.flatten().filter(|e| {
                    e.file_name()
                        .to_string_lossy()
                        .starts_with(".ssh-connection")
                }) {
                    found.push(e.path().to_string_lossy().into_owned());
                }
            }
        }
        found
    };
    let before = masters();
    assert_eq!(before.len(), 1, "one master after add: {before:?}");
    let pid = |ctl: &str| -> String {
        let out = std::process::Command::new("ssh")
            .args(["-S", &format!("{ctl}/master"), "-O", "check", "x"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stderr).trim().to_string()
    };
    let first = pid(&before[0]);
    assert!(first.contains("Master running"), "{first}");
    for _ in 0..3 {
        ctx.json(&["scan", &server]);
    }
    assert_eq!(masters(), before, "no new master");
    assert_eq!(pid(&before[0]), first, "the same master process");

    // A master that dies leaves a stale socket: the next command cleans up and reconnects.
    std::process::Command::new("ssh")
        .args(["-S", &format!("{}/master", before[0]), "-O", "exit", "x"])
        .output()
        .unwrap();
    ctx.json(&["scan", &server]);
    let after = masters();
    assert_eq!(after.len(), 1, "stale control dir cleaned: {after:?}");
    assert!(pid(&after[0]).contains("Master running"));
}

#[test]
fn local_servers_use_the_socket_directly() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    let s = ctx.json(&[
        "server",
        "add",
        "here",
        "--local",
        "--docker-socket",
        tb.socket_a(),
        "--proxy-container",
        tb.proxy(),
    ]);
    assert_eq!(s["local"], true);
    assert_eq!(s["mode"], "standalone");
    assert!(s["docker_version"].as_str().is_some_and(|v| !v.is_empty()));
    let net = unique_name("loc");
    ctx.cleanup_network(tb.socket_a(), &net);
    ctx.create_destination("here", &net);
    ctx.run(&["destination", "delete", &format!("here/{net}")])
        .ok();
    assert!(common::inspect_network(tb.socket_a(), &net).is_none());
    assert!(
        !ctx.runtime().exists() || std::fs::read_dir(ctx.runtime()).unwrap().next().is_none(),
        "no ssh for local"
    );
}

/// Issue 18: a server's address is what its host resolves to (`ssh -G`'s hostname, looked
/// up), stored on the record; a host that does not resolve has none, and nothing fails.
#[test]
fn a_servers_address_is_its_host_resolved_or_null() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    let server = ctx.add_server_a();
    let s = ctx.json(&["server", "show", &server]);
    assert_eq!(s["host"], tb.get("DESTUI_TB_HOST_A"));
    assert_eq!(s["address"], "127.0.0.1");
    let listed = ctx.json(&["server", "list"]);
    assert_eq!(listed[0]["address"], "127.0.0.1");
    let checked = ctx.json(&["server", "check", &server]);
    assert_eq!(checked[0]["address"], "127.0.0.1");

    // An alias that resolves nowhere (.invalid never does): null, and the add still works.
    let name = unique_name("nx");
    let started = std::time::Instant::now();
    let added = ctx.json(&[
        "server",
        "add",
        &name,
        "--host",
        "destui-nowhere.invalid",
        "--no-check",
    ]);
    assert!(added["address"].is_null(), "{added}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(6),
        "the lookup is bounded: {:?}",
        started.elapsed()
    );
    assert!(ctx.json(&["server", "show", &name])["address"].is_null());
    // Editing its host resolves again.
    let edited = ctx.json(&[
        "server",
        "edit",
        &name,
        "--host",
        tb.get("DESTUI_TB_HOST_A"),
    ]);
    assert_eq!(edited["address"], "127.0.0.1");
    // An IP address stays as it is; a local server has none.
    let ip = unique_name("ip");
    let added = ctx.json(&["server", "add", &ip, "--host", "192.0.2.44", "--no-check"]);
    assert_eq!(added["address"], "192.0.2.44");
    let local = unique_name("local");
    let added = ctx.json(&["server", "add", &local, "--local", "--no-check"]);
    assert!(added["address"].is_null(), "{added}");

    // The text list shows the address beside the host, `-` when none is known.
    let text = ctx.run(&["server", "list"]).ok().stdout;
    let header = text.lines().next().unwrap_or_default();
    assert!(
        header.contains("HOST") && header.contains("ADDRESS"),
        "{text}"
    );
    let row = |n: &str| {
        text.lines()
            .find(|l| l.split_whitespace().next() == Some(n))
            .unwrap_or_else(|| panic!("no row for {n}:\n{text}"))
            .split_whitespace()
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    assert_eq!(row(&server)[2], "127.0.0.1", "{text}");
    assert_eq!(row(&ip)[1..3], ["192.0.2.44", "192.0.2.44"], "{text}");
    assert_eq!(row(&local)[2], "-", "{text}");
}

/// A second record of one Docker is refused by `server add` (checked or not) as `server
/// import` refuses it, in one line naming the server recorded already; through another alias
/// of the same host, or the host written out, it is the same Docker; another socket is not.
#[test]
fn a_server_that_reaches_the_docker_of_another_is_refused_naming_it() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    let a = ctx.add_server_a();
    let port = tb.get("DESTUI_TB_SSH_PORT");
    let said = format!(
        "destui: server twin reaches the same Docker as server {a} (same host, port, user and \
         socket: root@127.0.0.1:{port} {}): use {a}, or edit it",
        tb.socket_a()
    );
    // destui-b is another alias of the same sshd (127.0.0.1, the same port and user).
    let alias = tb.get("DESTUI_TB_HOST_B");
    for extra in [&[][..], &["--no-check"][..]] {
        let mut args = vec![
            "server",
            "add",
            "twin",
            "--host",
            alias,
            "--docker-socket",
            tb.socket_a(),
        ];
        args.extend_from_slice(extra);
        let run = ctx.run(&args).refused();
        assert_eq!(run.stderr.trim(), said, "{args:?}");
    }
    let written_out = [
        "server",
        "add",
        "twin",
        "--host",
        "127.0.0.1",
        "--port",
        port,
        "--user",
        "root",
        "--no-check",
    ];
    let run = ctx.run(&written_out).refused();
    assert_eq!(run.stderr.trim(), said);
    let listed = ctx.json(&["server", "list"]);
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
    // The same host on B's socket is another Docker.
    ctx.add_server_b();
    assert_eq!(ctx.json(&["server", "list"]).as_array().unwrap().len(), 2);
}
