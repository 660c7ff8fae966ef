//! One OpenSSH master connection per server (the `openssh` crate drives the system `ssh`, so
//! the user's ssh config, keys, agent and known-hosts files apply), forwarding a local unix
//! socket to the server's Docker socket.
//!
//! The master is started by `ssh` (with `-F` when an ssh config is given); everything after
//! that (check, forward, remote command, exit) speaks the multiplexing protocol on its control
//! socket directly (openssh's native mux). No second `ssh` process runs per action, so no
//! other config file is read, a missing master is an error on its socket (never a connect to
//! a host called `none`), and hundreds of servers cost no process per control request.
//!
//! Reuse across processes: every server gets a fixed socket path in a private runtime
//! directory. A process first tries that socket with `/_ping`; only when it is dead does it
//! start (or revive) a master. A CLI process detaches the master when it exits, so the next
//! invocation within the idle period costs no SSH work at all.

use super::RemoteConfig;
use super::docker::DockerApi;
use crate::domain::{Error, Server};
use openssh::{ControlPersist, ForwardType, KnownHosts, Session, SessionBuilder, Socket};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long a probe of an existing forwarded socket may take before it counts as dead.
const PROBE_TIMEOUT: Duration = Duration::from_secs(5);
const SERVER_ALIVE_INTERVAL: Duration = Duration::from_secs(15);

/// A live master with its forwarded socket. Without a session, the socket belongs to a
/// master that an earlier process started and detached.
pub struct Tunnel {
    session: Option<Session>,
    pub socket: PathBuf,
    /// The master's control socket, for a local check that it still lives.
    control: Option<PathBuf>,
}

impl Tunnel {
    /// A tunnel on a forward that a master already serves (this process's or another's),
    /// whose control socket is `control` (see `find_master`).
    fn reused(socket: PathBuf, control: Option<PathBuf>) -> Self {
        Tunnel {
            session: None,
            socket,
            control,
        }
    }

    /// Whether the forward still has a master behind it: asked of the master on its control
    /// socket, locally (no round trip to the server). A master that died (killed, idle) leaves
    /// a socket that refuses connections.
    pub async fn alive(&self) -> bool {
        if !self.socket.exists() {
            return false;
        }
        match (&self.session, &self.control) {
            (Some(session), _) => master_pid(session.control_socket()).await.is_some(),
            (None, Some(ctl)) => master_pid(ctl).await.is_some(),
            (None, None) => true,
        }
    }

    /// Leaves the master running for the next process (CLI).
    pub fn detach(self) {
        if let Some(session) = self.session {
            let _ = session.detach();
        }
    }

    /// Ends the master this process started and removes its forwarded socket (TUI exit, or a
    /// broken tunnel). A master reused from an earlier process is not ours: it and its socket
    /// stay for the processes that rely on them (it ends by itself when idle).
    pub async fn close(self) {
        if let Some(session) = self.session {
            // The mux protocol's own "close" only stops the master listening; it would then
            // linger for its idle period with the forward up. Ask its pid first, and end it.
            let pid = master_pid(session.control_socket()).await;
            let _ = session.close().await;
            if let Some(pid) = pid {
                // SAFETY: kill has no memory preconditions; the pid is the master's own
                // answer a moment ago.
                unsafe {
                    libc::kill(pid, libc::SIGTERM);
                }
            }
            let _ = std::fs::remove_file(&self.socket);
        }
    }
}

/// The pid of the master behind `ctl` (its answer to the mux alive check).
async fn master_pid(ctl: &Path) -> Option<libc::pid_t> {
    let ask = async {
        let mut conn = openssh_mux_client::Connection::connect(ctl).await.ok()?;
        conn.send_alive_check().await.ok()
    };
    let pid = tokio::time::timeout(PROBE_TIMEOUT, ask).await.ok()??;
    libc::pid_t::try_from(pid.get()).ok()
}

/// Short, stable name of a server's connection: changes whenever anything that decides
/// where the tunnel goes changes, so an edited server never reuses a stale forward.
pub fn connection_key(server: &Server, cfg: &RemoteConfig) -> String {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (
        &server.uuid,
        &server.host,
        server.port,
        &server.user,
        &server.identity,
        &server.docker_socket,
        &cfg.ssh_config,
    )
        .hash(&mut h);
    format!("{:012x}", h.finish() & 0xffff_ffff_ffff)
}

/// Opens (or reuses) the tunnel to `server` and returns it with a Docker client on it.
/// `prove`: ask the daemon (`/_ping`) even when the forward's master answers locally.
pub async fn open(
    server: &Server,
    cfg: &RemoteConfig,
    prove: bool,
) -> Result<(Tunnel, DockerApi), Error> {
    crate::store::create_private_dir(&cfg.runtime_dir)?;
    let key = connection_key(server, cfg);
    let socket = cfg.runtime_dir.join(format!("{key}.sock"));
    let control_dir = cfg.runtime_dir.join(&key);

    // An established forward answers `/_ping` in about a millisecond; one that does not
    // answer within the connect timeout is as good as dead (a stalled link).
    let probe_timeout = PROBE_TIMEOUT.min(cfg.connect_timeout);
    // No ping at all when the forward's master answers locally and the daemon's API version is
    // known: the first real request proves the path (a round trip saved on every command).
    if !prove
        && socket.exists()
        && let Some(ctl) = find_master(&control_dir)
        && master_pid(&ctl).await.is_some()
        && let Some(api) = DockerApi::unproven(&path_str(&socket), cfg.connect_timeout)
    {
        tracing::debug!(server = %server.name, "reusing forwarded socket, unproven");
        return Ok((Tunnel::reused(socket, Some(ctl)), api));
    }
    if socket.exists() {
        if let Some(api) = probe(&socket, probe_timeout).await {
            tracing::debug!(server = %server.name, "reusing forwarded socket");
            return Ok((Tunnel::reused(socket, find_master(&control_dir)), api));
        }
        // A master that exited leaves its socket file behind (connection refused).
        let _ = std::fs::remove_file(&socket);
    }

    // Handshakes are bounded across servers (`[ssh] max_parallel_connects`): hundreds started
    // at once contend for the CPU and time out together. The wait for a slot is not part of
    // the connect timeout.
    let _slot = cfg
        .connects
        .acquire()
        .await
        .map_err(|_| Error::Io("the connection slots were closed".into()))?;
    crate::store::create_private_dir(&control_dir)?;
    // One process at a time starts a server's master (others wait, then reuse it), and the
    // sweep of expired masters leaves alone a server whose master is being started.
    let _launching = ConnectLock::acquire(&control_dir).await?;
    if socket.exists()
        && let Some(api) = probe(&socket, probe_timeout).await
    {
        return Ok((Tunnel::reused(socket, find_master(&control_dir)), api));
    }
    let (session, revived) = match revive_master(&control_dir).await {
        Some(session) => (session, true),
        None => (launch_master(server, cfg, &control_dir).await?, false),
    };

    let listen = || Socket::UnixSocket {
        path: socket.as_path().into(),
    };
    let remote = || Socket::UnixSocket {
        path: Path::new(&server.docker_socket).into(),
    };
    // The mux client waits for the server's answer: over a stalled link that is until the
    // master's keep-alive gives up (45 s). Bounded by the connect timeout instead.
    let limit = cfg.connect_timeout;
    let stalled = |session: Session| async {
        let _ = session.close().await;
        let _ = std::fs::remove_file(&socket);
        Error::Unreachable {
            server: server.name.clone(),
            detail: format!(
                "ssh to {} stopped answering (no reply within {}s: a stalled link, or a frozen server): check that the server is up, then try again",
                server.host,
                limit.as_secs()
            ),
        }
    };
    let request = session.request_port_forward(ForwardType::Local, listen(), remote());
    let Ok(mut forward) = tokio::time::timeout(limit, request).await else {
        return Err(stalled(session).await);
    };
    if forward.is_ok() && !socket.exists() {
        // A revived master that still holds this forward answers "done" without listening
        // again when its socket file was removed: drop the stale forward and ask anew.
        let close = session.close_port_forward(ForwardType::Local, listen(), remote());
        if tokio::time::timeout(limit, close).await.is_err() {
            return Err(stalled(session).await);
        }
        let request = session.request_port_forward(ForwardType::Local, listen(), remote());
        match tokio::time::timeout(limit, request).await {
            Ok(result) => forward = result,
            Err(_) => return Err(stalled(session).await),
        }
    }
    if let Err(e) = forward {
        // Another process may have set up the same forward a moment ago.
        if let Some(api) = probe(&socket, probe_timeout).await {
            // A revived master may be the very one serving that forward: leave it running.
            if revived {
                let _ = session.detach();
            } else {
                let _ = session.close().await;
            }
            return Ok((Tunnel::reused(socket, find_master(&control_dir)), api));
        }
        // Said as it is when the master itself went away meanwhile.
        let master_gone = !matches!(
            tokio::time::timeout(PROBE_TIMEOUT, session.check()).await,
            Ok(Ok(()))
        );
        let _ = session.close().await;
        let detail = if master_gone {
            format!(
                "the ssh master connection to {} ended while the Docker socket was being forwarded: try again",
                server.host
            )
        } else {
            format!(
                "ssh could not forward the Docker socket: {}",
                error_text(&e)
            )
        };
        return Err(Error::Unreachable {
            server: server.name.clone(),
            detail,
        });
    }

    // sshd accepts a forwarding request even when it will refuse every connection on it
    // (`AllowStreamLocalForwarding no`): only a real request through it proves the path.
    match tokio::time::timeout(cfg.connect_timeout, DockerApi::connect(&path_str(&socket))).await {
        Ok(Ok(api)) => Ok((
            Tunnel {
                session: Some(session),
                socket,
                control: None,
            },
            api,
        )),
        outcome => {
            // sshd tells the client nothing but "open failed", whatever the cause (forwarding
            // forbidden, no socket, no permission, no daemon): ask the server itself, over
            // the master that is still up. A request that timed out means a stalled link or
            // daemon; asking again would only wait as long once more.
            let state = match &outcome {
                Ok(Err(_)) => {
                    diagnose_socket(&session, &server.docker_socket, cfg.connect_timeout).await
                }
                _ => None,
            };
            let _ = session.close().await;
            let _ = std::fs::remove_file(&socket);
            let failure = match outcome {
                Ok(Err(e)) => ForwardFailure::Failed {
                    detail: e.to_string(),
                    state,
                },
                _ => ForwardFailure::TimedOut(cfg.connect_timeout),
            };
            Err(Error::Unreachable {
                server: server.name.clone(),
                detail: explain_forward_failure(server, &failure),
            })
        }
    }
}

/// An exclusive `flock` on `<control dir>/lock`, held while a master is revived or started
/// and its forward set up; released when dropped.
pub struct ConnectLock(#[allow(dead_code)] std::fs::File);

impl ConnectLock {
    pub const FILE: &'static str = "lock";

    async fn acquire(control_dir: &Path) -> Result<Self, Error> {
        let dir = control_dir.to_path_buf();
        tokio::task::spawn_blocking(move || {
            let file = Self::open(&dir)?;
            flock(&file, libc::LOCK_EX)?;
            Ok(ConnectLock(file))
        })
        .await
        .map_err(|e| Error::Io(e.to_string()))?
        .map_err(|e: std::io::Error| {
            Error::Io(format!("cannot lock the connection directory: {e}"))
        })
    }

    /// The lock when nobody holds it, else `None` (a master is being started).
    pub fn try_acquire(control_dir: &Path) -> Option<Self> {
        let file = Self::open(control_dir).ok()?;
        flock(&file, libc::LOCK_EX | libc::LOCK_NB).ok()?;
        Some(ConnectLock(file))
    }

    fn open(control_dir: &Path) -> std::io::Result<std::fs::File> {
        std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(control_dir.join(Self::FILE))
    }
}

fn flock(file: &std::fs::File, operation: libc::c_int) -> std::io::Result<()> {
    use std::os::fd::AsRawFd;
    // SAFETY: flock on a descriptor this File owns for the duration of the call.
    if unsafe { libc::flock(file.as_raw_fd(), operation) } == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

async fn probe(socket: &Path, timeout: Duration) -> Option<DockerApi> {
    match tokio::time::timeout(timeout, DockerApi::connect(&path_str(socket))).await {
        Ok(Ok(api)) => Some(api),
        _ => None,
    }
}

fn path_str(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

/// The control socket of a master under `control_dir` (the newest, when several).
fn find_master(control_dir: &Path) -> Option<PathBuf> {
    std::fs::read_dir(control_dir)
        .ok()?
        .flatten()
        .map(|e| e.path().join("master"))
        .filter(|ctl| ctl.exists())
        .max_by_key(|ctl| std::fs::metadata(ctl).and_then(|m| m.modified()).ok())
}

/// A master detached by an earlier process may still be alive although its forward is gone
/// (e.g. the remote Docker socket was missing then): reuse it. Dead ones are cleaned up.
async fn revive_master(control_dir: &Path) -> Option<Session> {
    let entries = std::fs::read_dir(control_dir).ok()?;
    let mut alive = None;
    for entry in entries.flatten() {
        let dir = entry.path();
        let ctl = dir.join("master");
        if alive.is_none() && ctl.exists() {
            let session = Session::resume_mux(
                ctl.into_boxed_path(),
                Some(dir.join("log").into_boxed_path()),
            );
            if let Ok(Ok(())) = tokio::time::timeout(PROBE_TIMEOUT, session.check()).await {
                alive = Some(session);
                continue;
            }
            let _ = session.detach();
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
    alive
}

async fn launch_master(
    server: &Server,
    cfg: &RemoteConfig,
    control_dir: &Path,
) -> Result<Session, Error> {
    let mut builder = SessionBuilder::default();
    builder
        .known_hosts_check(KnownHosts::Strict)
        .connect_timeout(cfg.connect_timeout)
        .server_alive_interval(SERVER_ALIVE_INTERVAL)
        .control_directory(control_dir)
        .control_persist(ControlPersist::IdleFor(cfg.idle));
    if let Some(file) = &cfg.ssh_config {
        builder.config_file(file);
    }
    if let Some(user) = &server.user {
        builder.user(user.clone());
    }
    if let Some(port) = server.port {
        builder.port(port);
    }
    if let Some(identity) = &server.identity {
        builder.keyfile(identity);
    }
    // `launch_master` has no overall deadline of its own (a stalled link after the TCP
    // handshake would hang it): give it one.
    let deadline = cfg.connect_timeout * 2 + Duration::from_secs(5);
    match tokio::time::timeout(deadline, builder.connect_mux(&server.host)).await {
        Ok(Ok(session)) => Ok(session),
        Ok(Err(e)) => Err(classify_ssh_error(
            server,
            &error_text(&e),
            cfg.connect_timeout,
        )),
        Err(_) => Err(Error::Unreachable {
            server: server.name.clone(),
            detail: format!(
                "ssh to {} did not complete within {}s (a stalled link): check the network and the server, then try again",
                server.host,
                deadline.as_secs()
            ),
        }),
    }
}

/// The whole chain of an openssh error: its top line says little, the source says what ssh said.
fn error_text(e: &openssh::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        let line = s.to_string();
        if !line.is_empty() {
            text.push_str(": ");
            text.push_str(line.trim());
        }
        source = s.source();
    }
    text
}

/// What ssh said when the master could not be started, as one line saying what to do.
/// (The details end without a full stop: callers append sentences of their own.)
fn classify_ssh_error(server: &Server, text: &str, timeout: Duration) -> Error {
    let lower = text.to_lowercase();
    if lower.contains("host key verification failed")
        || lower.contains("remote host identification has changed")
        || lower.contains("host key is known")
    {
        return Error::HostKeyUnknown {
            server: server.name.clone(),
        };
    }
    let host = &server.host;
    let secs = timeout.as_secs();
    let detail = if lower.contains("permission denied") {
        // ssh says "user@host: Permission denied (publickey)."
        let user = text
            .lines()
            .find(|l| l.to_lowercase().contains("permission denied"))
            .and_then(|l| l.rsplit(": ").nth(1))
            .and_then(|who| who.rsplit_once('@'))
            .map(|(user, _)| user.rsplit(' ').next().unwrap_or(user).to_string())
            .filter(|u| !u.is_empty())
            .or_else(|| server.user.clone());
        let whose = user.map(|u| format!(" of user {u}")).unwrap_or_default();
        format!(
            "sshd on {host} refused the key{whose} (Permission denied): authorize that key for that user on the server, or use another user or identity file (--user, --identity, or your ssh config)"
        )
    } else if lower.contains("connection refused") {
        format!(
            "nothing accepts ssh connections at {host} (connection refused): check the host and port, and that sshd runs there"
        )
    } else if lower.contains("banner exchange") {
        // The TCP connection was accepted, then nothing came back.
        format!(
            "ssh to {host} timed out: connected, but no answer within {secs}s (a stalled link, or no sshd on that port): check the host, the port and the network, then try again"
        )
    } else if lower.contains("timed out") {
        format!(
            "ssh to {host} timed out after {secs}s: check that the host is up and that its ssh port is open"
        )
    } else if lower.contains("could not resolve") {
        format!("cannot resolve {host}: check the host name or your ssh config")
    } else {
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    };
    Error::Unreachable {
        server: server.name.clone(),
        detail,
    }
}

/// What the server itself says about its Docker socket (see `SOCKET_DIAGNOSIS`).
#[derive(Debug, Clone, PartialEq, Eq)]
enum SocketState {
    Missing,
    NotASocket,
    /// The remote user may not connect to it (or may not reach its directory).
    Denied {
        user: String,
    },
    /// A socket file with no daemon listening on it (a stopped or crashed daemon).
    NotListening,
    /// A daemon listens on it: only sshd's policy can have refused the connection.
    Listening,
    /// Present and usable; whether anything listens cannot be told (no /proc/net/unix).
    Present,
}

/// Run by `sh` on the server with the socket path as `$1`; prints one word (see `SocketState`).
/// POSIX sh and /proc only: a Docker host need not have anything else. Listening sockets are
/// the lines of /proc/net/unix with flags 00010000; the path is compared as given and resolved
/// (`/var/run` is usually a link to `/run`).
const SOCKET_DIAGNOSIS: &str = r#"s=$1
d=$s
while [ "${d%/*}" != "$d" ]; do
  d=${d%/*}
  [ -n "$d" ] || break
  if [ -d "$d" ] && [ ! -x "$d" ]; then echo "denied $(id -un)"; exit 0; fi
done
if [ ! -e "$s" ]; then echo missing; exit 0; fi
if [ ! -S "$s" ]; then echo not-a-socket; exit 0; fi
if [ ! -r "$s" ] || [ ! -w "$s" ]; then echo "denied $(id -un)"; exit 0; fi
if [ ! -r /proc/net/unix ]; then echo present; exit 0; fi
t=$(readlink -f "$s" 2>/dev/null) || t=$s
while read -r _ _ _ f _ _ _ p; do
  [ "$f" = 00010000 ] && [ "${p##*/}" = "${s##*/}" ] || continue
  if [ "$p" = "$s" ] || [ "$p" = "$t" ] || [ "$(readlink -f "$p" 2>/dev/null)" = "$t" ]; then
    echo listening; exit 0
  fi
done </proc/net/unix
echo not-listening
"#;

/// Asks the server, over the master, what is wrong with its Docker socket; `None` when it
/// cannot tell (no shell, a restricted key, no answer in time).
async fn diagnose_socket(
    session: &Session,
    socket: &str,
    timeout: Duration,
) -> Option<SocketState> {
    let mut cmd = session.command("sh");
    cmd.arg("-c")
        .arg(SOCKET_DIAGNOSIS)
        .arg("destui")
        .arg(socket);
    let out = tokio::time::timeout(timeout, cmd.output())
        .await
        .ok()?
        .ok()?;
    parse_socket_state(&String::from_utf8_lossy(&out.stdout))
}

fn parse_socket_state(stdout: &str) -> Option<SocketState> {
    let line = stdout.lines().map(str::trim).find(|l| !l.is_empty())?;
    let (word, rest) = line.split_once(' ').unwrap_or((line, ""));
    Some(match word {
        "missing" => SocketState::Missing,
        "not-a-socket" => SocketState::NotASocket,
        "denied" => SocketState::Denied {
            user: rest.trim().to_string(),
        },
        "not-listening" => SocketState::NotListening,
        "listening" => SocketState::Listening,
        "present" => SocketState::Present,
        _ => return None,
    })
}

/// Why the Docker socket did not answer through a working master.
enum ForwardFailure {
    /// The request failed (the forwarded connection was closed); what the server says.
    Failed {
        detail: String,
        state: Option<SocketState>,
    },
    TimedOut(Duration),
}

/// One line: what is wrong with the path to the Docker socket, and what to do.
fn explain_forward_failure(server: &Server, failure: &ForwardFailure) -> String {
    let host = &server.host;
    let sock = &server.docker_socket;
    let (detail, state) = match failure {
        ForwardFailure::TimedOut(t) => {
            return format!(
                "ssh to {host} stopped answering: the Docker socket {sock} gave no reply within {}s (a stalled link, a frozen server, or a hung Docker daemon): check that {host} is up and Docker answers there, then try again",
                t.as_secs()
            );
        }
        ForwardFailure::Failed { detail, state } => (detail, state),
    };
    match state {
        Some(SocketState::Listening) => format!(
            "sshd on {host} refuses to forward connections to the Docker socket {sock}: set `AllowStreamLocalForwarding yes` in its sshd_config and reload sshd"
        ),
        Some(SocketState::Denied { user }) => {
            let who = if user.is_empty() {
                "the ssh user".to_string()
            } else {
                format!("user {user}")
            };
            let add = if user.is_empty() {
                "add that user to the docker group there".to_string()
            } else {
                format!("add it to the docker group there (`usermod -aG docker {user}`)")
            };
            format!(
                "{who} on {host} may not use the Docker socket {sock}: {add}, or connect as a user who may"
            )
        }
        Some(SocketState::Missing) => format!(
            "there is no Docker socket at {sock} on {host}: start the Docker daemon there, or set the right path with --docker-socket"
        ),
        Some(SocketState::NotASocket) => format!(
            "{sock} on {host} is not a socket: set the Docker socket's path with --docker-socket"
        ),
        Some(SocketState::NotListening) => format!(
            "the Docker daemon on {host} is not running (nothing listens on {sock}): start it there, then try again"
        ),
        Some(SocketState::Present) | None => format!(
            "the Docker socket {sock} on {host} did not answer through ssh ({}): check that the Docker daemon runs there and that its sshd_config has `AllowStreamLocalForwarding yes`",
            detail.trim()
        ),
    }
}

/// `ssh -G`: what ssh will really use for this server (hostname, port, known-hosts files).
pub async fn resolved_options(
    server: &Server,
    cfg: &RemoteConfig,
) -> Result<std::collections::HashMap<String, String>, Error> {
    let mut cmd = tokio::process::Command::new("ssh");
    if let Some(file) = &cfg.ssh_config {
        cmd.arg("-F").arg(file);
    }
    if let Some(port) = server.port {
        cmd.arg("-p").arg(port.to_string());
    }
    if let Some(user) = &server.user {
        cmd.arg("-l").arg(user);
    }
    cmd.arg("-G").arg("--").arg(&server.host);
    let out = cmd
        .output()
        .await
        .map_err(|e| Error::Io(format!("cannot run ssh: {e}")))?;
    if !out.status.success() {
        return Err(Error::Invalid(format!(
            "ssh cannot read the configuration for {}: {}",
            server.host,
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_once(' '))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server() -> Server {
        Server {
            uuid: "u".into(),
            name: "s".into(),
            host: "h".into(),
            port: None,
            user: None,
            identity: None,
            docker_socket: "/var/run/docker.sock".into(),
            local: false,
            build_server: false,
            proxy_container: "p".into(),
            mode: Default::default(),
            online: false,
            last_error: None,
            checked_at: None,
            docker_version: None,
        }
    }

    #[test]
    fn host_key_failures_name_server_trust() {
        let e = classify_ssh_error(
            &server(),
            "the master connection failed: Host key verification failed.",
            Duration::from_secs(5),
        );
        assert_eq!(e, Error::HostKeyUnknown { server: "s".into() });
        assert!(e.to_string().contains("destui server trust s"));
    }

    #[test]
    fn a_refused_key_names_the_user_and_what_to_do() {
        let e = classify_ssh_error(
            &server(),
            "Failed to connect to the remote host: Warning: something\nalice@127.0.0.1: Permission denied (publickey).",
            Duration::from_secs(5),
        );
        let text = e.to_string();
        assert!(
            text.contains("refused the key of user alice") && text.contains("--identity"),
            "{text}"
        );
        assert!(!text.contains('\n'));
    }

    #[test]
    fn a_silent_listener_is_a_stalled_link() {
        let e = classify_ssh_error(
            &server(),
            "Connection timed out during banner exchange\nConnection to 127.0.0.1 port 4 timed out",
            Duration::from_secs(2),
        );
        assert!(e.to_string().contains("no answer within 2s"), "{e}");
    }

    #[test]
    fn the_servers_answer_about_its_socket_decides_the_message() {
        assert_eq!(
            parse_socket_state("\nlistening\n"),
            Some(SocketState::Listening)
        );
        assert_eq!(
            parse_socket_state("denied bob\n"),
            Some(SocketState::Denied { user: "bob".into() })
        );
        assert_eq!(parse_socket_state("Could not chdir\n"), None);
        assert_eq!(parse_socket_state(""), None);
        let explain = |state| {
            explain_forward_failure(
                &server(),
                &ForwardFailure::Failed {
                    detail: "client error (SendRequest)".into(),
                    state,
                },
            )
        };
        assert!(explain(Some(SocketState::Listening)).contains("AllowStreamLocalForwarding yes"));
        assert!(
            explain(Some(SocketState::Denied { user: "bob".into() }))
                .contains("usermod -aG docker bob")
        );
        assert!(explain(Some(SocketState::Missing)).contains("no Docker socket"));
        assert!(explain(Some(SocketState::NotListening)).contains("not running"));
        assert!(explain(None).contains("SendRequest"));
    }

    #[test]
    fn connection_key_changes_with_the_target() {
        let cfg = RemoteConfig::for_tests(PathBuf::from("/tmp/x"));
        let a = server();
        let mut b = server();
        b.host = "other".into();
        assert_ne!(connection_key(&a, &cfg), connection_key(&b, &cfg));
        assert_eq!(connection_key(&a, &cfg).len(), 12);
    }
}
