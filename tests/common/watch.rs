//! `destui --json watch …` as a child process: its JSON lines read on a thread, each stamped
//! with when it arrived, so tests can wait for a line and say how long it took.

use super::Ctx;
use serde_json::Value;
use std::process::{Child, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

pub struct Watch {
    child: Child,
    lines: Receiver<(Instant, Value)>,
    /// Every line read so far, in order.
    pub seen: Vec<(Instant, Value)>,
    stderr: std::sync::Arc<std::sync::Mutex<String>>,
}

impl Watch {
    /// Starts `destui --json watch <args>` and waits for every server's `watching` line
    /// (`servers` of them).
    pub fn start(ctx: &Ctx, args: &[&str], servers: usize) -> Watch {
        let mut all = vec!["--json", "watch"];
        all.extend_from_slice(args);
        let mut child = ctx
            .command(&all)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start destui watch");
        let stdout = child.stdout.take().expect("stdout");
        let (send, lines) = channel();
        std::thread::spawn(move || {
            use std::io::BufRead;
            for line in std::io::BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let value: Value = serde_json::from_str(&line).unwrap_or_else(|e| {
                    panic!("watch printed a line that is not JSON ({e}): {line}")
                });
                if send.send((Instant::now(), value)).is_err() {
                    break;
                }
            }
        });
        let stderr = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let mut err = child.stderr.take().expect("stderr");
        let keep = stderr.clone();
        std::thread::spawn(move || {
            use std::io::Read;
            let mut text = String::new();
            let _ = err.read_to_string(&mut text);
            keep.lock().unwrap().push_str(&text);
        });
        let mut watch = Watch {
            child,
            lines,
            seen: Vec::new(),
            stderr,
        };
        for _ in 0..servers {
            watch.next("a watching line", Duration::from_secs(30), |v| {
                v["event"] == "watching"
            });
        }
        watch
    }

    /// The next line (after those already taken) for which `pred` holds, within `deadline`;
    /// lines before it are kept in `seen`. Panics with everything seen when none comes.
    #[track_caller]
    pub fn next(
        &mut self,
        what: &str,
        deadline: Duration,
        pred: impl Fn(&Value) -> bool,
    ) -> (Instant, Value) {
        match self.try_next(deadline, pred) {
            Some(found) => found,
            None => panic!(
                "no {what} within {deadline:?}; lines: {:#?}\nstderr: {}",
                self.seen.iter().map(|(_, v)| v).collect::<Vec<_>>(),
                self.stderr.lock().unwrap()
            ),
        }
    }

    /// Like `next`, `None` when no such line comes in time.
    pub fn try_next(
        &mut self,
        deadline: Duration,
        pred: impl Fn(&Value) -> bool,
    ) -> Option<(Instant, Value)> {
        let end = Instant::now() + deadline;
        loop {
            let left = end.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok((at, value)) => {
                    self.seen.push((at, value.clone()));
                    if pred(&value) {
                        return Some((at, value));
                    }
                }
                Err(RecvTimeoutError::Timeout) | Err(RecvTimeoutError::Disconnected) => {
                    return None;
                }
            }
        }
    }

    /// Every line that arrives within `period`.
    pub fn gather(&mut self, period: Duration) -> Vec<Value> {
        let mut got = Vec::new();
        while let Some((_, v)) = self.try_next(period, |_| true) {
            got.push(v);
        }
        got
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Ctrl-C (SIGINT); returns the exit code.
    pub fn interrupt(&mut self) -> Option<i32> {
        let _ = std::process::Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status();
        let end = Instant::now() + Duration::from_secs(10);
        while Instant::now() < end {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A line about destination `name`.
pub fn about(v: &Value, name: &str) -> bool {
    v["destination"] == name
}
