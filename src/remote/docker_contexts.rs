//! The Docker CLI's context store (DESIGN.md §16): `$DOCKER_CONFIG` or `~/.docker`, one
//! `contexts/meta/<sha256 of the name>/meta.json` per context, whose `Endpoints.docker.Host`
//! says how the Docker CLI reaches the daemon (`ssh://user@host:port`, `unix:///path`,
//! `tcp://…`). What `server import --docker-contexts` turns into servers.

use std::path::{Path, PathBuf};

use serde::Deserialize;

/// One context of the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DockerContext {
    pub name: String,
    pub endpoint: Endpoint,
}

/// Where a context's daemon is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    Ssh {
        user: Option<String>,
        host: String,
        port: Option<u16>,
    },
    Unix(String),
    /// Any other endpoint (`tcp://…`, `npipe://…`, an ssh URL with a path), as written.
    Other(String),
    /// The context has no docker endpoint (a Kubernetes-only context).
    None,
}

/// The store's directory: `$DOCKER_CONFIG`, else `~/.docker`.
pub fn store_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("DOCKER_CONFIG").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(|h| PathBuf::from(h).join(".docker"))
}

#[derive(Deserialize)]
struct Meta {
    #[serde(rename = "Name")]
    name: String,
    #[serde(rename = "Endpoints", default)]
    endpoints: std::collections::HashMap<String, MetaEndpoint>,
}

#[derive(Deserialize)]
struct MetaEndpoint {
    #[serde(rename = "Host", default)]
    host: Option<String>,
}

/// Every context in the store under `dir`, sorted by name; a file that does not parse is
/// reported by its path, so one broken context does not hide the others.
pub fn contexts(dir: &Path) -> (Vec<DockerContext>, Vec<String>) {
    let mut found = Vec::new();
    let mut broken = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir.join("contexts").join("meta")) else {
        return (found, broken);
    };
    for entry in entries.flatten() {
        let file = entry.path().join("meta.json");
        let Ok(text) = std::fs::read(&file) else {
            continue;
        };
        match parse_meta(&text) {
            Some(context) => found.push(context),
            None => broken.push(file.display().to_string()),
        }
    }
    found.sort_by(|a, b| a.name.cmp(&b.name));
    (found, broken)
}

/// One `meta.json`.
pub fn parse_meta(text: &[u8]) -> Option<DockerContext> {
    let meta: Meta = serde_json::from_slice(text).ok()?;
    let endpoint = match meta.endpoints.get("docker").and_then(|e| e.host.as_deref()) {
        Some(host) => endpoint(host),
        None => Endpoint::None,
    };
    Some(DockerContext {
        name: meta.name,
        endpoint,
    })
}

/// `ssh://[user@]host[:port]`, `unix:///path`, or anything else as `Other`.
pub fn endpoint(url: &str) -> Endpoint {
    if let Some(path) = url.strip_prefix("unix://") {
        return Endpoint::Unix(path.to_string());
    }
    let Some(rest) = url.strip_prefix("ssh://") else {
        return Endpoint::Other(url.to_string());
    };
    // The Docker CLI refuses a path after the host; so does destui.
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    if rest.contains(['/', '?', '#']) || rest.is_empty() {
        return Endpoint::Other(url.to_string());
    }
    let (user, hostport) = match rest.rsplit_once('@') {
        Some((user, hostport)) => (Some(user.to_string()), hostport),
        None => (None, rest),
    };
    // `[::1]:22`, `[::1]`, `host:22`, `host`.
    let (host, port) = if let Some(bracketed) = hostport.strip_prefix('[') {
        match bracketed.split_once(']') {
            Some((host, "")) => (host, None),
            Some((host, port)) => match port.strip_prefix(':') {
                Some(port) => (host, Some(port)),
                None => return Endpoint::Other(url.to_string()),
            },
            None => return Endpoint::Other(url.to_string()),
        }
    } else {
        match hostport.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (hostport, None),
        }
    };
    let port = match port.map(str::parse::<u16>) {
        Some(Ok(p)) if p > 0 => Some(p),
        Some(_) => return Endpoint::Other(url.to_string()),
        None => None,
    };
    if host.is_empty() || user.as_deref() == Some("") {
        return Endpoint::Other(url.to_string());
    }
    Endpoint::Ssh {
        user,
        host: host.to_string(),
        port,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ssh(user: Option<&str>, host: &str, port: Option<u16>) -> Endpoint {
        Endpoint::Ssh {
            user: user.map(String::from),
            host: host.into(),
            port,
        }
    }

    #[test]
    fn endpoints_are_read_from_their_urls() {
        assert_eq!(
            endpoint("ssh://deploy@prod.example.com:2222"),
            ssh(Some("deploy"), "prod.example.com", Some(2222))
        );
        assert_eq!(endpoint("ssh://prod"), ssh(None, "prod", None));
        assert_eq!(
            endpoint("ssh://root@prod/"),
            ssh(Some("root"), "prod", None)
        );
        assert_eq!(
            endpoint("ssh://root@[2001:db8::1]:22"),
            ssh(Some("root"), "2001:db8::1", Some(22))
        );
        assert_eq!(
            endpoint("unix:///run/user/1000/docker.sock"),
            Endpoint::Unix("/run/user/1000/docker.sock".into())
        );
        for other in [
            "tcp://10.0.0.5:2376",
            "npipe:////./pipe/docker_engine",
            "ssh://root@prod/var/run/docker.sock",
            "ssh://root@prod:0",
            "ssh://root@prod:ssh",
            "ssh://@prod",
            "ssh://",
        ] {
            assert_eq!(endpoint(other), Endpoint::Other(other.into()), "{other}");
        }
    }

    #[test]
    fn meta_files_give_the_name_and_the_docker_endpoint() {
        let meta = br#"{"Name":"prod","Metadata":{"Description":"x"},"Endpoints":{"docker":{"Host":"ssh://root@prod","SkipTLSVerify":false}}}"#;
        assert_eq!(
            parse_meta(meta),
            Some(DockerContext {
                name: "prod".into(),
                endpoint: ssh(Some("root"), "prod", None),
            })
        );
        let kube = br#"{"Name":"k","Endpoints":{"kubernetes":{"Host":"https://k"}}}"#;
        assert_eq!(parse_meta(kube).unwrap().endpoint, Endpoint::None);
        assert_eq!(parse_meta(b"not json"), None);
    }

    #[test]
    fn the_store_lists_every_context_sorted_and_names_broken_ones() {
        let dir = tempfile::tempdir().unwrap();
        let meta = dir.path().join("contexts").join("meta");
        for (sub, text) in [
            (
                "aa",
                r#"{"Name":"zeta","Endpoints":{"docker":{"Host":"tcp://z:2376"}}}"#,
            ),
            (
                "bb",
                r#"{"Name":"alpha","Endpoints":{"docker":{"Host":"ssh://a"}}}"#,
            ),
            ("cc", "{broken"),
        ] {
            std::fs::create_dir_all(meta.join(sub)).unwrap();
            std::fs::write(meta.join(sub).join("meta.json"), text).unwrap();
        }
        let (found, broken) = contexts(dir.path());
        let names: Vec<&str> = found.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, vec!["alpha", "zeta"]);
        assert_eq!(broken.len(), 1);
        assert!(broken[0].ends_with("cc/meta.json"));
        assert!(contexts(&dir.path().join("none")).0.is_empty());
    }
}
