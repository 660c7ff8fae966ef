//! Numeric settings out of range, from the config file or the environment (issue 27 item 5,
//! DESIGN.md §8): refused at start with one line naming the key, its value and its range —
//! exit 1, never a panic, and nothing written to the data directory.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::too_many_lines
)]
mod common;

use common::Ctx;

/// `destui server add box --local` with the given config file text (when some) and
/// environment: the command would write the data directory if it ran.
fn add_with(config: Option<&str>, env: &[(&str, &str)]) -> (Ctx, common::Run, String) {
    let mut ctx = Ctx::offline();
    let dir = ctx.dir.path().join("config/destui");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("config.toml");
    if let Some(text) = config {
        std::fs::write(&file, text).unwrap();
    }
    for (k, v) in env {
        ctx.extra_env.push((k.to_string(), v.to_string()));
    }
    let socket = ctx.dir.path().join("docker.sock");
    let socket = socket.to_str().unwrap().to_string();
    let run = ctx.run(&[
        "server",
        "add",
        "box",
        "--local",
        "--docker-socket",
        &socket,
        "--no-check",
    ]);
    (ctx, run, file.display().to_string())
}

#[track_caller]
fn assert_refused(ctx: &Ctx, run: common::Run, line: &str) {
    assert_eq!(
        run.code, 1,
        "exit 1, no panic\nstdout: {}\nstderr: {}",
        run.stdout, run.stderr
    );
    assert_eq!(run.stderr, format!("destui: {line}\n"), "the one line");
    assert_eq!(run.stdout, "", "nothing on stdout");
    assert!(
        !ctx.db().exists(),
        "nothing written to the data directory {}",
        ctx.db().display()
    );
}

#[test]
fn config_numbers_out_of_range_are_refused_with_key_value_and_range() {
    let cases = [
        (
            "[ssh]\nconnect_timeout_seconds = 9223372036854775807\n",
            "connect_timeout_seconds = 9223372036854775807 is out of range: give 1 to 3600 (seconds) in [ssh] of {file}",
        ),
        (
            "[ssh]\nidle_seconds = 4294967296\n",
            "idle_seconds = 4294967296 is out of range: give 1 to 86400 (seconds) in [ssh] of {file}",
        ),
        (
            "[ssh]\nconnect_timeout_seconds = 99999999999999999999\n",
            "connect_timeout_seconds = 99999999999999999999 is out of range: give 1 to 3600 (seconds) in [ssh] of {file}",
        ),
        (
            "[ssh]\nmax_parallel_connects = 0\n",
            "max_parallel_connects = 0 is out of range: give 1 to 4096 (handshakes at once) in [ssh] of {file}",
        ),
        (
            "[tui]\ncheck_interval_seconds = -5\n",
            "check_interval_seconds = -5 is out of range: give 0 (off), or 10 to 86400 (seconds) in [tui] of {file}",
        ),
        (
            "[docker]\nmax_reply_mb = 100000\n",
            "max_reply_mb = 100000 is out of range: give 1 to 4096 (MB) in [docker] of {file}",
        ),
        (
            "[docker]\nreply_timeout_seconds = \"60\"\n",
            "reply_timeout_seconds = \"60\" is not a whole number: give 1 to 3600 (seconds) in [docker] of {file}",
        ),
        (
            "[ssh]\nidle_seconds = 1.5\n",
            "idle_seconds = 1.5 is not a whole number: give 1 to 86400 (seconds) in [ssh] of {file}",
        ),
    ];
    for (config, line) in cases {
        let (ctx, run, file) = add_with(Some(config), &[]);
        assert_refused(&ctx, run, &line.replace("{file}", &file));
    }
}

#[test]
fn environment_numbers_out_of_range_are_refused_with_variable_value_and_range() {
    let cases = [
        (
            "DESTUI_SSH_IDLE",
            "99999999999",
            "DESTUI_SSH_IDLE=99999999999 is out of range: give 1 to 86400 (seconds), or unset it",
        ),
        (
            "DESTUI_CONNECT_TIMEOUT",
            "4000000000",
            "DESTUI_CONNECT_TIMEOUT=4000000000 is out of range: give 1 to 3600 (seconds), or unset it",
        ),
        (
            "DESTUI_CONNECT_TIMEOUT",
            "0",
            "DESTUI_CONNECT_TIMEOUT=0 is out of range: give 1 to 3600 (seconds), or unset it",
        ),
        (
            "DESTUI_MAX_PARALLEL_CONNECTS",
            "lots",
            "DESTUI_MAX_PARALLEL_CONNECTS=lots is not a whole number: give 1 to 4096 (handshakes at once), or unset it",
        ),
        (
            "DESTUI_SSH_IDLE",
            "184467440737095516150",
            "DESTUI_SSH_IDLE=184467440737095516150 is out of range: give 1 to 86400 (seconds), or unset it",
        ),
    ];
    for (var, value, line) in cases {
        let (ctx, run, _) = add_with(None, &[(var, value)]);
        assert_refused(&ctx, run, line);
    }
}

#[test]
fn settings_in_range_are_taken() {
    let (ctx, run, _) = add_with(
        Some(
            "[ssh]\nconnect_timeout_seconds = 3600\nidle_seconds = 86400\n[tui]\ncheck_interval_seconds = 0\n[docker]\nmax_reply_mb = 1\n",
        ),
        &[
            ("DESTUI_SSH_IDLE", "1"),
            ("DESTUI_MAX_PARALLEL_CONNECTS", "4096"),
        ],
    );
    run.ok();
    let servers = ctx.json(&["server", "list"]);
    assert_eq!(servers.as_array().map(Vec::len), Some(1), "{servers}");
}
