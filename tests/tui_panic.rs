//! A panic inside the TUI restores the terminal before the report is printed.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::too_many_lines
)]

use std::process::Command;
use std::time::{Duration, Instant};

fn tmux(socket: &str, args: &[&str]) -> String {
    let out = Command::new("tmux")
        .arg("-S")
        .arg(socket)
        .args(args)
        .output()
        .expect("tmux is installed by tests/testbed/install.sh");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

struct Server(String);

impl Drop for Server {
    fn drop(&mut self) {
        tmux(&self.0, &["kill-server"]);
    }
}

#[test]
fn a_panic_restores_the_terminal_then_prints_the_report() {
    let dir = tempfile::tempdir().expect("temp dir");
    // A socket file of its own in the temp dir: nothing is left in /tmp/tmux-<uid>.
    let socket = dir.path().join("tmux.sock").display().to_string();
    let server = Server(socket.clone());
    let command = format!(
        "env DESTUI_DB={db} DESTUI_RUNTIME_DIR={rt} DESTUI_FAILPOINT=tui-panic RUST_BACKTRACE=0 {bin}",
        db = dir.path().join("db").display(),
        rt = dir.path().join("rt").display(),
        bin = env!("CARGO_BIN_EXE_destui"),
    );
    tmux(
        &server.0,
        &[
            "new-session",
            "-d",
            "-x",
            "80",
            "-y",
            "24",
            "-s",
            "p",
            "sh",
            "-c",
            &format!("{command}; echo EXITED $?; sleep 30"),
        ],
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    let screen = loop {
        let screen = tmux(&server.0, &["capture-pane", "-p", "-t", "p"]);
        if screen.contains("EXITED") {
            break screen;
        }
        assert!(Instant::now() < deadline, "the TUI did not exit:\n{screen}");
        std::thread::sleep(Duration::from_millis(50));
    };
    let alternate = tmux(
        &server.0,
        &["display-message", "-p", "-t", "p", "#{alternate_on}"],
    );
    assert_eq!(
        alternate.trim(),
        "0",
        "still on the alternate screen:\n{screen}"
    );
    assert!(
        screen.contains("failpoint tui-panic"),
        "the report is on the normal screen:\n{screen}"
    );
    assert!(
        !screen.contains("Servers"),
        "no TUI left on screen:\n{screen}"
    );
    assert!(screen.contains("EXITED 101"), "{screen}");
}
