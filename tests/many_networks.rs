//! A server with 300 networks (DESIGN.md §8): the scan lists every one with its containers,
//! the import takes all of them in one go with the right network IDs, and forgetting the server
//! leaves every network in place. Its own test binary: `import --all` takes every network on
//! daemon B, so no other test may be creating networks there at the same time (cargo runs
//! test binaries one after another).
//!
//! The server's proxy container is one that does not exist: attaching a real proxy to 300
//! overlay networks takes the daemon about four minutes (the benchmark measures it), too long
//! for the suite; a missing proxy is one warning, not 300.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::too_many_lines
)]
mod common;

use common::{Ctx, docker, unique_name};
use serde_json::Value;
use std::collections::HashMap;

const NETWORKS: usize = 300;

/// Removes the test's networks (and its container) from B however the test ends.
struct Cleanup<'a> {
    socket: &'a str,
    label: String,
    container: String,
}

impl Drop for Cleanup<'_> {
    fn drop(&mut self) {
        let socket = self.socket;
        let _ = docker(socket, &["rm", "-f", &self.container]);
        // Swarm keeps a network "in use by task" for a moment after its container went.
        for _ in 0..20 {
            let (_, ids) = docker(
                socket,
                &[
                    "network",
                    "ls",
                    "-q",
                    "--filter",
                    &format!("label={}", self.label),
                ],
            );
            let ids: Vec<&str> = ids.split_whitespace().collect();
            if ids.is_empty() {
                return;
            }
            std::thread::scope(|scope| {
                for chunk in ids.chunks(ids.len().div_ceil(8)) {
                    scope.spawn(move || {
                        for id in chunk {
                            let _ = docker(socket, &["network", "rm", id]);
                        }
                    });
                }
            });
            std::thread::sleep(std::time::Duration::from_millis(500));
        }
    }
}

#[test]
fn three_hundred_networks_are_scanned_imported_and_forgotten_whole() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    let socket = tb.socket_b();
    let server = unique_name("many");
    let no_proxy = unique_name("no-proxy");
    ctx.json(&[
        "server",
        "add",
        &server,
        "--host",
        tb.get("DESTUI_TB_HOST_B"),
        "--docker-socket",
        socket,
        "--proxy-container",
        &no_proxy,
    ]);

    let tag = unique_name("n300");
    let cleanup = Cleanup {
        socket,
        label: format!("destui.test={tag}"),
        container: format!("{tag}-app"),
    };
    let names: Vec<String> = (0..NETWORKS).map(|i| format!("{tag}-{i:03}")).collect();
    std::thread::scope(|scope| {
        for chunk in names.chunks(NETWORKS / 8) {
            let label = &cleanup.label;
            scope.spawn(move || {
                for name in chunk {
                    let (ok, _) = docker(
                        socket,
                        &[
                            "network",
                            "create",
                            "-d",
                            "overlay",
                            "--attachable",
                            "--label",
                            label,
                            name,
                        ],
                    );
                    assert!(ok, "docker network create {name}");
                }
            });
        }
    });
    // One of them in use: the scan must count its container.
    assert!(
        docker(
            socket,
            &[
                "run",
                "-d",
                "--name",
                &cleanup.container,
                "--network",
                &names[7],
                tb.image(),
                "sleep",
                "300",
            ]
        )
        .0
    );

    let scan = ctx.json(&["scan", &server]);
    let rows: HashMap<&str, &Value> = scan
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| (r["network"].as_str().unwrap_or_default(), r))
        .collect();
    for (i, name) in names.iter().enumerate() {
        let row = rows
            .get(name.as_str())
            .unwrap_or_else(|| panic!("{name} is missing from the scan"));
        assert_eq!(row["importable"], true, "{name}");
        let containers = row["containers"].as_array().expect("containers");
        if i == 7 {
            assert_eq!(containers.len(), 1, "{row}");
            assert_eq!(containers[0], cleanup.container.as_str());
        } else {
            assert!(containers.is_empty(), "{row}");
        }
    }

    let run = ctx.run(&["--json", "import", &server, "--all"]).ok();
    assert_eq!(
        run.stderr.matches("was not found").count(),
        1,
        "one warning for the missing proxy, not one per network: {}",
        run.stderr
    );
    let imported = run.json();
    let imported: HashMap<&str, &Value> = imported
        .as_array()
        .expect("imported")
        .iter()
        .map(|d| (d["network"].as_str().unwrap_or_default(), d))
        .collect();
    for name in &names {
        let d = imported
            .get(name.as_str())
            .unwrap_or_else(|| panic!("{name} was not imported"));
        assert_eq!(d["network_id"], rows[name.as_str()]["id"], "{name}");
        assert_eq!(d["type"], "swarm", "{name}");
    }
    let listed = ctx.json(&["destination", "list", "--server", &server]);
    let listed = listed.as_array().expect("list");
    assert_eq!(listed.len(), imported.len(), "every import is a record");

    // Forgetting the server forgets the records, never the networks.
    ctx.run(&["server", "remove", &server, "--force", "--yes"])
        .ok();
    assert_eq!(
        ctx.json(&["destination", "list"]).as_array().unwrap().len(),
        0
    );
    let (_, left) = docker(
        socket,
        &[
            "network",
            "ls",
            "-q",
            "--filter",
            &format!("label={}", cleanup.label),
        ],
    );
    assert_eq!(left.split_whitespace().count(), NETWORKS);
}
