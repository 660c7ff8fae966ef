//! The HTTP client under bollard: one keep-alive connection pool per socket. bollard's own
//! unix client keeps no idle connection (`pool_max_idle_per_host(0)`), so every request opened
//! a new connection — through a forwarded socket, a new SSH channel: two round trips per
//! request where one will do (DESIGN.md §5). The API version each socket's daemon speaks is
//! remembered too, so a process that reuses a forward asks for it only once.

use super::ReplyLimits;
use super::reply_bounds::BoundedConnector;
use bollard::{BollardRequest, ClientVersion, Docker};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

/// How long an idle connection is kept for the next request (well under the daemon's and
/// sshd's own idle limits).
const IDLE: Duration = Duration::from_secs(30);

/// The body type of bollard's requests (named by bollard only through `BollardRequest`).
trait BodyOf {
    type Body;
}
impl<B> BodyOf for http::Request<B> {
    type Body = B;
}
type RequestBody = <BollardRequest as BodyOf>::Body;

/// A bollard client on the unix socket `socket` whose requests share keep-alive connections.
/// `first_answer_within`: the socket is not proven yet (no ping was spent on it): until a
/// request is answered, each must be answered within this time, or it fails as a timeout —
/// a stalled link is found by the first real request instead of by a ping before it.
/// Every reply is bounded by `limits` (see `reply_bounds`); bollard's own timeout (to a reply's
/// headers) is the same.
pub fn pooled(
    socket: &str,
    limits: ReplyLimits,
    version: &ClientVersion,
    first_answer_within: Option<Duration>,
) -> Result<Docker, bollard::errors::Error> {
    if !Path::new(socket).exists() {
        return Err(bollard::errors::Error::SocketNotFoundError(
            socket.to_string(),
        ));
    }
    let client: Client<BoundedConnector, RequestBody> = Client::builder(TokioExecutor::new())
        .pool_idle_timeout(IDLE)
        .build(BoundedConnector::new(socket, limits));
    let client = Arc::new(client);
    let socket = socket.to_string();
    let proven = Arc::new(AtomicBool::new(first_answer_within.is_none()));
    let transport = move |request: BollardRequest| {
        let client = Arc::clone(&client);
        let socket = socket.clone();
        let proven = Arc::clone(&proven);
        async move {
            let (mut parts, body) = request.into_parts();
            let path = parts
                .uri
                .path_and_query()
                .map_or("/", |p| p.as_str())
                .to_string();
            parts.uri = hyperlocal::Uri::new(&socket, &path).into();
            let answer = client.request(http::Request::from_parts(parts, body));
            let answer = match first_answer_within {
                Some(limit) if !proven.load(Ordering::Relaxed) => {
                    tokio::time::timeout(limit, answer)
                        .await
                        .map_err(|_| bollard::errors::Error::RequestTimeoutError)?
                }
                _ => answer.await,
            };
            let response = answer.map_err(bollard::errors::Error::from)?;
            proven.store(true, Ordering::Relaxed);
            Ok(response)
        }
    };
    let timeout_secs = limits.timeout.as_secs().max(1);
    Docker::connect_with_custom_transport(transport, Some("http://docker"), timeout_secs, version)
}

/// The API version last settled with the daemon behind `socket`: in this process, else from
/// the file beside a forwarded socket (`<socket>.api`, written by the process that settled it).
pub fn remembered_version(socket: &str) -> Option<ClientVersion> {
    if let Some(v) = versions()
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get(socket)
    {
        return Some(*v);
    }
    let text = std::fs::read_to_string(version_file(socket)?).ok()?;
    let (major, minor) = text.trim().split_once('.')?;
    let version = ClientVersion {
        major_version: major.parse().ok()?,
        minor_version: minor.parse().ok()?,
    };
    remember(socket, &version, false);
    Some(version)
}

/// Keeps `version` for `socket`; `persist`: also in the file beside a forwarded socket.
pub fn remember(socket: &str, version: &ClientVersion, persist: bool) {
    versions()
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(socket.to_string(), *version);
    if persist && let Some(file) = version_file(socket) {
        let _ = std::fs::write(
            file,
            format!("{}.{}", version.major_version, version.minor_version),
        );
    }
}

fn versions() -> &'static Mutex<HashMap<String, ClientVersion>> {
    static VERSIONS: OnceLock<Mutex<HashMap<String, ClientVersion>>> = OnceLock::new();
    VERSIONS.get_or_init(Mutex::default)
}

/// Only forwarded sockets (in destui's private runtime directory, named `<key>.sock`) get a
/// file: nothing is written beside a system socket such as /var/run/docker.sock.
fn version_file(socket: &str) -> Option<std::path::PathBuf> {
    let path = Path::new(socket);
    (path.extension()? == "sock" && path.file_stem()?.len() == 12)
        .then(|| path.with_extension("api"))
}
