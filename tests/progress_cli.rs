//! DESIGN.md §15, long work shows progress: an import of many networks on the swarm manager
//! (the daemon attaches the proxy one network at a time) draws a bar with `n/N` and an estimate
//! on a terminal (a real pty, through `script`), and nothing at all in a pipe, where stdout
//! stays the plain report.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::too_many_lines
)]
mod common;

use common::{Ctx, Testbed, docker};
use std::ops::Not;
use std::process::Command;

/// `count` overlay networks made by hand on B (as a swarm would have them), removed at the end.
struct Networks(&'static str, Vec<String>);

impl Networks {
    fn make(tb: &'static Testbed, prefix: &str, count: usize) -> Networks {
        let names: Vec<String> = (0..count).map(|i| format!("{prefix}-{i:02}")).collect();
        let made = Networks(tb.socket_b(), names.clone());
        common::make_overlays(tb.socket_b(), &names, 4);
        made
    }
}

impl Drop for Networks {
    fn drop(&mut self) {
        for n in &self.1 {
            common::disconnect_proxy(self.0, n, "destui-tb-proxy");
        }
        // A swarm manager holds a network a moment after its last endpoint left ("in use by
        // task"): each is removed again until it is gone, or 20 s have passed.
        let gone = common::wait_for(std::time::Duration::from_secs(20), || {
            self.1.iter().all(|n| {
                docker(self.0, &["network", "rm", n]).0
                    || docker(self.0, &["network", "inspect", n]).0.not()
            })
        });
        if !gone {
            eprintln!("networks left on B: {:?}", self.1);
        }
    }
}

/// The names imported, from the report lines `imported NET as NAME (type)`.
fn imported(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        // On a terminal the first line follows the cleared bar: `\r` and `ESC [2K` before it.
        .filter_map(|l| l.rsplit("\u{1b}[2K").next())
        .filter_map(|l| l.rsplit('\r').next())
        .filter_map(|l| l.strip_prefix("imported "))
        .filter_map(|l| l.split(' ').next())
        .map(str::to_string)
        .collect()
}

#[test]
fn an_import_of_many_draws_a_bar_on_a_terminal_and_nothing_in_a_pipe() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    let server = ctx.add_server_b();
    let prefix = common::unique_name("pg");

    // On a terminal (a pty): the bar, with n/N and an estimate, on stderr.
    let first = Networks::make(tb, &format!("{prefix}-t"), 12);
    let mut cmd = Command::new("script");
    let line = format!(
        "{} import {server} {}",
        env!("CARGO_BIN_EXE_destui"),
        first.1.join(" ")
    );
    cmd.args(["-qfec", &line, "/dev/null"]).env("TERM", "xterm");
    for (key, value) in ctx.command(&[]).get_envs() {
        match value {
            Some(v) => cmd.env(key, v),
            None => cmd.env_remove(key),
        };
    }
    let out = cmd.output().expect("script");
    let transcript = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{transcript}");
    assert!(
        transcript.contains("importing") && transcript.contains("/12"),
        "a bar with n/12 on the terminal: {transcript:?}"
    );
    assert!(
        transcript.contains("left"),
        "with an estimate: {transcript:?}"
    );
    assert_eq!(imported(&transcript).len(), 12, "{transcript}");

    // In a pipe: nothing but the report, not a byte of a bar.
    let second = Networks::make(tb, &format!("{prefix}-p"), 12);
    let mut args = vec!["import", server.as_str()];
    args.extend(second.1.iter().map(String::as_str));
    let run = ctx.run(&args).ok();
    assert_eq!(imported(&run.stdout).len(), 12, "{}", run.stdout);
    assert!(
        run.stdout.lines().all(|l| l.starts_with("imported ")),
        "{}",
        run.stdout
    );
    assert!(
        !run.stderr.contains("importing")
            && !run.stderr.contains('\r')
            && !run.stderr.contains('\u{1b}'),
        "no bar in a pipe: {:?}",
        run.stderr
    );
    let json = ctx.json(&["destination", "list"]);
    assert_eq!(json.as_array().unwrap().len(), 24);
}
