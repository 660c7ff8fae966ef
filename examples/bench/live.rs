//! Live state (DESIGN.md §7, §11), measured on one release TUI in tmux that watches daemon A
//! and daemon B (both over ssh), beside a `destui --json watch` child on its own data
//! directory (its own process and master, so each is timed alone):
//! - event to screen: the proxy disconnected by hand (`docker network disconnect`, A's local
//!   socket) until `proxy-detached` is in the destination's row on screen (`tmux capture-pane`
//!   every 5 ms; the time is taken when the capture that shows it returned) and until the
//!   watch prints its line (stamped when read), both from when the docker command returned;
//!   the alternative is the periodic check alone (`[tui] check_interval_seconds`, 300 s);
//! - idle CPU: utime + stime of the TUI process (/proc/<pid>/stat) over an idle window once
//!   its first checks are done, as % of one core;
//! - a storm: overlay networks created out of band on B, 8 docker CLIs at once, while the
//!   Scan pane of B is open and `j`/`k` go to it every 20 ms; key-to-frame is the TUI's own
//!   log (`destui::frames`, `key_to_frame_us`: from the key read to the frame drawn).

use super::{Row, Scale, Target, Testbed, Tui, create_overlays, destui_binary, remove_overlays};
use serde_json::Value;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

/// What the user waited before the streams: the periodic check (`[tui] check_interval_seconds`).
const PERIODIC_CHECK: Duration = Duration::from_secs(300);
const EVENT_TO_SCREEN: Duration = Duration::from_millis(500);
/// How long one change may take before the bench gives up on it.
const GIVE_UP: Duration = Duration::from_secs(15);

type Listed = (String, String, String, bool);

/// The rows of the `--live-only` group: event-to-screen latency (as `Row`s, beside the
/// periodic check), then idle CPU and key-to-frame during a storm (absolute values).
pub fn rows(tb: &Testbed, work: &Path, scale: &Scale) -> (Vec<Row>, Vec<Listed>) {
    let pid = std::process::id();
    let tui_dir = work.join("live-tui");
    let watch_dir = work.join("live-watch");
    let tui_env = env(tb, &tui_dir, true);
    let watch_env = env(tb, &watch_dir, false);
    for (server, host, socket) in [
        ("lva", &tb.host, &tb.socket),
        ("lvb", &tb.host_b, &tb.socket_b),
    ] {
        destui(&tui_env, &add_server(server, host, socket, &tb.proxy));
    }
    // The destination on A: made by the TUI's data directory, imported by the watch's.
    let network = format!("lv{pid}");
    let _network_guard = NetworkOnA {
        socket: &tb.socket,
        proxy: &tb.proxy,
        name: network.clone(),
    };
    destui(
        &tui_env,
        &[
            "destination",
            "create",
            "--server",
            "lva",
            "--network",
            &network,
        ],
    );
    destui(
        &watch_env,
        &add_server("lva", &tb.host, &tb.socket, &tb.proxy),
    );
    destui(&watch_env, &["import", "lva", &network]);
    let list = destui(&tui_env, &["--json", "destination", "list"]);
    let destination = serde_json::from_str::<Value>(&list)
        .ok()
        .and_then(|v| v.as_array()?.first()?["name"].as_str().map(str::to_string))
        .unwrap_or_else(|| panic!("the destination on A in: {list}"));

    let tui = Tui::start(&work.join("live-tmux.sock"), &tui_env);
    ready(&tui, &destination);
    // Looked up once it runs (the pane starts as `sh`/`env`, which exec it).
    let pid = destui_pid(&tui.pid);
    let idle = idle_cpu(&pid, scale.live_idle);

    let mut watch = Watch::start(&watch_env, "lva", &network);
    let (on_screen, in_watch) =
        event_to_screen(tb, &tui, &mut watch, &destination, &network, scale);
    drop(watch);

    let log = tui_dir.join("state").join("destui").join("destui.log");
    let storm = storm(tb, &tui, &log, scale.live_storm, scale.live_tries * 10);
    tui.quit();

    let tries = scale.live_tries;
    let latency = |what: &str, mut times: Vec<Duration>| {
        times.sort();
        let (p50, p99) = (percentile(&times, 0.50), percentile(&times, 0.99));
        Row {
            what: format!(
                "live: disconnect by hand to proxy-detached {what}, p99 of {tries} (p50 {} ms, p99 {} ms)",
                p50.as_millis(),
                p99.as_millis()
            ),
            destui: p99,
            other: PERIODIC_CHECK,
            other_name: "the periodic check alone",
            target: Target::Under(EVENT_TO_SCREEN),
        }
    };
    let rows = vec![
        latency("on screen", on_screen),
        latency("in watch --json", in_watch),
    ];
    let window = scale.live_idle.as_secs();
    let listed = vec![
        (
            format!("live: TUI watching 2 servers, CPU over an idle {window} s (% of one core)"),
            format!("{idle:.2} %"),
            "< 1 %".into(),
            idle < 1.0,
        ),
        (
            format!(
                "live: key-to-frame p99 while {} networks appear on B in {:.1} s (p50 {:.2} ms, max {:.2} ms, {} of {} keys logged; sent through tmux to screen p99 {:.1} ms, {:.1} ms once it is over{})",
                scale.live_storm,
                storm.created_in.as_secs_f64(),
                storm.p50_ms,
                storm.max_ms,
                storm.keys,
                storm.sent,
                storm.through_tmux_p99_ms,
                storm.quiet_through_tmux_p99_ms,
                if storm.shown {
                    ""
                } else {
                    "; the Scan pane did NOT list them all"
                }
            ),
            format!("{:.2} ms", storm.p99_ms),
            "< 16 ms".into(),
            storm.p99_ms < 16.0 && storm.shown,
        ),
    ];
    (rows, listed)
}

/// The environment of a destui process on its own data directory under `dir`; the TUI's logs
/// its key-to-frame times.
fn env(tb: &Testbed, dir: &Path, tui: bool) -> Vec<(&'static str, String)> {
    let at = |sub: &str| dir.join(sub).display().to_string();
    let mut env = vec![
        ("DESTUI_DB", at("db")),
        ("DESTUI_SSH_CONFIG", tb.ssh_config.clone()),
        ("DESTUI_RUNTIME_DIR", at("rt")),
        ("XDG_STATE_HOME", at("state")),
        // The defaults, not this machine's config (no re-attach, 300 s checks).
        ("XDG_CONFIG_HOME", at("config")),
    ];
    if tui {
        env.push(("DESTUI_LOG", "destui::frames=debug,info".into()));
    }
    env
}

/// `server add` with the testbed's proxy.
fn add_server<'a>(name: &'a str, host: &'a str, socket: &'a str, proxy: &'a str) -> [&'a str; 9] {
    let docker_socket = "--docker-socket";
    let proxy_container = "--proxy-container";
    [
        "server",
        "add",
        name,
        "--host",
        host,
        docker_socket,
        socket,
        proxy_container,
        proxy,
    ]
}

/// One destui process with `env`; panics unless it succeeds. Its stdout.
fn destui(env: &[(&str, String)], args: &[&str]) -> String {
    let out = Command::new(destui_binary())
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .args(args)
        .output()
        .expect("run destui");
    assert!(
        out.status.success(),
        "destui {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn docker(socket: &str, args: &[&str]) -> std::process::Output {
    Command::new("docker")
        .arg("-H")
        .arg(format!("unix://{socket}"))
        .args(args)
        .output()
        .expect("docker")
}

/// The destination's network on A, removed at the end (pass or fail).
struct NetworkOnA<'a> {
    socket: &'a str,
    proxy: &'a str,
    name: String,
}

impl Drop for NetworkOnA<'_> {
    fn drop(&mut self) {
        docker(
            self.socket,
            &["network", "disconnect", "-f", &self.name, self.proxy],
        );
        docker(self.socket, &["network", "rm", &self.name]);
    }
}

/// The destui process in the pane (tmux may run it under a shell).
fn destui_pid(pane_pid: &str) -> String {
    let comm = |pid: &str| std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
    let mut pid = pane_pid.to_string();
    for _ in 0..3 {
        if comm(&pid).trim() == "destui" {
            return pid;
        }
        let children =
            std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children")).unwrap_or_default();
        match children.split_whitespace().next() {
            Some(child) => pid = child.to_string(),
            None => break,
        }
    }
    panic!("no destui process under the pane's pid {pane_pid}")
}

/// The rows of the pane titled `title` (inside its borders) and its title line.
fn pane(screen: &str, title: &str) -> Option<(String, Vec<String>)> {
    let lines: Vec<Vec<char>> = screen.lines().map(|l| l.chars().collect()).collect();
    let want: Vec<char> = title.chars().collect();
    for (y, line) in lines.iter().enumerate() {
        let Some(x) = (2..line.len()).find(|&x| line[x..].starts_with(&want)) else {
            continue;
        };
        let left = (0..x).rev().find(|&i| "┌┏╔╭".contains(line[i]))?;
        let right = (x..line.len()).find(|&i| "┐┓╗╮".contains(line[i]))?;
        let rows = lines[y + 1..]
            .iter()
            .take_while(|l| l.get(left).is_some_and(|c| !"└┗╚╰".contains(*c)))
            .map(|l| {
                l.get(left + 1..right.min(l.len()))
                    .map(|cs| cs.iter().collect())
                    .unwrap_or_default()
            })
            .collect();
        return Some((line[left..=right].iter().collect(), rows));
    }
    None
}

/// The words of the row of `needle` in the pane `title`.
fn row_words(screen: &str, title: &str, needle: &str) -> Vec<String> {
    pane(screen, title)
        .and_then(|(_, rows)| {
            rows.into_iter()
                .find(|r| r.split_whitespace().any(|w| w == needle))
        })
        .map(|r| r.split_whitespace().map(str::to_string).collect())
        .unwrap_or_default()
}

fn destination_shows(screen: &str, destination: &str, status: &str) -> bool {
    row_words(screen, "Destinations", destination)
        .iter()
        .any(|w| w.trim_end_matches(',') == status)
}

/// Waits up to `within` for `cond` on the screen; panics with the screen otherwise.
fn wait_screen(tui: &Tui, what: &str, within: Duration, cond: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + within;
    loop {
        let screen = tui.screen();
        if cond(&screen) {
            return screen;
        }
        assert!(
            Instant::now() < deadline,
            "no {what} within {within:?}:\n{screen}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Both servers online, the destination checked (`ok`), nothing running any more.
fn ready(tui: &Tui, destination: &str) {
    wait_screen(tui, "first checks done", Duration::from_secs(60), |s| {
        let online = ["lva", "lvb"]
            .iter()
            .all(|name| row_words(s, "Servers", name).iter().any(|w| w == "●"));
        // The spinner (braille) shows on the status line while anything runs.
        let busy = s
            .lines()
            .last()
            .is_some_and(|l| l.chars().any(|c| ('\u{2800}'..='\u{28ff}').contains(&c)));
        online && destination_shows(s, destination, "ok") && !busy
    });
    // What follows the first checks (usage reads) lands within moments.
    std::thread::sleep(Duration::from_secs(2));
}

/// utime + stime of `pid`, in clock ticks.
fn cpu_ticks(pid: &str) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("/proc/<pid>/stat");
    // After the command name (which may hold spaces): state is field 3, utime 14, stime 15.
    let rest = &stat[stat.rfind(')').expect("comm") + 2..];
    let fields: Vec<u64> = rest
        .split_whitespace()
        .map(|f| f.parse().unwrap_or(0))
        .collect();
    fields[11] + fields[12]
}

/// CPU of `pid` over `window`, as % of one core.
#[allow(unsafe_code)] // a libc call: see the SAFETY note at its block
fn idle_cpu(pid: &str, window: Duration) -> f64 {
    // SAFETY: sysconf only reads a constant of the system.
    let ticks_per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64;
    let (before, started) = (cpu_ticks(pid), Instant::now());
    std::thread::sleep(window);
    let used = (cpu_ticks(pid) - before) as f64 / ticks_per_second;
    used / started.elapsed().as_secs_f64() * 100.0
}

/// `destui --json watch <server>` on its own data directory; its lines stamped as they come.
struct Watch {
    child: Child,
    lines: Receiver<(Instant, Value)>,
}

impl Watch {
    fn start(env: &[(&str, String)], server: &str, network: &str) -> Watch {
        let mut child = Command::new(destui_binary())
            .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
            .args(["--json", "watch", server])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start destui watch");
        let stdout = child.stdout.take().expect("stdout");
        let (send, lines) = channel();
        std::thread::spawn(move || {
            use std::io::BufRead;
            for line in std::io::BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let Ok(value) = serde_json::from_str::<Value>(&line) else {
                    continue;
                };
                if send.send((Instant::now(), value)).is_err() {
                    break;
                }
            }
        });
        let watch = Watch { child, lines };
        // Its stream runs (`watching`) and its first check found the destination ok, in
        // either order.
        let (mut watching, mut checked) = (false, false);
        let deadline = Instant::now() + GIVE_UP;
        while !(watching && checked) {
            let left = deadline.saturating_duration_since(Instant::now());
            let (_, line) = watch
                .lines
                .recv_timeout(left)
                .unwrap_or_else(|_| panic!("the watch: watching {watching}, checked {checked}"));
            watching |= line["event"] == "watching";
            checked |= line["network"] == network && line["status"] == "ok";
        }
        watch
    }

    /// Such a line already read (without waiting).
    fn seen(&mut self, pred: impl Fn(&Value) -> bool) -> Option<Instant> {
        while let Ok((at, line)) = self.lines.try_recv() {
            if pred(&line) {
                return Some(at);
            }
        }
        None
    }
}

impl Drop for Watch {
    /// Ctrl-C (a clean exit, its master closed), then a kill if it lingers.
    #[allow(unsafe_code)] // a libc call: see the SAFETY note at its block
    fn drop(&mut self) {
        // SAFETY: a signal to the child this bench started.
        unsafe { libc::kill(self.child.id() as i32, libc::SIGINT) };
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Per try: the proxy disconnected by hand, then the times until the TUI's row and the watch
/// say `proxy-detached`; connected again, and both say `ok` before the next try.
fn event_to_screen(
    tb: &Testbed,
    tui: &Tui,
    watch: &mut Watch,
    destination: &str,
    network: &str,
    scale: &Scale,
) -> (Vec<Duration>, Vec<Duration>) {
    let about = |status: &'static str| {
        let network = network.to_string();
        move |v: &Value| v["network"] == network.as_str() && v["status"] == status
    };
    let (mut on_screen, mut in_watch) = (Vec::new(), Vec::new());
    for _ in 0..scale.live_tries {
        for (action, status) in [("disconnect", "proxy-detached"), ("connect", "ok")] {
            let out = docker(&tb.socket, &["network", action, network, &tb.proxy]);
            let done = Instant::now();
            assert!(
                out.status.success(),
                "docker network {action}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let (mut screen_at, mut watch_at) = (None, None);
            while screen_at.is_none() || watch_at.is_none() {
                if screen_at.is_none() {
                    let screen = tui.screen();
                    if destination_shows(&screen, destination, status) {
                        screen_at = Some(Instant::now());
                    } else {
                        assert!(done.elapsed() < GIVE_UP, "no {status} on screen:\n{screen}");
                    }
                }
                if watch_at.is_none() {
                    watch_at = watch.seen(about(status));
                    assert!(done.elapsed() < GIVE_UP, "no {status} line from the watch");
                }
                std::thread::sleep(Duration::from_millis(5));
            }
            if status == "proxy-detached" {
                on_screen.push(screen_at.expect("seen").saturating_duration_since(done));
                in_watch.push(watch_at.expect("seen").saturating_duration_since(done));
            }
        }
    }
    (on_screen, in_watch)
}

/// `j`/`k` to the Scan pane of B every 20 ms, `limit` of them or until `stop`; each also
/// timed from outside, through tmux: sent until the selection moved on screen (what the TUI's
/// log cannot see: a key waiting while the TUI does something else). Keys sent, and those times.
fn keys_through_tmux(tui: &Tui, limit: usize, stop: &AtomicBool) -> (usize, Vec<Duration>) {
    let selected = || {
        pane(&tui.screen(), "Scan lvb")
            .and_then(|(_, rows)| rows.iter().position(|r| r.starts_with('>')))
    };
    let (mut sent, mut seen) = (0, Vec::new());
    let mut at = selected();
    while sent < limit && !stop.load(Ordering::Relaxed) {
        let t = Instant::now();
        tui.tmux(&["send-keys", if sent % 2 == 0 { "j" } else { "k" }]);
        sent += 1;
        while t.elapsed() < Duration::from_secs(1) {
            let now = selected();
            if now != at {
                seen.push(t.elapsed());
                at = now;
                break;
            }
        }
        std::thread::sleep(Duration::from_millis(20).saturating_sub(t.elapsed()));
    }
    (sent, seen)
}

/// Nearest rank of sorted `v`.
fn percentile<T: Copy>(sorted: &[T], q: f64) -> T {
    let rank = (sorted.len() as f64 * q).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

struct Storm {
    p50_ms: f64,
    p99_ms: f64,
    max_ms: f64,
    keys: usize,
    sent: usize,
    /// Key sent through tmux until the selection moved on screen (capture-pane polled).
    through_tmux_p99_ms: f64,
    /// The same once the storm is over (its networks listed).
    quiet_through_tmux_p99_ms: f64,
    /// From the first create to the last one's return.
    created_in: Duration,
    /// The Scan pane listed every network of the storm before the clean-up.
    shown: bool,
}

/// The overlay networks of one storm, removed at the end (pass or fail).
struct Overlays<'a>(&'a Testbed, String);

impl Drop for Overlays<'_> {
    fn drop(&mut self) {
        remove_overlays(self.0, &self.1);
    }
}

/// The Scan pane of B open and focused; `n` networks created on B out of band while `j`/`k`
/// go to the TUI every 20 ms; key-to-frame from the TUI's log over that time.
fn storm(tb: &Testbed, tui: &Tui, log: &Path, n: usize, quiet_keys: usize) -> Storm {
    // Servers are listed by name: lvb below lva.
    for _ in 0..4 {
        let screen = tui.screen();
        let selected = pane(&screen, "Servers")
            .and_then(|(_, rows)| rows.into_iter().find(|r| r.starts_with('>')))
            .is_some_and(|r| r.split_whitespace().any(|w| w == "lvb"));
        if selected {
            break;
        }
        tui.tmux(&["send-keys", "j"]);
        std::thread::sleep(Duration::from_millis(200));
    }
    tui.tmux(&["send-keys", "s"]);
    let scan_title = |s: &str| pane(s, "Scan lvb").map(|(title, _)| title);
    let count = |title: &str| -> usize {
        let words: Vec<&str> = title.split_whitespace().collect();
        words
            .windows(2)
            .find(|w| w[1].trim_end_matches(',') == "networks")
            .and_then(|w| w[0].parse().ok())
            .unwrap_or(0)
    };
    let screen = wait_screen(tui, "the scan of B", Duration::from_secs(60), |s| {
        scan_title(s).is_some_and(|t| !t.contains("scanning") && count(&t) > 0)
    });
    if !scan_title(&screen).is_some_and(|t| t.contains('»')) {
        tui.tmux(&["send-keys", "Tab"]);
        wait_screen(tui, "the Scan pane focused", Duration::from_secs(5), |s| {
            scan_title(s).is_some_and(|t| t.contains('»'))
        });
    }
    let before = count(&scan_title(&screen).unwrap_or_default());

    let offset = std::fs::metadata(log).map(|m| m.len()).unwrap_or(0) as usize;
    let label = format!("bench-storm-{}", std::process::id());
    let _overlays = Overlays(tb, label.clone());
    let stop = AtomicBool::new(false);
    let ((keys, mut on_screen), created_in) = std::thread::scope(|scope| {
        let keys = scope.spawn(|| keys_through_tmux(tui, usize::MAX, &stop));
        let started = Instant::now();
        create_overlays(tb, n, &label);
        let created_in = started.elapsed();
        // The storm lasts until the scan has them (or others' networks blur the count).
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline
            && scan_title(&tui.screen()).is_none_or(|t| count(&t) < before + n)
        {
            std::thread::sleep(Duration::from_millis(100));
        }
        stop.store(true, Ordering::Relaxed);
        (keys.join().expect("key thread"), created_in)
    });
    // Did the TUI show them? Filtered on this storm's names: exactly `n`.
    std::thread::sleep(Duration::from_millis(200));
    tui.tmux(&["send-keys", "/"]);
    tui.tmux(&["send-keys", "-l", &format!("{label}-")]);
    tui.tmux(&["send-keys", "Enter"]);
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut shown = false;
    while Instant::now() < deadline && !shown {
        shown = scan_title(&tui.screen()).is_some_and(|t| count(&t) == n);
        std::thread::sleep(Duration::from_millis(100));
    }

    // The same keys once the storm is over, for the tmux path's own share: the list of its
    // networks has rows to move through (before it, B may list a single network, and the
    // selection would not move at all).
    let (_, mut quiet) = keys_through_tmux(tui, quiet_keys, &AtomicBool::new(false));
    quiet.sort();

    let text = std::fs::read_to_string(log).unwrap_or_default();
    let mut times: Vec<f64> = text
        .get(offset..)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split("key_to_frame_us=").nth(1))
        .filter_map(|v| v.split_whitespace().next()?.parse::<f64>().ok())
        .map(|us| us / 1000.0)
        .collect();
    // The filter's own keys are not the storm's.
    times.truncate(keys.min(times.len()));
    times.sort_by(f64::total_cmp);
    assert!(!times.is_empty(), "no key_to_frame_us in {}", log.display());
    on_screen.sort();
    // Empty when no key moved the selection within a second (NaN then).
    let p99_ms = |v: &[Duration]| {
        if v.is_empty() {
            f64::NAN
        } else {
            percentile(v, 0.99).as_secs_f64() * 1000.0
        }
    };
    Storm {
        p50_ms: percentile(&times, 0.50),
        p99_ms: percentile(&times, 0.99),
        max_ms: *times.last().expect("times"),
        keys: times.len(),
        sent: keys,
        through_tmux_p99_ms: p99_ms(&on_screen),
        quiet_through_tmux_p99_ms: p99_ms(&quiet),
        created_in,
        shown,
    }
}
