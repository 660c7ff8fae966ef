//! Destinations over real SSH against the two testbed daemons, each result checked on the daemon.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::too_many_lines
)]
mod common;

use common::{
    Ctx, Run, attached, container_running, docker, inspect_network, keys_of, unique_name, wait_for,
};
use std::time::Duration;

const DESTINATION_KEYS: [&str; 11] = [
    "created_at",
    "description",
    "name",
    "network",
    "network_id",
    "original_name",
    "server",
    "server_ip",
    "server_uuid",
    "type",
    "uuid",
];

/// Create with defaults, verify on the daemon, rename, delete, verify gone; proxy keeps running.
fn lifecycle(ctx: &Ctx, server: &str, socket: &str, driver: &str, kind: &str) {
    let tb = ctx.tb.unwrap();
    let d = ctx.json(&["destination", "create", "--server", server]);
    let network = d["network"].as_str().unwrap().to_string();
    ctx.cleanup_network(socket, &network);
    assert_eq!(keys_of(&d), DESTINATION_KEYS.map(String::from).to_vec());
    // Default network: a fresh CUID2; default name: kebab(<server>-<network>).
    assert!(
        network.len() >= 20
            && network
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()),
        "{network}"
    );
    assert_eq!(d["name"], format!("{server}-{network}"));
    assert_eq!(d["type"], kind);
    assert_eq!(d["server"], server);

    let id = d["network_id"].as_str().unwrap();
    let n = inspect_network(socket, id).expect("network exists on the daemon");
    assert_eq!(n["Name"], network.as_str());
    assert_eq!(n["Driver"], driver);
    assert_eq!(n["Attachable"], driver == "overlay");
    assert_eq!(n["Labels"]["destui.managed"], "true");
    assert_eq!(n["Labels"]["destui.destination"], d["uuid"]);
    assert!(
        attached(socket, id).contains(&tb.proxy().to_string()),
        "proxy attached"
    );

    // show: live details.
    let shown = ctx.json(&["destination", "show", d["name"].as_str().unwrap()]);
    for key in [
        "driver",
        "scope",
        "attachable",
        "subnet",
        "gateway",
        "containers",
        "proxy_connected",
        "resources",
        "status",
    ] {
        assert!(shown.get(key).is_some(), "show lacks {key}");
    }
    assert_eq!(shown["status"], "ok");
    assert_eq!(shown["proxy_connected"], true);
    assert_eq!(shown["driver"], driver);

    // Rename changes the name only.
    let new_name = unique_name("renamed");
    let renamed = ctx.json(&[
        "destination",
        "rename",
        &format!("{server}/{network}"),
        &new_name,
    ]);
    assert_eq!(renamed["name"], new_name.as_str());
    assert_eq!(renamed["network"], network.as_str());
    assert_eq!(renamed["network_id"], id);

    // Delete by name: proxy disconnected, network removed, record gone, proxy still running.
    ctx.run(&["destination", "delete", &new_name]).ok();
    assert!(inspect_network(socket, id).is_none(), "network removed");
    assert!(container_running(socket, tb.proxy()), "proxy still running");
    assert_eq!(
        ctx.json(&["destination", "list", "--server", server])
            .as_array()
            .unwrap()
            .len(),
        0
    );
}

#[test]
fn create_rename_delete_on_a_standalone_server() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    let server = ctx.add_server_a();
    let s = ctx.json(&["server", "show", &server]);
    assert_eq!(s["mode"], "standalone");
    assert_eq!(s["online"], true);
    lifecycle(&ctx, &server, tb.socket_a(), "bridge", "standalone");
}

#[test]
fn create_rename_delete_on_a_swarm_manager_uses_attachable_overlay() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    let server = ctx.add_server_b();
    assert_eq!(
        ctx.json(&["server", "show", &server])["mode"],
        "swarm-manager"
    );
    // The overlay's load-balancer endpoint (lb-<network>) must not block the delete.
    lifecycle(&ctx, &server, tb.socket_b(), "overlay", "swarm");
}

#[test]
fn duplicate_network_and_duplicate_name_are_refused_with_the_exact_messages() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    let server = ctx.add_server_a();
    let net = unique_name("dup");
    ctx.cleanup_network(tb.socket_a(), &net);
    let d = ctx.json(&[
        "destination",
        "create",
        "--server",
        &server,
        "--network",
        &net,
        "--name",
        &net,
    ]);
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
        run.stderr.trim(),
        "destui: Network already added to this server."
    );
    let run = ctx
        .run(&["destination", "create", "--server", &server, "--name", &net])
        .refused();
    assert_eq!(
        run.stderr.trim(),
        format!("destui: A destination named {net} already exists.")
    );
    let run = ctx.run(&["destination", "rename", &net, &net]).ok();
    assert!(run.stdout.contains(&net));
    assert_eq!(
        ctx.json(&["destination", "list"]).as_array().unwrap().len(),
        1,
        "no extra record"
    );
    ctx.run(&["destination", "delete", d["uuid"].as_str().unwrap()])
        .ok();
}

#[test]
fn a_network_created_out_of_band_is_pointed_to_import() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    let server = ctx.add_server_a();
    let net = unique_name("oob");
    ctx.cleanup_network(tb.socket_a(), &net);
    assert!(docker(tb.socket_a(), &["network", "create", &net]).0);
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
    assert!(
        run.stderr.contains("already exists")
            && run
                .stderr
                .contains(&format!("destui import {server} {net}")),
        "{}",
        run.stderr
    );
    assert_eq!(
        ctx.json(&["destination", "list"]).as_array().unwrap().len(),
        0
    );
    assert!(
        inspect_network(tb.socket_a(), &net).is_some(),
        "the foreign network is untouched"
    );
}

#[test]
fn delete_is_refused_while_a_container_is_attached() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    // Every node of B's swarm is known (C is its worker): B's overlays can be `unused`.
    ctx.add_server_c();
    for (server, socket) in [
        (ctx.add_server_a(), tb.socket_a()),
        (ctx.add_server_b(), tb.socket_b()),
    ] {
        let net = unique_name("busy");
        ctx.cleanup_network(socket, &net);
        let d = ctx.create_destination(&server, &net);
        let reference = format!("{server}/{net}");
        let unused = || ctx.json(&["destination", "check", &reference])[0]["unused"].clone();
        assert_eq!(unused(), true, "nothing but the proxy: unused");
        let app = unique_name("app");
        let (ok, _) = docker(
            socket,
            &[
                "run",
                "-d",
                "--name",
                &app,
                "--network",
                &net,
                tb.image(),
                "/bin/sleep",
                "600",
            ],
        );
        assert!(ok, "app container started");
        assert_eq!(unused(), false, "a container is attached");
        let run = ctx
            .run(&["destination", "delete", &format!("{server}/{net}")])
            .refused();
        // The spec's exact message, then what blocks the delete (DESIGN.md §15).
        assert_eq!(
            run.stderr.trim(),
            format!(
                "destui: You must delete all resources before deleting this destination. Attached: {app} (running)"
            )
        );
        let id = d["network_id"].as_str().unwrap();
        assert!(inspect_network(socket, id).is_some(), "network kept");
        assert!(
            attached(socket, id).contains(&tb.proxy().to_string()),
            "proxy still attached"
        );
        assert_eq!(
            ctx.json(&["destination", "list", "--server", &server])
                .as_array()
                .unwrap()
                .len(),
            1
        );
        docker(socket, &["rm", "-f", &app]);
        ctx.run(&["destination", "delete", &format!("{server}/{net}")])
            .ok();
        assert!(inspect_network(socket, id).is_none());
    }
}

#[test]
fn a_network_removed_by_hand_is_missing_and_delete_still_forgets_it() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    let server = ctx.add_server_a();
    let net = unique_name("gone");
    let d = ctx.create_destination(&server, &net);
    docker(tb.socket_a(), &["network", "disconnect", &net, tb.proxy()]);
    let checked = ctx.json_any(&["destination", "check", &net_ref(&server, &net)]);
    assert_eq!(checked[0]["status"], "proxy-detached");
    assert!(docker(tb.socket_a(), &["network", "rm", &net]).0);
    let checked = ctx.json_any(&["destination", "check", &net_ref(&server, &net)]);
    assert_eq!(checked[0]["status"], "missing");
    assert_eq!(checked[0]["destination"], d["name"]);
    let run = ctx
        .run(&["destination", "delete", &net_ref(&server, &net)])
        .ok();
    assert!(run.stderr.contains("already gone"), "{}", run.stderr);
    assert_eq!(
        ctx.json(&["destination", "list"]).as_array().unwrap().len(),
        0
    );
}

fn net_ref(server: &str, net: &str) -> String {
    format!("{server}/{net}")
}

#[test]
fn hex_names_that_prefix_another_networks_id_never_touch_that_network() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    let server = ctx.add_server_a();
    let victim = inspect_network(tb.socket_a(), tb.proxy_net()).expect("proxy net");
    let victim_id = victim["Id"].as_str().unwrap().to_string();
    // Docker resolves a path segment by ID prefix when no name matches: the name of our
    // network is a prefix of the proxy network's ID.
    let prefix = &victim_id[..12];
    ctx.cleanup_network(tb.socket_a(), prefix);
    let d = ctx.create_destination(&server, prefix);
    assert_ne!(d["network_id"], victim_id.as_str());
    ctx.run(&["destination", "delete", &net_ref(&server, prefix)])
        .ok();
    assert!(
        inspect_network(tb.socket_a(), &victim_id).is_some(),
        "the proxy network survives"
    );
    assert!(container_running(tb.socket_a(), tb.proxy()));
}

#[test]
fn the_proxys_own_network_is_never_deleted() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    let server = ctx.add_server_a();
    // Import refuses it (scan calls it `proxy network`)…
    let run = ctx.run(&["import", &server, tb.proxy_net()]).refused();
    assert!(run.stderr.contains("was started on it"), "{}", run.stderr);
    // …but a record of it may exist (made before that rule): its delete is refused too.
    let server_uuid = ctx.json(&["server", "show", &server])["uuid"]
        .as_str()
        .unwrap()
        .to_string();
    let proxy_net = inspect_network(tb.socket_a(), tb.proxy_net()).expect("proxy network");
    {
        let store = destui::store::Store::open(&ctx.db()).expect("the store, no destui running");
        store
            .insert_destination(&destui::domain::Destination {
                uuid: destui::domain::new_uuid().into(),
                name: format!("{server}-{}", tb.proxy_net()),
                network: tb.proxy_net().to_string(),
                network_id: proxy_net["Id"].as_str().unwrap().to_string(),
                server_uuid: server_uuid.into(),
                kind: destui::domain::DestinationType::Standalone,
                created_at: 0,
                description: None,
                original_name: None,
                options: Default::default(),
            })
            .expect("record");
    }
    // The check never offers it as unused (`u` in the TUI lists unused ones for deletion).
    let checked = ctx.json_any(&["destination", "check"]);
    assert_eq!(checked[0]["unused"], false, "{checked:#}");
    let run = ctx
        .run(&["destination", "delete", &net_ref(&server, tb.proxy_net())])
        .refused();
    assert!(run.stderr.contains("never deleted"), "{}", run.stderr);
    assert!(inspect_network(tb.socket_a(), tb.proxy_net()).is_some());
    assert!(attached(tb.socket_a(), tb.proxy_net()).contains(&tb.proxy().to_string()));
    assert_eq!(
        ctx.json(&["destination", "list"]).as_array().unwrap().len(),
        1,
        "record kept"
    );
}

#[test]
fn an_absent_proxy_is_a_warning_not_a_failure() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    let server = unique_name("noproxy");
    ctx.json(&[
        "server",
        "add",
        &server,
        "--host",
        tb.get("DESTUI_TB_HOST_A"),
        "--docker-socket",
        tb.socket_a(),
        "--proxy-container",
        "destui-no-such-proxy",
    ]);
    let net = unique_name("np");
    ctx.cleanup_network(tb.socket_a(), &net);
    let run = ctx
        .run(&[
            "--json",
            "destination",
            "create",
            "--server",
            &server,
            "--network",
            &net,
        ])
        .ok();
    assert!(
        run.stderr
            .contains("warning: proxy container destui-no-such-proxy was not found"),
        "{}",
        run.stderr
    );
    assert!(inspect_network(tb.socket_a(), &net).is_some());
    ctx.run(&["destination", "delete", &net_ref(&server, &net)])
        .ok();
    assert!(wait_for(Duration::from_secs(5), || inspect_network(
        tb.socket_a(),
        &net
    )
    .is_none()));
}

#[test]
fn an_unreachable_server_keeps_the_record_until_forced() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    let server = ctx.add_server_a();
    let net = unique_name("unr");
    ctx.cleanup_network(tb.socket_a(), &net);
    ctx.create_destination(&server, &net);
    // The machine "goes away": point the record at a closed port.
    let port = common::closed_port().to_string();
    ctx.json(&[
        "server",
        "edit",
        &server,
        "--host",
        "127.0.0.1",
        "--port",
        &port,
    ]);
    let run = ctx
        .run(&["destination", "delete", &net_ref(&server, &net)])
        .refused();
    assert!(
        run.stderr.contains("is kept") && run.stderr.contains("--force"),
        "{}",
        run.stderr
    );
    assert_eq!(
        run.stderr.matches("is unreachable").count(),
        1,
        "said once: {}",
        run.stderr
    );
    assert_eq!(
        ctx.json(&["destination", "list"]).as_array().unwrap().len(),
        1
    );
    let checked = ctx.json_any(&["destination", "check"]);
    assert_eq!(checked[0]["status"], "unknown", "never treated as missing");
    let run = ctx
        .run(&["destination", "delete", &net_ref(&server, &net), "--force"])
        .ok();
    assert!(run.stderr.contains("may remain"), "{}", run.stderr);
    assert_eq!(
        ctx.json(&["destination", "list"]).as_array().unwrap().len(),
        0
    );
    assert!(
        inspect_network(tb.socket_a(), &net).is_some(),
        "force touched only the record"
    );
}

#[test]
fn create_is_refused_on_an_offline_server_with_nothing_written() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    ctx.add_closed_server("off");
    let run = ctx
        .run(&["destination", "create", "--server", "off"])
        .refused();
    assert!(run.stderr.contains("unreachable"), "{}", run.stderr);
    assert_eq!(
        ctx.json(&["destination", "list"]).as_array().unwrap().len(),
        0
    );
    assert_eq!(ctx.json(&["server", "show", "off"])["online"], false);
}

#[test]
fn internal_networks_and_explicit_subnets() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    // B's own namespace: private subnets are never handed out in the machine's namespace.
    let server = ctx.add_server_b();
    let net = unique_name("int");
    ctx.cleanup_network(tb.socket_b(), &net);
    let d = ctx.json(&[
        "destination",
        "create",
        "--server",
        &server,
        "--network",
        &net,
        "--internal",
        "--subnet",
        "10.231.7.0/24",
    ]);
    let n = inspect_network(tb.socket_b(), d["network_id"].as_str().unwrap()).unwrap();
    assert_eq!(n["Internal"], true);
    assert_eq!(n["IPAM"]["Config"][0]["Subnet"], "10.231.7.0/24");
    let bad = ctx
        .run(&[
            "destination",
            "create",
            "--server",
            &server,
            "--subnet",
            "10.0.0.0/99",
        ])
        .refused();
    assert!(
        bad.stderr.contains("10.0.0.0/99\" is not an IPv4 CIDR"),
        "{}",
        bad.stderr
    );
    ctx.run(&["destination", "delete", &net_ref(&server, &net)])
        .ok();
}

#[test]
fn connect_and_disconnect_twice_are_harmless() {
    let tb = live!();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let api = destui::remote::docker::DockerApi::connect(tb.socket_a())
            .await
            .unwrap();
        let net = unique_name("twice");
        let id = api
            .create_network(&destui::remote::docker::NetworkSpec {
                name: &net,
                driver: "bridge",
                attachable: false,
                internal: false,
                subnet: None,
                labels: Default::default(),
                shape: None,
            })
            .await
            .unwrap();
        api.connect_container(&id, tb.proxy()).await.unwrap();
        api.connect_container(&id, tb.proxy()).await.unwrap();
        assert_eq!(attached(tb.socket_a(), &id), vec![tb.proxy().to_string()]);
        api.disconnect_container(&id, tb.proxy()).await.unwrap();
        api.disconnect_container(&id, tb.proxy()).await.unwrap();
        assert!(attached(tb.socket_a(), &id).is_empty());
        api.remove_network(&id).await.unwrap();
        api.remove_network(&id).await.unwrap();
        assert!(inspect_network(tb.socket_a(), &id).is_none());
    });
}

/// A server recorded as a swarm manager that is not one any more (here: the record is moved
/// to the standalone daemon A) never gets an overlay: the type follows the live check.
#[test]
fn a_server_that_left_swarm_mode_gets_a_bridge_not_an_overlay() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    let server = ctx.add_server_b();
    assert_eq!(
        ctx.json(&["server", "show", &server])["mode"],
        "swarm-manager"
    );
    ctx.json(&[
        "server",
        "edit",
        &server,
        "--host",
        tb.get("DESTUI_TB_HOST_A"),
        "--docker-socket",
        tb.socket_a(),
    ]);
    let net = unique_name("left-swarm");
    ctx.cleanup_network(tb.socket_a(), &net);
    let d = ctx.create_destination(&server, &net);
    assert_eq!(d["type"], "standalone");
    let n = inspect_network(tb.socket_a(), &net).expect("created on A");
    assert_eq!(n["Driver"], "bridge");
    assert!(
        inspect_network(tb.socket_b(), &net).is_none(),
        "nothing on B"
    );
    ctx.run(&["destination", "delete", &net_ref(&server, &net)])
        .ok();
}

/// Issue 18: what a destination is for, from create to edit; refusals change nothing.
#[test]
fn a_description_is_listed_cut_shown_whole_edited_and_cleared() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    let server = ctx.add_server_a();
    let host = tb.get("DESTUI_TB_HOST_A");
    let network = unique_name("desc");
    ctx.cleanup_network(tb.socket_a(), &network);
    let text = "storefront of the EU shop: checkout, cart and search, behind the CDN";
    let d = ctx.json(&[
        "destination",
        "create",
        "--server",
        &server,
        "--network",
        &network,
        "--description",
        text,
    ]);
    assert_eq!(d["description"], text);
    // The testbed's alias has HostName 127.0.0.1.
    assert_eq!(d["server_ip"], "127.0.0.1");
    let name = d["name"].as_str().unwrap().to_string();

    // The list cuts it with a mark; JSON and show have it whole.
    let list = ctx
        .run(&["destination", "list", "--server", &server])
        .ok()
        .stdout;
    assert!(
        list.lines().next().unwrap().ends_with("DESCRIPTION"),
        "{list}"
    );
    let cut: String = text.chars().take(29).collect();
    assert!(list.contains(&format!("{cut}…")), "{list}");
    assert!(!list.contains(text), "{list}");
    let listed = ctx.json(&["destination", "list", "--server", &server]);
    assert_eq!(listed[0]["description"], text);
    assert_eq!(listed[0]["server_ip"], "127.0.0.1");
    let shown = ctx.run(&["destination", "show", &name]).ok().stdout;
    assert!(
        shown.contains(&format!("description     {text}\n")),
        "{shown}"
    );
    assert!(
        shown.contains(&format!("server          {server} ({host} → 127.0.0.1)\n")),
        "{shown}"
    );
    let shown = ctx.json(&["destination", "show", &name]);
    assert_eq!(shown["description"], text);
    assert_eq!(shown["server_ip"], "127.0.0.1");

    // Name and description in one edit; then the description alone; then cleared.
    let renamed = unique_name("described");
    let edited = ctx.json(&[
        "destination",
        "edit",
        &name,
        "--name",
        &renamed,
        "--description",
        "checkout only",
    ]);
    assert_eq!(edited["name"], renamed.as_str());
    assert_eq!(edited["description"], "checkout only");
    assert_eq!(edited["network"], network.as_str());
    assert_eq!(edited["network_id"], d["network_id"]);
    let run = ctx
        .run(&["destination", "edit", &renamed, "--description", "cart"])
        .ok();
    assert_eq!(run.stdout, format!("edited {renamed}: description cart\n"));
    let shown = ctx.json(&["destination", "show", &renamed]);
    assert_eq!(
        (&shown["name"], &shown["description"]),
        (&serde_json::json!(renamed), &serde_json::json!("cart"))
    );

    // Refused before anything changes: one line, exit 1.
    let too_long = "x".repeat(501);
    for (bad, says) in [
        (too_long.as_str(), "the description is 501 characters long"),
        ("two\nlines", "control or invisible characters"),
        ("bell\u{7}", "control or invisible characters"),
    ] {
        let run = ctx
            .run(&["destination", "edit", &renamed, "--description", bad])
            .refused();
        assert!(run.stderr.contains(says), "{}", run.stderr);
        let run = ctx
            .run(&[
                "destination",
                "create",
                "--server",
                &server,
                "--network",
                &unique_name("never"),
                "--description",
                bad,
            ])
            .refused();
        assert!(run.stderr.contains(says), "{}", run.stderr);
    }
    let run = ctx
        .run(&[
            "destination",
            "edit",
            &renamed,
            "--name",
            "other",
            "--description",
            &too_long,
        ])
        .refused();
    assert!(run.stderr.contains("501 characters"), "{}", run.stderr);
    let after = ctx.json(&["destination", "list", "--server", &server]);
    assert_eq!(
        after.as_array().unwrap().len(),
        1,
        "no destination was created"
    );
    assert_eq!(
        (&after[0]["name"], &after[0]["description"]),
        (&serde_json::json!(renamed), &serde_json::json!("cart")),
        "nothing changed"
    );

    // Neither flag: a usage error that names both.
    let run = ctx.run(&["destination", "edit", &renamed]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("--name") && run.stderr.contains("--description"),
        "{}",
        run.stderr
    );

    // "" clears it: null in JSON, "-" in show, an empty cell in the list.
    let cleared = ctx.json(&["destination", "edit", &renamed, "--description", ""]);
    assert!(cleared["description"].is_null(), "{cleared}");
    let shown = ctx.run(&["destination", "show", &renamed]).ok().stdout;
    assert!(shown.contains("description     -\n"), "{shown}");

    ctx.run(&["destination", "delete", &renamed]).ok();
}

/// Issue 27 item 9: ten creates of one network at once: one wins; every other one says what
/// it lost to — the network is already a destination here — never "not a destination:
/// import it"; then ten deletes at once: one wins, the others say it is gone.
#[test]
fn parallel_creates_and_deletes_of_one_name_have_one_winner_and_exact_messages() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    let server = ctx.add_server_a();
    let socket = tb.socket_a();
    let net = unique_name("race");
    ctx.cleanup_network(socket, &net);
    let create = [
        "destination",
        "create",
        "--server",
        &server,
        "--network",
        &net,
    ];
    let runs = ctx.all_at_once(&vec![create.map(String::from).to_vec(); 10]);
    let won = runs.iter().filter(|r| r.code == 0).count();
    assert_eq!(won, 1, "{runs:#?}");
    for Run { code, stderr, .. } in runs.iter().filter(|r| r.code != 0) {
        assert_eq!(code, &1, "{stderr}");
        assert_eq!(
            stderr.trim(),
            "destui: Network already added to this server.",
            "{runs:#?}"
        );
    }
    let reference = format!("{server}/{net}");
    let delete = ["destination", "delete", reference.as_str()];
    let runs = ctx.all_at_once(&vec![delete.map(String::from).to_vec(); 10]);
    let won = runs.iter().filter(|r| r.code == 0).count();
    assert_eq!(won, 1, "{runs:#?}");
    for Run { code, stderr, .. } in runs.iter().filter(|r| r.code != 0) {
        assert_eq!(code, &1, "{stderr}");
        assert!(stderr.contains("no destination"), "{stderr}");
    }
    assert_eq!(common::network_id_by_exact_name(socket, &net), None);
}
