//! Why ssh failed, as one line that says what to do: what ssh said when a master could not
//! start, and why the Docker socket did not answer through a master that did.

use crate::domain::{Error, Hint, Server};
use openssh::Session;
use std::time::Duration;

/// The whole chain of an openssh error: its top line says little, the source says what ssh said.
pub(super) fn error_text(e: &openssh::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        let line = s.to_string();
        if !line.is_empty() {
            text.push_str(": ");
            text.push_str(line.trim());
        }
        source = s.source();
    }
    text
}

/// What ssh said when the master could not be started, as one line saying what to do.
/// (The details end without a full stop: callers append sentences of their own.)
pub(super) fn classify_ssh_error(server: &Server, text: &str, timeout: Duration) -> Error {
    let lower = text.to_lowercase();
    if lower.contains("host key verification failed")
        || lower.contains("remote host identification has changed")
        || lower.contains("host key is known")
    {
        return Error::HostKeyUnknown {
            server: server.name.clone(),
        };
    }
    let host = &server.host;
    let secs = timeout.as_secs();
    let name = server.name.clone();
    let detail = if lower.contains("permission denied") {
        // ssh says "user@host: Permission denied (publickey)."
        let user = text
            .lines()
            .find(|l| l.to_lowercase().contains("permission denied"))
            .and_then(|l| l.rsplit(": ").nth(1))
            .and_then(|who| who.rsplit_once('@'))
            .map(|(user, _)| user.rsplit(' ').next().unwrap_or(user).to_string())
            .filter(|u| !u.is_empty())
            .or_else(|| server.user.clone());
        let whose = user.map(|u| format!(" of user {u}")).unwrap_or_default();
        return Error::WrongSetting {
            server: name,
            detail: format!(
                "sshd on {host} refused the key{whose} (Permission denied): authorize that key for that user on the server, or use another user or identity file"
            ),
            hint: Hint::OtherLogin,
        };
    } else if lower.contains("connection refused") {
        format!(
            "nothing accepts ssh connections at {host} (connection refused): check the host and port, and that sshd runs there"
        )
    } else if lower.contains("banner exchange") {
        // The TCP connection was accepted, then nothing came back.
        format!(
            "ssh to {host} timed out: connected, but no answer within {secs}s (a stalled link, or no sshd on that port): check the host, the port and the network, then try again"
        )
    } else if lower.contains("timed out") {
        format!(
            "ssh to {host} timed out after {secs}s: check that the host is up and that its ssh port is open"
        )
    } else if lower.contains("could not resolve") {
        format!("cannot resolve {host}: check the host name or your ssh config")
    } else {
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    };
    Error::Unreachable {
        server: name,
        detail,
    }
}

/// What the server itself says about its Docker socket (see `SOCKET_DIAGNOSIS`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum SocketState {
    Missing,
    NotASocket,
    /// The remote user may not connect to it (or may not reach its directory).
    Denied {
        user: String,
    },
    /// A socket file with no daemon listening on it (a stopped or crashed daemon).
    NotListening,
    /// A daemon listens on it: only sshd's policy can have refused the connection.
    Listening,
    /// Present and usable; whether anything listens cannot be told (no /proc/net/unix).
    Present,
}

/// Run by `sh` on the server with the socket path as `$1`; prints one word (see `SocketState`).
/// POSIX sh and /proc only: a Docker host need not have anything else. Listening sockets are
/// the lines of /proc/net/unix with flags 00010000; the path is compared as given and resolved
/// (`/var/run` is usually a link to `/run`).
const SOCKET_DIAGNOSIS: &str = r#"s=$1
d=$s
while [ "${d%/*}" != "$d" ]; do
  d=${d%/*}
  [ -n "$d" ] || break
  if [ -d "$d" ] && [ ! -x "$d" ]; then echo "denied $(id -un)"; exit 0; fi
done
if [ ! -e "$s" ]; then echo missing; exit 0; fi
if [ ! -S "$s" ]; then echo not-a-socket; exit 0; fi
if [ ! -r "$s" ] || [ ! -w "$s" ]; then echo "denied $(id -un)"; exit 0; fi
if [ ! -r /proc/net/unix ]; then echo present; exit 0; fi
t=$(readlink -f "$s" 2>/dev/null) || t=$s
while read -r _ _ _ f _ _ _ p; do
  [ "$f" = 00010000 ] && [ "${p##*/}" = "${s##*/}" ] || continue
  if [ "$p" = "$s" ] || [ "$p" = "$t" ] || [ "$(readlink -f "$p" 2>/dev/null)" = "$t" ]; then
    echo listening; exit 0
  fi
done </proc/net/unix
echo not-listening
"#;

/// Asks the server, over the master, what is wrong with its Docker socket; `None` when it
/// cannot tell (no shell, a restricted key, no answer in time).
pub(super) async fn diagnose_socket(
    session: &Session,
    socket: &str,
    timeout: Duration,
) -> Option<SocketState> {
    let mut cmd = session.command("sh");
    cmd.arg("-c")
        .arg(SOCKET_DIAGNOSIS)
        .arg("destui")
        .arg(socket);
    let out = tokio::time::timeout(timeout, cmd.output())
        .await
        .ok()?
        .ok()?;
    parse_socket_state(&String::from_utf8_lossy(&out.stdout))
}

pub(super) fn parse_socket_state(stdout: &str) -> Option<SocketState> {
    let line = stdout.lines().map(str::trim).find(|l| !l.is_empty())?;
    let (word, rest) = line.split_once(' ').unwrap_or((line, ""));
    Some(match word {
        "missing" => SocketState::Missing,
        "not-a-socket" => SocketState::NotASocket,
        "denied" => SocketState::Denied {
            user: rest.trim().to_string(),
        },
        "not-listening" => SocketState::NotListening,
        "listening" => SocketState::Listening,
        "present" => SocketState::Present,
        _ => return None,
    })
}

/// Why the Docker socket did not answer through a working master.
pub(super) enum ForwardFailure {
    /// The request failed (the forwarded connection was closed); what the server says.
    Failed {
        detail: String,
        state: Option<SocketState>,
    },
    TimedOut(Duration),
}

/// What is wrong with the path to the Docker socket, and what to do.
pub(super) fn explain_forward_failure(server: &Server, failure: &ForwardFailure) -> Error {
    let wrong_path = |detail| Error::WrongSetting {
        server: server.name.clone(),
        detail,
        hint: Hint::SocketPath,
    };
    let detail = match forward_detail(server, failure) {
        Ok(detail) => detail,
        Err(path_detail) => return wrong_path(path_detail),
    };
    Error::Unreachable {
        server: server.name.clone(),
        detail,
    }
}

/// The detail of a failed forward; `Err` when the socket's path is what to fix.
fn forward_detail(server: &Server, failure: &ForwardFailure) -> Result<String, String> {
    let host = &server.host;
    let sock = &server.docker_socket;
    let (detail, state) = match failure {
        ForwardFailure::TimedOut(t) => {
            return Ok(format!(
                "ssh to {host} stopped answering: the Docker socket {sock} gave no reply within {}s (a stalled link, a frozen server, or a hung Docker daemon): check that {host} is up and Docker answers there, then try again",
                t.as_secs()
            ));
        }
        ForwardFailure::Failed { detail, state } => (detail, state),
    };
    Ok(match state {
        Some(SocketState::Listening) => format!(
            "sshd on {host} refuses to forward connections to the Docker socket {sock}: set `AllowStreamLocalForwarding yes` in its sshd_config and reload sshd"
        ),
        Some(SocketState::Denied { user }) => {
            let who = if user.is_empty() {
                "the ssh user".to_string()
            } else {
                format!("user {user}")
            };
            let add = if user.is_empty() {
                "add that user to the docker group there".to_string()
            } else {
                format!("add it to the docker group there (`usermod -aG docker {user}`)")
            };
            format!(
                "{who} on {host} may not use the Docker socket {sock}: {add}, or connect as a user who may"
            )
        }
        Some(SocketState::Missing) => {
            return Err(format!(
                "there is no Docker socket at {sock} on {host}: start the Docker daemon there, or set the right path"
            ));
        }
        Some(SocketState::NotASocket) => {
            return Err(format!(
                "{sock} on {host} is not a socket: set the Docker socket's path"
            ));
        }
        Some(SocketState::NotListening) => format!(
            "the Docker daemon on {host} is not running (nothing listens on {sock}): start it there, then try again"
        ),
        Some(SocketState::Present) | None => format!(
            "the Docker socket {sock} on {host} did not answer through ssh ({}): check that the Docker daemon runs there and that its sshd_config has `AllowStreamLocalForwarding yes`",
            detail.trim()
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::remote::ssh::tests::server;

    #[test]
    fn host_key_failures_name_server_trust() {
        let e = classify_ssh_error(
            &server(),
            "the master connection failed: Host key verification failed.",
            Duration::from_secs(5),
        );
        assert_eq!(e, Error::HostKeyUnknown { server: "s".into() });
        assert!(e.to_string().contains("destui server trust s"));
    }

    #[test]
    fn a_refused_key_names_the_user_and_what_to_do() {
        let e = classify_ssh_error(
            &server(),
            "Failed to connect to the remote host: Warning: something\nalice@127.0.0.1: Permission denied (publickey).",
            Duration::from_secs(5),
        );
        let text = e.to_string();
        assert!(
            text.contains("refused the key of user alice") && text.contains("--identity"),
            "{text}"
        );
        assert!(!text.contains('\n'));
    }

    #[test]
    fn a_silent_listener_is_a_stalled_link() {
        let e = classify_ssh_error(
            &server(),
            "Connection timed out during banner exchange\nConnection to 127.0.0.1 port 4 timed out",
            Duration::from_secs(2),
        );
        assert!(e.to_string().contains("no answer within 2s"), "{e}");
    }

    #[test]
    fn the_servers_answer_about_its_socket_decides_the_message() {
        assert_eq!(
            parse_socket_state("\nlistening\n"),
            Some(SocketState::Listening)
        );
        assert_eq!(
            parse_socket_state("denied bob\n"),
            Some(SocketState::Denied { user: "bob".into() })
        );
        assert_eq!(parse_socket_state("Could not chdir\n"), None);
        assert_eq!(parse_socket_state(""), None);
        let explain = |state| {
            explain_forward_failure(
                &server(),
                &ForwardFailure::Failed {
                    detail: "client error (SendRequest)".into(),
                    state,
                },
            )
            .to_string()
        };
        assert!(explain(Some(SocketState::Listening)).contains("AllowStreamLocalForwarding yes"));
        assert!(
            explain(Some(SocketState::Denied { user: "bob".into() }))
                .contains("usermod -aG docker bob")
        );
        assert!(explain(Some(SocketState::Missing)).contains("no Docker socket"));
        assert!(explain(Some(SocketState::NotListening)).contains("not running"));
        assert!(explain(None).contains("SendRequest"));
    }
}
