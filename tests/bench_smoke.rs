//! The benchmark (examples/bench.rs, run by tests/bench.sh) keeps working: a tiny run of every
//! row against the testbed. Its timings are not judged here (they are noisy, and this is a
//! debug build); that each row is measured and printed is.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::too_many_lines
)]
mod common;

use std::process::Command;

#[test]
fn the_benchmark_prints_every_row() {
    // The benchmark reads the same testbed (DESTUI_TESTBED_ENV, inherited).
    let _testbed = live!();
    // `cargo test` builds the examples beside the test binaries: target/<profile>/examples.
    let examples = std::env::current_exe()
        .ok()
        .and_then(|p| Some(p.parent()?.parent()?.join("examples")))
        .expect("target directory");
    let out = Command::new(examples.join("bench"))
        .arg("--smoke")
        .output()
        .expect("run examples/bench");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "bench --smoke failed\nstdout: {stdout}\nstderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    for row in [
        "destui over SSH (vs destui, local socket)",
        "destui in-process (vs docker -H ssh://)",
        "bare API calls, local socket",
        "(vs ssh host docker, ControlMaster)",
        "one destui process per command (vs docker -H ssh://)",
        "scan of B with 5 networks (+ counts) (vs docker -H ssh:// ls + inspect)",
        "scan of A and B at once",
        "import of all",
        "TUI, 10,000 destinations: key + frame",
        "TUI, 10,000 destinations: time to first frame",
        "TUI, 10,000 destinations: resident memory",
        "servers at once (1 silent, all done",
        "TUI, 10 servers (1 silent): time to first frame",
        "TUI, 10 servers: every reachable one online (9 of 10)",
        "TUI, 10 servers: answer + key + frame while the checks land",
        "TUI, 10 servers: resident memory",
        "far server (100 ms RTT): scan, warm",
        "far server (100 ms RTT): create, warm",
        "far server (100 ms RTT): delete, warm",
        "far server (100 ms RTT): first check, cold",
        "far server (100 ms RTT): create + delete, one destui process each",
        "scan, forwarded to the open TUI (vs the same command alone)",
        "destination list, forwarded to the open TUI (vs the same command alone)",
        "live: disconnect by hand to proxy-detached on screen",
        "live: disconnect by hand to proxy-detached in watch --json",
        "live: TUI watching 2 servers, CPU over an idle",
        "live: key-to-frame p99 while 10 networks appear on B",
    ] {
        let line = stdout
            .lines()
            .find(|l| l.contains(row))
            .unwrap_or_else(|| panic!("no row {row:?} in:\n{stdout}"));
        // Every row carries a measured time (not NaN, not zero).
        assert!(
            line.split_whitespace()
                .any(|w| w.parse::<f64>().is_ok_and(|v| v > 0.0)),
            "row without a measurement: {line}"
        );
    }
}
