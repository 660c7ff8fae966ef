//! A bar on the terminal for long work (DESIGN.md §15): an import or a check of many shows how
//! far it is and about how long is left — on stderr, only when stderr is a terminal this
//! process owns, and only once the work has taken a moment (quick work shows nothing). Scripts,
//! pipes, JSON and forwarded commands see nothing of it.

use std::future::Future;
use std::io::IsTerminal;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::output;
use crate::ops::progress::{Listener, Step, reporting};

/// Work that ends sooner than this shows no bar.
const SHOW_AFTER: Duration = Duration::from_millis(400);

/// Runs `work`, with a bar named `label` on the terminal while it lasts.
pub async fn shown<F: Future>(label: &str, work: F) -> F::Output {
    if output::is_forwarded() || !std::io::stderr().is_terminal() {
        return work.await;
    }
    let bar: Arc<Mutex<Option<ProgressBar>>> = Arc::default();
    let keep = bar.clone();
    let label = label.to_string();
    let listener: Listener = Arc::new(move |step: Step| {
        let mut bar = keep.lock().unwrap_or_else(|p| p.into_inner());
        if bar.is_none() && step.done < step.total && step.started.elapsed() >= SHOW_AFTER {
            *bar = Some(new_bar(&label, step.total));
        }
        if let Some(bar) = bar.as_ref() {
            bar.set_position(step.done as u64);
            bar.set_message(format!("{label} {}", step.note(Instant::now())));
        }
    });
    let result = reporting(listener, work).await;
    if let Some(bar) = bar.lock().unwrap_or_else(|p| p.into_inner()).take() {
        bar.finish_and_clear();
    }
    result
}

fn new_bar(label: &str, total: usize) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template("[{bar:30}] {msg}") {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(label.to_string());
    bar
}
