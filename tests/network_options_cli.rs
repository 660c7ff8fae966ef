//! Network options (DESIGN.md §14) against the testbed: each option on daemon A (bridge) and
//! B (overlay), verified with `docker network inspect`; invalid values refused before any
//! remote call; repair recreates the network with the same options; `server addresses` marks
//! overlaps between servers' destinations.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::too_many_lines
)]
mod common;

use common::{Ctx, docker, inspect_network, unique_name, wait_for};
use serde_json::Value;
use std::time::{Duration, Instant};

/// A /24 of 10.23x.0.0/16 that no other test of this file takes.
fn subnet(third: u8, second: u8) -> String {
    format!("10.{second}.{third}.0/24")
}

#[test]
fn every_option_reaches_the_daemon_and_repair_makes_the_network_the_same() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    let a = ctx.add_server_a();
    let b = ctx.add_server_b();
    let pid = std::process::id() % 200 + 20;
    for (server, socket, driver, second) in [
        (&a, tb.socket_a(), "bridge", 233u8),
        (&b, tb.socket_b(), "overlay", 234u8),
    ] {
        let net = unique_name("opt");
        ctx.cleanup_network(socket, &net);
        let v4 = subnet(pid as u8, second);
        let prefix = v4.trim_end_matches(".0/24");
        let gateway = format!("{prefix}.1");
        let range = format!("{prefix}.128/25");
        let v6 = format!("fd00:{second}:{pid}::/64");
        let mut args = vec![
            "destination",
            "create",
            "--server",
            server,
            "--network",
            &net,
            "--subnet",
            &v4,
            "--gateway",
            &gateway,
            "--mtu",
            "1400",
            "--label",
            "team=shop",
        ];
        // IPv6 on the bridge only: on B's two-node swarm (Docker 20.10) attaching the proxy to
        // an IPv6 overlay was seen to time out ("context deadline exceeded") and the overlay
        // then to stay "in use by task", which left B unusable for the tests after.
        if driver == "bridge" {
            args.extend(["--ipv6", "--subnet6", &v6]);
        }
        // An IP range on the bridge only: a swarm's allocator takes it, but the overlay's
        // IPAM does not show it, and a forced removal of such an overlay was seen to leave the
        // proxy unable to start again ("Address already in use").
        if driver == "bridge" {
            args.extend(["--ip-range", &range]);
        }
        // A driver option each driver knows: a bridge's device name, an overlay's encryption.
        let bridge_name = format!("br-{}", &net[net.len() - 5..]);
        // (Not `encrypted` on the overlay: its IPsec between B and worker C timed the proxy's
        // attachment out here.)
        let opt = if driver == "bridge" {
            format!("com.docker.network.bridge.name={bridge_name}")
        } else {
            "com.example.team=shop".to_string()
        };
        args.extend(["--opt", &opt]);
        let created = ctx.json(&args);
        assert_eq!(created["network"], net.as_str());

        let check = |what: &str| {
            // A swarm manager may show a new overlay before its driver and IPAM are filled in.
            wait_for(Duration::from_secs(5), || {
                inspect_network(socket, &net).is_some_and(|n| n["Driver"] == driver)
            });
            let n = inspect_network(socket, &net).unwrap_or_else(|| panic!("{what}: gone"));
            assert_eq!(n["Driver"], driver, "{what}: {n}");
            assert_eq!(n["EnableIPv6"], driver == "bridge", "{what}: {n}");
            let configs = n["IPAM"]["Config"].as_array().unwrap();
            let v4c = configs.iter().find(|c| c["Subnet"] == v4.as_str()).unwrap();
            assert_eq!(v4c["Gateway"], gateway.as_str(), "{what}: {n}");
            if driver == "bridge" {
                // (An overlay's IPAM keeps no IP range.)
                assert_eq!(v4c["IPRange"], range.as_str(), "{what}: {n}");
            }
            assert_eq!(
                configs.iter().any(|c| c["Subnet"] == v6.as_str()),
                driver == "bridge",
                "{what}: {n}"
            );
            assert_eq!(
                n["Options"]["com.docker.network.driver.mtu"], "1400",
                "{what}: {n}"
            );
            let (key, value) = opt.split_once('=').unwrap();
            assert_eq!(n["Options"][key], value, "{what}: {n}");
            assert_eq!(n["Labels"]["team"], "shop", "{what}: {n}");
            assert_eq!(n["Labels"]["destui.managed"], "true", "{what}: {n}");
        };
        check("created");

        // Details and JSON show them.
        let shown = ctx.json(&["destination", "show", created["name"].as_str().unwrap()]);
        assert_eq!(shown["ipv6"], driver == "bridge", "{shown}");
        assert_eq!(shown["mtu"], 1400, "{shown}");
        assert_eq!(shown["gateway"], gateway.as_str(), "{shown}");
        assert_eq!(shown["labels"]["team"], "shop", "{shown}");
        let subnets: Vec<&str> = shown["subnets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap())
            .collect();
        assert!(subnets.contains(&v4.as_str()), "{shown}");
        assert_eq!(
            subnets.contains(&v6.as_str()),
            driver == "bridge",
            "{shown}"
        );
        if driver == "bridge" {
            assert_eq!(shown["ip_range"], range.as_str(), "{shown}");
        }
        let text = ctx
            .run(&["destination", "show", created["name"].as_str().unwrap()])
            .ok()
            .stdout;
        assert!(text.contains("mtu") && text.contains("1400"), "{text}");

        if driver == "overlay" {
            // Repair is shown on A's bridge: on B, an overlay removed by hand in this
            // two-node swarm was seen to stay "in use by task" (the network attachment task of
            // the proxy outlives the disconnect), or the proxy's attachment to its replacement
            // to time out — the daemon's doing, not destui's, and it left B unusable for
            // the tests after.
            ctx.run(&["destination", "delete", created["name"].as_str().unwrap()])
                .ok();
            continue;
        }
        // Removed by hand, then repaired: the same shape again.
        let id = shown["network_id"].as_str().unwrap();
        docker(socket, &["network", "disconnect", id, tb.proxy()]);
        // (A swarm manager may refuse the removal for a moment after a forced disconnect, and
        // answers it before the network is gone: repair once it is.)
        assert!(
            wait_for(Duration::from_secs(10), || {
                docker(socket, &["network", "rm", id]);
                !docker(socket, &["network", "inspect", id]).0
            }),
            "{driver}: the network could not be removed by hand"
        );
        ctx.run(&["destination", "repair", created["name"].as_str().unwrap()])
            .ok();
        check("repaired");
        ctx.run(&["destination", "delete", created["name"].as_str().unwrap()])
            .ok();
    }
}

/// An imported network keeps its shape (DESIGN.md §14): made by hand as an internal network
/// with a subnet, gateway, IP range, MTU, driver option and label, imported, removed behind
/// destui's back and repaired — the same network again, not an ordinary one.
#[test]
fn an_imported_network_is_repaired_with_the_shape_it_had() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    let a = ctx.add_server_a();
    let socket = tb.socket_a();
    let net = unique_name("imp");
    ctx.cleanup_network(socket, &net);
    let pid = std::process::id() % 200 + 20;
    let v4 = subnet(pid as u8, 235);
    let prefix = v4.trim_end_matches(".0/24");
    let gateway = format!("{prefix}.1");
    let range = format!("{prefix}.64/26");
    let bridge = format!("br-{}", &net[net.len() - 5..]);
    let bridge_opt = format!("com.docker.network.bridge.name={bridge}");
    common::docker_ok(
        socket,
        &[
            "network",
            "create",
            "--internal",
            "--subnet",
            &v4,
            "--gateway",
            &gateway,
            "--ip-range",
            &range,
            "--opt",
            "com.docker.network.driver.mtu=1400",
            "--opt",
            &bridge_opt,
            "--label",
            "team=shop",
            &net,
        ],
    );
    let shape = |what: &str| {
        let n = inspect_network(socket, &net).unwrap_or_else(|| panic!("{what}: gone"));
        let config = &n["IPAM"]["Config"][0];
        (
            n["Internal"].clone(),
            config["Subnet"].clone(),
            config["Gateway"].clone(),
            config["IPRange"].clone(),
            n["Options"]["com.docker.network.driver.mtu"].clone(),
            n["Options"]["com.docker.network.bridge.name"].clone(),
            n["Labels"]["team"].clone(),
        )
    };
    let made = shape("made by hand");
    assert_eq!(made.0, true, "{made:?}");
    let imported = ctx.json(&["import", &a, &net]);
    let name = imported[0]["name"]
        .as_str()
        .unwrap_or_else(|| panic!("{imported}"))
        .to_string();
    let id = ctx.json(&["destination", "show", &name])["network_id"]
        .as_str()
        .unwrap()
        .to_string();
    docker(socket, &["network", "disconnect", &id, tb.proxy()]);
    common::docker_ok(socket, &["network", "rm", &id]);
    ctx.run(&["destination", "repair", &name]).ok();
    assert_eq!(shape("repaired"), made);
    ctx.run(&["destination", "delete", &name]).ok();
}

/// On B's swarm: an overlay made by hand and imported keeps its subnet; removed by hand, it is
/// repaired at once — a swarm manager answers `network rm` before the network is gone, and a
/// repair in that moment used to find the old network, fail to attach the proxy to it and say
/// `missing` (exit 1).
#[test]
fn an_imported_overlay_removed_by_hand_is_repaired_at_once_with_its_subnet() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    let b = ctx.add_server_b();
    let socket = tb.socket_b();
    let net = unique_name("impov");
    ctx.cleanup_network(socket, &net);
    let v4 = subnet((std::process::id() % 200 + 20) as u8, 236);
    common::docker_ok(
        socket,
        &[
            "network",
            "create",
            "-d",
            "overlay",
            "--attachable",
            "--subnet",
            &v4,
            &net,
        ],
    );
    let name = ctx.json(&["import", &b, &net])[0]["name"]
        .as_str()
        .expect("imported")
        .to_string();
    for round in 0..2 {
        let id = ctx.json(&["destination", "show", &name])["network_id"]
            .as_str()
            .unwrap()
            .to_string();
        common::disconnect_proxy(socket, &id, tb.proxy());
        docker(socket, &["network", "rm", &id]);
        let repaired = ctx.json(&["destination", "repair", &name]);
        assert_eq!(repaired["status"], "ok", "round {round}: {repaired}");
        let n = inspect_network(socket, &net).expect("made again");
        assert_eq!(n["IPAM"]["Config"][0]["Subnet"], v4.as_str(), "{n}");
        assert_ne!(n["Id"], id.as_str(), "a new network");
    }
    ctx.run(&["destination", "delete", &name]).ok();
}

#[test]
fn invalid_options_are_refused_before_any_remote_call() {
    let tb = live!();
    let mut ctx = Ctx::new(tb);
    // A server that never answers: any remote call would take the 5 s connect timeout.
    ctx.add_silent_server("mute", 5);
    let cases: [(&[&str], &str); 9] = [
        (&["--subnet", "10.0.0.0/33"], "not an IPv4 CIDR"),
        (&["--subnet", "fd00::/64"], "--subnet6"),
        (&["--mtu", "40"], "out of range"),
        (&["--ipv6", "--mtu", "1000"], "1280"),
        (&["--label", "destui.name=x"], "reserved"),
        (&["--gateway", "10.9.0.1"], "needs the subnet"),
        (
            &["--subnet", "10.231.0.0/24", "--gateway", "10.9.0.1"],
            "outside the subnet",
        ),
        (&["--subnet6", "fd00::/64"], "needs --ipv6"),
        (&["--subnet", "auto"], "needs a pool"),
    ];
    for (flags, reason) in cases {
        let mut args = vec!["destination", "create", "--server", "mute"];
        args.extend_from_slice(flags);
        let started = Instant::now();
        let run = ctx.run(&args).refused();
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "{flags:?}: no remote call before the refusal ({:?})",
            started.elapsed()
        );
        assert!(run.stderr.contains(reason), "{flags:?}: {}", run.stderr);
        assert_eq!(run.stderr.trim().lines().count(), 1, "{}", run.stderr);
    }
    assert_eq!(ctx.json(&["destination", "list"]), Value::Array(vec![]));
}

#[test]
fn server_addresses_lists_every_subnet_and_marks_overlaps_between_servers() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    let a = ctx.add_server_a();
    let b = ctx.add_server_b();
    let pid = (std::process::id() % 200 + 20) as u8;
    let (on_a, on_b) = (unique_name("ova"), unique_name("ovb"));
    ctx.cleanup_network(tb.socket_a(), &on_a);
    ctx.cleanup_network(tb.socket_b(), &on_b);
    let wide = format!("10.235.{pid}.0/24");
    let narrow = format!("10.235.{pid}.0/25");
    let da = ctx.json(&[
        "destination",
        "create",
        "--server",
        &a,
        "--network",
        &on_a,
        "--subnet",
        &narrow,
    ]);
    let db = ctx.json(&[
        "destination",
        "create",
        "--server",
        &b,
        "--network",
        &on_b,
        "--subnet",
        &wide,
    ]);
    let rows = ctx.json(&["server", "addresses", &a]);
    let rows = rows.as_array().unwrap();
    let subnets: Vec<&str> = rows.iter().map(|r| r["subnet"].as_str().unwrap()).collect();
    let mut sorted = subnets.clone();
    sorted.sort_by_key(|s| {
        let (ip, bits) = s.split_once('/').unwrap();
        (
            ip.contains(':'),
            match ip.parse::<std::net::IpAddr>().unwrap() {
                std::net::IpAddr::V4(v) => u128::from(u32::from(v)),
                std::net::IpAddr::V6(v) => u128::from(v),
            },
            bits.parse::<u8>().unwrap(),
        )
    });
    assert_eq!(subnets, sorted, "sorted by address");
    assert!(
        rows.iter().any(|r| r["network"] == "bridge"),
        "every network: {rows:?}"
    );
    let row = rows.iter().find(|r| r["network"] == on_a.as_str()).unwrap();
    assert_eq!(row["destination"], da["name"], "{row}");
    assert_eq!(
        row["overlaps"][0],
        format!("{} on {b} ({wide})", db["name"].as_str().unwrap()),
        "{row}"
    );
    let text = ctx.run(&["server", "addresses", &a]).ok().stdout;
    assert!(
        text.lines()
            .any(|l| l.contains(&on_a) && l.contains("overlaps")),
        "{text}"
    );
    for d in [&da, &db] {
        ctx.run(&["destination", "delete", d["name"].as_str().unwrap()])
            .ok();
    }
}

/// Issue 27 item 12: a daemon without an IPv6 pool refuses `--ipv6` with "IPv6" in its
/// words; destui says IPv6 (not IPv4) and the fix that works for it (`--subnet6`, an IPv6
/// pool in daemon.json) — also when a fallback IPv4 pool is configured, which cannot help.
#[test]
fn ipv6_pool_exhaustion_is_said_as_ipv6_with_its_fix() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    let a = ctx.add_server_a();
    let socket = tb.socket_a();
    let net = unique_name("v6-none");
    ctx.cleanup_network(socket, &net);
    let create = [
        "destination",
        "create",
        "--server",
        &a,
        "--network",
        &net,
        "--ipv6",
    ];
    let run = ctx.run(&create).refused();
    assert!(run.stderr.contains("IPv6 address pool"), "{}", run.stderr);
    assert!(!run.stderr.contains("IPv4"), "{}", run.stderr);
    assert!(run.stderr.contains("--subnet6"), "{}", run.stderr);
    assert_eq!(run.stderr.trim().lines().count(), 1, "{}", run.stderr);

    let config = ctx.dir.path().join("config/destui");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(
        config.join("config.toml"),
        "[network]\nfallback_pool = \"10.238.0.0/16\"\n",
    )
    .unwrap();
    let run = ctx.run(&create).refused();
    assert!(run.stderr.contains("IPv6 address pool"), "{}", run.stderr);
    assert!(!run.stderr.contains("picked"), "{}", run.stderr);
    assert_eq!(common::network_id_by_exact_name(socket, &net), None);
    assert_eq!(ctx.json(&["destination", "list"]), Value::Array(vec![]));
}
