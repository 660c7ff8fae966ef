//! The documented range of every numeric setting, checked where it is read — the config file
//! (the embedded defaults with the user's file laid over them) or the environment — so that a
//! value out of range is refused with one line naming it, never a panic or a server stored
//! offline for a reason that has nothing to do with it.

use crate::domain::Error;

/// What a numeric setting may be: `min..=max` in `unit`, and 0 too when `zero` says what 0
/// means (a setting that 0 turns off).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range {
    pub min: u64,
    pub max: u64,
    pub unit: &'static str,
    pub zero: Option<&'static str>,
}

impl Range {
    fn admits(&self, value: i64) -> bool {
        u64::try_from(value)
            .is_ok_and(|v| (self.min..=self.max).contains(&v) || v == 0 && self.zero.is_some())
    }

    /// "1 to 3600 (seconds)", "0 (off), or 10 to 86400 (seconds)".
    pub fn describe(&self) -> String {
        let span = format!("{} to {} ({})", self.min, self.max, self.unit);
        match self.zero {
            Some(zero) => format!("0 ({zero}), or {span}"),
            None => span,
        }
    }
}

/// One numeric setting: its key in the config file, and the environment variable that
/// overrides it (when there is one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Setting {
    pub table: &'static str,
    pub key: &'static str,
    pub env: Option<&'static str>,
    pub range: Range,
}

const fn seconds(min: u64, max: u64) -> Range {
    Range {
        min,
        max,
        unit: "seconds",
        zero: None,
    }
}

pub const IDLE: Setting = Setting {
    table: "ssh",
    key: "idle_seconds",
    env: Some("DESTUI_SSH_IDLE"),
    range: seconds(1, 86_400),
};
pub const CONNECT_TIMEOUT: Setting = Setting {
    table: "ssh",
    key: "connect_timeout_seconds",
    env: Some("DESTUI_CONNECT_TIMEOUT"),
    range: seconds(1, 3_600),
};
pub const MAX_PARALLEL_CONNECTS: Setting = Setting {
    table: "ssh",
    key: "max_parallel_connects",
    env: Some("DESTUI_MAX_PARALLEL_CONNECTS"),
    range: Range {
        min: 1,
        max: 4_096,
        unit: "handshakes at once",
        zero: None,
    },
};
pub const CHECK_INTERVAL: Setting = Setting {
    table: "tui",
    key: "check_interval_seconds",
    env: None,
    range: Range {
        zero: Some("off"),
        ..seconds(10, 86_400)
    },
};
pub const MAX_REPLY_MB: Setting = Setting {
    table: "docker",
    key: "max_reply_mb",
    env: None,
    range: Range {
        min: 1,
        max: 4_096,
        unit: "MB",
        zero: None,
    },
};
pub const REPLY_TIMEOUT: Setting = Setting {
    table: "docker",
    key: "reply_timeout_seconds",
    env: None,
    range: seconds(1, 3_600),
};

/// Every numeric setting of the config file.
pub const ALL: [Setting; 6] = [
    IDLE,
    CONNECT_TIMEOUT,
    MAX_PARALLEL_CONNECTS,
    CHECK_INTERVAL,
    MAX_REPLY_MB,
    REPLY_TIMEOUT,
];

/// A value as the admin wrote it, cut so that one line stays one line.
fn shown(value: &str) -> String {
    const MAX: usize = 40;
    if value.chars().count() <= MAX {
        return value.to_string();
    }
    let cut: String = value.chars().take(MAX).collect();
    format!("{cut}…")
}

fn refused(setting: String, problem: &'static str, range: &Range, place: String) -> Error {
    Error::SettingOutOfRange {
        setting,
        problem,
        range: range.describe(),
        place,
    }
}

/// Checks every numeric setting of the merged config; `file` names the user's file (the only
/// place a bad value can come from: the embedded defaults are in range).
pub fn check_file(merged: &toml::Table, file: &str) -> Result<(), Error> {
    for setting in ALL {
        let Some(value) = merged
            .get(setting.table)
            .and_then(|t| t.as_table())
            .and_then(|t| t.get(setting.key))
        else {
            continue;
        };
        let place = format!(" in [{}] of {file}", setting.table);
        let text = format!("{} = {}", setting.key, shown(&value.to_string()));
        match value.as_integer() {
            Some(v) if setting.range.admits(v) => {}
            Some(_) => return Err(refused(text, "is out of range", &setting.range, place)),
            None => {
                return Err(refused(
                    text,
                    "is not a whole number",
                    &setting.range,
                    place,
                ));
            }
        }
    }
    Ok(())
}

/// A config file that TOML itself refuses at one of these settings (an integer beyond 64
/// bits, say) is refused with that setting's range: the line the error points at names it.
pub fn check_unparsable(
    text: &str,
    at: Option<std::ops::Range<usize>>,
    file: &str,
) -> Option<Error> {
    let start = at?.start.min(text.len());
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line = text[line_start..].lines().next()?;
    let (key, value) = line.split_once('=')?;
    let (key, value) = (key.trim(), value.trim());
    let setting = ALL.iter().find(|s| s.key == key)?;
    Some(refused(
        format!("{key} = {}", shown(value)),
        problem_of(value),
        &setting.range,
        format!(" in [{}] of {file}", setting.table),
    ))
}

/// The setting's environment variable, checked: `None` when it is unset (or empty).
pub fn from_env(setting: &Setting) -> Result<Option<u64>, Error> {
    let Some(var) = setting.env else {
        return Ok(None);
    };
    let Some(raw) = std::env::var_os(var).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    let text = raw.to_string_lossy();
    let place = ", or unset it".to_string();
    let named = format!("{var}={}", shown(&text));
    match text.trim().parse::<i64>() {
        Ok(v) if setting.range.admits(v) => Ok(u64::try_from(v).ok()),
        _ => Err(refused(named, problem_of(&text), &setting.range, place)),
    }
}

/// Why a value that is not in range is refused: digits (of any length) are a number out of
/// range; anything else is not a whole number.
fn problem_of(value: &str) -> &'static str {
    let digits = value.trim().trim_start_matches(['-', '+']).replace('_', "");
    if !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) {
        "is out of range"
    } else {
        "is not a whole number"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_read_as_an_admin_writes_them() {
        assert_eq!(CONNECT_TIMEOUT.range.describe(), "1 to 3600 (seconds)");
        assert_eq!(
            CHECK_INTERVAL.range.describe(),
            "0 (off), or 10 to 86400 (seconds)"
        );
        assert!(CHECK_INTERVAL.range.admits(0));
        assert!(!CHECK_INTERVAL.range.admits(5));
        assert!(!IDLE.range.admits(0));
        assert!(!IDLE.range.admits(-1));
        assert!(IDLE.range.admits(86_400));
        assert!(!IDLE.range.admits(86_401));
    }

    #[test]
    fn a_toml_error_at_a_setting_names_it() {
        let text = "[ssh]\nconnect_timeout_seconds = 99999999999999999999\n";
        let at = text.find("999").map(|i| i..i + 3);
        let e = check_unparsable(text, at, "/c.toml").expect("named");
        assert_eq!(
            e.to_string(),
            "connect_timeout_seconds = 99999999999999999999 is out of range: give 1 to 3600 (seconds) in [ssh] of /c.toml"
        );
        assert!(check_unparsable("[ssh]\nx = ]\n", Some(9..10), "/c.toml").is_none());
    }
}
