//! Docker's address pools used up (DESIGN.md §14), on daemon A: the test starts bridges of its
//! own until the daemon refuses ("could not find an available, non-overlapping IPv4 address
//! pool"), then a create says so with the fix, `--subnet auto:POOL` takes the first free /24
//! of the pool, and with `[network] fallback_pool` a plain create does too; everything made
//! is removed again. Its own binary: while A's pools are used up no other test can create
//! there.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::too_many_lines
)]
mod common;

use common::{Ctx, docker, unique_name};
use serde_json::Value;

/// The test's own bridges, removed even when it fails half-way.
struct Bridges<'a>(&'a str, Vec<String>);

impl Drop for Bridges<'_> {
    fn drop(&mut self) {
        for id in &self.1 {
            docker(self.0, &["network", "rm", id]);
        }
    }
}

#[test]
fn a_daemon_out_of_pools_gets_a_subnet_from_the_fallback_pool() {
    let tb = live!();
    let socket = tb.socket_a();
    let mut ctx = Ctx::new(tb);
    let a = ctx.add_server_a();
    let mut bridges = Bridges(socket, Vec::new());
    let prefix = unique_name("pool");
    // Docker's default pools hold 31 bridges; a daemon.json may widen them.
    for i in 0..600 {
        let out = std::process::Command::new("docker")
            .args(["-H", &format!("unix://{socket}"), "network", "create"])
            .arg(format!("{prefix}-{i}"))
            .output()
            .expect("docker");
        if !out.status.success() {
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(
                err.contains("could not find an available, non-overlapping IPv4 address pool"),
                "{err}"
            );
            break;
        }
        bridges
            .1
            .push(String::from_utf8_lossy(&out.stdout).trim().to_string());
        assert!(i < 599, "the daemon never ran out of pools");
    }

    // No pool set: refused, and the line says how to fix it.
    let net = unique_name("full");
    ctx.cleanup_network(socket, &net);
    let run = ctx
        .run(&["destination", "create", "--server", &a, "--network", &net])
        .refused();
    assert!(
        run.stderr.contains("run out of address pools"),
        "{}",
        run.stderr
    );
    assert_eq!(ctx.json(&["destination", "list"]), Value::Array(vec![]));

    // On request: the first /24 of the pool that no network there uses.
    let net1 = unique_name("auto");
    ctx.cleanup_network(socket, &net1);
    let created = ctx.json(&[
        "destination",
        "create",
        "--server",
        &a,
        "--network",
        &net1,
        "--subnet",
        "auto:10.237.0.0/16",
    ]);
    assert_eq!(created["subnet_picked"], "10.237.0.0/24", "{created}");
    let (_, subnet) = docker(
        socket,
        &[
            "network",
            "inspect",
            &net1,
            "-f",
            "{{(index .IPAM.Config 0).Subnet}}",
        ],
    );
    assert_eq!(subnet.trim(), "10.237.0.0/24");

    // With [network] fallback_pool, a plain create takes one too, and says which.
    let config = ctx.dir.path().join("config/destui");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(
        config.join("config.toml"),
        "[network]\nfallback_pool = \"10.237.0.0/16\"\n",
    )
    .unwrap();
    let net2 = unique_name("fallback");
    ctx.cleanup_network(socket, &net2);
    let run = ctx
        .run(&["destination", "create", "--server", &a, "--network", &net2])
        .ok();
    assert!(
        run.stdout.contains("subnet 10.237.1.0/24 picked"),
        "{}",
        run.stdout
    );
    // `--subnet auto` takes the configured pool.
    let net3 = unique_name("auto");
    ctx.cleanup_network(socket, &net3);
    let third = ctx.json(&[
        "destination",
        "create",
        "--server",
        &a,
        "--network",
        &net3,
        "--subnet",
        "auto",
    ]);
    assert_eq!(third["subnet_picked"], "10.237.2.0/24", "{third}");

    // `server addresses` lists them in order.
    let rows = ctx.json(&["server", "addresses", &a]);
    let ours: Vec<&str> = rows
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["subnet"].as_str().unwrap().starts_with("10.237."))
        .map(|r| r["subnet"].as_str().unwrap())
        .collect();
    assert_eq!(ours, ["10.237.0.0/24", "10.237.1.0/24", "10.237.2.0/24"]);

    let list = ctx.json(&["destination", "list"]);
    for d in list.as_array().unwrap() {
        ctx.run(&["destination", "delete", d["name"].as_str().unwrap()])
            .ok();
    }
    ctx.extra_env.clear();
}
