//! DESIGN.md §11 through `destui watch`: out-of-band changes on a real daemon (made with the
//! docker CLI, as someone else would) are lines within a second; a killed master is
//! reconnected and what happened meanwhile is replayed once; the proxy is put back when asked,
//! never after destui's own delete, and left alone when it keeps being disconnected.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::too_many_lines
)]
mod common;

use common::watch::{Watch, about};
use common::{Ctx, attached, docker, docker_ok, kill_masters, run_sleeper, unique_name, wait_for};
use serde_json::Value;
use std::time::{Duration, Instant};

/// What the issue asks: each change seen within a second.
const WITHIN: Duration = Duration::from_secs(1);

/// The line arrived within `WITHIN` of `done` (when the docker command returned).
#[track_caller]
fn in_time(what: &str, done: Instant, (at, line): &(Instant, Value)) {
    let took = at.saturating_duration_since(done);
    eprintln!("{what}: {} ms", took.as_millis());
    assert!(took <= WITHIN, "{what} took {took:?}: {line}");
}

/// A destination on daemon A (over ssh), its network removed at the end.
fn destination(ctx: &Ctx) -> (String, String, String) {
    let tb = ctx.tb.expect("testbed");
    let server = ctx.add_server_a();
    let network = unique_name("wt");
    ctx.cleanup_network(tb.socket_a(), &network);
    let d = ctx.create_destination(&server, &network);
    (server, d["name"].as_str().unwrap().to_string(), network)
}

/// Containers removed at the end, pass or fail.
struct Containers(&'static str, Vec<String>);

impl Drop for Containers {
    fn drop(&mut self) {
        for name in &self.1 {
            let _ = docker(self.0, &["rm", "-f", name]);
        }
    }
}

#[test]
fn every_kind_of_out_of_band_change_is_a_line_within_a_second() {
    let tb = live!();
    let socket = tb.socket_a();
    let ctx = Ctx::new(tb);
    let (server, name, network) = destination(&ctx);
    let proxy = tb.proxy();
    let mut guard = Containers(socket, Vec::new());

    let mut watch = Watch::start(&ctx, &[&server], 1);
    // The state first, without a check asked for: the destination is ok.
    let check = watch
        .seen
        .iter()
        .find(|(_, v)| about(v, &name))
        .map(|(_, v)| v.clone())
        .expect("a first line about the destination");
    assert_eq!(check["event"], "check");
    assert_eq!(check["status"], "ok", "{check}");
    assert_eq!(check["server"], server.as_str());
    assert_eq!(check["network"], network.as_str());
    let mut keys: Vec<&str> = check
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "destination",
            "detail",
            "event",
            "network",
            "server",
            "status",
            "time"
        ]
    );

    // The proxy disconnected by hand: proxy-detached; connected again: ok.
    let done = docker_ok(socket, &["network", "disconnect", &network, proxy]);
    let line = watch.next("proxy-detached", Duration::from_secs(10), |v| {
        about(v, &name) && v["event"] == "disconnect" && v["status"] == "proxy-detached"
    });
    in_time("proxy disconnected", done, &line);
    let done = docker_ok(socket, &["network", "connect", &network, proxy]);
    let line = watch.next("ok again", Duration::from_secs(10), |v| {
        about(v, &name) && v["event"] == "connect" && v["status"] == "ok"
    });
    in_time("proxy connected", done, &line);

    // A container joins and leaves.
    let app = unique_name("wapp");
    guard.1.push(app.clone());
    let done = run_sleeper(tb, socket, &app, &network);
    let line = watch.next("a container joining", Duration::from_secs(10), |v| {
        about(v, &name) && v["event"] == "connect"
    });
    in_time("container joined", done, &line);
    assert_eq!(line.1["detail"], format!("container {app} joined"));
    assert_eq!(line.1["status"], "ok");

    // A resource container that dies is `stopped`, and `running` when it starts again.
    let resource = unique_name("wres");
    let deployed = ctx.deploy(&resource, &server, Some(&name), None);
    let container = deployed["containers"][0].as_str().unwrap().to_string();
    guard.1.push(container.clone());
    let done = docker_ok(socket, &["kill", &container]);
    let line = watch.next("a resource stopped", Duration::from_secs(10), |v| {
        about(v, &name) && v["event"] == "die"
    });
    in_time("resource container died", done, &line);
    assert_eq!(line.1["status"], "stopped", "{}", line.1);
    assert!(line.1["detail"].as_str().unwrap().contains(&resource));
    let done = docker_ok(socket, &["start", &container]);
    let line = watch.next("a resource running", Duration::from_secs(10), |v| {
        about(v, &name) && v["event"] == "start"
    });
    in_time("resource container started", done, &line);
    assert_eq!(line.1["status"], "running");
    ctx.run(&["resource", "delete", &resource]).ok();

    let done = docker_ok(socket, &["rm", "-f", &app]);
    let line = watch.next("a container leaving", Duration::from_secs(10), |v| {
        about(v, &name)
            && v["event"] == "disconnect"
            && v["detail"] == format!("container {app} left")
    });
    in_time("container left", done, &line);

    // A network made by hand: a line of its own, no destination.
    let other = unique_name("wnet");
    ctx.cleanup_network(socket, &other);
    let done = docker_ok(socket, &["network", "create", &other]);
    let line = watch.next("a network created", Duration::from_secs(10), |v| {
        v["network"] == other.as_str() && v["event"] == "create"
    });
    in_time("network created", done, &line);
    assert!(line.1["destination"].is_null());
    docker_ok(socket, &["network", "rm", &other]);

    // The destination's network removed by hand: missing.
    docker_ok(socket, &["network", "disconnect", &network, proxy]);
    let done = docker_ok(socket, &["network", "rm", &network]);
    let line = watch.next("missing", Duration::from_secs(10), |v| {
        about(v, &name) && v["event"] == "destroy"
    });
    in_time("network removed", done, &line);
    assert_eq!(line.1["status"], "missing", "{}", line.1);

    // Ctrl-C ends it with 0.
    assert_eq!(watch.interrupt(), Some(0), "{}", watch.stderr());
}

#[test]
fn the_text_lines_name_the_destination_the_event_and_the_status() {
    let tb = live!();
    let socket = tb.socket_a();
    let ctx = Ctx::new(tb);
    let (server, name, network) = destination(&ctx);
    let mut child = ctx
        .command(&["watch", &server])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (send, lines) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            let _ = send.send(line);
        }
    });
    let wait_line = |pred: &dyn Fn(&str) -> bool| {
        let end = Instant::now() + Duration::from_secs(20);
        while let Ok(line) = lines.recv_timeout(end.saturating_duration_since(Instant::now())) {
            if pred(&line) {
                return line;
            }
        }
        panic!("no such line");
    };
    wait_line(&|l| l.contains("  watching  "));
    docker_ok(socket, &["network", "disconnect", &network, tb.proxy()]);
    let line = wait_line(&|l| l.contains("disconnect"));
    assert!(
        line.contains(&format!(
            "  {server}  {name} ({network})  disconnect  proxy-detached  — "
        )),
        "{line}"
    );
    let _ = child.kill();
    let _ = child.wait();
}

/// Networks made by hand with names no lookup by name can find: removed by their ID at the
/// end, pass or fail.
struct NetworksById(&'static str, Vec<String>);

impl Drop for NetworksById {
    fn drop(&mut self) {
        for id in &self.1 {
            let _ = docker(self.0, &["network", "rm", id]);
        }
    }
}

#[test]
fn a_network_name_with_a_line_break_stays_on_its_line_in_text_output() {
    let tb = live!();
    let socket = tb.socket_a();
    let ctx = Ctx::new(tb);
    let server = ctx.add_server_a();
    let mut made = NetworksById(socket, Vec::new());
    let mut child = ctx
        .command(&["watch", &server])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (send, lines) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            let _ = send.send(line);
        }
    });
    let mut seen = Vec::new();
    let mut wait_line = |pred: &dyn Fn(&str) -> bool| {
        let end = Instant::now() + Duration::from_secs(20);
        while let Ok(line) = lines.recv_timeout(end.saturating_duration_since(Instant::now())) {
            seen.push(line.clone());
            if pred(&line) {
                return line;
            }
        }
        panic!("no such line; lines: {seen:#?}");
    };
    wait_line(&|l| l.contains("  watching  "));
    // A name that, printed raw, would end its line and start a forged row.
    let base = unique_name("wnl");
    let forged = format!("FORGED-{base}  a-destination (x)  create  ok");
    let name = format!("{base}\n{forged}");
    let (ok, id) = docker(socket, &["network", "create", &name]);
    assert!(ok, "docker network create: {id}");
    made.1.push(id.trim().to_string());
    let line = wait_line(&|l| l.contains(&base) && l.contains("  create"));
    assert!(
        line.contains(&format!("network {base}\\u{{a}}{forged}  create")),
        "{line}"
    );
    // Its removal too; and no line printed meanwhile starts with the forged text.
    docker_ok(socket, &["network", "rm", &made.1[0]]);
    let line = wait_line(&|l| l.contains(&base) && l.contains("  destroy"));
    assert!(line.contains("\\u{a}"), "{line}");
    let _ = child.kill();
    let _ = child.wait();
    for line in lines.try_iter().chain(seen.drain(..)) {
        assert!(!line.starts_with("FORGED"), "a forged row: {line}");
    }
}

#[test]
fn a_killed_master_is_reconnected_and_what_happened_meanwhile_is_told_once() {
    let tb = live!();
    let socket = tb.socket_a();
    let ctx = Ctx::new(tb);
    let (server, name, network) = destination(&ctx);
    let mut watch = Watch::start(&ctx, &[&server], 1);

    assert!(kill_masters(&ctx) >= 1, "no master to kill");
    // While the stream is down, someone disconnects the proxy.
    docker_ok(socket, &["network", "disconnect", &network, tb.proxy()]);
    watch.next("reconnecting", Duration::from_secs(10), |v| {
        v["event"] == "reconnecting"
    });
    watch.next("watching again", Duration::from_secs(30), |v| {
        v["event"] == "watching"
    });
    // Everything said about the destination from the reconnect on, and a little after.
    let after = watch.gather(Duration::from_secs(2));
    let start = watch
        .seen
        .iter()
        .position(|(_, v)| v["event"] == "reconnecting")
        .unwrap();
    let told: Vec<&Value> = watch.seen[start..]
        .iter()
        .map(|(_, v)| v)
        .filter(|v| about(v, &name))
        .collect();
    assert_eq!(
        told.len(),
        1,
        "the disconnect told once, nothing invented: {told:#?} (then {after:#?})"
    );
    assert_eq!(told[0]["status"], "proxy-detached");
    assert_eq!(
        told[0]["event"], "disconnect",
        "replayed from the stream: {}",
        told[0]
    );

    // And it keeps watching.
    let done = docker_ok(socket, &["network", "connect", &network, tb.proxy()]);
    let line = watch.next("ok after the reconnect", Duration::from_secs(10), |v| {
        about(v, &name) && v["status"] == "ok"
    });
    in_time("proxy connected after the reconnect", done, &line);
}

/// The proxy of `network` is attached on daemon `socket`.
fn proxy_on(tb: &common::Testbed, socket: &str, network: &str) -> bool {
    attached(socket, network).iter().any(|c| c == tb.proxy())
}

#[test]
fn a_proxy_disconnected_by_someone_else_is_put_back_but_never_after_a_destui_delete() {
    let tb = live!();
    let socket = tb.socket_a();
    let ctx = Ctx::new(tb);
    let (server, name, network) = destination(&ctx);
    let mut watch = Watch::start(&ctx, &[&server, "--reattach-proxy"], 1);

    let done = docker_ok(socket, &["network", "disconnect", &network, tb.proxy()]);
    assert!(
        wait_for(Duration::from_secs(2), || proxy_on(tb, socket, &network)),
        "the proxy is back within 2 s"
    );
    eprintln!("proxy back after {} ms", done.elapsed().as_millis());
    let (_, line) = watch.next("a reattach line", Duration::from_secs(5), |v| {
        about(v, &name) && v["event"] == "reattach"
    });
    assert_eq!(line["status"], "ok", "{line}");
    assert!(
        line["detail"].as_str().unwrap().contains("attached again"),
        "{line}"
    );

    // destui's own delete (forwarded to the watch, which holds the data directory).
    ctx.run(&["destination", "delete", &name]).ok();
    assert!(
        common::inspect_network(socket, &network).is_none(),
        "deleted"
    );
    let after = watch.gather(Duration::from_secs(3));
    assert!(
        !after.iter().any(|v| v["event"] == "reattach"),
        "a destui delete is not undone: {after:#?}"
    );
    // Nor raised as drift (issue 28 item 8): the holder's own change is no alert.
    assert!(
        !after
            .iter()
            .any(|v| about(v, &name)
                && (v["status"] == "missing" || v["status"] == "proxy-detached")),
        "destui's own delete said as drift: {after:#?}"
    );
    assert!(
        common::inspect_network(socket, &network).is_none(),
        "still deleted"
    );
}

/// Re-attach is opt-in: without the flag or the config a disconnected proxy stays detached
/// (the watch says so); `[watch] reattach_proxy = true` in the config turns it on without
/// the flag.
#[test]
fn reattach_is_off_by_default_and_the_config_turns_it_on() {
    let tb = live!();
    let socket = tb.socket_a();
    let ctx = Ctx::new(tb);
    let (server, name, network) = destination(&ctx);

    let mut watch = Watch::start(&ctx, &[&server], 1);
    docker_ok(socket, &["network", "disconnect", &network, tb.proxy()]);
    let (_, line) = watch.next("proxy-detached", Duration::from_secs(5), |v| {
        about(v, &name) && v["status"] == "proxy-detached"
    });
    assert_ne!(line["event"], "reattach", "{line}");
    let after = watch.gather(Duration::from_secs(2));
    assert!(
        !after.iter().any(|v| v["event"] == "reattach"),
        "re-attach is opt-in: {after:#?}"
    );
    assert!(!proxy_on(tb, socket, &network), "left detached");
    assert_eq!(watch.interrupt(), Some(0));

    let config = ctx.dir.path().join("config/destui");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(
        config.join("config.toml"),
        "[watch]\nreattach_proxy = true\n",
    )
    .unwrap();
    let mut watch = Watch::start(&ctx, &[&server], 1);
    // Still detached from the first half: connected by hand, then disconnected under the watch.
    docker_ok(socket, &["network", "connect", &network, tb.proxy()]);
    watch.next("ok again", Duration::from_secs(5), |v| {
        about(v, &name) && v["status"] == "ok"
    });
    let done = docker_ok(socket, &["network", "disconnect", &network, tb.proxy()]);
    assert!(
        wait_for(Duration::from_secs(2), || proxy_on(tb, socket, &network)),
        "the config's re-attach puts the proxy back within 2 s"
    );
    eprintln!("proxy back after {} ms", done.elapsed().as_millis());
    watch.next("a reattach line", Duration::from_secs(5), |v| {
        about(v, &name) && v["event"] == "reattach" && v["status"] == "ok"
    });
}

#[test]
fn a_proxy_disconnected_again_and_again_is_left_alone_after_three_times() {
    let tb = live!();
    let socket = tb.socket_a();
    let ctx = Ctx::new(tb);
    let (server, name, network) = destination(&ctx);
    let mut watch = Watch::start(&ctx, &[&server, "--reattach-proxy"], 1);

    for time in 1..=3 {
        docker_ok(socket, &["network", "disconnect", &network, tb.proxy()]);
        let (_, line) = watch.next("a reattach", Duration::from_secs(10), |v| {
            about(v, &name) && v["event"] == "reattach"
        });
        assert_eq!(line["status"], "ok", "time {time}: {line}");
        assert!(wait_for(Duration::from_secs(5), || proxy_on(
            tb, socket, &network
        )));
    }
    docker_ok(socket, &["network", "disconnect", &network, tb.proxy()]);
    let (_, line) = watch.next("the warning", Duration::from_secs(10), |v| {
        about(v, &name) && v["event"] == "reattach"
    });
    assert_eq!(line["status"], "proxy-detached", "{line}");
    let detail = line["detail"].as_str().unwrap();
    assert!(
        detail.contains("4 times in 60 s") && detail.contains("left alone"),
        "{detail}"
    );
    std::thread::sleep(Duration::from_secs(2));
    assert!(!proxy_on(tb, socket, &network), "left alone");
}

#[test]
fn no_server_that_can_be_watched_is_one_line_and_exit_1() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    ctx.add_closed_server("gone");
    let started = Instant::now();
    let run = ctx.run(&["watch"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(
        run.stderr
            .starts_with("destui: no server could be watched: gone: "),
        "{}",
        run.stderr
    );
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert!(started.elapsed() < Duration::from_secs(15));
    let run = ctx.run(&["watch", "nosuch"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("nosuch"), "{}", run.stderr);
}

/// A server that cannot be reached beside one that can: the watch goes on, tells why the
/// first time and, while it keeps failing the same way, only that it still does.
#[test]
fn a_server_that_stays_down_is_told_why_once_while_the_others_are_watched() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    let server = ctx.add_server_a();
    let down = common::unique_name("down");
    ctx.add_closed_server(&down);
    let mut watch = Watch::start(&ctx, &[], 0);
    watch.next("the reachable one watched", Duration::from_secs(10), |v| {
        v["server"] == server.as_str() && v["event"] == "watching"
    });
    // Backoff 1 s, then 2 s: three tries within 4 s.
    watch.gather(Duration::from_secs(4));
    let lines: Vec<&serde_json::Value> = watch.seen.iter().map(|(_, v)| v).collect();
    let tries: Vec<&str> = lines
        .iter()
        .filter(|v| v["server"] == down.as_str() && v["event"] == "reconnecting")
        .filter_map(|v| v["detail"].as_str())
        .collect();
    assert!(tries.len() >= 2, "{lines:#?}");
    assert!(
        tries[0].contains("unreachable"),
        "the reason first: {tries:?}"
    );
    for later in &tries[1..] {
        assert!(
            later.starts_with("still failing the same way; trying again in"),
            "{tries:?}"
        );
    }
    assert_eq!(watch.interrupt(), Some(0));
}
