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

mod failures;
mod master;

pub use master::ConnectLock;

use super::docker::{DockerApi, DockerError};
use super::runtime_dir::{Kind, ensure_private};
use super::{RemoteConfig, ReplyLimits};
use crate::domain::{Error, Server};
use failures::{ForwardFailure, diagnose_socket, error_text, explain_forward_failure};
use master::{find_master, launch_master, master_pid, revive_master};
use openssh::{ForwardType, Session, Socket};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long a probe of an existing forwarded socket may take before it counts as dead.
const PROBE_TIMEOUT: Duration = Duration::from_secs(5);

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
    #[allow(unsafe_code)] // a libc call: see the SAFETY note at its block
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
    ensure_private(&cfg.runtime_dir, Kind::Runtime)?;
    let opening = Opening::new(server, cfg);
    ensure_private(&opening.control_dir, Kind::Control)?;
    if let Some(reused) = opening.reuse(prove).await {
        return Ok(reused);
    }

    // Handshakes are bounded across servers (`[ssh] max_parallel_connects`): hundreds started
    // at once contend for the CPU and time out together. The wait for a slot is not part of
    // the connect timeout.
    let _slot = cfg
        .connects
        .acquire()
        .await
        .map_err(|_| Error::Io("the connection slots were closed".into()))?;
    // One process at a time starts a server's master (others wait, then reuse it), and the
    // sweep of expired masters leaves alone a server whose master is being started.
    let _launching = ConnectLock::acquire(&opening.control_dir).await?;
    if let Some(reused) = opening.probe_forward().await {
        return Ok(reused);
    }
    let (session, revived) = match revive_master(&opening.control_dir).await {
        Some(session) => (session, true),
        None => (
            launch_master(server, cfg, &opening.control_dir).await?,
            false,
        ),
    };
    match opening.request_forward(&session).await {
        None => Err(opening.stalled(session).await),
        Some(Err(e)) => opening.forward_refused(session, revived, &e).await,
        Some(Ok(())) => opening.prove_forward(session).await,
    }
}

/// One `open` under way: the server, and the fixed paths of its forward and masters.
struct Opening<'a> {
    server: &'a Server,
    cfg: &'a RemoteConfig,
    /// The forwarded Docker socket (named by `connection_key`).
    socket: PathBuf,
    /// The masters' control sockets, and the connect lock.
    control_dir: PathBuf,
    /// An established forward answers `/_ping` in about a millisecond; one that does not
    /// answer within the connect timeout is as good as dead (a stalled link).
    probe_timeout: Duration,
}

impl<'a> Opening<'a> {
    fn new(server: &'a Server, cfg: &'a RemoteConfig) -> Self {
        let key = connection_key(server, cfg);
        Opening {
            server,
            cfg,
            socket: cfg.runtime_dir.join(format!("{key}.sock")),
            control_dir: cfg.runtime_dir.join(&key),
            probe_timeout: PROBE_TIMEOUT.min(cfg.connect_timeout),
        }
    }

    /// The forward that an earlier open (of this process or another) left, if it still
    /// serves; a dead one's socket file is removed.
    async fn reuse(&self, prove: bool) -> Option<(Tunnel, DockerApi)> {
        // No ping at all when the forward's master answers locally and the daemon's API
        // version is known: the first real request proves the path (a round trip saved on
        // every command).
        if !prove
            && self.socket.exists()
            && let Some(ctl) = find_master(&self.control_dir)
            && master_pid(&ctl).await.is_some()
            && let Some(api) = DockerApi::unproven(
                &path_str(&self.socket),
                self.cfg.connect_timeout,
                self.cfg.replies,
            )
        {
            tracing::debug!(server = %self.server.name, "reusing forwarded socket, unproven");
            return Some((Tunnel::reused(self.socket.clone(), Some(ctl)), api));
        }
        if !self.socket.exists() {
            return None;
        }
        if let Some(reused) = self.probe_forward().await {
            tracing::debug!(server = %self.server.name, "reusing forwarded socket");
            return Some(reused);
        }
        // A master that exited leaves its socket file behind (connection refused).
        let _ = std::fs::remove_file(&self.socket);
        None
    }

    /// The forward, when its socket is there and answers `/_ping`.
    async fn probe_forward(&self) -> Option<(Tunnel, DockerApi)> {
        if !self.socket.exists() {
            return None;
        }
        let api = probe(&self.socket, self.probe_timeout, self.cfg.replies).await?;
        Some(self.reused(api))
    }

    /// A tunnel on the forward that some master serves. Its control socket is looked up now:
    /// call this after closing a master of ours that does not serve it.
    fn reused(&self, api: DockerApi) -> (Tunnel, DockerApi) {
        let control = find_master(&self.control_dir);
        (Tunnel::reused(self.socket.clone(), control), api)
    }

    fn listen(&self) -> Socket<'_> {
        Socket::UnixSocket {
            path: self.socket.as_path().into(),
        }
    }

    fn remote(&self) -> Socket<'_> {
        Socket::UnixSocket {
            path: Path::new(&self.server.docker_socket).into(),
        }
    }

    /// Asks the master to forward the Docker socket: `None` when it gave no answer in time.
    /// The mux client waits for the server's answer: over a stalled link that is until the
    /// master's keep-alive gives up (45 s). Bounded by the connect timeout instead.
    async fn request_forward(&self, session: &Session) -> Option<Result<(), openssh::Error>> {
        let limit = self.cfg.connect_timeout;
        let request =
            session.request_port_forward(ForwardType::Local, self.listen(), self.remote());
        let forward = tokio::time::timeout(limit, request).await.ok()?;
        if forward.is_ok() && !self.socket.exists() {
            // A revived master that still holds this forward answers "done" without listening
            // again when its socket file was removed: drop the stale forward and ask anew.
            let close =
                session.close_port_forward(ForwardType::Local, self.listen(), self.remote());
            if tokio::time::timeout(limit, close).await.is_err() {
                return None;
            }
            let request =
                session.request_port_forward(ForwardType::Local, self.listen(), self.remote());
            return tokio::time::timeout(limit, request).await.ok();
        }
        Some(forward)
    }

    /// Ends a master whose link stopped answering, and says so.
    async fn stalled(&self, session: Session) -> Error {
        let _ = session.close().await;
        let _ = std::fs::remove_file(&self.socket);
        Error::Unreachable {
            server: self.server.name.clone(),
            detail: format!(
                "ssh to {} stopped answering (no reply within {}s: a stalled link, or a frozen server): check that the server is up, then try again",
                self.server.host,
                self.cfg.connect_timeout.as_secs()
            ),
        }
    }

    /// The master refused the forward (`e`).
    async fn forward_refused(
        &self,
        session: Session,
        revived: bool,
        e: &openssh::Error,
    ) -> Result<(Tunnel, DockerApi), Error> {
        // Another process may have set up the same forward a moment ago.
        if let Some(api) = probe(&self.socket, self.probe_timeout, self.cfg.replies).await {
            // A revived master may be the very one serving that forward: leave it running.
            if revived {
                let _ = session.detach();
            } else {
                let _ = session.close().await;
            }
            return Ok(self.reused(api));
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
                self.server.host
            )
        } else {
            format!("ssh could not forward the Docker socket: {}", error_text(e))
        };
        Err(Error::Unreachable {
            server: self.server.name.clone(),
            detail,
        })
    }

    /// sshd accepts a forwarding request even when it will refuse every connection on it
    /// (`AllowStreamLocalForwarding no`): only a real request through it proves the path.
    async fn prove_forward(&self, session: Session) -> Result<(Tunnel, DockerApi), Error> {
        let limit = self.cfg.connect_timeout;
        let socket = path_str(&self.socket);
        let connect = DockerApi::connect_bounded(&socket, self.cfg.replies);
        let failure = match tokio::time::timeout(limit, connect).await {
            Ok(Ok(api)) => {
                let tunnel = Tunnel {
                    session: Some(session),
                    socket: self.socket.clone(),
                    control: None,
                };
                return Ok((tunnel, api));
            }
            // The forward works: what answered through it is the trouble, not sshd.
            Ok(Err(DockerError::NotDockerApi(why))) => {
                let _ = session.close().await;
                let _ = std::fs::remove_file(&self.socket);
                return Err(Error::NotDockerApi {
                    server: self.server.name.clone(),
                    why,
                });
            }
            // sshd tells the client nothing but "open failed", whatever the cause (forwarding
            // forbidden, no socket, no permission, no daemon): ask the server itself, over
            // the master that is still up.
            Ok(Err(e)) => ForwardFailure::Failed {
                detail: e.to_string(),
                state: diagnose_socket(&session, &self.server.docker_socket, limit).await,
            },
            // A stalled link or daemon; asking the server would only wait as long once more.
            Err(_) => ForwardFailure::TimedOut(limit),
        };
        let _ = session.close().await;
        let _ = std::fs::remove_file(&self.socket);
        Err(explain_forward_failure(self.server, &failure))
    }
}

async fn probe(socket: &Path, timeout: Duration, limits: ReplyLimits) -> Option<DockerApi> {
    let socket = path_str(socket);
    let connect = DockerApi::connect_bounded(&socket, limits);
    match tokio::time::timeout(timeout, connect).await {
        Ok(Ok(api)) => Some(api),
        _ => None,
    }
}

fn path_str(p: &Path) -> String {
    p.to_string_lossy().into_owned()
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
    Ok(parse_options(&String::from_utf8_lossy(&out.stdout)))
}

/// The `key value` lines `ssh -G` prints (keys are lowercase there), as a map.
pub fn parse_options(stdout: &str) -> std::collections::HashMap<String, String> {
    stdout
        .lines()
        .filter_map(|l| l.trim_end().split_once(' '))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// kill -9 of every ssh master whose control socket is under `runtime_dir`, each asked for
/// its pid as `Tunnel::close` asks it: the `lose-answer` test hook's dropped link.
#[allow(unsafe_code)] // a libc call: see the SAFETY note at its block
pub async fn kill_masters_under(runtime_dir: &Path) {
    let controls = std::fs::read_dir(runtime_dir)
        .into_iter()
        .flatten()
        .flatten()
        .flat_map(|conn| {
            std::fs::read_dir(conn.path())
                .into_iter()
                .flatten()
                .flatten()
        })
        .map(|dir| dir.path().join("master"))
        .filter(|ctl| ctl.exists());
    for ctl in controls {
        if let Some(pid) = master_pid(&ctl).await {
            // SAFETY: kill has no memory preconditions; the pid is the master's own answer
            // a moment ago.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
            }
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn server() -> Server {
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
            address: None,
            color: None,
            read_only: false,
        }
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
