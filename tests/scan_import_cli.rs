//! Scan and import against the real daemons, and crash consistency of create.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::too_many_lines
)]
mod common;

use common::{Ctx, attached, docker, inspect_network, unique_name, wait_for};
use std::time::Duration;

#[test]
fn scan_hides_system_networks_and_marks_importability() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    // Every node of B's swarm is known (C is its worker): B's overlays can be `unused`.
    ctx.add_server_c();
    let server_a = ctx.add_server_a();
    for (server, socket) in [
        (server_a.clone(), tb.socket_a()),
        (ctx.add_server_b(), tb.socket_b()),
    ] {
        let foreign = unique_name("foreign");
        let busy = unique_name("busy");
        ctx.cleanup_network(socket, &foreign);
        ctx.cleanup_network(socket, &busy);
        assert!(docker(socket, &["network", "create", &foreign]).0);
        assert!(docker(socket, &["network", "create", &busy]).0);
        let app = unique_name("app");
        assert!(
            docker(
                socket,
                &[
                    "run",
                    "-d",
                    "--name",
                    &app,
                    "--network",
                    &busy,
                    tb.image(),
                    "/bin/sleep",
                    "600"
                ]
            )
            .0
        );
        let mine = unique_name("mine");
        ctx.cleanup_network(socket, &mine);
        ctx.create_destination(&server, &mine);

        let rows = ctx.json(&["scan", &server]);
        let rows = rows.as_array().unwrap();
        let row = |name: &str| rows.iter().find(|r| r["network"] == name).cloned();
        for hidden in ["bridge", "host", "none", "ingress", "docker_gwbridge"] {
            assert!(row(hidden).is_none(), "{hidden} is hidden");
        }
        let r = row(&foreign).expect("foreign listed");
        let mut keys: Vec<_> = r.as_object().unwrap().keys().cloned().collect();
        keys.sort();
        assert_eq!(
            keys,
            [
                "containers",
                "driver",
                "elsewhere",
                "id",
                "importable",
                "network",
                "reason",
                "role",
                "scope",
                "this_node_only",
                "unused"
            ]
        );
        assert_eq!(r["importable"], true);
        assert_eq!(r["role"], "importable");
        assert_eq!(r["unused"], true);
        assert_eq!(r["scope"], "local");
        let r = row(&busy).unwrap();
        assert_eq!(r["unused"], false);
        assert_eq!(r["containers"], serde_json::json!([app]));
        let r = row(&mine).unwrap();
        assert_eq!(r["importable"], false);
        assert_eq!(r["role"], "destination");
        assert_eq!(r["reason"], "already added");
        assert_eq!(r["unused"], true, "only the proxy attached");
        docker(socket, &["rm", "-f", &app]);
        ctx.run(&["destination", "delete", &format!("{server}/{mine}")])
            .ok();
    }
}

#[test]
fn import_names_with_suffixes_types_by_driver_and_connects_the_proxy() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    let server = ctx.add_server_b();
    let socket = tb.socket_b();
    let local_net = unique_name("imp-br");
    let overlay = unique_name("imp-ov");
    for n in [&local_net, &overlay] {
        ctx.cleanup_network(socket, n);
    }
    assert!(docker(socket, &["network", "create", &local_net]).0);
    assert!(
        docker(
            socket,
            &[
                "network",
                "create",
                "-d",
                "overlay",
                "--attachable",
                &overlay
            ]
        )
        .0
    );
    // Take the default name of the first import so that it must get "-2".
    let taken = format!("{server}-{local_net}");
    let other = unique_name("other");
    ctx.cleanup_network(socket, &other);
    ctx.json(&[
        "destination",
        "create",
        "--server",
        &server,
        "--network",
        &other,
        "--name",
        &taken,
    ]);

    let imported = ctx.json(&["import", &server, &local_net, &overlay]);
    let imported = imported.as_array().unwrap();
    assert_eq!(imported.len(), 2);
    let by_net = |n: &str| imported.iter().find(|d| d["network"] == n).unwrap().clone();
    let a = by_net(&local_net);
    assert_eq!(a["name"], format!("{taken}-2"));
    // A local-scope bridge on a swarm manager is never presented as a swarm destination.
    assert_eq!(a["type"], "standalone");
    let b = by_net(&overlay);
    assert_eq!(b["name"], format!("{server}-{overlay}"));
    assert_eq!(b["type"], "swarm");
    for d in [&a, &b] {
        let id = d["network_id"].as_str().unwrap();
        assert!(
            attached(socket, id).contains(&tb.proxy().to_string()),
            "proxy connected to {}",
            d["network"]
        );
    }
    // Importing again is refused, and nothing is duplicated.
    let run = ctx.run(&["import", &server, &local_net]).refused();
    assert_eq!(
        run.stderr.trim(),
        "destui: Network already added to this server."
    );
    // One bad name imports nothing.
    let fresh = unique_name("imp-fresh");
    ctx.cleanup_network(socket, &fresh);
    assert!(docker(socket, &["network", "create", &fresh]).0);
    ctx.run(&["import", &server, &fresh, "no-such-network"])
        .refused();
    assert_eq!(
        ctx.json(&["destination", "list"]).as_array().unwrap().len(),
        3
    );
    for d in [&a, &b] {
        ctx.run(&["destination", "delete", d["uuid"].as_str().unwrap()])
            .ok();
    }
    ctx.run(&["destination", "delete", &taken]).ok();
}

#[test]
fn import_all_takes_every_importable_network() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    // A proxy name that does not exist: --all must not attach the shared proxy to networks
    // that other tests running in parallel own.
    let server = unique_name("all");
    ctx.json(&[
        "server",
        "add",
        &server,
        "--host",
        "destui-a",
        "--docker-socket",
        tb.socket_a(),
        "--proxy-container",
        "destui-absent-proxy",
    ]);
    let nets: Vec<String> = (0..3).map(|_| unique_name("bulk")).collect();
    for n in &nets {
        ctx.cleanup_network(tb.socket_a(), n);
        assert!(docker(tb.socket_a(), &["network", "create", n]).0);
    }
    let imported = ctx.run(&["--json", "import", &server, "--all"]).ok().json();
    let names: Vec<&str> = imported
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["network"].as_str().unwrap())
        .collect();
    for n in &nets {
        assert!(names.contains(&n.as_str()), "{n} imported");
    }
    for hidden in ["bridge", "host", "none"] {
        assert!(!names.contains(&hidden));
    }
    let again = ctx.run(&["--json", "import", &server, "--all"]).ok().json();
    assert!(
        again
            .as_array()
            .unwrap()
            .iter()
            .all(|d| !nets.contains(&d["network"].as_str().unwrap().to_string())),
        "already imported networks are not imported twice"
    );
    // Forget the records only (the networks belong to the test, cleaned up by Ctx).
    ctx.json(&[
        "server",
        "edit",
        &server,
        "--port",
        &common::closed_port().to_string(),
        "--host",
        "127.0.0.1",
    ]);
    ctx.run(&["server", "remove", &server, "--force", "--yes"])
        .ok();
}

/// kill -9 between network creation and record save: the next start adopts the labelled
/// network, so there is neither an orphan network nor a record without a network.
#[test]
fn a_crash_after_network_creation_is_reconciled_on_next_start() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    let server_a = ctx.add_server_a();
    for (server, socket) in [
        (server_a.clone(), tb.socket_a()),
        (ctx.add_server_b(), tb.socket_b()),
    ] {
        let net = unique_name("crash");
        ctx.cleanup_network(socket, &net);
        ctx.crash_at(
            "after-network-create",
            &[
                "destination",
                "create",
                "--server",
                &server,
                "--network",
                &net,
            ],
        );
        let created = inspect_network(socket, &net).expect("network was created before the crash");
        assert_eq!(created["Labels"]["destui.managed"], "true");

        // Next start: the record appears, pointing at that very network.
        let list = ctx
            .run(&["--json", "destination", "list", "--server", &server])
            .ok();
        assert!(
            list.stderr.contains("recovered destination"),
            "{}",
            list.stderr
        );
        let list = list.json();
        let list = list.as_array().unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(list[0]["network"], net.as_str());
        assert_eq!(list[0]["network_id"], created["Id"]);
        assert!(
            attached(socket, created["Id"].as_str().unwrap()).contains(&tb.proxy().to_string())
        );
        ctx.run(&["destination", "delete", &format!("{server}/{net}")])
            .ok();
        assert!(wait_for(Duration::from_secs(5), || inspect_network(
            socket, &net
        )
        .is_none()));
    }

    // A crash whose network then disappears: the intent is dropped, no record appears (on
    // the same server: a second record of A's Docker would be refused).
    let server = server_a;
    let net = unique_name("crash-gone");
    ctx.cleanup_network(tb.socket_a(), &net);
    ctx.crash_at(
        "after-network-create",
        &[
            "destination",
            "create",
            "--server",
            &server,
            "--network",
            &net,
        ],
    );
    let id = common::network_id_by_exact_name(tb.socket_a(), &net).unwrap();
    assert!(docker(tb.socket_a(), &["network", "rm", &id]).0);
    assert_eq!(
        ctx.json(&["destination", "list"]).as_array().unwrap().len(),
        0
    );
    let store_intents = {
        // The intent is gone for good: a second start has nothing to reconcile.
        let run = ctx.run(&["destination", "list"]).ok();
        run.stderr
    };
    assert!(store_intents.is_empty(), "{store_intents}");
}

/// Scan says what each network is (DESIGN.md §3): the proxy's own network is never offered
/// (not importable, never unused), a service stack's isolated network names its resource, and
/// import refuses both.
#[test]
fn scan_names_the_proxy_network_and_service_stacks_and_import_refuses_them() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    let server = ctx.add_server_a();
    let socket = tb.socket_a();
    let home = ctx.create_destination(&server, &unique_name("home"));
    ctx.cleanup_network(socket, home["network"].as_str().unwrap());
    let stack = unique_name("stk");
    let created = ctx.deploy(&stack, &server, None, Some("service"));
    let stack_net = created["networks"]
        .as_array()
        .and_then(|n| {
            n.iter()
                .find_map(|v| v.as_str().filter(|s| s.starts_with("destui-")))
        })
        .expect("the stack's own network")
        .to_string();
    let rows = ctx.json(&["scan", &server]);
    let row = |name: &str| {
        rows.as_array()
            .unwrap()
            .iter()
            .find(|r| r["network"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("{name} listed in {rows:#}"))
    };
    let proxy = row(tb.proxy_net());
    assert_eq!(proxy["role"], "proxy network");
    assert_eq!(proxy["importable"], false);
    assert_eq!(proxy["unused"], false, "never offered for deletion");
    let own = row(&stack_net);
    assert_eq!(own["role"], format!("stack of {stack}"));
    assert_eq!(own["importable"], false);
    for refused in [tb.proxy_net(), stack_net.as_str()] {
        let run = ctx.run(&["import", &server, refused]).refused();
        assert!(run.stderr.contains("cannot be imported"), "{}", run.stderr);
    }
    let table = ctx.run(&["scan", &server]).ok().stdout;
    assert!(table.contains("ROLE"), "{table}");
    assert!(table.contains("proxy network"), "{table}");
    ctx.run(&["resource", "delete", &stack]).ok();
}
