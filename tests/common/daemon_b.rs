//! Daemon B stopped for real and started again (tests/testbed/up.sh, the way a person would):
//! for the reliability tests, each alone in its test binary (every other test on B would fail
//! meanwhile; cargo runs test binaries one after another).

use super::Testbed;
use std::process::Command;

/// The pid of daemon B, when it runs.
pub fn daemon_b_pid(tb: &Testbed) -> Option<u32> {
    let pid: u32 = std::fs::read_to_string(tb.get("DESTUI_TB_PIDFILE_B"))
        .ok()?
        .trim()
        .parse()
        .ok()?;
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
    String::from_utf8_lossy(&cmdline)
        .contains(tb.socket_b())
        .then_some(pid)
}

pub fn b_answers(tb: &Testbed) -> bool {
    super::docker(
        tb.socket_b(),
        &["version", "--format", "{{.Server.Version}}"],
    )
    .0
}

/// Starts the testbed again (idempotent: only what is down is started), the way a person would.
pub fn testbed_up(tb: &Testbed) -> bool {
    Command::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/testbed/up.sh"))
        .env("DESTUI_TESTBED_ID", tb.get("DESTUI_TB_ID"))
        .env("DESTUI_TESTBED_DIR", tb.get("DESTUI_TB_DIR"))
        .stdout(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Daemon B runs again when the test ends, pass or fail: the next test binaries need it.
pub struct RestartB(pub &'static Testbed);

impl Drop for RestartB {
    fn drop(&mut self) {
        if !b_answers(self.0) && !testbed_up(self.0) {
            eprintln!("tests/testbed/up.sh could not start daemon B again");
        }
    }
}

/// Stops daemon B (SIGTERM) and waits until it is gone.
#[track_caller]
pub fn stop_b(tb: &Testbed) {
    let pid = daemon_b_pid(tb).expect("daemon B runs");
    assert!(
        Command::new("kill")
            .arg(pid.to_string())
            .status()
            .is_ok_and(|s| s.success())
    );
    assert!(
        super::wait_for(std::time::Duration::from_secs(60), || daemon_b_pid(tb)
            .is_none()),
        "daemon B (pid {pid}) did not stop"
    );
}
