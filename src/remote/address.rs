//! The address a server's host resolves to (DESIGN.md §15, "Server IP"): the `hostname` that
//! `ssh -G` prints for it (so an ssh-config alias counts), looked up in DNS unless it is an IP
//! address already. Resolved when a server is added, edited or checked, and stored on its
//! record: lists never wait on DNS. A host that does not resolve has no address; that is not
//! an error (the server may still be reached, e.g. through a ProxyJump).

use super::RemoteConfig;
use crate::domain::Server;
use std::collections::HashMap;
use std::net::IpAddr;
use std::time::Duration;

/// How long a lookup may take before the address is left unknown.
const LOOKUP_TIMEOUT: Duration = Duration::from_secs(3);

/// Resolutions run at once in this process.
static RESOLVING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(4);

/// The server's address, or `None` (local server, or a host that does not resolve).
pub async fn resolve(server: &Server, cfg: &RemoteConfig) -> Option<String> {
    if server.local {
        return None;
    }
    // A check of hundreds of servers must not start hundreds of `ssh -G` beside their
    // handshakes (measured: a reachable server then missed its connect timeout): a few at once.
    let _slot = RESOLVING.acquire().await.ok()?;
    let hostname = match super::ssh::resolved_options(server, cfg).await {
        Ok(options) => hostname(&options, &server.host),
        Err(e) => {
            tracing::info!(server = %server.name, "no address: {e}");
            return None;
        }
    };
    if let Some(ip) = ip_literal(&hostname) {
        return Some(ip.to_string());
    }
    match tokio::time::timeout(
        LOOKUP_TIMEOUT,
        tokio::net::lookup_host((hostname.as_str(), 0)),
    )
    .await
    {
        Ok(Ok(mut addresses)) => addresses.next().map(|a| a.ip().to_string()),
        Ok(Err(e)) => {
            tracing::info!(server = %server.name, %hostname, "no address: {e}");
            None
        }
        Err(_) => {
            tracing::info!(server = %server.name, %hostname, "no address: the lookup timed out");
            None
        }
    }
}

/// The host ssh will connect to: `ssh -G`'s `hostname`, else the host as given.
pub fn hostname(options: &HashMap<String, String>, host: &str) -> String {
    options
        .get("hostname")
        .map(|h| h.trim())
        .filter(|h| !h.is_empty())
        .unwrap_or(host)
        .to_string()
}

/// `host` as an IP address when it is one (`[::1]` and a zone, `fe80::1%eth0`, included).
pub fn ip_literal(host: &str) -> Option<IpAddr> {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let bare = bare.split_once('%').map_or(bare, |(ip, _zone)| ip);
    bare.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::remote::ssh::parse_options;

    /// What `ssh -G destui-a` prints for the testbed's alias (abridged).
    const SSH_G: &str = "host destui-a\nuser root\nhostname 127.0.0.1\nport 20027\n\
        addressfamily any\nidentityfile /tmp/destui-testbed/client_key\n";

    #[test]
    fn the_hostname_comes_from_ssh_g() {
        let options = parse_options(SSH_G);
        assert_eq!(hostname(&options, "destui-a"), "127.0.0.1");
        assert_eq!(options.get("port").map(String::as_str), Some("20027"));
        // No hostname line (never seen in practice): the host as given.
        assert_eq!(hostname(&parse_options("user root\n"), "prod-1"), "prod-1");
        assert_eq!(
            hostname(&parse_options("hostname prod-1.example.com\r\n"), "prod-1"),
            "prod-1.example.com"
        );
    }

    #[test]
    fn ip_literals_stay_as_they_are() {
        assert_eq!(ip_literal("203.0.113.5"), "203.0.113.5".parse().ok());
        assert_eq!(ip_literal("[2001:db8::1]"), "2001:db8::1".parse().ok());
        assert_eq!(ip_literal("fe80::1%eth0"), "fe80::1".parse().ok());
        assert_eq!(ip_literal("prod-1"), None);
        assert_eq!(ip_literal("example.com"), None);
    }

    #[tokio::test]
    async fn a_local_server_has_no_address() {
        let mut server = crate::remote::ssh::tests::server();
        server.local = true;
        let cfg = RemoteConfig::for_tests(std::path::PathBuf::from("/tmp/x"));
        assert_eq!(resolve(&server, &cfg).await, None);
    }
}
