//! Reaching a server's Docker daemon: directly on the local socket, or through an SSH tunnel.

pub mod address;
pub mod docker;
pub mod docker_contexts;
pub mod housekeeping;
pub mod known_hosts;
pub mod reply_bounds;
pub mod runtime_dir;
pub mod slots;
pub mod ssh;
pub mod ssh_config;
pub mod transport;

use crate::domain::{Error, Server};
use docker::{DockerApi, DockerError};
use slots::ConnectSlots;
use std::num::NonZeroUsize;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

pub const DEFAULT_MAX_PARALLEL_CONNECTS: usize = 64;

/// How connections are made; built once from the command line / environment.
#[derive(Debug, Clone)]
pub struct RemoteConfig {
    /// Passed to ssh as `-F`: Host aliases, keys, ports and known-hosts files come from it.
    pub ssh_config: Option<PathBuf>,
    /// Private (0700) directory for forwarded sockets and control sockets; short paths,
    /// because unix socket paths are limited to about 104 bytes.
    pub runtime_dir: PathBuf,
    /// Seconds an unused master (and its forward) stays up for the next process.
    pub idle: NonZeroUsize,
    pub connect_timeout: Duration,
    /// Shared by every connect of this process: bounds the SSH handshakes in flight
    /// (`[ssh] max_parallel_connects`). A server's connect timeout starts once it has a slot.
    pub connects: Arc<ConnectSlots>,
    /// What a daemon's reply may be (`[docker]` of the config).
    pub replies: ReplyLimits,
}

/// The bounds on every reply a daemon sends (DESIGN.md §8: a hostile or broken daemon's
/// endless or slow reply is cut off, never read into memory without end).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReplyLimits {
    /// The most bytes one reply may carry.
    pub max_bytes: u64,
    /// How long one whole reply may take (the event stream and image pulls excepted: they
    /// last as long as they have something to say).
    pub timeout: Duration,
}

impl Default for ReplyLimits {
    fn default() -> Self {
        ReplyLimits {
            max_bytes: 64 * 1024 * 1024,
            timeout: Duration::from_secs(60),
        }
    }
}

impl RemoteConfig {
    pub fn for_tests(runtime_dir: PathBuf) -> Self {
        RemoteConfig {
            ssh_config: None,
            runtime_dir,
            idle: NonZeroUsize::new(60).unwrap_or(NonZeroUsize::MIN),
            connect_timeout: Duration::from_secs(10),
            connects: Self::connect_slots(DEFAULT_MAX_PARALLEL_CONNECTS),
            replies: ReplyLimits::default(),
        }
    }

    pub fn connect_slots(parallel: usize) -> Arc<ConnectSlots> {
        Arc::new(ConnectSlots::new(parallel))
    }
}

/// A Docker client on a server, with the tunnel that carries it (none for local servers).
pub struct Connection {
    pub docker: DockerApi,
    tunnel: Option<ssh::Tunnel>,
    /// When it was last handed out (see `Ops::docker`).
    pub used: std::time::Instant,
}

impl Connection {
    /// Whether it can still carry requests, checked locally (see `ssh::Tunnel::alive`).
    pub async fn alive(&self) -> bool {
        match &self.tunnel {
            Some(t) => t.alive().await,
            None => true,
        }
    }

    /// Keep the master alive for the next process (CLI).
    pub fn detach(self) {
        if let Some(t) = self.tunnel {
            t.detach();
        }
    }

    /// End the master (TUI exit, or a connection found broken).
    pub async fn close(self) {
        if let Some(t) = self.tunnel {
            t.close().await;
        }
    }
}

pub async fn connect(server: &Server, cfg: &RemoteConfig) -> Result<Connection, Error> {
    connect_with(server, cfg, false).await
}

/// Like `connect`, with the forward proven by a request even when its master answers
/// locally: after a request failed on it, this finds (and says) what is wrong.
pub async fn connect_proven(server: &Server, cfg: &RemoteConfig) -> Result<Connection, Error> {
    connect_with(server, cfg, true).await
}

async fn connect_with(
    server: &Server,
    cfg: &RemoteConfig,
    prove: bool,
) -> Result<Connection, Error> {
    if server.local {
        let api = tokio::time::timeout(
            cfg.connect_timeout,
            DockerApi::connect_bounded(&server.docker_socket, cfg.replies),
        )
        .await
        .map_err(|_| Error::Unreachable {
            server: server.name.clone(),
            detail: format!("{} did not answer in time", server.docker_socket),
        })?
        .map_err(|e| docker_error(server, e))?;
        return Ok(Connection {
            docker: api,
            tunnel: None,
            used: std::time::Instant::now(),
        });
    }
    let (tunnel, api) = ssh::open(server, cfg, prove).await?;
    Ok(Connection {
        docker: api,
        tunnel: Some(tunnel),
        used: std::time::Instant::now(),
    })
}

/// A Docker error as the user sees it; transport failures mean the server is unreachable.
pub fn docker_error(server: &Server, e: DockerError) -> Error {
    match e {
        DockerError::Transport(detail) | DockerError::Stalled(detail) => Error::Unreachable {
            server: server.name.clone(),
            detail,
        },
        DockerError::PermissionDenied(detail) => Error::Unreachable {
            server: server.name.clone(),
            detail: format!(
                "{detail}: the user may not use {} (add it to the docker group)",
                server.docker_socket
            ),
        },
        DockerError::AddressPoolsExhausted(said) if said.contains("IPv6") => {
            Error::Ipv6AddressPoolsExhausted {
                server: server.name.clone(),
            }
        }
        DockerError::AddressPoolsExhausted(_) => Error::AddressPoolsExhausted {
            server: server.name.clone(),
        },
        DockerError::NotDockerApi(why) => Error::NotDockerApi {
            server: server.name.clone(),
            why,
        },
        other => Error::Docker {
            server: server.name.clone(),
            detail: other.to_string(),
        },
    }
}
