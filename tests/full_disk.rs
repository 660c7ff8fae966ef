//! DESIGN.md §8, a full disk then space freed: the data directory on a 2 MB tmpfs filled to
//! its last byte. Commands that need the disk fail with one line naming it and the directory;
//! once space is freed the next command — and a process that held the store all along —
//! works, with every record whose write was reported done and none whose write failed.
//! (Tests run as root here: they mount the tmpfs themselves.)
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::too_many_lines
)]
mod common;

use common::watch::Watch;
use common::{Ctx, path_str};
use destui::ops::{NewServer, Ops, ServerEdit};
use destui::remote::RemoteConfig;
use destui::store::Store;
use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A 2 MB tmpfs mounted at a directory of the test's own, unmounted at the end, pass or fail.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(at: &Path) -> Tmpfs {
        std::fs::create_dir_all(at).expect("mount point");
        let status = Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=2m", "tmpfs"])
            .arg(at)
            .status()
            .expect("run mount");
        assert!(
            status.success(),
            "mount a tmpfs at {} (needs root)",
            at.display()
        );
        Tmpfs(at.to_path_buf())
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

/// Fills the filesystem holding `dir` to its last byte; returns the file that does it.
fn fill(dir: &Path) -> PathBuf {
    let path = dir.join("filler");
    let mut file = std::fs::File::create(&path).expect("filler");
    let chunk = vec![0u8; 4096];
    while matches!(file.write(&chunk), Ok(n) if n > 0) {}
    while matches!(file.write(&[0]), Ok(1)) {}
    let _ = file.sync_all();
    path
}

/// The one line a command on the full disk ends with.
fn disk_full_line(db: &Path) -> String {
    format!(
        "destui: the disk holding the data directory {} is full: free some space, then try again\n",
        db.display()
    )
}

fn listed_names(list: &Value) -> Vec<String> {
    let mut names: Vec<String> = list
        .as_array()
        .expect("a list")
        .iter()
        .map(|s| s["name"].as_str().expect("a name").to_string())
        .collect();
    names.sort();
    names
}

#[test]
fn a_full_disk_is_one_line_naming_it_and_nothing_is_lost_once_space_returns() {
    let mut ctx = Ctx::offline();
    let mnt = ctx.dir.path().join("mnt");
    let _disk = Tmpfs::mount(&mnt);
    let db = mnt.join("d");
    ctx.extra_env.push(("DESTUI_DB".into(), path_str(&db)));
    let mut done: Vec<String> = (0..3).map(|i| format!("before-{i}")).collect();
    for name in &done {
        ctx.add_closed_server(name);
    }
    let filler = fill(&mnt);
    let said = disk_full_line(&db);
    let mut refused = 0;
    // Each command either works or fails with the one line; none is said done and lost.
    let mut outcome = |run: common::Run| match run.code {
        0 => true,
        1 => {
            assert_eq!(run.stderr, said, "stdout: {}", run.stdout);
            refused += 1;
            false
        }
        code => panic!("exit {code}: {}", run.stderr),
    };
    for i in 0..4 {
        let name = format!("while-full-{i}");
        // Each on its own port: two records of one Docker are refused.
        let port = (1000 + i).to_string();
        let run = ctx.run(&[
            "server",
            "add",
            &name,
            "--host",
            "127.0.0.1",
            "--port",
            &port,
            "--no-check",
        ]);
        if outcome(run) {
            done.push(name);
        }
    }
    if outcome(ctx.run(&["server", "edit", "before-0", "--name", "renamed-0"])) {
        done[0] = "renamed-0".into();
    }
    outcome(ctx.run(&["server", "list"]));
    assert!(refused > 0, "no command failed on the full disk");

    std::fs::remove_file(&filler).expect("free the space");
    done.sort();
    assert_eq!(listed_names(&ctx.json(&["server", "list"])), done);
    // Writes work again, and stay.
    ctx.run(&["server", "edit", &done[0], "--name", "after-space"])
        .ok();
    ctx.add_closed_server("added-after");
    let list = listed_names(&ctx.json(&["server", "list"]));
    assert!(list.contains(&"after-space".to_string()), "{list:?}");
    assert!(list.contains(&"added-after".to_string()), "{list:?}");
    assert_eq!(list.len(), done.len() + 1, "{list:?}");
}

/// A server on a closed port, never checked; each on its own port (two records of one
/// Docker are refused).
fn unchecked(name: &str) -> NewServer {
    static NEXT: std::sync::atomic::AtomicU16 = std::sync::atomic::AtomicU16::new(1);
    NewServer {
        name: name.to_string(),
        host: Some("127.0.0.1".into()),
        port: Some(NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)),
        check: false,
        ..Default::default()
    }
}

async fn names(ops: &Ops) -> Vec<String> {
    let mut names: Vec<String> = ops
        .servers()
        .await
        .expect("the servers")
        .into_iter()
        .map(|s| s.name)
        .collect();
    names.sort();
    names
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_process_holding_the_store_recovers_once_space_returns_and_never_shows_a_failed_write()
{
    let dir = tempfile::Builder::new()
        .prefix("dt")
        .tempdir_in("/tmp")
        .expect("tempdir");
    let mnt = dir.path().join("mnt");
    let _disk = Tmpfs::mount(&mnt);
    let db = mnt.join("d");
    let remote = RemoteConfig::for_tests(dir.path().join("rt"));
    let ops = Ops::new(Store::open(&db).expect("store"), remote);
    let mut done = Vec::new();
    for i in 0..3 {
        let name = format!("before-{i}");
        ops.add_server(unchecked(&name)).await.expect("room");
        done.push(name);
    }
    let filler = fill(&mnt);
    // Writes until one fails: it says the disk is full, and where.
    let mut failed = None;
    for i in 0..200 {
        let name = format!("while-full-{i}");
        match ops.add_server(unchecked(&name)).await {
            Ok(_) => done.push(name),
            Err(e) => {
                assert_eq!(format!("destui: {e}\n"), disk_full_line(&db));
                failed = Some(name);
                break;
            }
        }
    }
    let failed = failed.expect("a write failed on the full disk");
    // A rename while the disk is full: done only if it says so.
    let edit = ServerEdit {
        name: Some("renamed-0".into()),
        ..Default::default()
    };
    if ops.edit_server("before-0", edit).await.is_ok() {
        done[0] = "renamed-0".into();
    }

    std::fs::remove_file(&filler).expect("free the space");
    done.sort();
    let now = names(&ops).await;
    assert_eq!(now, done, "the failed write {failed} must not show");
    // The same process writes again, and what it writes stays.
    ops.add_server(unchecked("added-after"))
        .await
        .expect("a write once space is back");
    ops.edit_server(
        &done[0],
        ServerEdit {
            name: Some("after-space".into()),
            ..Default::default()
        },
    )
    .await
    .expect("a rename once space is back");
    drop(ops);
    // sled lets go of its lock when the last handle's threads end (a blocking store task
    // may still hold a clone for a moment after the drop): open it as the next process would.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let store = loop {
        match Store::open(&db) {
            Err(destui::domain::Error::StoreLocked(_)) if std::time::Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            other => break other.expect("the store opens again"),
        }
    };
    let reopened = Ops::new(store, RemoteConfig::for_tests(dir.path().join("rt")));
    let kept = names(&reopened).await;
    assert!(kept.contains(&"added-after".to_string()), "{kept:?}");
    assert!(kept.contains(&"after-space".to_string()), "{kept:?}");
    assert_eq!(kept.len(), done.len() + 1, "{kept:?}");
}

/// The same through a destui holding the data directory (as an open TUI does): the commands
/// forwarded to it say the disk is full, and once space is back they work, with every record
/// whose write was reported done — the holder opened the store again by itself.
#[test]
fn a_holder_serving_other_commands_recovers_once_space_returns() {
    let tb = live!();
    let mut ctx = Ctx::new(tb);
    let mnt = ctx.dir.path().join("mnt");
    let _disk = Tmpfs::mount(&mnt);
    let db = mnt.join("d");
    ctx.extra_env.push(("DESTUI_DB".into(), path_str(&db)));
    let server = ctx.add_server_a();
    let mut watch = Watch::start(&ctx, &[&server], 1);
    let mut done = vec![server.clone()];
    for i in 0..3 {
        let name = format!("before-{i}");
        ctx.add_closed_server(&name);
        done.push(name);
    }
    let filler = fill(&mnt);
    let said = disk_full_line(&db);
    let mut refused = false;
    for i in 0..1000 {
        let name = format!("while-full-{i}");
        // Each on its own port: two records of one Docker are refused.
        let port = (1000 + i).to_string();
        let run = ctx.run(&[
            "server",
            "add",
            &name,
            "--host",
            "127.0.0.1",
            "--port",
            &port,
            "--no-check",
        ]);
        match run.code {
            0 => done.push(name),
            1 => {
                assert_eq!(run.stderr, said, "stdout: {}", run.stdout);
                refused = true;
                break;
            }
            code => panic!("exit {code}: {}", run.stderr),
        }
    }
    assert!(refused, "no write failed on the full disk");

    std::fs::remove_file(&filler).expect("free the space");
    done.sort();
    assert_eq!(listed_names(&ctx.json(&["server", "list"])), done);
    ctx.add_closed_server("added-after");
    let list = listed_names(&ctx.json(&["server", "list"]));
    assert!(list.contains(&"added-after".to_string()), "{list:?}");
    // Served by the holder all along: no command took the data directory from it meanwhile
    // (one that had would have replaced its socket, and removed it on leaving).
    assert!(
        db.join("destui.sock").exists(),
        "the holder no longer serves the data directory"
    );
    assert_eq!(watch.interrupt(), Some(0), "{}", watch.stderr());
    // What the holder wrote once space was back is on disk.
    let kept = listed_names(&ctx.json(&["server", "list"]));
    assert_eq!(kept, list);
}
