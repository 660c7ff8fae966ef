//! Connections to the servers (one per server, shared by every use case of a process) and
//! the live-check cache shared across processes.

use super::*;

/// A live check shared with the other destui processes of this user for `CHECK_REUSE`:
/// `<runtime dir>/<server uuid>.check` (the runtime directory is private to the user).
#[derive(Debug, Serialize, serde::Deserialize)]
struct SharedCheck {
    /// The connection key it was made over: an edited server never reuses it.
    key: String,
    mode: ServerMode,
    docker_version: Option<String>,
    /// Unix seconds.
    at: i64,
}

impl SharedCheck {
    fn fresh(&self) -> bool {
        let age = domain::now_unix() - self.at;
        (0..CHECK_REUSE.as_secs() as i64).contains(&age)
    }

    fn read(file: &std::path::Path) -> Option<Self> {
        serde_json::from_slice(&std::fs::read(file).ok()?).ok()
    }

    fn write(&self, runtime_dir: &std::path::Path, file: &std::path::Path) {
        if crate::store::create_private_dir(runtime_dir).is_ok()
            && let Ok(text) = serde_json::to_vec(self)
        {
            let _ = std::fs::write(file, text);
        }
    }
}

impl Ops {
    pub(super) fn slot(&self, server_uuid: &str) -> Slot {
        let mut map = self
            .connections
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        map.entry(server_uuid.to_string()).or_default().clone()
    }

    /// The Docker client of a server, connecting (or reusing a tunnel) when needed.
    pub async fn docker(&self, server: &Server) -> Result<DockerApi, Error> {
        let slot = self.slot(&server.uuid);
        let mut guard = slot.lock().await;
        if let Some(conn) = guard.as_mut() {
            // No ping (a round trip): whether its master still lives is asked locally — and
            // not again within a second of the last use (a command's calls follow each other
            // closely). A request that meets a broken socket reconnects (see `fail`).
            if conn.used.elapsed() < ALIVE_FOR || conn.alive().await {
                conn.used = Instant::now();
                return Ok(conn.docker.clone());
            }
            if let Some(dead) = guard.take() {
                dead.close().await;
            }
        }
        let conn = remote::connect(server, &self.remote).await?;
        let api = conn.docker.clone();
        *guard = Some(conn);
        Ok(api)
    }

    /// Forget a connection that failed mid-use, so the next call reconnects.
    pub(super) async fn drop_connection(&self, server_uuid: &str) {
        let slot = self.slot(server_uuid);
        if let Some(conn) = slot.lock().await.take() {
            conn.close().await;
        }
    }

    /// Takes every open connection out of the pool.
    async fn take_connections(&self) -> Vec<Connection> {
        let slots: Vec<Slot> = self
            .connections
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .drain()
            .map(|(_, s)| s)
            .collect();
        let mut taken = Vec::new();
        for slot in slots {
            taken.extend(slot.lock().await.take());
        }
        taken
    }

    /// Leave every master running for the next CLI process.
    pub async fn detach_all(&self) {
        for conn in self.take_connections().await {
            conn.detach();
        }
    }

    /// End every master (TUI exit), all at once: hundreds of servers cost one round of
    /// local control requests, not one after the other.
    pub async fn close_all(&self) {
        let closing = self
            .take_connections()
            .await
            .into_iter()
            .map(Connection::close);
        futures::future::join_all(closing).await;
    }

    /// Maps a Docker error of `server`; a broken transport also drops the connection. A
    /// request that met a broken socket (its connection was reused without a ping) connects
    /// again with proof: that says what is wrong (a stopped daemon, a refused forward…), or
    /// leaves a working connection for the next action.
    pub(super) async fn fail(&self, server: &Server, e: DockerError) -> Error {
        let broken = matches!(
            e,
            DockerError::Transport(_) | DockerError::Stalled(_) | DockerError::NotDockerApi(_)
        );
        if broken {
            self.drop_connection(&server.uuid).await;
        }
        if broken || matches!(e, DockerError::NotSwarmManager(_)) {
            self.forget_check(&server.uuid);
        }
        if matches!(e, DockerError::Transport(_)) && !server.local {
            let slot = self.slot(&server.uuid);
            let mut guard = slot.lock().await;
            // (Another action may have connected meanwhile: its connection is kept.)
            if guard.is_none() {
                match remote::connect_proven(server, &self.remote).await {
                    Ok(conn) => {
                        *guard = Some(conn);
                        self.revived
                            .lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .insert(server.uuid.clone());
                    }
                    Err(diagnosed) => return diagnosed,
                }
            }
        }
        docker_error(server, e)
    }

    /// Runs the read `attempt`; when it met a reused socket that had broken and `fail` made
    /// a proven connection in its place, runs it once more (a read can be asked again; a
    /// write is never retried this way).
    pub(super) async fn read_again<T, F, Fut>(
        &self,
        server: &Server,
        attempt: F,
    ) -> Result<T, Error>
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = Result<T, Error>>,
    {
        let first = attempt().await;
        let revived = self
            .revived
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&server.uuid);
        match first {
            Err(e) if e.is_unreachable() && revived => attempt().await,
            other => other,
        }
    }

    /// The last live check of `server` within `CHECK_REUSE`, for the same target: this
    /// process's, else one another destui process shared in the runtime directory (a command
    /// right after another pays no `info`).
    pub(super) fn recent_check(&self, server: &Server) -> Option<Server> {
        let key = remote::ssh::connection_key(server, &self.remote);
        let (mode, docker_version) = self.recent_in_process(server, &key).or_else(|| {
            if server.local {
                return None;
            }
            SharedCheck::read(&self.check_file(&server.uuid))
                .filter(|c| c.key == key && c.fresh())
                .map(|c| (c.mode, c.docker_version))
        })?;
        let mut current = server.clone();
        current.mode = mode;
        current.docker_version = docker_version;
        current.online = true;
        current.last_error = None;
        Some(current)
    }

    fn recent_in_process(
        &self,
        server: &Server,
        key: &str,
    ) -> Option<(ServerMode, Option<String>)> {
        let checked = self.checked.lock().unwrap_or_else(|p| p.into_inner());
        let (at, fresh) = checked.get(&server.uuid)?;
        let same_target =
            remote::ssh::connection_key(fresh, &self.remote) == key && fresh.local == server.local;
        (same_target && at.elapsed() < CHECK_REUSE)
            .then(|| (fresh.mode, fresh.docker_version.clone()))
    }

    fn check_file(&self, server_uuid: &str) -> std::path::PathBuf {
        self.remote.runtime_dir.join(format!("{server_uuid}.check"))
    }

    /// The next action checks `server_uuid` live again (its mode may have changed).
    pub(super) fn forget_check(&self, server_uuid: &str) {
        self.checked
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(server_uuid);
        let _ = std::fs::remove_file(self.check_file(server_uuid));
    }

    pub(super) fn remember_check(&self, fresh: &Server) {
        if !fresh.online {
            return self.forget_check(&fresh.uuid);
        }
        self.checked
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(fresh.uuid.clone(), (Instant::now(), fresh.clone()));
        // Shared for the round trips it saves: a local socket's check costs none, and
        // nothing of a local server goes to the runtime directory.
        if fresh.local {
            return;
        }
        let shared = SharedCheck {
            key: remote::ssh::connection_key(fresh, &self.remote),
            mode: fresh.mode,
            docker_version: fresh.docker_version.clone(),
            at: domain::now_unix(),
        };
        shared.write(&self.remote.runtime_dir, &self.check_file(&fresh.uuid));
    }
}
