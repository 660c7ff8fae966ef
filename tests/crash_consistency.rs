//! Crash consistency (DESIGN.md §8, issue 7): the process is killed dead (`DESTUI_FAILPOINT`
//! aborts exactly like kill -9: no destructors, no flush) at each step of create, import and
//! delete, and of a resource deploy; the next start reconciles, and then the records and the
//! daemon agree: every record has its network with the proxy attached, every network this test
//! made through destui has its record, nothing runs without a record, and nothing is left to
//! reconcile.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::too_many_lines
)]
mod common;

use common::relay::{Relay, relayed_servers};
use common::settle::{assert_agree, restart};
use common::{Ctx, attached, docker, network_id_by_exact_name, unique_name};
use std::time::Instant;

#[test]
fn a_crash_at_any_step_of_create_is_settled_on_the_next_start() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    let server = ctx.add_server_a();
    let socket = tb.socket_a();
    // (failpoint, whether the destination exists once settled)
    for (step, kept) in [
        ("after-create-intent", false),
        ("after-network-create", true),
        ("after-proxy-connect", true),
        ("after-record-save", true),
    ] {
        let net = unique_name("cc-create");
        ctx.cleanup_network(socket, &net);
        ctx.crash_at(
            step,
            &[
                "destination",
                "create",
                "--server",
                &server,
                "--network",
                &net,
            ],
        );
        assert_agree(&ctx, tb, &server, socket, &[&net]);
        let (_, records) = restart(&ctx, &server);
        assert_eq!(records.contains_key(&net), kept, "{step}");
        assert_eq!(
            network_id_by_exact_name(socket, &net).is_some(),
            kept,
            "{step}"
        );
        if kept {
            ctx.run(&["destination", "delete", &format!("{server}/{net}")])
                .ok();
        }
    }
}

#[test]
fn a_crash_at_any_step_of_import_is_settled_on_the_next_start() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    let server = ctx.add_server_a();
    let socket = tb.socket_a();
    for step in ["after-import-save", "after-import-attach"] {
        let nets = networks_out_of_band(&ctx, socket, "cc-imp", 2);
        ctx.crash_at(step, &["import", &server, &nets[0], &nets[1]]);
        let (notes, records) = restart(&ctx, &server);
        if step == "after-import-save" {
            assert!(notes.contains("finished importing"), "{step}: {notes}");
        }
        for net in &nets {
            assert!(records.contains_key(net), "{step}: {net} was not imported");
        }
        let names: Vec<&str> = nets.iter().map(String::as_str).collect();
        assert_agree(&ctx, tb, &server, socket, &names);
        for net in &nets {
            ctx.run(&["destination", "delete", &format!("{server}/{net}")])
                .ok();
        }
    }
}

fn create_then_crash_in_delete(ctx: &Ctx, server: &str, net: &str, step: &str) {
    ctx.create_destination(server, net);
    ctx.crash_at(step, &["destination", "delete", &format!("{server}/{net}")]);
}

#[test]
fn a_crash_at_any_step_of_delete_is_settled_on_the_next_start() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    let server = ctx.add_server_a();
    let socket = tb.socket_a();
    for step in [
        "after-delete-intent",
        "after-proxy-disconnect",
        "after-network-remove",
    ] {
        let net = unique_name("cc-del");
        ctx.cleanup_network(socket, &net);
        create_then_crash_in_delete(&ctx, &server, &net, step);
        let (notes, records) = restart(&ctx, &server);
        assert!(notes.contains("finished deleting"), "{step}: {notes}");
        assert!(!records.contains_key(&net), "{step}: the record is back");
        assert!(
            network_id_by_exact_name(socket, &net).is_none(),
            "{step}: the network is still there"
        );
        assert_agree(&ctx, tb, &server, socket, &[&net]);
    }
}

/// A delete interrupted while something else got attached to the network is not finished
/// behind the user's back: the destination is kept whole, proxy attached again.
#[test]
fn an_interrupted_delete_is_rolled_back_when_the_network_is_in_use_by_then() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    let server = ctx.add_server_a();
    let socket = tb.socket_a();
    let net = unique_name("cc-busy");
    ctx.cleanup_network(socket, &net);
    create_then_crash_in_delete(&ctx, &server, &net, "after-proxy-disconnect");
    let app = unique_name("cc-app");
    assert!(
        docker(
            socket,
            &[
                "run",
                "-d",
                "--rm",
                "--name",
                &app,
                "--network",
                &net,
                tb.image(),
                "sleep",
                "300"
            ]
        )
        .0
    );
    let (notes, records) = restart(&ctx, &server);
    let _ = docker(socket, &["rm", "-f", &app]);
    assert!(notes.contains("kept destination"), "{notes}");
    assert!(records.contains_key(&net));
    assert_agree(&ctx, tb, &server, socket, &[&net]);
    let deleted = common::wait_for(std::time::Duration::from_secs(10), || {
        ctx.run(&["destination", "delete", &format!("{server}/{net}")])
            .code
            == 0
    });
    assert!(
        deleted,
        "the destination could not be deleted once the app was gone"
    );
}

/// `n` networks made on `socket` with the docker CLI (not destinations), removed at the end.
fn networks_out_of_band(ctx: &Ctx, socket: &str, prefix: &str, n: usize) -> Vec<String> {
    (0..n)
        .map(|_| {
            let net = unique_name(prefix);
            ctx.cleanup_network(socket, &net);
            assert!(docker(socket, &["network", "create", &net]).0);
            net
        })
        .collect()
}

/// Interrupted work on a server that does not answer waits for it (records kept, nothing
/// settled blindly), and costs every later command one connect attempt, not one per intent.
#[test]
fn intents_on_an_unreachable_server_wait_and_cost_one_connect_attempt() {
    let tb = live!();
    let mut ctx = Ctx::new(tb);
    let (server, relay) = relayed_servers(&mut ctx, 1).remove(0);
    let socket = tb.socket_a();
    // Two intents at once: an import of two networks killed after saving the records, before
    // the proxy was attached to either.
    let nets = networks_out_of_band(&ctx, socket, "cc-wait", 2);
    ctx.crash_at(
        "after-import-save",
        &["import", &server, &nets[0], &nets[1]],
    );

    relay.stall();
    let (notes, records) = restart(&ctx, &server);
    assert_eq!(
        relay.stalled_accepts().len(),
        1,
        "one connect attempt for two intents on one server"
    );
    let lines: Vec<&str> = notes.lines().collect();
    assert!(
        lines.len() == 1
            && lines[0].starts_with(&format!(
                "note: 2 interrupted step(s) on {server} wait until it answers: "
            ))
            && lines[0].contains("timed out"),
        "nothing settled blindly, and the user is told why the command waited: {lines:?}"
    );
    for net in &nets {
        assert!(records.contains_key(net), "the record of {net} is kept");
        let id = network_id_by_exact_name(socket, net).expect("the network is kept");
        assert!(
            attached(socket, &id).is_empty(),
            "the proxy is not attached yet"
        );
    }

    // Answering again: the next start finishes both imports.
    relay.resume();
    let (notes, records) = restart(&ctx, &server);
    assert_eq!(notes.matches("finished importing").count(), 2, "{notes}");
    for net in &nets {
        assert!(records.contains_key(net));
    }
    assert_agree(&ctx, tb, &server, socket, &[&nets[0], &nets[1]]);
    for net in &nets {
        ctx.run(&["destination", "delete", &format!("{server}/{net}")])
            .ok();
    }
}

/// Several servers with interrupted work that do not answer are tried at once: the next start
/// waits about one connect timeout, not one per server.
#[test]
fn unreachable_servers_are_tried_at_once_not_in_turn() {
    let tb = live!();
    let mut ctx = Ctx::new(tb);
    let socket = tb.socket_a();
    let (servers, relays): (Vec<String>, Vec<Relay>) =
        relayed_servers(&mut ctx, 2).into_iter().unzip();
    // An interrupted import on each; the first server stalls before the second import runs,
    // so that import's own start-up settling cannot finish the first.
    let nets = networks_out_of_band(&ctx, socket, "cc-par", 2);
    for ((server, relay), net) in servers.iter().zip(&relays).zip(&nets) {
        ctx.crash_at("after-import-save", &["import", server, net]);
        relay.stall();
    }

    let before: Vec<usize> = relays.iter().map(|r| r.stalled_accepts().len()).collect();
    let (notes, _) = restart(&ctx, &servers[0]);
    assert_eq!(
        notes.matches("wait until it answers").count(),
        2,
        "nothing settled blindly: {notes}"
    );
    assert!(!notes.contains("finished"), "{notes}");
    let tried: Vec<Instant> = relays
        .iter()
        .zip(before)
        .map(|(r, n)| {
            let accepts = r.stalled_accepts();
            assert_eq!(accepts.len(), n + 1, "one attempt per server");
            accepts[n]
        })
        .collect();
    let gap = tried[0].max(tried[1]) - tried[0].min(tried[1]);
    assert!(
        gap < std::time::Duration::from_secs(1),
        "the second server was tried {gap:?} after the first (one after the other would be >= the 2 s timeout)"
    );

    for relay in &relays {
        relay.resume();
    }
    let (notes, _) = restart(&ctx, &servers[0]);
    assert_eq!(notes.matches("finished importing").count(), 2, "{notes}");
    for (server, net) in servers.iter().zip(&nets) {
        assert_agree(&ctx, tb, server, socket, &[net]);
        ctx.run(&["destination", "delete", &format!("{server}/{net}")])
            .ok();
    }
}

/// The uuid of the resource whose deploy a crash interrupted (its intent, read from the store
/// while no destui runs).
fn interrupted_deploy(ctx: &Ctx) -> String {
    let store = destui::store::Store::open(&ctx.db()).expect("open the store");
    let intents = store.resource_intents().expect("resource intents");
    assert_eq!(intents.len(), 1, "one interrupted deploy");
    intents[0].resource.uuid.to_string()
}

fn labelled_containers(socket: &str, uuid: &str) -> Vec<String> {
    let (ok, out) = docker(
        socket,
        &[
            "ps",
            "-aq",
            "--filter",
            &format!("label=destui.resource={uuid}"),
        ],
    );
    assert!(ok, "{out}");
    out.split_whitespace().map(str::to_string).collect()
}

/// kill -9 at each step of a resource deploy (a service stack: its own network, then its
/// container joined to the destination's network): the next start removes what the deploy had
/// started, so nothing runs without a record; a crash after the record is saved keeps it whole.
#[test]
fn a_crash_at_any_step_of_a_resource_deploy_leaves_nothing_unrecorded() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    let server = ctx.add_server_a();
    let socket = tb.socket_a();
    let net = unique_name("cc-res");
    ctx.cleanup_network(socket, &net);
    let d = ctx.create_destination(&server, &net);
    let destination = d["name"].as_str().expect("a name").to_string();
    for (step, started_something) in [
        ("after-resource-intent", false),
        ("after-stack-network", true),
        ("after-container-start", true),
    ] {
        let name = unique_name("ccres");
        ctx.crash_at(
            step,
            &[
                "resource",
                "create",
                &name,
                "--kind",
                "service",
                "--server",
                &server,
                "--destination",
                &destination,
                "--connect-predefined",
                "--image",
                tb.image(),
                "--command",
                "sleep 600",
            ],
        );
        let uuid = interrupted_deploy(&ctx);
        let stack = format!("destui-{uuid}");
        if step == "after-container-start" {
            assert_eq!(labelled_containers(socket, &uuid).len(), 1, "{step}");
        }
        let (notes, _) = restart(&ctx, &server);
        assert_eq!(
            notes.contains("removed what an interrupted deploy of resource"),
            started_something,
            "{step}: {notes}"
        );
        assert!(labelled_containers(socket, &uuid).is_empty(), "{step}");
        assert!(
            network_id_by_exact_name(socket, &stack).is_none(),
            "{step}: the stack network is left"
        );
        let records = ctx.json(&["resource", "list"]);
        assert!(
            !records.to_string().contains(&name),
            "{step}: a record without a deploy: {records}"
        );
        let store = destui::store::Store::open(&ctx.db()).expect("open the store");
        assert!(
            !store.has_intents().unwrap(),
            "{step}: nothing left to settle"
        );
    }

    // After the record is saved: the resource is whole and stays.
    let name = unique_name("ccres");
    ctx.crash_at(
        "after-resource-save",
        &[
            "resource",
            "create",
            &name,
            "--server",
            &server,
            "--destination",
            &destination,
            "--image",
            tb.image(),
            "--command",
            "sleep 600",
        ],
    );
    let shown = ctx.json(&["resource", "show", &name]);
    assert_eq!(shown["status"], "running", "{shown}");
    ctx.run(&["resource", "delete", &name]).ok();
    let uuid = shown["uuid"].as_str().expect("a uuid");
    assert!(labelled_containers(socket, uuid).is_empty());
    ctx.run(&["destination", "delete", &destination]).ok();
}
