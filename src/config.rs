//! Where things live (XDG directories via `directories`) and the user's config file, whose
//! defaults are embedded from `assets/default-config.toml`.

mod ranges;

use crate::domain::Error;
use crate::remote::{RemoteConfig, ReplyLimits};
use serde::Deserialize;
use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub const DEFAULT_CONFIG: &str = include_str!("../assets/default-config.toml");

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub ssh: SshSettings,
    #[serde(default)]
    pub theme: Theme,
    #[serde(default)]
    pub keys: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    pub tui: TuiSettings,
    #[serde(default)]
    pub watch: WatchSettings,
    #[serde(default)]
    pub network: NetworkSettings,
    #[serde(default)]
    pub docker: DockerSettings,
}

/// What a daemon's reply may be (a hostile or broken daemon is cut off, DESIGN.md §8).
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DockerSettings {
    /// The largest reply body read from a daemon, in MB.
    pub max_reply_mb: u64,
    /// Seconds a whole reply may take (the event stream and image pulls excepted).
    pub reply_timeout_seconds: u64,
}

impl Default for DockerSettings {
    fn default() -> Self {
        DockerSettings {
            max_reply_mb: 64,
            reply_timeout_seconds: 60,
        }
    }
}

impl DockerSettings {
    pub fn limits(&self) -> ReplyLimits {
        ReplyLimits {
            max_bytes: self.max_reply_mb.saturating_mul(1024 * 1024),
            timeout: Duration::from_secs(self.reply_timeout_seconds),
        }
    }
}

/// `over`'s keys replace `base`'s; tables merge key by key.
fn lay_over(base: &mut toml::Table, over: toml::Table) {
    for (key, value) in over {
        match (base.get_mut(&key), value) {
            (Some(toml::Value::Table(inner)), toml::Value::Table(value)) => lay_over(inner, value),
            (_, value) => {
                base.insert(key, value);
            }
        }
    }
}

/// Address space (DESIGN.md §14).
#[derive(Debug, Clone, Deserialize, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct NetworkSettings {
    /// Where `--subnet auto` and a create on a daemon out of pools take a /24 from.
    #[serde(default)]
    pub fallback_pool: Option<String>,
}

impl NetworkSettings {
    /// The pool, checked (a config error names the setting).
    pub fn pool(&self) -> Result<Option<ipnet::Ipv4Net>, Error> {
        self.fallback_pool
            .as_deref()
            .map(|p| {
                crate::domain::pool_of(p).map_err(|e| {
                    Error::Invalid(format!("config [network] fallback_pool: {}", e.reason()))
                })
            })
            .transpose()
    }
}

/// Live state (DESIGN.md §11).
#[derive(Debug, Clone, Deserialize, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct WatchSettings {
    /// Put back a proxy that something else disconnected from a destination.
    #[serde(default)]
    pub reattach_proxy: bool,
}

impl WatchSettings {
    pub fn options(&self) -> crate::ops::WatchOptions {
        crate::ops::WatchOptions {
            reattach_proxy: self.reattach_proxy,
        }
    }
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TuiSettings {
    /// Seconds between background checks of every destination; 0 turns them off.
    pub check_interval_seconds: u64,
}

impl Default for TuiSettings {
    fn default() -> Self {
        TuiSettings {
            check_interval_seconds: 300,
        }
    }
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SshSettings {
    /// Seconds an unused master stays up so the next command needs no new handshake.
    pub idle_seconds: usize,
    pub connect_timeout_seconds: u64,
    /// SSH handshakes in flight at once, across all servers.
    #[serde(default = "default_max_parallel_connects")]
    pub max_parallel_connects: usize,
}

fn default_max_parallel_connects() -> usize {
    crate::remote::DEFAULT_MAX_PARALLEL_CONNECTS
}

#[derive(Debug, Clone, Deserialize, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct Theme {
    #[serde(default)]
    pub accent: Option<String>,
    #[serde(default)]
    pub error: Option<String>,
}

impl Config {
    /// The user's file when present (`<config dir>/config.toml`), else the embedded default.
    /// The embedded defaults, with the user's file (when there is one) laid over them: a file
    /// that sets one key (`[network] fallback_pool`, say) keeps every other default.
    /// Every numeric setting is checked against its documented range (`ranges`).
    pub fn load(path: Option<&Path>) -> Result<Self, Error> {
        let file = path.map(|p| p.display().to_string()).unwrap_or_default();
        let invalid =
            |e: toml::de::Error| Error::Invalid(format!("config file {file}: {}", e.message()));
        let mut merged: toml::Table = toml::from_str(DEFAULT_CONFIG).map_err(invalid)?;
        if let Some(p) = path.filter(|p| p.exists()) {
            let text = std::fs::read_to_string(p)
                .map_err(|e| Error::Io(format!("cannot read {}: {e}", p.display())))?;
            let user: toml::Table = toml::from_str(&text).map_err(|e| {
                ranges::check_unparsable(&text, e.span(), &file).unwrap_or_else(|| invalid(e))
            })?;
            lay_over(&mut merged, user);
        }
        ranges::check_file(&merged, &file)?;
        merged.try_into().map_err(invalid)
    }
}

pub struct Paths {
    pub data_dir: PathBuf,
    pub config_file: Option<PathBuf>,
    pub log_dir: PathBuf,
    pub runtime_dir: PathBuf,
}

impl Paths {
    pub fn resolve(db: Option<PathBuf>) -> Self {
        let dirs = directories::ProjectDirs::from("", "", "destui");
        let data_dir = db.unwrap_or_else(|| {
            dirs.as_ref()
                .map(|d| d.data_dir().to_path_buf())
                .unwrap_or_else(|| PathBuf::from(".destui"))
        });
        let config_file = dirs.as_ref().map(|d| d.config_dir().join("config.toml"));
        let log_dir = dirs
            .as_ref()
            .and_then(|d| d.state_dir().map(Path::to_path_buf))
            .unwrap_or_else(|| data_dir.join("logs"));
        Paths {
            data_dir,
            config_file,
            log_dir,
            runtime_dir: runtime_dir(),
        }
    }
}

/// Short, private, per-user: `$DESTUI_RUNTIME_DIR`, else `$XDG_RUNTIME_DIR/destui`, else
/// `/tmp/destui-<uid>` (socket paths must stay under ~104 bytes).
#[allow(unsafe_code)] // a libc call: see the SAFETY note at its block
pub fn runtime_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("DESTUI_RUNTIME_DIR") {
        return PathBuf::from(dir);
    }
    if let Some(dir) = std::env::var_os("XDG_RUNTIME_DIR") {
        return PathBuf::from(dir).join("destui");
    }
    // SAFETY: geteuid has no preconditions and cannot fail (the store checks the data
    // directory's owner against the same uid).
    let uid = unsafe { libc::geteuid() };
    PathBuf::from(format!("/tmp/destui-{uid}"))
}

/// How connections are made: the config's `[ssh]` and `[docker]` settings, with the
/// environment's overrides (each checked against its range: a bad one is refused).
pub fn remote_config(
    config: &Config,
    ssh_config: Option<PathBuf>,
    runtime_dir: PathBuf,
) -> Result<RemoteConfig, Error> {
    let idle = ranges::from_env(&ranges::IDLE)?
        .and_then(|v| usize::try_from(v).ok())
        .unwrap_or(config.ssh.idle_seconds);
    let timeout =
        ranges::from_env(&ranges::CONNECT_TIMEOUT)?.unwrap_or(config.ssh.connect_timeout_seconds);
    let parallel = ranges::from_env(&ranges::MAX_PARALLEL_CONNECTS)?
        .and_then(|v| usize::try_from(v).ok())
        .unwrap_or(config.ssh.max_parallel_connects);
    Ok(RemoteConfig {
        // `--ssh-config` without a file: the one DESTUI_SSH_CONFIG names, else ssh's default.
        ssh_config: ssh_config
            .filter(|f| !f.as_os_str().is_empty())
            .or_else(|| std::env::var_os("DESTUI_SSH_CONFIG").map(PathBuf::from))
            .filter(|f| !f.as_os_str().is_empty()),
        runtime_dir,
        idle: NonZeroUsize::new(idle).unwrap_or(NonZeroUsize::MIN),
        connect_timeout: Duration::from_secs(timeout.max(1)),
        connects: RemoteConfig::connect_slots(parallel),
        replies: config.docker.limits(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_that_sets_one_key_keeps_every_other_default() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("config.toml");
        std::fs::write(&file, "[network]\nfallback_pool = \"10.201.0.0/16\"\n").unwrap();
        let c = Config::load(Some(&file)).unwrap();
        assert_eq!(c.network.fallback_pool.as_deref(), Some("10.201.0.0/16"));
        assert_eq!(c.ssh, Config::load(None).unwrap().ssh);
        std::fs::write(&file, "[network]\nfallback_pool = \"10.0.0.0/30\"\n").unwrap();
        let bad = Config::load(Some(&file))
            .unwrap()
            .network
            .pool()
            .unwrap_err();
        assert!(bad.to_string().contains("fallback_pool"), "{bad}");
        std::fs::write(&file, "[network]\nfallback = 1\n").unwrap();
        assert!(
            Config::load(Some(&file)).is_err(),
            "unknown keys are still refused"
        );
    }

    #[test]
    fn embedded_default_config_parses() {
        let c = Config::load(None).unwrap();
        assert_eq!(c.ssh.idle_seconds, 60);
        assert_eq!(c.ssh.max_parallel_connects, 64);
        assert!(c.keys.contains_key("quit"));
    }
}
