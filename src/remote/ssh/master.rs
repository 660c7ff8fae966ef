//! The OpenSSH master of a server: finding one that runs (this process's or an earlier
//! one's), reviving a detached one, launching a new one, and the lock that lets one process
//! at a time do so.

use super::PROBE_TIMEOUT;
use super::failures::{classify_ssh_error, error_text};
use crate::domain::{Error, Server};
use crate::remote::RemoteConfig;
use openssh::{ControlPersist, KnownHosts, Session, SessionBuilder};
use std::path::{Path, PathBuf};
use std::time::Duration;

const SERVER_ALIVE_INTERVAL: Duration = Duration::from_secs(15);

/// The pid of the master behind `ctl` (its answer to the mux alive check).
pub(super) async fn master_pid(ctl: &Path) -> Option<libc::pid_t> {
    let ask = async {
        let mut conn = openssh_mux_client::Connection::connect(ctl).await.ok()?;
        conn.send_alive_check().await.ok()
    };
    let pid = tokio::time::timeout(PROBE_TIMEOUT, ask).await.ok()??;
    libc::pid_t::try_from(pid.get()).ok()
}

/// The control socket of a master under `control_dir` (the newest, when several).
pub(super) fn find_master(control_dir: &Path) -> Option<PathBuf> {
    std::fs::read_dir(control_dir)
        .ok()?
        .flatten()
        .map(|e| e.path().join("master"))
        .filter(|ctl| ctl.exists())
        .max_by_key(|ctl| std::fs::metadata(ctl).and_then(|m| m.modified()).ok())
}

/// A master detached by an earlier process may still be alive although its forward is gone
/// (e.g. the remote Docker socket was missing then): reuse it. Dead ones are cleaned up.
pub(super) async fn revive_master(control_dir: &Path) -> Option<Session> {
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

pub(super) async fn launch_master(
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

/// An exclusive `flock` on `<control dir>/lock`, held while a master is revived or started
/// and its forward set up; released when dropped.
pub struct ConnectLock(#[allow(dead_code)] std::fs::File);

impl ConnectLock {
    pub const FILE: &'static str = "lock";

    pub(super) async fn acquire(control_dir: &Path) -> Result<Self, Error> {
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

#[allow(unsafe_code)] // a libc call: see the SAFETY note at its block
fn flock(file: &std::fs::File, operation: libc::c_int) -> std::io::Result<()> {
    use std::os::fd::AsRawFd;
    // SAFETY: flock on a descriptor this File owns for the duration of the call.
    if unsafe { libc::flock(file.as_raw_fd(), operation) } == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}
