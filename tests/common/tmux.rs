//! Drives the real TUI inside tmux: start it with a test's environment, send keys, read the
//! screen pane by pane, and wait (with a deadline, never a fixed sleep) until it shows
//! something. Every `Tui` has its own tmux server (`tmux -L <unique>`), killed on drop.

use super::{Ctx, unique_name, wait_for};
use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// How long a `wait` polls by default: generous, the machine is slow and runs tests in parallel.
pub const DEADLINE: Duration = Duration::from_secs(20);

/// A short unique name (`prefix` + 6 hex digits): the TUI's columns are narrow, and a
/// `unique_name` would be cut off on screen. Random per process and counted within it.
pub fn short_name(prefix: &str) -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    let mut h = RandomState::new().build_hasher();
    h.write_usize(N.fetch_add(1, Ordering::SeqCst));
    h.write_u32(std::process::id());
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0),
    );
    format!("{prefix}{:06x}", h.finish() & 0xff_ffff)
}

/// The TUI running in a detached tmux session.
pub struct Tui {
    socket: String,
    /// Where the wrapping shell writes destui's exit code.
    status_file: std::path::PathBuf,
    pub started: Instant,
}

impl Tui {
    /// Starts `destui` (no subcommand: the TUI) in a `width` x `height` window, with exactly
    /// the environment `ctx` gives its CLI runs, plus `extra`.
    pub fn start(ctx: &Ctx, width: u16, height: u16, extra: &[(&str, &str)]) -> Tui {
        Tui::start_command(ctx, &[], width, height, extra)
    }

    /// Like `start`, for a command (`args`) that needs a terminal.
    pub fn start_command(
        ctx: &Ctx,
        args: &[&str],
        width: u16,
        height: u16,
        extra: &[(&str, &str)],
    ) -> Tui {
        let cmd = ctx.command(args);
        let mut argv: Vec<String> = vec!["env".into()];
        let mut set = Vec::new();
        for (key, value) in cmd.get_envs() {
            let key = key.to_string_lossy().into_owned();
            match value {
                None => argv.extend(["-u".into(), key]),
                Some(v) => set.push(format!("{key}={}", v.to_string_lossy())),
            }
        }
        argv.extend(set);
        argv.extend(extra.iter().map(|(k, v)| format!("{k}={v}")));
        argv.push(cmd.get_program().to_string_lossy().into_owned());
        argv.extend(cmd.get_args().map(|a| a.to_string_lossy().into_owned()));

        let socket = unique_name("destui-tui");
        let tui = Tui {
            status_file: ctx.dir.path().join(format!("{socket}.exit")),
            socket,
            started: Instant::now(),
        };
        // tmux's own `pane_dead_status` is sometimes left empty after the process is gone: a
        // shell records the exit code instead (the path is `$0`, the command `"$@"`).
        let mut wrapped: Vec<String> = vec![
            "sh".into(),
            "-c".into(),
            r#""$@"; echo $? > "$0""#.into(),
            tui.status_file.to_string_lossy().into_owned(),
        ];
        wrapped.extend(argv);
        let (w, h) = (width.to_string(), height.to_string());
        // One command list, so that remain-on-exit is set before the pane can exit: the last
        // screen stays readable after the process ends.
        let mut args: Vec<&str> = vec![
            "set-option",
            "-g",
            "remain-on-exit",
            "on",
            ";",
            "new-session",
            "-d",
            "-s",
            "t",
            "-x",
            &w,
            "-y",
            &h,
        ];
        args.extend(wrapped.iter().map(String::as_str));
        let out = tui.tmux_output(&args);
        assert!(
            out.status.success(),
            "tmux new-session failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        tui
    }

    fn tmux_output(&self, args: &[&str]) -> std::process::Output {
        Command::new("tmux")
            .args(["-u", "-f", "/dev/null", "-L", &self.socket])
            .args(args)
            .stdin(Stdio::null())
            .output()
            .expect("tmux is installed by tests/testbed/install.sh")
    }

    fn tmux(&self, args: &[&str]) -> String {
        String::from_utf8_lossy(&self.tmux_output(args).stdout).into_owned()
    }

    /// The screen as text.
    pub fn screen(&self) -> Screen {
        Screen::new(self.tmux(&["capture-pane", "-p", "-t", "t"]))
    }

    /// The screen with its SGR escape sequences (`capture-pane -e`).
    pub fn screen_with_styles(&self) -> String {
        self.tmux(&["capture-pane", "-p", "-e", "-t", "t"])
    }

    /// Sends tmux key names (`j`, `Space`, `Tab`, `BTab`, `Escape`, `C-c`…), in order.
    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "t"];
        args.extend_from_slice(keys);
        let out = self.tmux_output(&args);
        assert!(
            out.status.success(),
            "tmux send-keys {keys:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Polls the screen until `cond` holds; panics with `what` and the last screen otherwise.
    #[track_caller]
    pub fn wait(&self, what: &str, cond: impl FnMut(&Screen) -> bool) -> Screen {
        self.wait_up_to(DEADLINE, what, cond)
    }

    #[track_caller]
    pub fn wait_up_to(
        &self,
        deadline: Duration,
        what: &str,
        mut cond: impl FnMut(&Screen) -> bool,
    ) -> Screen {
        let end = Instant::now() + deadline;
        loop {
            let screen = self.screen();
            if cond(&screen) {
                return screen;
            }
            if Instant::now() >= end {
                panic!(
                    "timed out after {deadline:?} waiting for: {what}\n--- last screen ---\n{}\n---",
                    screen.text
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The exit code once the process has ended (`128 + signal` when killed), else `None`.
    pub fn exit_status(&self) -> Option<i32> {
        let text = std::fs::read_to_string(&self.status_file).ok()?;
        // Written by `echo`: complete once the newline is there.
        text.strip_suffix('\n')?.trim().parse().ok()
    }

    /// Whether the pane's process (the shell around destui) has ended.
    pub fn pane_dead(&self) -> bool {
        self.tmux(&["display-message", "-p", "-t", "t", "#{pane_dead}"])
            .trim()
            == "1"
    }

    /// Waits for the process to exit and its pane to die; returns destui's exit code.
    #[track_caller]
    pub fn wait_exit(&self) -> i32 {
        let end = Instant::now() + DEADLINE;
        loop {
            if let Some(code) = self.exit_status()
                && self.pane_dead()
            {
                return code;
            }
            if Instant::now() >= end {
                panic!(
                    "destui did not exit within {DEADLINE:?}\n--- last screen ---\n{}\n---",
                    self.screen().text
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Moves the selection (`>`) of the pane titled `title` onto the row containing `needle`
    /// with `j`/`k` only, reading the screen to know how far; panics if it cannot.
    #[track_caller]
    pub fn select(&self, title: &str, needle: &str) -> Screen {
        let what = format!("the {title} pane's selection on {needle}");
        let mut down = true;
        for _ in 0..200 {
            let screen = self.screen();
            let pane = screen
                .pane(title)
                .unwrap_or_else(|| panic!("no pane {title}\n{}", screen.text));
            let selected = pane.selected();
            let target = pane.row_with(needle);
            match (selected, target) {
                (Some(s), Some(t)) if s == t => return screen,
                (Some(s), Some(t)) => {
                    let key = if t > s { "j" } else { "k" };
                    self.keys(&vec![key; s.abs_diff(t)]);
                    return self.wait(&what, |sc| {
                        sc.pane(title).is_some_and(|p| {
                            p.selected().is_some() && p.selected() == p.row_with(needle)
                        })
                    });
                }
                (Some(s), None) => {
                    // Not on screen: walk down a row at a time, then up once at the bottom.
                    let before = pane.rows[s].clone();
                    self.keys(&[if down { "j" } else { "k" }]);
                    let moved = wait_for(Duration::from_secs(3), || {
                        self.screen()
                            .pane(title)
                            .and_then(|p| p.selected().map(|i| p.rows[i].clone()))
                            .is_some_and(|row| row != before)
                    });
                    if !moved {
                        assert!(down, "{needle} is not in the {title} pane\n{}", screen.text);
                        down = false;
                    }
                }
                (None, _) => panic!("no selected row in {title}\n{}", screen.text),
            }
        }
        panic!("could not reach {needle} in {title}");
    }
}

impl Drop for Tui {
    fn drop(&mut self) {
        let path = self.tmux(&["display-message", "-p", "#{socket_path}"]);
        let _ = self.tmux_output(&["kill-server"]);
        // tmux leaves its socket file behind.
        let path = path.trim();
        if path.ends_with(&self.socket) {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// One capture of the screen.
pub struct Screen {
    pub text: String,
    lines: Vec<Vec<char>>,
}

/// One bordered pane (or popup) found by its title.
#[derive(Debug)]
pub struct Pane {
    /// The top border line, title included.
    pub title_line: String,
    /// Whether the title carries the focus mark `»`.
    pub focused: bool,
    /// The lines inside the borders.
    pub rows: Vec<String>,
}

const TOP_LEFT: &[char] = &['┌', '┏', '╔', '╭'];
const TOP_RIGHT: &[char] = &['┐', '┓', '╗', '╮'];
const BOTTOM_LEFT: &[char] = &['└', '┗', '╚', '╰'];

impl Screen {
    pub fn new(text: String) -> Screen {
        let lines = text.lines().map(|l| l.chars().collect()).collect();
        Screen { text, lines }
    }

    pub fn contains(&self, s: &str) -> bool {
        self.text.contains(s)
    }

    /// The pane whose title starts with `title` (`Servers`, `Scan tua1b2c3`…): the title sits
    /// on the top border right after the corner, as ` title` or `» title`.
    pub fn pane(&self, title: &str) -> Option<Pane> {
        let want: Vec<char> = title.chars().collect();
        for (y, line) in self.lines.iter().enumerate() {
            for x in 0..line.len() {
                if !line[x..].starts_with(&want) || x < 2 || line[x - 1] != ' ' {
                    continue;
                }
                let (left, focused) = if TOP_LEFT.contains(&line[x - 2]) {
                    (x - 2, false)
                } else if x >= 3 && line[x - 2] == '»' && TOP_LEFT.contains(&line[x - 3]) {
                    (x - 3, true)
                } else {
                    continue;
                };
                let Some(right) =
                    (x + want.len()..line.len()).find(|&i| TOP_RIGHT.contains(&line[i]))
                else {
                    continue;
                };
                let rows = self.lines[y + 1..]
                    .iter()
                    .take_while(|l| l.get(left).is_some_and(|c| !BOTTOM_LEFT.contains(c)))
                    .map(|l| {
                        l.get(left + 1..right.min(l.len()))
                            .map(|cs| cs.iter().collect::<String>())
                            .unwrap_or_default()
                    })
                    .collect();
                return Some(Pane {
                    title_line: line[left..=right].iter().collect(),
                    focused,
                    rows,
                });
            }
        }
        None
    }

    /// Whether the pane titled `title` has the focus.
    pub fn focused(&self, title: &str) -> bool {
        self.pane(title).is_some_and(|p| p.focused)
    }
}

impl Pane {
    /// The index of the row marked `>` (the selection).
    pub fn selected(&self) -> Option<usize> {
        self.rows.iter().position(|r| r.starts_with('>'))
    }

    /// The index of the first row with `needle` as a whole word.
    pub fn row_with(&self, needle: &str) -> Option<usize> {
        self.rows
            .iter()
            .position(|r| r.split_whitespace().any(|w| w == needle))
    }

    /// The row with `needle` as a whole word.
    pub fn row(&self, needle: &str) -> Option<&str> {
        self.row_with(needle).map(|i| self.rows[i].as_str())
    }

    pub fn contains(&self, s: &str) -> bool {
        self.title_line.contains(s) || self.rows.iter().any(|r| r.contains(s))
    }
}
