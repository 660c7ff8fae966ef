//! The side-by-side benchmark of DESIGN.md §7 (issue 6): every row measures destui and the
//! alternative in the same run, on the same daemon, and prints absolute times and the ratio.
//! Run with `tests/bench.sh` (starts the testbed, builds release, runs this). `--smoke` runs
//! every row at a tiny scale (2 rounds, 5 networks): the test suite uses it to make sure the
//! benchmark keeps working; its timings mean nothing.
//!
//! Daemon A (standalone) carries the batch rows; daemon B (swarm manager) the 300-network rows,
//! because Docker's default pools give A only about 30 bridge networks.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::too_many_lines
)]

use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

#[path = "bench/far.rs"]
mod far;
#[path = "bench/live.rs"]
mod live;
#[path = "bench/many_servers.rs"]
mod many_servers;
#[path = "bench/owner.rs"]
mod owner;

use destui::ops::{NewDestination, NewServer, Ops};
use destui::remote::RemoteConfig;
use destui::remote::docker::{DockerApi, NetworkSpec, destination_labels};
use destui::store::Store;

/// Rounds of create + connect + disconnect + delete, and networks for the scan rows.
struct Scale {
    batch: usize,
    networks: usize,
    frames: &'static str,
    /// Servers for the many-servers rows (a tenth of them silent).
    servers: usize,
    /// Live state: out-of-band disconnects timed, the idle window, networks of the storm.
    live_tries: usize,
    live_idle: Duration,
    live_storm: usize,
}

const FULL: Scale = Scale {
    batch: 20,
    networks: 300,
    frames: "500",
    servers: 200,
    live_tries: 20,
    live_idle: Duration::from_secs(60),
    live_storm: 300,
};
/// The suite's run (tests/bench_smoke.rs): every row measured once, as small as it can be
/// (the README's test command must stay under 10 minutes on 2 cores).
const SMOKE: Scale = Scale {
    batch: 1,
    networks: 5,
    frames: "20",
    servers: 10,
    live_tries: 2,
    live_idle: Duration::from_secs(2),
    live_storm: 10,
};

struct Testbed {
    ssh_config: String,
    host: String,
    socket: String,
    host_b: String,
    socket_b: String,
    docker_host_b: String,
    proxy: String,
    host_b_far: String,
    docker_host_b_far: String,
    relay_delay_ms: u64,
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
            docker_host_b: get("DESTUI_TB_DOCKER_SSH_HOST"),
            proxy: get("DESTUI_TB_PROXY"),
            host_b_far: get("DESTUI_TB_HOST_B_FAR"),
            docker_host_b_far: get("DESTUI_TB_DOCKER_SSH_HOST_FAR"),
            relay_delay_ms: get("DESTUI_TB_RELAY_DELAY_MS")
                .parse()
                .expect("delay in ms"),
        }
    }
}

struct Row {
    what: String,
    destui: Duration,
    other: Duration,
    other_name: &'static str,
    target: Target,
}

enum Target {
    /// destui must be at least this many times faster than the other.
    Faster(f64),
    /// destui may take at most this many times the other.
    AtMost(f64),
    /// destui must take less than this (an absolute bound); the ratio shown is other / destui.
    Under(Duration),
    /// Shown for context: the ratio other / destui, no target.
    Info,
}

impl Row {
    /// (ratio as printed, target text, met)
    fn verdict(&self) -> (f64, String, &'static str) {
        let (d, o) = (self.destui.as_secs_f64(), self.other.as_secs_f64());
        match self.target {
            Target::Faster(x) => (o / d, format!(">= {x}x"), yes_no(o / d >= x)),
            Target::AtMost(x) => (d / o, format!("<= {x}x"), yes_no(d / o <= x)),
            Target::Under(bound) => (
                o / d,
                format!("< {} ms", bound.as_millis()),
                yes_no(self.destui < bound),
            ),
            Target::Info => (o / d, "-".into(), "-"),
        }
    }
}

fn yes_no(met: bool) -> &'static str {
    if met { "yes" } else { "NO" }
}

fn secs(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().expect("spawn");
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn main() {
    let smoke = std::env::args().any(|a| a == "--smoke");
    let scale = if smoke { &SMOKE } else { &FULL };
    let tb = Testbed::from_env();
    let work = PathBuf::from(format!("/tmp/dbench-{}", std::process::id()));
    std::fs::create_dir_all(&work).expect("work dir");
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let remote = remote_config(&tb, &work.join("rt"));
    // One group of rows alone, when asked (a quick look while working on them):
    // --batch-only, --many-only (many servers), --far-only (far servers), --owner-only
    // (commands forwarded to an open TUI), --live-only (live state: events, idle, a storm).
    let only = [
        "--batch-only",
        "--many-only",
        "--far-only",
        "--owner-only",
        "--live-only",
    ]
    .into_iter()
    .find(|flag| std::env::args().any(|a| a == *flag));
    let wanted = |group: &str| only.is_none_or(|flag| flag == group);
    // The TUI rows first, while the daemons are idle: the 300-network rows leave daemon B busy
    // removing overlays for a while, and these rows measure destui's CPU time alone.
    let mut tui = if only.is_none() {
        tui_rows(&work, scale)
    } else {
        Vec::new()
    };
    let mut rows = Vec::new();
    if wanted("--many-only") {
        // Before the batch rows too: hundreds of handshakes want the daemons and sshd idle.
        let many = many_servers::Many::new(&tb, &work, scale);
        let (check, alone) = runtime.block_on(many_servers::check_rows(&many, &work));
        rows.extend(check);
        tui.extend(many_servers::tui_rows(&many, &work, alone, scale.frames));
    }
    if wanted("--owner-only") {
        rows.extend(owner::rows(&tb, &work, scale));
    }
    let ops = Ops::new(Store::open(&work.join("db")).expect("store"), remote);
    if wanted("--batch-only") {
        rows.extend(runtime.block_on(batch_rows(&ops, &tb, &work, scale)));
    }
    if wanted("--far-only") {
        rows.extend(runtime.block_on(far::rows(&tb, &work, scale, &ops)));
    }
    if only.is_none() {
        rows.extend(runtime.block_on(many_networks_rows(&ops, &tb, scale)));
    }
    runtime.block_on(ops.close_all());
    drop(ops);
    if wanted("--live-only") {
        // Last: its storm leaves daemon B busy, and the other rows' masters are closed (its
        // idle row measures the TUI's CPU alone).
        let (live, listed) = live::rows(&tb, &work, scale);
        rows.extend(live);
        tui.extend(listed);
    }
    let _ = std::fs::remove_dir_all(&work);

    println!();
    println!(
        "{:<78} {:>9} {:>9}  {:>7}  {:<8} met",
        "row (destui vs other)", "destui", "other", "ratio", "target"
    );
    for r in &rows {
        let (ratio, target, met) = r.verdict();
        println!(
            "{:<78} {:>9} {:>9}  {:>6.2}x  {:<8} {met}",
            format!("{} (vs {})", r.what, r.other_name),
            secs(r.destui),
            secs(r.other),
            ratio,
            target,
        );
    }
    for (what, value, target, met) in tui {
        println!(
            "{what:<78} {value:>9} {:>9}  {:>7}  {target:<8} {}",
            "",
            "",
            yes_no(met)
        );
    }
}

/// Creates `n` attachable overlay networks on B (a handful of docker CLIs at once), labelled
/// for the clean-up; returns their names.
fn create_overlays(tb: &Testbed, n: usize, label: &str) -> Vec<String> {
    let names: Vec<String> = (0..n).map(|i| format!("{label}-{i:03}")).collect();
    std::thread::scope(|scope| {
        for chunk in names.chunks(n.div_ceil(8).max(1)) {
            scope.spawn(move || {
                for name in chunk {
                    run(Command::new("docker")
                        .arg("-H")
                        .arg(format!("unix://{}", tb.socket_b))
                        .args(["network", "create", "-d", "overlay", "--attachable"])
                        .args(["--label", &format!("destui.bench={label}"), name]));
                }
            });
        }
    });
    names
}

/// Removes every network labelled `label` from B (the proxy detached first). Swarm keeps a
/// network "in use by task" for a moment after a disconnect: retried for a while.
fn remove_overlays(tb: &Testbed, label: &str) {
    let docker = |args: &[&str]| {
        Command::new("docker")
            .arg("-H")
            .arg(format!("unix://{}", tb.socket_b))
            .args(args)
            .output()
            .expect("docker")
    };
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let listed = docker(&[
            "network",
            "ls",
            "-q",
            "--filter",
            &format!("label=destui.bench={label}"),
        ]);
        let ids: Vec<String> = String::from_utf8_lossy(&listed.stdout)
            .split_whitespace()
            .map(str::to_string)
            .collect();
        if ids.is_empty() || Instant::now() > deadline {
            if !ids.is_empty() {
                eprintln!(
                    "bench: {} networks labelled {label} are left on B",
                    ids.len()
                );
            }
            return;
        }
        std::thread::scope(|scope| {
            for chunk in ids.chunks(ids.len().div_ceil(8)) {
                scope.spawn(move || {
                    for id in chunk {
                        docker(&["network", "disconnect", "-f", id, &tb.proxy]);
                        docker(&["network", "rm", id]);
                    }
                });
            }
        });
    }
}

/// What attaching the proxy to one overlay network costs the daemon by itself: `docker
/// network connect` on B's local socket, one network after the other.
fn docker_connect_each(tb: &Testbed, n: usize, label: &str) -> Duration {
    let names = create_overlays(tb, n, label);
    let started = Instant::now();
    for name in &names {
        run(Command::new("docker")
            .arg("-H")
            .arg(format!("unix://{}", tb.socket_b))
            .args(["network", "connect", name, &tb.proxy]));
    }
    let each = started.elapsed() / n.max(1) as u32;
    remove_overlays(tb, label);
    each
}

/// A server holding many networks (B): scan vs `docker -H ssh://` ls + inspect of all, two
/// servers scanned at once vs the slower alone, and the import of all of them in one go.
async fn many_networks_rows(ops: &Ops, tb: &Testbed, scale: &Scale) -> Vec<Row> {
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
    let label = format!("bn{}", std::process::id());
    let n = scale.networks;
    create_overlays(tb, n, &label);
    let result = std::panic::AssertUnwindSafe(async {
        let rounds = 5;
        let listed = ops.scan(&b.uuid).await.expect("scan b");
        assert!(listed.len() >= n, "the scan lists all {n} networks");
        let mut scans = Duration::ZERO;
        for _ in 0..rounds {
            let t = Instant::now();
            let rows = ops.scan(&b.uuid).await.expect("scan b");
            scans += t.elapsed();
            assert!(rows.len() >= n);
        }
        let docker_ssh = |args: &[&str]| {
            let mut c = Command::new("docker");
            c.arg("-H")
                .arg(format!("ssh://{}", tb.docker_host_b))
                .args(args);
            c
        };
        let cli_scan = || {
            let ids = run(&mut docker_ssh(&["network", "ls", "-q"]));
            let ids: Vec<&str> = ids.split_whitespace().collect();
            let mut inspect = docker_ssh(&["network", "inspect"]);
            inspect.args(&ids);
            let out = run(&mut inspect);
            assert!(ids.len() >= n && out.contains("\"Containers\""));
        };
        cli_scan();
        let t = Instant::now();
        for _ in 0..rounds {
            cli_scan();
        }
        let with_cli = t.elapsed();

        // Two servers at once (A with its few networks, B with many) vs each alone.
        let a = "over-ssh".to_string();
        let mut alone_a = Duration::ZERO;
        let mut alone_b = Duration::ZERO;
        let mut together = Duration::ZERO;
        for _ in 0..rounds {
            let t = Instant::now();
            ops.scan(&a).await.expect("scan a");
            alone_a += t.elapsed();
            let t = Instant::now();
            ops.scan(&b.uuid).await.expect("scan b");
            alone_b += t.elapsed();
            // Each on a task of its own, as the TUI's lanes run them (a scan is two requests
            // and parsing, so two on one task would share one core).
            let t = Instant::now();
            let (ops_a, ops_b, a_ref, b_ref) =
                (ops.clone(), ops.clone(), a.clone(), b.uuid.clone());
            let x = tokio::spawn(async move { ops_a.scan(&a_ref).await.map(|_| ()) });
            let y = tokio::spawn(async move { ops_b.scan(&b_ref).await.map(|_| ()) });
            x.await.expect("task a").expect("scan a");
            y.await.expect("task b").expect("scan b");
            together += t.elapsed();
        }

        let t = Instant::now();
        let imported = ops.import(&b.uuid, &[], true).await.expect("import all");
        let import_time = t.elapsed();
        assert!(imported.value.len() >= n, "every network imported");
        let import_each = import_time / imported.value.len().max(1) as u32;
        let connect_each = docker_connect_each(tb, n.min(10), &format!("{label}c"));
        vec![
            Row {
                what: format!("{rounds} x scan of B with {n} networks (+ counts)"),
                destui: scans,
                other: with_cli,
                other_name: "docker -H ssh:// ls + inspect",
                target: Target::Faster(3.0),
            },
            Row {
                what: format!(
                    "{rounds} x scan of A and B at once (A alone {}, B alone {})",
                    secs(alone_a),
                    secs(alone_b)
                ),
                destui: together,
                other: alone_a.max(alone_b),
                other_name: "the slower alone",
                target: Target::AtMost(1.25),
            },
            Row {
                what: format!(
                    "import of all {} in one go ({}), per network",
                    imported.value.len(),
                    secs(import_time)
                ),
                destui: import_each,
                other: connect_each,
                other_name: "docker network connect, local socket",
                target: Target::Info,
            },
        ]
    });
    let rows = futures::FutureExt::catch_unwind(result).await;
    remove_overlays(tb, &label);
    rows.unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

/// The TUI with 10,000 destinations: time to first frame (its own log line) and resident
/// memory once the records are loaded, from the release binary in tmux.
fn tui_rows(work: &Path, scale: &Scale) -> Vec<(String, String, String, bool)> {
    use destui::domain::{Destination, DestinationType, Server, ServerMode};
    let db = work.join("tui-db");
    {
        let store = Store::open(&db).expect("store");
        let servers: Vec<Server> = (0..50)
            .map(|i| Server {
                uuid: format!("server-{i:03}").into(),
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
                address: None,
                color: None,
                read_only: false,
            })
            .collect();
        for s in &servers {
            store.save_server(s).expect("server");
        }
        let batch: Vec<Destination> = (0..10_000)
            .map(|i| Destination {
                uuid: format!("dest-{i:05}").into(),
                name: format!("srv{:03}-app-{i:05}", i % 50),
                network: format!("net{i:05}"),
                network_id: format!("{i:064}"),
                server_uuid: format!("server-{:03}", i % 50).into(),
                kind: DestinationType::Standalone,
                created_at: 1_795_341_600,
                description: None,
                original_name: None,
                options: Default::default(),
            })
            .collect();
        store.insert_destinations(&batch).expect("destinations");
    }
    let state = work.join("state");
    let tui = Tui::start(
        &work.join("tmux.sock"),
        &[
            ("DESTUI_DB", db.display().to_string()),
            ("XDG_STATE_HOME", state.display().to_string()),
            (
                "DESTUI_RUNTIME_DIR",
                work.join("tui-rt").display().to_string(),
            ),
            ("DESTUI_CONNECT_TIMEOUT", "3".into()),
        ],
    );
    // Wait until the records are on screen, then read the resident set of the process tree.
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline && !tui.screen().contains("Destinations 10000") {
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_millis(500));
    let rss_mb = tree_rss_kb(&tui.pid) as f64 / 1024.0;
    tui.quit();
    let log = std::fs::read_to_string(state.join("destui").join("destui.log")).unwrap_or_default();
    let first_ms = log_field(&log, "first_frame_ms").unwrap_or(f64::NAN);
    let frame_ms = frame_time_ms(scale);
    vec![
        (
            "TUI, 10,000 destinations: key + frame, p99 of 120x40 (examples/tui_frame_time)".into(),
            format!("{frame_ms:.2} ms"),
            "< 2 ms".into(),
            frame_ms < 2.0,
        ),
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

/// The release TUI in a detached 120x40 tmux session on its own server socket, with `env`.
struct Tui {
    socket: PathBuf,
    /// The destui process (the pane's).
    pid: String,
}

impl Tui {
    fn start(socket: &Path, env: &[(&str, String)]) -> Self {
        let vars: Vec<String> = env.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let command = format!("env {} {}", vars.join(" "), destui_binary().display());
        let mut tui = Tui {
            socket: socket.to_path_buf(),
            pid: String::new(),
        };
        tui.tmux(&["new-session", "-d", "-x", "120", "-y", "40", &command]);
        tui.pid =
            String::from_utf8_lossy(&tui.tmux(&["display-message", "-p", "#{pane_pid}"]).stdout)
                .trim()
                .to_string();
        tui
    }

    fn tmux(&self, args: &[&str]) -> std::process::Output {
        Command::new("tmux")
            .arg("-S")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux")
    }

    fn screen(&self) -> String {
        String::from_utf8_lossy(&self.tmux(&["capture-pane", "-p"]).stdout).into_owned()
    }

    /// `q`, then the tmux server goes (as when a row panics: see `Drop`).
    fn quit(self) {}
}

impl Drop for Tui {
    fn drop(&mut self) {
        self.tmux(&["send-keys", "q"]);
        std::thread::sleep(Duration::from_millis(500));
        self.tmux(&["kill-server"]);
    }
}

/// The number logged as `name=…` (the first such field in destui's log).
fn log_field(log: &str, name: &str) -> Option<f64> {
    log.lines()
        .find_map(|l| l.split(&format!("{name}=")).nth(1))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
}

/// The p99 of key + frame at 120x40 from `examples/tui_frame_time` (built beside this one).
fn frame_time_ms(scale: &Scale) -> f64 {
    frame_time_line(scale.frames, "120x40")
}

/// The p99 (ms) on the line of `examples/tui_frame_time`'s output that contains `marker`.
fn frame_time_line(frames: &str, marker: &str) -> f64 {
    let example = std::env::current_exe()
        .ok()
        .and_then(|p| Some(p.parent()?.join("tui_frame_time")))
        .expect("examples directory");
    let out = run(Command::new(&example).arg(frames));
    out.lines()
        .find(|l| l.contains(marker))
        .and_then(|l| l.split("p99 ").nth(1))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or_else(|| panic!("no {marker:?} p99 in the output of {example:?}:\n{out}"))
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

async fn batch_rows(ops: &Ops, tb: &Testbed, work: &Path, scale: &Scale) -> Vec<Row> {
    let n = scale.batch;
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

    // Each closure below runs one round on its path. The paths take turns round by round (not
    // one whole batch after the other), so that a daemon that slows down or speeds up over the
    // run weighs on every path alike; a first round on each warms its connection.
    let destui_round = |server: String, tag: &'static str, i: usize| async move {
        let started = Instant::now();
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
        started.elapsed()
    };
    let floor_api = DockerApi::connect(&tb.socket).await.expect("daemon A");

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
    let steps_round = |make: &dyn Fn(&[&str]) -> Command, tag: &str, i: usize| {
        let started = Instant::now();
        let net = format!("b{pid}-{tag}-{i}");
        let id = run(&mut make(&["network", "create", &net]))
            .trim()
            .to_string();
        run(&mut make(&["network", "connect", &id, &tb.proxy]));
        run(&mut make(&["network", "disconnect", &id, &tb.proxy]));
        run(&mut make(&["network", "rm", &id]));
        started.elapsed()
    };

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
    let process_round = |tag: &str, i: usize| {
        let started = Instant::now();
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
        started.elapsed()
    };

    destui_round(ssh.uuid.to_string(), "warm-s", 0).await;
    destui_round(local.uuid.to_string(), "warm-l", 0).await;
    floor_round(&floor_api, tb, &format!("b{pid}-warm-f")).await;
    steps_round(&docker_ssh, "warm-d", 0);
    steps_round(&ssh_docker, "warm-c", 0);
    process_round("warm-p", 0);
    let mut over_ssh = Duration::ZERO;
    let mut on_socket = Duration::ZERO;
    let mut floor = Duration::ZERO;
    let mut with_docker_ssh = Duration::ZERO;
    let mut with_ssh_control = Duration::ZERO;
    let mut with_processes = Duration::ZERO;
    for i in 0..n {
        over_ssh += destui_round(ssh.uuid.to_string(), "ssh", i).await;
        on_socket += destui_round(local.uuid.to_string(), "sock", i).await;
        floor += floor_round(&floor_api, tb, &format!("b{pid}-floor-{i}")).await;
        with_docker_ssh += steps_round(&docker_ssh, "dssh", i);
        with_ssh_control += steps_round(&ssh_docker, "cm", i);
        with_processes += process_round("proc", i);
    }
    let _ = Command::new("ssh")
        .arg("-o")
        .arg(format!("ControlPath={}", control.display()))
        .args(["-O", "exit", &tb.host])
        .output();
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
            what: format!("{n} x create+connect+disconnect+delete, destui over SSH"),
            destui: over_ssh,
            other: on_socket,
            other_name: "destui, local socket",
            target: Target::AtMost(1.15),
        },
        Row {
            what: format!("{n} x the same, destui in-process"),
            destui: over_ssh,
            other: with_docker_ssh,
            other_name: "docker -H ssh://",
            target: Target::Faster(5.0),
        },
        Row {
            what: format!("{n} x bare API calls, local socket = the most any client gets"),
            destui: floor,
            other: with_docker_ssh,
            other_name: "docker -H ssh://",
            target: Target::Info,
        },
        Row {
            what: format!("{n} x the same, destui in-process"),
            destui: over_ssh,
            other: with_ssh_control,
            other_name: "ssh host docker, ControlMaster",
            target: Target::Faster(1.5),
        },
        Row {
            what: format!("{n} x the same, one destui process per command"),
            destui: with_processes,
            other: with_docker_ssh,
            other_name: "docker -H ssh://",
            target: Target::Faster(3.0),
        },
    ]
}

/// One round as bare API calls (create, connect, disconnect, remove) on A's local socket,
/// with nothing of destui around them: the time no client can go below.
async fn floor_round(docker: &DockerApi, tb: &Testbed, name: &str) -> Duration {
    let started = Instant::now();
    let id = docker
        .create_network(&NetworkSpec {
            name,
            driver: "bridge",
            attachable: false,
            internal: false,
            subnet: None,
            labels: destination_labels(&destui::domain::Destination {
                uuid: name.to_string().into(),
                name: name.to_string(),
                network: name.to_string(),
                network_id: String::new(),
                server_uuid: String::new().into(),
                kind: destui::domain::DestinationType::Standalone,
                created_at: 0,
                description: None,
                original_name: None,
                options: Default::default(),
            }),
            shape: None,
        })
        .await
        .expect("create");
    docker
        .connect_container(&id, &tb.proxy)
        .await
        .expect("connect");
    docker
        .disconnect_container(&id, &tb.proxy)
        .await
        .expect("disconnect");
    docker.remove_network(&id).await.expect("remove");
    started.elapsed()
}

/// target/<profile>/examples/bench -> target/<profile>/destui (built by tests/bench.sh).
fn remote_config(tb: &Testbed, runtime_dir: &Path) -> RemoteConfig {
    RemoteConfig {
        ssh_config: Some(PathBuf::from(&tb.ssh_config)),
        runtime_dir: runtime_dir.to_path_buf(),
        idle: NonZeroUsize::new(60).expect("non-zero"),
        connect_timeout: Duration::from_secs(10),
        connects: RemoteConfig::connect_slots(destui::remote::DEFAULT_MAX_PARALLEL_CONNECTS),
        replies: destui::remote::ReplyLimits::default(),
    }
}

fn destui_binary() -> PathBuf {
    std::env::current_exe()
        .ok()
        .and_then(|p| Some(p.parent()?.parent()?.join("destui")))
        .expect("the destui binary next to the examples")
}
