//! What a forwarding destui and the holder say on the socket. The client sends one JSON line
//! (a `Request`); the holder answers with frames: a tag byte, a big-endian u32 length, then the
//! payload. Output is sent as bytes, in the order it was written, so a forwarded command prints
//! byte for byte what it prints on its own.

use serde::{Deserialize, Serialize};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// What kind of destui holds the data directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Tui,
    Cli,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Request {
    /// Run this command line (as the client parsed it) and stream back what it prints.
    Run { argv: Vec<String> },
    /// Who holds the data directory: answered with one `Frame::Holder`.
    Who,
}

/// The holder's answer, in frames.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    /// The holder took the command: from here, a closed connection means it died running it.
    Accepted,
    Stdout(Vec<u8>),
    Stderr(Vec<u8>),
    /// The command's exit code: the last frame of a run.
    Exit(i32),
    Holder {
        pid: u32,
        role: Role,
    },
}

/// Requests are short; anything longer is not a destui talking.
pub const MAX_REQUEST: usize = 1 << 20;

const ACCEPTED: u8 = b'a';
const STDOUT: u8 = b'o';
const STDERR: u8 = b'e';
const EXIT: u8 = b'x';
const HOLDER: u8 = b'h';

pub async fn write_frame(
    out: &mut (impl AsyncWrite + Unpin),
    frame: &Frame,
) -> std::io::Result<()> {
    let (tag, payload) = match frame {
        Frame::Accepted => (ACCEPTED, Vec::new()),
        Frame::Stdout(bytes) => (STDOUT, bytes.clone()),
        Frame::Stderr(bytes) => (STDERR, bytes.clone()),
        Frame::Exit(code) => (EXIT, code.to_be_bytes().to_vec()),
        Frame::Holder { pid, role } => (
            HOLDER,
            serde_json::to_vec(&(pid, role)).map_err(std::io::Error::other)?,
        ),
    };
    let len = u32::try_from(payload.len()).map_err(std::io::Error::other)?;
    let mut buf = Vec::with_capacity(5 + payload.len());
    buf.push(tag);
    buf.extend_from_slice(&len.to_be_bytes());
    buf.extend_from_slice(&payload);
    out.write_all(&buf).await?;
    out.flush().await
}

/// The next frame; `None` when the holder closed the connection.
pub async fn read_frame(input: &mut (impl AsyncRead + Unpin)) -> std::io::Result<Option<Frame>> {
    let tag = match input.read_u8().await {
        Ok(tag) => tag,
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e),
    };
    let len = input.read_u32().await? as usize;
    let mut payload = vec![0; len];
    input.read_exact(&mut payload).await?;
    let bad = |what: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, what.to_string());
    Ok(Some(match tag {
        ACCEPTED => Frame::Accepted,
        STDOUT => Frame::Stdout(payload),
        STDERR => Frame::Stderr(payload),
        EXIT => Frame::Exit(i32::from_be_bytes(
            payload
                .try_into()
                .map_err(|_| bad("an exit frame of the wrong size"))?,
        )),
        HOLDER => {
            let (pid, role) = serde_json::from_slice(&payload)
                .map_err(|_| bad("a holder frame that is not JSON"))?;
            Frame::Holder { pid, role }
        }
        _ => return Err(bad("an unknown frame")),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn frames_arrive_as_they_were_sent() {
        let frames = [
            Frame::Accepted,
            Frame::Stdout(b"NAME\n\x1b".to_vec()),
            Frame::Stderr(Vec::new()),
            Frame::Holder {
                pid: 42,
                role: Role::Tui,
            },
            Frame::Exit(-1),
        ];
        let mut wire = Vec::new();
        for f in &frames {
            write_frame(&mut wire, f).await.unwrap_or_default();
        }
        let mut input = wire.as_slice();
        for f in &frames {
            assert_eq!(
                read_frame(&mut input).await.ok().flatten().as_ref(),
                Some(f)
            );
        }
        assert_eq!(read_frame(&mut input).await.ok(), Some(None));
    }
}
