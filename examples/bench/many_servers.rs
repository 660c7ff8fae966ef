//! DESIGN.md §13, the first half: many servers at once on the testbed's sshd (each a Host
//! alias of its own), a tenth of them behind a port that accepts and never answers.
//! - in-process: every server checked at once, until the last reachable one is online, vs
//!   one server alone (a cold master each time);
//! - the TUI (release binary in tmux) on the same servers: first frame, every reachable one
//!   online, resident memory; key-to-frame while the answers land comes from
//!   `examples/tui_frame_time`.

use super::{Row, Scale, Target, Testbed, Tui, log_field, secs, tree_rss_kb};
use destui::domain::{Server, ServerMode};
use destui::ops::Ops;
use destui::remote::RemoteConfig;
use destui::store::Store;
use std::net::TcpListener;
use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The connect timeout of these rows: a silent server costs this much, in parallel.
const TIMEOUT: Duration = Duration::from_secs(5);

pub struct Many {
    pub servers: usize,
    pub silent: usize,
    config: PathBuf,
    tb_socket_a: String,
    tb_socket_b: String,
    proxy: String,
}

impl Many {
    /// The ssh config with `servers` aliases (every tenth one silent) and its silent port.
    pub fn new(tb: &Testbed, work: &Path, scale: &Scale) -> Self {
        let servers = scale.servers;
        let silent_port = silent_port();
        let text = std::fs::read_to_string(&tb.ssh_config).expect("testbed ssh config");
        let block: Vec<&str> = text
            .lines()
            .skip_while(|l| l.trim() != format!("Host {}", tb.host))
            .skip(1)
            .take_while(|l| !l.trim().is_empty())
            .collect();
        let mut out = String::new();
        for i in 0..servers {
            out.push_str(&format!("Host many-{i}\n"));
            for line in &block {
                if line.trim_start().starts_with("Port ") && is_silent(i) {
                    out.push_str(&format!("  Port {silent_port}\n"));
                } else {
                    out.push_str(line);
                    out.push('\n');
                }
            }
        }
        let config = work.join("ssh_config_many");
        std::fs::write(&config, out).expect("ssh config");
        Many {
            servers,
            silent: (0..servers).filter(|&i| is_silent(i)).count(),
            config,
            tb_socket_a: tb.socket.clone(),
            tb_socket_b: tb.socket_b.clone(),
            proxy: tb.proxy.clone(),
        }
    }

    fn record(&self, i: usize) -> Server {
        Server {
            uuid: format!("server{i:03}uuid").into(),
            name: format!("many-{i}"),
            host: format!("many-{i}"),
            port: None,
            user: None,
            identity: None,
            docker_socket: if i.is_multiple_of(2) {
                self.tb_socket_a.clone()
            } else {
                self.tb_socket_b.clone()
            },
            local: false,
            build_server: false,
            proxy_container: self.proxy.clone(),
            mode: ServerMode::Unknown,
            online: false,
            last_error: None,
            checked_at: None,
            docker_version: None,
            address: None,
            color: None,
            read_only: false,
        }
    }

    /// A data directory holding the first `n` servers.
    fn store(&self, dir: &Path, n: usize) -> Store {
        let store = Store::open(dir).expect("store");
        for i in 0..n {
            store.save_server(&self.record(i)).expect("server");
        }
        store
    }

    fn ops(&self, dir: &Path, n: usize) -> Ops {
        let remote = RemoteConfig {
            ssh_config: Some(self.config.clone()),
            runtime_dir: dir.join("rt"),
            idle: NonZeroUsize::new(30).expect("non-zero"),
            connect_timeout: TIMEOUT,
            connects: RemoteConfig::connect_slots(destui::remote::DEFAULT_MAX_PARALLEL_CONNECTS),
            replies: destui::remote::ReplyLimits::default(),
        };
        Ops::new(self.store(&dir.join("db"), n), remote)
    }
}

fn is_silent(i: usize) -> bool {
    i % 10 == 7
}

/// A port that accepts every connection and never says a word (not even an ssh banner).
fn silent_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
        }
    });
    port
}

/// One server alone (median of 3, each with a cold master) vs all at once until the last
/// reachable one is online. Also returns the time of one alone (the TUI rows' bound).
pub async fn check_rows(many: &Many, work: &Path) -> (Vec<Row>, Duration) {
    let mut alone = Vec::new();
    for round in 0..3 {
        let dir = work.join(format!("many-one-{round}"));
        let ops = many.ops(&dir, 1);
        let server = ops.servers().await.expect("servers").remove(0);
        let t = Instant::now();
        let (fresh, error) = ops.check_server(&server).await.expect("check");
        alone.push(t.elapsed());
        assert!(fresh.online, "one server alone is online: {error:?}");
        ops.close_all().await;
    }
    alone.sort();
    let alone = alone[1];

    let dir = work.join("many-all");
    let ops = many.ops(&dir, many.servers);
    let servers = ops.servers().await.expect("servers");
    let started = Instant::now();
    let checks = servers.iter().map(|s| {
        let ops = &ops;
        async move {
            let (fresh, _) = ops.check_server(s).await.expect("check");
            (fresh.online, started.elapsed())
        }
    });
    let results = futures::future::join_all(checks).await;
    let all = started.elapsed();
    let online: Vec<Duration> = results.iter().filter(|r| r.0).map(|r| r.1).collect();
    assert_eq!(
        online.len(),
        many.servers - many.silent,
        "every reachable server came online"
    );
    let last_online = online.into_iter().max().unwrap_or_default();
    ops.close_all().await;
    let rows = vec![Row {
        what: format!(
            "check of {} servers at once ({} silent, all done {}): last reachable online",
            many.servers,
            many.silent,
            secs(all)
        ),
        destui: last_online,
        other: alone,
        other_name: "one server alone",
        target: Target::AtMost(20.0),
    }];
    (rows, alone)
}

/// The release TUI in tmux on the same servers: the times from its log, its resident memory
/// once every server has answered.
pub fn tui_rows(
    many: &Many,
    work: &Path,
    alone: Duration,
    frames: &str,
) -> Vec<(String, String, String, bool)> {
    let dir = work.join("many-tui");
    drop(many.store(&dir.join("db"), many.servers));
    let state = dir.join("state");
    let tui = Tui::start(
        &dir.join("tmux.sock"),
        &[
            ("DESTUI_DB", dir.join("db").display().to_string()),
            ("XDG_STATE_HOME", state.display().to_string()),
            ("DESTUI_RUNTIME_DIR", dir.join("rt").display().to_string()),
            ("DESTUI_SSH_CONFIG", many.config.display().to_string()),
            ("DESTUI_CONNECT_TIMEOUT", TIMEOUT.as_secs().to_string()),
        ],
    );
    let log_file = state.join("destui").join("destui.log");
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut log = String::new();
    while Instant::now() < deadline {
        log = std::fs::read_to_string(&log_file).unwrap_or_default();
        if log.contains("every server checked") {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let rss_mb = tree_rss_kb(&tui.pid) as f64 / 1024.0;
    tui.quit();
    let first = log_field(&log, "first_frame_ms").unwrap_or(f64::NAN);
    let online_ms = log_field(&log, "all_online_ms").unwrap_or(f64::NAN);
    let online = log_field(&log, "online").unwrap_or(f64::NAN);
    let n = many.servers;
    let bound_ms = alone.as_secs_f64() * 1000.0 * 20.0;
    let landing = super::frame_time_line(frames, "servers, checks landing");
    vec![
        (
            format!(
                "TUI, {n} servers ({} silent): time to first frame",
                many.silent
            ),
            format!("{first:.1} ms"),
            "< 150 ms".into(),
            first < 150.0,
        ),
        (
            format!("TUI, {n} servers: every reachable one online ({online} of {n}), from start",),
            format!("{:.2} s", online_ms / 1000.0),
            format!("<= {:.2} s", bound_ms / 1000.0),
            online as usize == n - many.silent && online_ms <= bound_ms,
        ),
        (
            format!(
                "TUI, {n} servers: answer + key + frame while the checks land, p99 (examples/tui_frame_time)"
            ),
            format!("{landing:.2} ms"),
            "< 16 ms".into(),
            landing < 16.0,
        ),
        (
            format!("TUI, {n} servers: resident memory once all have answered"),
            format!("{rss_mb:.1} MB"),
            "< 100 MB".into(),
            rss_mb < 100.0,
        ),
    ]
}
