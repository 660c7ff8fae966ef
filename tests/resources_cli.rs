//! Resources against the testbed: containers on destinations, service stacks on networks of
//! their own, the destination choice, clone, and delete rules, on both daemons.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::too_many_lines
)]
mod common;

use common::{
    Ctx, ResourceContainers, attached, container_running, docker, inspect_network, unique_name,
};
use serde_json::Value;

/// Creates a destination on `server` and registers its network for cleanup.
fn destination(ctx: &Ctx, server: &str, socket: &str) -> Value {
    let net = unique_name("res");
    ctx.cleanup_network(socket, &net);
    ctx.create_destination(server, &net)
}

fn names(v: &Value, key: &str) -> Vec<String> {
    v[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn two_copies_of_one_stack_run_side_by_side_and_delete_cleans_up() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    for (server, socket) in [
        (ctx.add_server_a(), tb.socket_a()),
        (ctx.add_server_b(), tb.socket_b()),
    ] {
        let d = destination(&ctx, &server, socket);
        let dest_net = d["network"].as_str().unwrap().to_string();
        let mut guard = ResourceContainers(socket, Vec::new());
        let mut copies = Vec::new();
        for (i, predefined) in [(1, true), (2, false)] {
            let name = unique_name(&format!("stack{i}"));
            let mut args = vec![
                "resource",
                "create",
                &name,
                "--kind",
                "service",
                "--server",
                &server,
                "--image",
                tb.image(),
            ];
            if predefined {
                args.push("--connect-predefined");
            }
            let v = ctx.json(&args);
            guard.1.push(v["uuid"].as_str().unwrap().to_string());
            assert_eq!(v["status"], "running", "{v}");
            let own = format!("destui-{}", v["uuid"].as_str().unwrap());
            let nets = names(&v, "networks");
            assert!(nets.contains(&own), "its own network: {v}");
            assert_eq!(nets.contains(&dest_net), predefined, "{v}");
            let container = names(&v, "containers")[0].clone();
            assert!(container_running(socket, &container));
            assert!(attached(socket, &own).contains(&container));
            copies.push((name, own, container));
        }
        assert_ne!(copies[0].1, copies[1].1, "no shared network");
        // The destination cannot go while resources are assigned.
        let run = ctx
            .run(&["destination", "delete", d["name"].as_str().unwrap()])
            .refused();
        // The spec's exact message, then what blocks the delete (§15): the container of the
        // copy that joined the destination's network, and both resources.
        let mut blocking: Vec<&str> = copies.iter().map(|(name, _, _)| name.as_str()).collect();
        blocking.sort();
        assert_eq!(
            run.stderr.trim(),
            format!(
                "destui: You must delete all resources before deleting this destination. Attached: {} (running); resources: {}",
                copies[0].2,
                blocking.join(", ")
            )
        );
        for (name, own, container) in &copies {
            ctx.run(&["resource", "delete", name]).ok();
            assert!(!container_running(socket, container));
            assert!(inspect_network(socket, own).is_none(), "{own} removed");
        }
        assert!(
            ctx.json(&["resource", "list"])
                .as_array()
                .unwrap()
                .is_empty()
        );
        ctx.run(&["destination", "delete", d["name"].as_str().unwrap()])
            .ok();
    }
}

#[test]
fn the_destination_is_asked_for_only_when_there_is_a_choice() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    let server = ctx.add_server_a();
    let socket = tb.socket_a();
    let first = destination(&ctx, &server, socket);
    let mut guard = ResourceContainers(socket, Vec::new());
    let app = unique_name("app");
    let v = ctx.json(&[
        "resource",
        "create",
        &app,
        "--server",
        &server,
        "--image",
        tb.image(),
    ]);
    guard.1.push(v["uuid"].as_str().unwrap().to_string());
    assert_eq!(
        v["destination"], first["name"],
        "the only destination is used"
    );
    assert!(names(&v, "networks").contains(&first["network"].as_str().unwrap().to_string()));

    let second = destination(&ctx, &server, socket);
    let db = unique_name("db");
    let run = ctx
        .run(&[
            "resource",
            "create",
            &db,
            "--kind",
            "database",
            "--server",
            &server,
            "--image",
            tb.image(),
        ])
        .refused();
    for d in [&first, &second] {
        assert!(
            run.stderr.contains(d["name"].as_str().unwrap()),
            "names every candidate: {}",
            run.stderr
        );
    }
    let (_, listed) = docker(socket, &["ps", "-a", "--format", "{{.Names}}"]);
    assert!(!listed.contains(&db), "nothing deployed without a choice");
    let v = ctx.json(&[
        "resource",
        "create",
        &db,
        "--kind",
        "database",
        "--server",
        &server,
        "--destination",
        second["name"].as_str().unwrap(),
        "--image",
        tb.image(),
    ]);
    guard.1.push(v["uuid"].as_str().unwrap().to_string());
    assert_eq!(v["kind"], "database");
    assert_eq!(v["destination"], second["name"]);
}

#[test]
fn clone_deploys_a_new_resource_and_leaves_the_original_running() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    let a = ctx.add_server_a();
    let b = ctx.add_server_b();
    let da = destination(&ctx, &a, tb.socket_a());
    let db = destination(&ctx, &b, tb.socket_b());
    let mut guard_a = ResourceContainers(tb.socket_a(), Vec::new());
    let mut guard_b = ResourceContainers(tb.socket_b(), Vec::new());
    let name = unique_name("web");
    let original = ctx.json(&[
        "resource",
        "create",
        &name,
        "--server",
        &a,
        "--image",
        tb.image(),
        "--command",
        "sleep 600",
    ]);
    guard_a
        .1
        .push(original["uuid"].as_str().unwrap().to_string());
    let copy = ctx.json(&[
        "resource",
        "clone",
        &name,
        "--destination",
        db["name"].as_str().unwrap(),
    ]);
    guard_b.1.push(copy["uuid"].as_str().unwrap().to_string());
    assert_ne!(copy["uuid"], original["uuid"]);
    assert_eq!(copy["name"], format!("{name}-clone"));
    assert_eq!(copy["command"], "sleep 600");
    assert_eq!(copy["server"], b.as_str());
    assert!(container_running(
        tb.socket_b(),
        &names(&copy, "containers")[0]
    ));
    let again = ctx.json(&["resource", "show", &name]);
    assert_eq!(again["status"], "running");
    assert_eq!(again["destination"], da["name"]);
    let container = names(&original, "containers")[0].clone();
    assert!(container_running(tb.socket_a(), &container));

    // The destination's details give each resource's live state (DESIGN.md §11: a resource
    // container that dies shows `stopped`).
    let dest = da["name"].as_str().unwrap();
    let shown = ctx.json(&["destination", "show", dest]);
    assert_eq!(shown["resource_status"][&name], "running", "{shown}");
    common::docker_ok(tb.socket_a(), &["kill", &container]);
    let shown = ctx.json(&["destination", "show", dest]);
    assert_eq!(shown["resource_status"][&name], "stopped", "{shown}");
    let text = ctx.run(&["destination", "show", dest]).ok().stdout;
    assert!(
        text.lines()
            .any(|l| l.starts_with("resources") && l.contains(&format!("{name} (stopped)"))),
        "{text}"
    );
}

#[test]
fn drift_is_found_and_repaired_on_both_daemons() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    for (server, socket, driver) in [
        (ctx.add_server_a(), tb.socket_a(), "bridge"),
        (ctx.add_server_b(), tb.socket_b(), "overlay"),
    ] {
        let d = destination(&ctx, &server, socket);
        let name = d["name"].as_str().unwrap().to_string();
        let old_id = d["network_id"].as_str().unwrap().to_string();
        // Removed by hand behind destui's back (by full ID).
        common::disconnect_proxy(socket, &old_id, tb.proxy());
        // A swarm manager holds the proxy's attachment task for a moment after the disconnect
        // ("in use by task"): retry like an admin would, until the network is gone.
        assert!(
            common::wait_for(std::time::Duration::from_secs(15), || {
                docker(socket, &["network", "rm", &old_id]);
                inspect_network(socket, &old_id).is_none()
            }),
            "removed by hand"
        );
        let rows = ctx.json_any(&["destination", "check", &name]);
        assert_eq!(rows[0]["status"], "missing", "{rows}");
        let repaired = ctx.json(&["destination", "repair", &name]);
        assert_eq!(repaired["status"], "ok", "{repaired}");
        let shown = ctx.json(&["destination", "show", &name]);
        assert_eq!(shown["network"], d["network"]);
        assert_eq!(shown["driver"], driver);
        assert_eq!(shown["proxy_connected"], true);
        let new_id = shown["network_id"].as_str().unwrap();
        assert_ne!(new_id, old_id, "a new network");
        assert!(attached(socket, new_id).contains(&tb.proxy().to_string()));
        let rows = ctx.json_any(&["destination", "check", &name]);
        assert_eq!(rows[0]["status"], "ok", "{rows}");
        ctx.run(&["destination", "delete", &name]).ok();
    }
}

#[test]
fn a_terminal_is_asked_which_destination() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    let server = ctx.add_server_a();
    let socket = tb.socket_a();
    let _first = destination(&ctx, &server, socket);
    let second = destination(&ctx, &server, socket);
    let name = unique_name("asked");
    let term = common::tmux::Tui::start_command(
        &ctx,
        &[
            "--json",
            "resource",
            "create",
            &name,
            "--server",
            &server,
            "--image",
            tb.image(),
        ],
        100,
        30,
        &[],
    );
    let screen = term.wait("the destination prompt", |s| {
        s.contains("Destination (number or name):")
    });
    // Answer with the number the prompt gives the second destination.
    let wanted = second["name"].as_str().unwrap();
    let number = screen
        .text
        .lines()
        .find_map(|l| {
            let (n, rest) = l.trim().split_once(") ")?;
            (rest.trim() == wanted).then(|| n.to_string())
        })
        .unwrap_or_else(|| panic!("{wanted} not offered:\n{}", screen.text));
    term.keys(&[&number, "Enter"]);
    assert_eq!(term.wait_exit(), 0, "{}", term.screen().text);
    let v = ctx.json(&["resource", "show", &name]);
    let _guard = ResourceContainers(socket, vec![v["uuid"].as_str().unwrap().to_string()]);
    assert_eq!(v["destination"], second["name"], "{v}");
    assert_eq!(v["status"], "running");
    ctx.run(&["resource", "delete", &name]).ok();
}

#[test]
fn an_image_that_cannot_be_pulled_leaves_nothing_behind() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    let server = ctx.add_server_a();
    let socket = tb.socket_a();
    let _d = destination(&ctx, &server, socket);
    let name = unique_name("nopull");
    let run = ctx
        .run(&[
            "resource",
            "create",
            &name,
            "--kind",
            "service",
            "--server",
            &server,
            "--image",
            "destui-no-such/image:0",
        ])
        .refused();
    assert!(run.stderr.contains("could not be pulled"), "{}", run.stderr);
    assert_eq!(
        run.stderr.trim().lines().count(),
        1,
        "one line: {}",
        run.stderr
    );
    assert!(
        ctx.json(&["resource", "list"])
            .as_array()
            .unwrap()
            .is_empty()
    );
    let (_, containers) = docker(socket, &["ps", "-a", "--format", "{{.Names}}"]);
    assert!(!containers.contains(&name), "{containers}");
    // No stack network without its container may remain. Other tests running in parallel
    // create stack networks just before their containers, so an empty one of theirs lasts a
    // moment; an orphan of ours would stay for good.
    let orphans = || {
        let (_, ids) = docker(
            socket,
            &["network", "ls", "-q", "--filter", "label=destui.resource"],
        );
        ids.split_whitespace()
            .filter(|id| attached(socket, id).is_empty())
            .count()
    };
    assert!(
        common::wait_for(std::time::Duration::from_secs(10), || orphans() == 0),
        "the stack's network was removed"
    );
}

/// Issue 27 item 11: another admin deleted a resource and its destination's network; here
/// the destination is missing and every resource on it is missing too. One delete forgets
/// them all and names what it forgot; a resource whose container still exists keeps the
/// refusal.
#[test]
fn a_missing_destination_whose_resources_are_all_missing_is_forgotten_in_one_delete() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    let server = ctx.add_server_a();
    let socket = tb.socket_a();
    let gone_name = unique_name("gone-res");
    let kept_name = unique_name("kept-res");
    for (name, keep_one) in [(&gone_name, false), (&kept_name, true)] {
        let d = destination(&ctx, &server, socket);
        let dest = d["name"].as_str().unwrap().to_string();
        let net_id = d["network_id"].as_str().unwrap().to_string();
        let r = ctx.deploy(name, &server, Some(&dest), None);
        let uuid = r["uuid"].as_str().unwrap().to_string();
        let _guard = common::ResourceContainers(socket, vec![uuid.clone()]);
        let container = r["containers"][0].as_str().unwrap().to_string();
        // The other admin: the container removed (or, for the second case, only taken off
        // the network), then the network.
        if keep_one {
            assert!(
                docker(
                    socket,
                    &["network", "disconnect", "-f", &net_id, &container]
                )
                .0
            );
        } else {
            assert!(docker(socket, &["rm", "-f", &container]).0);
        }
        common::disconnect_proxy(socket, &net_id, tb.proxy());
        assert!(docker(socket, &["network", "rm", &net_id]).0);
        let listed = ctx.json(&["resource", "list"]);
        let row = listed
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["name"] == **name);
        let status = if keep_one { "running" } else { "missing" };
        assert_eq!(
            row.map(|x| x["status"].clone()),
            Some(status.into()),
            "{listed}"
        );
        if keep_one {
            let run = ctx.run(&["destination", "delete", &dest]).refused();
            assert!(
                run.stderr
                    .contains("You must delete all resources before deleting this destination."),
                "{}",
                run.stderr
            );
            assert!(run.stderr.contains(name.as_str()), "{}", run.stderr);
            ctx.run(&["resource", "delete", &uuid]).ok();
            ctx.run(&["destination", "delete", &dest]).ok();
            continue;
        }
        let run = ctx.run(&["destination", "delete", &dest]).ok();
        assert!(
            run.stderr.contains(&format!("forgot resource {name}")),
            "{}",
            run.stderr
        );
        assert_eq!(ctx.json(&["resource", "list"]), serde_json::json!([]));
        let left = ctx.json(&["destination", "list"]);
        assert!(
            !left
                .as_array()
                .unwrap()
                .iter()
                .any(|x| x["name"] == dest.as_str()),
            "{left}"
        );
    }
}
