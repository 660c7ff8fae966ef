//! `destui destination …`: create, list, show, edit (rename), delete, check and repair
//! destinations.

use super::*;
use crate::ops::DestinationEdit;
use output::cut;

#[derive(Debug, Subcommand)]
pub enum DestinationCommand {
    /// Create a destination: a new Docker network with the proxy attached.
    Create {
        /// Server name or uuid.
        #[arg(long)]
        server: String,
        /// Display name (default: <server>-<network>).
        #[arg(long)]
        name: Option<String>,
        /// Docker network name (default: a fresh CUID2); cannot be changed later.
        #[arg(long)]
        network: Option<String>,
        /// IPv4 subnet: a CIDR, or `auto` / `auto:POOL` for the first /24 of the pool that no
        /// network on the server uses (`auto` takes [network] fallback_pool).
        #[arg(long, value_name = "CIDR|auto[:POOL]")]
        subnet: Option<String>,
        /// No outbound traffic from the network (the proxy still reaches it).
        #[arg(long)]
        internal: bool,
        /// What the destination is for: free text, one line, at most 500 characters.
        #[arg(long, value_name = "TEXT")]
        description: Option<String>,
        #[command(flatten)]
        shape: ShapeArgs,
        /// Change nothing: do every check the real run does, print the steps it would take
        /// (exit 1 with its refusal when it would be refused).
        #[arg(long)]
        dry_run: bool,
    },
    /// List destinations (all, or one server's).
    List {
        #[arg(long)]
        server: Option<String>,
    },
    /// Live details of a destination's network.
    Show { destination: String },
    /// Change a destination's name (its network never changes).
    Rename {
        destination: String,
        new_name: String,
        /// Change nothing: do every check the real run does, print the steps it would take
        /// (exit 1 with its refusal when it would be refused).
        #[arg(long)]
        dry_run: bool,
    },
    /// Change a destination's name and/or description (its network never changes).
    #[command(group = clap::ArgGroup::new("change").required(true).multiple(true))]
    Edit {
        destination: String,
        /// The new name.
        #[arg(long, value_name = "NEW", group = "change")]
        name: Option<String>,
        /// The new description (one line, at most 500 characters); "" clears it.
        #[arg(long, value_name = "TEXT", group = "change")]
        description: Option<String>,
        /// Change nothing: do every check the real run does, print the steps it would take
        /// (exit 1 with its refusal when it would be refused).
        #[arg(long)]
        dry_run: bool,
    },
    /// Delete destinations: disconnect the proxy, remove the network, forget the record.
    Delete {
        #[arg(required = true)]
        destinations: Vec<String>,
        /// When the server is unreachable, forget the record anyway.
        #[arg(long)]
        force: bool,
        /// Change nothing: say what the delete would do, what blocks it, and which other
        /// containers depend on the network (exit 1 when the delete would be refused).
        #[arg(long)]
        dry_run: bool,
    },
    /// Compare records with the daemons: ok, missing, proxy-detached or unknown.
    Check { destinations: Vec<String> },
    /// Recreate a missing network and reattach the proxy.
    Repair {
        destination: String,
        /// Change nothing: do every check the real run does, print the steps it would take
        /// (exit 1 with its refusal when it would be refused).
        #[arg(long)]
        dry_run: bool,
    },
}

/// The network options of DESIGN.md §14 beyond subnet and internal.
#[derive(Debug, Clone, clap::Args)]
pub struct ShapeArgs {
    /// Give the network IPv6 addresses too.
    #[arg(long)]
    ipv6: bool,
    /// IPv6 subnet (CIDR); needs --ipv6.
    #[arg(long, value_name = "CIDR")]
    subnet6: Option<String>,
    /// MTU of the network (68–65535; 1450 suits most clouds' overlay links).
    #[arg(long, value_name = "N")]
    mtu: Option<u32>,
    /// Gateway address, inside --subnet (or --subnet6 for an IPv6 one).
    #[arg(long, value_name = "IP")]
    gateway: Option<String>,
    /// The range containers get addresses from, inside --subnet.
    #[arg(long, value_name = "CIDR")]
    ip_range: Option<String>,
    /// A label of your own (repeatable); destui.* is reserved.
    #[arg(long = "label", value_name = "K=V")]
    labels: Vec<String>,
    /// A driver option (repeatable), e.g. com.docker.network.bridge.name=br-shop.
    #[arg(long = "opt", value_name = "K=V")]
    opts: Vec<String>,
}

/// `destination create`: the plan with --dry-run, else the create, saying a picked subnet.
async fn create(ops: &Ops, input: NewDestination, dry_run: bool, json: bool) -> Result<i32, Error> {
    if dry_run {
        let plan = ops.dry_run().plan_create_destination(&input).await?;
        return output::print_plan(json, &plan);
    }
    let outcome = ops.create_destination(input).await?;
    emit(json, &outcome, |d| {
        let picked = d
            .subnet_picked
            .as_ref()
            .map(|s| {
                format!("; subnet {s} picked: the first /24 of the pool no network there uses")
            })
            .unwrap_or_default();
        format!(
            "created destination {} (network {}, {}) on {}{picked}",
            d.name, d.network, d.kind, d.server
        )
    })?;
    Ok(0)
}

#[allow(clippy::too_many_lines)] // a room to split (issue 29)
pub(super) async fn run(ops: &Ops, cmd: DestinationCommand, json: bool) -> Result<i32, Error> {
    match cmd {
        DestinationCommand::Create {
            server,
            name,
            network,
            subnet,
            internal,
            description,
            shape,
            dry_run,
        } => {
            let input = NewDestination {
                server,
                name,
                network,
                subnet,
                internal,
                description,
                ipv6: shape.ipv6,
                subnet6: shape.subnet6,
                mtu: shape.mtu,
                gateway: shape.gateway,
                ip_range: shape.ip_range,
                labels: shape.labels,
                opts: shape.opts,
            };
            create(ops, input, dry_run, json).await
        }
        DestinationCommand::List { server } => {
            let list = ops.destinations(server.as_deref()).await?;
            if json {
                print_json(&list)?;
            } else {
                say_block(&destination_table(&list));
            }
            Ok(0)
        }
        DestinationCommand::Show { destination } => {
            let d = ops.show_destination(&destination).await?;
            if json {
                print_json(&d)?;
            } else {
                say_block(&details_text(&d));
            }
            Ok(0)
        }
        DestinationCommand::Rename {
            destination,
            new_name,
            dry_run: true,
        } => {
            let edit = DestinationEdit {
                name: Some(new_name),
                description: None,
            };
            let plan = ops
                .dry_run()
                .plan_edit_destination(&destination, &edit)
                .await?;
            output::print_plan(json, &plan)
        }
        DestinationCommand::Rename {
            destination,
            new_name,
            dry_run: false,
        } => {
            let d = ops.rename_destination(&destination, &new_name).await?;
            if json {
                print_json(&d)?;
            } else {
                say(&format!("renamed to {}", d.name));
            }
            Ok(0)
        }
        DestinationCommand::Edit {
            destination,
            name,
            description,
            dry_run: true,
        } => {
            let edit = DestinationEdit { name, description };
            let plan = ops
                .dry_run()
                .plan_edit_destination(&destination, &edit)
                .await?;
            output::print_plan(json, &plan)
        }
        DestinationCommand::Edit {
            destination,
            name,
            description,
            dry_run: false,
        } => {
            let d = ops
                .edit_destination(&destination, DestinationEdit { name, description })
                .await?;
            if json {
                print_json(&d)?;
            } else {
                let description = d.description.as_deref().unwrap_or("none");
                say(&format!("edited {}: description {description}", d.name));
            }
            Ok(0)
        }
        DestinationCommand::Delete {
            destinations,
            force,
            dry_run: true,
        } => dry_run(&ops.dry_run(), &destinations, force, json).await,
        DestinationCommand::Delete {
            destinations,
            force,
            dry_run: false,
        } => delete(ops, &destinations, force, json).await,
        DestinationCommand::Check { destinations } => check(ops, &destinations, json).await,
        DestinationCommand::Repair {
            destination,
            dry_run: true,
        } => output::print_plan(json, &ops.dry_run().plan_repair(&destination).await?),
        DestinationCommand::Repair {
            destination,
            dry_run: false,
        } => {
            let outcome = ops.repair_destination(&destination).await?;
            emit(json, &outcome, |r| {
                format!("{}: {}", r.destination, r.status.as_str())
            })?;
            Ok(if outcome.value.status == HealthStatus::Ok {
                0
            } else {
                1
            })
        }
    }
}

/// Every target resolved before anything is done: one unknown reference refuses the whole
/// command. Each destination once, with the reference it was given.
async fn resolve<'a>(
    ops: &Ops,
    references: &'a [String],
) -> Result<Vec<(&'a String, DestinationId)>, Error> {
    let mut targets: Vec<(&String, DestinationId)> = Vec::new();
    let mut seen = HashSet::new();
    for reference in references {
        let (d, _) = ops.destination(reference).await?;
        if seen.insert(d.uuid.clone()) {
            targets.push((reference, d.uuid));
        }
    }
    Ok(targets)
}

/// `delete --dry-run`: each target's dependency report, nothing changed; exit 1 when the real
/// delete of any would be refused (its refusal on stderr, as the real run says it).
async fn dry_run(ops: &Ops, references: &[String], force: bool, json: bool) -> Result<i32, Error> {
    let targets = resolve(ops, references).await?;
    let mut reports = Vec::new();
    for (_, uuid) in &targets {
        reports.push(ops.delete_report(uuid, force).await?);
    }
    if json {
        /// A report marked as a dry run's, as every `--dry-run` document is.
        #[derive(Serialize)]
        struct Marked<'a> {
            dry_run: bool,
            #[serde(flatten)]
            report: &'a ops::DeleteReport,
        }
        let marked: Vec<Marked> = reports
            .iter()
            .map(|report| Marked {
                dry_run: true,
                report,
            })
            .collect();
        print_json(&marked)?;
    } else {
        say_block(
            &reports
                .iter()
                .map(report_text)
                .collect::<Vec<_>>()
                .join("\n"),
        );
    }
    let mut blocked = false;
    for ((reference, _), report) in targets.iter().zip(&reports) {
        if let Some(refusal) = &report.refusal {
            blocked = true;
            if targets.len() > 1 {
                output::fail(&format!("{reference}: {refusal}"));
            } else {
                output::fail(refusal);
            }
        }
    }
    Ok(if blocked { 1 } else { 0 })
}

/// A dependency report as text, each value escaped (`say_block` keeps the lines).
fn report_text(r: &ops::DeleteReport) -> String {
    let safe = |text: &str| output::safe(text).into_owned();
    let mut lines = vec![format!(
        "dry run: delete {} (network {} on {}): nothing changed",
        safe(&r.destination),
        safe(&r.network),
        safe(&r.server)
    )];
    for step in &r.steps {
        lines.push(format!("  would {}", safe(step)));
    }
    if let Some(refusal) = &r.refusal {
        lines.push(format!("  refused: {}", safe(refusal)));
    }
    match &r.dependants {
        Some(found) if found.is_empty() => {
            lines.push("  no other container depends on it".into());
        }
        Some(found) => {
            for d in found {
                lines.push(format!(
                    "  warning: {} depends on it: {}",
                    safe(&d.container),
                    safe(&d.reason)
                ));
            }
        }
        None => {}
    }
    if let Some(why) = &r.unknown {
        lines.push(format!("  dependants unknown: {}", safe(why)));
    }
    lines.push(String::new());
    lines.join("\n")
}

/// Deletes each target in turn; exit 1 when any was refused (the others still go).
async fn delete(ops: &Ops, references: &[String], force: bool, json: bool) -> Result<i32, Error> {
    let targets = resolve(ops, references).await?;
    let mut deleted = Vec::new();
    let mut failed = false;
    for (reference, uuid) in &targets {
        match ops.delete_destination(uuid, force).await {
            Ok(outcome) => {
                warn_all(&outcome.warnings);
                if !json {
                    say(&format!(
                        "deleted destination {} (network {})",
                        output::safe(&outcome.value.name),
                        output::safe(&outcome.value.network)
                    ));
                }
                deleted.push(outcome.value);
            }
            Err(e) => {
                failed = true;
                if targets.len() > 1 {
                    output::fail(&format!("{reference}: {e}"));
                } else {
                    output::fail(&e.to_string());
                }
            }
        }
    }
    if json {
        print_json(&deleted)?;
    }
    Ok(if failed { 1 } else { 0 })
}

/// Checks the destinations; exit 1 when any is not `ok`.
async fn check(ops: &Ops, references: &[String], json: bool) -> Result<i32, Error> {
    let rows = super::progress::shown("checking", ops.check_destinations(references)).await?;
    if json {
        print_json(&rows)?;
    } else {
        say_block(&check_table(&rows));
    }
    let bad: Vec<&CheckRow> = rows
        .iter()
        .filter(|r| r.status != HealthStatus::Ok)
        .collect();
    if bad.is_empty() {
        return Ok(0);
    }
    output::fail(&unhealthy_summary(&bad, rows.len()));
    Ok(1)
}

fn unhealthy_summary(bad: &[&CheckRow], checked: usize) -> String {
    let advice = if bad.iter().all(|r| r.status == HealthStatus::Unknown) {
        "their server did not answer: run destui server check, then check again"
    } else {
        "run destui destination repair D for missing or proxy-detached ones; unknown means the server did not answer"
    };
    format!(
        "{} of {checked} destinations are not ok ({}): {advice}",
        bad.len(),
        names(bad.iter().map(|r| r.destination.as_str()))
    )
}

/// Descriptions in the list are cut to this many cells, with `…` (`show` prints them whole).
const DESCRIPTION_CELLS: usize = 30;

fn destination_table(list: &[DestinationView]) -> String {
    table(
        &[
            "NAME",
            "NETWORK",
            "TYPE",
            "SERVER",
            "CREATED",
            "DESCRIPTION",
        ],
        list.iter()
            .map(|d| {
                vec![
                    d.name.clone(),
                    d.network.clone(),
                    d.kind.to_string(),
                    d.server.clone(),
                    d.created_at.clone(),
                    cut(d.description.as_deref().unwrap_or(""), DESCRIPTION_CELLS),
                ]
            })
            .collect(),
    )
}

fn check_table(rows: &[CheckRow]) -> String {
    table(
        &["DESTINATION", "STATUS", "DETAIL"],
        rows.iter()
            .map(|r| {
                let unused = r
                    .unused
                    .then_some("unused: no container but the proxy, no resource");
                let detail: Vec<&str> = r.detail.as_deref().into_iter().chain(unused).collect();
                vec![
                    r.destination.clone(),
                    r.status.as_str().to_string(),
                    detail.join("; "),
                ]
            })
            .collect(),
    )
}

fn details_text(d: &ops::DestinationDetails) -> String {
    let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
    let flag = |v: Option<bool>| {
        v.map(|b| if b { "yes" } else { "no" })
            .unwrap_or("-")
            .to_string()
    };
    let listed = |items: Vec<String>| {
        if items.is_empty() {
            "-".to_string()
        } else {
            items.join(", ")
        }
    };
    let v = &d.destination;
    let mut labels: Vec<String> = d.labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
    labels.sort();
    let options: Vec<String> = d.options.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let mut rows = vec![
        ("name", v.name.clone()),
        ("network", v.network.clone()),
        ("network id", v.network_id.clone()),
        ("type", v.kind.to_string()),
        ("server", v.server_label()),
        ("description", opt(&v.description)),
        ("status", d.status.as_str().to_string()),
        ("driver", opt(&d.driver)),
        ("scope", opt(&d.scope)),
        ("attachable", flag(d.attachable)),
        ("subnet", opt(&d.subnet)),
        ("gateway", opt(&d.gateway)),
        ("subnets", listed(d.subnets.clone())),
        ("ip range", opt(&d.ip_range)),
        ("ipv6", flag(d.ipv6)),
        ("mtu", d.mtu.map_or("-".to_string(), |m| m.to_string())),
        ("proxy attached", flag(d.proxy_connected)),
        ("labels", listed(labels)),
        ("options", listed(options)),
    ];
    // A destination adopted from elsewhere and renamed here (DESIGN.md §12).
    if let Some(original) = &v.original_name {
        rows.insert(1, ("original name", original.clone()));
    }
    let short = |id: &str| id.chars().take(12).collect::<String>();
    let mut containers: Vec<String> = d
        .containers
        .iter()
        .map(|c| format!("{}  {}  {}", c.name, short(&c.id), c.state))
        .collect();
    // A swarm overlay's containers on the other nodes, with their node (DESIGN.md §13).
    containers.extend(
        d.nodes
            .elsewhere
            .iter()
            .map(|c| format!("{}  {}  {} on {}", c.name, short(&c.id), c.state, c.server)),
    );
    rows.push(("containers", listed(containers)));
    if d.nodes.this_node_only {
        rows.push((
            "swarm",
            format!("this node only: not counted: {}", d.nodes.unseen.join(", ")),
        ));
    }
    rows.push(("resources", listed(d.resources_with_status())));
    if let Some(detail) = &d.detail {
        rows.push(("note", detail.clone()));
    }
    // Each value is escaped whole: a label with a line break stays on its row.
    rows.iter()
        .map(|(k, val)| format!("{k:<15} {}\n", output::safe(val)))
        .collect()
}
