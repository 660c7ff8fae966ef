use clap::Parser;
use destui::cli::{self, Cli};
use destui::config::{self, Config, Paths};
use destui::domain::Error;
use destui::ops::Ops;
use destui::owner::{self, Forwarded, Role};
use destui::remote::runtime_dir;
use destui::store::Store;
use std::path::Path;
use std::time::{Duration, Instant};

#[allow(unsafe_code)] // a libc call: see the SAFETY note at its block
fn main() {
    let started = Instant::now();
    // Everything destui writes (records, logs, control sockets) is its user's alone.
    // SAFETY: umask has no preconditions and cannot fail.
    unsafe {
        libc::umask(0o077);
    }
    let (args, argv) = command_line();
    let code = match run(args, argv, started) {
        Ok(code) => code,
        Err(e) => {
            cli::output::fail(&e.to_string());
            1
        }
    };
    std::process::exit(code);
}

/// The command line, parsed, and as words to forward: relative file paths made the caller's,
/// and what the caller's environment says that the command needs written out (the command
/// may run in the destui holding the data directory, in another directory and environment).
/// A word that is not UTF-8 is left to clap, which refuses it with its own message.
fn command_line() -> (Cli, Vec<String>) {
    let raw: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let Some(words) = raw.iter().map(|a| a.to_str().map(String::from)).collect() else {
        let args = Cli::parse_from(&raw);
        let lossy = raw
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        return (args, lossy);
    };
    let Ok(cwd) = std::env::current_dir() else {
        return (Cli::parse_from(&words), words);
    };
    let argv = cli::paths::absolute_paths(words, &cwd);
    let args = Cli::parse_from(&argv);
    let with_env = cli::paths::with_callers_environment(argv.clone(), &args, &cwd);
    if with_env == argv {
        return (args, argv);
    }
    (Cli::parse_from(&with_env), with_env)
}

fn run(args: Cli, argv: Vec<String>, started: Instant) -> Result<i32, Error> {
    let _ = color_eyre::install();
    let paths = Paths::resolve(args.db.clone());
    let _log_guard = init_logging(&paths);
    let config = Config::load(paths.config_file.as_deref())?;
    let remote =
        config::remote_config(&config, args.ssh_config.clone(), paths.runtime_dir.clone())?;
    // Each server costs open files: take what the hard limit allows (warned about per use).
    destui::remote::housekeeping::raise_open_file_limit();
    // The runtime directory holds root-equivalent sockets: one that another user could use
    // is refused before anything is read from it or put in it (completions and the manual
    // need none).
    if !matches!(
        args.command,
        Some(cli::Command::Completions { .. } | cli::Command::Man { .. })
    ) {
        runtime_dir::ensure_private(&paths.runtime_dir, runtime_dir::Kind::Runtime)?;
    }
    // What masters that expired or were killed left behind goes first (local and quick; the
    // TUI does it off its first frame's path).
    let runtime_dir = paths.runtime_dir.clone();
    if args.command.is_none() {
        std::thread::spawn(move || destui::remote::housekeeping::sweep_stale(&runtime_dir));
    } else {
        destui::remote::housekeeping::sweep_stale(&runtime_dir);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Io(format!("cannot start the async runtime: {e}")))?;
    let code = runtime.block_on(async move {
        let Some(command) = args.command else {
            return run_tui(&paths, remote, &config, started).await;
        };
        match command {
            cli::Command::Completions { shell } => {
                cli::print_completions(shell);
                return Ok(0);
            }
            cli::Command::Man { command } => return cli::print_man(&command).map(|()| 0),
            _ => {}
        }
        let store = match open_or_forward(&paths.data_dir, argv).await? {
            Held::Store(store) => store,
            Held::Elsewhere(code) => return Ok(code),
        };
        let ops = Ops::new(store, remote)
            .with_watch_defaults(config.watch.options())
            .with_fallback_pool(config.network.pool()?);
        // Holding the store, this command serves every other destui on the data directory
        // until it is done (DESIGN.md §10).
        let owner = owner::serve(&paths.data_dir, ops.clone(), Role::Cli, None)?;
        if !command.is_dry_run() && ops.has_intents().await? {
            for note in ops.reconcile().await? {
                cli::output::note(&note);
            }
        }
        let command = cli::with_globals(command, args.ssh_config.as_deref());
        let code = cli::run(&ops, command, args.json).await;
        owner.finish().await;
        ops.detach_all().await;
        Ok(code)
    });
    // A task still waiting on a stalled server (the TUI quit meanwhile) does not hold the exit:
    // what it left half done is settled at the next start.
    runtime.shutdown_timeout(SHUTDOWN_TIMEOUT);
    code
}

/// How long the exit waits for tasks still running (a TUI quit while a server stalls).
const SHUTDOWN_TIMEOUT: Duration = Duration::from_millis(250);

/// How long a command waits for a data directory whose holder is starting or finishing
/// (its lock taken, its socket not answering).
const HOLDER_WAIT: Duration = Duration::from_secs(15);

enum Held {
    /// This process holds the store.
    Store(Store),
    /// The command ran in the destui holding it, with this exit code.
    Elsewhere(i32),
}

/// Opens the store, or runs the command in the destui that holds it.
async fn open_or_forward(data_dir: &Path, argv: Vec<String>) -> Result<Held, Error> {
    let deadline = Instant::now() + HOLDER_WAIT;
    loop {
        match Store::open(data_dir) {
            Ok(store) => return Ok(Held::Store(store)),
            Err(Error::StoreLocked(dir)) => match owner::forward(data_dir, argv.clone()).await? {
                Forwarded::Done(code) => return Ok(Held::Elsewhere(code)),
                Forwarded::NoHolder if Instant::now() < deadline => {}
                Forwarded::NoHolder => return Err(Error::StoreLocked(dir)),
            },
            Err(e) => return Err(e),
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The TUI holds the store for as long as it is open, and serves commands meanwhile; a second
/// TUI is refused with the first one's pid.
async fn run_tui(
    paths: &Paths,
    remote: destui::remote::RemoteConfig,
    config: &Config,
    started: Instant,
) -> Result<i32, Error> {
    let deadline = Instant::now() + HOLDER_WAIT;
    let store = loop {
        match Store::open(&paths.data_dir) {
            Ok(store) => break store,
            Err(Error::StoreLocked(dir)) => match owner::holder(&paths.data_dir).await {
                Some((pid, Role::Tui)) => return Err(Error::TuiAlreadyOpen { dir, pid }),
                // A command holds it for a moment: wait for it.
                _ if Instant::now() < deadline => {}
                _ => return Err(Error::StoreLocked(dir)),
            },
            Err(e) => return Err(e),
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let ops = Ops::new(store, remote)
        .with_watch_defaults(config.watch.options())
        .with_fallback_pool(config.network.pool()?);
    let interrupted = ops.has_intents().await?;
    let (events, served) = tokio::sync::mpsc::unbounded_channel();
    let owner = owner::serve(&paths.data_dir, ops.clone(), Role::Tui, Some(events))?;
    let result = destui::tui::run(ops, config, started, interrupted, served).await;
    // The screen is restored; commands other destui processes run here are finished first
    // (DESIGN.md §10: their clients wait for their output), and the admin is told why.
    let serving = owner.running();
    if serving > 0 {
        cli::output::note(&format!(
            "finishing {serving} command(s) run for other destui processes (Ctrl-C stops them; the next start settles what they left)"
        ));
    }
    owner.finish().await;
    result.map(|()| 0)
}

/// Logs go to a file (never to the terminal the TUI draws on).
fn init_logging(paths: &Paths) -> Option<tracing_appender::non_blocking::WorkerGuard> {
    if destui::store::create_private_dir(&paths.log_dir).is_err() {
        return None;
    }
    let appender = tracing_appender::rolling::never(&paths.log_dir, "destui.log");
    let (writer, guard) = tracing_appender::non_blocking(appender);
    let filter = tracing_subscriber::EnvFilter::try_from_env("DESTUI_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init()
        .ok()?;
    Some(guard)
}
