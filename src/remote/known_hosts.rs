//! A server's host keys: what it offers now (`ssh-keyscan`, fingerprints by `ssh-keygen`),
//! and recording them in the known-hosts file that ssh reads for it (`server trust`).
//!
//! Where ssh looks, and under which name, comes from `ssh -G`: a Host alias, a HostKeyAlias, a
//! port or a UserKnownHostsFile in the user's ssh config all decide the entry that strict host
//! key checking will look for.

use super::RemoteConfig;
use crate::domain::{Error, Server};
use serde::Serialize;
use std::collections::HashMap;
use std::path::Path;
use std::process::Stdio;
use tokio::io::AsyncWriteExt;

/// What `server trust` shows before it records anything.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct HostKeys {
    pub server: String,
    pub host_entry: String,
    pub known_hosts_file: String,
    pub fingerprints: Vec<String>,
    #[serde(skip)]
    pub lines: Vec<String>,
}

/// Where ssh connects for a server and how its known-hosts file names it.
#[derive(Debug, Clone, PartialEq)]
struct KeyTarget {
    hostname: String,
    port: u16,
    /// The host as a known-hosts line starts: `alias`, or `[alias]:port` off port 22.
    host_entry: String,
    known_hosts_file: String,
}

impl KeyTarget {
    /// From the options of `ssh -G` (`host` when they name no hostname).
    fn from_options(opts: &HashMap<String, String>, host: &str) -> Self {
        let hostname = opts.get("hostname").cloned().unwrap_or(host.to_string());
        let port: u16 = opts.get("port").and_then(|p| p.parse().ok()).unwrap_or(22);
        let alias = opts
            .get("hostkeyalias")
            .cloned()
            .unwrap_or(hostname.clone());
        let host_entry = if port == 22 {
            alias
        } else {
            format!("[{alias}]:{port}")
        };
        let known_hosts_file = opts
            .get("userknownhostsfile")
            .and_then(|v| v.split_whitespace().next())
            .map(expand_tilde)
            .unwrap_or_else(|| expand_tilde("~/.ssh/known_hosts"));
        KeyTarget {
            hostname,
            port,
            host_entry,
            known_hosts_file,
        }
    }
}

/// The host keys `server` offers now, and where ssh keeps known keys for it.
pub async fn offered(server: &Server, cfg: &RemoteConfig) -> Result<HostKeys, Error> {
    if server.local {
        return Err(Error::Invalid(format!(
            "{} uses the local Docker socket: there is no host key to trust",
            server.name
        )));
    }
    let opts = super::ssh::resolved_options(server, cfg).await?;
    let target = KeyTarget::from_options(&opts, &server.host);
    let lines = keyscan(&target).await?;
    if lines.is_empty() {
        return Err(Error::Unreachable {
            server: server.name.clone(),
            detail: format!(
                "no host key could be read from {}:{}",
                target.hostname, target.port
            ),
        });
    }
    let mut fingerprints = Vec::new();
    for line in &lines {
        fingerprints.push(fingerprint(line).await?);
    }
    Ok(HostKeys {
        server: server.name.clone(),
        host_entry: target.host_entry,
        known_hosts_file: target.known_hosts_file,
        fingerprints,
        lines,
    })
}

/// The keys the server answers with, as known-hosts lines under `target.host_entry` (the
/// scan names the host as it was reached, not as ssh will look it up).
async fn keyscan(target: &KeyTarget) -> Result<Vec<String>, Error> {
    let scan = tokio::process::Command::new("ssh-keyscan")
        .args(["-T", "10", "-p", &target.port.to_string(), "--"])
        .arg(&target.hostname)
        .output()
        .await
        .map_err(|e| Error::Io(format!("cannot run ssh-keyscan: {e}")))?;
    Ok(String::from_utf8_lossy(&scan.stdout)
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| {
            l.split_once(' ')
                .map(|(_, key)| format!("{} {key}", target.host_entry))
        })
        .collect())
}

/// `ssh-keygen -l` of one known-hosts line: bits, fingerprint, host and key type.
async fn fingerprint(line: &str) -> Result<String, Error> {
    let mut child = tokio::process::Command::new("ssh-keygen")
        .args(["-l", "-f", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| Error::Io(format!("cannot run ssh-keygen: {e}")))?;
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(line.as_bytes()).await;
    }
    let out = child
        .wait_with_output()
        .await
        .map_err(|e| Error::Io(e.to_string()))?;
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Records the keys shown by `offered`, replacing older keys of the same host.
pub async fn trust(keys: &HostKeys) -> Result<(), Error> {
    let file = &keys.known_hosts_file;
    if let Some(parent) = Path::new(file).parent() {
        // Like `store::create_private_dir`: ~/.ssh may not exist yet.
        tokio::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(parent)
            .await
            .map_err(|e| Error::Io(format!("cannot create {}: {e}", parent.display())))?;
    }
    // Whether there was anything to remove does not matter.
    let _ = tokio::process::Command::new("ssh-keygen")
        .args(["-R", &keys.host_entry, "-f", file])
        .output()
        .await;
    let text = tokio::fs::read_to_string(file).await.unwrap_or_default();
    tokio::fs::write(file, with_lines(text, &keys.lines))
        .await
        .map_err(|e| Error::Io(format!("cannot write {file}: {e}")))
}

/// `text` with `lines` appended, each on a line of its own.
fn with_lines(mut text: String, lines: &[String]) -> String {
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    for line in lines {
        text.push_str(line);
        text.push('\n');
    }
    text
}

/// `~/x` under $HOME: `ssh -G` prints the default UserKnownHostsFile with its tilde.
fn expand_tilde(path: &str) -> String {
    match (path.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => format!("{}/{rest}", home.to_string_lossy()),
        _ => path.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn the_entry_is_the_alias_and_names_a_port_other_than_22() {
        let on_22 =
            KeyTarget::from_options(&options(&[("hostname", "10.0.0.5"), ("port", "22")]), "web");
        assert_eq!(on_22.host_entry, "10.0.0.5");
        let aliased = KeyTarget::from_options(
            &options(&[
                ("hostname", "10.0.0.5"),
                ("port", "2222"),
                ("hostkeyalias", "web"),
                ("userknownhostsfile", "/k/hosts /k/hosts2"),
            ]),
            "web",
        );
        assert_eq!(aliased.hostname, "10.0.0.5");
        assert_eq!(aliased.host_entry, "[web]:2222");
        assert_eq!(aliased.known_hosts_file, "/k/hosts");
    }

    #[test]
    fn recorded_lines_start_on_a_line_of_their_own() {
        let lines = vec!["h ssh-ed25519 AAAA".to_string()];
        assert_eq!(with_lines(String::new(), &lines), "h ssh-ed25519 AAAA\n");
        assert_eq!(
            with_lines("old key".into(), &lines),
            "old key\nh ssh-ed25519 AAAA\n"
        );
    }
}
