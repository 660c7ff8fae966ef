//! A connection lost under a change (DESIGN.md §8, "a dropped transport settles like a
//! crash"): the request may or may not have reached the daemon, so nothing is reported
//! before the daemon is asked again — by the recorded ID, or by the name and the
//! destination's label, never by a filtered list — over a connection made anew. When the
//! server cannot be asked now, the change's intent stays and the next contact settles it.

use super::Ops;
use crate::domain::{Destination, Error, LABEL_DESTINATION, Server};
use crate::remote::docker::{DockerApi, DockerError, NetworkInfo};

/// Whether a request's answer never came: the link broke or stalled under it (the daemon
/// may have done the work).
pub(super) fn link_broke(e: &DockerError) -> bool {
    matches!(e, DockerError::Transport(_) | DockerError::Stalled(_))
}

/// The error of a change whose answer was lost and that could not be asked about again.
pub(super) fn lost(server: &Server, action: String) -> Error {
    Error::ConnectionLost {
        server: server.name.clone(),
        action,
    }
}

impl Ops {
    /// After a request met a broken link and `fail` connected again in its place (or another
    /// task of this process did): that connection, to ask the daemon what became of the
    /// request; None when the server could not be reached again (no second connect attempt
    /// is made here).
    pub(super) async fn reconnected(&self, server: &Server) -> Option<DockerApi> {
        self.revived
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&server.uuid);
        let slot = self.slot(&server.uuid);
        let guard = slot.lock().await;
        let conn = guard.as_ref()?;
        conn.alive().await.then(|| conn.docker.clone())
    }

    /// A test hook like `failpoint`: with `DESTUI_FAILPOINT=lose-answer@STEP`, the answer of
    /// the request at STEP is lost as a dropped link loses it — every ssh master of this
    /// process's runtime directory is killed (kill -9, by pid), and the call's result becomes
    /// a transport error although the daemon did the work. Once per process: the step asked
    /// again gets its answer.
    pub(super) async fn lose_answer_at<T>(
        &self,
        step: &str,
        result: Result<T, DockerError>,
    ) -> Result<T, DockerError> {
        let wanted = std::env::var("DESTUI_FAILPOINT").ok();
        static LOST_ONCE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
        if wanted.as_deref() != Some(&format!("lose-answer@{step}"))
            || LOST_ONCE.swap(true, std::sync::atomic::Ordering::SeqCst)
        {
            return result;
        }
        crate::remote::ssh::kill_masters_under(&self.remote.runtime_dir).await;
        Err(DockerError::Transport(
            "connection closed before message completed".into(),
        ))
    }
}

/// The network made for `d` on this daemon, if there is one: found by its name and checked
/// by the destination label (a network of that name without it is somebody else's). An
/// inspect by name answers exactly; when it cannot (two networks of one name), the whole
/// list is read — never a list filtered by the daemon, which can omit an overlay.
pub(super) async fn network_made_for(
    docker: &DockerApi,
    d: &Destination,
) -> Result<Option<NetworkInfo>, DockerError> {
    let ours = |n: &NetworkInfo| {
        n.name == d.network
            && n.labels.get(LABEL_DESTINATION).map(String::as_str) == Some(d.uuid.as_str())
    };
    match docker.inspect_network(&d.network).await {
        Ok(found) => Ok(found.filter(ours)),
        Err(e) if link_broke(&e) => Err(e),
        Err(_) => Ok(docker.networks().await?.into_iter().find(ours)),
    }
}
