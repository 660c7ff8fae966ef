use clap::Parser;
use destui::cli::{self, Cli};
use destui::config::{self, Config, Paths};
use destui::ops::Ops;
use destui::store::Store;

fn main() {
    let started = std::time::Instant::now();
    // Everything destui writes (records, logs, control sockets) is its user's alone.
    // SAFETY: umask has no preconditions and cannot fail.
    unsafe {
        libc::umask(0o077);
    }
    let args = Cli::parse();
    let code = match run(args, started) {
        Ok(code) => code,
        Err(e) => {
            cli::output::fail(&e.to_string());
            1
        }
    };
    std::process::exit(code);
}

fn run(args: Cli, started: std::time::Instant) -> Result<i32, destui::domain::Error> {
    let _ = color_eyre::install();
    let paths = Paths::resolve(args.db.clone());
    let _log_guard = init_logging(&paths);
    let config = Config::load(paths.config_file.as_deref())?;
    let remote = config::remote_config(&config, args.ssh_config.clone(), paths.runtime_dir.clone());
    // Each server costs open files: take what the hard limit allows (warned about per use).
    destui::remote::housekeeping::raise_open_file_limit();
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
        .map_err(|e| destui::domain::Error::Io(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(async move {
        let Some(command) = args.command else {
            let ops = Ops::new(Store::open(&paths.data_dir)?, remote);
            let interrupted = ops.store().has_intents()?;
            destui::tui::run(ops, &config, started, interrupted).await?;
            return Ok(0);
        };
        if let cli::Command::Completions { .. } = command {
            let ops = Ops::new(Store::open(&paths.data_dir)?, remote);
            return Ok(cli::run(&ops, command, args.json).await);
        }
        let store = Store::open(&paths.data_dir)?;
        let ops = Ops::new(store, remote);
        if ops.store().has_intents()? {
            for note in ops.reconcile().await? {
                cli::output::note(&note);
            }
        }
        let code = cli::run(&ops, command, args.json).await;
        ops.detach_all().await;
        Ok(code)
    })
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
