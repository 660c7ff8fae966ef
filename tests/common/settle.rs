//! What the next start finds after a crash or a lost link: records and daemon compared.

use super::{Ctx, Testbed, attached, network_id_by_exact_name};
use std::collections::BTreeMap;

/// The next start (any command reconciles first): returns its notes and the records of
/// `server` by network name.
pub fn restart(ctx: &Ctx, server: &str) -> (String, BTreeMap<String, String>) {
    let run = ctx
        .run(&["--json", "destination", "list", "--server", server])
        .ok();
    let records = run
        .json()
        .as_array()
        .expect("a list")
        .iter()
        .map(|d| {
            (
                d["network"].as_str().unwrap_or_default().to_string(),
                d["network_id"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    (run.stderr, records)
}

/// Records and daemon agree about `networks` on `socket`: a record exactly when the network
/// exists, with its ID and the proxy attached; and a second start has nothing to settle.
#[track_caller]
pub fn assert_agree(ctx: &Ctx, tb: &Testbed, server: &str, socket: &str, networks: &[&str]) {
    let (_, records) = restart(ctx, server);
    for net in networks {
        let live = network_id_by_exact_name(socket, net);
        match (records.get(*net), &live) {
            (Some(recorded), Some(id)) => {
                assert_eq!(recorded, id, "{net}: the record points at another network");
                assert!(
                    attached(socket, id).contains(&tb.proxy().to_string()),
                    "{net}: recorded and present, but the proxy is not attached"
                );
            }
            (None, None) => {}
            (recorded, live) => {
                panic!("{net}: record {recorded:?} but network {live:?} on the daemon")
            }
        }
    }
    let (notes, _) = restart(ctx, server);
    assert!(notes.is_empty(), "a second start still settled: {notes}");
}
