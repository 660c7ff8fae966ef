//! The testbed handle and helpers shared by the integration tests.
//!
//! The testbed (tests/testbed/up.sh) writes `testbed.env`; `DESTUI_TESTBED_ENV` points at it.
//! Without it, live tests print a visible SKIPPED notice — unless `DESTUI_REQUIRE_TESTBED=1`
//! (set by the README's test command), which turns a missing testbed into a failure.
#![allow(dead_code)]

pub mod daemon_b;
pub mod relay;
pub mod settle;
pub mod tmux;
pub mod watch;

use serde_json::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

pub struct Testbed {
    pub env: HashMap<String, String>,
}

impl Testbed {
    pub fn get(&self, key: &str) -> &str {
        self.env
            .get(key)
            .unwrap_or_else(|| panic!("testbed.env has no {key}"))
    }
    pub fn ssh_config(&self) -> &str {
        self.get("DESTUI_TB_SSH_CONFIG")
    }
    pub fn socket_a(&self) -> &str {
        self.get("DESTUI_TB_SOCKET_A")
    }
    pub fn socket_b(&self) -> &str {
        self.get("DESTUI_TB_SOCKET_B")
    }
    /// Daemon C: a swarm worker joined to B (DESIGN.md §13), in a namespace of its own.
    pub fn socket_c(&self) -> &str {
        self.get("DESTUI_TB_SOCKET_C")
    }
    pub fn host_c(&self) -> &str {
        self.get("DESTUI_TB_HOST_C")
    }
    pub fn netns_c(&self) -> &str {
        self.get("DESTUI_TB_NETNS_C")
    }
    pub fn proxy(&self) -> &str {
        self.get("DESTUI_TB_PROXY")
    }
    pub fn proxy_net(&self) -> &str {
        self.get("DESTUI_TB_PROXY_NET")
    }
    pub fn image(&self) -> &str {
        self.get("DESTUI_TB_IMAGE")
    }
}

fn load() -> Result<Testbed, String> {
    let path = std::env::var("DESTUI_TESTBED_ENV")
        .unwrap_or_else(|_| "/tmp/destui-testbed/testbed.env".to_string());
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read {path}: {e} (run tests/testbed/up.sh)"))?;
    let env: HashMap<String, String> = text
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let tb = Testbed { env };
    for socket in [tb.socket_a(), tb.socket_b()] {
        let ok = Command::new("docker")
            .args([
                "-H",
                &format!("unix://{socket}"),
                "version",
                "--format",
                "{{.Server.Version}}",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            return Err(format!(
                "the testbed daemon on {socket} does not answer (run tests/testbed/up.sh)"
            ));
        }
    }
    Ok(tb)
}

/// The testbed, or `None` after a visible notice (a panic when it is required).
pub fn testbed() -> Option<&'static Testbed> {
    static TB: OnceLock<Result<Testbed, String>> = OnceLock::new();
    match TB.get_or_init(load) {
        Ok(tb) => Some(tb),
        Err(why) => {
            if std::env::var("DESTUI_REQUIRE_TESTBED").is_ok_and(|v| v == "1") {
                panic!("the testbed is required (DESTUI_REQUIRE_TESTBED=1) but missing: {why}");
            }
            eprintln!("SKIPPED live test: no testbed ({why})");
            None
        }
    }
}

/// `let tb = live!();` at the top of a live test.
#[macro_export]
macro_rules! live {
    () => {
        match common::testbed() {
            Some(tb) => tb,
            None => return,
        }
    };
}

/// A name no other test (or earlier run) uses: `prefix-<pid>-<n>-<nanos>`, short and valid.
pub fn unique_name(prefix: &str) -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    let n = N.fetch_add(1, Ordering::SeqCst);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("{prefix}-{}-{n}-{:x}", std::process::id(), nanos % 0xfffff)
}

#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}): {}\nstderr: {}",
                self.stdout, self.stderr
            )
        })
    }
    #[track_caller]
    pub fn ok(self) -> Self {
        assert_eq!(
            self.code, 0,
            "expected success\nstdout: {}\nstderr: {}",
            self.stdout, self.stderr
        );
        self
    }
    #[track_caller]
    pub fn refused(self) -> Self {
        assert_eq!(
            self.code, 1,
            "expected exit 1\nstdout: {}\nstderr: {}",
            self.stdout, self.stderr
        );
        assert_eq!(
            self.stderr.trim().lines().count(),
            1,
            "a refusal is one line on stderr, got: {}",
            self.stderr
        );
        self
    }
}

/// One test's world: its own data directory and runtime directory.
pub struct Ctx {
    pub tb: Option<&'static Testbed>,
    pub dir: tempfile::TempDir,
    pub extra_env: Vec<(String, String)>,
    cleanup: std::sync::Mutex<Vec<(String, String)>>,
}

impl Ctx {
    pub fn new(tb: &'static Testbed) -> Self {
        Self::build(Some(tb))
    }

    /// For tests that need no testbed (pure CLI behaviour).
    pub fn offline() -> Self {
        Self::build(None)
    }

    fn build(tb: Option<&'static Testbed>) -> Self {
        // Under /tmp, so socket paths stay far below the ~104-byte limit.
        let dir = tempfile::Builder::new()
            .prefix("dt")
            .tempdir_in("/tmp")
            .expect("tempdir");
        Ctx {
            tb,
            dir,
            extra_env: Vec::new(),
            cleanup: Default::default(),
        }
    }

    pub fn db(&self) -> PathBuf {
        self.dir.path().join("db")
    }

    pub fn runtime(&self) -> PathBuf {
        self.dir.path().join("rt")
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_destui"));
        cmd.args(args)
            .env("DESTUI_DB", self.db())
            .env("DESTUI_RUNTIME_DIR", self.runtime())
            .env("DESTUI_SSH_IDLE", "20")
            .env("DESTUI_CONNECT_TIMEOUT", "5")
            .env("XDG_STATE_HOME", self.dir.path().join("state"))
            .env("XDG_CONFIG_HOME", self.dir.path().join("config"))
            .env_remove("DESTUI_FAILPOINT")
            .stdin(Stdio::null());
        if let Some(tb) = self.tb {
            cmd.env("DESTUI_SSH_CONFIG", tb.ssh_config());
        }
        for (k, v) in &self.extra_env {
            cmd.env(k, v);
        }
        cmd
    }

    pub fn run(&self, args: &[&str]) -> Run {
        let out: Output = self.command(args).output().expect("run destui");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Runs every command line at once, each its own process (the first to take the data
    /// directory serves the others, DESIGN.md §10), and returns their runs in order.
    pub fn all_at_once(&self, commands: &[Vec<String>]) -> Vec<Run> {
        let children: Vec<_> = commands
            .iter()
            .map(|args| {
                self.command(&args.iter().map(String::as_str).collect::<Vec<_>>())
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .expect("spawn destui")
            })
            .collect();
        children
            .into_iter()
            .map(|child| {
                let out = child.wait_with_output().expect("wait for destui");
                Run {
                    code: out.status.code().unwrap_or(-1),
                    stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
                    stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
                }
            })
            .collect()
    }

    /// Runs with `--json`, asserts success, returns the document.
    #[track_caller]
    pub fn json(&self, args: &[&str]) -> Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        self.run(&all).ok().json()
    }

    /// Runs with `--json` and returns the document whatever the exit code (check exits 1
    /// when something is not ok, yet prints the full report).
    #[track_caller]
    pub fn json_any(&self, args: &[&str]) -> Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        self.run(&all).json()
    }

    /// Adds a server on daemon A (standalone) over ssh; returns its name.
    pub fn add_server_a(&self) -> String {
        let tb = self.tb.expect("testbed");
        self.add_server("a", tb.get("DESTUI_TB_HOST_A"), tb.socket_a())
    }

    /// Adds a server on daemon B (swarm manager) over ssh; returns its name.
    pub fn add_server_b(&self) -> String {
        let tb = self.tb.expect("testbed");
        self.add_server("b", tb.get("DESTUI_TB_HOST_B"), tb.socket_b())
    }

    /// Adds a server on daemon C (a worker of B's swarm) over ssh; returns its name.
    pub fn add_server_c(&self) -> String {
        let tb = self.tb.expect("testbed");
        self.add_server("c", tb.host_c(), tb.socket_c())
    }

    fn add_server(&self, prefix: &str, host: &str, socket: &str) -> String {
        let name = unique_name(prefix);
        self.add_server_named(&name, host, socket);
        name
    }

    /// Records server `name` reaching the Docker socket `socket` through ssh host `host`,
    /// checked live, with the testbed's proxy.
    pub fn add_server_named(&self, name: &str, host: &str, socket: &str) {
        let tb = self.tb.expect("testbed");
        self.json(&[
            "server",
            "add",
            name,
            "--host",
            host,
            "--docker-socket",
            socket,
            "--proxy-container",
            tb.proxy(),
        ]);
    }

    /// Records server `name` on a closed port of this machine, unchecked: every connection to
    /// it is refused at once.
    pub fn add_closed_server(&self, name: &str) {
        self.add_unchecked_local(name, closed_port());
    }

    /// Records server `name` as `127.0.0.1:port`, unchecked.
    fn add_unchecked_local(&self, name: &str, port: u16) {
        let port = port.to_string();
        self.run(&[
            "server",
            "add",
            name,
            "--host",
            "127.0.0.1",
            "--port",
            &port,
            "--no-check",
        ])
        .ok();
    }

    /// Records server `name` on a port that accepts and never answers (`silent_port`), unchecked;
    /// connecting to it waits `connect_timeout` seconds, for this test's every run.
    pub fn add_silent_server(&mut self, name: &str, connect_timeout: u64) {
        self.extra_env
            .push(("DESTUI_CONNECT_TIMEOUT".into(), connect_timeout.to_string()));
        self.add_unchecked_local(name, silent_port());
    }

    /// Runs `args` with the failpoint `step` (an abort, like kill -9) and checks the process
    /// died by a signal there.
    #[track_caller]
    pub fn crash_at(&self, step: &str, args: &[&str]) {
        let out = self
            .command(args)
            .env("DESTUI_FAILPOINT", step)
            .output()
            .expect("run destui");
        assert!(
            out.status.code().is_none(),
            "{step}: expected a kill by signal, got {:?}\nstderr: {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// `destui destination create --server S --network N`, expected to succeed: its JSON.
    pub fn create_destination(&self, server: &str, network: &str) -> Value {
        self.json(&[
            "destination",
            "create",
            "--server",
            server,
            "--network",
            network,
        ])
    }

    /// `destui resource create NAME --server S [--destination D] [--kind K]` with the
    /// testbed's image running `sleep 600`, expected to succeed: its JSON. (The caller keeps a
    /// `ResourceContainers` guard when the test may end before deleting it.)
    pub fn deploy(
        &self,
        name: &str,
        server: &str,
        destination: Option<&str>,
        kind: Option<&str>,
    ) -> Value {
        let tb = self.tb.expect("a live test");
        let mut args = vec!["resource", "create", name, "--server", server];
        if let Some(d) = destination {
            args.extend(["--destination", d]);
        }
        if let Some(k) = kind {
            args.extend(["--kind", k]);
        }
        args.extend(["--image", tb.image(), "--command", "sleep 600"]);
        self.json(&args)
    }

    /// Removes `network` from the daemon on `socket` when the test ends, pass or fail.
    pub fn cleanup_network(&self, socket: &str, network: &str) {
        self.cleanup
            .lock()
            .unwrap()
            .push((socket.to_string(), network.to_string()));
    }
}

/// Disconnects `proxy` from `network` the way an admin would: plainly, and forced only when
/// that fails. (A forced disconnect from a swarm overlay can leave its attachment task
/// behind, and the network then cannot be removed until the daemon restarts.)
pub fn disconnect_proxy(socket: &str, network: &str, proxy: &str) -> bool {
    docker(socket, &["network", "disconnect", network, proxy]).0
        || docker(socket, &["network", "disconnect", "-f", network, proxy]).0
}

impl Drop for Ctx {
    fn drop(&mut self) {
        for (socket, network) in self.cleanup.lock().unwrap().drain(..) {
            // Never `network rm <name>`: when the name is gone the daemon falls back to an
            // ID prefix and may remove somebody else's network. Exact name → full ID only.
            let Some(id) = network_id_by_exact_name(&socket, &network) else {
                continue;
            };
            if let Some(tb) = self.tb {
                disconnect_proxy(socket.as_str(), &id, tb.proxy());
            }
            // A swarm manager may refuse the removal for a moment after a disconnect.
            wait_for(Duration::from_secs(5), || {
                docker(socket.as_str(), &["network", "rm", &id]);
                network_id_by_exact_name(&socket, &network).is_none()
            });
        }
        // End the ssh masters this test started, rather than leave them to their idle timeout.
        if let Ok(entries) = std::fs::read_dir(self.runtime()) {
            for entry in entries.flatten() {
                if let Ok(conns) = std::fs::read_dir(entry.path()) {
                    for conn in conns.flatten() {
                        let ctl = conn.path().join("master");
                        if ctl.exists() {
                            let _ = Command::new("ssh")
                                .arg("-S")
                                .arg(&ctl)
                                .args(["-O", "exit", "x"])
                                .stdout(Stdio::null())
                                .stderr(Stdio::null())
                                .status();
                        }
                    }
                }
            }
        }
    }
}

/// kill -9 of every ssh master under `ctx`'s runtime directory; returns how many died.
pub fn kill_masters(ctx: &Ctx) -> usize {
    let mut killed = 0;
    for conn in std::fs::read_dir(ctx.runtime())
        .into_iter()
        .flatten()
        .flatten()
    {
        for dir in std::fs::read_dir(conn.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            let out = std::process::Command::new("ssh")
                .arg("-S")
                .arg(dir.path().join("master"))
                .args(["-O", "check", "x"])
                .output()
                .expect("ssh -O check");
            // "Master running (pid=1234)" on stderr.
            let text = String::from_utf8_lossy(&out.stderr);
            let pid = text
                .split("pid=")
                .nth(1)
                .and_then(|rest| rest.split(')').next())
                .and_then(|pid| pid.parse::<i32>().ok());
            if let Some(pid) = pid {
                let dead = std::process::Command::new("kill")
                    .args(["-9", &pid.to_string()])
                    .status()
                    .is_ok_and(|s| s.success());
                killed += usize::from(dead);
            }
        }
    }
    killed
}

/// Runs the docker CLI against one daemon; returns (success, stdout).
pub fn docker(socket: &str, args: &[&str]) -> (bool, String) {
    let out = Command::new("docker")
        .arg("-H")
        .arg(format!("unix://{socket}"))
        .args(args)
        .output()
        .expect("run docker");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).trim().to_string(),
    )
}

/// Runs a docker command on daemon `socket` that must succeed; returns when it returned.
#[track_caller]
pub fn docker_ok(socket: &str, args: &[&str]) -> Instant {
    let (ok, out) = docker(socket, args);
    assert!(ok, "docker {args:?}: {out}");
    Instant::now()
}

/// Starts container `name` (`sleep 300`) on `network` of daemon `socket`; returns when it runs.
#[track_caller]
pub fn run_sleeper(tb: &Testbed, socket: &str, name: &str, network: &str) -> Instant {
    docker_ok(
        socket,
        &[
            "run",
            "-d",
            "--name",
            name,
            "--network",
            network,
            tb.image(),
            "sleep",
            "300",
        ],
    )
}

/// Creates attachable overlay networks `names` on the swarm daemon `socket`, `clients` docker
/// clients at once (as a storm, or just to be quick).
pub fn make_overlays(socket: &str, names: &[String], clients: usize) {
    std::thread::scope(|scope| {
        for part in names.chunks(names.len().div_ceil(clients.max(1)).max(1)) {
            scope.spawn(move || {
                for n in part {
                    let args = [
                        "network",
                        "create",
                        "--driver",
                        "overlay",
                        "--attachable",
                        n,
                    ];
                    let (ok, out) = docker(socket, &args);
                    assert!(ok, "{n}: {out}");
                }
            });
        }
    });
}

/// The full ID of the network named exactly `name`, if any.
pub fn network_id_by_exact_name(socket: &str, name: &str) -> Option<String> {
    let (ok, out) = docker(
        socket,
        &[
            "network",
            "ls",
            "--no-trunc",
            "--format",
            "{{.ID}} {{.Name}}",
        ],
    );
    if !ok {
        return None;
    }
    out.lines()
        .filter_map(|l| l.split_once(' '))
        .find(|(_, n)| *n == name)
        .map(|(id, _)| id.to_string())
}

/// `docker network inspect` of one network (by name or ID), or `None` when it is gone.
pub fn inspect_network(socket: &str, network: &str) -> Option<Value> {
    let (ok, out) = docker(socket, &["network", "inspect", network]);
    if !ok {
        return None;
    }
    let v: Value = serde_json::from_str(&out).expect("inspect json");
    v.as_array().and_then(|a| a.first().cloned())
}

/// Names of the containers attached to a network, as the daemon reports them.
pub fn attached(socket: &str, network_id: &str) -> Vec<String> {
    inspect_network(socket, network_id)
        .and_then(|n| n["Containers"].as_object().cloned())
        .map(|m| {
            m.values()
                .filter_map(|c| c["Name"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

pub fn container_running(socket: &str, name: &str) -> bool {
    docker(socket, &["inspect", "-f", "{{.State.Running}}", name]).1 == "true"
}

/// Waits for `cond` up to `deadline`; true when it held.
pub fn wait_for(deadline: Duration, mut cond: impl FnMut() -> bool) -> bool {
    let end = Instant::now() + deadline;
    while Instant::now() < end {
        if cond() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    cond()
}

/// A TCP port on 127.0.0.1 that accepts every connection and never says a word (not even an
/// ssh banner): a stalled link, or a server that never answers.
pub fn silent_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
        }
    });
    port
}

/// A TCP port on 127.0.0.1 that nothing listens on (bound, then released).
pub fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}

pub fn keys_of(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().expect("object").keys().cloned().collect();
    k.sort();
    k
}

pub fn path_str(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

/// An ssh config with one Host `alias`: the testbed's destui-a entry, aimed at `port` (with a
/// known-hosts file that knows the testbed host key there) and, when given, another key.
pub fn write_ssh_config(ctx: &Ctx, alias: &str, port: u16, identity: Option<&Path>) -> String {
    let tb = ctx.tb.expect("testbed");
    let text = std::fs::read_to_string(tb.ssh_config()).expect("testbed ssh_config");
    let block: Vec<&str> = text
        .lines()
        .skip_while(|l| l.trim() != format!("Host {}", tb.get("DESTUI_TB_HOST_A")))
        .skip(1)
        .take_while(|l| !l.trim().is_empty() && !l.trim_start().starts_with("Host "))
        .collect();
    assert!(
        !block.is_empty(),
        "no destui-a entry in {}",
        tb.ssh_config()
    );
    let host_key = std::fs::read_to_string(format!("{}/host_key.pub", tb.get("DESTUI_TB_DIR")))
        .expect("testbed host key");
    let host_key: Vec<&str> = host_key.split_whitespace().take(2).collect();
    let known = ctx.dir.path().join(format!("known_hosts_{alias}"));
    std::fs::write(
        &known,
        format!("[127.0.0.1]:{port} {}\n", host_key.join(" ")),
    )
    .unwrap();
    let mut out = format!("Host {alias}\n");
    for line in block {
        let key = line.split_whitespace().next().unwrap_or("");
        let line = match (key, identity) {
            ("Port", _) => format!("  Port {port}"),
            ("UserKnownHostsFile", _) => format!("  UserKnownHostsFile {}", known.display()),
            ("IdentityFile", Some(file)) => format!("  IdentityFile {}", file.display()),
            _ => line.to_string(),
        };
        out.push_str(&line);
        out.push('\n');
    }
    let file = ctx.dir.path().join(format!("ssh_config_{alias}"));
    std::fs::write(&file, out).unwrap();
    file.to_string_lossy().into_owned()
}

/// Removes every container of the resources named (by uuid) on the daemon at `.0`, and
/// their stacks' own networks, even if a test fails half-way.
pub struct ResourceContainers<'a>(pub &'a str, pub Vec<String>);

impl Drop for ResourceContainers<'_> {
    fn drop(&mut self) {
        for uuid in &self.1 {
            let (_, ids) = docker(
                self.0,
                &[
                    "ps",
                    "-aq",
                    "--filter",
                    &format!("label=destui.resource={uuid}"),
                ],
            );
            for id in ids.split_whitespace() {
                docker(self.0, &["rm", "-f", id]);
            }
            let net = format!("destui-{uuid}");
            if let Some(v) = inspect_network(self.0, &net)
                && v["Name"] == net.as_str()
            {
                docker(self.0, &["network", "rm", v["Id"].as_str().unwrap_or("")]);
            }
        }
    }
}

/// Writes context `name` into the store under `dir` as the Docker CLI does:
/// `contexts/meta/<sha256 of the name>/meta.json`.
pub fn write_docker_context(dir: &Path, name: &str, host: &str) {
    let out = std::process::Command::new("sha256sum")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child.stdin.take().unwrap().write_all(name.as_bytes())?;
            child.wait_with_output()
        })
        .expect("sha256sum");
    let digest = String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();
    let meta = dir.join("contexts").join("meta").join(digest);
    std::fs::create_dir_all(&meta).unwrap();
    let doc = serde_json::json!({
        "Name": name,
        "Metadata": {"Description": "made by a test"},
        "Endpoints": {"docker": {"Host": host, "SkipTLSVerify": false}},
    });
    std::fs::write(meta.join("meta.json"), doc.to_string()).unwrap();
}
