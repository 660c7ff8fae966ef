//! `--dry-run` (DESIGN.md §16): every check of the real run, its steps printed, nothing
//! changed — no network, no container, no record — and the exit the real run would have
//! (0, or 1 with its one-line refusal).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::too_many_lines
)]

mod common;

use common::{Ctx, Testbed, docker, docker_ok, network_id_by_exact_name, unique_name};
use serde_json::Value;

/// What a dry run must leave as it was: the daemon's networks and containers whose names
/// contain one of `watched` (the test's own: other tests share the daemon), the containers on
/// each such network (the proxy among them), and every record of the data directory.
#[derive(Debug, PartialEq)]
struct World {
    networks: Vec<String>,
    containers: Vec<String>,
    destinations: Value,
    resources: Value,
}

fn world(ctx: &Ctx, socket: &str, watched: &[&str]) -> World {
    let listed = |args: &[&str]| {
        let (ok, out) = docker(socket, args);
        assert!(ok, "docker {args:?}: {out}");
        let mut lines: Vec<String> = out
            .lines()
            .filter(|l| watched.iter().any(|w| l.contains(w)))
            .map(str::to_string)
            .collect();
        lines.sort();
        lines
    };
    let networks = listed(&["network", "ls", "--format", "{{.ID}} {{.Name}}"])
        .into_iter()
        .map(|line| {
            let id = line.split(' ').next().unwrap_or_default().to_string();
            let mut on = common::attached(socket, &id);
            on.sort();
            format!("{line}: {}", on.join(" "))
        })
        .collect();
    let uuids = |v: Value| {
        let mut uuids: Vec<String> = v
            .as_array()
            .expect("a list")
            .iter()
            .map(|d| d["uuid"].to_string())
            .collect();
        uuids.sort();
        uuids
    };
    World {
        networks,
        containers: listed(&[
            "ps",
            "-a",
            "--format",
            "{{.ID}} {{.Names}} {{.Label \"destui.resource.name\"}}",
        ]),
        destinations: uuids(ctx.json(&["destination", "list"])).into(),
        resources: uuids(ctx.json(&["resource", "list"])).into(),
    }
}

/// A container removed from daemon `.0` when the test ends.
struct Removed<'a>(&'a str, &'a str);

impl Drop for Removed<'_> {
    fn drop(&mut self) {
        let _ = docker(self.0, &["rm", "-f", self.1]);
    }
}

/// The containers of resource `.1` removed from daemon `.0` when the test ends.
struct ResourceRemoved<'a>(&'a str, &'a str);

impl Drop for ResourceRemoved<'_> {
    fn drop(&mut self) {
        let label = format!("label=destui.resource.name={}", self.1);
        let (_, ids) = docker(self.0, &["ps", "-aq", "--filter", &label]);
        for id in ids.lines() {
            let _ = docker(self.0, &["rm", "-f", id]);
        }
    }
}

/// The steps of a dry run's JSON document (asserting it says it is one).
#[track_caller]
fn steps(plan: &Value) -> Vec<String> {
    assert_eq!(plan["dry_run"], true, "{plan}");
    plan["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .map(|s| s.as_str().expect("a step").to_string())
        .collect()
}

#[track_caller]
fn has_step(steps: &[String], part: &str) {
    assert!(
        steps.iter().any(|s| s.contains(part)),
        "no step mentions {part:?}: {steps:?}"
    );
}

/// Runs `args` with --dry-run: exit 1, one line on stderr equal to `refusal`, nothing on stdout.
#[track_caller]
fn refused_as(ctx: &Ctx, args: &[&str], refusal: &str) {
    let mut all = args.to_vec();
    all.push("--dry-run");
    let run = ctx.run(&all).refused();
    assert_eq!(run.stderr.trim(), refusal, "{args:?}");
    if args.starts_with(&["destination", "delete"]) {
        // Delete's dry run prints its dependency report whatever it finds, the refusal in it.
        let said = format!("refused: {}", refusal.trim_start_matches("destui: "));
        assert!(
            run.stdout.contains(&said),
            "{args:?} printed {}",
            run.stdout
        );
    } else {
        assert!(run.stdout.is_empty(), "{args:?} printed {}", run.stdout);
    }
}

fn dry_json(ctx: &Ctx, args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.push("--dry-run");
    ctx.json(&all)
}

#[test]
fn create_dry_run_plans_the_network_and_proxy_and_changes_nothing() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    let socket = tb.socket_a();
    let server = ctx.add_server_a();
    let network = unique_name("dry-net");
    ctx.cleanup_network(socket, &network);
    let watched = [network.as_str()];
    let before = world(&ctx, socket, &watched);

    let plan = dry_json(
        &ctx,
        &[
            "destination",
            "create",
            "--server",
            &server,
            "--network",
            &network,
            "--name",
            &network,
            "--internal",
        ],
    );
    let s = steps(&plan);
    has_step(&s, &format!("create network {network} (driver bridge"));
    has_step(&s, "internal");
    has_step(&s, &format!("connect proxy {} to {network}", tb.proxy()));
    has_step(&s, &format!("save the record {network}"));
    // The text form says the same, nothing changed.
    let text = ctx
        .run(&[
            "destination",
            "create",
            "--server",
            &server,
            "--network",
            &network,
            "--dry-run",
        ])
        .ok();
    assert!(text.stdout.contains("nothing changed"), "{}", text.stdout);
    assert!(
        text.stdout
            .contains(&format!("would create network {network}")),
        "{}",
        text.stdout
    );
    assert_eq!(
        world(&ctx, socket, &watched),
        before,
        "a dry run changed something"
    );
    assert!(network_id_by_exact_name(socket, &network).is_none());

    // The real run goes ahead as planned.
    ctx.create_destination(&server, &network);
    assert!(network_id_by_exact_name(socket, &network).is_some());
    ctx.json(&["destination", "delete", &format!("{server}/{network}")]);
}

#[test]
fn create_dry_run_is_refused_as_the_real_run_when_a_name_or_network_is_taken() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    let socket = tb.socket_a();
    let server = ctx.add_server_a();
    let kept = unique_name("dry-kept");
    let outside = unique_name("dry-out");
    let fresh = unique_name("dry-fresh");
    for n in [&kept, &outside, &fresh] {
        ctx.cleanup_network(socket, n);
    }
    ctx.create_destination(&server, &kept);
    let kept_name = ctx.json(&["destination", "show", &format!("{server}/{kept}")])["name"]
        .as_str()
        .unwrap()
        .to_string();
    // A network made outside destui: the daemon already has the name.
    docker_ok(socket, &["network", "create", &outside]);
    let watched = [kept.as_str(), &outside, &fresh];
    let before = world(&ctx, socket, &watched);

    let cases: Vec<Vec<&str>> = vec![
        // The display name is taken in the store.
        vec![
            "destination",
            "create",
            "--server",
            &server,
            "--network",
            &fresh,
            "--name",
            &kept_name,
        ],
        // The network is already a destination here.
        vec![
            "destination",
            "create",
            "--server",
            &server,
            "--network",
            &kept,
        ],
        // The network exists on the daemon.
        vec![
            "destination",
            "create",
            "--server",
            &server,
            "--network",
            &outside,
        ],
    ];
    for args in &cases {
        // The real refusal first (it changes nothing either), then the dry run's: the same.
        let real = ctx.run(args).refused();
        assert_eq!(
            world(&ctx, socket, &watched),
            before,
            "the refused run changed something"
        );
        refused_as(&ctx, args, real.stderr.trim());
    }
    assert_eq!(
        world(&ctx, socket, &watched),
        before,
        "a dry run changed something"
    );
    ctx.json(&["destination", "delete", &format!("{server}/{kept}")]);
}

#[test]
fn import_dry_run_names_what_it_would_import_and_changes_nothing() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    let socket = tb.socket_a();
    let server = ctx.add_server_a();
    let outside = unique_name("dry-imp");
    ctx.cleanup_network(socket, &outside);
    docker_ok(socket, &["network", "create", &outside]);
    let watched = [outside.as_str()];
    let before = world(&ctx, socket, &watched);

    let plan = dry_json(&ctx, &["import", &server, &outside]);
    let s = steps(&plan);
    let name = format!("{server}-{outside}");
    has_step(
        &s,
        &format!("record network {outside} as destination {name} (standalone)"),
    );
    has_step(&s, &format!("connect proxy {} to {outside}", tb.proxy()));
    assert_eq!(
        world(&ctx, socket, &watched),
        before,
        "a dry run changed something"
    );
    let id = network_id_by_exact_name(socket, &outside).unwrap();
    assert!(
        !common::attached(socket, &id).contains(&tb.proxy().to_string()),
        "the proxy was attached by a dry run"
    );

    // Refusals, word for word: a network that is not there; then one already imported.
    let missing = unique_name("dry-none");
    let real = ctx.run(&["import", &server, &missing]).refused();
    refused_as(&ctx, &["import", &server, &missing], real.stderr.trim());

    let imported = ctx.json(&["import", &server, &outside]);
    assert_eq!(imported[0]["name"], name.as_str(), "named as the plan said");
    let before = world(&ctx, socket, &watched);
    let real = ctx.run(&["import", &server, &outside]).refused();
    refused_as(&ctx, &["import", &server, &outside], real.stderr.trim());
    assert_eq!(
        world(&ctx, socket, &watched),
        before,
        "a dry run changed something"
    );
    ctx.json(&["destination", "delete", &format!("{server}/{outside}")]);
}

#[test]
fn delete_dry_run_changes_nothing_and_exits_as_the_real_delete() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    let socket = tb.socket_a();
    let server = ctx.add_server_a();
    let free = unique_name("dry-del");
    let busy = unique_name("dry-busy");
    let sleeper = unique_name("dry-sleeper");
    ctx.cleanup_network(socket, &free);
    ctx.cleanup_network(socket, &busy);
    ctx.create_destination(&server, &free);
    ctx.create_destination(&server, &busy);
    common::run_sleeper(tb, socket, &sleeper, &busy);
    // Removed before the context drops its networks, pass or fail.
    let _sleeper = Removed(socket, &sleeper);
    let watched = [free.as_str(), &busy, &sleeper];
    let before = world(&ctx, socket, &watched);

    let free_ref = format!("{server}/{free}");
    let report = dry_json(&ctx, &["destination", "delete", &free_ref]);
    let s = steps(&report[0]);
    has_step(&s, &format!("disconnect proxy {} from {free}", tb.proxy()));
    has_step(&s, &format!("remove network {free}"));
    // A container on it: refused, as the real delete is (which changes nothing either).
    let busy_ref = format!("{server}/{busy}");
    let real = ctx.run(&["destination", "delete", &busy_ref]).refused();
    refused_as(
        &ctx,
        &["destination", "delete", &busy_ref],
        real.stderr.trim(),
    );
    assert_eq!(
        world(&ctx, socket, &watched),
        before,
        "a dry run changed something"
    );

    drop(_sleeper);
    ctx.json(&["destination", "delete", &free_ref]);
    ctx.json(&["destination", "delete", &busy_ref]);
}

/// Runs `resource create` on `server` with the testbed's image, with more arguments.
fn resource_create<'a>(tb: &'a Testbed, name: &'a str, server: &'a str) -> Vec<&'a str> {
    vec![
        "resource",
        "create",
        name,
        "--server",
        server,
        "--image",
        tb.image(),
        "--command",
        "sleep 300",
    ]
}

#[test]
fn resource_create_dry_run_chooses_as_the_real_run_and_starts_nothing() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    let socket = tb.socket_a();
    let server = ctx.add_server_a();
    let first = unique_name("dry-r1");
    let second = unique_name("dry-r2");
    ctx.cleanup_network(socket, &first);
    ctx.cleanup_network(socket, &second);
    ctx.create_destination(&server, &first);
    let app = unique_name("dry-app");
    let _app = ResourceRemoved(socket, &app);
    let watched = [first.as_str(), &second, &app];
    let before = world(&ctx, socket, &watched);

    // One destination: chosen, as the real run would.
    let plan = dry_json(&ctx, &resource_create(tb, &app, &server));
    let s = steps(&plan);
    has_step(&s, &format!("from image {}", tb.image()));
    has_step(&s, &format!("on network {first}"));
    has_step(&s, &format!("save the record {app}"));
    // A service stack: its own network first.
    let mut stack = resource_create(tb, &app, &server);
    stack.extend(["--kind", "service"]);
    let s = steps(&dry_json(&ctx, &stack));
    has_step(&s, "create the stack's own network destui-");
    assert_eq!(
        world(&ctx, socket, &watched),
        before,
        "a dry run changed something"
    );

    // Two destinations and none named: the real run's refusal (no terminal to ask).
    ctx.create_destination(&server, &second);
    let before = world(&ctx, socket, &watched);
    let args = resource_create(tb, &app, &server);
    let real = ctx.run(&args).refused();
    assert_eq!(world(&ctx, socket, &watched), before);
    refused_as(&ctx, &args, real.stderr.trim());
    // Named: it goes ahead, on that one.
    let second_ref = format!("{server}/{second}");
    let mut named = resource_create(tb, &app, &server);
    named.extend(["--destination", &second_ref]);
    has_step(
        &steps(&dry_json(&ctx, &named)),
        &format!("on network {second}"),
    );
    assert_eq!(
        world(&ctx, socket, &watched),
        before,
        "a dry run changed something"
    );
    let (_, started) = docker(
        socket,
        &["ps", "-a", "-q", "--filter", &format!("name={app}")],
    );
    assert!(started.is_empty(), "a container was started: {started}");

    // A resource name taken: refused word for word; delete's dry run removes nothing.
    ctx.json(&named);
    let before = world(&ctx, socket, &watched);
    let real = ctx.run(&named).refused();
    refused_as(&ctx, &named, real.stderr.trim());
    let s = steps(&dry_json(&ctx, &["resource", "delete", &app]));
    has_step(&s, &format!("remove container {}", app));
    has_step(&s, &format!("forget the record {app}"));
    assert_eq!(
        world(&ctx, socket, &watched),
        before,
        "a dry run changed something"
    );

    ctx.json(&["resource", "delete", &app]);
    ctx.json(&["destination", "delete", &format!("{server}/{first}")]);
    ctx.json(&["destination", "delete", &second_ref]);
}

#[test]
fn a_read_only_servers_dry_runs_are_refused_as_its_real_runs() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    let socket = tb.socket_a();
    let server = ctx.add_server_a();
    let kept = unique_name("dry-ro");
    let outside = unique_name("dry-ro-out");
    let never = unique_name("dry-ro-never");
    for n in [&kept, &outside, &never] {
        ctx.cleanup_network(socket, n);
    }
    ctx.create_destination(&server, &kept);
    docker_ok(socket, &["network", "create", &outside]);
    ctx.json(&["server", "edit", &server, "--read-only", "true"]);
    let app = unique_name("dry-ro-app");
    let watched = [kept.as_str(), &outside, &never, &app];
    let before = world(&ctx, socket, &watched);

    let refusal = format!("destui: server {server} is read-only");
    let kept_ref = format!("{server}/{kept}");
    let mut resource = resource_create(tb, &app, &server);
    resource.extend(["--destination", &kept_ref]);
    let attempts: Vec<Vec<&str>> = vec![
        vec![
            "destination",
            "create",
            "--server",
            &server,
            "--network",
            &never,
        ],
        vec!["destination", "delete", &kept_ref],
        vec!["destination", "repair", &kept_ref],
        vec!["destination", "rename", &kept_ref, "renamed"],
        vec!["import", &server, &outside],
        resource,
    ];
    for args in &attempts {
        refused_as(&ctx, args, &refusal);
    }
    assert_eq!(
        world(&ctx, socket, &watched),
        before,
        "a dry run changed something"
    );

    ctx.json(&["server", "edit", &server, "--read-only", "false"]);
    ctx.json(&["destination", "delete", &kept_ref]);
}

#[test]
fn edit_repair_remove_and_sync_dry_runs_say_what_would_change_and_change_nothing() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    let socket = tb.socket_a();
    let server = ctx.add_server_a();
    let gone = unique_name("dry-gone");
    ctx.cleanup_network(socket, &gone);
    ctx.create_destination(&server, &gone);
    let gone_ref = format!("{server}/{gone}");
    // Its network removed behind destui's back: a repair would make it again.
    docker_ok(socket, &["network", "disconnect", "-f", &gone, tb.proxy()]);
    docker_ok(socket, &["network", "rm", &gone]);
    let watched = [gone.as_str()];
    let before = world(&ctx, socket, &watched);

    let s = steps(&dry_json(&ctx, &["destination", "repair", &gone_ref]));
    has_step(&s, &format!("create network {gone}"));
    has_step(&s, &format!("connect proxy {} to {gone}", tb.proxy()));
    let renamed = unique_name("dry-renamed");
    let s = steps(&dry_json(
        &ctx,
        &["destination", "edit", &gone_ref, "--name", &renamed],
    ));
    has_step(&s, &format!("to {renamed}"));
    // Delete: the steps it would really take, with the network gone (nothing to disconnect
    // or remove, the record forgotten).
    let s = steps(&dry_json(&ctx, &["destination", "delete", &gone_ref])[0]);
    has_step(
        &s,
        &format!("skip the removal: network {gone} is already gone from {server}"),
    );
    has_step(&s, "forget the record");
    assert!(!s.iter().any(|x| x.contains("disconnect proxy")), "{s:?}");
    let s = steps(&dry_json(&ctx, &["sync", &server]));
    has_step(
        &s,
        &format!(
            "list as missing: destination {}",
            ctx.json(&["destination", "show", &gone_ref])["name"]
                .as_str()
                .unwrap()
        ),
    );
    // Remove: refused without --force, as the real run; with it, what would be forgotten.
    let real = ctx.run(&["server", "remove", &server]).refused();
    refused_as(&ctx, &["server", "remove", &server], real.stderr.trim());
    let s = steps(&dry_json(&ctx, &["server", "remove", &server, "--force"]));
    has_step(&s, &format!("forget server {server}"));
    has_step(&s, &format!("(the network {gone} stays on the host)"));
    assert_eq!(
        world(&ctx, socket, &watched),
        before,
        "a dry run changed something"
    );
    assert!(ctx.json(&["server", "show", &server])["name"] == server.as_str());

    ctx.json(&["destination", "delete", &gone_ref]);
}

#[test]
fn server_add_edit_and_import_dry_runs_check_as_the_real_runs_and_save_nothing() {
    let tb = live!();
    let mut ctx = Ctx::new(tb);
    let a = ctx.add_server_a();
    let servers = |ctx: &Ctx| ctx.json(&["server", "list"]);
    let before = servers(&ctx);
    let host_a = tb.get("DESTUI_TB_HOST_A");

    // Add: checked live as the real add, nothing saved.
    let plan = dry_json(
        &ctx,
        &[
            "server",
            "add",
            "second",
            "--host",
            host_a,
            "--docker-socket",
            tb.socket_b(),
        ],
    );
    has_step(&steps(&plan), "save server second");
    has_step(&steps(&plan), "swarm-manager");
    // A taken name, and a server that does not answer, refused as the real add refuses.
    let real = ctx.run(&["server", "add", &a, "--host", host_a]).refused();
    refused_as(
        &ctx,
        &["server", "add", &a, "--host", host_a],
        real.stderr.trim(),
    );
    // Edit: each change named, nothing saved.
    let plan = dry_json(
        &ctx,
        &[
            "server",
            "edit",
            &a,
            "--proxy-container",
            "other-proxy",
            "--color",
            "red",
        ],
    );
    let edit = steps(&plan);
    has_step(
        &edit,
        &format!(
            "change the proxy container from {} to other-proxy",
            tb.proxy()
        ),
    );
    has_step(&edit, "change the color from - to red");
    // Import: what it would add from an ssh config, nothing saved.
    let config = common::write_ssh_config(
        &ctx,
        "dry-alias",
        tb.get("DESTUI_TB_SSH_PORT").parse().unwrap(),
        None,
    );
    ctx.extra_env.push(("DESTUI_SSH_CONFIG".into(), config));
    let report = ctx.json(&["server", "import", "--dry-run", "--docker-contexts"]);
    assert_eq!(report["dry_run"], true, "{report}");
    let report = ctx.json(&["server", "import", "--dry-run", "--no-check"]);
    assert_eq!(report["dry_run"], true, "{report}");
    assert!(
        report["added"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["name"] == "dry-alias"),
        "{report}"
    );
    assert_eq!(servers(&ctx), before, "nothing saved");
}
