//! `destui watch [S...]`: one line per change on the servers until Ctrl-C (DESIGN.md §11).

use std::collections::HashMap;

use super::output::{self, Unheard};
use crate::domain::{Error, Server, ServerId};
use crate::ops::{Change, Ops, StreamState, WatchOptions};

/// Watches `servers` (every server when none is named). Exit 0 on Ctrl-C; 1 when no server
/// could be watched at all (each one's reason on one line).
pub async fn run(
    ops: &Ops,
    servers: &[String],
    reattach_proxy: bool,
    json: bool,
) -> Result<i32, Error> {
    let targets = targets(ops, servers).await?;
    let options = WatchOptions {
        reattach_proxy: reattach_proxy || ops.watch_defaults().reattach_proxy,
    };
    let (sender, mut changes) = tokio::sync::mpsc::unbounded_channel();
    let mut watchers = tokio::task::JoinSet::new();
    for server in targets.iter().cloned() {
        let (ops, sender) = (ops.clone(), sender.clone());
        watchers.spawn(async move { ops.watch_server(server, options, sender).await });
    }
    drop(sender);
    // Until every server has said whether its stream runs, lines wait: when none runs, the
    // command fails with one line instead.
    let mut first: HashMap<ServerId, Change> = HashMap::new();
    let mut held: Vec<Change> = Vec::new();
    let mut started = false;
    let interrupted = tokio::signal::ctrl_c();
    tokio::pin!(interrupted);
    loop {
        let batch = tokio::select! {
            batch = changes.recv() => match batch {
                Some(batch) => batch,
                None => return Ok(0),
            },
            _ = &mut interrupted => return Ok(0),
            why = output::unheard() => return Ok(ended(why)),
        };
        if started {
            if !print(&batch, json)? {
                return Ok(0);
            }
            continue;
        }
        for change in &batch {
            if change.stream.is_some() {
                first
                    .entry(change.server_uuid.clone())
                    .or_insert_with(|| change.clone());
            }
        }
        held.extend(batch);
        if first.len() < targets.len() {
            continue;
        }
        if first
            .values()
            .all(|c| c.stream == Some(StreamState::Reconnecting))
        {
            return Err(none_watched(&targets, &first));
        }
        started = true;
        if !print(&std::mem::take(&mut held), json)? {
            return Ok(0);
        }
    }
}

/// The servers named, or every server.
async fn targets(ops: &Ops, servers: &[String]) -> Result<Vec<Server>, Error> {
    let targets = if servers.is_empty() {
        ops.servers().await?
    } else {
        let mut named = Vec::new();
        for reference in servers {
            let server = ops.server(reference).await?;
            if !named.iter().any(|s: &Server| s.uuid == server.uuid) {
                named.push(server);
            }
        }
        named
    };
    if targets.is_empty() {
        return Err(Error::Invalid(
            "no server to watch: add one with `destui server add`".into(),
        ));
    }
    Ok(targets)
}

/// The changes as lines (text or JSON lines); false when nobody reads them any more.
fn print(changes: &[Change], json: bool) -> Result<bool, Error> {
    for change in changes.iter().filter(|c| !c.silent) {
        let heard = if json {
            output::json_line(change)?
        } else {
            output::line(&text(change))
        };
        if !heard {
            return Ok(false);
        }
    }
    Ok(true)
}

/// `TIME SERVER WHAT EVENT [STATUS] [— DETAIL]`, WHAT being the destination (with its
/// network) or the network.
/// Every field is escaped on its own (DESIGN.md §9): a network named with a line break stays
/// on its line and can never forge another.
fn text(c: &Change) -> String {
    let safe = output::safe;
    let what = match (&c.destination, &c.network) {
        (Some(d), Some(n)) => format!("{} ({})", safe(d), safe(n)),
        (Some(d), None) => safe(d).into_owned(),
        (None, Some(n)) => format!("network {}", safe(n)),
        (None, None) => "-".into(),
    };
    let mut line = format!(
        "{}  {}  {what}  {}",
        safe(&c.time),
        safe(&c.server),
        safe(&c.event)
    );
    if let Some(status) = &c.status {
        line.push_str(&format!("  {}", safe(status)));
    }
    if let Some(detail) = &c.detail {
        line.push_str(&format!("  — {}", safe(detail)));
    }
    line
}

fn none_watched(targets: &[Server], first: &HashMap<ServerId, Change>) -> Error {
    let reasons: Vec<String> = targets
        .iter()
        .map(|s| {
            let why = first
                .get(&s.uuid)
                .and_then(|c| c.detail.as_deref())
                .map(|d| d.split("; trying again").next().unwrap_or(d).to_string())
                .unwrap_or_default();
            format!("{}: {why}", s.name)
        })
        .collect();
    Error::Invalid(format!(
        "no server could be watched: {}",
        reasons.join("; ")
    ))
}

/// A forwarded watch whose client left ends quietly; one whose holder quits says so.
fn ended(why: Unheard) -> i32 {
    match why {
        Unheard::ClientGone => 0,
        Unheard::HolderClosing => {
            output::fail(
                "the watch ended: the destui holding the data directory quit; run `destui watch` again",
            );
            1
        }
    }
}
