//! Servers: add, edit, check (live), remove, and their host keys.

use super::*;

impl Ops {
    pub async fn servers(&self) -> Result<Vec<Server>, Error> {
        self.db(|s| s.servers()).await
    }

    pub async fn server(&self, reference: &str) -> Result<Server, Error> {
        let reference = reference.to_string();
        self.db(move |s| s.find_server(&reference)).await
    }

    pub async fn add_server(&self, input: NewServer) -> Result<Outcome<Server>, Error> {
        let outcome = self.prepare_server(&input).await?;
        let saved = outcome.value.clone();
        self.db(move |s| s.save_server(&saved)).await?;
        Ok(outcome)
    }

    /// Everything `add_server` does but the save: checked, named, checked live (unless not
    /// asked), its address resolved. `--dry-run` stops here.
    pub(super) async fn prepare_server(&self, input: &NewServer) -> Result<Outcome<Server>, Error> {
        let server = new_record(input)?;
        let name = server.name.clone();
        let taken = self
            .db(move |s| {
                s.check_name_is_not_uuid("server", &name)?;
                Ok(s.find_server(&name).is_ok())
            })
            .await?;
        if taken {
            return Err(Error::ServerNameTaken(server.name));
        }
        let mut server = server;
        server.address = remote::address::resolve(&server, &self.remote).await;
        // Before any connection: a second record of one Docker is refused as import refuses it.
        if let Some((existing, target)) = self.same_docker(&server).await? {
            return Err(Error::SameDocker {
                server: server.name,
                existing: existing.name,
                target: target.to_string(),
            });
        }
        let mut outcome = Outcome::new(server);
        if input.check {
            match self.probe(&outcome.value).await {
                Ok(checked) => {
                    self.remember_check(&checked);
                    outcome.value = checked;
                }
                Err(e) => {
                    return Err(Error::ServerCheckFailed { cause: Box::new(e) });
                }
            }
        } else {
            outcome.warnings.push(Warning::with_hint(
                format!("{} was not checked", outcome.value.name),
                Hint::CheckServer {
                    server: outcome.value.name.clone(),
                },
            ));
        }
        Ok(outcome)
    }

    pub async fn edit_server(&self, reference: &str, edit: ServerEdit) -> Result<Server, Error> {
        let (_, server) = self.edited_server(reference, edit).await?;
        self.drop_connection(&server.uuid).await;
        let saved = server.clone();
        self.db(move |s| s.save_server(&saved)).await?;
        Ok(server)
    }

    /// The record as it is and as `edit` makes it (checked, the address resolved again); not
    /// saved. `--dry-run` stops here.
    pub(super) async fn edited_server(
        &self,
        reference: &str,
        edit: ServerEdit,
    ) -> Result<(Server, Server), Error> {
        let before = self.server(reference).await?;
        let mut server = before.clone();
        if let Some(name) = edit.name {
            domain::validate_display_name("server", &name)?;
            server.name = name;
        }
        if let Some(host) = edit.host {
            server.host = host;
        }
        if edit.port.is_some() {
            server.port = edit.port;
        }
        if edit.user.is_some() {
            server.user = edit.user;
        }
        if edit.identity.is_some() {
            server.identity = absolute_identity(edit.identity);
        }
        if let Some(socket) = edit.docker_socket {
            server.docker_socket = socket;
        }
        if let Some(proxy) = edit.proxy_container {
            server.proxy_container = proxy;
        }
        if let Some(build) = edit.build_server {
            server.build_server = build;
        }
        if let Some(color) = &edit.color {
            server.color = domain::normalize_color(color)?;
        }
        if let Some(read_only) = edit.read_only {
            server.read_only = read_only;
        }
        validate_server(&server)?;
        server.address = remote::address::resolve(&server, &self.remote).await;
        Ok((before, server))
    }

    /// Connects and reads the daemon's info; returns the server with the live state.
    async fn probe(&self, server: &Server) -> Result<Server, Error> {
        let info = self
            .read_again(server, || async {
                let docker = self.docker(server).await?;
                match docker.info().await {
                    Ok(info) => Ok(info),
                    Err(e) => Err(self.fail(server, e).await),
                }
            })
            .await?;
        let mut checked = server.clone();
        checked.mode = info.mode;
        checked.docker_version = Some(info.version);
        checked.online = true;
        checked.last_error = None;
        checked.checked_at = Some(domain::now_unix());
        Ok(checked)
    }

    /// The server's address: the one known, else resolved now (add and edit resolve it
    /// whenever the host changes).
    pub(super) async fn address_of(&self, server: &Server) -> Option<String> {
        match &server.address {
            Some(known) => Some(known.clone()),
            None => remote::address::resolve(server, &self.remote).await,
        }
    }

    /// Live checks of many servers (`server check`): every probe first, all at once; then
    /// the addresses not known yet, a few at a time — none beside the handshakes.
    pub async fn check_servers(
        &self,
        servers: &[Server],
    ) -> Vec<Result<(Server, Option<Error>), Error>> {
        let probed =
            futures::future::join_all(servers.iter().map(|s| self.probe_or_offline(s))).await;
        let recorded = servers
            .iter()
            .zip(probed)
            .map(|(server, (mut fresh, err))| async move {
                fresh.address = self.address_of(server).await;
                self.record_check(fresh, err, true).await
            });
        futures::future::join_all(recorded).await
    }

    /// Live check of one server (`server check`, the TUI's check), and its address resolved
    /// when none is known yet (add and edit resolve it whenever the host changes); the record
    /// is updated either way. Returns the fresh record and the error when it is offline.
    pub async fn check_server(&self, server: &Server) -> Result<(Server, Option<Error>), Error> {
        let (mut fresh, err) = self.probe_or_offline(server).await;
        // After the probe, not beside it, and only when unknown: a check of hundreds of
        // servers starts no `ssh -G` beside their handshakes (measured in CI: one started per
        // check made a reachable server miss its connect timeout on 2 cores).
        fresh.address = self.address_of(server).await;
        self.record_check(fresh, err, true).await
    }

    /// The live check an action makes of its server (the address is left as it is).
    async fn check_live(&self, server: &Server) -> Result<(Server, Option<Error>), Error> {
        let (fresh, err) = self.probe_or_offline(server).await;
        self.record_check(fresh, err, false).await
    }

    /// The server as a probe finds it: checked, or offline with the error. A server that
    /// could not be reached while a wave of connects was under way (hundreds of servers
    /// checked at once) is tried once more when the wave has thinned: the crowd of our own
    /// handshakes, not the server, may have made it miss its timeout (seen in CI: 14 of 180
    /// reachable servers). A refused login or an unknown host key is not tried again.
    pub(super) async fn probe_or_offline(&self, server: &Server) -> (Server, Option<Error>) {
        let slots = &self.remote.connects;
        let probed = match self.probe(server).await {
            Err(e @ Error::Unreachable { .. }) if slots.in_wave() => {
                tracing::info!(server = %server.name, error = %e, "tried again after the wave of connects");
                slots.wave_thinned(self.remote.connect_timeout * 4).await;
                self.probe(server).await
            }
            other => other,
        };
        match probed {
            Ok(s) => (s, None),
            Err(e) => {
                let mut s = server.clone();
                s.online = false;
                s.last_error = Some(e.to_string());
                s.checked_at = Some(domain::now_unix());
                (s, Some(e))
            }
        }
    }

    /// Stores what a check found (and the address, when `with_address`).
    async fn record_check(
        &self,
        fresh: Server,
        err: Option<Error>,
        with_address: bool,
    ) -> Result<(Server, Option<Error>), Error> {
        self.remember_check(&fresh);
        if self.dry_run {
            return Ok((fresh, err));
        }
        let uuid = fresh.uuid.clone();
        let update = fresh.clone();
        // Re-read inside the write so a rename made meanwhile is not undone. A check that
        // changes nothing but the time is not written again within a minute: every action
        // checks its server live, and a flush per action is measurable (issue 6).
        self.db(move |s| {
            if let Some(mut current) = s.server(&uuid)? {
                let unchanged = current.mode == update.mode
                    && current.online == update.online
                    && current.last_error == update.last_error
                    && current.docker_version == update.docker_version
                    && (!with_address || current.address == update.address);
                let recent = match (current.checked_at, update.checked_at) {
                    (Some(before), Some(now)) => now - before < 60,
                    _ => false,
                };
                if unchanged && recent {
                    return Ok(());
                }
                current.mode = update.mode;
                current.online = update.online;
                current.last_error = update.last_error.clone();
                current.checked_at = update.checked_at;
                current.docker_version = update.docker_version.clone();
                if with_address {
                    current.address = update.address.clone();
                }
                s.save_server(&current)?;
            }
            Ok(())
        })
        .await?;
        Ok((fresh, err))
    }

    /// The server, checked live (or within the last `CHECK_REUSE` by this process, for the
    /// same target); its Docker client; refuses when it is offline.
    pub(super) async fn online(&self, server: &Server) -> Result<(Server, DockerApi), Error> {
        if let Some(fresh) = self.recent_check(server) {
            let docker = self.docker(&fresh).await?;
            return Ok((fresh, docker));
        }
        let (fresh, err) = self.check_live(server).await?;
        if let Some(e) = err {
            return Err(e);
        }
        let docker = self.docker(&fresh).await?;
        Ok((fresh, docker))
    }

    pub async fn remove_server(
        &self,
        reference: &str,
        force: bool,
    ) -> Result<Outcome<Server>, Error> {
        let server = self.server(reference).await?;
        let uuid = server.uuid.clone();
        let destinations = self.db(move |s| s.destinations_of(&uuid)).await?;
        let mut outcome = Outcome::new(server.clone());
        if !destinations.is_empty() {
            if !force {
                return Err(Error::ServerHasDestinations {
                    server: server.name.clone(),
                    count: destinations.len(),
                });
            }
            let networks: Vec<&str> = destinations.iter().map(|d| d.network.as_str()).collect();
            outcome.warnings.push(Warning::from(format!(
                "forgot {} destination(s) of {}; their networks ({}) and any containers may remain on the host",
                destinations.len(),
                server.name,
                networks.join(", ")
            )));
        }
        self.drop_connection(&server.uuid).await;
        let uuid = server.uuid.clone();
        self.db(move |s| s.remove_server_with_records(&uuid))
            .await?;
        Ok(outcome)
    }

    /// The host keys the server offers now, and where ssh keeps known keys for it.
    pub async fn host_keys(&self, reference: &str) -> Result<HostKeys, Error> {
        let server = self.server(reference).await?;
        remote::known_hosts::offered(&server, &self.remote).await
    }

    /// Records the keys shown by `host_keys`, replacing older keys of the same host.
    pub async fn trust(&self, keys: HostKeys) -> Result<(), Error> {
        remote::known_hosts::trust(&keys).await
    }
}

/// The identity file as the record keeps it: a relative path is this process's working
/// directory's (the TUI's form; the command line makes its paths absolute before anything
/// else, so that a forwarded command keeps its caller's), stored absolute so that it is the
/// same file wherever destui runs next. `~` is left to ssh.
fn absolute_identity(identity: Option<String>) -> Option<String> {
    let identity = identity?;
    let path = std::path::Path::new(&identity);
    if identity.is_empty()
        || identity.starts_with('~')
        || identity.starts_with('-')
        || path.is_absolute()
    {
        return Some(identity);
    }
    match std::env::current_dir() {
        Ok(cwd) => Some(cwd.join(path).display().to_string()),
        Err(_) => Some(identity),
    }
}

/// The record `input` describes, checked; nothing is stored or connected yet.
pub(super) fn new_record(input: &NewServer) -> Result<Server, Error> {
    domain::validate_display_name("server", &input.name)?;
    let host = match (&input.host, input.local) {
        (Some(h), _) => h.clone(),
        (None, true) => "local".to_string(),
        (None, false) => {
            return Err(Error::Invalid(
                "give --host HOST (or --local for this machine's Docker socket)".into(),
            ));
        }
    };
    let server = Server {
        uuid: ServerId::new_random(),
        name: input.name.clone(),
        host,
        port: input.port,
        user: input.user.clone(),
        identity: absolute_identity(input.identity.clone()),
        docker_socket: input
            .docker_socket
            .clone()
            .unwrap_or_else(|| domain::DEFAULT_DOCKER_SOCKET.to_string()),
        local: input.local,
        build_server: input.build_server,
        proxy_container: input
            .proxy_container
            .clone()
            .unwrap_or_else(|| domain::DEFAULT_PROXY_CONTAINER.to_string()),
        mode: ServerMode::Unknown,
        online: false,
        last_error: None,
        checked_at: None,
        docker_version: None,
        address: None,
        color: match &input.color {
            Some(c) => domain::normalize_color(c)?,
            None => None,
        },
        read_only: input.read_only,
    };
    validate_server(&server)?;
    Ok(server)
}

/// The one guard of a read-only server (DESIGN.md §16), called by every use case that would
/// change something on it — on its daemon, or the records of its destinations and resources —
/// before anything else. Its own record stays editable (`edit_server`), so the mark can be
/// taken off again; `sync` adopts records without changing the daemon and is allowed.
pub(super) fn writable(server: &Server) -> Result<(), Error> {
    if server.read_only {
        return Err(Error::ReadOnly(server.name.clone()));
    }
    Ok(())
}

fn validate_server(s: &Server) -> Result<(), Error> {
    if !s.local {
        domain::validate_host(&s.host)?;
    }
    if let Some(port) = s.port {
        domain::validate_port(port)?;
    }
    if let Some(user) = &s.user {
        domain::validate_user(user)?;
    }
    domain::validate_socket_path(&s.docker_socket)?;
    domain::validate_container_name(&s.proxy_container)?;
    if let Some(identity) = &s.identity
        && (identity.is_empty() || identity.starts_with('-'))
    {
        return Err(Error::Invalid(format!(
            "invalid identity file {identity:?}"
        )));
    }
    Ok(())
}
