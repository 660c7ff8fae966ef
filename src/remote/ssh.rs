//! One OpenSSH master connection per server (the `openssh` crate drives the system `ssh`, so
//! the user's ssh config, keys, agent and known-hosts files apply), forwarding a local unix
//! socket to the server's Docker socket.
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
}

impl Tunnel {
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
            let _ = session.close().await;
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
pub async fn open(server: &Server, cfg: &RemoteConfig) -> Result<(Tunnel, DockerApi), Error> {
    crate::store::create_private_dir(&cfg.runtime_dir)?;
    let key = connection_key(server, cfg);
    let socket = cfg.runtime_dir.join(format!("{key}.sock"));
    let control_dir = cfg.runtime_dir.join(&key);

    if socket.exists() {
        if let Some(api) = probe(&socket).await {
            tracing::debug!(server = %server.name, "reusing forwarded socket");
            return Ok((
                Tunnel {
                    session: None,
                    socket,
                },
                api,
            ));
        }
        // A master that exited leaves its socket file behind (connection refused).
        let _ = std::fs::remove_file(&socket);
    }

    crate::store::create_private_dir(&control_dir)?;
    let session = match revive_master(&control_dir).await {
        Some(session) => session,
        None => launch_master(server, cfg, &control_dir).await?,
    };

    let listen = || Socket::UnixSocket {
        path: socket.as_path().into(),
    };
    let remote = || Socket::UnixSocket {
        path: Path::new(&server.docker_socket).into(),
    };
    let mut forward = session
        .request_port_forward(ForwardType::Local, listen(), remote())
        .await;
    if forward.is_ok() && !socket.exists() {
        // A revived master that still holds this forward answers "done" without listening
        // again when its socket file was removed: drop the stale forward and ask anew.
        let _ = session
            .close_port_forward(ForwardType::Local, listen(), remote())
            .await;
        forward = session
            .request_port_forward(ForwardType::Local, listen(), remote())
            .await;
    }
    if let Err(e) = forward {
        // Another process may have set up the same forward a moment ago.
        if let Some(api) = probe(&socket).await {
            let _ = session.close().await;
            return Ok((
                Tunnel {
                    session: None,
                    socket,
                },
                api,
            ));
        }
        let _ = session.close().await;
        return Err(Error::Unreachable {
            server: server.name.clone(),
            detail: format!(
                "ssh could not forward the Docker socket: {}",
                error_text(&e)
            ),
        });
    }

    // sshd accepts a forwarding request even when it will refuse every connection on it
    // (`AllowStreamLocalForwarding no`): only a real request through it proves the path.
    match tokio::time::timeout(cfg.connect_timeout, DockerApi::connect(&path_str(&socket))).await {
        Ok(Ok(api)) => Ok((
            Tunnel {
                session: Some(session),
                socket,
            },
            api,
        )),
        outcome => {
            let log = master_log(&control_dir);
            let _ = session.close().await;
            let _ = std::fs::remove_file(&socket);
            let detail = match outcome {
                Ok(Err(e)) => e.to_string(),
                _ => "the Docker socket did not answer in time".to_string(),
            };
            Err(Error::Unreachable {
                server: server.name.clone(),
                detail: explain_forward_failure(server, &log, &detail),
            })
        }
    }
}

async fn probe(socket: &Path) -> Option<DockerApi> {
    match tokio::time::timeout(PROBE_TIMEOUT, DockerApi::connect(&path_str(socket))).await {
        Ok(Ok(api)) => Some(api),
        _ => None,
    }
}

fn path_str(p: &Path) -> String {
    p.to_string_lossy().into_owned()
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
            let session = Session::resume(
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
    match tokio::time::timeout(deadline, builder.connect(&server.host)).await {
        Ok(Ok(session)) => Ok(session),
        Ok(Err(e)) => Err(classify_ssh_error(server, &error_text(&e))),
        Err(_) => Err(Error::Unreachable {
            server: server.name.clone(),
            detail: format!(
                "ssh to {} did not complete within {}s (stalled link?)",
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

fn classify_ssh_error(server: &Server, text: &str) -> Error {
    let lower = text.to_lowercase();
    if lower.contains("host key verification failed")
        || lower.contains("remote host identification has changed")
        || lower.contains("host key is known")
    {
        return Error::HostKeyUnknown {
            server: server.name.clone(),
        };
    }
    let detail = if lower.contains("permission denied") {
        format!(
            "ssh refused the key for {}: check the user and identity file (`destui server edit {} --user … --identity …`)",
            server.host, server.name
        )
    } else if lower.contains("connection refused") {
        format!(
            "nothing accepts ssh connections at {} (connection refused): check the host and port",
            server.host
        )
    } else if lower.contains("timed out") {
        format!(
            "ssh to {} timed out: is the host up and the port open?",
            server.host
        )
    } else if lower.contains("could not resolve") {
        format!(
            "cannot resolve {}: check the host name or your ssh config",
            server.host
        )
    } else {
        text.replace('\n', " ")
    };
    Error::Unreachable {
        server: server.name.clone(),
        detail,
    }
}

fn master_log(control_dir: &Path) -> String {
    std::fs::read_dir(control_dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| std::fs::read_to_string(e.path().join("log")).ok())
        .collect::<Vec<_>>()
        .join("\n")
}

fn explain_forward_failure(server: &Server, log: &str, detail: &str) -> String {
    let lower = log.to_lowercase();
    if lower.contains("administratively prohibited") {
        format!(
            "sshd on {} refuses to forward the Docker socket: set `AllowStreamLocalForwarding yes` in its sshd_config",
            server.host
        )
    } else if lower.contains("permission denied") {
        format!(
            "the ssh user on {} may not use {}: add it to the docker group",
            server.host, server.docker_socket
        )
    } else if lower.contains("no such file") {
        format!(
            "no Docker socket at {} on {}: is Docker running? (or set --docker-socket)",
            server.docker_socket, server.host
        )
    } else {
        format!(
            "the Docker socket {} did not answer through ssh: {detail}",
            server.docker_socket
        )
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
        );
        assert_eq!(e, Error::HostKeyUnknown { server: "s".into() });
        assert!(e.to_string().contains("destui server trust s"));
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
