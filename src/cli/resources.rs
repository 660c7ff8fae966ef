//! `destui resource …`: applications, databases and service stacks on destinations.

use clap::Subcommand;
use clap::builder::{PossibleValuesParser, TypedValueParser};

use super::output::{emit, print_json, print_plan, safe, say, say_block, table};
use crate::domain::{Error, ResourceKind};
use crate::ops::{NewResource, Ops, ResourceView};

/// `--kind`: parsed by `ResourceKind`'s own `FromStr` (the TUI's form uses the same), with the
/// full names listed in `--help`.
fn kind_parser() -> impl TypedValueParser<Value = ResourceKind> {
    PossibleValuesParser::new(ResourceKind::NAMES).try_map(|text| text.parse::<ResourceKind>())
}

#[derive(Debug, Subcommand)]
pub enum ResourceCommand {
    /// Deploy a resource as a container on a destination of SERVER.
    Create {
        name: String,
        #[arg(long, value_parser = kind_parser(), default_value = "application")]
        kind: ResourceKind,
        /// Server name or uuid.
        #[arg(long)]
        server: String,
        /// Needed when the server has more than one destination (a terminal is asked).
        #[arg(long)]
        destination: Option<String>,
        #[arg(long)]
        image: String,
        /// Run with /bin/sh -c instead of the image's command.
        #[arg(long)]
        command: Option<String>,
        /// A service stack also joins the destination's network (besides its own).
        #[arg(long)]
        connect_predefined: bool,
        /// Change nothing: do every check the real run does, print the steps it would take
        /// (exit 1 with its refusal when it would be refused).
        #[arg(long)]
        dry_run: bool,
    },
    /// List resources, with their live state.
    List {
        #[arg(long)]
        destination: Option<String>,
    },
    /// Show one resource.
    Show { resource: String },
    /// Remove a resource's containers (and a stack's own network), then its record.
    Delete {
        resource: String,
        /// Change nothing: do every check the real run does, print the steps it would take
        /// (exit 1 with its refusal when it would be refused).
        #[arg(long)]
        dry_run: bool,
    },
    /// A new resource like R, deployed on another destination; R stays as it is.
    Clone {
        resource: String,
        #[arg(long)]
        destination: String,
        #[arg(long)]
        name: Option<String>,
        /// Change nothing: do every check the real run does, print the steps it would take
        /// (exit 1 with its refusal when it would be refused).
        #[arg(long)]
        dry_run: bool,
    },
}

fn line(v: &ResourceView) -> String {
    format!(
        "{} ({}) on {} [{}]: {}",
        v.name,
        v.kind,
        v.destination,
        v.server,
        if v.containers.is_empty() {
            v.status.to_string()
        } else {
            format!("{} {}", v.status, safe(&v.containers.join(", ")))
        }
    )
}

pub async fn run(ops: &Ops, cmd: ResourceCommand, json: bool) -> Result<i32, Error> {
    match cmd {
        ResourceCommand::Create {
            name,
            kind,
            server,
            destination,
            image,
            command,
            connect_predefined,
            dry_run,
        } => {
            let input = NewResource {
                name,
                kind: Some(kind),
                server,
                destination,
                image,
                command,
                connect_predefined,
            };
            if dry_run {
                let ops = &ops.dry_run();
                let plan =
                    asking_destination(
                        input,
                        |i| async move { ops.plan_create_resource(&i).await },
                    )
                    .await?;
                return print_plan(json, &plan);
            }
            let outcome = asking_destination(input, |i| ops.create_resource(i)).await?;
            emit(json, &outcome, |v| format!("created {}", line(v)))?;
        }
        ResourceCommand::List { destination } => list(ops, destination.as_deref(), json).await?,
        ResourceCommand::Show { resource } => {
            let v = ops.show_resource(&resource).await?;
            if json {
                print_json(&v)?;
            } else {
                say(&line(&v));
                say(&format!("networks: {}", safe(&v.networks.join(", "))));
            }
        }
        ResourceCommand::Delete {
            resource,
            dry_run: true,
        } => return print_plan(json, &ops.dry_run().plan_delete_resource(&resource).await?),
        ResourceCommand::Delete {
            resource,
            dry_run: false,
        } => {
            let outcome = ops.delete_resource(&resource).await?;
            emit(json, &outcome, |v| format!("deleted resource {}", v.name))?;
        }
        ResourceCommand::Clone {
            resource,
            destination,
            name,
            dry_run: true,
        } => {
            let plan = ops
                .dry_run()
                .plan_clone_resource(&resource, &destination, name)
                .await?;
            return print_plan(json, &plan);
        }
        ResourceCommand::Clone {
            resource,
            destination,
            name,
            dry_run: false,
        } => {
            let outcome = ops.clone_resource(&resource, &destination, name).await?;
            emit(json, &outcome, |v| format!("cloned as {}", line(v)))?;
        }
    }
    Ok(0)
}

/// Runs `step` with `input`; when its server has several destinations and none was named,
/// asks which on the terminal and runs it again with the answer.
async fn asking_destination<T, F, Fut>(mut input: NewResource, step: F) -> Result<T, Error>
where
    F: Fn(NewResource) -> Fut,
    Fut: std::future::Future<Output = Result<T, Error>>,
{
    match step(input.clone()).await {
        Err(Error::DestinationChoice { candidates, .. }) if super::output::can_ask() => {
            input.destination = Some(ask(&candidates)?);
            step(input).await
        }
        other => other,
    }
}

/// `resource list`: a table, or the views as JSON.
async fn list(ops: &Ops, destination: Option<&str>, json: bool) -> Result<(), Error> {
    let views = ops.resources(destination).await?;
    if json {
        return print_json(&views);
    }
    let rows = views
        .iter()
        .map(|v| {
            vec![
                v.name.clone(),
                v.kind.to_string(),
                v.destination.clone(),
                v.server.clone(),
                v.status.to_string(),
                v.image.clone(),
            ]
        })
        .collect();
    say_block(&table(
        &["NAME", "KIND", "DESTINATION", "SERVER", "STATUS", "IMAGE"],
        rows,
    ));
    Ok(())
}

/// Asks on the terminal which destination to use.
fn ask(candidates: &[String]) -> Result<String, Error> {
    let mut question = format!("This server has {} destinations:\n", candidates.len());
    for (i, c) in candidates.iter().enumerate() {
        question.push_str(&format!("  {}) {}\n", i + 1, super::output::safe(c)));
    }
    question.push_str("Destination (number or name): ");
    super::output::tell(&question);
    let mut answer = String::new();
    std::io::stdin()
        .read_line(&mut answer)
        .map_err(|e| Error::Io(e.to_string()))?;
    let answer = answer.trim();
    if let Ok(n) = answer.parse::<usize>()
        && (1..=candidates.len()).contains(&n)
    {
        return Ok(candidates[n - 1].clone());
    }
    candidates
        .iter()
        .find(|c| c.as_str() == answer)
        .cloned()
        .ok_or_else(|| Error::Invalid(format!("{answer:?} is not one of the destinations listed")))
}
