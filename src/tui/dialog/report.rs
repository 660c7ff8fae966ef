//! The dependency reports inside a delete confirmation (DESIGN.md §15): one per destination,
//! summed; what would block the delete, and the dependants as warnings. `y` waits for them.

use crate::domain::DestinationId;
use crate::ops::DeleteReport;

/// How a line of the report reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Plain,
    Warning,
    Blocked,
}

#[derive(Debug, Clone, Default)]
pub struct DeleteCheck {
    /// The destinations whose report has not come back yet.
    pub waiting: Vec<DestinationId>,
    pub reports: Vec<DeleteReport>,
    /// `name: error` of each report that failed.
    pub failed: Vec<String>,
    /// `y` was pressed before the reports were in: the delete goes ahead once they are,
    /// if they have nothing to tell (otherwise they are shown, and `y` is asked again).
    pub confirmed_early: bool,
}

impl DeleteCheck {
    pub fn new(targets: Vec<DestinationId>) -> Self {
        DeleteCheck {
            waiting: targets,
            ..Default::default()
        }
    }

    /// Every report answered (or failed): the confirmation may be answered.
    pub fn done(&self) -> bool {
        self.waiting.is_empty()
    }

    /// Every report is in and has nothing to tell: nothing blocks, nothing depends, nothing
    /// unknown.
    pub fn clear(&self) -> bool {
        self.done()
            && self.failed.is_empty()
            && self.reports.iter().all(|r| {
                !r.blocked
                    && r.unknown.is_none()
                    && r.dependants.as_ref().is_some_and(|d| d.is_empty())
            })
    }

    /// The destinations whose report says the delete would be refused (attached containers,
    /// resources): they are never asked for.
    pub fn refused(&self) -> Vec<DestinationId> {
        (self.reports.iter())
            .filter(|r| r.blocked)
            .map(|r| r.uuid.clone())
            .collect()
    }

    /// Every report is in and every one refuses: there is nothing to ask.
    pub fn all_refused(&self) -> bool {
        self.done()
            && self.failed.is_empty()
            && !self.reports.is_empty()
            && self.reports.iter().all(|r| r.blocked)
    }

    /// The footer's keys: `y` only for what the reports leave to delete.
    pub fn keys(&self) -> String {
        let refused = self.refused().len();
        let total = self.reports.len() + self.failed.len();
        if !self.done() {
            "checking dependants… · Esc cancels".into()
        } else if self.all_refused() {
            "refused, nothing is deleted · Esc closes".into()
        } else if refused > 0 {
            format!("y deletes the other {} · n no", total - refused)
        } else {
            "y yes · n no".into()
        }
    }

    /// Takes in the report of one of the awaited destinations.
    pub fn answered(&mut self, report: DeleteReport) {
        if let Some(i) = self.waiting.iter().position(|w| *w == report.uuid) {
            self.waiting.remove(i);
            self.reports.push(report);
        }
    }

    /// The report of `destination` (named `name`) failed with `error`.
    pub fn failed(&mut self, destination: &str, name: &str, error: String) {
        if let Some(i) = self.waiting.iter().position(|w| w == destination) {
            self.waiting.remove(i);
            self.failed
                .push(format!("{name}: dependants unknown: {error}"));
        }
    }

    /// The lines the confirmation shows: blockers first, then what is unknown, then the
    /// dependants; one line each (the view cuts what does not fit, with `…`).
    pub fn lines(&self) -> Vec<(Tone, String)> {
        let total = self.waiting.len() + self.reports.len() + self.failed.len();
        let many = total > 1;
        let named = |name: &str, text: String| {
            if many {
                format!("{name}: {text}")
            } else {
                text
            }
        };
        let mut lines = Vec::new();
        if !self.done() {
            let answered = total - self.waiting.len();
            let count = if many {
                format!(" ({answered}/{total})")
            } else {
                String::new()
            };
            lines.push((Tone::Plain, format!("checking dependants…{count}")));
        }
        for r in self.reports.iter().filter(|r| r.blocked) {
            let mut blockers = Vec::new();
            if !r.attached.is_empty() {
                blockers.push(format!("attached {}", r.attached.join(", ")));
            }
            if !r.resources.is_empty() {
                blockers.push(format!("resources {}", r.resources.join(", ")));
            }
            let text = if blockers.is_empty() {
                r.refusal.clone().unwrap_or_default()
            } else {
                format!("refused: {}", blockers.join("; "))
            };
            lines.push((Tone::Blocked, named(&r.destination, text)));
        }
        for f in &self.failed {
            lines.push((Tone::Warning, f.clone()));
        }
        for r in &self.reports {
            if let Some(why) = &r.unknown {
                lines.push((
                    Tone::Warning,
                    named(&r.destination, format!("dependants unknown: {why}")),
                ));
            }
        }
        let mut dependants = 0;
        for r in &self.reports {
            for d in r.dependants.iter().flatten() {
                dependants += 1;
                let text = format!("warning: {} depends on it: {}", d.container, d.reason);
                lines.push((Tone::Warning, named(&r.destination, text)));
            }
        }
        let all_known = self.failed.is_empty() && self.reports.iter().all(|r| r.unknown.is_none());
        if self.done() && dependants == 0 && all_known {
            let them = if many { "them" } else { "it" };
            lines.push((Tone::Plain, format!("no other container depends on {them}")));
        }
        lines
    }
}
