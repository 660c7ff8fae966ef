//! Names: how destui derives them, and the rules every name, host and path must pass before
//! it reaches a daemon or a shell.

use super::{Error, MAX_DESCRIPTION, MAX_DISPLAY_NAME, MAX_NETWORK_NAME};

/// `kebab("My Server-net_1")` = `my-server-net-1`.
pub fn kebab(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

pub fn default_destination_name(server_name: &str, network: &str) -> String {
    kebab(&format!("{server_name}-{network}"))
}

/// Docker's own rule for network names, made strict: validated before any remote call,
/// because bollard puts names into URL paths unescaped.
pub fn validate_network_name(name: &str) -> Result<(), Error> {
    let ok = !name.is_empty()
        && name.len() <= MAX_NETWORK_NAME
        && name.as_bytes()[0].is_ascii_alphanumeric()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if ok {
        Ok(())
    } else {
        Err(Error::InvalidNetworkName(name.to_string()))
    }
}

/// Characters a terminal must never receive raw from a server or a name (DESIGN.md §9): C0 and
/// C1 controls, DEL, Unicode format characters (bidi overrides and isolates, zero-width
/// characters, BOM, soft hyphen, tags…) and the line and paragraph separators. Such a
/// character can recolour the terminal, retitle its window, forge a table row or make a name
/// read differently from what it is.
pub fn is_unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{00ad}'
                | '\u{0600}'..='\u{0605}'
                | '\u{061c}'
                | '\u{06dd}'
                | '\u{070f}'
                | '\u{0890}'..='\u{0891}'
                | '\u{08e2}'
                | '\u{180e}'
                | '\u{200b}'..='\u{200f}'
                | '\u{2028}'..='\u{202e}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{206f}'
                | '\u{feff}'
                | '\u{fff9}'..='\u{fffb}'
                | '\u{110bd}'
                | '\u{110cd}'
                | '\u{13430}'..='\u{1343f}'
                | '\u{1bca0}'..='\u{1bca3}'
                | '\u{1d173}'..='\u{1d17a}'
                | '\u{e0001}'
                | '\u{e0020}'..='\u{e007f}'
        )
}

/// Swarm's own rule for the names of the networks it manages (stricter than Docker's):
/// refused before the call, since the daemon answers it with a raw rpc error.
pub const MAX_SWARM_NETWORK_NAME: usize = 63;

pub fn validate_swarm_network_name(name: &str) -> Result<(), Error> {
    let ok = name.len() <= MAX_SWARM_NETWORK_NAME
        && name
            .split(['-', '_'])
            .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_alphanumeric()));
    if ok {
        Ok(())
    } else {
        Err(Error::InvalidSwarmNetworkName(name.to_string()))
    }
}

/// Why scan cannot offer a network for import because of its name, or `None` when the name
/// is one destui accepts (every later call names it, so it must pass the same rule).
pub fn unimportable_name(network: &str) -> Option<String> {
    validate_network_name(network).err().map(|_| {
        "cannot be imported: its name has characters destui refuses (letters, digits, '.', '_' or '-', starting with a letter or digit, at most 128)".to_string()
    })
}

pub fn validate_port(port: u16) -> Result<(), Error> {
    if port == 0 {
        return Err(Error::Invalid(
            "invalid port 0: give a port from 1 to 65535".into(),
        ));
    }
    Ok(())
}

/// Display names (servers, destinations, resources): free text, but never a flag look-alike,
/// never a `/` (that separates `server/network` references) and never a character a terminal
/// would act on or hide (`is_unsafe_char`).
pub fn validate_display_name(what: &str, name: &str) -> Result<(), Error> {
    let trimmed = name.trim();
    let why = if trimmed.is_empty() {
        Some("is empty")
    } else if trimmed != name {
        Some("has leading or trailing spaces")
    } else if name.chars().count() > MAX_DISPLAY_NAME {
        Some("is longer than 100 characters")
    } else if name.starts_with('-') {
        Some("starts with '-'")
    } else if name.contains('/') {
        Some("contains '/'")
    } else if name.chars().any(is_unsafe_char) {
        Some("contains control or invisible characters")
    } else {
        None
    };
    match why {
        Some(why) => Err(Error::Invalid(format!(
            "the {what} name {name:?} {why}: use letters, digits, spaces, '.', '_' or '-'"
        ))),
        None => Ok(()),
    }
}

/// A destination's description as it is stored: trimmed, `None` when empty (so `""` clears
/// it); refused when longer than `MAX_DESCRIPTION` characters or when it holds a character a
/// terminal would act on or hide (`is_unsafe_char`: line breaks and tabs included).
pub fn normalize_description(text: &str) -> Result<Option<String>, Error> {
    let text = text.trim();
    let chars = text.chars().count();
    if chars > MAX_DESCRIPTION {
        return Err(Error::DescriptionTooLong(chars));
    }
    if text.chars().any(is_unsafe_char) {
        return Err(Error::DescriptionUnsafe);
    }
    Ok((!text.is_empty()).then(|| text.to_string()))
}

/// Host names end up as an argument of `ssh`: anything that could be read as an option or
/// carry shell syntax is refused here (e.g. `-oProxyCommand=…`).
pub fn validate_host(host: &str) -> Result<(), Error> {
    let ok = !host.is_empty()
        && host.len() <= 253
        && !host.starts_with('-')
        && host.bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b':' | b'[' | b']' | b'%')
        });
    if ok {
        Ok(())
    } else {
        Err(Error::Invalid(format!(
            "invalid host {host:?}: give a hostname, an IP address or a Host alias from your ssh config"
        )))
    }
}

pub fn validate_user(user: &str) -> Result<(), Error> {
    let ok = !user.is_empty()
        && user.len() <= 64
        && !user.starts_with('-')
        && user
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if ok {
        Ok(())
    } else {
        Err(Error::Invalid(format!(
            "invalid user {user:?}: use letters, digits, '.', '_' or '-'"
        )))
    }
}

/// The socket path goes into an ssh `-L local:remote` forward, where ':' and spaces break it.
pub fn validate_socket_path(path: &str) -> Result<(), Error> {
    let ok = path.starts_with('/')
        && path.len() <= 200
        && !path.contains("/../")
        && path
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'/'));
    if ok {
        Ok(())
    } else {
        Err(Error::Invalid(format!(
            "invalid Docker socket path {path:?}: give an absolute path such as /var/run/docker.sock"
        )))
    }
}

pub fn validate_container_name(name: &str) -> Result<(), Error> {
    validate_network_name(name).map_err(|_| {
        Error::Invalid(format!(
            "invalid container name {name:?}: use letters, digits, '.', '_' or '-', starting with a letter or digit"
        ))
    })
}

/// The colours a server can carry by name (DESIGN.md §16), besides `#rrggbb`.
pub const COLOR_NAMES: [&str; 6] = ["red", "green", "yellow", "blue", "magenta", "cyan"];

/// A server's colour as it is stored: a name of `COLOR_NAMES` (any case) or `#rrggbb`
/// (lower-cased); `None` for `""` or `none` (no colour).
pub fn normalize_color(text: &str) -> Result<Option<String>, Error> {
    let color = text.trim().to_ascii_lowercase();
    if color.is_empty() || color == "none" {
        return Ok(None);
    }
    let hex = color
        .strip_prefix('#')
        .is_some_and(|h| h.len() == 6 && h.bytes().all(|b| b.is_ascii_hexdigit()));
    if hex || COLOR_NAMES.contains(&color.as_str()) {
        return Ok(Some(color));
    }
    Err(Error::Invalid(format!(
        "invalid colour {text:?}: give {}, a hex #rrggbb, or none",
        COLOR_NAMES.join(", ")
    )))
}

/// `base`, then `base-2`, `base-3`… : the first name `taken` does not hold, each at most
/// `MAX_DISPLAY_NAME` characters (the base is cut to leave room for the suffix, so a derived
/// name always passes the same rule as a typed one).
pub fn first_free_name(base: &str, taken: impl Fn(&str) -> bool) -> String {
    let fit = |suffix: &str| {
        let room = MAX_DISPLAY_NAME - suffix.len();
        let cut: String = base.chars().take(room).collect();
        format!("{}{suffix}", cut.trim_end_matches(['-', ' ']))
    };
    let first = fit("");
    if !taken(&first) {
        return first;
    }
    (2..)
        .map(|n| fit(&format!("-{n}")))
        .find(|candidate| !taken(candidate))
        .unwrap_or(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_are_a_name_or_hex_and_nothing_else() {
        assert_eq!(normalize_color("Red").unwrap().as_deref(), Some("red"));
        assert_eq!(
            normalize_color("#00AAff").unwrap().as_deref(),
            Some("#00aaff")
        );
        assert_eq!(normalize_color("").unwrap(), None);
        assert_eq!(normalize_color("none").unwrap(), None);
        for bad in ["orange", "#fff", "#12345g", "rgb(1,2,3)", "red\u{1b}"] {
            let e = normalize_color(bad).unwrap_err().to_string();
            assert!(e.starts_with("invalid colour") && !e.contains('\n'), "{e}");
        }
    }

    #[test]
    fn kebab_lowercases_and_collapses_separators() {
        assert_eq!(kebab("My Server__net.1"), "my-server-net-1");
        assert_eq!(kebab("--a--b--"), "a-b");
        assert_eq!(
            default_destination_name("Prod EU", "ab3xk9"),
            "prod-eu-ab3xk9"
        );
    }

    #[test]
    fn network_names_follow_docker_rule() {
        for good in ["a", "net-1", "A.b_c-d", &"x".repeat(128)] {
            assert!(validate_network_name(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "../x",
            "-rf",
            "with space",
            "ünï",
            ".hidden",
            &"x".repeat(129),
            "a/b",
            "a:b",
        ] {
            assert_eq!(
                validate_network_name(bad),
                Err(Error::InvalidNetworkName(bad.to_string())),
                "{bad}"
            );
        }
    }

    #[test]
    fn hostile_hosts_are_refused() {
        for bad in ["-oProxyCommand=touch /tmp/x", "a b", "host;rm", "", "$(x)"] {
            assert!(validate_host(bad).is_err(), "{bad}");
        }
        for good in [
            "example.com",
            "10.0.0.1",
            "my-alias",
            "[::1]",
            "fe80::1%eth0",
        ] {
            assert!(validate_host(good).is_ok(), "{good}");
        }
    }

    #[test]
    fn display_names_refuse_slashes_and_flags() {
        assert!(validate_display_name("destination", "prod web").is_ok());
        assert!(validate_display_name("destination", "a/b").is_err());
        assert!(validate_display_name("destination", "-x").is_err());
        assert!(validate_display_name("destination", " x").is_err());
        assert!(validate_display_name("destination", "").is_err());
    }

    #[test]
    fn descriptions_are_one_line_of_at_most_500_characters() {
        assert_eq!(
            normalize_description("  shop, EU customers "),
            Ok(Some("shop, EU customers".into()))
        );
        assert_eq!(normalize_description(""), Ok(None));
        assert_eq!(normalize_description("   "), Ok(None));
        let longest = "é".repeat(500);
        assert_eq!(normalize_description(&longest), Ok(Some(longest.clone())));
        assert_eq!(
            normalize_description(&"x".repeat(501)),
            Err(Error::DescriptionTooLong(501))
        );
        for bad in [
            "two\nlines",
            "tab\there",
            "esc\u{1b}[31m",
            "bidi\u{202e}x",
            "del\u{7f}",
        ] {
            assert_eq!(
                normalize_description(bad),
                Err(Error::DescriptionUnsafe),
                "{bad:?}"
            );
        }
        assert_eq!(
            Error::DescriptionTooLong(501).to_string(),
            "the description is 501 characters long: shorten it to at most 500 (or give \"\" to clear it)"
        );
    }

    #[test]
    fn free_names_get_numeric_suffixes() {
        let taken = ["a", "a-2"];
        assert_eq!(first_free_name("a", |n| taken.contains(&n)), "a-3");
        assert_eq!(first_free_name("b", |n| taken.contains(&n)), "b");
    }
}
