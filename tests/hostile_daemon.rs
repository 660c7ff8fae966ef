//! Hostile daemon replies are bounded (issue 27 item 7, DESIGN.md §8): a fake Docker on a unix
//! socket, added as a local server, answers with an endless body, with garbage that is not
//! HTTP, with HTTP whose JSON is not Docker's, or trickles its reply. `scan` and `server
//! check` end within seconds with exit 1 and "…answered something that is not the Docker
//! API: <why>" — in bounded memory, and never with the sshd forwarding diagnosis.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::too_many_lines
)]
mod common;

use common::{Ctx, Run, kill_masters};
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

/// What the fake daemon answers to every request.
#[derive(Clone, Copy)]
enum Answer {
    /// A 200 whose body never ends (cut off by the fake itself after `ENDLESS_CAP`, so an
    /// unbounded client is caught by the memory it used, not by the machine running out).
    Endless,
    /// Bytes that are not HTTP.
    Garbage,
    /// A proper HTTP reply whose JSON is not the Docker API's.
    ForeignJson,
    /// A 200 whose body comes one byte every 100 ms, forever.
    Trickle,
    /// Docker's own answers to the handshake (`/_ping`, `/version`, `/info`), then JSON that
    /// is not Docker's to everything else (a network list that is not a list).
    DockerThenForeign,
}

const ENDLESS_CAP: usize = 300 * 1024 * 1024;

/// Starts the fake daemon on a socket in `ctx`'s directory; it serves until the test ends.
fn fake_docker(ctx: &Ctx, answer: Answer) -> PathBuf {
    let socket = ctx.dir.path().join("fake-docker.sock");
    let listener = UnixListener::bind(&socket).expect("bind the fake daemon");
    std::thread::spawn(move || {
        for conn in listener.incoming().flatten() {
            std::thread::spawn(move || serve(conn, answer));
        }
    });
    socket
}

fn serve(conn: UnixStream, answer: Answer) {
    let mut reader = BufReader::new(conn.try_clone().expect("clone"));
    let mut out = conn;
    loop {
        // The request head, then its body when it says it has one.
        let mut length = 0usize;
        let mut request_line = String::new();
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            if request_line.is_empty() {
                request_line = line.clone();
            }
            if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = v.trim().parse().unwrap_or(0);
            }
            if line == "\r\n" {
                break;
            }
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let done = match answer {
            Answer::Endless => endless(&mut out),
            Answer::Garbage => out
                .write_all(b"SSH-2.0-not-docker\r\n\x00\x01\x02\xff garbage \x1b[2J\r\n\r\n")
                .map(|_| true),
            Answer::ForeignJson => json_reply(&mut out, r#"{"hello":"world","items":[1,2,3]}"#),
            Answer::DockerThenForeign => {
                let path = request_line.split(' ').nth(1).unwrap_or("");
                let path = path.split('?').next().unwrap_or("");
                let json = if path.ends_with("/_ping") {
                    "OK"
                } else if path.ends_with("/version") {
                    r#"{"ApiVersion":"1.41","MinAPIVersion":"1.12","Version":"20.10.24"}"#
                } else if path.ends_with("/info") {
                    r#"{"ServerVersion":"20.10.24","Swarm":{"LocalNodeState":"inactive"}}"#
                } else {
                    r#"{"hello":"world"}"#
                };
                json_reply(&mut out, json)
            }
            Answer::Trickle => trickle(&mut out),
        };
        if done.unwrap_or(true) {
            return;
        }
    }
}

/// A whole 200 reply with `json`; the connection stays open for the next request.
fn json_reply(out: &mut UnixStream, json: &str) -> std::io::Result<bool> {
    let head = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        json.len()
    );
    out.write_all(head.as_bytes())?;
    out.write_all(json.as_bytes())?;
    Ok(false)
}

fn endless(out: &mut UnixStream) -> std::io::Result<bool> {
    out.write_all(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n",
    )?;
    let chunk = br#"{"ApiVersion":"1.41","x":"#.repeat(2048);
    let mut sent = 0;
    while sent < ENDLESS_CAP {
        out.write_all(&chunk)?;
        sent += chunk.len();
    }
    Ok(true)
}

fn trickle(out: &mut UnixStream) -> std::io::Result<bool> {
    out.write_all(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n",
    )?;
    out.write_all(b"{")?;
    loop {
        std::thread::sleep(Duration::from_millis(100));
        out.write_all(b" ")?;
    }
}

/// A run of destui with its peak memory (KB, from the kernel's accounting of the child).
struct Measured {
    run: Run,
    max_rss_kb: i64,
    took: Duration,
}

/// Runs `args`, killed after 60 s (an unbounded client would otherwise wait on the fake).
/// The child is reaped by `wait4` (which gives its rusage), not by `Child::wait`.
#[allow(clippy::zombie_processes)]
#[allow(unsafe_code)] // a libc call: see the SAFETY note at its block
fn measured(ctx: &Ctx, args: &[&str]) -> Measured {
    let started = Instant::now();
    let mut child = ctx
        .command(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn destui");
    let pid = child.id() as libc::pid_t;
    let read_all = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = pipe.read_to_string(&mut text);
            text
        })
    };
    let stdout = read_all(Box::new(child.stdout.take().expect("stdout")));
    let stderr = read_all(Box::new(child.stderr.take().expect("stderr")));
    let watchdog = std::thread::spawn(move || {
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(200));
            // SAFETY: signal 0 only asks whether the process exists.
            if unsafe { libc::kill(pid, 0) } != 0 {
                return;
            }
        }
        // SAFETY: the pid is our child's, not yet reaped (wait4 below reaps it).
        unsafe {
            libc::kill(pid, libc::SIGKILL);
        }
    });
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value of this plain C struct; wait4 fills it.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waits for our own child; the pointers are valid for the call.
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(waited, pid, "wait4");
    let took = started.elapsed();
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -libc::WTERMSIG(status)
    };
    let _ = watchdog.join();
    Measured {
        run: Run {
            code,
            stdout: stdout.join().unwrap_or_default(),
            stderr: stderr.join().unwrap_or_default(),
        },
        max_rss_kb: usage.ru_maxrss,
        took,
    }
}

/// Adds the fake daemon as local server `name`, unchecked.
fn add_fake(ctx: &Ctx, name: &str, socket: &Path) {
    ctx.run(&[
        "server",
        "add",
        name,
        "--local",
        "--docker-socket",
        socket.to_str().unwrap(),
        "--no-check",
    ])
    .ok();
}

#[track_caller]
fn assert_not_the_api(m: Measured, server: &str, why: &str) {
    let Measured {
        run,
        max_rss_kb,
        took,
    } = m;
    assert_eq!(
        run.code, 1,
        "exit 1 (not killed, not aborted)\nstdout: {}\nstderr: {}",
        run.stdout, run.stderr
    );
    let line = format!(
        "destui: the Docker API on {server} answered something that is not the Docker API: {why}"
    );
    assert!(
        run.stderr.starts_with(&line),
        "expected {line:?}…\nstderr: {}",
        run.stderr
    );
    assert_eq!(run.stderr.lines().count(), 1, "one line: {}", run.stderr);
    assert!(
        !run.stderr.contains("AllowStreamLocalForwarding") && !run.stderr.contains("sshd"),
        "no forwarding diagnosis: {}",
        run.stderr
    );
    assert!(took < Duration::from_secs(15), "ended in {took:?}");
    assert!(
        max_rss_kb < 200 * 1024,
        "memory bounded: peak {} MB",
        max_rss_kb / 1024
    );
}

fn check_both(ctx: &Ctx, server: &str, why: &str) {
    assert_not_the_api(measured(ctx, &["scan", server]), server, why);
    assert_not_the_api(measured(ctx, &["server", "check", server]), server, why);
}

#[test]
fn an_endless_reply_is_cut_off_at_the_size_bound() {
    let ctx = Ctx::offline();
    let socket = fake_docker(&ctx, Answer::Endless);
    add_fake(&ctx, "endless", &socket);
    check_both(
        &ctx,
        "endless",
        "its reply was longer than 64 MB (`[docker] max_reply_mb`)",
    );
}

#[test]
fn garbage_that_is_not_http_is_not_the_docker_api() {
    let ctx = Ctx::offline();
    let socket = fake_docker(&ctx, Answer::Garbage);
    add_fake(&ctx, "garbage", &socket);
    check_both(&ctx, "garbage", "its reply is not HTTP");
}

#[test]
fn json_that_is_not_dockers_is_not_the_docker_api() {
    let ctx = Ctx::offline();
    let socket = fake_docker(&ctx, Answer::ForeignJson);
    add_fake(&ctx, "foreign", &socket);
    check_both(&ctx, "foreign", "its /version reply names no API version");
}

#[test]
fn a_list_that_is_not_dockers_after_a_proper_handshake_is_not_the_docker_api() {
    let ctx = Ctx::offline();
    let socket = fake_docker(&ctx, Answer::DockerThenForeign);
    add_fake(&ctx, "half", &socket);
    assert_not_the_api(
        measured(&ctx, &["scan", "half"]),
        "half",
        "its reply is not the JSON Docker sends (invalid type: map, expected a sequence",
    );
}

#[test]
fn a_trickled_reply_is_cut_off_at_the_reply_deadline() {
    let ctx = Ctx::offline();
    let config = ctx.dir.path().join("config/destui");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(
        config.join("config.toml"),
        "[docker]\nreply_timeout_seconds = 2\n",
    )
    .unwrap();
    let socket = fake_docker(&ctx, Answer::Trickle);
    add_fake(&ctx, "trickle", &socket);
    check_both(
        &ctx,
        "trickle",
        "its reply took longer than 2 s to arrive whole (`[docker] reply_timeout_seconds`)",
    );
}

/// Through an ssh forward (the testbed's sshd, on this machine, forwards to the fake's
/// socket): the forward works, so what answered is blamed, never sshd's settings.
#[test]
fn garbage_through_an_ssh_forward_is_not_blamed_on_sshd() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    let socket = fake_docker(&ctx, Answer::Garbage);
    ctx.run(&[
        "server",
        "add",
        "far-garbage",
        "--host",
        tb.get("DESTUI_TB_HOST_A"),
        "--docker-socket",
        socket.to_str().unwrap(),
        "--no-check",
    ])
    .ok();
    check_both(&ctx, "far-garbage", "its reply is not HTTP");
    kill_masters(&ctx);
}
