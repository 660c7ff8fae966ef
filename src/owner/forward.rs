//! The other process's side: hand the command to the destui that holds the data directory,
//! and print what it sends back as if the command had run here.

use std::io::Write;
use std::path::Path;

use tokio::io::AsyncWriteExt;
use tokio::net::UnixStream;

use super::protocol::{Frame, Request, Role, read_frame};
use super::socket_path;
use crate::domain::Error;

/// How a forwarded command went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Forwarded {
    /// The holder ran it (or died running it): exit with this code.
    Done(i32),
    /// Nobody took the command (no socket, a holder starting or finishing): try the store again.
    NoHolder,
}

/// Sends `argv` to the holder of `data_dir` and prints its output here.
pub async fn forward(data_dir: &Path, argv: Vec<String>) -> Result<Forwarded, Error> {
    let Ok(mut stream) = UnixStream::connect(socket_path(data_dir)).await else {
        return Ok(Forwarded::NoHolder);
    };
    let pid = stream
        .peer_cred()
        .ok()
        .and_then(|c| c.pid())
        .map_or("?".to_string(), |p| p.to_string());
    let interrupted = on_interrupt(&argv);
    if send(&mut stream, &Request::Run { argv }).await.is_err() {
        return Ok(Forwarded::NoHolder);
    }
    match read_frame(&mut stream).await {
        Ok(Some(Frame::Accepted)) => {}
        // Refused before it started (another user), said in its own frames.
        Ok(Some(first)) => {
            let printing = print_until_exit(&mut stream, Some(first), data_dir, &pid);
            return Ok(printing.await);
        }
        // Closed before taking it: the holder was stopping.
        Ok(None) | Err(_) => return Ok(Forwarded::NoHolder),
    }
    // Ctrl-C here ends this process as it would end the command run alone: the holder sees
    // the connection close (a `watch` stops; any other command finishes, unseen).
    tokio::select! {
        done = print_until_exit(&mut stream, None, data_dir, &pid) => Ok(done),
        _ = tokio::signal::ctrl_c() => Ok(Forwarded::Done(interrupted)),
    }
}

/// The exit code of a forwarded command interrupted with Ctrl-C: `watch` ends with 0, as it
/// does run alone; anything else with 130, the shell's code for an interrupt.
fn on_interrupt(argv: &[String]) -> i32 {
    use clap::Parser;
    match crate::cli::Cli::try_parse_from(argv) {
        Ok(parsed) if matches!(parsed.command, Some(crate::cli::Command::Watch { .. })) => 0,
        _ => 130,
    }
}

async fn print_until_exit(
    stream: &mut UnixStream,
    mut pending: Option<Frame>,
    data_dir: &Path,
    pid: &str,
) -> Forwarded {
    loop {
        let frame = match pending.take() {
            Some(frame) => Some(frame),
            None => read_frame(stream).await.ok().flatten(),
        };
        match frame {
            Some(Frame::Stdout(bytes)) => {
                let mut out = std::io::stdout().lock();
                let _ = out.write_all(&bytes).and_then(|()| out.flush());
            }
            Some(Frame::Stderr(bytes)) => {
                let _ = std::io::stderr().lock().write_all(&bytes);
            }
            Some(Frame::Exit(code)) => return Forwarded::Done(code),
            Some(Frame::Accepted | Frame::Holder { .. }) => {}
            None => {
                crate::cli::output::fail(&format!(
                    "the destui holding {} (pid {pid}) ended before this command finished: run `destui destination check` to see what it did",
                    data_dir.display()
                ));
                return Forwarded::Done(1);
            }
        }
    }
}

/// The pid and kind of the destui holding `data_dir`, if one answers.
pub async fn holder(data_dir: &Path) -> Option<(u32, Role)> {
    let mut stream = UnixStream::connect(socket_path(data_dir)).await.ok()?;
    send(&mut stream, &Request::Who).await.ok()?;
    match read_frame(&mut stream).await {
        Ok(Some(Frame::Holder { pid, role })) => Some((pid, role)),
        _ => None,
    }
}

async fn send(stream: &mut UnixStream, request: &Request) -> std::io::Result<()> {
    let mut line = serde_json::to_vec(request).map_err(std::io::Error::other)?;
    line.push(b'\n');
    stream.write_all(&line).await?;
    stream.flush().await
}
