//! The use cases in one long-lived process (as the TUI runs them), against the testbed: an
//! action may reuse this process's recent live check of its server, but never for another
//! target.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::too_many_lines
)]
mod common;

use common::{inspect_network, unique_name};
use destui::domain::DestinationType;
use destui::ops::{NewDestination, NewServer, Ops, ServerEdit};
use destui::remote::RemoteConfig;
use destui::store::Store;
use std::path::PathBuf;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_moved_to_another_daemon_is_checked_again_before_the_next_create() {
    let tb = live!();
    let dir = tempfile::Builder::new()
        .prefix("dt")
        .tempdir_in("/tmp")
        .expect("tempdir");
    let mut remote = RemoteConfig::for_tests(dir.path().join("rt"));
    remote.ssh_config = Some(PathBuf::from(tb.ssh_config()));
    let ops = Ops::new(Store::open(&dir.path().join("db")).expect("store"), remote);
    let server = ops
        .add_server(NewServer {
            name: unique_name("moved"),
            host: Some(tb.get("DESTUI_TB_HOST_B").to_string()),
            docker_socket: Some(tb.socket_b().to_string()),
            proxy_container: Some(tb.proxy().to_string()),
            check: true,
            ..Default::default()
        })
        .await
        .expect("server on B")
        .value;
    let create = |network: String| {
        ops.create_destination(NewDestination {
            server: server.uuid.to_string(),
            network: Some(network),
            ..Default::default()
        })
    };
    let on_b = create(unique_name("mv-b"))
        .await
        .expect("create on B")
        .value;
    assert_eq!(on_b.kind, DestinationType::Swarm);
    ops.delete_destination(&on_b.uuid, false)
        .await
        .expect("delete on B");

    // Within seconds of that check, the record now points at the standalone daemon A.
    ops.edit_server(
        &server.uuid,
        ServerEdit {
            host: Some(tb.get("DESTUI_TB_HOST_A").to_string()),
            docker_socket: Some(tb.socket_a().to_string()),
            ..Default::default()
        },
    )
    .await
    .expect("edit");
    let net_a = unique_name("mv-a");
    let on_a = create(net_a.clone())
        .await
        .expect("create on A, as a bridge")
        .value;
    assert_eq!(on_a.kind, DestinationType::Standalone);
    assert_eq!(
        inspect_network(tb.socket_a(), &on_a.network_id).expect("on A")["Driver"],
        "bridge"
    );
    ops.delete_destination(&on_a.uuid, false)
        .await
        .expect("delete on A");
    ops.close_all().await;
    assert!(inspect_network(tb.socket_a(), &net_a).is_none());
}

/// What the TUI's `S` shows before it asks (issue 28 item 12): the preview of a sync names the
/// destination another data directory made, and records nothing; the sync then adopts it
/// under that name.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_preview_names_what_the_sync_adopts_and_records_nothing() {
    let tb = live!();
    let other = common::Ctx::new(tb);
    let network = unique_name("pv");
    other.cleanup_network(tb.socket_a(), &network);
    let made = other.create_destination(&other.add_server_a(), &network);
    let name = made["name"].as_str().expect("a name").to_string();

    let dir = tempfile::Builder::new()
        .prefix("dt")
        .tempdir_in("/tmp")
        .expect("tempdir");
    let mut remote = RemoteConfig::for_tests(dir.path().join("rt"));
    remote.ssh_config = Some(PathBuf::from(tb.ssh_config()));
    let ops = Ops::new(Store::open(&dir.path().join("db")).expect("store"), remote);
    let server = ops
        .add_server(NewServer {
            name: unique_name("here"),
            host: Some(tb.get("DESTUI_TB_HOST_A").to_string()),
            docker_socket: Some(tb.socket_a().to_string()),
            proxy_container: Some(tb.proxy().to_string()),
            check: true,
            ..Default::default()
        })
        .await
        .expect("server on A")
        .value;
    let preview = ops.preview_sync(&server).await.expect("preview");
    let line = format!(
        "adopt destination {name}: network {network} on {}",
        server.name
    );
    assert!(
        preview.adopt.iter().any(|l| l.starts_with(&line)),
        "{line:?} in {preview:?}"
    );
    assert!(
        ops.destinations(None).await.unwrap().is_empty(),
        "nothing recorded"
    );
    let synced = ops.sync_server(&server).await.expect("sync").value;
    assert!(
        synced
            .adopted
            .iter()
            .any(|a| a.name == name && a.on == network),
        "{synced:?}"
    );
}
