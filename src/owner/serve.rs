//! The holder's side: listen on the data directory's socket and run other destui processes'
//! commands through this process's ops, their output sent back as it is written.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use clap::Parser;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
use tokio::net::{UnixListener, UnixStream};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinSet;

use super::protocol::{Frame, MAX_REQUEST, Request, Role, write_frame};
use super::socket_path;
use crate::cli::{self, Cli, output};
use crate::domain::Error;
use crate::ops::Ops;

/// A client has this long to say what it wants.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);

/// What the holder tells its own front end (the TUI's Tasks pane) about forwarded commands.
#[derive(Debug, Clone, PartialEq)]
pub enum Served {
    Started {
        id: u64,
        /// The command line as typed, without the program name.
        command: String,
        /// The server(s) it names (`--server S`, `scan S`, `server/network`…), or empty.
        servers: String,
        at: Instant,
    },
    Finished {
        id: u64,
        code: i32,
        /// What it printed, stdout and stderr as they came (the last `KEPT_OUTPUT` bytes).
        output: String,
        at: Instant,
    },
}

/// Ids of forwarded commands start here, far above the ids a front end gives its own tasks.
pub const FORWARDED_IDS: u64 = 1 << 48;

/// The listening holder. `finish` stops taking new commands and waits for those running.
pub struct Owner {
    socket: PathBuf,
    stop: Option<oneshot::Sender<()>>,
    accepting: tokio::task::JoinHandle<()>,
    running: Arc<AtomicUsize>,
    /// Told to forwarded commands that never end on their own (`watch`) when this closes.
    closing: tokio::sync::watch::Sender<bool>,
}

/// Starts serving `data_dir`, whose store this process holds. A socket already there belongs
/// to a holder that died (the store's lock was free): it is replaced.
pub fn serve(
    data_dir: &Path,
    ops: Ops,
    role: Role,
    events: Option<mpsc::UnboundedSender<Served>>,
) -> Result<Owner, Error> {
    let socket = socket_path(data_dir);
    let shown = socket.display().to_string();
    let _ = std::fs::remove_file(&socket);
    let listener = UnixListener::bind(&socket)
        .map_err(|e| Error::Io(format!("cannot listen on {shown}: {e}")))?;
    std::fs::set_permissions(&socket, std::fs::Permissions::from_mode(0o600))
        .map_err(|e| Error::Io(format!("cannot make {shown} private: {e}")))?;
    let (stop, stopped) = oneshot::channel();
    let running = Arc::new(AtomicUsize::new(0));
    let (closing, closing_seen) = tokio::sync::watch::channel(false);
    let server = Server {
        ops,
        role,
        events,
        running: running.clone(),
        closing: closing_seen,
    };
    let accepting = tokio::spawn(server.accept(listener, stopped));
    Ok(Owner {
        socket,
        stop: Some(stop),
        accepting,
        running,
        closing,
    })
}

impl Owner {
    /// How many forwarded commands are running now.
    pub fn running(&self) -> usize {
        self.running.load(Ordering::SeqCst)
    }

    /// Stops taking commands (the socket goes first, so that a newcomer waits for the store
    /// instead), then waits until every forwarded command is done.
    pub async fn finish(mut self) {
        let _ = std::fs::remove_file(&self.socket);
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = self.closing.send(true);
        let _ = (&mut self.accepting).await;
    }
}

#[derive(Clone)]
struct Server {
    ops: Ops,
    role: Role,
    events: Option<mpsc::UnboundedSender<Served>>,
    /// Forwarded commands running now.
    running: Arc<AtomicUsize>,
    closing: tokio::sync::watch::Receiver<bool>,
}

impl Server {
    async fn accept(self, listener: UnixListener, mut stopped: oneshot::Receiver<()>) {
        let mut running = JoinSet::new();
        let mut next_id = FORWARDED_IDS;
        loop {
            tokio::select! {
                _ = &mut stopped => break,
                accepted = listener.accept() => match accepted {
                    Ok((stream, _)) => {
                        next_id += 1;
                        running.spawn(self.clone().answer(stream, next_id));
                    }
                    Err(e) => tracing::warn!(error = %e, "owner socket: accept failed"),
                },
                Some(_) = running.join_next(), if !running.is_empty() => {}
            }
        }
        drop(listener);
        while running.join_next().await.is_some() {}
    }

    /// One client: only this user's processes are served (the socket is private too). The
    /// request is read first, so that a refused client reads its refusal.
    #[allow(unsafe_code)] // a libc call: see the SAFETY note at its block
    async fn answer(self, mut stream: UnixStream, id: u64) {
        let request = match tokio::time::timeout(REQUEST_TIMEOUT, read_request(&mut stream)).await {
            Ok(Some(request)) => request,
            _ => return,
        };
        // SAFETY: geteuid has no preconditions and cannot fail.
        let own_uid = unsafe { libc::geteuid() };
        let peer = stream.peer_cred().ok();
        if peer.map(|c| c.uid()) != Some(own_uid) {
            let uid = peer.map_or("unknown".to_string(), |c| c.uid().to_string());
            tracing::warn!(uid, "owner socket: refused a client of another user");
            let line = format!(
                "destui: refused: the destui holding this data directory serves only its own user (uid {own_uid}), not uid {uid}\n"
            );
            let _ = write_frame(&mut stream, &Frame::Stderr(line.into_bytes())).await;
            let _ = write_frame(&mut stream, &Frame::Exit(1)).await;
            return;
        }
        match request {
            Request::Who => {
                let holder = Frame::Holder {
                    pid: std::process::id(),
                    role: self.role,
                };
                let _ = write_frame(&mut stream, &holder).await;
            }
            Request::Run { argv } => self.run(stream, argv, id).await,
        }
    }

    /// Runs a command line as this process would run it on its own, its output streamed back.
    async fn run(&self, mut stream: UnixStream, argv: Vec<String>, id: u64) {
        if write_frame(&mut stream, &Frame::Accepted).await.is_err() {
            return;
        }
        let command = shown_command(&argv);
        self.running.fetch_add(1, Ordering::SeqCst);
        self.tell(Served::Started {
            id,
            command,
            servers: named_servers(&argv),
            at: Instant::now(),
        });
        let (sink, written) = mpsc::unbounded_channel();
        let ops = self.ops.clone();
        let command = output::forwarding(sink, self.closing.clone(), async move {
            run_argv(&ops, argv).await
        });
        let mut kept: Vec<u8> = Vec::new();
        let relay = async {
            let mut written = written;
            let (mut from_client, mut to_client) = stream.split();
            let mut probe = [0u8; 1];
            loop {
                // The client sends nothing after its request: a read that ends means it went
                // away (a Ctrl-C), and output that never ends on its own (`watch`) stops.
                let (stream_kind, bytes) = tokio::select! {
                    item = written.recv() => match item {
                        Some(item) => item,
                        None => break,
                    },
                    _ = from_client.read(&mut probe) => break,
                };
                kept.extend_from_slice(&bytes);
                if kept.len() > KEPT_OUTPUT {
                    kept.drain(..kept.len() - KEPT_OUTPUT);
                }
                let frame = match stream_kind {
                    output::Stream::Stdout => Frame::Stdout(bytes),
                    output::Stream::Stderr => Frame::Stderr(bytes),
                };
                // A client that went away does not stop the command: it finishes, unseen.
                if write_frame(&mut to_client, &frame).await.is_err() {
                    break;
                }
            }
        };
        let (code, ()) = tokio::join!(command, relay);
        let _ = write_frame(&mut stream, &Frame::Exit(code)).await;
        self.running.fetch_sub(1, Ordering::SeqCst);
        self.tell(Served::Finished {
            id,
            code,
            output: String::from_utf8_lossy(&kept).into_owned(),
            at: Instant::now(),
        });
    }

    fn tell(&self, event: Served) {
        if let Some(events) = &self.events {
            let _ = events.send(event);
        }
    }
}

/// The command as the client's own process would run it; a command line that does not parse
/// (the client parsed it already) is refused as clap refuses it.
async fn run_argv(ops: &Ops, argv: Vec<String>) -> i32 {
    let parsed = match Cli::try_parse_from(argv) {
        Ok(parsed) => parsed,
        Err(e) => {
            output::tell(&e.render().to_string());
            return e.exit_code();
        }
    };
    match parsed.command {
        Some(command)
            if !matches!(
                command,
                cli::Command::Completions { .. } | cli::Command::Man { .. }
            ) =>
        {
            let command = cli::with_globals(command, parsed.ssh_config.as_deref());
            cli::run(ops, command, parsed.json).await
        }
        _ => {
            output::fail("only commands are run by the destui holding the data directory");
            1
        }
    }
}

/// The command line as the Tasks pane shows it: without the program, and without the options
/// that only say where the data and ssh config are (the holder's are the ones in use).
fn shown_command(argv: &[String]) -> String {
    const PLACES: [&str; 2] = ["--db", "--ssh-config"];
    let mut shown = Vec::new();
    let mut args = argv.iter().skip(1).peekable();
    while let Some(arg) = args.next() {
        if PLACES.contains(&arg.as_str()) {
            // `--ssh-config` may come without its file (`server import --ssh-config`).
            args.next_if(|next| !next.starts_with('-'));
        } else if !PLACES.iter().any(|p| arg.starts_with(&format!("{p}="))) {
            shown.push(arg.as_str());
        }
    }
    shown.join(" ")
}

/// How much of a forwarded command's output the holder keeps to show (its end).
const KEPT_OUTPUT: usize = 16 * 1024;

/// The servers a command line names, for the holder's view of it: `--server S`, the server
/// of `scan S`, `import S`, `sync S…`, `watch S…`, `server <verb> S`, and the `S` of a
/// `S/network` destination reference.
fn named_servers(argv: &[String]) -> String {
    let args: Vec<&str> = argv.iter().skip(1).map(String::as_str).collect();
    let mut named: Vec<&str> = Vec::new();
    let mut words = args.iter().filter(|a| !a.starts_with('-'));
    let verb = words.next().copied();
    let positional: Vec<&str> = words.copied().collect();
    for (i, arg) in args.iter().enumerate() {
        if *arg == "--server" {
            named.extend(args.get(i + 1));
        } else if let Some(server) = arg.strip_prefix("--server=") {
            named.push(server);
        }
    }
    match verb {
        Some("scan" | "import") => named.extend(positional.first()),
        Some("sync" | "watch") => named.extend(&positional),
        Some("server") => named.extend(positional.get(1)),
        _ => named.extend(
            positional
                .iter()
                .filter_map(|a| a.split_once('/').map(|(s, _)| s)),
        ),
    }
    named.dedup();
    named.join(", ")
}

/// The client's one request line.
async fn read_request(stream: &mut UnixStream) -> Option<Request> {
    let mut line = String::new();
    let mut reader = BufReader::new(stream.take(MAX_REQUEST as u64));
    reader.read_line(&mut line).await.ok()?;
    serde_json::from_str(&line).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_forwarded_command_names_its_servers() {
        let named = |line: &str| {
            let argv: Vec<String> = std::iter::once("destui")
                .chain(line.split_whitespace())
                .map(str::to_string)
                .collect();
            named_servers(&argv)
        };
        assert_eq!(named("destination create --server a --network n"), "a");
        assert_eq!(named("--json destination create --server=b"), "b");
        assert_eq!(named("scan a"), "a");
        assert_eq!(named("import b n1 n2"), "b");
        assert_eq!(named("sync a b"), "a, b");
        assert_eq!(named("server check c"), "c");
        assert_eq!(named("destination delete a/web b/db"), "a, b");
        assert_eq!(named("destination list"), "");
    }

    #[test]
    fn the_shown_command_leaves_out_where_the_data_is() {
        let argv = |s: &str| s.split(' ').map(String::from).collect::<Vec<_>>();
        assert_eq!(
            shown_command(&argv("destui --db /tmp/x destination list --json")),
            "destination list --json"
        );
        assert_eq!(
            shown_command(&argv("destui --ssh-config=/c scan b --db /d")),
            "scan b"
        );
        assert_eq!(
            shown_command(&argv("destui server import --ssh-config --match web-*")),
            "server import --match web-*"
        );
    }
}
