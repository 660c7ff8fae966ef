//! Swarm across nodes (DESIGN.md §13), against the testbed's daemon C: a worker joined to B's
//! swarm, whose containers attach to overlays made on B without B's API showing them.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::too_many_lines
)]
mod common;

use common::{Ctx, Testbed, attached, docker, inspect_network, unique_name, wait_for};
use serde_json::Value;
use std::time::Duration;

/// The spec's exact refusal of a delete (DESIGN.md §1).
const MSG_DELETE_RESOURCES_FIRST: &str =
    "You must delete all resources before deleting this destination.";

/// A container on daemon C attached to an overlay made on B; removed when the test ends
/// (declared after the `Ctx`, so it goes before the network does).
struct OnC {
    socket: String,
    name: String,
}

impl OnC {
    #[track_caller]
    fn run(tb: &Testbed, network: &str) -> Self {
        let name = unique_name("onc");
        let (ok, out) = docker(
            tb.socket_c(),
            &[
                "run",
                "-d",
                "--name",
                &name,
                "--network",
                network,
                tb.image(),
                "/bin/sleep",
                "600",
            ],
        );
        assert!(ok, "a container on C joins {network} (made on B): {out}");
        OnC {
            socket: tb.socket_c().to_string(),
            name,
        }
    }

    fn remove(&self) {
        let _ = docker(&self.socket, &["rm", "-f", &self.name]);
    }
}

impl Drop for OnC {
    fn drop(&mut self) {
        self.remove();
    }
}

/// `destination check D --json`'s one row (check exits 1 when a row is not ok).
fn check(ctx: &Ctx, reference: &str) -> Value {
    ctx.json_any(&["destination", "check", reference])[0].clone()
}

/// The scan row of `network` on `server`.
fn scan_row(ctx: &Ctx, server: &str, network: &str) -> Value {
    ctx.json(&["scan", server])
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["network"] == network)
        .cloned()
        .unwrap_or_else(|| panic!("{network} is not in the scan of {server}"))
}

fn message(stderr: &str) -> &str {
    let line = stderr.trim();
    line.strip_prefix("destui: ").unwrap_or(line)
}

#[test]
fn a_server_on_the_worker_is_swarm_worker_and_refuses_create() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    let server = ctx.add_server_c();
    let shown = ctx.json(&["server", "show", &server]);
    assert_eq!(shown["mode"], "swarm-worker", "{shown:#}");

    let net = unique_name("wk");
    ctx.cleanup_network(tb.socket_c(), &net);
    ctx.cleanup_network(tb.socket_b(), &net);
    let run = ctx
        .run(&[
            "destination",
            "create",
            "--server",
            &server,
            "--network",
            &net,
        ])
        .refused();
    assert_eq!(
        message(&run.stderr),
        destui::domain::Error::SwarmWorker.to_string()
    );
    assert!(
        inspect_network(tb.socket_c(), &net).is_none(),
        "nothing made on C"
    );
    assert!(
        inspect_network(tb.socket_b(), &net).is_none(),
        "nothing made on B"
    );
    assert_eq!(
        ctx.json(&["destination", "list"]).as_array().unwrap().len(),
        0
    );
}

#[test]
fn a_container_on_another_node_is_counted_and_blocks_the_delete() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    let server_b = ctx.add_server_b();
    let server_c = ctx.add_server_c();
    let net = unique_name("sw");
    ctx.cleanup_network(tb.socket_b(), &net);
    let d = ctx.create_destination(&server_b, &net);
    let id = d["network_id"].as_str().unwrap().to_string();
    let reference = format!("{server_b}/{net}");

    // Every node known, nothing attached anywhere but the proxy: unused.
    let row = check(&ctx, &reference);
    assert_eq!(row["status"], "ok", "{row:#}");
    assert_eq!(row["unused"], true, "{row:#}");
    assert_eq!(row["this_node_only"], false, "{row:#}");
    assert_eq!(row["elsewhere"], serde_json::json!([]), "{row:#}");

    let on_c = OnC::run(tb, &net);
    // B's own API does not show it (measured, DESIGN.md §13).
    let on_b = attached(tb.socket_b(), &id);
    assert!(!on_b.contains(&on_c.name), "{on_b:?}");

    let row = check(&ctx, &reference);
    assert_eq!(row["status"], "ok", "{row:#}");
    assert_eq!(row["unused"], false, "a container on C: {row:#}");
    assert_eq!(row["this_node_only"], false, "{row:#}");
    assert_eq!(row["elsewhere"][0]["server"], server_c.as_str(), "{row:#}");
    assert_eq!(row["elsewhere"][0]["name"], on_c.name.as_str(), "{row:#}");
    assert_eq!(row["elsewhere"][0]["state"], "running", "{row:#}");
    let detail = row["detail"].as_str().unwrap_or_default();
    assert!(
        detail.contains(&format!("{} (running) on {server_c}", on_c.name)),
        "{row:#}"
    );
    let text = ctx.run(&["destination", "check", &reference]).ok();
    assert!(!text.stdout.contains("unused"), "{}", text.stdout);
    assert!(text.stdout.contains(&on_c.name), "{}", text.stdout);

    let row = scan_row(&ctx, &server_b, &net);
    assert_eq!(row["unused"], false, "{row:#}");
    assert_eq!(row["elsewhere"][0]["name"], on_c.name.as_str(), "{row:#}");
    assert_eq!(
        row["containers"],
        serde_json::json!([tb.proxy()]),
        "{row:#}"
    );

    // The details list it too, with its node (B's own inspect does not have it).
    let shown = ctx.json(&["destination", "show", &reference]);
    assert_eq!(
        shown["elsewhere"][0]["name"],
        on_c.name.as_str(),
        "{shown:#}"
    );
    assert_eq!(
        shown["elsewhere"][0]["server"],
        server_c.as_str(),
        "{shown:#}"
    );
    assert_eq!(shown["this_node_only"], false, "{shown:#}");
    let text = ctx.run(&["destination", "show", &reference]).ok().stdout;
    assert!(
        text.lines()
            .any(|l| l.contains(&on_c.name) && l.contains(&format!("running on {server_c}"))),
        "{text}"
    );

    // Refused before the proxy is touched, naming what blocks it and where.
    let run = ctx.run(&["destination", "delete", &reference]).refused();
    assert_eq!(
        message(&run.stderr),
        format!(
            "{MSG_DELETE_RESOURCES_FIRST} Attached: {} (running) on {server_c}",
            on_c.name
        )
    );
    assert!(
        inspect_network(tb.socket_b(), &id).is_some(),
        "network kept"
    );
    assert!(
        attached(tb.socket_b(), &id).contains(&tb.proxy().to_string()),
        "proxy still attached"
    );
    let report = ctx.json_any(&["destination", "delete", &reference, "--dry-run"]);
    let report = report.get(0).unwrap_or(&report);
    assert_eq!(report["blocked"], true, "{report:#}");
    assert_eq!(
        report["attached"][0],
        format!("{} (running) on {server_c}", on_c.name),
        "{report:#}"
    );

    on_c.remove();
    let row = check(&ctx, &reference);
    assert_eq!(row["unused"], true, "the container on C left: {row:#}");
    ctx.run(&["destination", "delete", &reference]).ok();
    assert!(
        wait_for(Duration::from_secs(10), || inspect_network(
            tb.socket_b(),
            &id
        )
        .is_none()),
        "the network is gone from B"
    );
}

#[test]
fn a_node_destui_does_not_know_makes_the_count_this_node_only() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    // B only: C, a node of B's swarm, is not recorded here.
    let server_b = ctx.add_server_b();
    let net = unique_name("sw");
    ctx.cleanup_network(tb.socket_b(), &net);
    let d = ctx.create_destination(&server_b, &net);
    let id = d["network_id"].as_str().unwrap().to_string();
    let reference = format!("{server_b}/{net}");

    // Nothing attached on C yet, but destui cannot know that: never `unused`.
    let row = check(&ctx, &reference);
    assert_eq!(row["status"], "ok", "{row:#}");
    assert_eq!(row["unused"], false, "{row:#}");
    assert_eq!(row["this_node_only"], true, "{row:#}");
    let detail = row["detail"].as_str().unwrap_or_default();
    assert!(detail.starts_with("this node only"), "{row:#}");
    let text = ctx.run(&["destination", "check", &reference]).ok();
    assert!(text.stdout.contains("this node only"), "{}", text.stdout);
    let row = scan_row(&ctx, &server_b, &net);
    assert_eq!(row["unused"], false, "{row:#}");
    assert_eq!(row["this_node_only"], true, "{row:#}");
    let scan = ctx.run(&["scan", &server_b]).ok();
    let line = scan.stdout.lines().find(|l| l.starts_with(&net)).unwrap();
    assert!(line.contains("1 (this node only)"), "{line}");
    // The details say their container list is this node's.
    let shown = ctx.json(&["destination", "show", &reference]);
    assert_eq!(shown["this_node_only"], true, "{shown:#}");
    let text = ctx.run(&["destination", "show", &reference]).ok().stdout;
    assert!(text.contains("this node only"), "{text}");

    // B's daemon refuses the removal (an attachment task of C's container); destui says the
    // spec's exact message and puts the proxy back.
    let on_c = OnC::run(tb, &net);
    let run = ctx.run(&["destination", "delete", &reference]).refused();
    assert_eq!(message(&run.stderr), MSG_DELETE_RESOURCES_FIRST);
    assert!(
        inspect_network(tb.socket_b(), &id).is_some(),
        "network kept"
    );
    assert!(
        attached(tb.socket_b(), &id).contains(&tb.proxy().to_string()),
        "proxy still attached"
    );
    assert_eq!(
        ctx.json(&["destination", "list"]).as_array().unwrap().len(),
        1,
        "the record is kept"
    );

    on_c.remove();
    ctx.run(&["destination", "delete", &reference]).ok();
    assert!(
        wait_for(Duration::from_secs(10), || inspect_network(
            tb.socket_b(),
            &id
        )
        .is_none()),
        "the network is gone from B"
    );
}

#[test]
fn a_standalone_server_sends_no_swarm_request() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    let server_a = ctx.add_server_a();
    ctx.add_server_c();
    let net = unique_name("st");
    ctx.cleanup_network(tb.socket_a(), &net);
    ctx.create_destination(&server_a, &net);
    // A check and a scan on A ask A alone, and never for swarm nodes.
    for args in [
        vec!["destination", "check", &format!("{server_a}/{net}")],
        vec!["scan", &server_a],
    ] {
        let args: Vec<&str> = args.iter().map(|s| s.as_ref()).collect();
        let sent = requests(&ctx, &args);
        assert!(
            sent.iter().all(|p| p != "/nodes" && p != "/info"),
            "{args:?}: {sent:?}"
        );
    }
    ctx.run(&["destination", "delete", &format!("{server_a}/{net}")])
        .ok();
}

#[test]
fn a_manager_asks_its_nodes_once_for_all_its_overlays() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    let server_b = ctx.add_server_b();
    ctx.add_server_c();
    let nets = [unique_name("sw"), unique_name("sw")];
    for net in &nets {
        ctx.cleanup_network(tb.socket_b(), net);
        ctx.create_destination(&server_b, net);
    }
    // Two overlays checked: the node list, B's node and C's containers are read once.
    let mut sent = requests(&ctx, &["destination", "check"]);
    sent.sort();
    let count = |path: &str| sent.iter().filter(|p| *p == path).count();
    assert_eq!(count("/nodes"), 1, "{sent:?}");
    assert_eq!(count("/info"), 2, "B's node and C's: {sent:?}");
    for net in &nets {
        ctx.run(&["destination", "delete", &format!("{server_b}/{net}")])
            .ok();
    }
}

/// The Docker API paths a command requested, from bollard's log (as tests/round_trips_cli.rs).
fn requests(ctx: &Ctx, args: &[&str]) -> Vec<String> {
    let log = ctx.dir.path().join("state/destui/destui.log");
    let _ = std::fs::remove_file(&log);
    let out = ctx
        .command(args)
        .env("DESTUI_LOG", "bollard=debug")
        .output()
        .expect("run destui");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::read_to_string(&log)
        .expect("the log")
        .lines()
        .filter_map(|l| l.split("DEBUG bollard::docker: http://docker").nth(1))
        .map(|path| path.split('?').next().unwrap_or(path).to_string())
        .collect()
}

/// Issue 28 item 3: a recorded swarm node that stalls (accepts, never answers) never slows a
/// swarm destination's details or check by its connect timeout: each other node has a short
/// deadline, and the line says which one could not be asked.
#[test]
fn a_stalled_node_never_slows_a_swarm_destinations_details() {
    let tb = live!();
    let mut ctx = Ctx::new(tb);
    let server_b = ctx.add_server_b();
    let net = unique_name("sw-stall");
    ctx.cleanup_network(tb.socket_b(), &net);
    ctx.create_destination(&server_b, &net);
    let reference = format!("{server_b}/{net}");
    // A worker of this swarm as its last check found it, which now accepts and never answers.
    let stalled = unique_name("stalled");
    ctx.run(&[
        "server",
        "add",
        &stalled,
        "--host",
        "127.0.0.1",
        "--port",
        &common::silent_port().to_string(),
        "--no-check",
    ])
    .ok();
    {
        let store = destui::store::Store::open(&ctx.db()).unwrap();
        let mut record = store.find_server(&stalled).unwrap();
        record.mode = destui::domain::ServerMode::SwarmWorker;
        store.save_server(&record).unwrap();
    }
    ctx.extra_env
        .push(("DESTUI_CONNECT_TIMEOUT".into(), "20".into()));
    for args in [["destination", "show"], ["destination", "check"]] {
        let started = std::time::Instant::now();
        let said = ctx.run(&[args[0], args[1], &reference]).stdout;
        let took = started.elapsed();
        assert!(took < Duration::from_secs(6), "{args:?} took {took:?}");
        assert!(
            said.contains(&stalled) && said.contains("not reached"),
            "{args:?}: {said}"
        );
    }
}
