//! `destui sync [S...]`: adopt what other data directories made on the servers, list the
//! records whose network is gone (DESIGN.md §12).

use super::output::{self, emit};
use crate::domain::Error;
use crate::ops::{Ops, SyncReport};

pub async fn run(ops: &Ops, servers: &[String], json: bool) -> Result<i32, Error> {
    let outcome = super::progress::shown("syncing", ops.sync(servers)).await?;
    emit(json, &outcome, report_text)?;
    let unreachable = &outcome.value.unreachable;
    if unreachable.is_empty() {
        return Ok(0);
    }
    let names: Vec<&str> = unreachable.iter().map(|u| u.server.as_str()).collect();
    output::fail(&format!(
        "{} server(s) could not be reached, nothing was synced there: {}",
        names.len(),
        names.join(", ")
    ));
    Ok(1)
}

fn report_text(report: &SyncReport) -> String {
    let mut lines = Vec::new();
    for a in &report.adopted {
        let named = if a.name == a.original_name {
            a.name.clone()
        } else {
            format!("{} (made as {})", a.name, a.original_name)
        };
        lines.push(match a.what {
            "destination" => format!(
                "adopted destination {named}: network {} on {} ({})",
                a.on, a.server, a.kind
            ),
            _ => format!("adopted resource {named}: {} on {}", a.kind, a.on),
        });
    }
    for m in &report.missing {
        lines.push(format!(
            "missing: destination {} (network {} on {}): its network is gone — repair it, or delete it to forget the record",
            m.destination, m.network, m.server
        ));
    }
    for u in &report.unreachable {
        lines.push(format!("unreachable: {}: {}", u.server, u.error));
    }
    if lines.is_empty() {
        lines.push("in sync: nothing to adopt, no record is missing".to_string());
    }
    lines.join("\n")
}
