//! `destui server …`: add, list, show, check, edit, remove and trust servers.

use super::*;

#[derive(Debug, Subcommand)]
pub enum ServerCommand {
    /// Add a server; it is checked live unless --no-check.
    Add(AddServer),
    /// List servers.
    List,
    /// Show one server.
    Show { server: String },
    /// Check servers live (all when none is named): online state, mode, Docker version.
    Check { servers: Vec<String> },
    /// Every subnet in use on a server, sorted; a destination whose subnet overlaps another
    /// server's destination is marked.
    Addresses { server: String },
    /// Change a server's settings.
    Edit(EditServer),
    /// Remove a server (refused while it has destinations, unless --force).
    Remove {
        server: String,
        /// Forget the server and its destination and resource records (the host is not touched).
        #[arg(long)]
        force: bool,
        /// Do not ask for confirmation.
        #[arg(long, short)]
        yes: bool,
        /// Change nothing: print what would be forgotten (no confirmation is asked).
        #[arg(long)]
        dry_run: bool,
    },
    /// Add the servers of your own setup, each checked live, none twice: the Host aliases of
    /// the ssh config (`--ssh-config [FILE]`, the default source), or the Docker CLI's
    /// contexts (`--docker-contexts`, from $DOCKER_CONFIG or ~/.docker). Only the servers that
    /// answer are added (exit 1 when any did not), unless --no-check.
    Import(ImportServers),
    /// Show the server's host key fingerprint and record it on confirmation.
    Trust {
        server: String,
        /// Record without asking.
        #[arg(long, short)]
        yes: bool,
        /// Change nothing: show the keys and where they would be recorded.
        #[arg(long, conflicts_with = "yes")]
        dry_run: bool,
    },
}

#[derive(Debug, Args)]
pub struct AddServer {
    pub name: String,
    /// Hostname, IP or Host alias of your ssh config.
    #[arg(long)]
    pub host: Option<String>,
    #[arg(long)]
    pub port: Option<u16>,
    #[arg(long)]
    pub user: Option<String>,
    /// Private key file.
    #[arg(long)]
    pub identity: Option<String>,
    /// Docker socket path on the server.
    #[arg(long)]
    pub docker_socket: Option<String>,
    /// Name of the reverse proxy container.
    #[arg(long)]
    pub proxy_container: Option<String>,
    /// A build server: no destinations can be created on it.
    #[arg(long)]
    pub build_server: bool,
    /// Use this machine's Docker socket instead of SSH.
    #[arg(long)]
    pub local: bool,
    /// Save without connecting.
    #[arg(long)]
    pub no_check: bool,
    /// Change nothing: check the server as a real add does and say what would be saved.
    #[arg(long)]
    pub dry_run: bool,
    /// Tint the server and its destinations in the TUI: red, green, yellow, blue, magenta,
    /// cyan or #rrggbb.
    #[arg(long, value_name = "COLOR")]
    pub color: Option<String>,
    /// Refuse every change on the server (its own settings stay editable).
    #[arg(long, value_name = "true|false", num_args = 0..=1, default_missing_value = "true")]
    pub read_only: Option<bool>,
}

#[derive(Debug, Args)]
pub struct ImportServers {
    /// Import the Docker CLI's contexts (ssh:// ones, and unix:// ones on this machine)
    /// instead of the ssh config's Host aliases.
    #[arg(long)]
    pub docker_contexts: bool,
    /// Only the names matching GLOB (`*` and `?`, any case), e.g. 'prod-*'.
    #[arg(long = "match", value_name = "GLOB")]
    pub pattern: Option<String>,
    /// The Docker CLI's config directory to read the contexts from (default: $DOCKER_CONFIG,
    /// else ~/.docker).
    #[arg(long, value_name = "DIR", requires = "docker_contexts")]
    pub docker_config: Option<std::path::PathBuf>,
    /// The Docker socket path on the imported hosts (default: /var/run/docker.sock); a
    /// unix:// context keeps its own.
    #[arg(long, value_name = "PATH")]
    pub docker_socket: Option<String>,
    /// Add every candidate without connecting (unreachable ones too).
    #[arg(long)]
    pub no_check: bool,
    /// The file the global `--ssh-config FILE` names on this command line (set by
    /// `cli::with_globals`), read wherever the command runs.
    #[arg(skip)]
    pub ssh_config_file: Option<std::path::PathBuf>,
    /// Change nothing: check the candidates as a real import does and list what it would add.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct EditServer {
    pub server: String,
    #[arg(long)]
    pub name: Option<String>,
    #[arg(long)]
    pub host: Option<String>,
    #[arg(long)]
    pub port: Option<u16>,
    #[arg(long)]
    pub user: Option<String>,
    #[arg(long)]
    pub identity: Option<String>,
    #[arg(long)]
    pub docker_socket: Option<String>,
    #[arg(long)]
    pub proxy_container: Option<String>,
    #[arg(long, value_name = "true|false")]
    pub build_server: Option<bool>,
    /// red, green, yellow, blue, magenta, cyan, #rrggbb, or none to clear it.
    #[arg(long, value_name = "COLOR")]
    pub color: Option<String>,
    /// Refuse (true) or allow (false) every change on the server.
    #[arg(long, value_name = "true|false")]
    pub read_only: Option<bool>,
    /// Change nothing: check the new settings and say what would change.
    #[arg(long)]
    pub dry_run: bool,
}

pub(super) async fn run(ops: &Ops, cmd: ServerCommand, json: bool) -> Result<i32, Error> {
    match cmd {
        ServerCommand::Add(a) => add(ops, a, json).await,
        ServerCommand::List => {
            let views: Vec<ServerView> =
                ops.servers().await?.iter().map(ServerView::from).collect();
            print_servers(&views, json)?;
            Ok(0)
        }
        ServerCommand::Addresses { server } => {
            let outcome = ops.addresses(&server).await?;
            emit(json, &outcome, |rows| addresses_table(rows))?;
            Ok(0)
        }
        ServerCommand::Show { server } => {
            let view = ServerView::from(&ops.server(&server).await?);
            if json {
                print_json(&view)?;
            } else {
                say_block(&server_table(std::slice::from_ref(&view)));
            }
            Ok(0)
        }
        ServerCommand::Check { servers } => check(ops, &servers, json).await,
        ServerCommand::Edit(e) => edit(ops, e, json).await,
        ServerCommand::Remove {
            server,
            force,
            dry_run: true,
            ..
        } => output::print_plan(
            json,
            &ops.dry_run().plan_remove_server(&server, force).await?,
        ),
        ServerCommand::Remove {
            server,
            force,
            yes,
            dry_run: false,
        } => remove(ops, &server, force, yes, json).await,
        ServerCommand::Trust {
            server,
            yes,
            dry_run,
        } => trust(ops, &server, yes, dry_run, json).await,
        ServerCommand::Import(i) => import(ops, i, json).await,
    }
}

impl From<AddServer> for NewServer {
    fn from(a: AddServer) -> Self {
        NewServer {
            name: a.name,
            host: a.host,
            port: a.port,
            user: a.user,
            identity: a.identity,
            docker_socket: a.docker_socket,
            proxy_container: a.proxy_container,
            build_server: a.build_server,
            local: a.local,
            check: !a.no_check,
            color: a.color,
            read_only: a.read_only.unwrap_or(false),
        }
    }
}

impl From<EditServer> for ServerEdit {
    fn from(e: EditServer) -> Self {
        ServerEdit {
            name: e.name,
            host: e.host,
            port: e.port,
            user: e.user,
            identity: e.identity,
            docker_socket: e.docker_socket,
            proxy_container: e.proxy_container,
            build_server: e.build_server,
            color: e.color,
            read_only: e.read_only,
        }
    }
}

/// The servers as a table, or as a JSON array.
fn print_servers(views: &[ServerView], json: bool) -> Result<(), Error> {
    if json {
        print_json(&views)
    } else {
        say_block(&server_table(views));
        Ok(())
    }
}

async fn add(ops: &Ops, a: AddServer, json: bool) -> Result<i32, Error> {
    if a.dry_run {
        return output::print_plan(json, &ops.dry_run().plan_add_server(&a.into()).await?);
    }
    let outcome = ops.add_server(a.into()).await?;
    let view = Outcome {
        value: ServerView::from(&outcome.value),
        warnings: outcome.warnings,
    };
    emit(json, &view, |s| {
        format!("added server {} ({}, {})", s.name, s.host, s.mode)
    })?;
    Ok(0)
}

/// Checks the named servers (all when none is named) at once; exit 1 when any is offline.
async fn check(ops: &Ops, servers: &[String], json: bool) -> Result<i32, Error> {
    let targets = if servers.is_empty() {
        ops.servers().await?
    } else {
        let mut v = Vec::new();
        for s in servers {
            v.push(ops.server(s).await?);
        }
        v
    };
    if let Some(w) = crate::remote::housekeeping::open_file_warning(targets.len()) {
        output::warn(&w);
    }
    let checks = ops.check_servers(&targets).await;
    let mut views = Vec::new();
    let mut all_online = true;
    for check in checks {
        let (fresh, err) = check?;
        all_online &= err.is_none();
        views.push(ServerView::from(&fresh));
    }
    print_servers(&views, json)?;
    if all_online {
        return Ok(0);
    }
    let offline: Vec<&ServerView> = views.iter().filter(|v| !v.online).collect();
    output::fail(&offline_summary(&offline, views.len()));
    Ok(1)
}

async fn edit(ops: &Ops, e: EditServer, json: bool) -> Result<i32, Error> {
    if e.dry_run {
        let reference = e.server.clone();
        let plan = ops.dry_run().plan_edit_server(&reference, e.into()).await?;
        return output::print_plan(json, &plan);
    }
    let server = ops.edit_server(&e.server.clone(), e.into()).await?;
    let view = ServerView::from(&server);
    if json {
        print_json(&view)?;
    } else {
        say(&format!("updated server {}", view.name));
    }
    Ok(0)
}

async fn remove(ops: &Ops, server: &str, force: bool, yes: bool, json: bool) -> Result<i32, Error> {
    if force && !yes {
        let s = ops.server(server).await?;
        let count = ops.destinations(Some(&s.uuid)).await?.len();
        if count > 0
            && !confirm(
                &format!(
                    "Forget server {} and the records of its {count} destination(s)?",
                    s.name
                ),
                "--yes",
            )?
        {
            return Err(Error::Invalid("nothing was removed".into()));
        }
    }
    let outcome = ops.remove_server(server, force).await?;
    let view = Outcome {
        value: ServerView::from(&outcome.value),
        warnings: outcome.warnings,
    };
    emit(json, &view, |s| format!("removed server {}", s.name))?;
    Ok(0)
}

/// Adds the servers of the ssh config or the Docker contexts; exit 1 when any did not answer.
async fn import(ops: &Ops, i: ImportServers, json: bool) -> Result<i32, Error> {
    let source = if i.docker_contexts {
        ops::ServerSource::DockerContexts(i.docker_config.clone())
    } else {
        ops::ServerSource::SshConfig(i.ssh_config_file.clone())
    };
    let report = ops
        .import_servers(
            source,
            i.pattern.as_deref(),
            i.docker_socket.as_deref(),
            !i.no_check,
            i.dry_run,
        )
        .await?;
    if json {
        print_json(&report)?;
    } else {
        say(&import_text(&report));
    }
    if report.unreachable.is_empty() {
        return Ok(0);
    }
    let names = names(report.unreachable.iter().map(|u| u.name.as_str()));
    output::fail(&format!(
        "{} server(s) did not answer and were not added ({names}): fix them, or pass --no-check to add them anyway",
        report.unreachable.len()
    ));
    Ok(1)
}

fn import_text(r: &ops::ServerImport) -> String {
    let mut lines = Vec::new();
    let (added, would) = if r.dry_run {
        ("would add", "dry run: nothing changed; ")
    } else {
        ("added", "")
    };
    for s in &r.added {
        lines.push(format!("{added} {} ({}, {})", s.name, s.host, s.mode));
    }
    for s in &r.skipped {
        lines.push(format!("skipped {}: {}", s.name, s.reason));
    }
    for s in &r.unreachable {
        lines.push(format!("not added {}: {}", s.name, s.error));
    }
    lines.push(format!(
        "{would}from {}: {} {added}, {} skipped, {} unreachable",
        r.source,
        r.added.len(),
        r.skipped.len(),
        r.unreachable.len()
    ));
    output::joined(&lines)
}

/// Shows the host keys, records them once confirmed; exit 1 when the admin said no.
async fn trust(
    ops: &Ops,
    server: &str,
    yes: bool,
    dry_run: bool,
    json: bool,
) -> Result<i32, Error> {
    let keys = ops.host_keys(server).await?;
    if !json {
        say(&format!(
            "Host keys offered by {} ({}):",
            keys.server, keys.host_entry
        ));
        for f in &keys.fingerprints {
            say(&format!("  {}", output::safe(f)));
        }
    }
    if dry_run {
        return output::print_plan(
            json,
            &ops::Plan::of(
                format!("trust the host keys of {}", keys.server),
                vec![format!("record them in {}", keys.known_hosts_file)],
            ),
        );
    }
    let recorded = yes
        || confirm(
            &format!("Record these keys in {}?", keys.known_hosts_file),
            "--yes",
        )?;
    if recorded {
        ops.trust(keys.clone()).await?;
    }
    if json {
        #[derive(Serialize)]
        struct Trusted<'a> {
            #[serde(flatten)]
            keys: &'a ops::HostKeys,
            recorded: bool,
        }
        print_json(&Trusted {
            keys: &keys,
            recorded,
        })?;
    } else if recorded {
        say(&format!("recorded in {}", keys.known_hosts_file));
    }
    Ok(if recorded { 0 } else { 1 })
}

fn offline_summary(offline: &[&ServerView], checked: usize) -> String {
    match offline {
        // The stored error already names the server and says what to do.
        [one] => one
            .last_error
            .clone()
            .unwrap_or_else(|| format!("{} is offline", one.name)),
        many => format!(
            "{} of {checked} servers are offline ({}): see the ERROR column",
            many.len(),
            names(many.iter().map(|v| v.name.as_str()))
        ),
    }
}

fn server_table(views: &[ServerView]) -> String {
    table(
        &[
            "NAME", "HOST", "ADDRESS", "MODE", "STATE", "DOCKER", "ERROR",
        ],
        views
            .iter()
            .map(|s| {
                vec![
                    s.name.clone(),
                    s.host.clone(),
                    // What the host resolves to (DESIGN.md §15); unknown until resolved.
                    s.address.clone().unwrap_or_else(|| "-".into()),
                    s.mode.to_string(),
                    match (s.online, &s.checked_at) {
                        (true, _) => "online".into(),
                        (false, Some(_)) => "offline".into(),
                        // Added with --no-check: nothing is known yet.
                        (false, None) => "not checked".into(),
                    },
                    s.docker_version.clone().unwrap_or_default(),
                    s.last_error.clone().unwrap_or_default(),
                ]
            })
            .collect(),
    )
}

fn addresses_table(rows: &[crate::ops::AddressRow]) -> String {
    if rows.is_empty() {
        return "no network on this server has an address range".to_string();
    }
    table(
        &[
            "SUBNET",
            "NETWORK",
            "GATEWAY",
            "DRIVER",
            "SCOPE",
            "DESTINATION",
            "OVERLAPS",
        ],
        rows.iter()
            .map(|r| {
                vec![
                    r.subnet.clone(),
                    r.network.clone(),
                    r.gateway.clone().unwrap_or_else(|| "-".into()),
                    r.driver.clone(),
                    r.scope.clone(),
                    r.destination.clone().unwrap_or_else(|| "-".into()),
                    if r.overlaps.is_empty() {
                        "-".into()
                    } else {
                        format!("overlaps {}", r.overlaps.join(", "))
                    },
                ]
            })
            .collect(),
    )
}
