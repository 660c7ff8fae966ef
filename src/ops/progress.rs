//! How far a long use case is (DESIGN.md §15): an import attaching the proxy to hundreds of
//! networks, a check of many destinations. The use cases only count their steps; whoever runs
//! one listens (the TUI's task row, a bar on the terminal) for as long as it runs.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// `done` of `total` steps, since `started`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    pub done: usize,
    pub total: usize,
    pub started: Instant,
}

impl Step {
    /// What is left at the pace so far; `None` before the first step is done.
    pub fn remaining(&self, now: Instant) -> Option<Duration> {
        if self.done == 0 {
            return None;
        }
        let per_step = now.duration_since(self.started).as_secs_f64() / self.done as f64;
        let left = self.total.saturating_sub(self.done) as f64;
        Some(Duration::from_secs_f64(per_step * left))
    }

    /// `37/300 · ~42 s left` (the estimate once there is a pace to go by).
    pub fn note(&self, now: Instant) -> String {
        let mut note = format!("{}/{}", self.done, self.total);
        if let Some(left) = self.remaining(now).filter(|_| self.done < self.total) {
            note.push_str(&format!(" · ~{} left", human(left)));
        }
        note
    }
}

/// `42 s`, `3 min 5 s`.
fn human(d: Duration) -> String {
    let secs = d.as_secs_f64().ceil() as u64;
    if secs < 60 {
        format!("{secs} s")
    } else {
        format!("{} min {} s", secs / 60, secs % 60)
    }
}

/// Told of every step of the work it listens to.
pub type Listener = Arc<dyn Fn(Step) + Send + Sync>;

tokio::task_local! {
    static LISTENER: Listener;
}

/// Runs `work`, telling `listener` of its steps (those counted on this task: the use cases
/// count on the task that runs them).
pub async fn reporting<F: Future>(listener: Listener, work: F) -> F::Output {
    LISTENER.scope(listener, work).await
}

/// The steps of one piece of work, told to the listener of the task that counts them.
pub(crate) struct Counter {
    total: usize,
    started: Instant,
    done: AtomicUsize,
}

impl Counter {
    pub(crate) fn start(total: usize) -> Self {
        let counter = Counter {
            total,
            started: Instant::now(),
            done: AtomicUsize::new(0),
        };
        counter.tell(0);
        counter
    }

    /// One more step done.
    pub(crate) fn step(&self) {
        let done = self.done.fetch_add(1, Ordering::SeqCst) + 1;
        self.tell(done);
    }

    fn tell(&self, done: usize) {
        let step = Step {
            done,
            total: self.total,
            started: self.started,
        };
        let _ = LISTENER.try_with(|listener| listener(step));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[test]
    fn the_estimate_follows_the_pace_so_far() {
        let started = Instant::now();
        let at = |secs| started + Duration::from_secs(secs);
        let step = |done| Step {
            done,
            total: 300,
            started,
        };
        assert_eq!(step(0).note(at(5)), "0/300");
        assert_eq!(step(30).note(at(10)), "30/300 · ~1 min 30 s left");
        assert_eq!(step(290).note(at(29)), "290/300 · ~1 s left");
        assert_eq!(step(300).note(at(30)), "300/300");
    }

    #[tokio::test]
    async fn steps_reach_the_listener_of_the_task_that_counts_them() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let keep = seen.clone();
        let listener: Listener = Arc::new(move |s: Step| keep.lock().unwrap().push(s.done));
        reporting(listener, async {
            let counter = Counter::start(2);
            counter.step();
            counter.step();
        })
        .await;
        // Outside `reporting`, counting tells nobody (and does not fail).
        Counter::start(1).step();
        assert_eq!(*seen.lock().unwrap(), vec![0, 1, 2]);
    }
}
