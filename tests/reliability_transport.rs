//! DESIGN.md §8, the transport's failures against the real testbed: a refused key, a stalled
//! link, forwarding refused by sshd, a user without access to the Docker socket, and a server
//! that stops answering. Each is one line on stderr that says what is wrong and what to do,
//! exit 1, and neither a record nor a network written.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::too_many_lines
)]
mod common;

use common::{Ctx, Testbed, inspect_network, network_id_by_exact_name, unique_name, wait_for};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Generous: a hang guard, not a performance target.
const NO_HANG: Duration = Duration::from_secs(30);

/// A second real sshd for one test: the testbed's sshd_config (host key, authorized_keys) on
/// a port of its own, with some settings changed. Ended, with every session it started, when
/// dropped (also when the test fails).
struct Sshd {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Sshd {
    fn start(ctx: &Ctx, settings: &[(&str, &str)]) -> Sshd {
        let tb = ctx.tb.expect("testbed");
        let base = std::fs::read_to_string(format!("{}/sshd_config", tb.get("DESTUI_TB_DIR")))
            .expect("testbed sshd_config");
        let dir = ctx.dir.path();
        let log = dir.join("sshd.log");
        let mut last_error = String::new();
        // The port is picked free, then bound by sshd: another process may take it between
        // the two, so a failed start is retried with another port.
        for _ in 0..5 {
            let port = common::closed_port();
            let mut config = String::new();
            for line in base.lines() {
                let key = line.split_whitespace().next().unwrap_or("");
                if key == "ListenAddress" {
                    config.push_str(&format!("ListenAddress 127.0.0.1:{port}\n"));
                } else if key == "PidFile" {
                    config.push_str(&format!("PidFile {}\n", dir.join("sshd.pid").display()));
                } else if !settings.iter().any(|(k, _)| *k == key) {
                    config.push_str(line);
                    config.push('\n');
                }
            }
            for (k, v) in settings {
                config.push_str(&format!("{k} {v}\n"));
            }
            let file = dir.join("sshd_config");
            std::fs::write(&file, config).unwrap();
            let child = Command::new("/usr/sbin/sshd")
                .arg("-D")
                .arg("-f")
                .arg(&file)
                .arg("-E")
                .arg(&log)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("start sshd");
            let mut sshd = Sshd {
                child,
                port,
                log: log.clone(),
            };
            let up = wait_for(Duration::from_secs(10), || {
                matches!(sshd.child.try_wait(), Ok(Some(_)))
                    || TcpStream::connect(("127.0.0.1", port)).is_ok()
            });
            if up && matches!(sshd.child.try_wait(), Ok(None)) {
                return sshd;
            }
            last_error = std::fs::read_to_string(&log).unwrap_or_default();
        }
        panic!("the test sshd did not start: {last_error}");
    }

    /// The sshd and every process below it (the sessions), found through /proc.
    fn processes(&self) -> Vec<u32> {
        let mut found = vec![self.child.id()];
        let mut i = 0;
        while i < found.len() {
            let parent = found[i];
            for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
                let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
                    continue;
                };
                let status =
                    std::fs::read_to_string(entry.path().join("status")).unwrap_or_default();
                let ppid = status
                    .lines()
                    .find_map(|l| l.strip_prefix("PPid:"))
                    .and_then(|v| v.trim().parse::<u32>().ok());
                if ppid == Some(parent) && !found.contains(&pid) {
                    found.push(pid);
                }
            }
            i += 1;
        }
        found
    }

    fn signal(&self, signal: &str) {
        for pid in self.processes() {
            let _ = Command::new("kill")
                .arg(format!("-{signal}"))
                .arg(pid.to_string())
                .stderr(Stdio::null())
                .status();
        }
    }
}

impl Drop for Sshd {
    fn drop(&mut self) {
        // (SIGKILL ends stopped processes too.)
        self.signal("KILL");
        let _ = self.child.wait();
    }
}

/// Asserts that the failed `destination create` left nothing behind: no record, no network.
#[track_caller]
fn assert_nothing_written(ctx: &Ctx, socket: &str, network: &str) {
    assert_eq!(
        ctx.json(&["destination", "list"]),
        serde_json::json!([]),
        "no destination record"
    );
    assert_eq!(
        network_id_by_exact_name(socket, network),
        None,
        "no network {network} on the daemon"
    );
}

/// `server add` refused with one line containing every one of `needles`, and nothing saved.
#[track_caller]
fn add_is_refused(ctx: &Ctx, name: &str, args: &[&str], needles: &[&str]) -> String {
    let mut all = vec!["server", "add", name];
    all.extend_from_slice(args);
    let run = ctx.run(&all).refused();
    for needle in needles {
        assert!(run.stderr.contains(needle), "{needle:?} in: {}", run.stderr);
    }
    assert!(run.stderr.contains("Nothing was saved"), "{}", run.stderr);
    assert_eq!(ctx.json(&["server", "list"]), serde_json::json!([]));
    run.stderr.trim().to_string()
}

/// With the server recorded unchecked: `server check` says offline with the same reason (exit
/// 1), and `destination create` is refused with that reason and writes nothing.
#[track_caller]
fn server_is_unusable(ctx: &Ctx, tb: &Testbed, name: &str, args: &[&str], needle: &str) {
    let mut all = vec!["server", "add", name];
    all.extend_from_slice(args);
    all.push("--no-check");
    ctx.run(&all).ok();

    let run = ctx.run(&["server", "check", name]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("offline") && run.stdout.contains(needle),
        "{}",
        run.stdout
    );
    let checked = ctx.json_any(&["server", "check", name]);
    assert_eq!(checked[0]["online"], false);
    assert!(
        checked[0]["last_error"]
            .as_str()
            .is_some_and(|e| e.contains(needle)),
        "{checked}"
    );

    let net = unique_name("rel");
    ctx.cleanup_network(tb.socket_a(), &net);
    let run = ctx
        .run(&["destination", "create", "--server", name, "--network", &net])
        .refused();
    assert!(run.stderr.contains(needle), "{}", run.stderr);
    assert_nothing_written(ctx, tb.socket_a(), &net);
}

#[test]
fn a_refused_key_is_one_line_and_nothing_is_written() {
    let tb = live!();
    let mut ctx = Ctx::new(tb);
    let key = ctx.dir.path().join("stranger_key");
    assert!(
        Command::new("ssh-keygen")
            .args(["-q", "-t", "ed25519", "-N", "", "-f"])
            .arg(&key)
            .status()
            .unwrap()
            .success()
    );
    let port: u16 = tb.get("DESTUI_TB_SSH_PORT").parse().unwrap();
    let config = common::write_ssh_config(&ctx, "stranger", port, Some(&key));
    ctx.extra_env.push(("DESTUI_SSH_CONFIG".into(), config));
    let args = [
        "--host",
        "stranger",
        "--docker-socket",
        tb.socket_a(),
        "--proxy-container",
        tb.proxy(),
    ];
    let user = tb.get("DESTUI_TB_USER");
    let line = add_is_refused(
        &ctx,
        "keyless",
        &args,
        &[
            &format!("refused the key of user {user}"),
            "authorize that key",
            "--identity",
        ],
    );
    eprintln!("the user sees: {line}");
    server_is_unusable(&ctx, tb, "keyless", &args, "refused the key");
}

#[test]
fn a_stalled_link_times_out_instead_of_hanging() {
    let tb = live!();
    let mut ctx = Ctx::new(tb);
    let port = common::silent_port();
    ctx.extra_env
        .push(("DESTUI_CONNECT_TIMEOUT".into(), "2".into()));
    let port = port.to_string();
    let args = [
        "--host",
        "127.0.0.1",
        "--port",
        port.as_str(),
        "--docker-socket",
        tb.socket_a(),
        "--proxy-container",
        tb.proxy(),
    ];

    let started = Instant::now();
    let line = add_is_refused(
        &ctx,
        "stalled",
        &args,
        &["no answer within 2s", "stalled link", "try again"],
    );
    assert!(started.elapsed() < NO_HANG, "took {:?}", started.elapsed());
    eprintln!("the user sees: {line}");

    let started = Instant::now();
    server_is_unusable(&ctx, tb, "stalled", &args, "no answer within 2s");
    assert!(
        started.elapsed() < NO_HANG * 2,
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn forwarding_refused_by_sshd_names_allow_stream_local_forwarding() {
    let tb = live!();
    let mut ctx = Ctx::new(tb);
    let sshd = Sshd::start(&ctx, &[("AllowStreamLocalForwarding", "no")]);
    let config = common::write_ssh_config(&ctx, "nofwd", sshd.port, None);
    ctx.extra_env.push(("DESTUI_SSH_CONFIG".into(), config));
    let args = [
        "--host",
        "nofwd",
        "--docker-socket",
        tb.socket_a(),
        "--proxy-container",
        tb.proxy(),
    ];
    let line = add_is_refused(
        &ctx,
        "nofwd",
        &args,
        &[
            "refuses to forward",
            "set `AllowStreamLocalForwarding yes` in its sshd_config",
        ],
    );
    eprintln!("the user sees: {line}");
    // It really was this sshd that said no, after a successful login.
    let log = std::fs::read_to_string(&sshd.log).unwrap();
    assert!(
        log.contains("refused streamlocal port forward"),
        "sshd log: {log}"
    );
    server_is_unusable(&ctx, tb, "nofwd", &args, "AllowStreamLocalForwarding yes");
}

#[test]
fn a_user_without_the_docker_socket_is_told_to_join_the_docker_group() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    let user = tb.get("DESTUI_TB_NODOCKER_USER");
    let args = [
        "--host",
        tb.get("DESTUI_TB_HOST_A"),
        "--user",
        user,
        "--docker-socket",
        tb.socket_a(),
        "--proxy-container",
        tb.proxy(),
    ];
    let line = add_is_refused(
        &ctx,
        "nodocker",
        &args,
        &[
            &format!(
                "user {user} on {} may not use the Docker socket {}",
                tb.get("DESTUI_TB_HOST_A"),
                tb.socket_a()
            ),
            "add it to the docker group",
            &format!("usermod -aG docker {user}"),
        ],
    );
    eprintln!("the user sees: {line}");
    server_is_unusable(&ctx, tb, "nodocker", &args, "may not use the Docker socket");
}

/// A server whose sshd freezes (the link stalls with the master up), then comes back, then
/// goes away: its destination is `unknown` meanwhile, never missing or deleted, and the first
/// command after it is back works without any manual step.
#[test]
fn a_server_that_stops_answering_is_unknown_and_its_records_stay() {
    let tb = live!();
    let mut ctx = Ctx::new(tb);
    ctx.extra_env
        .push(("DESTUI_CONNECT_TIMEOUT".into(), "2".into()));
    let sshd = Sshd::start(&ctx, &[]);
    let config = common::write_ssh_config(&ctx, "fading", sshd.port, None);
    ctx.extra_env.push(("DESTUI_SSH_CONFIG".into(), config));
    ctx.add_server_named("fading", "fading", tb.socket_a());
    let net = unique_name("fade");
    ctx.cleanup_network(tb.socket_a(), &net);
    let created = ctx.create_destination("fading", &net);
    let reference = format!("fading/{net}");
    let records = ctx.json(&["destination", "list"]);
    assert_eq!(records.as_array().unwrap().len(), 1);

    // Every sshd process of this server stops: TCP stays up, nothing answers.
    sshd.signal("STOP");
    let started = Instant::now();
    let run = ctx.run(&["--json", "destination", "check"]);
    assert!(started.elapsed() < NO_HANG, "took {:?}", started.elapsed());
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("1 of 1 destinations are not ok (fading-")
            && run.stderr.contains("their server did not answer"),
        "{}",
        run.stderr
    );
    let rows = run.json();
    assert_eq!(rows[0]["status"], "unknown", "{rows}");
    assert!(
        rows[0]["detail"]
            .as_str()
            .is_some_and(|d| d.contains("stopped answering")),
        "{rows}"
    );
    let run = ctx.run(&["destination", "delete", &reference]).refused();
    assert!(
        run.stderr.contains("is kept") && run.stderr.contains("--force"),
        "{}",
        run.stderr
    );
    eprintln!("the user sees: {}", run.stderr.trim());
    assert!(
        started.elapsed() < NO_HANG * 2,
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(
        ctx.json(&["destination", "list"]),
        records,
        "record kept as it was"
    );
    assert!(inspect_network(tb.socket_a(), &net).is_some());

    // Back: the next command reconnects by itself.
    sshd.signal("CONT");
    let rows = ctx.json(&["destination", "check"]);
    assert_eq!(rows[0]["status"], "ok", "{rows}");

    // Gone for good (every sshd process killed): still unknown, still kept.
    sshd.signal("KILL");
    let rows = ctx.json_any(&["destination", "check"]);
    assert_eq!(rows[0]["status"], "unknown", "{rows}");
    assert!(
        rows[0]["detail"]
            .as_str()
            .is_some_and(|d| d.contains("connection refused")),
        "{rows}"
    );
    ctx.run(&["destination", "delete", &reference]).refused();
    assert_eq!(ctx.json(&["destination", "list"]), records);
    assert_eq!(
        inspect_network(tb.socket_a(), &net).map(|n| n["Id"].clone()),
        Some(created["network_id"].clone()),
        "the network was never touched"
    );
}
