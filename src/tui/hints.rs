//! The TUI's words for what the layers below report. Every error and every warning the TUI
//! shows becomes text here, once: a typed `Hint` is said with the keys of this TUI (as the
//! admin configured them) where the command line would name a command or a flag.

use super::app::sanitize::clean_str;
use super::keymap::{Command, Keymap};
use crate::domain::{Error, Hint, MAX_MTU, OptionRefusal, Warning};

/// The line the TUI shows for `error`: its reason, then its hint in the TUI's words. A
/// daemon's or server's words may be inside, so the text is cleaned (DESIGN.md §9) like every
/// other string a task brings back.
pub fn error_text(error: &Error, keys: &Keymap) -> String {
    let mut text = match error {
        // The cause's own hint is said first, as the command line does.
        Error::ServerCheckFailed { cause } => format!(
            "{}. Nothing was saved: fix the server's settings",
            error_text(cause, keys)
        ),
        Error::BadOption(refusal) => option_text(refusal),
        _ => error.reason(),
    };
    if let Some(hint) = error.hint() {
        text.push_str(&hint_text(&hint, keys));
    }
    clean_str(&mut text);
    text
}

/// A form's own check that refused a field (the domain's validators, which carry no hint).
pub fn refusal_text(error: &Error) -> String {
    let mut text = match error {
        Error::BadOption(refusal) => option_text(refusal),
        _ => error.to_string(),
    };
    clean_str(&mut text);
    text
}

/// A refused network option in the create dialog's words: its fields (Subnet, IPv6 subnet,
/// MTU), never the command line's flags.
pub fn option_text(refusal: &OptionRefusal) -> String {
    match refusal {
        OptionRefusal::SubnetIsIpv6 { text } => format!(
            "Subnet {text:?} is an IPv6 CIDR: put it in IPv6 subnet, with IPv6 set to yes"
        ),
        OptionRefusal::SubnetNotCidr { text } => format!(
            "Subnet {text:?} is not an IPv4 CIDR: give one such as 10.201.0.0/24, or auto:10.201.0.0/16 for the first free /24 of that pool"
        ),
        OptionRefusal::Subnet6NeedsIpv6 => {
            "IPv6 subnet needs IPv6: set IPv6 to yes to give the network IPv6 addresses".into()
        }
        OptionRefusal::Subnet6NotCidr { text } => format!(
            "IPv6 subnet {text:?} is not an IPv6 CIDR: give one such as fd00:dead:beef::/64"
        ),
        OptionRefusal::MtuOutOfRange { mtu, min, ipv6 } => format!(
            "MTU {mtu} is out of range: give {min} to {MAX_MTU}{} (1450 suits most clouds' overlay links)",
            if *ipv6 { " with IPv6 on" } else { "" }
        ),
        OptionRefusal::AutoNeedsPool => "Subnet auto needs a pool: write auto:10.201.0.0/16 (the first free /24 of that pool), or set [network] fallback_pool in the config".into(),
        OptionRefusal::PoolFull { pool, server } => format!(
            "no /24 of {pool} is free on {server}: give a wider pool in Subnet (auto:POOL) or in [network] fallback_pool, or remove unused networks"
        ),
    }
}

/// The line the TUI shows for one of an `Outcome`'s warnings (cleaned when it arrived).
pub fn warning_text(warning: &Warning, keys: &Keymap) -> String {
    match &warning.hint {
        Some(hint) => format!("{}{}", warning.text, hint_text(hint, keys)),
        None => warning.text.clone(),
    }
}

/// What to do next, with this TUI's keys; what the TUI cannot do is named as the shell
/// command that does it. Each starts with its separator, as `Hint`'s command-line phrasing does.
pub fn hint_text(hint: &Hint, keys: &Keymap) -> String {
    let key = |command| keys.key_name(command);
    match hint {
        Hint::ImportNetwork { server, network } => format!(
            ": import it from the Scan pane ({} on {server}, then {} on {network}).",
            key(Command::Scan),
            key(Command::Import)
        ),
        Hint::EmptyServer { .. } => format!(
            ": delete them first ({} lists only the selected server's), or confirm a removal that forgets them too.",
            key(Command::Scope)
        ),
        Hint::ListServers => ": see the Servers pane".into(),
        Hint::ListDestinations => ": see the Destinations pane".into(),
        Hint::ListResources => format!(
            ": it may have been removed; {} reloads the lists",
            key(Command::Refresh)
        ),
        Hint::CreateDestination { .. } => format!(
            ": create one with {} in the Destinations pane",
            key(Command::Add)
        ),
        Hint::ChooseDestination { candidates } => format!(
            ": choose one in the Destination field ({})",
            candidates.join(", ")
        ),
        Hint::FreeAddressPools => format!(
            ": remove unused networks ({} lists unused destinations), widen `default-address-pools` in /etc/docker/daemon.json, or give a Subnet.",
            key(Command::Unused)
        ),
        Hint::FreeIpv6AddressPools => ": give an IPv6 subnet, or add an IPv6 entry to `default-address-pools` in /etc/docker/daemon.json.".to_string(),
        Hint::TrustHostKey { server } => {
            format!(": check it, then run `destui server trust {server}` in a shell")
        }
        Hint::ForceDelete { destination } => format!(
            ". To forget the record anyway, run `destui destination delete {destination} --force` in a shell (the network may then remain on the server)"
        ),
        Hint::AddWithoutCheck => ", then submit again.".into(),
        Hint::CheckServer { .. } => format!(
            ": check it with {} in the Servers pane",
            key(Command::Check)
        ),
        Hint::ScanServer { .. } => format!(
            ": {} scans the server and shows what can be imported",
            key(Command::Scan)
        ),
        Hint::RepairWhenProxyRuns => {
            format!(" (then {} on the destination)", key(Command::Repair))
        }
        Hint::OtherLogin => format!(
            " (User and Identity in the server's edit dialog, {} in the Servers pane, or your ssh config)",
            key(Command::Edit)
        ),
        Hint::SocketPath => format!(
            " in the Docker socket field of the server's edit dialog ({} in the Servers pane)",
            key(Command::Edit)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    /// The TUI never tells the admin to pass a flag, and names the keys they configured.
    #[test]
    fn hints_name_the_configured_keys_not_cli_flags() {
        let keys = Keymap::from_config(&BTreeMap::from([
            ("scan".to_string(), "x".to_string()),
            ("import".to_string(), "b".to_string()),
        ]))
        .unwrap_or_default();
        let exists = Error::NetworkExists {
            server: "web".into(),
            network: "net".into(),
        };
        assert_eq!(
            error_text(&exists, &keys),
            "A network named net already exists on web but is not a destination: import it from the Scan pane (x on web, then b on net)."
        );
        let choice = Error::DestinationChoice {
            server: "web".into(),
            candidates: vec!["a".into(), "b".into()],
        };
        assert_eq!(
            error_text(&choice, &keys),
            "web has 2 destinations: choose one in the Destination field (a, b)"
        );
        let failed = Error::ServerCheckFailed {
            cause: Box::new(Error::HostKeyUnknown {
                server: "web".into(),
            }),
        };
        assert_eq!(
            error_text(&failed, &keys),
            "the host key of web is not known or has changed: check it, then run `destui server trust web` in a shell. Nothing was saved: fix the server's settings, then submit again."
        );
        let refused = Error::WrongSetting {
            server: "web".into(),
            detail: "sshd on h refused the key of user alice (Permission denied): authorize that key for that user on the server, or use another user or identity file".into(),
            hint: Hint::OtherLogin,
        };
        assert_eq!(
            error_text(&refused, &keys),
            "server web is unreachable: sshd on h refused the key of user alice (Permission denied): authorize that key for that user on the server, or use another user or identity file (User and Identity in the server's edit dialog, e in the Servers pane, or your ssh config)"
        );
        let not_checked = Warning::with_hint(
            "web was not checked",
            Hint::CheckServer {
                server: "web".into(),
            },
        );
        assert_eq!(
            warning_text(&not_checked, &keys),
            "web was not checked: check it with c in the Servers pane"
        );
        // Every hint, said by the TUI, names no flag.
        let all = [
            Hint::EmptyServer { server: "s".into() },
            Hint::ListServers,
            Hint::ListDestinations,
            Hint::ListResources,
            Hint::CreateDestination { server: "s".into() },
            Hint::FreeAddressPools,
            Hint::FreeIpv6AddressPools,
            Hint::AddWithoutCheck,
            Hint::ScanServer { server: "s".into() },
            Hint::RepairWhenProxyRuns,
            Hint::OtherLogin,
            Hint::SocketPath,
        ];
        for hint in all {
            let text = hint_text(&hint, &keys);
            assert!(!text.contains("--"), "{text}");
            assert!(!text.contains("destui "), "{text}");
        }
    }

    /// Issue 28 item 13: a refused network option names the dialog's field, not the flag;
    /// the command line keeps its flags.
    #[test]
    fn refused_options_name_the_dialogs_fields_not_flags() {
        let keys = Keymap::default();
        let cases = [
            (
                OptionRefusal::MtuOutOfRange {
                    mtu: 50,
                    min: 68,
                    ipv6: false,
                },
                "MTU 50 is out of range: give 68 to 65535",
                "--mtu 50 is out of range",
            ),
            (
                OptionRefusal::AutoNeedsPool,
                "Subnet auto needs a pool: write auto:10.201.0.0/16",
                "--subnet auto needs a pool: give one (--subnet auto:",
            ),
            (
                OptionRefusal::Subnet6NeedsIpv6,
                "IPv6 subnet needs IPv6: set IPv6 to yes",
                "--subnet6 needs --ipv6",
            ),
            (
                OptionRefusal::SubnetIsIpv6 {
                    text: "fd00::/64".into(),
                },
                "Subnet \"fd00::/64\" is an IPv6 CIDR: put it in IPv6 subnet",
                "give it with --ipv6 --subnet6 fd00::/64",
            ),
            (
                OptionRefusal::PoolFull {
                    pool: "10.201.0.0/24".into(),
                    server: "web".into(),
                },
                "no /24 of 10.201.0.0/24 is free on web: give a wider pool in Subnet",
                "(--subnet auto:POOL, [network] fallback_pool)",
            ),
        ];
        for (refusal, tui, cli) in cases {
            let error = Error::BadOption(refusal);
            for text in [error_text(&error, &keys), refusal_text(&error)] {
                assert!(text.starts_with(tui), "{text}");
                assert!(!text.contains("--"), "{text}");
            }
            assert!(error.to_string().contains(cli), "{error}");
        }
    }

    /// An error with no hint reads as it does everywhere, cleaned.
    #[test]
    fn errors_without_a_hint_read_as_their_message() {
        let keys = Keymap::default();
        assert_eq!(
            error_text(&Error::BuildServer, &keys),
            Error::BuildServer.to_string()
        );
        assert_eq!(
            error_text(&Error::Invalid("bad\u{1b}[2J".into()), &keys),
            "bad\u{fffd}[2J"
        );
    }
}
