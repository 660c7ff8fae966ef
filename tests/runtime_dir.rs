//! The runtime directory is ours (issue 27 item 6, DESIGN.md §5 and §8): a runtime or control
//! directory that another user owns, that is a symlink, or that others may use is refused
//! with one line saying which and what to do — and no socket is put in it. Tests run as root,
//! which no mode keeps out, so the refusal is destui's own check, not the kernel's.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::too_many_lines
)]
mod common;

use common::{Ctx, Run, kill_masters};
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Command;

/// A second local user (made once, idempotently) to own the hostile directory.
const OTHER_USER: &str = "destui-tb-other";

fn other_uid() -> u32 {
    let id = || {
        Command::new("id")
            .args(["-u", OTHER_USER])
            .output()
            .ok()
            .filter(|o| o.status.success())
            .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
    };
    if let Some(uid) = id() {
        return uid;
    }
    // Another test may be making it at the same moment: whoever loses finds it made.
    let _ = Command::new("useradd")
        .args([
            "--system",
            "--no-create-home",
            "--shell",
            "/usr/sbin/nologin",
        ])
        .arg(OTHER_USER)
        .status();
    id().expect("useradd destui-tb-other")
}

#[allow(unsafe_code)] // a libc call: see the SAFETY note at its block
fn me() -> u32 {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() }
}

/// Every unix socket under `dir` (following no link).
fn sockets_under(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_socket() {
            found.push(entry.path());
        } else if kind.is_dir() {
            found.extend(sockets_under(&entry.path()));
        }
    }
    found
}

/// `scan server` with `DESTUI_RUNTIME_DIR=runtime`.
fn scan_in(ctx: &Ctx, server: &str, runtime: &Path) -> Run {
    let out = ctx
        .command(&["scan", server])
        .env("DESTUI_RUNTIME_DIR", runtime)
        .output()
        .expect("run destui");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn refusal(what: &str, dir: &Path, problem: &str) -> String {
    format!(
        "destui: the {what} {} {problem}: remove it (destui makes its own, private), or set DESTUI_RUNTIME_DIR to a directory of your own\n",
        dir.display()
    )
}

#[track_caller]
fn assert_refused(run: Run, line: &str, unused: &Path) {
    assert_eq!(
        run.code, 1,
        "refused\nstdout: {}\nstderr: {}",
        run.stdout, run.stderr
    );
    assert_eq!(run.stderr, line);
    assert_eq!(run.stdout, "");
    let planted = sockets_under(unused);
    assert!(planted.is_empty(), "no socket put there: {planted:?}");
}

#[test]
fn a_runtime_directory_of_another_user_is_refused() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    let server = ctx.add_server_a();
    let theirs = ctx.dir.path().join("theirs");
    std::fs::create_dir(&theirs).unwrap();
    std::fs::set_permissions(&theirs, std::fs::Permissions::from_mode(0o700)).unwrap();
    let uid = other_uid();
    std::os::unix::fs::chown(&theirs, Some(uid), Some(uid)).unwrap();
    let problem = format!("is owned by user {uid}, not you (user {})", me());
    assert_refused(
        scan_in(&ctx, &server, &theirs),
        &refusal("runtime directory", &theirs, &problem),
        &theirs,
    );
    kill_masters(&ctx);
}

#[test]
fn a_runtime_directory_others_may_use_or_a_symlink_is_refused() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    let server = ctx.add_server_a();
    let open = ctx.dir.path().join("open");
    std::fs::create_dir(&open).unwrap();
    std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o777)).unwrap();
    assert_refused(
        scan_in(&ctx, &server, &open),
        &refusal(
            "runtime directory",
            &open,
            "can be used by other users (mode 0777)",
        ),
        &open,
    );

    let private = ctx.dir.path().join("private");
    std::fs::create_dir(&private).unwrap();
    std::fs::set_permissions(&private, std::fs::Permissions::from_mode(0o700)).unwrap();
    let link = ctx.dir.path().join("link");
    std::os::unix::fs::symlink(&private, &link).unwrap();
    assert_refused(
        scan_in(&ctx, &server, &link),
        &refusal("runtime directory", &link, "is a symbolic link"),
        &private,
    );
    kill_masters(&ctx);
}

#[test]
fn a_control_directory_others_may_use_is_refused() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    let server = ctx.add_server_a();
    // The server's control directory, named by its connection key, is made by a first scan.
    ctx.run(&["scan", &server]).ok();
    kill_masters(&ctx);
    let made = std::fs::metadata(ctx.runtime()).unwrap();
    assert_eq!(made.permissions().mode() & 0o777, 0o700, "made private");
    let control = std::fs::read_dir(ctx.runtime())
        .unwrap()
        .flatten()
        .find(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .expect("a control directory")
        .path();
    std::fs::remove_dir_all(&control).unwrap();
    let _ = std::fs::remove_file(control.with_extension("sock"));
    std::fs::create_dir(&control).unwrap();
    std::fs::set_permissions(&control, std::fs::Permissions::from_mode(0o777)).unwrap();
    assert_refused(
        ctx.run(&["scan", &server]),
        &refusal(
            "control directory",
            &control,
            "can be used by other users (mode 0777)",
        ),
        &ctx.runtime(),
    );
    kill_masters(&ctx);
}
