//! The side-by-side benchmark of DESIGN.md §7 (issue 6), first part: the batch rows.
//! Run with `tests/bench.sh` (starts the testbed, builds release, runs this).
//!
//! Every row measures destui and the alternative in the same run, on the same daemon (A, the
//! standalone one, reached over the testbed's sshd), and prints absolute times and the ratio.

use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use destui::ops::{NewDestination, NewServer, Ops};
use destui::remote::RemoteConfig;
use destui::store::Store;

const BATCH: usize = 20;

struct Testbed {
    ssh_config: String,
    host: String,
    socket: String,
    host_b: String,
    socket_b: String,
    proxy: String,
}

impl Testbed {
    fn from_env() -> Self {
        let path = std::env::var("DESTUI_TESTBED_ENV")
            .unwrap_or_else(|_| "/tmp/destui-testbed/testbed.env".into());
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("testbed env {path}: {e}; run tests/testbed/up.sh"));
        let get = |key: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(&format!("{key}=")))
                .unwrap_or_else(|| panic!("{key} missing in {path}"))
                .to_string()
        };
        Testbed {
            ssh_config: get("DESTUI_TB_SSH_CONFIG"),
            host: get("DESTUI_TB_HOST_A"),
            socket: get("DESTUI_TB_SOCKET_A"),
            host_b: get("DESTUI_TB_HOST_B"),
            socket_b: get("DESTUI_TB_SOCKET_B"),
            proxy: get("DESTUI_TB_PROXY"),
        }
    }
}

struct Row {
    what: &'static str,
    destui: Duration,
    other: Duration,
    other_name: &'static str,
    /// `Some(x)`: destui must be at least x times faster; `None` with `max` below.
    at_least: Option<f64>,
    /// destui may take at most this many times the other.
    at_most: Option<f64>,
}

fn secs(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

fn run(cmd: &mut Command) {
    let out = cmd.output().expect("spawn");
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn main() {
    let tb = Testbed::from_env();
    let work = PathBuf::from(format!("/tmp/dbench-{}", std::process::id()));
    std::fs::create_dir_all(&work).expect("work dir");
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let remote = RemoteConfig {
        ssh_config: Some(PathBuf::from(&tb.ssh_config)),
        runtime_dir: work.join("rt"),
        idle: NonZeroUsize::new(60).expect("non-zero"),
        connect_timeout: Duration::from_secs(10),
    };
    let ops = Ops::new(Store::open(&work.join("db")).expect("store"), remote);
    let mut rows = runtime.block_on(batch_rows(&ops, &tb, &work));
    rows.extend(runtime.block_on(scan_rows(&ops, &tb)));
    runtime.block_on(ops.close_all());
    drop(ops);
    let tui = tui_rows(&work);
    let _ = std::fs::remove_dir_all(&work);

    println!();
    println!(
        "{:<58} {:>9} {:>9}  {:>7}  {:<10} met",
        "row", "destui", "other", "ratio", "target"
    );
    for r in &rows {
        let (ratio, target, met) = match (r.at_least, r.at_most) {
            (Some(x), _) => {
                let ratio = r.other.as_secs_f64() / r.destui.as_secs_f64();
                (ratio, format!(">= {x}x"), ratio >= x)
            }
            (None, Some(x)) => {
                let ratio = r.destui.as_secs_f64() / r.other.as_secs_f64();
                (ratio, format!("<= {x}x"), ratio <= x)
            }
            (None, None) => (0.0, String::new(), true),
        };
        println!(
            "{:<58} {:>9} {:>9}  {:>6.2}x  {:<10} {}",
            format!("{} (vs {})", r.what, r.other_name),
            secs(r.destui),
            secs(r.other),
            ratio,
            target,
            if met { "yes" } else { "NO" }
        );
    }
    for (what, value, target, met) in tui {
        println!(
            "{what:<58} {value:>9} {:>9}  {:>7}  {target:<10} {}",
            "",
            "",
            if met { "yes" } else { "NO" }
        );
    }
}

/// Two servers (A and B) scanned at once vs one after the other, warm connections.
async fn scan_rows(ops: &Ops, tb: &Testbed) -> Vec<Row> {
    let b = ops
        .add_server(NewServer {
            name: "b".into(),
            host: Some(tb.host_b.clone()),
            docker_socket: Some(tb.socket_b.clone()),
            proxy_container: Some(tb.proxy.clone()),
            check: true,
            ..Default::default()
        })
        .await
        .expect("server b")
        .value;
    let a = "over-ssh".to_string();
    ops.scan(&a).await.expect("scan a");
    ops.scan(&b.uuid).await.expect("scan b");
    let mut alone = Duration::ZERO;
    let mut together = Duration::ZERO;
    for _ in 0..5 {
        let t = Instant::now();
        ops.scan(&a).await.expect("scan a");
        ops.scan(&b.uuid).await.expect("scan b");
        alone += t.elapsed();
        let t = Instant::now();
        let (x, y) = tokio::join!(ops.scan(&a), ops.scan(&b.uuid));
        x.expect("scan a");
        y.expect("scan b");
        together += t.elapsed();
    }
    vec![Row {
        what: "5 x scan of A and B at once",
        destui: together,
        other: alone,
        other_name: "one after the other",
        at_least: Some(1.2),
        at_most: None,
    }]
}

/// The TUI with 10,000 destinations: time to first frame (its own log line) and resident
/// memory once the records are loaded, from the release binary in tmux.
fn tui_rows(work: &Path) -> Vec<(String, String, String, bool)> {
    use destui::domain::{Destination, DestinationType, Server, ServerMode};
    let db = work.join("tui-db");
    {
        let store = Store::open(&db).expect("store");
        let servers: Vec<Server> = (0..50)
            .map(|i| Server {
                uuid: format!("server-{i:03}"),
                name: format!("srv{i:03}"),
                // Unreachable on purpose: the first frame must not wait for any of them.
                host: "192.0.2.1".into(),
                port: Some(22),
                user: Some("root".into()),
                identity: None,
                docker_socket: "/var/run/docker.sock".into(),
                local: false,
                build_server: false,
                proxy_container: "coolify-proxy".into(),
                mode: ServerMode::Standalone,
                online: false,
                last_error: None,
                checked_at: None,
                docker_version: None,
            })
            .collect();
        for s in &servers {
            store.save_server(s).expect("server");
        }
        let batch: Vec<Destination> = (0..10_000)
            .map(|i| Destination {
                uuid: format!("dest-{i:05}"),
                name: format!("srv{:03}-app-{i:05}", i % 50),
                network: format!("net{i:05}"),
                network_id: format!("{i:064}"),
                server_uuid: format!("server-{:03}", i % 50),
                kind: DestinationType::Standalone,
                created_at: 1_795_341_600,
            })
            .collect();
        store.insert_destinations(&batch).expect("destinations");
    }
    let binary = destui_binary();
    let state = work.join("state");
    let socket = work.join("tmux.sock");
    let tmux = |args: &[&str]| {
        Command::new("tmux")
            .arg("-S")
            .arg(&socket)
            .args(args)
            .output()
            .expect("tmux")
    };
    let command = format!(
        "env DESTUI_DB={} XDG_STATE_HOME={} DESTUI_RUNTIME_DIR={} DESTUI_CONNECT_TIMEOUT=3 {}",
        db.display(),
        state.display(),
        work.join("tui-rt").display(),
        binary.display()
    );
    tmux(&["new-session", "-d", "-x", "120", "-y", "40", &command]);
    let pid = String::from_utf8_lossy(&tmux(&["display-message", "-p", "#{pane_pid}"]).stdout)
        .trim()
        .to_string();
    // Wait until the records are on screen, then read the resident set of the process tree.
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        let screen = String::from_utf8_lossy(&tmux(&["capture-pane", "-p"]).stdout).into_owned();
        if screen.contains("Destinations 10000") {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_millis(500));
    let rss_kb = tree_rss_kb(&pid);
    tmux(&["send-keys", "q"]);
    std::thread::sleep(Duration::from_millis(500));
    tmux(&["kill-server"]);
    let log = std::fs::read_to_string(state.join("destui").join("destui.log")).unwrap_or_default();
    let first_ms: f64 = log
        .lines()
        .find_map(|l| l.split("first_frame_ms=").nth(1))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(f64::NAN);
    let rss_mb = rss_kb as f64 / 1024.0;
    vec![
        (
            "TUI, 10,000 destinations: time to first frame".into(),
            format!("{first_ms:.1} ms"),
            "< 150 ms".into(),
            first_ms < 150.0,
        ),
        (
            "TUI, 10,000 destinations: resident memory (destui only)".into(),
            format!("{rss_mb:.1} MB"),
            "< 60 MB".into(),
            rss_mb < 60.0,
        ),
    ]
}

/// VmRSS of `pid` (the destui process; its ssh children are separate programs).
fn tree_rss_kb(pid: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

async fn batch_rows(ops: &Ops, tb: &Testbed, work: &Path) -> Vec<Row> {
    let ssh = ops
        .add_server(NewServer {
            name: "over-ssh".into(),
            host: Some(tb.host.clone()),
            proxy_container: Some(tb.proxy.clone()),
            check: true,
            ..Default::default()
        })
        .await
        .expect("server over ssh")
        .value;
    let local = ops
        .add_server(NewServer {
            name: "local-socket".into(),
            local: true,
            docker_socket: Some(tb.socket.clone()),
            proxy_container: Some(tb.proxy.clone()),
            check: true,
            ..Default::default()
        })
        .await
        .expect("server on the local socket")
        .value;
    let pid = std::process::id();

    // One round first on each path, so that no row pays for a cold connection.
    let batch = |server: String, tag: &'static str, n: usize| async move {
        let started = Instant::now();
        for i in 0..n {
            let network = format!("b{pid}-{tag}-{i}");
            let created = ops
                .create_destination(NewDestination {
                    server: server.clone(),
                    network: Some(network.clone()),
                    ..Default::default()
                })
                .await
                .expect("create");
            ops.delete_destination(&created.value.uuid, false)
                .await
                .expect("delete");
        }
        started.elapsed()
    };
    batch(ssh.uuid.clone(), "warm-s", 1).await;
    batch(local.uuid.clone(), "warm-l", 1).await;
    let over_ssh = batch(ssh.uuid.clone(), "ssh", BATCH).await;
    let on_socket = batch(local.uuid.clone(), "sock", BATCH).await;

    // docker -H ssh:// per step, and one `ssh host docker …` per step over a ControlMaster.
    let docker_ssh = |args: &[&str]| {
        let mut c = Command::new("docker");
        c.arg("-H").arg(format!("ssh://{}", tb.host)).args(args);
        c
    };
    let control = work.join("cm");
    let ssh_docker = |args: &[&str]| {
        let mut c = Command::new("ssh");
        c.args(["-F", &tb.ssh_config, "-o", "ControlMaster=auto", "-o"])
            .arg(format!("ControlPath={}", control.display()))
            .args(["-o", "ControlPersist=60", &tb.host, "docker"])
            .args(args);
        c
    };
    let steps = |make: &dyn Fn(&[&str]) -> Command, tag: &str, n: usize| {
        let started = Instant::now();
        for i in 0..n {
            let net = format!("b{pid}-{tag}-{i}");
            let mut create = make(&["network", "create", &net]);
            let out = create.output().expect("spawn");
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let id = String::from_utf8_lossy(&out.stdout).trim().to_string();
            run(&mut make(&["network", "connect", &id, &tb.proxy]));
            run(&mut make(&["network", "disconnect", &id, &tb.proxy]));
            run(&mut make(&["network", "rm", &id]));
        }
        started.elapsed()
    };
    steps(&docker_ssh, "warm-d", 1);
    steps(&ssh_docker, "warm-c", 1);
    let with_docker_ssh = steps(&docker_ssh, "dssh", BATCH);
    let with_ssh_control = steps(&ssh_docker, "cm", BATCH);
    let _ = Command::new("ssh")
        .arg("-o")
        .arg(format!("ControlPath={}", control.display()))
        .args(["-O", "exit", &tb.host])
        .output();

    // One destui process per command (create, delete), against a warm server.
    let cli_db = work.join("cli-db");
    let destui_binary = destui_binary();
    let cli = |args: &[&str]| {
        let mut c = Command::new(&destui_binary);
        c.env("DESTUI_DB", &cli_db)
            .env("DESTUI_RUNTIME_DIR", work.join("cli-rt"))
            .env("DESTUI_SSH_CONFIG", &tb.ssh_config)
            .args(args);
        c
    };
    run(&mut cli(&[
        "server",
        "add",
        "cli",
        "--host",
        &tb.host,
        "--proxy-container",
        &tb.proxy,
    ]));
    let per_process = |n: usize, tag: &str| {
        let started = Instant::now();
        for i in 0..n {
            let net = format!("b{pid}-{tag}-{i}");
            run(&mut cli(&[
                "destination",
                "create",
                "--server",
                "cli",
                "--network",
                &net,
            ]));
            run(&mut cli(&["destination", "delete", &format!("cli/{net}")]));
        }
        started.elapsed()
    };
    per_process(1, "warm-p");
    let with_processes = per_process(BATCH, "proc");
    for f in std::fs::read_dir(work.join("cli-rt"))
        .into_iter()
        .flatten()
        .flatten()
    {
        for m in std::fs::read_dir(f.path()).into_iter().flatten().flatten() {
            let _ = Command::new("ssh")
                .arg("-S")
                .arg(m.path().join("master"))
                .args(["-O", "exit", "x"])
                .output();
        }
    }

    vec![
        Row {
            what: "20 x create+connect+disconnect+delete, destui over SSH",
            destui: over_ssh,
            other: on_socket,
            other_name: "destui, local socket",
            at_least: None,
            at_most: Some(1.15),
        },
        Row {
            what: "20 x the same, destui in-process",
            destui: over_ssh,
            other: with_docker_ssh,
            other_name: "docker -H ssh://",
            at_least: Some(5.0),
            at_most: None,
        },
        Row {
            what: "20 x the same, destui in-process",
            destui: over_ssh,
            other: with_ssh_control,
            other_name: "ssh host docker, ControlMaster",
            at_least: Some(1.5),
            at_most: None,
        },
        Row {
            what: "20 x the same, one destui process per command",
            destui: with_processes,
            other: with_docker_ssh,
            other_name: "docker -H ssh://",
            at_least: Some(3.0),
            at_most: None,
        },
    ]
}

/// target/<profile>/examples/bench -> target/<profile>/destui (built by tests/bench.sh).
fn destui_binary() -> PathBuf {
    std::env::current_exe()
        .ok()
        .and_then(|p| Some(p.parent()?.parent()?.join("destui")))
        .expect("the destui binary next to the examples")
}
