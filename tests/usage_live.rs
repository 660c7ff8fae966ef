//! Usage per destination (DESIGN.md §11) against the real testbed: what `Ops::usage` reads
//! agrees with `docker stats --no-stream` on the same containers, and the proxy is not counted.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::too_many_lines
)]
mod common;

use common::{Ctx, attached, docker, unique_name};
use destui::ops::{NewDestination, NewServer, Ops};
use destui::remote::RemoteConfig;
use destui::store::Store;
use serde_json::Value;

/// Containers removed when the test ends, pass or fail (before `Ctx` removes the network:
/// declared after it, dropped before it).
struct Containers {
    socket: String,
    names: Vec<String>,
}

impl Drop for Containers {
    fn drop(&mut self) {
        for name in &self.names {
            // By exact name: `rm -f` of a name that is gone fails, and touches nothing else.
            let _ = docker(&self.socket, &["rm", "-f", name]);
        }
    }
}

/// `1.5MiB`, `344KiB`, `0B`, `1.2GiB` (the docker CLI's binary units) in bytes.
fn bytes(text: &str) -> f64 {
    let text = text.trim();
    let split = text
        .find(|c: char| c.is_ascii_alphabetic())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: f64 = number.parse().unwrap_or_else(|_| panic!("size {text}"));
    let scale = match unit {
        "B" => 1.0,
        "KiB" | "kB" => 1024.0,
        "MiB" | "MB" => 1024.0 * 1024.0,
        "GiB" | "GB" => 1024.0 * 1024.0 * 1024.0,
        other => panic!("unit {other} in {text}"),
    };
    number * scale
}

/// (name, CPU %, memory bytes) of each named container, as `docker stats --no-stream` says.
fn docker_stats(socket: &str, names: &[String]) -> Vec<(String, f64, f64)> {
    let mut args = vec!["stats", "--no-stream", "--format", "{{json .}}"];
    args.extend(names.iter().map(String::as_str));
    let (ok, out) = docker(socket, &args);
    assert!(ok, "docker stats failed: {out}");
    out.lines()
        .map(|line| {
            let v: Value = serde_json::from_str(line).expect("stats json");
            let name = v["Name"].as_str().expect("Name").to_string();
            let cpu: f64 = v["CPUPerc"]
                .as_str()
                .expect("CPUPerc")
                .trim_end_matches('%')
                .parse()
                .expect("cpu %");
            let used = v["MemUsage"]
                .as_str()
                .expect("MemUsage")
                .split('/')
                .next()
                .expect("used");
            (name, cpu, bytes(used))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usage_of_a_destination_matches_docker_stats_and_leaves_out_the_proxy() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    let socket = tb.socket_a().to_string();
    let mut remote = RemoteConfig::for_tests(ctx.runtime());
    remote.ssh_config = Some(tb.ssh_config().into());
    let ops = Ops::new(Store::open(&ctx.db()).expect("store"), remote);
    let server = ops
        .add_server(NewServer {
            name: unique_name("use"),
            host: Some(tb.get("DESTUI_TB_HOST_A").to_string()),
            docker_socket: Some(socket.clone()),
            proxy_container: Some(tb.proxy().to_string()),
            check: true,
            ..Default::default()
        })
        .await
        .expect("server on A")
        .value;
    let network = unique_name("use");
    ctx.cleanup_network(&socket, &network);
    let d = ops
        .create_destination(NewDestination {
            server: server.uuid.to_string(),
            network: Some(network.clone()),
            ..Default::default()
        })
        .await
        .expect("destination on A")
        .value;
    assert!(
        attached(&socket, &d.network_id).contains(&tb.proxy().to_string()),
        "the proxy is attached to the new destination"
    );

    let mut containers = Containers {
        socket: socket.clone(),
        names: Vec::new(),
    };
    for (role, command) in [("idle", "sleep 3600"), ("busy", "while :; do :; done")] {
        let name = unique_name(&format!("use-{role}"));
        containers.names.push(name.clone());
        let (ok, out) = docker(
            &socket,
            &[
                "run",
                "-d",
                "--name",
                &name,
                "--network",
                &d.network_id,
                tb.image(),
                "sh",
                "-c",
                command,
            ],
        );
        assert!(ok, "run {name}: {out}");
    }

    // Both read at once, over the same second or two: a busy loop's CPU is comparable only so.
    let names = containers.names.clone();
    let cli_socket = socket.clone();
    let cli = tokio::task::spawn_blocking(move || docker_stats(&cli_socket, &names));
    let (ours, cli) = tokio::join!(ops.usage(&server.name), cli);
    let ours = ours.expect("usage");
    let cli = cli.expect("docker stats");

    let usage = ours
        .iter()
        .find(|u| u.uuid == d.uuid)
        .expect("the destination has a usage entry");
    let listed: Vec<&str> = usage.containers.iter().map(|c| c.name.as_str()).collect();
    assert!(
        !listed.contains(&tb.proxy()),
        "the proxy is not counted: {listed:?}"
    );
    assert_eq!(usage.containers.len(), cli.len(), "{listed:?} vs {cli:?}");
    assert_eq!(usage.containers.len(), 2, "{listed:?}");
    assert!(usage.containers.iter().all(|c| c.state == "running"));

    let cli_cpu: f64 = cli.iter().map(|(_, cpu, _)| cpu).sum();
    let cli_memory: f64 = cli.iter().map(|(_, _, mem)| mem).sum();
    let memory = usage.memory_bytes as f64;
    eprintln!(
        "MEASURED ops.usage: cpu {:.2}% memory {} B; docker stats: cpu {:.2}% memory {:.0} B; per container ours {:?} cli {:?}",
        usage.cpu_percent, usage.memory_bytes, cli_cpu, cli_memory, usage.containers, cli
    );
    let tolerance = (cli_memory * 0.25).max(4.0 * 1024.0 * 1024.0);
    assert!(
        (memory - cli_memory).abs() <= tolerance,
        "memory: ours {memory} B, docker stats {cli_memory} B"
    );
    assert!(
        usage.cpu_percent > 20.0 && cli_cpu > 20.0,
        "a busy loop shows: ours {:.1}%, docker stats {cli_cpu:.1}%",
        usage.cpu_percent
    );
    assert!(
        (usage.cpu_percent - cli_cpu).abs() < 40.0,
        "cpu: ours {:.1}%, docker stats {cli_cpu:.1}%",
        usage.cpu_percent
    );
    // The sums are the containers' own.
    let summed: f64 = usage.containers.iter().filter_map(|c| c.cpu_percent).sum();
    assert!((summed - usage.cpu_percent).abs() < 1e-9);

    // A stopped container still counts, with no CPU or memory.
    let (ok, out) = docker(&socket, &["stop", "-t", "0", &containers.names[0]]);
    assert!(ok, "stop: {out}");
    let again = ops.usage(&server.uuid).await.expect("usage again");
    let usage = again
        .iter()
        .find(|u| u.uuid == d.uuid)
        .expect("the destination again");
    assert_eq!(usage.containers.len(), 2);
    let stopped = usage
        .containers
        .iter()
        .find(|c| c.name == containers.names[0])
        .expect("the stopped one is listed");
    assert_ne!(stopped.state, "running");
    assert_eq!((stopped.cpu_percent, stopped.memory_bytes), (None, None));

    drop(containers);
    ops.delete_destination(&d.uuid, false)
        .await
        .expect("delete the emptied destination");
    ops.close_all().await;
}
