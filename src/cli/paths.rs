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

/// `argv` with what the caller's environment says and the command needs made explicit:
/// `server import --docker-contexts` reads the caller's `$DOCKER_CONFIG` (else ~/.docker),
/// also when the command runs in the destui holding the data directory, whose environment is
/// another.
pub fn with_callers_environment(
    mut argv: Vec<String>,
    cli: &super::Cli,
    cwd: &Path,
) -> Vec<String> {
    use super::{Command, servers::ServerCommand};
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
