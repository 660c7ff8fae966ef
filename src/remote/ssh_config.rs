//! The Host aliases of the admin's ssh config (DESIGN.md §16): what `server import
//! --ssh-config` adds and what Tab completes in the TUI's server forms. Read as ssh reads it:
//! keywords in any case, `Keyword value` or `Keyword=value`, quoted arguments, `#` comments,
//! and `Include` followed (globs, `~`, paths relative to ~/.ssh) up to ssh's own depth limit.
//! Only concrete aliases count: patterns (`*`, `?`) and negations (`!host`) name no host.

use std::path::{Path, PathBuf};

/// ssh refuses deeper nesting of `Include` (readconf.c: READCONF_MAX_DEPTH).
const MAX_DEPTH: usize = 16;

/// The file ssh reads when none is given: `~/.ssh/config`.
pub fn default_path() -> Option<PathBuf> {
    home().map(|h| h.join(".ssh").join("config"))
}

fn home() -> Option<PathBuf> {
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
}

/// The concrete Host aliases of `file` and of what it includes, in the order ssh reads them,
/// each once. A file that cannot be read has none (ssh itself ignores a missing Include).
pub fn host_aliases(file: &Path) -> Vec<String> {
    let mut aliases = Vec::new();
    read(file, 0, &mut aliases);
    aliases
}

fn read(file: &Path, depth: usize, aliases: &mut Vec<String>) {
    if depth > MAX_DEPTH {
        return;
    }
    let Ok(text) = std::fs::read_to_string(file) else {
        return;
    };
    for line in text.lines() {
        let Some((keyword, args)) = directive(line) else {
            continue;
        };
        match keyword.to_ascii_lowercase().as_str() {
            "host" => {
                for alias in args.into_iter().filter(|a| is_concrete(a)) {
                    if !aliases.contains(&alias) {
                        aliases.push(alias);
                    }
                }
            }
            "include" => {
                for pattern in args {
                    for included in expand_include(&pattern) {
                        read(&included, depth + 1, aliases);
                    }
                }
            }
            _ => {}
        }
    }
}

/// A line's keyword and its arguments (quotes removed), or `None` for a blank or comment line.
pub fn directive(line: &str) -> Option<(String, Vec<String>)> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return None;
    }
    // The keyword ends at whitespace or at one `=` (`Host=a b`, `Host = a`).
    let end = line
        .find(|c: char| c.is_whitespace() || c == '=')
        .unwrap_or(line.len());
    let (keyword, rest) = line.split_at(end);
    let rest = rest.trim_start();
    let rest = rest.strip_prefix('=').unwrap_or(rest);
    Some((keyword.to_string(), split_args(rest)))
}

/// Arguments split at whitespace, `"…"` kept together, up to a `#` that starts an argument.
fn split_args(text: &str) -> Vec<String> {
    let mut args = Vec::new();
    let mut chars = text.chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        match chars.peek() {
            None | Some('#') => return args,
            Some('"') => {
                chars.next();
                args.push(chars.by_ref().take_while(|&c| c != '"').collect());
            }
            Some(_) => {
                let mut arg = String::new();
                while let Some(c) = chars.next_if(|c| !c.is_whitespace()) {
                    arg.push(c);
                }
                args.push(arg);
            }
        }
    }
}

/// A Host argument that names one host: no wildcard, no negation, nothing empty.
pub fn is_concrete(alias: &str) -> bool {
    !alias.is_empty() && !alias.starts_with('!') && !alias.contains(['*', '?'])
}

/// The files an `Include` argument names: `~` expanded, relative paths under ~/.ssh (the
/// admin's own config: ssh's rule for user files), globs expanded in sorted order as ssh does.
fn expand_include(pattern: &str) -> Vec<PathBuf> {
    let path = match pattern.strip_prefix("~/") {
        Some(rest) => match home() {
            Some(h) => h.join(rest),
            None => return Vec::new(),
        },
        None => PathBuf::from(pattern),
    };
    let path = if path.is_absolute() {
        path
    } else {
        match home() {
            Some(h) => h.join(".ssh").join(path),
            None => return Vec::new(),
        }
    };
    glob(&path)
}

/// The existing paths `pattern` matches (`*` and `?` in any component), sorted.
fn glob(pattern: &Path) -> Vec<PathBuf> {
    let mut found = vec![PathBuf::from("/")];
    for part in pattern.components().skip(1) {
        let part = part.as_os_str().to_string_lossy();
        if !part.contains(['*', '?']) {
            found = found.into_iter().map(|p| p.join(part.as_ref())).collect();
            continue;
        }
        let mut next = Vec::new();
        for dir in found {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            let mut names: Vec<String> = entries
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                // As the shell does: a leading dot is matched only by a leading dot.
                .filter(|n| !n.starts_with('.') || part.starts_with('.'))
                .filter(|n| wildcard(&part, n))
                .collect();
            names.sort();
            next.extend(names.into_iter().map(|n| dir.join(n)));
        }
        found = next;
    }
    found.into_iter().filter(|p| p.is_file()).collect()
}

/// Whether `text` matches `pattern`, where `*` is any run of characters and `?` any one
/// (ssh's and the shell's wildcards), case as given.
pub fn wildcard(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    // The classic greedy match with one backtrack point: linear in practice.
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some('*') => {
                star = Some((pi, ti));
                pi += 1;
            }
            Some(&c) if c == '?' || c == t[ti] => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directives_are_read_as_ssh_reads_them() {
        assert_eq!(directive("  # a comment"), None);
        assert_eq!(directive("   "), None);
        assert_eq!(
            directive("Host a b   c # trailing"),
            Some(("Host".into(), vec!["a".into(), "b".into(), "c".into()]))
        );
        assert_eq!(
            directive("HOST=web"),
            Some(("HOST".into(), vec!["web".into()]))
        );
        assert_eq!(
            directive("host = \"my box\" other"),
            Some(("host".into(), vec!["my box".into(), "other".into()]))
        );
    }

    #[test]
    fn patterns_and_negations_name_no_host() {
        for concrete in ["prod", "web-1.example.com", "10.0.0.5"] {
            assert!(is_concrete(concrete), "{concrete}");
        }
        for pattern in ["*", "*.example.com", "web-?", "!bastion", ""] {
            assert!(!is_concrete(pattern), "{pattern}");
        }
    }

    #[test]
    fn wildcards_match_as_in_ssh_and_the_shell() {
        assert!(wildcard("prod-*", "prod-web"));
        assert!(wildcard("prod-*", "prod-"));
        assert!(!wildcard("prod-*", "staging"));
        assert!(wildcard("web-?", "web-1"));
        assert!(!wildcard("web-?", "web-10"));
        assert!(wildcard("*db*", "prod-db-2"));
        assert!(wildcard("*", ""));
        assert!(wildcard("a*b*c", "a-x-b-y-c"));
        assert!(!wildcard("a*b*c", "a-x-b-y"));
        assert!(wildcard("*.conf", "10-work.conf"));
    }

    #[test]
    fn aliases_come_from_the_file_and_what_it_includes() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir(d.join("config.d")).unwrap();
        std::fs::write(
            d.join("config.d/10-work.conf"),
            "Host work-1 work-2\n  HostName 10.0.0.1\n",
        )
        .unwrap();
        std::fs::write(d.join("config.d/20-home.conf"), "Host nas\n").unwrap();
        std::fs::write(d.join("config.d/notes.txt"), "Host not-included\n").unwrap();
        // A loop of includes ends at ssh's depth limit, each alias once.
        std::fs::write(
            d.join("loop.conf"),
            format!("Host looped\nInclude {}\n", d.join("loop.conf").display()),
        )
        .unwrap();
        let main = d.join("config");
        std::fs::write(
            &main,
            format!(
                "# mine\nHost prod staging\n  User root\n\nHost *.example.com !bad web-?\n  Port 2222\n\
                 Match host foo\n  User x\nInclude {}/config.d/*.conf {}/loop.conf\n\
                 Include {}/missing\nHost *\n  ServerAliveInterval 30\nHost prod\n",
                d.display(),
                d.display(),
                d.display()
            ),
        )
        .unwrap();
        assert_eq!(
            host_aliases(&main),
            vec!["prod", "staging", "work-1", "work-2", "nas", "looped"]
        );
        assert!(host_aliases(&d.join("absent")).is_empty());
    }
}
