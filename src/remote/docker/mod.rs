//! The Docker API (bollard) on a unix socket: the local one, or the forwarded one of a remote
//! server. Every call that names a network uses its full ID; names are only compared exactly
//! (the daemon's name filter is an unanchored pattern and its path lookup falls back to ID
//! prefixes).

mod containers;
mod events;
mod networks;
pub use networks::MTU_OPTION;
mod stats;
mod swarm;
mod types;

pub use events::{DockerEvent, EventKind, since_after};
pub use stats::ContainerStats;
pub use swarm::SwarmNode;
pub use types::{
    AttachedContainer, ContainerInfo, ContainerSpec, DaemonInfo, InspectedContainer, IpamRange,
    LabelledContainer, ListedContainer, NetworkInfo, NetworkSpec, destination_labels,
};

use super::ReplyLimits;
use super::reply_bounds::ReplyCut;
use crate::domain::ServerMode;
use bollard::Docker;
use bollard::errors::Error as BollardError;
use bollard::models::LocalNodeState;

/// What a daemon said, sorted into the cases the use cases act on (see `classify`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DockerError {
    #[error("not found: {0}")]
    NotFound(String),
    #[error("{0}")]
    NameExists(String),
    #[error("{0}")]
    ActiveEndpoints(String),
    /// A swarm manager still holds an attachment task for a container that has left; it
    /// lets go within seconds, unless a service really uses the network.
    #[error("{0}")]
    InUseByTask(String),
    #[error("{0}")]
    AlreadyConnected(String),
    #[error("{0}")]
    NotConnected(String),
    #[error("{0}")]
    NotSwarmManager(String),
    #[error("{0}")]
    AddressPoolsExhausted(String),
    #[error("permission denied on the Docker socket: {0}")]
    PermissionDenied(String),
    /// The socket or the link behind it did not answer.
    #[error("{0}")]
    Transport(String),
    /// A request got no answer in time (a stalled link, a frozen server or daemon).
    #[error("{0}")]
    Stalled(String),
    /// What answered is not a Docker daemon, or one gone wrong: not HTTP, not its JSON, or a
    /// reply beyond the bounds (`ReplyLimits`). Says why, shortly.
    #[error("{0}")]
    NotDockerApi(String),
    #[error("{0}")]
    Other(String),
}

/// Maps a bollard error to the one case that matters, in one place.
pub fn classify(err: BollardError) -> DockerError {
    match err {
        BollardError::DockerResponseServerError {
            status_code,
            message,
        } => {
            let lower = message.to_lowercase();
            if lower.contains("non-overlapping") && lower.contains("address pool") {
                DockerError::AddressPoolsExhausted(message)
            } else if lower.contains("active endpoints") {
                DockerError::ActiveEndpoints(message)
            } else if lower.contains("in use by task") {
                DockerError::InUseByTask(message)
            } else if lower.contains("already exists in network")
                || lower.contains("already connected")
            {
                DockerError::AlreadyConnected(message)
            } else if lower.contains("is not connected") {
                DockerError::NotConnected(message)
            } else if lower.contains("not a swarm manager")
                || lower.contains("swarm") && status_code == 503
            {
                DockerError::NotSwarmManager(message)
            } else if status_code == 404 {
                DockerError::NotFound(message)
            } else if status_code == 409 || lower.contains("already exists") {
                DockerError::NameExists(message)
            } else {
                DockerError::Other(format!("{message} (HTTP {status_code})"))
            }
        }
        BollardError::SocketNotFoundError(path) => {
            DockerError::Transport(format!("socket {path} does not exist"))
        }
        BollardError::RequestTimeoutError => DockerError::Stalled(
            "it stopped answering: no reply in time (a stalled link, a frozen server, or a hung Docker daemon): check that the server is up and Docker answers there, then try again".into(),
        ),
        BollardError::IOError { err } if err.kind() == std::io::ErrorKind::PermissionDenied => {
            DockerError::PermissionDenied(err.to_string())
        }
        BollardError::JsonDataError { message, .. } => DockerError::NotDockerApi(format!(
            "its reply is not the JSON Docker sends ({})",
            short(&message)
        )),
        BollardError::JsonSerdeError { err } => DockerError::NotDockerApi(format!(
            "its reply is not the JSON Docker sends ({})",
            short(&err.to_string())
        )),
        BollardError::APIVersionParseError {} => {
            DockerError::NotDockerApi("its /version reply names no API version".into())
        }
        other if not_the_api(&other).is_some() => {
            DockerError::NotDockerApi(not_the_api(&other).unwrap_or_default())
        }
        other => {
            let text = other.to_string();
            if text.to_lowercase().contains("permission denied") {
                DockerError::PermissionDenied(text)
            } else if matches!(
                other,
                BollardError::HyperResponseError { .. } | BollardError::HyperLegacyError { .. }
            ) {
                // The HTTP client's own words ("Error in the hyper legacy client: client
                // error (SendRequest)") say nothing to an admin.
                DockerError::Transport(
                    "the connection broke before Docker answered (its ssh link or socket closed)"
                        .into(),
                )
            } else {
                DockerError::Transport(text)
            }
        }
    }
}

/// Why a transport error means the other end is not (a sane) Docker: a reply cut off by the
/// bounds, or one that is not HTTP at all.
fn not_the_api(err: &BollardError) -> Option<String> {
    // bollard's IOError is transparent: its `source` skips the io::Error it holds.
    let cut = match err {
        BollardError::IOError { err } => ReplyCut::find(err),
        other => ReplyCut::find(other),
    };
    if let Some(cut) = cut {
        return Some(cut.to_string());
    }
    let mut next: Option<&(dyn std::error::Error + 'static)> = match err {
        BollardError::IOError { err } => Some(err),
        other => Some(other),
    };
    while let Some(e) = next {
        // A hyper error as it is, or inside an io::Error (whose `source` skips it).
        let hyper = e.downcast_ref::<hyper::Error>().or_else(|| {
            e.downcast_ref::<std::io::Error>()
                .and_then(|io| io.get_ref())
                .and_then(|inner| inner.downcast_ref::<hyper::Error>())
        });
        if let Some(h) = hyper
            && (h.is_parse() || h.is_parse_status() || h.is_parse_too_large())
        {
            return Some(format!("its reply is not HTTP ({h})"));
        }
        next = e.source();
    }
    None
}

/// A daemon's words, cut to a short reason.
fn short(text: &str) -> String {
    const MAX: usize = 100;
    let text = text.trim();
    if text.chars().count() <= MAX {
        return text.to_string();
    }
    let cut: String = text.chars().take(MAX).collect();
    format!("{cut}…")
}

#[derive(Clone, Debug)]
pub struct DockerApi {
    docker: Docker,
}

impl DockerApi {
    /// Connects to a unix socket (keep-alive: the requests share connections), proves it
    /// answers (`/_ping`), and settles the API version with the daemon (old daemons refuse
    /// newer versions, new ones drop old versions) — once per socket: the version is
    /// remembered (`transport::remembered_version`).
    pub async fn connect(socket: &str) -> Result<Self, DockerError> {
        Self::connect_bounded(socket, ReplyLimits::default()).await
    }

    /// `connect`, with every reply bounded by `limits` (`[docker]` of the config).
    pub async fn connect_bounded(socket: &str, limits: ReplyLimits) -> Result<Self, DockerError> {
        let remembered = super::transport::remembered_version(socket);
        let version = remembered.unwrap_or(*bollard::API_DEFAULT_VERSION);
        let docker = super::transport::pooled(socket, limits, &version, None).map_err(classify)?;
        docker.ping().await.map_err(classify)?;
        if remembered.is_some() {
            return Ok(DockerApi { docker });
        }
        let docker = docker.negotiate_version().await.map_err(classify)?;
        super::transport::remember(socket, &docker.client_version(), true);
        Ok(DockerApi { docker })
    }

    /// A client on a forward whose master is known to be up and whose daemon's API version is
    /// remembered: no request is spent here; the first real one proves the socket, and must be
    /// answered within `within` (see `transport::pooled`).
    pub fn unproven(
        socket: &str,
        within: std::time::Duration,
        limits: ReplyLimits,
    ) -> Option<Self> {
        let version = super::transport::remembered_version(socket)?;
        super::transport::pooled(socket, limits, &version, Some(within))
            .ok()
            .map(|docker| DockerApi { docker })
    }

    pub async fn ping(&self) -> Result<(), DockerError> {
        self.docker.ping().await.map(|_| ()).map_err(classify)
    }

    pub async fn info(&self) -> Result<DaemonInfo, DockerError> {
        let info = self.docker.info().await.map_err(classify)?;
        if info.server_version.is_none() {
            return Err(DockerError::NotDockerApi(
                "its /info reply has no ServerVersion".into(),
            ));
        }
        let (active, control) = info
            .swarm
            .as_ref()
            .map(|s| {
                (
                    s.local_node_state == Some(LocalNodeState::ACTIVE),
                    s.control_available.unwrap_or(false),
                )
            })
            .unwrap_or((false, false));
        Ok(DaemonInfo {
            mode: ServerMode::from_swarm(active, control),
            version: info.server_version.unwrap_or_default(),
        })
    }

    pub fn raw(&self) -> &Docker {
        &self.docker
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server_error(status_code: u16, message: &str) -> BollardError {
        BollardError::DockerResponseServerError {
            status_code,
            message: message.into(),
        }
    }

    #[test]
    fn replies_that_are_not_the_docker_api_are_classified_so() {
        let json = BollardError::JsonDataError {
            message: "invalid type: map, expected a sequence".into(),
            column: 1,
        };
        assert_eq!(
            classify(json),
            DockerError::NotDockerApi(
                "its reply is not the JSON Docker sends (invalid type: map, expected a sequence)"
                    .into()
            )
        );
        assert!(matches!(
            classify(BollardError::APIVersionParseError {}),
            DockerError::NotDockerApi(_)
        ));
        let cut = std::io::Error::other(ReplyCut::TooSlow(60));
        assert_eq!(
            classify(BollardError::IOError { err: cut }),
            DockerError::NotDockerApi(ReplyCut::TooSlow(60).to_string())
        );
    }

    #[test]
    fn daemon_errors_are_classified() {
        assert!(matches!(
            classify(server_error(
                403,
                "error while removing network: network x id abc has active endpoints"
            )),
            DockerError::ActiveEndpoints(_)
        ));
        assert!(matches!(
            classify(server_error(
                400,
                "rpc error: code = FailedPrecondition desc = network j is in use by task 2l"
            )),
            DockerError::InUseByTask(_)
        ));
        assert!(matches!(
            classify(server_error(409, "network with name x already exists")),
            DockerError::NameExists(_)
        ));
        assert!(matches!(
            classify(server_error(404, "network x not found")),
            DockerError::NotFound(_)
        ));
        assert!(matches!(
            classify(server_error(
                403,
                "endpoint with name p already exists in network x"
            )),
            DockerError::AlreadyConnected(_)
        ));
        assert!(matches!(
            classify(server_error(
                503,
                "This node is not a swarm manager. Use \"docker swarm init\""
            )),
            DockerError::NotSwarmManager(_)
        ));
        assert!(matches!(
            classify(server_error(
                400,
                "could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network"
            )),
            DockerError::AddressPoolsExhausted(_)
        ));
    }
}
