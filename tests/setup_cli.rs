//! The admin's own setup (DESIGN.md §16) against the testbed: servers imported from an ssh
//! config and from a Docker context store, and read-only servers that refuse every change
//! with nothing changed on the daemon.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::too_many_lines
)]
mod common;

use common::{Ctx, docker, docker_ok, inspect_network, network_id_by_exact_name, unique_name};
use serde_json::Value;

/// The testbed's `destui-a` entry (its settings lines), to copy under other aliases.
fn block_a(ctx: &Ctx) -> String {
    let tb = ctx.tb.expect("testbed");
    let text = std::fs::read_to_string(tb.ssh_config()).expect("testbed ssh_config");
    let lines: Vec<&str> = text
        .lines()
        .skip_while(|l| l.trim() != format!("Host {}", tb.get("DESTUI_TB_HOST_A")))
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .collect();
    assert!(
        !lines.is_empty(),
        "no destui-a entry in {}",
        tb.ssh_config()
    );
    lines.join("\n")
}

/// An ssh config of several aliases: two that reach daemon A by different host names, one
/// more of the first (the same daemon), one nobody answers on, a pattern, a negation and a
/// `Host *` block; part of it in an included file. Returns its path.
fn write_config(ctx: &Ctx) -> String {
    let block = block_a(ctx);
    let by_name = block.replace("127.0.0.1", "localhost")
        + "\n  HostKeyAlias [127.0.0.1]:"
        + ctx.tb.unwrap().get("DESTUI_TB_SSH_PORT");
    let dead = common::closed_port();
    let dir = ctx.dir.path();
    let included = dir.join("more.conf");
    std::fs::write(
        &included,
        format!("Host imp-dead\n  HostName 127.0.0.1\n  Port {dead}\n  BatchMode yes\n"),
    )
    .unwrap();
    let config = dir.join("ssh_config");
    std::fs::write(
        &config,
        format!(
            "# an admin's config\nHost imp-a\n{block}\n\nHost imp-b\n{by_name}\n\n\
             Host imp-a-again\n{block}\n\nInclude {}\n\nHost imp-* !imp-x\n  ConnectTimeout 5\n\n\
             Host *\n  ServerAliveInterval 30\n",
            included.display()
        ),
    )
    .unwrap();
    config.to_string_lossy().into_owned()
}

fn names(list: &Value) -> Vec<String> {
    let mut names: Vec<String> = list
        .as_array()
        .expect("a list")
        .iter()
        .map(|s| s["name"].as_str().unwrap().to_string())
        .collect();
    names.sort();
    names
}

fn reason_of<'a>(report: &'a Value, name: &str) -> &'a str {
    report["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("{name} not skipped: {report}"))["reason"]
        .as_str()
        .unwrap()
}

#[test]
fn import_from_the_ssh_config_adds_each_reachable_alias_once() {
    let tb = live!();
    let mut ctx = Ctx::new(tb);
    let config = write_config(&ctx);
    // The file in use, as DESTUI_SSH_CONFIG names it: `--ssh-config` alone reads that one.
    ctx.extra_env
        .push(("DESTUI_SSH_CONFIG".into(), config.clone()));
    let run = ctx.run(&["--json", "server", "import", "--ssh-config"]);
    assert_eq!(run.code, 1, "imp-dead did not answer: {}", run.stderr);
    assert_eq!(run.stderr.trim().lines().count(), 1, "{}", run.stderr);
    assert!(run.stderr.contains("imp-dead"), "{}", run.stderr);
    let report = run.json();
    assert_eq!(report["source"], config.as_str());
    assert_eq!(names(&report["added"]), vec!["imp-a", "imp-b"]);
    assert_eq!(names(&report["unreachable"]), vec!["imp-dead"]);
    assert_eq!(names(&report["skipped"]), vec!["imp-a-again"]);
    assert!(
        reason_of(&report, "imp-a-again").contains("same Docker as imp-a"),
        "{report}"
    );
    for added in report["added"].as_array().unwrap() {
        assert_eq!(added["online"], true);
        assert_eq!(added["mode"], "standalone");
    }
    let listed = ctx.json(&["server", "list"]);
    assert_eq!(names(&listed), vec!["imp-a", "imp-b"], "imp-dead not added");

    // Again: nothing is added twice.
    let again = ctx.run(&["--json", "server", "import", "--ssh-config"]);
    let report = again.json();
    assert!(report["added"].as_array().unwrap().is_empty(), "{report}");
    for name in ["imp-a", "imp-b"] {
        assert!(
            reason_of(&report, name).contains("already exists"),
            "{report}"
        );
    }
    assert_eq!(names(&ctx.json(&["server", "list"])).len(), 2);
}

/// `--docker-socket`: every host imported over ssh is recorded, and checked, on that socket
/// (here B's, behind the same sshd as A: the import finds a swarm manager).
#[test]
fn import_takes_the_docker_socket_given_for_every_host() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    let config = write_config(&ctx);
    let report = ctx.json(&[
        "--ssh-config",
        &config,
        "server",
        "import",
        "--match",
        "imp-a",
        "--docker-socket",
        tb.socket_b(),
    ]);
    assert_eq!(names(&report["added"]), vec!["imp-a"], "{report}");
    let added = &report["added"][0];
    assert_eq!(added["docker_socket"], tb.socket_b());
    assert_eq!(added["mode"], "swarm-manager", "{report}");
    let run = ctx
        .run(&["server", "import", "--docker-socket", "not/absolute"])
        .refused();
    assert_eq!(run.stderr.trim().lines().count(), 1, "{}", run.stderr);
}

/// `destui --ssh-config FILE server import --ssh-config`: the bare flag is the config in use
/// (FILE), not ~/.ssh/config.
#[test]
fn import_with_a_bare_ssh_config_reads_the_file_given_to_destui() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    let config = write_config(&ctx);
    let out = ctx
        .command(&[
            "--ssh-config",
            &config,
            "--json",
            "server",
            "import",
            "--ssh-config",
            "--match",
            "imp-b",
        ])
        .env_remove("DESTUI_SSH_CONFIG")
        .output()
        .expect("run destui");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let report: Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("{e}: {stdout}{}", String::from_utf8_lossy(&out.stderr)));
    assert_eq!(report["source"], config.as_str(), "{report}");
    assert_eq!(names(&report["added"]), vec!["imp-b"], "{report}");
}

#[test]
fn import_match_takes_only_the_aliases_the_glob_names() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    let config = write_config(&ctx);
    let report = ctx.json(&[
        "--ssh-config",
        &config,
        "server",
        "import",
        "--match",
        "IMP-B*",
    ]);
    assert_eq!(names(&report["added"]), vec!["imp-b"]);
    assert!(report["skipped"].as_array().unwrap().is_empty());
    assert!(report["unreachable"].as_array().unwrap().is_empty());
    // Text: one line per server and a summary.
    let run = ctx
        .run(&[
            "--ssh-config",
            &config,
            "server",
            "import",
            "--match",
            "imp-a",
        ])
        .ok();
    assert!(
        run.stdout.contains("added imp-a (imp-a, standalone)"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("1 added, 0 skipped, 0 unreachable"),
        "{}",
        run.stdout
    );
}

#[test]
fn import_from_docker_contexts_adds_the_ssh_and_local_ones() {
    let tb = live!();
    let mut ctx = Ctx::new(tb);
    let store = ctx.dir.path().join("docker");
    let alias = tb.get("DESTUI_TB_HOST_A");
    common::write_docker_context(&store, "ctx-ssh", &format!("ssh://root@{alias}"));
    common::write_docker_context(&store, "ctx-tcp", "tcp://192.0.2.1:2376");
    common::write_docker_context(&store, "ctx-elsewhere", "unix:///nowhere/docker.sock");
    common::write_docker_context(&store, "ctx-here", &format!("unix://{}", tb.socket_a()));
    ctx.extra_env
        .push(("DOCKER_CONFIG".into(), store.to_string_lossy().into_owned()));
    let report = ctx.json(&["server", "import", "--docker-contexts"]);
    assert_eq!(
        names(&report["added"]),
        vec!["ctx-here", "ctx-ssh"],
        "{report}"
    );
    let added = report["added"].as_array().unwrap();
    let ssh = added.iter().find(|s| s["name"] == "ctx-ssh").unwrap();
    assert_eq!(ssh["host"], alias);
    assert_eq!(ssh["user"], "root");
    assert_eq!(ssh["local"], false);
    assert_eq!(ssh["online"], true);
    let here = added.iter().find(|s| s["name"] == "ctx-here").unwrap();
    assert_eq!(here["local"], true);
    assert_eq!(here["docker_socket"], tb.socket_a());
    assert!(reason_of(&report, "ctx-tcp").contains("ssh://"), "{report}");
    assert!(
        reason_of(&report, "ctx-elsewhere").contains("not a socket on this machine"),
        "{report}"
    );
    let again = ctx.json(&["server", "import", "--docker-contexts"]);
    assert!(again["added"].as_array().unwrap().is_empty(), "{again}");
}

#[test]
fn colour_and_read_only_are_stored_and_a_bad_colour_is_refused() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    let name = ctx.add_server_a();
    let shown = ctx.json(&[
        "server",
        "edit",
        &name,
        "--color",
        "#00AA88",
        "--read-only",
        "true",
    ]);
    assert_eq!(shown["color"], "#00aa88");
    assert_eq!(shown["read_only"], true);
    let run = ctx
        .run(&["server", "edit", &name, "--color", "orange"])
        .refused();
    assert!(
        run.stderr.contains("invalid colour \"orange\""),
        "{}",
        run.stderr
    );
    let shown = ctx.json(&["server", "show", &name]);
    assert_eq!(shown["color"], "#00aa88", "unchanged by a refused edit");
    let shown = ctx.json(&[
        "server",
        "edit",
        &name,
        "--color",
        "none",
        "--read-only",
        "false",
    ]);
    assert_eq!(shown["color"], Value::Null);
    assert_eq!(shown["read_only"], false);
    let other = unique_name("ro");
    let added = ctx.json(&[
        "server",
        "add",
        &other,
        "--host",
        tb.get("DESTUI_TB_HOST_A"),
        // Not A's socket: a second record of one Docker is refused.
        "--docker-socket",
        tb.socket_b(),
        "--color",
        "Magenta",
        "--read-only",
        "true",
        "--no-check",
    ]);
    assert_eq!(added["color"], "magenta");
    assert_eq!(added["read_only"], true);
}

/// The networks of daemon `socket`, as `docker network ls` names them.
fn networks(socket: &str) -> Vec<String> {
    let (ok, out) = docker(socket, &["network", "ls", "--format", "{{.Name}}"]);
    assert!(ok);
    out.lines().map(str::to_string).collect()
}

#[test]
fn a_read_only_server_refuses_every_change_and_the_daemon_is_untouched() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    let socket = tb.socket_a();
    let server = ctx.add_server_a();
    let kept = unique_name("ro-kept");
    let gone = unique_name("ro-gone");
    let elsewhere = unique_name("ro-else");
    let never = unique_name("ro-never");
    for n in [&kept, &gone, &elsewhere, &never] {
        ctx.cleanup_network(socket, n);
    }
    ctx.create_destination(&server, &kept);
    ctx.create_destination(&server, &gone);
    docker_ok(socket, &["network", "create", &elsewhere]);
    // `gone` is missing now: a repair would make it again.
    docker_ok(socket, &["network", "disconnect", "-f", &gone, tb.proxy()]);
    docker_ok(socket, &["network", "rm", &gone]);
    ctx.json(&["server", "edit", &server, "--read-only", "true"]);

    let before = networks(socket);
    let kept_id = network_id_by_exact_name(socket, &kept).expect("kept exists");
    let refusal = format!("destui: server {server} is read-only");
    let kept_ref = format!("{server}/{kept}");
    let gone_ref = format!("{server}/{gone}");
    let resource = unique_name("ro-app");
    let attempts: Vec<Vec<&str>> = vec![
        vec![
            "destination",
            "create",
            "--server",
            &server,
            "--network",
            &never,
        ],
        vec!["destination", "delete", &kept_ref],
        vec!["destination", "repair", &gone_ref],
        vec!["import", &server, &elsewhere],
        vec![
            "resource",
            "create",
            &resource,
            "--server",
            &server,
            "--destination",
            &kept_ref,
            "--image",
            tb.image(),
            "--command",
            "sleep 300",
        ],
        vec!["destination", "rename", &kept_ref, "renamed"],
    ];
    for args in &attempts {
        let run = ctx.run(args).refused();
        assert_eq!(run.stderr.trim(), refusal, "{args:?}");
    }
    assert_eq!(networks(socket), before, "no network made or removed");
    assert_eq!(
        network_id_by_exact_name(socket, &kept).as_deref(),
        Some(kept_id.as_str())
    );
    assert!(
        common::attached(socket, &kept_id).contains(&tb.proxy().to_string()),
        "the proxy is still attached to {kept}"
    );
    let (_, labelled) = docker(
        socket,
        &["ps", "-a", "-q", "--filter", &format!("name={resource}")],
    );
    assert!(labelled.is_empty(), "no container started: {labelled}");
    let listed = ctx.json(&["destination", "list", "--server", &server]);
    assert_eq!(
        listed.as_array().unwrap().len(),
        2,
        "nothing imported: {listed}"
    );

    // Sync changes nothing on the daemon: allowed. The record itself stays editable.
    ctx.run(&["sync", &server]).ok();
    ctx.json(&["server", "edit", &server, "--read-only", "false"]);
    ctx.json(&["destination", "delete", &kept_ref]);
    ctx.json(&["destination", "delete", &gone_ref]);
    assert!(inspect_network(socket, &kept).is_none());
}
