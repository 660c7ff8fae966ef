//! The dependency report before a delete (DESIGN.md §15): `destination delete --dry-run` names
//! what blocks the delete and who depends on the network, and changes nothing; a refused delete
//! names its blockers; the real delete still deletes (dependants warn, never refuse).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::too_many_lines
)]
mod common;

use common::{Ctx, attached, docker, docker_ok, inspect_network, unique_name};

/// Removes the containers it was given when the test ends, pass or fail.
struct Containers {
    socket: String,
    names: Vec<String>,
}

impl Containers {
    fn new(socket: &str) -> Self {
        Containers {
            socket: socket.into(),
            names: Vec::new(),
        }
    }

    /// `docker run -d --name name [args…] image sleep 600`, removed at the end.
    #[track_caller]
    fn run(&mut self, tb: &common::Testbed, name: &str, args: &[&str]) {
        self.names.push(name.to_string());
        let mut all = vec!["run", "-d", "--name", name];
        all.extend_from_slice(args);
        all.extend_from_slice(&[tb.image(), "sleep", "600"]);
        docker_ok(&self.socket, &all);
    }

    fn remove(&self, name: &str) {
        let _ = docker(&self.socket, &["rm", "-f", name]);
    }
}

impl Drop for Containers {
    fn drop(&mut self) {
        for name in &self.names {
            self.remove(name);
        }
    }
}

#[test]
fn dry_run_names_blockers_and_dependants_and_changes_nothing() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    let socket = tb.socket_a();
    let server = ctx.add_server_a();
    let (net, other_net) = (unique_name("dep"), unique_name("dep2"));
    ctx.cleanup_network(socket, &net);
    ctx.cleanup_network(socket, &other_net);
    let d = ctx.create_destination(&server, &net);
    let other = ctx.create_destination(&server, &other_net);
    let id = d["network_id"].as_str().unwrap().to_string();
    let reference = format!("{server}/{net}");

    let mut containers = Containers::new(socket);
    let (db, app, watcher, both) = (
        unique_name("db"),
        unique_name("app"),
        unique_name("watch"),
        unique_name("both"),
    );
    containers.run(tb, &db, &["--network", &net]);
    let url = format!("DATABASE_URL=postgres://admin:s3cret@{db}:5432/x");
    containers.run(tb, &app, &["-e", &url, "-e", &format!("NOT={db}0")]);
    containers.run(tb, &watcher, &["-e", &format!("NET={net}")]);
    containers.run(tb, &both, &["--network", &net]);
    docker_ok(socket, &["network", "connect", &other_net, &both]);

    // Blocked by the attached containers: exit 1 with the exact refusal, nothing changed.
    let run = ctx
        .run(&["destination", "delete", &reference, "--dry-run"])
        .refused();
    let mut blockers = [format!("{both} (running)"), format!("{db} (running)")];
    blockers.sort();
    assert_eq!(
        run.stderr.trim(),
        format!(
            "destui: You must delete all resources before deleting this destination. Attached: {}",
            blockers.join(", ")
        )
    );
    let out = &run.stdout;
    assert!(
        out.contains(&format!(
            "{app} depends on it: env DATABASE_URL mentions {db} (on {net})"
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!("{watcher} depends on it: env NET mentions {net}")),
        "{out}"
    );
    let other_name = other["name"].as_str().unwrap();
    assert!(
        out.contains(&format!(
            "{both} depends on it: also on destination {other_name}"
        )),
        "{out}"
    );
    assert!(
        !out.contains("s3cret") && !out.contains("NOT"),
        "values stay out: {out}"
    );
    assert!(inspect_network(socket, &id).is_some(), "network kept");
    assert!(
        attached(socket, &id).contains(&tb.proxy().to_string()),
        "proxy kept"
    );

    // JSON: one document per destination.
    let run = ctx.run(&["--json", "destination", "delete", &reference, "--dry-run"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let report = &run.json()[0];
    assert_eq!(report["blocked"], true);
    assert_eq!(report["network_id"], id.as_str());
    assert_eq!(report["attached"].as_array().unwrap().len(), 2);
    let dependants = report["dependants"].as_array().unwrap();
    assert!(
        dependants.iter().any(|x| x["container"] == app.as_str()
            && x["variable"] == "DATABASE_URL"
            && x["mentions"] == db.as_str()),
        "{dependants:?}"
    );
    assert!(!run.stdout.contains("s3cret"));

    // Without the attached containers: exit 0, the dependants as warnings, nothing changed.
    containers.remove(&db);
    containers.remove(&both);
    let run = ctx
        .run(&["destination", "delete", &reference, "--dry-run"])
        .ok();
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    let out = &run.stdout;
    assert!(
        out.contains(&format!("would remove network {net} by its ID {id}")),
        "{out}"
    );
    assert!(
        out.contains(&format!("{watcher} depends on it: env NET mentions {net}")),
        "{out}"
    );
    assert!(
        !out.contains(&app),
        "{db} is gone: nothing names it any more\n{out}"
    );
    assert!(inspect_network(socket, &id).is_some(), "network kept");
    assert_eq!(
        ctx.json(&["destination", "show", &reference])["network_id"],
        id.as_str()
    );

    // The real delete deletes: dependants warn, they never refuse (the report is what
    // `--dry-run` and the TUI's confirmation show before it).
    ctx.run(&["destination", "delete", &reference]).ok();
    assert!(inspect_network(socket, &id).is_none(), "network removed");
    ctx.run(&["destination", "delete", other_name]).ok();
}

#[test]
fn a_refused_delete_names_the_containers_and_the_resources() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    let socket = tb.socket_a();
    let server = ctx.add_server_a();
    let net = unique_name("res");
    ctx.cleanup_network(socket, &net);
    let d = ctx.create_destination(&server, &net);
    let reference = format!("{server}/{net}");
    let resource = unique_name("shop");
    let created = ctx.deploy(&resource, &server, None, None);
    let mut containers = Containers::new(socket);
    let resource_containers: Vec<String> = created["containers"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|c| c.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    assert!(!resource_containers.is_empty(), "{created}");
    containers.names.extend(resource_containers.iter().cloned());
    let plain = unique_name("web");
    containers.run(tb, &plain, &["--network", &net]);

    let run = ctx.run(&["destination", "delete", &reference]).refused();
    let stderr = run.stderr.trim().to_string();
    assert!(
        stderr.starts_with(
            "destui: You must delete all resources before deleting this destination. Attached: "
        ),
        "{stderr}"
    );
    assert!(stderr.contains(&format!("{plain} (running)")), "{stderr}");
    assert!(
        stderr.ends_with(&format!("; resources: {resource}")),
        "{stderr}"
    );
    for c in &resource_containers {
        assert!(stderr.contains(&format!("{c} (running)")), "{stderr}");
    }
    assert!(inspect_network(socket, d["network_id"].as_str().unwrap()).is_some());
    ctx.run(&["resource", "delete", &resource]).ok();
    containers.remove(&plain);
    ctx.run(&["destination", "delete", &reference]).ok();
}
