//! Two admins, two data directories, the same daemons (DESIGN.md §12): what one creates the
//! other adopts whole from the daemons' labels (`sync`, scan's `made elsewhere`, import), a
//! delete by one shows as `missing` to the other, and a crash of one's create while the other
//! syncs leaves both sides with the same record.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::too_many_lines
)]
mod common;

use common::{Ctx, ResourceContainers, Testbed, docker, inspect_network, unique_name};
use serde_json::Value;

/// Admin one's destination on `server`, its network removed when the test ends.
fn destination(ctx: &Ctx, server: &str, socket: &str) -> Value {
    let net = unique_name("team");
    ctx.cleanup_network(socket, &net);
    ctx.create_destination(server, &net)
}

fn resource(ctx: &Ctx, tb: &Testbed, kind: &str, server: &str, destination: &str) -> Value {
    let name = unique_name(kind);
    let mut args = vec![
        "resource",
        "create",
        &name,
        "--kind",
        kind,
        "--server",
        server,
        "--destination",
        destination,
        "--image",
        tb.image(),
        "--command",
        "sleep 600",
    ];
    if kind == "service" {
        args.push("--connect-predefined");
    }
    ctx.json(&args)
}

/// `(uuid, name, type)` of every destination, sorted.
fn destinations(ctx: &Ctx) -> Vec<(String, String, String)> {
    let list = ctx.json(&["destination", "list"]);
    let mut rows: Vec<_> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["uuid"].as_str().unwrap().to_string(),
                d["name"].as_str().unwrap().to_string(),
                d["type"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    rows.sort();
    rows
}

/// `(uuid, name, kind, image, command, connect_predefined)` of every resource, sorted.
fn resources(ctx: &Ctx) -> Vec<(String, String, String, String, String, bool)> {
    let list = ctx.json(&["resource", "list"]);
    let mut rows: Vec<_> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["uuid"].as_str().unwrap().to_string(),
                r["name"].as_str().unwrap().to_string(),
                r["kind"].as_str().unwrap().to_string(),
                r["image"].as_str().unwrap().to_string(),
                r["command"].as_str().unwrap_or("").to_string(),
                r["connect_predefined"].as_bool().unwrap(),
            )
        })
        .collect();
    rows.sort();
    rows
}

fn adopted<'a>(report: &'a Value, what: &str) -> Vec<&'a Value> {
    report["adopted"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["what"] == what)
        .collect()
}

#[test]
fn a_second_admin_syncs_what_the_first_made_and_a_delete_shows_as_missing() {
    let tb = live!();
    let one = Ctx::new(tb);
    let two = Ctx::new(tb);
    let (a1, b1) = (one.add_server_a(), one.add_server_b());
    let a2 = two.add_server_a();
    two.add_server_b();

    // Admin one: three destinations (standalone and swarm), two resources.
    let d1 = destination(&one, &a1, tb.socket_a());
    let d2 = destination(&one, &a1, tb.socket_a());
    let d3 = destination(&one, &b1, tb.socket_b());
    assert_eq!(d3["type"], "swarm");
    let mut on_a = ResourceContainers(tb.socket_a(), Vec::new());
    let mut on_b = ResourceContainers(tb.socket_b(), Vec::new());
    let app = resource(&one, tb, "application", &a1, d1["name"].as_str().unwrap());
    on_a.1.push(app["uuid"].as_str().unwrap().to_string());
    let stack = resource(&one, tb, "service", &b1, d3["name"].as_str().unwrap());
    on_b.1.push(stack["uuid"].as_str().unwrap().to_string());

    // The daemons carry them: the network's labels, the container's labels.
    let net = inspect_network(tb.socket_a(), d1["network"].as_str().unwrap()).unwrap();
    let labels = &net["Labels"];
    assert_eq!(labels["destui.managed"], "true", "{labels}");
    assert_eq!(labels["destui.destination"], d1["uuid"], "{labels}");
    assert_eq!(labels["destui.name"], d1["name"], "{labels}");
    assert!(
        labels["destui.created"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z') && t.contains('T')),
        "{labels}"
    );
    let container = app["containers"][0].as_str().unwrap();
    let (_, label_json) = docker(
        tb.socket_a(),
        &["inspect", "-f", "{{json .Config.Labels}}", container],
    );
    let container_labels: Value = serde_json::from_str(&label_json).unwrap();
    assert_eq!(container_labels["destui.resource"], app["uuid"]);
    assert_eq!(container_labels["destui.resource.name"], app["name"]);
    assert_eq!(container_labels["destui.resource.kind"], "application");
    assert_eq!(container_labels["destui.destination"], d1["uuid"]);

    // Admin two's scan tells them apart from plain networks.
    let scan = two.json(&["scan", &a2]);
    let row = scan
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["network"] == d1["network"])
        .expect("d1's network in the scan");
    assert_eq!(
        row["role"],
        format!("made elsewhere: {}", d1["name"].as_str().unwrap()),
        "{row}"
    );
    assert_eq!(row["importable"], true, "{row}");

    // Admin two syncs: the same uuids, names, types, kinds.
    let report = two.json(&["sync"]);
    assert_eq!(report["missing"], serde_json::json!([]), "{report}");
    assert_eq!(report["unreachable"], serde_json::json!([]), "{report}");
    let ours =
        |d: &Value| d["uuid"] == d1["uuid"] || d["uuid"] == d2["uuid"] || d["uuid"] == d3["uuid"];
    assert_eq!(
        adopted(&report, "destination")
            .iter()
            .filter(|d| ours(d))
            .count(),
        3,
        "{report}"
    );
    let our_resources = |r: &Value| r["uuid"] == app["uuid"] || r["uuid"] == stack["uuid"];
    assert_eq!(
        adopted(&report, "resource")
            .iter()
            .filter(|r| our_resources(r))
            .count(),
        2,
        "{report}"
    );
    let mine: Vec<_> = destinations(&one);
    let theirs: Vec<_> = destinations(&two)
        .into_iter()
        .filter(|(uuid, _, _)| mine.iter().any(|m| m.0 == *uuid))
        .collect();
    assert_eq!(theirs, mine, "same uuids, names and types");
    let mine = resources(&one);
    let theirs: Vec<_> = resources(&two)
        .into_iter()
        .filter(|r| mine.iter().any(|m| m.0 == r.0))
        .collect();
    assert_eq!(theirs, mine, "same resources, whole");
    assert!(mine.iter().any(|r| r.2 == "service" && r.5), "{mine:?}");
    assert!(mine.iter().all(|r| r.4 == "sleep 600"), "{mine:?}");

    // A second sync changes nothing.
    let again = two.json(&["sync"]);
    assert!(
        !again["adopted"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| ours(a) || our_resources(a)),
        "{again}"
    );

    // A rename is local: admin two's details show the name it was made with.
    let d1_name = d1["name"].as_str().unwrap();
    let renamed = unique_name("renamed");
    two.run(&["destination", "rename", d1_name, &renamed]).ok();
    let shown = two.json(&["destination", "show", &renamed]);
    assert_eq!(shown["original_name"], d1["name"], "{shown}");
    let text = two.run(&["destination", "show", &renamed]).ok().stdout;
    assert!(
        text.contains("original name") && text.contains(d1_name),
        "{text}"
    );
    assert_eq!(
        one.json(&["destination", "show", d1_name])["original_name"],
        Value::Null,
        "admin one's name is unchanged"
    );

    // Admin two deletes one of them; admin one sees it missing and forgets it with delete.
    two.run(&["destination", "delete", d2["name"].as_str().unwrap()])
        .ok();
    let check = one.json_any(&["destination", "check", d2["name"].as_str().unwrap()]);
    assert_eq!(check[0]["status"], "missing", "{check}");
    let synced = one.json(&["sync"]);
    let missing = synced["missing"].as_array().unwrap();
    assert_eq!(missing.len(), 1, "{synced}");
    assert_eq!(missing[0]["uuid"], d2["uuid"], "{synced}");
    one.run(&["destination", "delete", d2["name"].as_str().unwrap()])
        .ok();
    assert!(
        !destinations(&one).iter().any(|d| d.0 == d2["uuid"]),
        "forgotten"
    );
    let synced = one.json(&["sync"]);
    assert_eq!(synced["missing"], serde_json::json!([]), "{synced}");

    // Resources first, then the destinations (admin one's records; admin two forgets).
    for r in [&app, &stack] {
        one.run(&["resource", "delete", r["name"].as_str().unwrap()])
            .ok();
    }
    for d in [&d1, &d3] {
        one.run(&["destination", "delete", d["name"].as_str().unwrap()])
            .ok();
    }
}

#[test]
fn import_adopts_a_network_made_elsewhere_with_its_resources() {
    let tb = live!();
    let one = Ctx::new(tb);
    let two = Ctx::new(tb);
    let a1 = one.add_server_a();
    let a2 = two.add_server_a();
    let d = destination(&one, &a1, tb.socket_a());
    let mut guard = ResourceContainers(tb.socket_a(), Vec::new());
    let db = resource(&one, tb, "database", &a1, d["name"].as_str().unwrap());
    guard.1.push(db["uuid"].as_str().unwrap().to_string());

    let imported = two.json(&["import", &a2, d["network"].as_str().unwrap()]);
    assert_eq!(imported[0]["uuid"], d["uuid"], "{imported}");
    assert_eq!(imported[0]["name"], d["name"], "{imported}");
    assert_eq!(imported[0]["created_at"], d["created_at"], "{imported}");
    let theirs: Vec<_> = resources(&two)
        .into_iter()
        .filter(|r| r.0 == db["uuid"].as_str().unwrap())
        .collect();
    assert_eq!(theirs, resources(&one));
    // Imported again: already added.
    let run = two.run(&["import", &a2, d["network"].as_str().unwrap()]);
    assert_eq!(run.code, 1, "{}", run.stderr);

    one.run(&["resource", "delete", db["name"].as_str().unwrap()])
        .ok();
    one.run(&["destination", "delete", d["name"].as_str().unwrap()])
        .ok();
}

#[test]
fn a_crash_of_one_admins_create_while_the_other_syncs_leaves_both_with_one_record() {
    let tb = live!();
    let one = Ctx::new(tb);
    let two = Ctx::new(tb);
    let a1 = one.add_server_a();
    two.add_server_a();
    for step in ["after-network-create", "after-proxy-connect"] {
        let net = unique_name("crash");
        one.cleanup_network(tb.socket_a(), &net);
        let name = unique_name("made");
        one.crash_at(
            step,
            &[
                "destination",
                "create",
                "--server",
                &a1,
                "--network",
                &net,
                "--name",
                &name,
            ],
        );
        // Admin two syncs while admin one's record is not written yet: adopted by its label.
        let report = two.json(&["sync"]);
        let adopted = adopted(&report, "destination");
        let theirs = adopted
            .iter()
            .find(|a| a["on"] == net.as_str())
            .unwrap_or_else(|| panic!("{step}: {report}"));
        assert_eq!(theirs["name"], name.as_str(), "{step}: {report}");
        // Admin one's next command settles the create: the same uuid on both sides.
        let mine = one.json(&["destination", "show", &name]);
        assert_eq!(mine["uuid"], theirs["uuid"], "{step}");
        assert_eq!(
            two.json(&["destination", "show", &name])["uuid"],
            mine["uuid"],
            "{step}"
        );
        assert_eq!(mine["proxy_connected"], true, "{step}: {mine}");
        one.run(&["destination", "delete", &name]).ok();
        let check = two.json_any(&["destination", "check", &name]);
        assert_eq!(check[0]["status"], "missing", "{step}: {check}");
        two.run(&["destination", "delete", &name]).ok();
    }
}
