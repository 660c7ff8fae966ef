//! File paths on the command line are the caller's: a relative one is made absolute against
//! the caller's working directory before anything else reads it. A command forwarded to the
//! destui holding the data directory (DESIGN.md §10) runs in that process, whose working
//! directory is another; and an identity file is stored on the server's record, read later
//! from wherever destui then runs.

use std::path::Path;

/// Flags whose value is a file path: (flag, whether the value may be left out).
const PATH_FLAGS: [(&str, bool); 3] = [
    ("--identity", false),
    ("--ssh-config", true),
    ("--docker-config", false),
];

/// `argv` with the values of its path flags made absolute against `cwd`. A flag whose value
/// may be left out (`--ssh-config [FILE]`) takes the next word only when it names a file
/// there, as clap would otherwise read a subcommand.
pub fn absolute_paths(argv: Vec<String>, cwd: &Path) -> Vec<String> {
    let mut out = Vec::with_capacity(argv.len());
    let mut i = 0;
    while let Some(arg) = argv.get(i) {
        // Everything after `--` is a value, never a flag.
        if arg == "--" {
            out.extend(argv[i..].iter().cloned());
            break;
        }
        let flag = PATH_FLAGS
            .iter()
            .find(|(f, _)| arg == f || arg.strip_prefix(f).is_some_and(|r| r.starts_with('=')));
        match flag {
            Some((f, _)) if arg.len() > f.len() => {
                out.push(format!("{f}={}", absolute(&arg[f.len() + 1..], cwd)));
            }
            Some((_, optional)) => {
                out.push(arg.clone());
                if let Some(value) = argv.get(i + 1)
                    && !value.starts_with('-')
                    && (!optional || cwd.join(value).is_file())
                {
                    out.push(absolute(value, cwd));
                    i += 1;
                }
            }
            None => out.push(arg.clone()),
        }
        i += 1;
    }
    out
}

/// `argv` with what the caller's environment says and the command needs made explicit, also
/// when the command runs in the destui holding the data directory, whose environment is
/// another: `server import --docker-contexts` reads the caller's `$DOCKER_CONFIG` (else
/// ~/.docker), and `server import` from the ssh config reads the caller's config in use
/// (`--ssh-config FILE`, else `DESTUI_SSH_CONFIG`; a bare `--ssh-config` means that one too).
pub fn with_callers_environment(
    mut argv: Vec<String>,
    cli: &super::Cli,
    cwd: &Path,
) -> Vec<String> {
    use super::{Command, servers::ServerCommand};
    if let Some(Command::Server(ServerCommand::Import(i))) = &cli.command
        && !i.docker_contexts
        && let Some(file) = ssh_config_in_use(cli, &argv, std::env::var("DESTUI_SSH_CONFIG").ok())
    {
        argv = without_ssh_config(argv);
        argv.push(format!("--ssh-config={}", absolute(&file, cwd)));
    }
    if let Some(Command::Server(ServerCommand::Import(i))) = &cli.command
        && i.docker_contexts
        && i.docker_config.is_none()
        && let Some(dir) = crate::remote::docker_contexts::store_dir()
    {
        let dir = absolute(&dir.display().to_string(), cwd);
        argv.push(format!("--docker-config={dir}"));
    }
    argv
}

/// The ssh config file in use: the one `--ssh-config FILE` names (or `DESTUI_SSH_CONFIG`, as
/// clap read it); for a bare `--ssh-config` (which clap reads last: `destui --ssh-config FILE
/// server import --ssh-config`), the FILE `argv` names before it, else the one `env` names;
/// none for ssh's default.
fn ssh_config_in_use(cli: &super::Cli, argv: &[String], env: Option<String>) -> Option<String> {
    match cli.ssh_config.as_ref().map(|f| f.display().to_string()) {
        Some(file) if !file.is_empty() => Some(file),
        Some(_) => named_ssh_config(argv).or(env.filter(|f| !f.is_empty())),
        None => None,
    }
}

/// The last FILE an `--ssh-config` of `argv` names (as `absolute_paths` left it).
fn named_ssh_config(argv: &[String]) -> Option<String> {
    let mut named = None;
    let mut words = argv.iter().take_while(|w| *w != "--").peekable();
    while let Some(word) = words.next() {
        if let Some(file) = word.strip_prefix("--ssh-config=").filter(|f| !f.is_empty()) {
            named = Some(file.to_string());
        } else if word == "--ssh-config"
            && let Some(file) =
                words.next_if(|next| !next.starts_with('-') && Path::new(next).is_file())
        {
            named = Some(file.clone());
        }
    }
    named
}

/// `argv` without its `--ssh-config [FILE]` (as `absolute_paths` left it: a FILE is a file).
fn without_ssh_config(argv: Vec<String>) -> Vec<String> {
    let mut out = Vec::with_capacity(argv.len());
    let mut words = argv.into_iter().peekable();
    while let Some(word) = words.next() {
        if word == "--" {
            out.push(word);
            out.extend(words);
            break;
        }
        if word == "--ssh-config" {
            words.next_if(|next| !next.starts_with('-') && Path::new(next).is_file());
        } else if !word.starts_with("--ssh-config=") {
            out.push(word);
        }
    }
    out
}

/// `value` joined to `cwd` when it is a relative path (empty stays empty: it means "the
/// default file" for `--ssh-config`).
fn absolute(value: &str, cwd: &Path) -> String {
    if value.is_empty() || Path::new(value).is_absolute() || value.starts_with('~') {
        value.to_string()
    } else {
        cwd.join(value).display().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_server_import_names_the_callers_ssh_config_in_use() {
        use clap::Parser;
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("cfg");
        std::fs::write(&file, "Host x\n").expect("write");
        let file = file.display().to_string();
        let line = |l: &str| argv(&l.replace("FILE", &file));
        let env = || Some("/etc/env_config".to_string());
        let in_use = |l: &str, env: Option<String>| {
            let words = line(l);
            ssh_config_in_use(&crate::cli::Cli::parse_from(&words), &words, env)
        };
        // Named on the line: that one, whatever the environment says.
        for named in [
            "destui --ssh-config FILE server import",
            "destui server import --ssh-config=FILE --match a*",
            // Given to destui, then bare on the import (clap keeps the last, the bare one).
            "destui --ssh-config FILE server import --ssh-config",
        ] {
            assert_eq!(in_use(named, env()), Some(file.clone()), "{named}");
        }
        // Bare: DESTUI_SSH_CONFIG, else ssh's default.
        let bare = "destui server import --ssh-config";
        assert_eq!(in_use(bare, env()).as_deref(), Some("/etc/env_config"));
        assert_eq!(in_use(bare, None), None);
        assert_eq!(in_use(bare, Some(String::new())), None);
        // The flag, with or without its file, leaves the line (the file in use is put back).
        assert_eq!(
            without_ssh_config(line("destui --ssh-config FILE server import --match a*")),
            argv("destui server import --match a*")
        );
        assert_eq!(
            without_ssh_config(line("destui server import --ssh-config --json")),
            argv("destui server import --json")
        );
    }

    fn argv(line: &str) -> Vec<String> {
        line.split(' ').map(String::from).collect()
    }

    #[test]
    fn relative_path_values_become_absolute_and_nothing_else_moves() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cwd = dir.path();
        std::fs::write(cwd.join("my_config"), "Host x\n").expect("write");
        let abs = |p: &str| cwd.join(p).display().to_string();
        let got = absolute_paths(
            argv("destui server add web --host h --identity keys/deploy --json"),
            cwd,
        );
        assert_eq!(
            got,
            argv(&format!(
                "destui server add web --host h --identity {} --json",
                abs("keys/deploy")
            ))
        );
        let got = absolute_paths(argv("destui server edit web --identity=./k"), cwd);
        assert_eq!(got[4], format!("--identity={}", abs("./k")));
        // An absolute path and a home path stay as they are.
        let got = absolute_paths(argv("destui server edit web --identity /etc/k"), cwd);
        assert_eq!(got[5], "/etc/k");
        let got = absolute_paths(argv("destui server edit web --identity ~/.ssh/k"), cwd);
        assert_eq!(got[5], "~/.ssh/k");
        // `--ssh-config` takes the next word only when it is a file there.
        let got = absolute_paths(argv("destui server import --ssh-config my_config"), cwd);
        assert_eq!(got[4], abs("my_config"));
        let got = absolute_paths(argv("destui --ssh-config server list"), cwd);
        assert_eq!(got, argv("destui --ssh-config server list"));
        let got = absolute_paths(argv("destui server import --ssh-config --match web-*"), cwd);
        assert_eq!(got, argv("destui server import --ssh-config --match web-*"));
        // Two path flags in one line, and everything after `--` untouched.
        let got = absolute_paths(
            argv("destui --ssh-config=my_config server add w --identity k -- --identity k"),
            cwd,
        );
        assert_eq!(
            got,
            argv(&format!(
                "destui --ssh-config={} server add w --identity {} -- --identity k",
                abs("my_config"),
                abs("k")
            ))
        );
    }
}
