//! The command line: clap commands mapped onto `ops`, printed as text or as JSON.
//! Exit codes: 0 done, 1 refused or failed (one line on stderr), 2 usage error (clap).

mod destinations;
pub mod output;
pub mod paths;
mod progress;
mod resources;
mod servers;
mod sync;
mod watch;

pub use destinations::DestinationCommand;
pub use servers::{AddServer, EditServer, ServerCommand};

use output::{emit, print_json, say, say_block, table, warn_all};

use crate::domain::{DestinationId, Error};
use crate::ops::{
    self, CheckRow, DestinationView, HealthStatus, NewDestination, NewServer, Ops, Outcome,
    ScanRow, ServerEdit, ServerView,
};
use clap::builder::TypedValueParser as _;
use clap::{Args, Parser, Subcommand};
use serde::Serialize;
use std::collections::HashSet;

use std::path::PathBuf;

/// Manage Docker destinations (networks with the reverse proxy attached) on your servers over SSH.
#[derive(Debug, Parser)]
#[command(name = "destui", version, about)]
pub struct Cli {
    /// Data directory (default: the XDG data directory).
    #[arg(long, global = true, env = "DESTUI_DB", value_name = "DIR")]
    pub db: Option<PathBuf>,
    /// ssh config file passed to ssh as -F (Host aliases, keys, ports, known hosts); without
    /// FILE, the one DESTUI_SSH_CONFIG names, else ~/.ssh/config (`server import --ssh-config`
    /// alone reads the one in use: FILE given before it, else DESTUI_SSH_CONFIG's).
    #[arg(
        long,
        global = true,
        env = "DESTUI_SSH_CONFIG",
        value_name = "FILE",
        num_args = 0..=1,
        default_missing_value = "",
        value_parser = clap::builder::OsStringValueParser::new().map(PathBuf::from)
    )]
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
        /// Change nothing: do every check the real run does, print the steps it would take
        /// (exit 1 with its refusal when it would be refused).
        #[arg(long)]
        dry_run: bool,
    },
    /// Applications, databases and service stacks deployed on destinations.
    #[command(subcommand)]
    Resource(resources::ResourceCommand),
    /// Print one line per change on the servers (all when none is named) until Ctrl-C.
    Watch {
        /// Server names or uuids.
        servers: Vec<String>,
        /// Put back a proxy that something else disconnects (config: [watch] reattach_proxy).
        #[arg(long)]
        reattach_proxy: bool,
    },
    /// Adopt the destinations and resources other data directories made on the servers (all
    /// when none is named) and list the records whose network is gone; removes nothing.
    Sync {
        /// Server names or uuids.
        servers: Vec<String>,
        /// Change nothing: print what would be adopted and which records are missing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Print a shell completion script.
    Completions { shell: clap_complete::Shell },
    /// Print a manual page (roff): `destui man | man -l -`; `destui man destination` prints
    /// destui-destination(1), and so on for every command the pages name.
    Man {
        /// The command whose page to print (none: destui(1)).
        command: Vec<String>,
    },
}

impl Command {
    /// A `--dry-run`: it writes nothing to the data directory, not even the settling of a
    /// change an earlier destui left half done (the next real command settles it).
    pub fn is_dry_run(&self) -> bool {
        use destinations::DestinationCommand as D;
        use resources::ResourceCommand as R;
        use servers::ServerCommand as S;
        match self {
            Command::Import { dry_run, .. } | Command::Sync { dry_run, .. } => *dry_run,
            Command::Destination(
                D::Create { dry_run, .. }
                | D::Rename { dry_run, .. }
                | D::Edit { dry_run, .. }
                | D::Delete { dry_run, .. }
                | D::Repair { dry_run, .. },
            ) => *dry_run,
            Command::Resource(
                R::Create { dry_run, .. } | R::Delete { dry_run, .. } | R::Clone { dry_run, .. },
            ) => *dry_run,
            Command::Server(S::Add(a)) => a.dry_run,
            Command::Server(S::Edit(e)) => e.dry_run,
            Command::Server(S::Import(i)) => i.dry_run,
            Command::Server(S::Remove { dry_run, .. } | S::Trust { dry_run, .. }) => *dry_run,
            _ => false,
        }
    }
}

/// `command` with what it needs of the global flags of its command line: `server import`
/// reads the ssh config file named there (the process running the command may be the destui
/// holding the data directory, whose own is another). An empty name is "the default".
pub fn with_globals(command: Command, ssh_config: Option<&std::path::Path>) -> Command {
    match command {
        Command::Server(servers::ServerCommand::Import(mut import)) => {
            import.ssh_config_file = ssh_config
                .filter(|f| !f.as_os_str().is_empty())
                .map(std::path::Path::to_path_buf);
            Command::Server(servers::ServerCommand::Import(import))
        }
        other => other,
    }
}

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
    use std::io::IsTerminal;
    if output::is_forwarded() || !std::io::stdin().is_terminal() {
        return Err(Error::Invalid(format!(
            "{question} — not confirmed: pass {flag} to confirm without a terminal"
        )));
    }
    output::tell(&format!("{} [y/N] ", output::safe(question)));
    let mut answer = String::new();
    std::io::stdin()
        .read_line(&mut answer)
        .map_err(|e| Error::Io(e.to_string()))?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes"))
}

async fn dispatch(ops: &Ops, command: Command, json: bool) -> Result<i32, Error> {
    match command {
        Command::Server(cmd) => servers::run(ops, cmd, json).await,
        Command::Destination(cmd) => destinations::run(ops, cmd, json).await,
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
            dry_run: true,
        } => {
            let ops = ops.dry_run();
            let plan =
                progress::shown("checking", ops.plan_import(&server, &networks, all)).await?;
            output::print_plan(json, &plan)
        }
        Command::Import {
            server,
            networks,
            all,
            dry_run: false,
        } => {
            let outcome = progress::shown("importing", ops.import(&server, &networks, all)).await?;
            emit(json, &outcome, |v| {
                if v.is_empty() {
                    "nothing to import".to_string()
                } else {
                    let lines: Vec<String> = v
                        .iter()
                        .map(|d| format!("imported {} as {} ({})", d.network, d.name, d.kind))
                        .collect();
                    output::joined(&lines)
                }
            })?;
            Ok(0)
        }
        Command::Watch {
            servers,
            reattach_proxy,
        } => watch::run(ops, &servers, reattach_proxy, json).await,
        Command::Sync {
            servers,
            dry_run: true,
        } => sync::dry_run(&ops.dry_run(), &servers, json).await,
        Command::Sync {
            servers,
            dry_run: false,
        } => sync::run(ops, &servers, json).await,
        Command::Completions { shell } => {
            print_completions(shell);
            Ok(0)
        }
        Command::Man { command } => print_man(&command).map(|()| 0),
    }
}

/// The manual page of `path` (a command and its subcommands: none for destui(1)), on this
/// process's stdout (it needs no data directory), as clap knows the command line.
pub fn print_man(path: &[String]) -> Result<(), Error> {
    use clap::CommandFactory;
    let mut page = Cli::command();
    let mut name = "destui".to_string();
    for word in path {
        page = page.find_subcommand(word).cloned().ok_or_else(|| {
            Error::Invalid(format!(
                "{name} has no command {word}: `destui man` lists them under SUBCOMMANDS"
            ))
        })?;
        name = format!("{name}-{}", page.get_name());
    }
    // The page is named as the SUBCOMMANDS of its parent name it: destui-destination(1).
    let page = page
        .display_name(name.clone())
        .bin_name(name.replace('-', " "));
    match clap_mangen::Man::new(page).render(&mut std::io::stdout()) {
        // A reader that stopped early (`| head`) wanted no more.
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(Error::Io(format!("cannot write the manual page: {e}")))
        }
        _ => Ok(()),
    }
}

/// The completion script for `shell`, on this process's stdout (it needs no data directory).
pub fn print_completions(shell: clap_complete::Shell) {
    use clap::CommandFactory;
    clap_complete::generate(shell, &mut Cli::command(), "destui", &mut std::io::stdout());
}

fn names<'a>(all: impl Iterator<Item = &'a str>) -> String {
    all.collect::<Vec<_>>().join(", ")
}

/// The containers attached, those on the swarm's other nodes included (DESIGN.md §13).
fn containers_cell(r: &ScanRow) -> String {
    let count = r.containers.len() + r.nodes.elsewhere.len();
    if r.nodes.this_node_only {
        format!("{count} (this node only)")
    } else {
        count.to_string()
    }
}

fn scan_table(rows: &[ScanRow]) -> String {
    table(
        &["NETWORK", "DRIVER", "SCOPE", "CONTAINERS", "ROLE", "IMPORT"],
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
                    containers_cell(r),
                    r.role.to_string(),
                    import,
                ]
            })
            .collect(),
    )
}
