//! The terminal UI: state + pure update (`app`), drawing (`render`, `panes`, `overlay`), keys
//! (`keymap`), styles (`theme`), the words for errors and warnings (`hints`), and this event loop, which owns the terminal and the task
//! queue and never waits on the network.

pub mod app;
pub mod dialog;
mod form_view;
pub mod hints;
pub mod keymap;
pub mod layout;
pub mod overlay;
pub mod panes;
pub mod render;
pub mod text;
pub mod theme;

use std::time::{Duration, Instant};

use crossterm::event::{DisableMouseCapture, EnableMouseCapture, Event, EventStream};
use crossterm::execute;
use futures::StreamExt;
use ratatui::layout::Rect;

use crate::config::Config;
use crate::domain::Error;
use crate::ops::Ops;
use crate::owner::Served;
use crate::tasks::Queue;
use app::{Action, App, Effect, update};
use keymap::Keymap;
use theme::Theme;
use tokio::sync::mpsc::UnboundedReceiver;

/// How often the spinner moves while something is pending. Nothing redraws on a timer otherwise.
const SPINNER_TICK: Duration = Duration::from_millis(120);

/// Runs the TUI until the user quits. `started` is when the process began, for the log line
/// that records the time to the first frame.
/// `interrupted`: the store holds intents of steps a crash interrupted; they are settled in
/// the background once the first frame is up (reaching their servers may take a while).
pub async fn run(
    ops: Ops,
    config: &Config,
    started: Instant,
    interrupted: bool,
    served: UnboundedReceiver<Served>,
) -> Result<(), Error> {
    use std::io::IsTerminal;
    if !std::io::stdin().is_terminal() || !std::io::stdout().is_terminal() {
        return Err(Error::Invalid(
            "the TUI needs a terminal; in scripts use the commands (destui --help)".into(),
        ));
    }
    let keymap = Keymap::from_config(&config.keys)?;
    let theme = Theme::new(&config.theme, Theme::no_color_requested());
    install_panic_hook();
    let mut terminal =
        ratatui::try_init().map_err(|e| Error::Io(format!("cannot open the terminal: {e}")))?;
    let _ = execute!(std::io::stdout(), EnableMouseCapture);
    let setup = Setup {
        keymap,
        theme,
        started,
        check_every: Duration::from_secs(config.tui.check_interval_seconds),
        interrupted,
        fallback_pool: config.network.pool()?.map(|p| p.to_string()),
    };
    let result = event_loop(&mut terminal, ops.clone(), setup, served).await;
    restore_terminal();
    // Quitting never waits on a stalled server: a connection still being made holds its slot,
    // so closing is bounded; a master not closed in time ends after its idle period.
    if tokio::time::timeout(CLOSE_TIMEOUT, ops.close_all())
        .await
        .is_err()
    {
        tracing::info!("quit: masters left to their idle period");
    }
    result
}

/// How long quitting waits for the ssh masters to close.
const CLOSE_TIMEOUT: Duration = Duration::from_millis(500);

/// What the event loop starts from.
struct Setup {
    keymap: Keymap,
    theme: Theme,
    /// When the process began, for the log line of the time to the first frame.
    started: Instant,
    /// The background check's period (zero: none).
    check_every: Duration,
    /// Intents of interrupted steps wait to be settled.
    interrupted: bool,
    /// `[network] fallback_pool`, for the create dialog.
    fallback_pool: Option<String>,
}

#[allow(clippy::too_many_lines)] // a room to split (issue 29)
#[allow(clippy::panic)] // the deliberate panic of the `tui-panic` failpoint
async fn event_loop(
    terminal: &mut ratatui::DefaultTerminal,
    ops: Ops,
    setup: Setup,
    mut served: UnboundedReceiver<Served>,
) -> Result<(), Error> {
    let Setup {
        keymap,
        theme,
        started,
        check_every,
        interrupted,
        fallback_pool,
    } = setup;
    let io = |e: std::io::Error| Error::Io(format!("terminal: {e}"));
    let size = terminal.size().map_err(io)?;
    let mut app = App::new(
        keymap,
        theme,
        Rect::new(0, 0, size.width, size.height),
        started,
    );
    // A file or two, read once: Tab completes them in the server forms.
    app.ssh_aliases = ops.ssh_aliases().await;
    app.fallback_pool = fallback_pool;
    let watch_options = ops.watch_defaults();
    let (mut watchers, mut live) = crate::live::Watchers::new(ops.clone(), watch_options);
    let (mut queue, mut task_events) = Queue::new(ops);
    let mut input = EventStream::new();
    let mut spinner = tokio::time::interval(SPINNER_TICK);
    spinner.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    // The first background check comes one period after start-up (servers are checked then).
    let checks_on = !check_every.is_zero();
    let period = if checks_on {
        check_every
    } else {
        Duration::from_secs(3600)
    };
    let mut checks = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
    checks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);

    // The first frame is drawn before any task has even been handed to the queue.
    terminal
        .draw(|frame| render::render(frame, &app, Instant::now()))
        .map_err(io)?;
    tracing::info!(
        first_frame_ms = started.elapsed().as_secs_f64() * 1000.0,
        "first frame drawn"
    );
    // For the test that a panic leaves a sane terminal behind.
    if std::env::var("DESTUI_FAILPOINT").is_ok_and(|f| f == "tui-panic") {
        panic!("failpoint tui-panic: a deliberate panic after the first frame");
    }
    let mut effects = app.start();
    if interrupted {
        effects.push(app.settle_interrupted());
    }
    loop {
        for effect in effects.drain(..) {
            match effect {
                Effect::Submit(id, task) => queue.submit(id, task),
                Effect::Watch(servers) => watchers.follow(servers),
                Effect::Quit => return Ok(()),
            }
        }
        let busy = app.busy();
        // Keys first: during an event storm a key never waits behind the changes and results
        // that are ready at the same time.
        let action = tokio::select! {
            biased;
            event = input.next() => match event {
                Some(Ok(Event::Key(key))) => Action::Key(key),
                Some(Ok(Event::Mouse(mouse))) => Action::Mouse(mouse),
                Some(Ok(Event::Resize(w, h))) => Action::Resize(w, h),
                Some(Ok(_)) => continue,
                Some(Err(e)) => return Err(io(e)),
                None => return Ok(()),
            },
            Some(event) = task_events.recv() => {
                queue.observe(&event);
                Action::Task(event)
            }
            Some(served) = served.recv() => Action::Served(served),
            Some(changes) = live.recv() => Action::Live(changes, Instant::now()),
            _ = spinner.tick(), if busy => Action::Tick,
            _ = checks.tick(), if checks_on => Action::CheckAll,
        };
        let key_at = matches!(action, Action::Key(_)).then(Instant::now);
        effects = update(&mut app, action);
        terminal
            .draw(|frame| render::render(frame, &app, Instant::now()))
            .map_err(io)?;
        // For the benchmark's key-to-frame row (DESIGN.md §7): DESTUI_LOG=destui::frames=debug.
        if let Some(at) = key_at {
            tracing::debug!(target: "destui::frames", key_to_frame_us = at.elapsed().as_micros() as u64);
        }
    }
}

fn restore_terminal() {
    let _ = execute!(std::io::stdout(), DisableMouseCapture);
    ratatui::restore();
}

/// A panic restores the terminal first, then the previous hook (color-eyre's) prints the report
/// on a sane screen.
fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore_terminal();
        previous(info);
    }));
}
