//! Commands beside an open TUI (DESIGN.md §7, §10): `scan` and `destination list` forwarded
//! to the TUI holding the data directory, beside the same commands run alone (each its own
//! process, opening the store and reaching the server itself). Target: at most 1.0x.

use super::{Row, Scale, Target, Testbed, Tui, destui_binary};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// One destui process with the bench's environment; panics unless it succeeds.
fn destui(env: &[(&str, String)], args: &[&str]) -> Duration {
    let t = Instant::now();
    let out = Command::new(destui_binary())
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .args(args)
        .output()
        .expect("run destui");
    let took = t.elapsed();
    assert!(
        out.status.success(),
        "destui {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    took
}

pub fn rows(tb: &Testbed, work: &Path, scale: &Scale) -> Vec<Row> {
    let rounds = if scale.batch < 5 { 2 } else { 15 };
    let env = vec![
        ("DESTUI_DB", work.join("owner-db").display().to_string()),
        ("DESTUI_SSH_CONFIG", tb.ssh_config.clone()),
        (
            "DESTUI_RUNTIME_DIR",
            work.join("owner-rt").display().to_string(),
        ),
        (
            "XDG_STATE_HOME",
            work.join("owner-state").display().to_string(),
        ),
    ];
    let server = "ownerbench";
    destui(
        &env,
        &[
            "server",
            "add",
            server,
            "--host",
            &tb.host,
            "--docker-socket",
            &tb.socket,
            "--proxy-container",
            &tb.proxy,
        ],
    );
    let commands: [(&str, Vec<&str>); 2] = [
        ("scan, forwarded to the open TUI", vec!["scan", server]),
        (
            "destination list, forwarded to the open TUI",
            vec!["destination", "list"],
        ),
    ];
    // Alone first (nothing holds the data directory), one warm-up each.
    let alone: Vec<Duration> = commands
        .iter()
        .map(|(_, args)| {
            destui(&env, args);
            median((0..rounds).map(|_| destui(&env, args)).collect())
        })
        .collect();
    let tui = Tui::start(&work.join("owner-tmux.sock"), &env);
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline && !tui.screen().contains("online") {
        std::thread::sleep(Duration::from_millis(100));
    }
    let forwarded: Vec<Duration> = commands
        .iter()
        .map(|(_, args)| {
            destui(&env, args);
            median((0..rounds).map(|_| destui(&env, args)).collect())
        })
        .collect();
    tui.quit();
    commands
        .iter()
        .zip(alone.into_iter().zip(forwarded))
        .map(|((what, _), (alone, forwarded))| Row {
            what: (*what).to_string(),
            destui: forwarded,
            other: alone,
            other_name: "the same command alone",
            target: Target::AtMost(1.0),
        })
        .collect()
}
