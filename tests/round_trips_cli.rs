//! Far servers pay per request (DESIGN.md §5): the requests a create, a scan and a delete
//! send are counted here, from bollard's own log of each request, so a regression in round
//! trips fails CI and not only the bench. One CLI process per command, as a script runs them.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::too_many_lines
)]
mod common;

use common::{Ctx, unique_name};

/// The Docker API paths the command `args` requested, in order (query strings cut).
fn requests(ctx: &Ctx, args: &[&str]) -> Vec<String> {
    let log = ctx.dir.path().join("state/destui/destui.log");
    let _ = std::fs::remove_file(&log);
    let out = ctx
        .command(args)
        .env("DESTUI_LOG", "bollard=debug")
        .output()
        .expect("run destui");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::read_to_string(&log)
        .expect("the log")
        .lines()
        .filter_map(|l| l.split("DEBUG bollard::docker: http://docker").nth(1))
        .map(|path| {
            let path = path.split('?').next().unwrap_or(path);
            // Network IDs vary: /networks/<id>/connect reads as /networks/ID/connect.
            path.split('/')
                .map(|seg| if seg.len() == 64 { "ID" } else { seg })
                .collect::<Vec<_>>()
                .join("/")
        })
        .collect()
}

#[test]
fn create_scan_and_delete_send_only_the_requests_they_need() {
    let tb = live!();
    let ctx = Ctx::new(tb);
    let server = ctx.add_server_a();
    let net = unique_name("rt");
    ctx.cleanup_network(tb.socket_a(), &net);

    // The forward of the previous command is reused with no ping (its master answers locally;
    // the first request proves the path), its live check too (no /info), the API version is
    // remembered (no /version), and the daemon answers a taken name itself (no list by name).
    let create = requests(
        &ctx,
        &[
            "destination",
            "create",
            "--server",
            &server,
            "--network",
            &net,
        ],
    );
    assert_eq!(
        create,
        ["/networks/create", "/networks/ID/connect"],
        "create"
    );

    // Networks and containers at once: two requests at any size, no inspect per network.
    let mut scan = requests(&ctx, &["scan", &server]);
    scan.sort();
    assert_eq!(scan, ["/containers/json", "/networks"], "scan");

    // One list answers what blocks it (every container configured on the network, the proxy
    // among them); then disconnect and remove, which also say when the network is gone.
    let delete = requests(&ctx, &["destination", "delete", &format!("{server}/{net}")]);
    assert_eq!(
        delete,
        [
            "/containers/json",
            "/networks/ID/disconnect",
            "/networks/ID"
        ],
        "delete"
    );
}
