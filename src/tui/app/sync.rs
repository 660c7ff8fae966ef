//! `S`, sync in the TUI (DESIGN.md §12): what a sync of the server would adopt is read first
//! (the lines of `sync --dry-run`) and asked once; what was adopted is then named, and its
//! destinations checked.

use super::pending::Waiter;
use super::results::{reached, rescan_if_shown, warn_or_say};
use super::{App, Effect};
use crate::domain::{DestinationId, ServerId};
use crate::ops::{Outcome, SyncPreview, SyncReport};
use crate::tasks::Task;
use crate::tui::dialog::{Confirm, ConfirmKind, Dialog};
use crate::tui::panes::messages::Level;

/// The lines a confirmation shows at most: more are counted.
const SHOWN: usize = 8;

/// What a sync would do is in: nothing to adopt is said (with the records whose network is
/// gone); else one confirmation lists it, unless another dialog is open meanwhile.
pub(super) fn previewed(app: &mut App, server: &ServerId, preview: SyncPreview) {
    let name = app.server_name(server);
    if preview.adopt.is_empty() {
        let mut text = format!("sync {name}: nothing to adopt");
        if !preview.missing.is_empty() {
            text.push_str(&format!("; {}", preview.missing.join("; ")));
        }
        app.tell(Level::Info, &name, "sync", text);
        return;
    }
    if app.dialog.is_some() {
        let text = format!(
            "sync {name} would adopt {} record(s): close the dialog, then S again",
            preview.adopt.len()
        );
        app.tell(Level::Warning, &name, "sync", text);
        return;
    }
    app.dialog = Some(Dialog::Confirm(confirm(server, &name, &preview)));
    app.say(format!(
        "sync {name}: {} record(s) to adopt — y adopts them, n adopts nothing",
        preview.adopt.len()
    ));
}

/// The confirmation of a sync: what it would adopt (and what it would list as missing).
fn confirm(server: &ServerId, name: &str, preview: &SyncPreview) -> Confirm {
    let mut lines: Vec<String> = preview.adopt.iter().take(SHOWN).cloned().collect();
    if preview.adopt.len() > SHOWN {
        lines.push(format!("… and {} more", preview.adopt.len() - SHOWN));
    }
    lines.extend(preview.missing.iter().take(SHOWN).cloned());
    lines.push(String::new());
    lines.push("Records only: nothing changes on the server.".into());
    Confirm {
        kind: ConfirmKind::Sync(server.clone()),
        title: format!(
            "Adopt {} record(s) made elsewhere on {name}?",
            preview.adopt.len()
        ),
        lines,
        check: None,
    }
}

/// `y` on the confirmation: the sync runs.
pub(super) fn confirmed(app: &mut App, server: ServerId) -> Vec<Effect> {
    app.say(format!("syncing {}…", app.server_name(&server)));
    vec![app.submit_for(Task::Sync { server }, Waiter::Asked)]
}

/// What a sync adopted, named, and the records whose network is gone; the lists read again,
/// an open scan of that server too, and the adopted destinations checked.
pub(super) fn synced(
    app: &mut App,
    server: &ServerId,
    outcome: Outcome<SyncReport>,
) -> Vec<Effect> {
    let name = app.server_name(server);
    let report = &outcome.value;
    let named: Vec<String> = (report.adopted.iter())
        .map(|a| match a.what {
            "destination" => format!("destination {} (network {})", a.name, a.on),
            _ => format!("resource {} on {}", a.name, a.on),
        })
        .collect();
    let mut text = match named.is_empty() {
        true => format!("synced {name}: nothing adopted"),
        false => format!("synced {name}: adopted {}", named.join(", ")),
    };
    if !report.missing.is_empty() {
        let gone: Vec<&str> = (report.missing.iter())
            .map(|m| m.destination.as_str())
            .collect();
        text.push_str(&format!("; network gone: {}", gone.join(", ")));
    }
    warn_or_say(app, (&name, "sync"), text, &outcome.warnings);
    let adopted: Vec<DestinationId> = (report.adopted.iter())
        .filter(|a| a.what == "destination")
        .map(|a| DestinationId::from(a.uuid.clone()))
        .collect();
    let mut effects = vec![app.reload()];
    reached(app, server);
    effects.extend(rescan_if_shown(app, server));
    // The CHECK column of what was just adopted, as after an import.
    if !adopted.is_empty() {
        effects.push(app.submit(Task::CheckDestinations {
            server: server.clone(),
            destinations: adopted,
        }));
    }
    effects
}
