//! The command line: clap commands mapped onto `ops`, printed as text or as JSON.
//! Exit codes: 0 done, 1 refused or failed (one line on stderr), 2 usage error (clap).

pub mod output;
mod resources;

use output::{emit, print_json, say, say_block, table, warn_all};

use crate::domain::Error;
use crate::ops::{
    self, CheckRow, DestinationView, HealthStatus, NewDestination, NewServer, Ops, Outcome,
    ScanRow, ServerEdit, ServerView,
};
use clap::{Args, Parser, Subcommand};
use serde::Serialize;
use std::collections::HashSet;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

/// Manage Docker destinations (networks with the reverse proxy attached) on your servers over SSH.
#[derive(Debug, Parser)]
#[command(name = "destui", version, about)]
pub struct Cli {
    /// Data directory (default: the XDG data directory).
    #[arg(long, global = true, env = "DESTUI_DB", value_name = "DIR")]
    pub db: Option<PathBuf>,
    /// ssh config file passed to ssh as -F (Host aliases, keys, ports, known hosts).
    #[arg(long, global = true, env = "DESTUI_SSH_CONFIG", value_name = "FILE")]
    pub ssh_config: Option<PathBuf>,
    /// Print one JSON document on stdout.
    #[arg(long, global = true)]
    pub json: bool,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Docker hosts reached over SSH (or this machine's socket).
    #[command(subcommand)]
    Server(ServerCommand),
    /// Docker networks that apps, databases and services deploy into.
    #[command(subcommand, alias = "dest")]
    Destination(DestinationCommand),
    /// List a server's networks and whether each can be imported.
    Scan {
        /// Server name or uuid.
        server: String,
    },
    /// Import existing networks of a server as destinations.
    Import {
        /// Server name or uuid.
        server: String,
        /// Network names.
        networks: Vec<String>,
        /// Import every importable network.
        #[arg(long, conflicts_with = "networks")]
        all: bool,
    },
    /// Applications, databases and service stacks deployed on destinations.
    #[command(subcommand)]
    Resource(resources::ResourceCommand),
    /// Print a shell completion script.
    Completions { shell: clap_complete::Shell },
}

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
    },
    /// Show the server's host key fingerprint and record it on confirmation.
    Trust {
        server: String,
        /// Record without asking.
        #[arg(long, short)]
        yes: bool,
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
}

#[derive(Debug, Subcommand)]
pub enum DestinationCommand {
    /// Create a destination: a new Docker network with the proxy attached.
    Create {
        /// Server name or uuid.
        #[arg(long)]
        server: String,
        /// Display name (default: <server>-<network>).
        #[arg(long)]
        name: Option<String>,
        /// Docker network name (default: a fresh CUID2); cannot be changed later.
        #[arg(long)]
        network: Option<String>,
        /// Subnet for the network (CIDR), e.g. when Docker's address pools are used up.
        #[arg(long, value_name = "CIDR")]
        subnet: Option<String>,
        /// No outbound traffic from the network (the proxy still reaches it).
        #[arg(long)]
        internal: bool,
    },
    /// List destinations (all, or one server's).
    List {
        #[arg(long)]
        server: Option<String>,
    },
    /// Live details of a destination's network.
    Show { destination: String },
    /// Change a destination's name (its network never changes).
    Rename {
        destination: String,
        new_name: String,
    },
    /// Delete destinations: disconnect the proxy, remove the network, forget the record.
    Delete {
        #[arg(required = true)]
        destinations: Vec<String>,
        /// When the server is unreachable, forget the record anyway.
        #[arg(long)]
        force: bool,
    },
    /// Compare records with the daemons: ok, missing, proxy-detached or unknown.
    Check { destinations: Vec<String> },
    /// Recreate a missing network and reattach the proxy.
    Repair { destination: String },
}

/// Runs one command; returns the process exit code.
pub async fn run(ops: &Ops, command: Command, json: bool) -> i32 {
    match dispatch(ops, command, json).await {
        Ok(code) => code,
        Err(e) => {
            output::fail(&e.to_string());
            1
        }
    }
}

/// Asks on the terminal; without one, refuses and says how to confirm in a script.
fn confirm(question: &str, flag: &str) -> Result<bool, Error> {
    if !std::io::stdin().is_terminal() {
        return Err(Error::Invalid(format!(
            "{question} — not confirmed: pass {flag} to confirm without a terminal"
        )));
    }
    eprint!("{} [y/N] ", output::safe(question));
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    std::io::stdin()
        .read_line(&mut answer)
        .map_err(|e| Error::Io(e.to_string()))?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes"))
}

async fn dispatch(ops: &Ops, command: Command, json: bool) -> Result<i32, Error> {
    match command {
        Command::Server(cmd) => server(ops, cmd, json).await,
        Command::Destination(cmd) => destination(ops, cmd, json).await,
        Command::Resource(cmd) => resources::run(ops, cmd, json).await,
        Command::Scan { server } => {
            let rows = ops.scan(&server).await?;
            if json {
                print_json(&rows)?;
            } else {
                say_block(&scan_table(&rows));
            }
            Ok(0)
        }
        Command::Import {
            server,
            networks,
            all,
        } => {
            let outcome = ops.import(&server, &networks, all).await?;
            emit(json, &outcome, |v| {
                if v.is_empty() {
                    "nothing to import".to_string()
                } else {
                    v.iter()
                        .map(|d| format!("imported {} as {} ({})", d.network, d.name, d.kind))
                        .collect::<Vec<_>>()
                        .join("\n")
                }
            })?;
            Ok(0)
        }
        Command::Completions { shell } => {
            use clap::CommandFactory;
            clap_complete::generate(shell, &mut Cli::command(), "destui", &mut std::io::stdout());
            Ok(0)
        }
    }
}

async fn server(ops: &Ops, cmd: ServerCommand, json: bool) -> Result<i32, Error> {
    match cmd {
        ServerCommand::Add(a) => {
            let outcome = ops
                .add_server(NewServer {
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
                })
                .await?;
            let view = Outcome {
                value: ServerView::from(&outcome.value),
                warnings: outcome.warnings,
            };
            emit(json, &view, |s| {
                format!("added server {} ({}, {})", s.name, s.host, s.mode)
            })?;
            Ok(0)
        }
        ServerCommand::List => {
            let views: Vec<ServerView> =
                ops.servers().await?.iter().map(ServerView::from).collect();
            if json {
                print_json(&views)?;
            } else {
                say_block(&server_table(&views));
            }
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
        ServerCommand::Check { servers } => {
            let targets = if servers.is_empty() {
                ops.servers().await?
            } else {
                let mut v = Vec::new();
                for s in &servers {
                    v.push(ops.server(s).await?);
                }
                v
            };
            if let Some(w) = crate::remote::housekeeping::open_file_warning(targets.len()) {
                output::warn(&w);
            }
            let checks =
                futures::future::join_all(targets.iter().map(|s| ops.check_server(s))).await;
            let mut views = Vec::new();
            let mut all_online = true;
            for check in checks {
                let (fresh, err) = check?;
                all_online &= err.is_none();
                views.push(ServerView::from(&fresh));
            }
            if json {
                print_json(&views)?;
            } else {
                say_block(&server_table(&views));
            }
            if all_online {
                return Ok(0);
            }
            let offline: Vec<&ServerView> = views.iter().filter(|v| !v.online).collect();
            output::fail(&offline_summary(&offline, views.len()));
            Ok(1)
        }
        ServerCommand::Edit(e) => {
            let server = ops
                .edit_server(
                    &e.server,
                    ServerEdit {
                        name: e.name,
                        host: e.host,
                        port: e.port,
                        user: e.user,
                        identity: e.identity,
                        docker_socket: e.docker_socket,
                        proxy_container: e.proxy_container,
                        build_server: e.build_server,
                    },
                )
                .await?;
            let view = ServerView::from(&server);
            if json {
                print_json(&view)?;
            } else {
                say(&format!("updated server {}", view.name));
            }
            Ok(0)
        }
        ServerCommand::Remove { server, force, yes } => {
            if force && !yes {
                let s = ops.server(&server).await?;
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
            let outcome = ops.remove_server(&server, force).await?;
            let view = Outcome {
                value: ServerView::from(&outcome.value),
                warnings: outcome.warnings,
            };
            emit(json, &view, |s| format!("removed server {}", s.name))?;
            Ok(0)
        }
        ServerCommand::Trust { server, yes } => {
            let keys = ops.host_keys(&server).await?;
            if !json {
                say(&format!(
                    "Host keys offered by {} ({}):",
                    keys.server, keys.host_entry
                ));
                for f in &keys.fingerprints {
                    say(&format!("  {}", output::safe(f)));
                }
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
    }
}

async fn destination(ops: &Ops, cmd: DestinationCommand, json: bool) -> Result<i32, Error> {
    match cmd {
        DestinationCommand::Create {
            server,
            name,
            network,
            subnet,
            internal,
        } => {
            let outcome = ops
                .create_destination(NewDestination {
                    server,
                    name,
                    network,
                    subnet,
                    internal,
                })
                .await?;
            emit(json, &outcome, |d| {
                format!(
                    "created destination {} (network {}, {}) on {}",
                    d.name, d.network, d.kind, d.server
                )
            })?;
            Ok(0)
        }
        DestinationCommand::List { server } => {
            let list = ops.destinations(server.as_deref()).await?;
            if json {
                print_json(&list)?;
            } else {
                say_block(&destination_table(&list));
            }
            Ok(0)
        }
        DestinationCommand::Show { destination } => {
            let d = ops.show_destination(&destination).await?;
            if json {
                print_json(&d)?;
            } else {
                say_block(&details_text(&d));
            }
            Ok(0)
        }
        DestinationCommand::Rename {
            destination,
            new_name,
        } => {
            let d = ops.rename_destination(&destination, &new_name).await?;
            if json {
                print_json(&d)?;
            } else {
                say(&format!("renamed to {}", d.name));
            }
            Ok(0)
        }
        DestinationCommand::Delete {
            destinations,
            force,
        } => {
            // Every target is resolved before anything is deleted: one unknown reference
            // refuses the whole command.
            let mut targets: Vec<(&String, String)> = Vec::new();
            let mut seen = HashSet::new();
            for reference in &destinations {
                let (d, _) = ops.destination(reference).await?;
                if seen.insert(d.uuid.clone()) {
                    targets.push((reference, d.uuid));
                }
            }
            let mut deleted = Vec::new();
            let mut failed = false;
            for (reference, uuid) in &targets {
                match ops.delete_destination(uuid, force).await {
                    Ok(outcome) => {
                        warn_all(&outcome.warnings);
                        if !json {
                            say(&format!(
                                "deleted destination {} (network {})",
                                outcome.value.name, outcome.value.network
                            ));
                        }
                        deleted.push(outcome.value);
                    }
                    Err(e) => {
                        failed = true;
                        if targets.len() > 1 {
                            output::fail(&format!("{reference}: {e}"));
                        } else {
                            output::fail(&e.to_string());
                        }
                    }
                }
            }
            if json {
                print_json(&deleted)?;
            }
            Ok(if failed { 1 } else { 0 })
        }
        DestinationCommand::Check { destinations } => {
            let rows = ops.check_destinations(&destinations).await?;
            if json {
                print_json(&rows)?;
            } else {
                say_block(&check_table(&rows));
            }
            let bad: Vec<&CheckRow> = rows
                .iter()
                .filter(|r| r.status != HealthStatus::Ok)
                .collect();
            if bad.is_empty() {
                return Ok(0);
            }
            output::fail(&unhealthy_summary(&bad, rows.len()));
            Ok(1)
        }
        DestinationCommand::Repair { destination } => {
            let outcome = ops.repair_destination(&destination).await?;
            emit(json, &outcome, |r| {
                format!("{}: {}", r.destination, r.status.as_str())
            })?;
            Ok(if outcome.value.status == HealthStatus::Ok {
                0
            } else {
                1
            })
        }
    }
}

// ---------- one-line summaries of a failed check (stderr; the table says the rest) ----------

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

fn unhealthy_summary(bad: &[&CheckRow], checked: usize) -> String {
    let advice = if bad.iter().all(|r| r.status == HealthStatus::Unknown) {
        "their server did not answer: run destui server check, then check again"
    } else {
        "run destui destination repair D for missing or proxy-detached ones; unknown means the server did not answer"
    };
    format!(
        "{} of {checked} destinations are not ok ({}): {advice}",
        bad.len(),
        names(bad.iter().map(|r| r.destination.as_str()))
    )
}

fn names<'a>(all: impl Iterator<Item = &'a str>) -> String {
    all.collect::<Vec<_>>().join(", ")
}

// ---------- text tables ----------

fn server_table(views: &[ServerView]) -> String {
    table(
        &["NAME", "HOST", "MODE", "STATE", "DOCKER", "ERROR"],
        views
            .iter()
            .map(|s| {
                vec![
                    s.name.clone(),
                    s.host.clone(),
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

fn destination_table(list: &[DestinationView]) -> String {
    table(
        &["NAME", "NETWORK", "TYPE", "SERVER", "CREATED"],
        list.iter()
            .map(|d| {
                vec![
                    d.name.clone(),
                    d.network.clone(),
                    d.kind.to_string(),
                    d.server.clone(),
                    d.created_at.clone(),
                ]
            })
            .collect(),
    )
}

fn scan_table(rows: &[ScanRow]) -> String {
    table(
        &["NETWORK", "DRIVER", "SCOPE", "CONTAINERS", "IMPORT"],
        rows.iter()
            .map(|r| {
                let import = match (&r.reason, r.unused) {
                    (Some(reason), _) => reason.clone(),
                    (None, true) => "importable (unused)".into(),
                    (None, false) => "importable".into(),
                };
                vec![
                    r.network.clone(),
                    r.driver.clone(),
                    r.scope.clone(),
                    r.containers.len().to_string(),
                    import,
                ]
            })
            .collect(),
    )
}

fn check_table(rows: &[CheckRow]) -> String {
    table(
        &["DESTINATION", "STATUS", "DETAIL"],
        rows.iter()
            .map(|r| {
                let unused = r
                    .unused
                    .then_some("unused: no container but the proxy, no resource");
                let detail: Vec<&str> = r.detail.as_deref().into_iter().chain(unused).collect();
                vec![
                    r.destination.clone(),
                    r.status.as_str().to_string(),
                    detail.join("; "),
                ]
            })
            .collect(),
    )
}

fn details_text(d: &ops::DestinationDetails) -> String {
    let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
    let flag = |v: Option<bool>| {
        v.map(|b| if b { "yes" } else { "no" })
            .unwrap_or("-")
            .to_string()
    };
    let listed = |items: Vec<String>| {
        if items.is_empty() {
            "-".to_string()
        } else {
            items.join(", ")
        }
    };
    let v = &d.destination;
    let mut labels: Vec<String> = d.labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
    labels.sort();
    let mut rows = vec![
        ("name", v.name.clone()),
        ("network", v.network.clone()),
        ("network id", v.network_id.clone()),
        ("type", v.kind.to_string()),
        ("server", format!("{} ({})", v.server, v.server_ip)),
        ("status", d.status.as_str().to_string()),
        ("driver", opt(&d.driver)),
        ("scope", opt(&d.scope)),
        ("attachable", flag(d.attachable)),
        ("subnet", opt(&d.subnet)),
        ("gateway", opt(&d.gateway)),
        ("proxy attached", flag(d.proxy_connected)),
        ("labels", listed(labels)),
    ];
    let containers: Vec<String> = d
        .containers
        .iter()
        .map(|c| {
            let short: String = c.id.chars().take(12).collect();
            format!("{}  {short}  {}", c.name, c.state)
        })
        .collect();
    rows.push(("containers", listed(containers)));
    rows.push(("resources", listed(d.resources.clone())));
    if let Some(detail) = &d.detail {
        rows.push(("note", detail.clone()));
    }
    // Each value is escaped whole: a label with a line break stays on its row.
    rows.iter()
        .map(|(k, val)| format!("{k:<15} {}\n", output::safe(val)))
        .collect()
}
