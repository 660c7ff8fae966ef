//! Output safety: what servers and users hand destui can neither drive the terminal nor slip
//! past the rules (unsafe characters, uuids as names, twin networks, swarm names, ports, data
//! directory permissions), and every refusal leaves the daemons and the store as they were.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::too_many_lines
)]
mod common;

use common::{
    Ctx, Testbed, attached, container_running, docker, inspect_network, network_id_by_exact_name,
    unique_name, wait_for,
};
use serde_json::{Value, json};
use std::cell::RefCell;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

const MSG_DELETE_RESOURCES_FIRST: &str =
    "You must delete all resources before deleting this destination.";
const UNSAFE_NAME: &str = "contains control or invisible characters";
const UUID_NAME: &str = "is the uuid of another record";
const SWARM_RULE: &str = "swarm allows at most 63 characters";

// ---------- helpers ----------

/// What a test made on the daemons out of band, removed when the test ends (pass or fail):
/// containers first, then networks by full ID (the proxy disconnected first).
struct Made {
    tb: &'static Testbed,
    containers: RefCell<Vec<(String, String)>>,
    networks: RefCell<Vec<(String, String)>>,
}

impl Made {
    fn new(tb: &'static Testbed) -> Self {
        Made {
            tb,
            containers: Default::default(),
            networks: Default::default(),
        }
    }

    /// Creates a network through the Engine API, which checks neither names nor duplicates;
    /// returns its full ID.
    fn network(&self, socket: &str, name: &str, labels: Value) -> String {
        let body = json!({"Name": name, "CheckDuplicate": false, "Labels": labels}).to_string();
        let out = Command::new("curl")
            .args(["-s", "--unix-socket", socket, "-XPOST"])
            .args([
                "-H",
                "Content-Type: application/json",
                "--data-binary",
                &body,
            ])
            .arg("http://x/networks/create")
            .output()
            .expect("run curl");
        let answer: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "networks/create answered no JSON ({e}): {}",
                String::from_utf8_lossy(&out.stdout)
            )
        });
        let id = answer["Id"]
            .as_str()
            .unwrap_or_else(|| panic!("the daemon refused network {name:?}: {answer}"))
            .to_string();
        self.network_id(socket, &id);
        id
    }

    /// Removes the network with this full ID when the test ends.
    fn network_id(&self, socket: &str, id: &str) {
        self.networks
            .borrow_mut()
            .push((socket.to_string(), id.to_string()));
    }

    /// `docker <verb> --name NAME --network NETWORK <image> <cmd…>`, removed when the test ends.
    fn container(&self, socket: &str, verb: &[&str], name: &str, network: &str, cmd: &[&str]) {
        self.containers
            .borrow_mut()
            .push((socket.to_string(), name.to_string()));
        let mut args: Vec<&str> = verb.to_vec();
        args.extend(["--name", name, "--network", network, self.tb.image()]);
        args.extend_from_slice(cmd);
        assert!(docker(socket, &args).0, "docker {args:?}");
    }
}

impl Drop for Made {
    fn drop(&mut self) {
        for (socket, name) in self.containers.borrow_mut().drain(..) {
            let _ = docker(&socket, &["rm", "-f", &name]);
        }
        for (socket, id) in self.networks.borrow_mut().drain(..) {
            if inspect_network(&socket, &id).is_some() {
                common::disconnect_proxy(&socket, &id, self.tb.proxy());
                let _ = docker(&socket, &["network", "rm", &id]);
            }
        }
    }
}

/// The characters a terminal must never receive raw (the test's own copy of the rule, wide
/// enough for every character these tests use).
fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{ad}'
                | '\u{200b}'..='\u{200f}'
                | '\u{2028}'..='\u{202e}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{206f}'
                | '\u{feff}'
        )
}

/// How CLI text shows `s`: each unsafe character as `\u{…}`.
fn escaped(s: &str) -> String {
    s.chars()
        .map(|c| {
            if is_unsafe(c) {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// `text` for a failure message: escaped, its lines kept.
fn readable(text: &str) -> String {
    text.split('\n').map(escaped).collect::<Vec<_>>().join("\n")
}

/// `text` holds no raw unsafe character but the newlines that end its lines.
#[track_caller]
fn assert_terminal_safe(what: &str, text: &str) {
    let raw: Vec<String> = text
        .chars()
        .filter(|&c| c != '\n' && is_unsafe(c))
        .map(|c| c.escape_unicode().to_string())
        .collect();
    assert!(
        raw.is_empty(),
        "{what} has raw {raw:?}:\n{}",
        readable(text)
    );
}

/// Network names only the API (or a daemon-side CLI) can make: colour, a forged table row, a
/// right-to-left override, invisible and separator characters, C1 CSI, DEL and BEL.
fn evil_names(u: &str) -> Vec<String> {
    vec![
        format!("{u}\x1b[31mred"),
        format!("{u}\nforged-row  bridge  local  0  importable"),
        format!("{u}\u{202e}txt.exe"),
        format!("{u}\u{200b}\u{2028}\u{feff}\u{ad}\u{2066}x"),
        format!("{u}\u{9b}2J\x7f\x07"),
    ]
}

fn rows(v: &Value) -> &Vec<Value> {
    v.as_array().expect("a JSON array")
}

fn ids(scan: &Value) -> Vec<String> {
    let mut ids: Vec<String> = rows(scan)
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    ids
}

fn row_by_id<'a>(scan: &'a Value, id: &str) -> &'a Value {
    rows(scan)
        .iter()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("scan lists no network {id}"))
}

fn destination_names(ctx: &Ctx) -> Vec<String> {
    rows(&ctx.json(&["destination", "list"]))
        .iter()
        .map(|d| d["name"].as_str().unwrap().to_string())
        .collect()
}

/// The error text of a refusal, without the `destui: ` prefix.
fn message(stderr: &str) -> &str {
    let line = stderr.trim();
    line.strip_prefix("destui: ").unwrap_or(line)
}

/// The test's copy of the default destination name rule: `kebab("<server>-<network>")`.
fn kebab(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

// ---------- 1. terminal injection from the server ----------

#[test]
fn scan_escapes_control_and_invisible_characters_in_network_names() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    let made = Made::new(tb);
    for (server, socket) in [
        (ctx.add_server_a(), tb.socket_a()),
        (ctx.add_server_b(), tb.socket_b()),
    ] {
        let u = unique_name("evil");
        let evil: Vec<(String, String)> = evil_names(&u)
            .into_iter()
            .map(|name| {
                let id = made.network(socket, &name, json!({}));
                (name, id)
            })
            .collect();

        // Text and JSON of the same moment (other tests add and remove networks meanwhile).
        let (text, scan) = (0..10)
            .find_map(|_| {
                let before = ctx.json(&["scan", &server]);
                let text = ctx.run(&["scan", &server]).ok().stdout;
                let after = ctx.json(&["scan", &server]);
                (ids(&before) == ids(&after)).then_some((text, after))
            })
            .expect("a quiet moment for scan");

        assert_terminal_safe("scan text", &text);
        for (name, _) in &evil {
            assert!(
                text.contains(&escaped(name)),
                "scan text shows {} escaped:\n{}",
                escaped(name),
                readable(&text)
            );
        }
        for form in [
            "\\u{1b}",
            "\\u{a}",
            "\\u{202e}",
            "\\u{200b}",
            "\\u{2028}",
            "\\u{feff}",
            "\\u{9b}",
            "\\u{7f}",
            "\\u{7}",
        ] {
            assert!(text.contains(form), "scan text has {form}");
        }
        assert!(
            !text.lines().any(|l| l.starts_with("forged-row")),
            "a newline in a name forges no row:\n{}",
            readable(&text)
        );
        assert_eq!(
            text.lines().count(),
            rows(&scan).len() + 1,
            "one line per row plus the header:\n{}",
            readable(&text)
        );

        // JSON: valid, no raw control bytes, and the names exactly as the daemon has them.
        let raw = ctx.run(&["--json", "scan", &server]).ok();
        assert_terminal_safe("scan JSON", &raw.stdout);
        let scan = raw.json();
        for (name, id) in &evil {
            assert_eq!(row_by_id(&scan, id)["network"], name.as_str());
        }

        // Nothing changed on the daemon: every network still there, the proxy not attached.
        for (name, id) in &evil {
            assert_eq!(
                inspect_network(socket, id).expect("still there")["Name"],
                name.as_str()
            );
            assert!(!attached(socket, id).contains(&tb.proxy().to_string()));
        }
        assert!(destination_names(&ctx).is_empty(), "scan imports nothing");
    }
}

#[test]
fn destination_show_escapes_control_characters_in_labels() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    let made = Made::new(tb);
    let socket = tb.socket_a();
    let server = ctx.add_server_a();
    let net = unique_name("labels");
    let title = "\x1b]0;pwned\x07";
    let forged = "line1\nline2";
    let evil_key = "k\x1b[1mey";
    let id = made.network(
        socket,
        &net,
        json!({"title": title, "multi": forged, evil_key: "v"}),
    );
    let imported = ctx.json(&["import", &server, &net]);
    assert_eq!(rows(&imported).len(), 1);
    let reference = format!("{server}/{net}");

    let text = ctx.run(&["destination", "show", &reference]).ok().stdout;
    assert_terminal_safe("show text", &text);
    for shown in [
        "title=\\u{1b}]0;pwned\\u{7}",
        "multi=line1\\u{a}line2",
        "k\\u{1b}[1mey=v",
    ] {
        assert!(
            text.contains(shown),
            "show text has {shown}:\n{}",
            readable(&text)
        );
    }
    assert!(
        !text.lines().any(|l| l.starts_with("line2")),
        "a newline in a label forges no line:\n{}",
        readable(&text)
    );

    let raw = ctx.run(&["--json", "destination", "show", &reference]).ok();
    assert_terminal_safe("show JSON", &raw.stdout);
    let shown = raw.json();
    assert_eq!(shown["labels"]["title"], title);
    assert_eq!(shown["labels"]["multi"], forged);
    assert_eq!(shown["labels"][evil_key], "v");

    // Showing changed nothing: same network, labels intact on the daemon.
    let n = inspect_network(socket, &id).expect("network still there");
    assert_eq!(n["Labels"]["title"], title);
    assert_eq!(n["Labels"]["multi"], forged);
    ctx.run(&["destination", "delete", &reference]).ok();
}

// ---------- 2. such networks cannot be imported ----------

#[test]
fn networks_with_unsafe_names_are_not_importable_and_import_refuses_them() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    let made = Made::new(tb);
    let socket = tb.socket_a();
    let server = ctx.add_server_a();
    let u = unique_name("noimp");
    let evil: Vec<(String, String)> = evil_names(&u)
        .into_iter()
        .map(|name| {
            let id = made.network(socket, &name, json!({}));
            (name, id)
        })
        .collect();

    let scan = ctx.json(&["scan", &server]);
    for (name, id) in &evil {
        let row = row_by_id(&scan, id);
        assert_eq!(row["importable"], false, "{}", escaped(name));
        let reason = row["reason"].as_str().unwrap_or_default();
        assert!(
            reason.starts_with("cannot be imported: "),
            "{}: {reason}",
            escaped(name)
        );
    }

    for (name, id) in &evil {
        let run = ctx.run(&["import", &server, name]).refused();
        assert_terminal_safe("import refusal", &run.stderr);
        assert!(destination_names(&ctx).is_empty(), "nothing imported");
        assert!(inspect_network(socket, id).is_some(), "network untouched");
        assert!(
            !attached(socket, id).contains(&tb.proxy().to_string()),
            "proxy not attached to {}",
            escaped(name)
        );
    }
}

// ---------- 3. names typed by users ----------

#[test]
fn destination_names_with_control_or_invisible_characters_are_refused() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    let socket = tb.socket_a();
    let server = ctx.add_server_a();

    let net = unique_name("rtl");
    ctx.cleanup_network(socket, &net);
    let name = "web\u{202e}x";
    let run = ctx
        .run(&[
            "destination",
            "create",
            "--server",
            &server,
            "--network",
            &net,
            "--name",
            name,
        ])
        .refused();
    assert!(
        run.stderr.contains(UNSAFE_NAME),
        "{}",
        readable(&run.stderr)
    );
    assert_terminal_safe("create refusal", &run.stderr);
    assert!(destination_names(&ctx).is_empty(), "no record");
    assert!(
        network_id_by_exact_name(socket, &net).is_none(),
        "no network {net} on the daemon"
    );

    let good = unique_name("zw");
    ctx.cleanup_network(socket, &good);
    let d = ctx.create_destination(&server, &good);
    let before = d["name"].as_str().unwrap().to_string();
    let run = ctx
        .run(&["destination", "rename", &before, "a\u{200b}b"])
        .refused();
    assert!(
        run.stderr.contains(UNSAFE_NAME),
        "{}",
        readable(&run.stderr)
    );
    assert_terminal_safe("rename refusal", &run.stderr);
    assert_eq!(
        destination_names(&ctx),
        vec![before.clone()],
        "name unchanged"
    );
    ctx.run(&["destination", "delete", &before]).ok();
}

#[test]
fn server_names_with_control_or_invisible_characters_are_refused() {
    let ctx = Ctx::offline();
    let run = ctx
        .run(&["server", "add", "srv\u{feff}", "--host", "h", "--no-check"])
        .refused();
    assert!(
        run.stderr.contains(UNSAFE_NAME),
        "{}",
        readable(&run.stderr)
    );
    assert_terminal_safe("add refusal", &run.stderr);
    assert!(rows(&ctx.json(&["server", "list"])).is_empty(), "no server");

    ctx.json(&["server", "add", "srv", "--host", "h", "--no-check"]);
    let run = ctx
        .run(&["server", "edit", "srv", "--name", "x\u{2028}y"])
        .refused();
    assert!(
        run.stderr.contains(UNSAFE_NAME),
        "{}",
        readable(&run.stderr)
    );
    assert_terminal_safe("edit refusal", &run.stderr);
    let list = ctx.json(&["server", "list"]);
    assert_eq!(rows(&list).len(), 1);
    assert_eq!(rows(&list)[0]["name"], "srv", "name unchanged");
}

// ---------- 4. a name is never a uuid ----------

#[test]
fn a_name_may_not_be_the_uuid_of_another_record() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    let socket = tb.socket_a();
    let server = ctx.add_server_a();
    let server_uuid = ctx.json(&["server", "show", &server])["uuid"]
        .as_str()
        .unwrap()
        .to_string();
    let net_x = unique_name("uuid-x");
    ctx.cleanup_network(socket, &net_x);
    let x = ctx.create_destination(&server, &net_x);
    let x_uuid = x["uuid"].as_str().unwrap().to_string();

    let net2 = unique_name("uuid-2");
    ctx.cleanup_network(socket, &net2);
    let run = ctx
        .run(&[
            "destination",
            "create",
            "--server",
            &server,
            "--network",
            &net2,
            "--name",
            &x_uuid,
        ])
        .refused();
    assert!(run.stderr.contains(UUID_NAME), "{}", run.stderr);
    assert!(
        network_id_by_exact_name(socket, &net2).is_none(),
        "no second network"
    );
    assert_eq!(rows(&ctx.json(&["destination", "list"])).len(), 1);

    let net_y = unique_name("uuid-y");
    ctx.cleanup_network(socket, &net_y);
    let y = ctx.create_destination(&server, &net_y);
    let y_name = y["name"].as_str().unwrap().to_string();
    for taken in [&x_uuid, &server_uuid] {
        let run = ctx
            .run(&["destination", "rename", &y_name, taken])
            .refused();
        assert!(run.stderr.contains(UUID_NAME), "{}", run.stderr);
    }
    let names = destination_names(&ctx);
    assert!(names.contains(&y_name), "name unchanged: {names:?}");
    assert!(!names.contains(&x_uuid) && !names.contains(&server_uuid));

    let run = ctx
        .run(&["server", "add", &server_uuid, "--host", "h", "--no-check"])
        .refused();
    assert!(run.stderr.contains(UUID_NAME), "{}", run.stderr);
    assert_eq!(
        rows(&ctx.json(&["server", "list"])).len(),
        1,
        "no server added"
    );

    // Lookup by uuid is never shadowed by a name: this deletes X.
    let x_id = x["network_id"].as_str().unwrap();
    let deleted = ctx.json(&["destination", "delete", &x_uuid]);
    assert_eq!(rows(&deleted)[0]["uuid"], x_uuid.as_str());
    assert!(
        inspect_network(socket, x_id).is_none(),
        "X's network removed"
    );
    assert_eq!(destination_names(&ctx), vec![y_name.clone()]);
    ctx.run(&["destination", "delete", &y_name]).ok();
}

// ---------- 5. stopped and never-started containers count ----------

/// A container that is not running but attached to `d`'s network keeps the destination: scan,
/// check and show count it, delete is refused, and nothing is touched.
fn a_parked_container_holds_the_destination(
    ctx: &Ctx,
    server: &str,
    socket: &str,
    d: &Value,
    container: &str,
) {
    let name = d["name"].as_str().unwrap();
    let network = d["network"].as_str().unwrap();
    let id = d["network_id"].as_str().unwrap();
    assert!(!container_running(socket, container), "not running");

    let scan = ctx.json(&["scan", server]);
    let row = row_by_id(&scan, id);
    assert_eq!(row["network"], network);
    assert_eq!(row["unused"], false, "scan: {row}");
    assert!(
        rows(&row["containers"]).iter().any(|c| c == container),
        "scan lists {container}: {row}"
    );

    let check = ctx.json_any(&["destination", "check", name]);
    let row = rows(&check)
        .iter()
        .find(|r| r["destination"] == name)
        .expect("check row");
    assert_eq!(row["unused"], false, "check: {row}");

    let shown = ctx.json(&["destination", "show", name]);
    assert!(
        rows(&shown["containers"])
            .iter()
            .any(|c| c["name"] == container),
        "show lists {container}: {}",
        shown["containers"]
    );

    let run = ctx.run(&["destination", "delete", name]).refused();
    assert!(
        message(&run.stderr).starts_with(MSG_DELETE_RESOURCES_FIRST),
        "{}",
        run.stderr
    );
    assert_eq!(
        network_id_by_exact_name(socket, network).as_deref(),
        Some(id),
        "the network is still there, same ID"
    );
    assert!(destination_names(ctx).contains(&name.to_string()));
    assert!(
        docker(socket, &["start", container]).0,
        "{container} still exists and starts"
    );
}

#[test]
fn a_created_but_never_started_container_counts_as_attached() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    let made = Made::new(tb);
    let socket = tb.socket_a();
    let server = ctx.add_server_a();
    let net = unique_name("parked");
    ctx.cleanup_network(socket, &net);
    let d = ctx.create_destination(&server, &net);
    let c = unique_name("created");
    made.container(
        socket,
        &["create"],
        &c,
        d["network_id"].as_str().unwrap(),
        &["/bin/sleep", "600"],
    );
    a_parked_container_holds_the_destination(&ctx, &server, socket, &d, &c);
}

#[test]
fn an_exited_container_counts_as_attached() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    let made = Made::new(tb);
    let socket = tb.socket_a();
    let server = ctx.add_server_a();
    let net = unique_name("exited");
    ctx.cleanup_network(socket, &net);
    let d = ctx.create_destination(&server, &net);
    let c = unique_name("stopped");
    made.container(
        socket,
        &["run", "-d"],
        &c,
        d["network_id"].as_str().unwrap(),
        &["/bin/sleep", "1"],
    );
    assert!(
        wait_for(Duration::from_secs(20), || docker(
            socket,
            &["inspect", "-f", "{{.State.Status}}", &c]
        )
        .1 == "exited"),
        "{c} exited"
    );
    a_parked_container_holds_the_destination(&ctx, &server, socket, &d, &c);
}

// ---------- 6. derived names stay within limits ----------

#[test]
fn import_cuts_long_derived_names_to_100_characters_and_keeps_them_distinct() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    let socket = tb.socket_a();
    let server = ctx.add_server_a();
    let stem = format!("{}-", unique_name("long"));
    let stem = format!("{stem}{}", "x".repeat(120 - stem.len()));
    let first = format!("{stem}aaaaaaaa");
    let second = format!("{stem}bbbbbbbb");
    for net in [&first, &second] {
        assert_eq!(net.len(), 128);
        ctx.cleanup_network(socket, net);
        assert!(docker(socket, &["network", "create", net]).0, "{net}");
    }

    let a = ctx.json(&["import", &server, &first]);
    let b = ctx.json(&["import", &server, &second]);
    let a = rows(&a)[0]["name"].as_str().unwrap().to_string();
    let b = rows(&b)[0]["name"].as_str().unwrap().to_string();
    for name in [&a, &b] {
        assert!(name.chars().count() <= 100, "{name} is too long");
    }
    assert_ne!(a, b);
    assert!(b.ends_with("-2"), "{b}");
    let derived = kebab(&format!("{server}-{first}"));
    assert!(derived.starts_with(&a), "{a} is a cut of {derived}");
    assert!(
        derived.starts_with(b.strip_suffix("-2").unwrap()),
        "{b} is a cut of {derived} plus -2"
    );
    let mut names = destination_names(&ctx);
    names.sort();
    let mut both = vec![a.clone(), b.clone()];
    both.sort();
    assert_eq!(names, both);
    for name in [&a, &b] {
        ctx.run(&["destination", "delete", name]).ok();
    }
}

// ---------- 7. twin networks ----------

#[test]
fn two_networks_with_one_name_are_imported_only_by_full_id() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    let made = Made::new(tb);
    let socket = tb.socket_a();
    let server = ctx.add_server_a();
    let name = unique_name("twin");
    let id1 = made.network(socket, &name, json!({}));
    let id2 = made.network(socket, &name, json!({}));

    let scan = ctx.json(&["scan", &server]);
    let mut twins: Vec<&str> = rows(&scan)
        .iter()
        .filter(|r| r["network"] == name.as_str())
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    twins.sort();
    let mut expected = vec![id1.as_str(), id2.as_str()];
    expected.sort();
    assert_eq!(twins, expected, "scan lists both twins");

    let run = ctx.run(&["import", &server, &name]).refused();
    for needle in [id1.as_str(), id2.as_str(), "import one by its full ID"] {
        assert!(run.stderr.contains(needle), "{needle}: {}", run.stderr);
    }
    assert!(destination_names(&ctx).is_empty(), "nothing imported");
    for id in [&id1, &id2] {
        assert!(!attached(socket, id).contains(&tb.proxy().to_string()));
    }

    let imported = ctx.json(&["import", &server, &id1]);
    assert_eq!(rows(&imported).len(), 1);
    let d = &rows(&imported)[0];
    assert_eq!(d["network_id"], id1.as_str());
    assert_eq!(d["network"], name.as_str());
    assert_eq!(rows(&ctx.json(&["destination", "list"])).len(), 1);
    assert!(attached(socket, &id1).contains(&tb.proxy().to_string()));
    assert!(!attached(socket, &id2).contains(&tb.proxy().to_string()));

    let scan = ctx.json(&["scan", &server]);
    let added = row_by_id(&scan, &id1);
    assert_eq!(added["importable"], false);
    assert_eq!(added["reason"], "already added");
    let other = row_by_id(&scan, &id2);
    assert_eq!(other["importable"], false);
    let reason = other["reason"].as_str().unwrap_or_default();
    assert!(reason.starts_with("cannot be imported: "), "{reason}");

    ctx.run(&["destination", "delete", d["uuid"].as_str().unwrap()])
        .ok();
    assert!(
        inspect_network(socket, &id1).is_none(),
        "the imported twin removed"
    );
    assert!(
        inspect_network(socket, &id2).is_some(),
        "the other twin untouched"
    );
}

// ---------- 8. swarm's own name rule ----------

#[test]
fn swarm_network_names_follow_swarms_rule_on_a_manager_only() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    let u = unique_name("sw");
    let long = format!("{u}-{}", "x".repeat(63 - u.len()));
    assert_eq!(long.len(), 64);
    let names = [
        format!("a.b-{u}"),
        long,
        format!("a--b-{u}"),
        format!("{u}-"),
        format!("a_-b-{u}"),
    ];

    let b = ctx.add_server_b();
    for net in &names {
        ctx.cleanup_network(tb.socket_b(), net);
        let run = ctx
            .run(&["destination", "create", "--server", &b, "--network", net])
            .refused();
        assert!(run.stderr.contains(SWARM_RULE), "{net}: {}", run.stderr);
        assert!(
            network_id_by_exact_name(tb.socket_b(), net).is_none(),
            "no network {net} on B"
        );
    }
    assert!(destination_names(&ctx).is_empty(), "no record");

    // A standalone daemon has no such rule.
    let a = ctx.add_server_a();
    for net in &names {
        ctx.cleanup_network(tb.socket_a(), net);
        let d = ctx.create_destination(&a, net);
        assert_eq!(
            inspect_network(tb.socket_a(), d["network_id"].as_str().unwrap())
                .expect("created on A")["Name"],
            net.as_str()
        );
        ctx.run(&["destination", "delete", d["uuid"].as_str().unwrap()])
            .ok();
    }
}

// ---------- 9. multi-target commands ----------

#[test]
fn multi_target_commands_resolve_every_target_before_acting() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    let socket = tb.socket_a();
    let server = ctx.add_server_a();
    let net = unique_name("multi");
    ctx.cleanup_network(socket, &net);
    let x = ctx.create_destination(&server, &net);
    let name = x["name"].as_str().unwrap().to_string();
    let id = x["network_id"].as_str().unwrap();

    let run = ctx
        .run(&["destination", "delete", &name, "no-such-destination"])
        .refused();
    assert!(run.stderr.contains("no-such-destination"), "{}", run.stderr);
    assert!(
        run.stdout.trim().is_empty(),
        "nothing deleted: {}",
        run.stdout
    );
    assert_eq!(
        destination_names(&ctx),
        vec![name.clone()],
        "X still listed"
    );
    assert!(
        inspect_network(socket, id).is_some(),
        "X's network still there"
    );
    assert!(attached(socket, id).contains(&tb.proxy().to_string()));

    let run = ctx.run(&["destination", "check", &name, "nope"]).refused();
    assert!(run.stderr.contains("nope"), "{}", run.stderr);
    assert!(run.stdout.trim().is_empty(), "no report: {}", run.stdout);

    let run = ctx.run(&["server", "check", &server, "nope"]).refused();
    assert!(run.stderr.contains("nope"), "{}", run.stderr);
    assert!(run.stdout.trim().is_empty(), "no report: {}", run.stdout);

    assert_eq!(destination_names(&ctx), vec![name.clone()]);
    ctx.run(&["destination", "delete", &name]).ok();
}

// ---------- 10. ports ----------

#[test]
fn ports_outside_1_to_65535_are_refused() {
    let ctx = Ctx::offline();
    let run = ctx
        .run(&[
            "server",
            "add",
            "s",
            "--host",
            "h",
            "--port",
            "0",
            "--no-check",
        ])
        .refused();
    assert!(run.stderr.contains("invalid port 0"), "{}", run.stderr);
    assert!(rows(&ctx.json(&["server", "list"])).is_empty());

    let run = ctx.run(&[
        "server",
        "add",
        "s",
        "--host",
        "h",
        "--port",
        "65536",
        "--no-check",
    ]);
    assert_eq!(run.code, 2, "a usage error: {}", run.stderr);
    assert!(rows(&ctx.json(&["server", "list"])).is_empty());

    ctx.json(&[
        "server",
        "add",
        "s",
        "--host",
        "h",
        "--port",
        "2222",
        "--no-check",
    ]);
    let run = ctx.run(&["server", "edit", "s", "--port", "0"]).refused();
    assert!(run.stderr.contains("invalid port 0"), "{}", run.stderr);
    assert_eq!(
        ctx.json(&["server", "show", "s"])["port"],
        2222,
        "port unchanged"
    );
}

// ---------- 11. data directory permissions ----------

#[test]
fn a_data_directory_other_users_can_write_is_refused() {
    let ctx = Ctx::offline();
    let db = ctx.db();
    std::fs::create_dir(&db).unwrap();
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o777)).unwrap();

    let run = ctx.run(&["server", "list"]).refused();
    for needle in ["can be written by other users", "chmod 700"] {
        assert!(run.stderr.contains(needle), "{needle}: {}", run.stderr);
    }
    let inside: Vec<_> = std::fs::read_dir(&db).unwrap().flatten().collect();
    assert!(inside.is_empty(), "nothing created: {inside:?}");
    assert_eq!(mode(&db), 0o777, "the directory is left as it was");
}

#[test]
fn a_fresh_data_directory_is_private() {
    let ctx = Ctx::offline();
    ctx.json(&["server", "add", "x", "--host", "h", "--no-check"]);
    let db = ctx.db();
    assert_eq!(mode(&db), 0o700, "{}", db.display());
    let mut todo = vec![db];
    let mut files = 0;
    while let Some(dir) = todo.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            let meta = std::fs::symlink_metadata(&path).unwrap();
            if meta.is_dir() {
                assert_eq!(mode(&path), 0o700, "{}", path.display());
                todo.push(path);
            } else {
                files += 1;
                assert_eq!(
                    meta.permissions().mode() & 0o777,
                    0o600,
                    "{}",
                    path.display()
                );
            }
        }
    }
    assert!(files > 0, "the store wrote something");
}

/// A destination on `server` for the forged-labels test, its network removed when it ends.
fn team_destination(ctx: &Ctx, server: &str, socket: &str) -> Value {
    let net = unique_name("forge");
    ctx.cleanup_network(socket, &net);
    ctx.create_destination(server, &net)
}

/// Issue 27 item 10: a label is a claim checked against the records and the network it sits
/// on, never trusted alone: a network carrying an existing record's uuid under another name
/// is importable as a new destination (not "already added"); `destui.managed=false` is not
/// adopted by `sync`; a container carrying a resource's uuid on another destination's
/// network is not that resource's — never counted, never planned for removal, never removed.
#[test]
fn forged_labels_are_claims_checked_against_the_records() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    let server = ctx.add_server_a();
    let socket = tb.socket_a();
    let mine = team_destination(&ctx, &server, socket);
    let uuid = mine["uuid"].as_str().unwrap().to_string();

    let copied = unique_name("forged");
    ctx.cleanup_network(socket, &copied);
    let label = format!("destui.destination={uuid}");
    assert!(
        docker(
            socket,
            &[
                "network",
                "create",
                "--label",
                "destui.managed=true",
                "--label",
                &label,
                &copied
            ]
        )
        .0
    );
    let scan = ctx.json(&["scan", &server]);
    let row = scan
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["network"] == copied.as_str())
        .cloned()
        .expect("listed");
    assert_eq!(row["importable"], true, "{row}");
    let imported = ctx.json(&["import", &server, &copied]);
    assert_ne!(imported[0]["uuid"], uuid.as_str(), "{imported}");

    let unmanaged = unique_name("unmanaged");
    ctx.cleanup_network(socket, &unmanaged);
    let claimed = format!("destui.destination=q{}", "7".repeat(23));
    assert!(
        docker(
            socket,
            &[
                "network",
                "create",
                "--label",
                "destui.managed=false",
                "--label",
                &claimed,
                &unmanaged
            ]
        )
        .0
    );
    let _ = ctx.run(&["sync", &server]);
    let listed = ctx.json(&["destination", "list"]);
    assert!(
        !listed
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["network"] == unmanaged.as_str()),
        "{listed}"
    );

    // A resource on `mine`, and a container elsewhere that copies its label.
    let r = ctx.deploy(
        &unique_name("app"),
        &server,
        Some(mine["name"].as_str().unwrap()),
        None,
    );
    let r_uuid = r["uuid"].as_str().unwrap().to_string();
    let _guard = common::ResourceContainers(socket, vec![r_uuid.clone()]);
    let other = team_destination(&ctx, &server, socket);
    let impostor = unique_name("impostor");
    let forged = format!("destui.resource={r_uuid}");
    assert!(
        docker(
            socket,
            &[
                "run",
                "-d",
                "--name",
                &impostor,
                "--label",
                &forged,
                "--network",
                other["network"].as_str().unwrap(),
                tb.image(),
                "sleep",
                "600",
            ],
        )
        .0
    );
    let shown = ctx.json(&["resource", "show", &r_uuid]);
    assert_eq!(shown["containers"].as_array().unwrap().len(), 1, "{shown}");
    assert!(!shown.to_string().contains(&impostor), "{shown}");
    let plan = ctx.run(&["resource", "delete", &r_uuid, "--dry-run"]).ok();
    assert!(!plan.stdout.contains(&impostor), "{}", plan.stdout);
    ctx.run(&["resource", "delete", &r_uuid]).ok();
    assert!(
        common::container_running(socket, &impostor),
        "the impostor was removed"
    );
    docker(socket, &["rm", "-f", &impostor]);
    for d in [&imported[0], &mine, &other] {
        ctx.run(&["destination", "delete", d["name"].as_str().unwrap()]);
    }
}
