//! `destui sync [S...]`: adopt what other data directories made on the servers, list the
//! records whose network is gone (DESIGN.md §12).

use super::output::{self, emit};
use crate::domain::Error;
use crate::ops::{Ops, SyncReport};

pub async fn run(ops: &Ops, servers: &[String], json: bool) -> Result<i32, Error> {
    let outcome = super::progress::shown("syncing", ops.sync(servers)).await?;
    emit(json, &outcome, report_text)?;
    let names: Vec<&str> = outcome
        .value
        .unreachable
        .iter()
        .map(|u| u.server.as_str())
        .collect();
    Ok(unreachable_exit(&names))
}

/// `sync --dry-run`: the plan, and the exit the real sync would have — 1 with the same line
/// when a server cannot be reached (`ops` is a dry run's).
pub async fn dry_run(ops: &Ops, servers: &[String], json: bool) -> Result<i32, Error> {
    let plan = ops.plan_sync(servers).await?;
    output::print_plan(json, &plan)?;
    let names: Vec<&str> = plan.unreachable.iter().map(String::as_str).collect();
    Ok(unreachable_exit(&names))
}

/// 0, or 1 with the one line naming the servers that could not be reached.
fn unreachable_exit(names: &[&str]) -> i32 {
    if names.is_empty() {
        return 0;
    }
    output::fail(&format!(
        "{} server(s) could not be reached, nothing was synced there: {}",
        names.len(),
        names.join(", ")
    ));
    1
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
    output::joined(&lines)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::{Adopted, MissingRecord, SyncSkipped};

    #[test]
    fn the_report_names_what_was_adopted_under_which_name_and_what_is_gone() {
        let adopted = |what, name: &str, original: &str, on: &str, kind: &str| Adopted {
            what,
            uuid: "u1".into(),
            name: name.into(),
            original_name: original.into(),
            server: "prod".into(),
            on: on.into(),
            kind: kind.into(),
        };
        let report = SyncReport {
            adopted: vec![
                adopted("destination", "web-2", "web", "net1", "swarm"),
                adopted("resource", "shop", "shop", "web-2", "application"),
            ],
            missing: vec![MissingRecord {
                destination: "old".into(),
                uuid: "u2".into(),
                server: "prod".into(),
                network: "gone-net".into(),
            }],
            unreachable: vec![SyncSkipped {
                server: "far".into(),
                error: "ssh timed out".into(),
            }],
        };
        assert_eq!(
            report_text(&report),
            "adopted destination web-2 (made as web): network net1 on prod (swarm)\n\
             adopted resource shop: application on web-2\n\
             missing: destination old (network gone-net on prod): its network is gone — repair it, or delete it to forget the record\n\
             unreachable: far: ssh timed out"
        );
        // A server's text with a line break stays on its line (DESIGN.md §9).
        let forged = SyncReport {
            unreachable: vec![SyncSkipped {
                server: "far".into(),
                error: "refused\nadopted destination fake".into(),
            }],
            ..SyncReport::default()
        };
        assert_eq!(
            report_text(&forged),
            "unreachable: far: refused\\u{a}adopted destination fake"
        );
        assert_eq!(
            report_text(&SyncReport::default()),
            "in sync: nothing to adopt, no record is missing"
        );
    }
}
