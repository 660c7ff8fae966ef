//! DESIGN.md §8 and §11, a daemon restarted under a watch: daemon B is stopped for real and
//! started again while `destui watch` follows it. The watch says it is reconnecting, comes
//! back by itself, checks again, and what it says at the end is what the daemon has: nothing
//! lost, nothing invented. A test binary of its own (every other test on B would fail meanwhile).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::too_many_lines
)]
mod common;

use common::daemon_b::{RestartB, b_answers, stop_b, testbed_up};
use common::watch::{Watch, about};
use common::{Ctx, docker, unique_name};
use std::time::{Duration, Instant};

#[test]
fn a_daemon_restarted_under_a_watch_is_reconnected_and_rechecked_with_nothing_lost_or_invented() {
    let tb = live!();
    let socket = tb.socket_b();
    let ctx = Ctx::new(tb);
    let server = ctx.add_server_b();
    let network = unique_name("rw");
    ctx.cleanup_network(socket, &network);
    let d = ctx.create_destination(&server, &network);
    let name = d["name"].as_str().unwrap().to_string();
    let mut watch = Watch::start(&ctx, &[&server], 1);
    // Declared after ctx and the watch, so dropped before them: B is back before the cleanup.
    let _restart = RestartB(tb);

    stop_b(tb);
    let (_, line) = watch.next("reconnecting", Duration::from_secs(30), |v| {
        v["event"] == "reconnecting"
    });
    assert_eq!(line["server"], server.as_str());
    assert!(testbed_up(tb), "tests/testbed/up.sh started daemon B again");
    assert!(b_answers(tb));
    let (_, line) = watch.next("watching again", Duration::from_secs(90), |v| {
        v["event"] == "watching"
    });
    assert_eq!(line["server"], server.as_str());
    let restarted = watch.seen.len();
    watch.gather(Duration::from_secs(3));

    // What the watch says of the destination now is what a check finds (run through the
    // watch, which holds the data directory).
    let last = watch
        .seen
        .iter()
        .rev()
        .map(|(_, v)| v)
        .find(|v| about(v, &name) && !v["status"].is_null())
        .cloned()
        .expect("a status of the destination");
    let checked = ctx.json_any(&["destination", "check", &name]);
    assert_eq!(
        last["status"], checked[0]["status"],
        "the watch's last word {last} is the daemon's state {checked}"
    );
    // Nothing invented: after the restart, a line about the destination only says a status
    // that differs from the one before it (the daemon may really have dropped the proxy's
    // overlay attachment on its way back, see reliability_daemon.rs).
    let mut told = Vec::new();
    for (_, v) in &watch.seen[restarted..] {
        if about(v, &name) {
            told.push(v["status"].clone());
        }
    }
    told.dedup();
    assert!(
        told.len() <= 1,
        "nothing invented after the restart: {told:?}"
    );

    // Nothing lost from here on: the next change is seen within a second.
    let (action, expect) = if checked[0]["status"] == "ok" {
        ("disconnect", "proxy-detached")
    } else {
        ("connect", "ok")
    };
    let (ok, out) = docker(socket, &["network", action, &network, tb.proxy()]);
    assert!(ok, "{out}");
    let done = Instant::now();
    let (at, _) = watch.next("the next change", Duration::from_secs(10), |v| {
        about(v, &name) && v["status"] == expect
    });
    let took = at.saturating_duration_since(done);
    eprintln!(
        "after the restart, a change seen in {} ms",
        took.as_millis()
    );
    assert!(took <= Duration::from_secs(1), "{took:?}");
}
