//! Far servers (DESIGN.md §5, §7): daemon B reached through the testbed's relay, which delays
//! each direction (100 ms round trip by default). Each action is measured beside its floor —
//! the round trips the Docker API cannot avoid × the round-trip time, plus the daemon's own
//! time for the same action on its local socket — and beside `docker -H ssh://` through the
//! same relay.

use super::{Row, Scale, Target, Testbed, destui_binary, run};
use destui::ops::{NewDestination, NewServer, Ops};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// Rounds per action after a warming one (the median is kept: one slow round on a shared
/// machine says little). The suite's smoke run (batch 1) measures the warming round alone:
/// that each row is measured is what it checks, and overlays through the relay are slow.
fn rounds(scale: &Scale) -> usize {
    match scale.batch {
        0..=1 => 0,
        2..=4 => 1,
        _ => 5,
    }
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

async fn server(ops: &Ops, name: &str, host: Option<&str>, tb: &Testbed) -> String {
    ops.add_server(NewServer {
        name: name.into(),
        host: host.map(str::to_string),
        local: host.is_none(),
        docker_socket: Some(tb.socket_b.clone()),
        proxy_container: Some(tb.proxy.clone()),
        check: true,
        ..Default::default()
    })
    .await
    .expect("server on B")
    .value
    .uuid
    .to_string()
}

/// Per action: (create, delete, scan) times on `server`, medians over the rounds.
async fn actions(ops: &Ops, server: &str, tag: &str, n: usize) -> (Duration, Duration, Duration) {
    let (mut create, mut delete, mut scan) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..=n {
        let network = format!("far{}{tag}{i}", std::process::id());
        let t = Instant::now();
        let created = ops
            .create_destination(NewDestination {
                server: server.into(),
                network: Some(network),
                ..Default::default()
            })
            .await
            .expect("create");
        let c = t.elapsed();
        let t = Instant::now();
        ops.scan(server).await.expect("scan");
        let s = t.elapsed();
        let t = Instant::now();
        ops.delete_destination(&created.value.uuid, false)
            .await
            .expect("delete");
        let d = t.elapsed();
        // The first round warms the connection (unless it is the only one).
        if i > 0 || n == 0 {
            create.push(c);
            scan.push(s);
            delete.push(d);
        }
    }
    (median(create), median(delete), median(scan))
}

pub async fn rows(tb: &Testbed, work: &Path, scale: &Scale, ops: &Ops) -> Vec<Row> {
    let rtt = Duration::from_millis(2 * tb.relay_delay_ms);
    let n = rounds(scale);
    let far = server(ops, "far-b", Some(&tb.host_b_far), tb).await;
    let near = server(ops, "near-b", None, tb).await;
    // Destinations on B are overlays: the daemon's own time is measured the same way.
    let (far_create, far_delete, far_scan) = actions(ops, &far, "f", n).await;
    let (own_create, own_delete, own_scan) = actions(ops, &near, "n", n).await;

    // A cold first check of the server, as the TUI's first minute does: the ssh handshake
    // through the relay, the forward, the version, the info.
    let fresh = Ops::new(
        destui::store::Store::open(&work.join("far-db")).expect("store"),
        super::remote_config(tb, &work.join("far-rt")),
    );
    let record = fresh
        .add_server(NewServer {
            name: "far-cold".into(),
            host: Some(tb.host_b_far.clone()),
            docker_socket: Some(tb.socket_b.clone()),
            proxy_container: Some(tb.proxy.clone()),
            check: false,
            ..Default::default()
        })
        .await
        .expect("far server")
        .value;
    let t = Instant::now();
    let (checked, error) = fresh.check_server(&record).await.expect("check");
    let first_check = t.elapsed();
    assert!(checked.online, "the far server answers: {error:?}");
    fresh.close_all().await;
    let t = Instant::now();
    run(Command::new("ssh").args(["-F", &tb.ssh_config, &tb.host_b_far, "true"]));
    let handshake = t.elapsed();

    // One destui process per command: create + delete through the relay, vs the docker CLI.
    let pair = |cli: &dyn Fn(&str)| {
        let mut times = Vec::new();
        for i in 0..=n {
            let t = Instant::now();
            cli(&format!("farcli{}x{i}", std::process::id()));
            if i > 0 || n == 0 {
                times.push(t.elapsed());
            }
        }
        median(times)
    };
    let db = work.join("far-cli-db");
    let destui = |args: &[&str]| {
        run(Command::new(destui_binary())
            .args(args)
            .env("DESTUI_DB", &db)
            .env("DESTUI_SSH_CONFIG", &tb.ssh_config)
            .env("DESTUI_RUNTIME_DIR", work.join("far-cli-rt")));
    };
    destui(&[
        "server",
        "add",
        "far-b",
        "--host",
        &tb.host_b_far,
        "--docker-socket",
        &tb.socket_b,
        "--proxy-container",
        &tb.proxy,
    ]);
    let destui_pair = pair(&|net| {
        destui(&[
            "destination",
            "create",
            "--server",
            "far-b",
            "--network",
            net,
        ]);
        destui(&["destination", "delete", &format!("far-b/{net}")]);
    });
    let docker = |args: &[&str]| {
        run(Command::new("docker")
            .arg("-H")
            .arg(format!("ssh://{}", tb.docker_host_b_far))
            .args(args));
    };
    let docker_pair = pair(&|net| {
        docker(&["network", "create", "-d", "overlay", "--attachable", net]);
        docker(&["network", "connect", net, &tb.proxy]);
        docker(&["network", "disconnect", net, &tb.proxy]);
        docker(&["network", "rm", net]);
    });

    let floor = |trips: u32, own: Duration| rtt * trips + own;
    let ms = rtt.as_millis();
    vec![
        Row {
            what: format!(
                "far server ({ms} ms RTT): scan, warm (floor: 2 RTT + the daemon's own time)"
            ),
            destui: far_scan,
            other: floor(2, own_scan),
            other_name: "its floor",
            target: Target::AtMost(1.3),
        },
        Row {
            what: format!("far server ({ms} ms RTT): create, warm (floor: 2 RTT + daemon)"),
            destui: far_create,
            other: floor(2, own_create),
            other_name: "its floor",
            target: Target::AtMost(1.3),
        },
        Row {
            what: format!("far server ({ms} ms RTT): delete, warm (floor: 3 RTT + daemon)"),
            destui: far_delete,
            other: floor(3, own_delete),
            other_name: "its floor",
            target: Target::AtMost(1.3),
        },
        Row {
            what: format!(
                "far server ({ms} ms RTT): first check, cold (floor: ssh handshake {} + 1 RTT + daemon)",
                super::secs(handshake)
            ),
            destui: first_check,
            other: handshake + rtt,
            other_name: "its floor",
            target: Target::AtMost(1.3),
        },
        Row {
            what: format!("far server ({ms} ms RTT): create + delete, one destui process each"),
            destui: destui_pair,
            other: docker_pair,
            other_name: "docker -H ssh://, same relay",
            target: Target::Faster(3.5),
        },
    ]
}
