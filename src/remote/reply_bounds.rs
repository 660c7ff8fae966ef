//! Bounds on what a daemon may send back (DESIGN.md §8): a hostile or broken daemon that
//! answers with an endless body, or trickles one, is cut off at the socket — bollard reads a
//! reply body whole and without limit, and its timeout ends at the reply's headers, so the
//! bound has to sit under it, in the connection itself.
//!
//! Each connection counts the bytes of the reply being read (from the last request written)
//! and gives that reply `ReplyLimits::timeout` to arrive whole. The event stream and image
//! pulls last as long as they have something to say: they have the size bound only (an event
//! stream that reaches it reconnects, resuming after its last event).

use super::ReplyLimits;
use hyper_util::client::legacy::connect::{Connected, Connection};
use hyper_util::rt::TokioIo;
use std::future::Future;
use std::io;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::UnixStream;
use tokio::time::Sleep;

/// Why a reply was cut off. Carried inside the `io::Error` that hyper passes up; `find`
/// gets it back out of bollard's error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReplyCut {
    #[error("its reply was longer than {0} MB (`[docker] max_reply_mb`)")]
    TooLarge(u64),
    #[error("its reply took longer than {0} s to arrive whole (`[docker] reply_timeout_seconds`)")]
    TooSlow(u64),
}

impl ReplyCut {
    fn into_io(self) -> io::Error {
        io::Error::other(self)
    }

    /// The cut somewhere in `err`'s chain of sources, if it was one.
    pub fn find(err: &(dyn std::error::Error + 'static)) -> Option<ReplyCut> {
        let mut next = Some(err);
        while let Some(e) = next {
            if let Some(cut) = e.downcast_ref::<ReplyCut>() {
                return Some(cut.clone());
            }
            // An io::Error's `source` skips the error it wraps: look inside.
            if let Some(cut) = e
                .downcast_ref::<io::Error>()
                .and_then(|io| io.get_ref())
                .and_then(|inner| inner.downcast_ref::<ReplyCut>())
            {
                return Some(cut.clone());
            }
            next = e.source();
        }
        None
    }
}

/// Connects to one unix socket (whatever the URI says: the client is per socket) and bounds
/// every reply on the connection.
#[derive(Clone, Debug)]
pub struct BoundedConnector {
    socket: Arc<PathBuf>,
    limits: ReplyLimits,
}

impl BoundedConnector {
    pub fn new(socket: &str, limits: ReplyLimits) -> Self {
        BoundedConnector {
            socket: Arc::new(PathBuf::from(socket)),
            limits,
        }
    }
}

impl tower_service::Service<http::Uri> for BoundedConnector {
    type Response = TokioIo<Bounded>;
    type Error = io::Error;
    type Future = Pin<Box<dyn Future<Output = io::Result<Self::Response>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _uri: http::Uri) -> Self::Future {
        let socket = Arc::clone(&self.socket);
        let limits = self.limits;
        Box::pin(async move {
            let stream = UnixStream::connect(socket.as_path()).await?;
            Ok(TokioIo::new(Bounded::new(stream, limits)))
        })
    }
}

/// A connection whose replies are bounded in size and time.
pub struct Bounded {
    stream: UnixStream,
    limits: ReplyLimits,
    /// Bytes of the reply being read.
    read: u64,
    /// The next write starts a new request (nothing written since the last bytes read).
    next_is_request: bool,
    /// When the reply being read must be whole; none for a stream.
    deadline: Option<Pin<Box<Sleep>>>,
}

impl Bounded {
    fn new(stream: UnixStream, limits: ReplyLimits) -> Self {
        Bounded {
            stream,
            limits,
            read: 0,
            next_is_request: true,
            deadline: None,
        }
    }

    /// A request starts (its head is `head`): a new reply to count and time.
    fn start_request(&mut self, head: &[u8]) {
        self.read = 0;
        self.next_is_request = false;
        self.deadline =
            (!is_stream(head)).then(|| Box::pin(tokio::time::sleep(self.limits.timeout)));
    }
}

/// The requests whose reply is a stream that lasts: the event stream and image pulls.
fn is_stream(head: &[u8]) -> bool {
    let line = head.split(|b| *b == b'\r').next().unwrap_or(head);
    let Some(target) = line.split(|b| *b == b' ').nth(1) else {
        return false;
    };
    let path = target.split(|b| *b == b'?').next().unwrap_or(target);
    // `/v1.47/events` or `/events`: the API version is the only segment before the path.
    let path = match path.strip_prefix(b"/v") {
        Some(rest) => match rest.iter().position(|b| *b == b'/') {
            Some(i) if rest[..i].iter().all(|b| b.is_ascii_digit() || *b == b'.') => &rest[i..],
            _ => path,
        },
        None => path,
    };
    path == b"/events" || path == b"/images/create"
}

impl Connection for Bounded {
    fn connected(&self) -> Connected {
        Connected::new()
    }
}

impl AsyncRead for Bounded {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if let Some(deadline) = this.deadline.as_mut()
            && deadline.as_mut().poll(cx).is_ready()
        {
            return Poll::Ready(Err(
                ReplyCut::TooSlow(this.limits.timeout.as_secs()).into_io()
            ));
        }
        let before = buf.filled().len();
        ready!(Pin::new(&mut this.stream).poll_read(cx, buf))?;
        let got = (buf.filled().len() - before) as u64;
        if got > 0 {
            this.next_is_request = true;
            this.read = this.read.saturating_add(got);
            if this.read > this.limits.max_bytes {
                let mb = this.limits.max_bytes / (1024 * 1024);
                return Poll::Ready(Err(ReplyCut::TooLarge(mb).into_io()));
            }
        }
        Poll::Ready(Ok(()))
    }
}

impl AsyncWrite for Bounded {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.next_is_request {
            this.start_request(buf);
        }
        Pin::new(&mut this.stream).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_told_by_their_request_line() {
        assert!(is_stream(
            b"GET /v1.47/events?since=1 HTTP/1.1\r\nhost: x\r\n"
        ));
        assert!(is_stream(
            b"POST /v1.47/images/create?fromImage=a HTTP/1.1\r\n"
        ));
        assert!(!is_stream(b"GET /v1.47/version HTTP/1.1\r\n"));
        assert!(!is_stream(b"GET /v1.47/networks/events HTTP/1.1"));
        assert!(is_stream(b"GET /events HTTP/1.1\r\n"));
        assert!(!is_stream(
            b"GET /v1.47/containers/events/json HTTP/1.1\r\n"
        ));
        assert!(!is_stream(b"garbage"));
    }

    #[test]
    fn a_cut_is_found_inside_the_errors_that_carry_it() {
        let io = ReplyCut::TooLarge(64).into_io();
        assert_eq!(ReplyCut::find(&io), Some(ReplyCut::TooLarge(64)));
        let other = io::Error::other("x");
        assert_eq!(ReplyCut::find(&other), None);
    }
}
