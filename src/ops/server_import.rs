//! `server import`: the servers of the admin's own setup (DESIGN.md §16) — the Host aliases
//! of the ssh config, or the Docker CLI's contexts — each checked live (all at once, as a
//! check of many servers is), none added twice: not under a name taken, nor when it reaches
//! the same daemon as a server already recorded (or one earlier in the same import).
//!
//! Only the servers that answer are added: an admin importing a config full of old aliases
//! gets the ones that work, and a list of those that did not (with `check: false` every
//! candidate is added unchecked, as `server add --no-check` adds one).

use super::servers::new_record;
use super::*;
use crate::remote::{docker_contexts, ssh_config};

/// Where `server import` finds servers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerSource {
    /// The Host aliases of this ssh config file, else of the one in use (`--ssh-config`, else
    /// ~/.ssh/config). A command forwarded to the destui holding the data directory names
    /// its caller's file here: the holder's own may be another.
    SshConfig(Option<std::path::PathBuf>),
    /// The contexts of this Docker config directory, else of `$DOCKER_CONFIG` or ~/.docker
    /// (a forwarded command names its caller's).
    DockerContexts(Option<std::path::PathBuf>),
}

/// What an import did, list by list (the JSON keys of `server import --json`).
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct ServerImport {
    /// `--dry-run`: `added` lists what would be added; nothing was saved.
    pub dry_run: bool,
    /// The file or directory read.
    pub source: String,
    pub added: Vec<ServerView>,
    pub skipped: Vec<SkippedServer>,
    /// Checked and not reached: not added.
    pub unreachable: Vec<UnreachableServer>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SkippedServer {
    pub name: String,
    /// The alias or the endpoint, as the source writes it.
    pub host: String,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct UnreachableServer {
    pub name: String,
    pub host: String,
    pub error: String,
}

/// One server a source offers, or why it cannot be one.
struct Offered {
    name: String,
    host: String,
    input: Result<NewServer, String>,
}

/// The daemon a record reaches: what two records must share to be one server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Target {
    Local {
        socket: String,
    },
    /// As `ssh -G` resolves it (an alias and the host it names are one target).
    Ssh {
        user: String,
        hostname: String,
        port: String,
        socket: String,
    },
}

impl std::fmt::Display for Target {
    /// What two records share when they reach one Docker, as a refusal names it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Target::Local { socket } => write!(f, "same socket {socket} on this machine"),
            Target::Ssh {
                user,
                hostname,
                port,
                socket,
            } => write!(
                f,
                "same host, port, user and socket: {user}@{hostname}:{port} {socket}"
            ),
        }
    }
}

impl Ops {
    /// The recorded server that reaches the same Docker as `s` (a record not saved yet), and
    /// what they share. Only the records that may be it are resolved with `ssh -G`: on the
    /// same socket, and neither their own port or user nor their known address (when `s`'s
    /// is known) telling them apart.
    pub(super) async fn same_docker(&self, s: &Server) -> Result<Option<(Server, Target)>, Error> {
        let target = self.target(s).await;
        let (user, port) = match &target {
            Target::Ssh { user, port, .. } => (user.as_str(), port.as_str()),
            Target::Local { .. } => ("", ""),
        };
        let maybe: Vec<Server> = (self.servers().await?.into_iter())
            .filter(|e| e.local == s.local && e.docker_socket == s.docker_socket)
            .filter(|e| s.local || e.port.is_none_or(|p| p.to_string() == port))
            .filter(|e| s.local || e.user.as_ref().is_none_or(|u| u.to_lowercase() == user))
            .filter(|e| match (&e.address, &s.address) {
                (Some(theirs), Some(ours)) => theirs == ours,
                _ => true,
            })
            .collect();
        let targets = self.targets(&maybe).await;
        Ok(maybe
            .into_iter()
            .zip(targets)
            .find(|(_, t)| *t == target)
            .map(|(e, _)| (e, target)))
    }

    /// Adds the servers `source` offers whose name matches `pattern` (`*` and `?`, any case),
    /// those reached over ssh on the Docker socket `socket` (default: Docker's): see the
    /// module's comment.
    #[allow(clippy::too_many_lines)] // a room to split (issue 29)
    pub async fn import_servers(
        &self,
        source: ServerSource,
        pattern: Option<&str>,
        socket: Option<&str>,
        check: bool,
        dry_run: bool,
    ) -> Result<ServerImport, Error> {
        if let Some(socket) = socket {
            domain::validate_socket_path(socket)?;
        }
        let in_use = self.remote.ssh_config.clone();
        let (place, mut offered) = tokio::task::spawn_blocking(move || match source {
            ServerSource::SshConfig(file) => from_ssh_config(file.or(in_use)),
            ServerSource::DockerContexts(dir) => from_docker_contexts(dir),
        })
        .await
        .map_err(|e| Error::Io(format!("reading the servers to import failed: {e}")))??;
        if let Some(pattern) = pattern {
            let pattern = pattern.to_lowercase();
            offered.retain(|o| ssh_config::wildcard(&pattern, &o.name.to_lowercase()));
        }
        // A unix:// context names its own socket; the ssh ones take the one given.
        for input in offered.iter_mut().filter_map(|o| o.input.as_mut().ok()) {
            if !input.local && socket.is_some() {
                input.docker_socket = socket.map(str::to_string);
            }
        }
        let mut report = ServerImport {
            dry_run,
            source: place,
            ..Default::default()
        };
        let existing = self.servers().await?;
        let mut named: Vec<Server> = Vec::new();
        for o in offered {
            let skip = |reason: String| SkippedServer {
                name: o.name.clone(),
                host: o.host.clone(),
                reason,
            };
            let record = o
                .input
                .and_then(|input| new_record(&input).map_err(|e| e.to_string()));
            match record {
                Err(reason) => report.skipped.push(skip(reason)),
                Ok(s) if existing.iter().any(|e| e.name == s.name) => report
                    .skipped
                    .push(skip(Error::ServerNameTaken(s.name.clone()).to_string())),
                Ok(s) if named.iter().any(|e| e.name == s.name) => report
                    .skipped
                    .push(skip("named twice in the source".into())),
                Ok(s) => named.push(s),
            }
        }
        let candidates = self.new_targets(&existing, named, &mut report).await;
        let added = if check {
            self.reachable(candidates, &mut report).await
        } else {
            let resolved = candidates.into_iter().map(|mut s| async move {
                s.address = remote::address::resolve(&s, &self.remote).await;
                s
            });
            futures::future::join_all(resolved).await
        };
        if dry_run {
            report.added = added.iter().map(ServerView::from).collect();
            return Ok(report);
        }
        let hosts: Vec<String> = added.iter().map(|s| s.host.clone()).collect();
        let saved = self
            .db(move |store| {
                let mut saved = Vec::new();
                for s in added {
                    // Taken meanwhile (another process added it): skipped, never overwritten.
                    let refused = match store.check_name_is_not_uuid("server", &s.name) {
                        Err(e) => Some(e),
                        Ok(()) if store.find_server(&s.name).is_ok() => {
                            Some(Error::ServerNameTaken(s.name.clone()))
                        }
                        Ok(()) => None,
                    };
                    match refused {
                        Some(e) => saved.push(Err((s.name.clone(), e.to_string()))),
                        None => {
                            store.save_server(&s)?;
                            saved.push(Ok(s));
                        }
                    }
                }
                Ok(saved)
            })
            .await?;
        for (result, host) in saved.into_iter().zip(hosts) {
            match result {
                Ok(s) => report.added.push(ServerView::from(&s)),
                Err((name, reason)) => report.skipped.push(SkippedServer { name, host, reason }),
            }
        }
        Ok(report)
    }

    /// The Host aliases of the ssh config in use, for Tab in the TUI's server forms; none when
    /// there is no config.
    pub async fn ssh_aliases(&self) -> Vec<String> {
        let file = self
            .remote
            .ssh_config
            .clone()
            .or_else(ssh_config::default_path);
        let read = tokio::task::spawn_blocking(move || {
            file.map(|f| ssh_config::host_aliases(&f))
                .unwrap_or_default()
        });
        read.await.unwrap_or_default()
    }

    /// `named`, less those that reach a daemon recorded already or offered earlier (skipped).
    async fn new_targets(
        &self,
        existing: &[Server],
        named: Vec<Server>,
        report: &mut ServerImport,
    ) -> Vec<Server> {
        let known = self.targets(existing).await;
        let offered = self.targets(&named).await;
        let mut kept: Vec<(Server, Target)> = Vec::new();
        for (s, target) in named.into_iter().zip(offered) {
            let same = existing
                .iter()
                .zip(&known)
                .find(|(_, t)| **t == target)
                .map(|(e, _)| format!("reaches the same Docker as server {}", e.name))
                .or_else(|| {
                    kept.iter().find(|(_, t)| *t == target).map(|(e, _)| {
                        format!(
                            "reaches the same Docker as {}, imported just before",
                            e.name
                        )
                    })
                });
            match same {
                Some(reason) => report.skipped.push(SkippedServer {
                    name: s.name.clone(),
                    host: s.host.clone(),
                    reason,
                }),
                None => kept.push((s, target)),
            }
        }
        kept.into_iter().map(|(s, _)| s).collect()
    }

    /// The targets of `servers`, a few `ssh -G` at a time.
    async fn targets(&self, servers: &[Server]) -> Vec<Target> {
        let mut targets = Vec::with_capacity(servers.len());
        for few in servers.chunks(8) {
            targets.extend(futures::future::join_all(few.iter().map(|s| self.target(s))).await);
        }
        targets
    }

    /// The daemon `s` reaches: its socket, or where `ssh -G` says its host is (the host as
    /// written when ssh cannot read the config).
    async fn target(&self, s: &Server) -> Target {
        if s.local {
            return Target::Local {
                socket: s.docker_socket.clone(),
            };
        }
        let options = remote::ssh::resolved_options(s, &self.remote)
            .await
            .unwrap_or_default();
        let get = |key: &str, given: Option<String>| {
            options
                .get(key)
                .cloned()
                .or(given)
                .unwrap_or_default()
                .to_lowercase()
        };
        Target::Ssh {
            user: get("user", s.user.clone()),
            hostname: get("hostname", Some(s.host.clone())),
            port: get("port", s.port.map(|p| p.to_string())),
            socket: s.docker_socket.clone(),
        }
    }

    /// The candidates checked live, all at once: those that answered (with their mode and
    /// address), the others listed as unreachable.
    async fn reachable(&self, candidates: Vec<Server>, report: &mut ServerImport) -> Vec<Server> {
        let probed =
            futures::future::join_all(candidates.iter().map(|s| self.probe_or_offline(s))).await;
        let mut answered = Vec::new();
        for (fresh, err) in probed {
            match err {
                None => answered.push(fresh),
                Some(e) => {
                    self.drop_connection(&fresh.uuid).await;
                    report.unreachable.push(UnreachableServer {
                        name: fresh.name.clone(),
                        host: fresh.host.clone(),
                        error: e.to_string(),
                    });
                }
            }
        }
        let resolved = answered.into_iter().map(|mut s| async move {
            s.address = self.address_of(&s).await;
            s
        });
        futures::future::join_all(resolved).await
    }
}

/// The ssh config's concrete Host aliases, each offered under its own name with the alias as
/// its host (ssh then takes the user, port and key from the config).
fn from_ssh_config(file: Option<std::path::PathBuf>) -> Result<(String, Vec<Offered>), Error> {
    let Some(file) = file.or_else(ssh_config::default_path) else {
        return Err(Error::Invalid(
            "no ssh config: HOME is not set; give --ssh-config FILE".into(),
        ));
    };
    if !file.is_file() {
        return Err(Error::Invalid(format!(
            "no ssh config at {}: give --ssh-config FILE",
            file.display()
        )));
    }
    let offered = ssh_config::host_aliases(&file)
        .into_iter()
        .map(|alias| Offered {
            name: alias.clone(),
            host: alias.clone(),
            input: Ok(NewServer {
                name: alias.clone(),
                host: Some(alias),
                ..Default::default()
            }),
        })
        .collect();
    Ok((file.display().to_string(), offered))
}

/// The Docker contexts: an ssh endpoint becomes a server on its host (user and port as the
/// URL gives them, the default socket); a unix one a local server on that socket, when it is
/// a socket on this machine; anything else is skipped with the reason.
fn from_docker_contexts(dir: Option<std::path::PathBuf>) -> Result<(String, Vec<Offered>), Error> {
    use docker_contexts::Endpoint;
    let Some(dir) = dir.or_else(docker_contexts::store_dir) else {
        return Err(Error::Invalid(
            "no Docker config: neither DOCKER_CONFIG nor HOME is set".into(),
        ));
    };
    let (contexts, broken) = docker_contexts::contexts(&dir);
    let mut offered: Vec<Offered> = broken
        .into_iter()
        .map(|file| Offered {
            name: file.clone(),
            host: String::new(),
            input: Err("cannot be read as a Docker context (meta.json)".into()),
        })
        .collect();
    for c in contexts {
        let (host, input) = match c.endpoint {
            Endpoint::Ssh { user, host, port } => {
                let shown = format!(
                    "ssh://{}{host}{}",
                    user.as_deref().map(|u| format!("{u}@")).unwrap_or_default(),
                    port.map(|p| format!(":{p}")).unwrap_or_default()
                );
                let input = NewServer {
                    name: c.name.clone(),
                    host: Some(host),
                    port,
                    user,
                    ..Default::default()
                };
                (shown, Ok(input))
            }
            Endpoint::Unix(path) => {
                let input = if is_local_socket(&path) {
                    Ok(NewServer {
                        name: c.name.clone(),
                        local: true,
                        docker_socket: Some(path.clone()),
                        ..Default::default()
                    })
                } else {
                    Err(format!(
                        "{path} is not a socket on this machine (a unix endpoint is used as a local server only here)"
                    ))
                };
                (format!("unix://{path}"), input)
            }
            Endpoint::Other(url) => {
                let why = "destui reaches Docker over ssh or this machine's socket: use an ssh:// context".to_string();
                (url, Err(why))
            }
            Endpoint::None => (
                String::new(),
                Err("the context has no Docker endpoint".into()),
            ),
        };
        offered.push(Offered {
            name: c.name,
            host,
            input,
        });
    }
    Ok((dir.display().to_string(), offered))
}

fn is_local_socket(path: &str) -> bool {
    use std::os::unix::fs::FileTypeExt;
    std::fs::metadata(path).is_ok_and(|m| m.file_type().is_socket())
}
