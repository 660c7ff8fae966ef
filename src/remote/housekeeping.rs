//! What a process does for the connections of all servers at once: the open-file limit it
//! needs, and the files that masters which expired (or were killed) left behind.

use super::ssh::ConnectLock;
use std::os::unix::net::UnixStream;
use std::path::Path;

/// Open files a server can hold in this process: its pooled Docker connections (bollard keeps
/// a few to the forwarded socket) and a control connection while it connects. The ssh master
/// is a process of its own and costs this process nothing once launched.
pub const FILES_PER_SERVER: u64 = 4;
/// The terminal, the store, the log, the runtime and a margin.
const FILES_RESERVED: u64 = 64;

/// The open-file limits (soft, hard) in force.
#[allow(unsafe_code)] // a libc call: see the SAFETY note at its block
fn open_file_limits() -> Option<libc::rlimit> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit only writes the struct passed to it.
    (unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } == 0).then_some(limit)
}

/// Raises the soft open-file limit to the hard one (a process may, without privileges),
/// once at start.
#[allow(unsafe_code)] // a libc call: see the SAFETY note at its block
pub fn raise_open_file_limit() {
    let Some(limit) = open_file_limits() else {
        return;
    };
    if limit.rlim_cur < limit.rlim_max {
        let raised = libc::rlimit {
            rlim_cur: limit.rlim_max,
            rlim_max: limit.rlim_max,
        };
        // SAFETY: setrlimit only reads the struct passed to it.
        unsafe {
            libc::setrlimit(libc::RLIMIT_NOFILE, &raised);
        }
    }
}

/// The warning to give when `servers` connections cannot fit under the open-file limit in
/// force (raised to the hard one at start), or `None`.
pub fn open_file_warning(servers: usize) -> Option<String> {
    too_many_for(servers, open_file_limits()?.rlim_cur)
}

fn too_many_for(servers: usize, limit: u64) -> Option<String> {
    let needed = servers as u64 * FILES_PER_SERVER + FILES_RESERVED;
    (needed > limit).then(|| {
        format!(
            "{servers} servers need about {needed} open files, but this process may open only {limit} (the hard limit): raise it (`ulimit -Hn {needed}` as root, or LimitNOFILE= for a service), or some servers will fail to connect"
        )
    })
}

/// Removes what expired or killed masters left in `runtime_dir`: a server's connection
/// directories whose master is gone, and its forwarded socket when no master of it is alive.
/// A server whose master another process is starting (its connect lock is held) is left
/// alone. Blocking but quick (local connects and flocks); nothing remote is touched.
pub fn sweep_stale(runtime_dir: &Path) {
    let Ok(entries) = std::fs::read_dir(runtime_dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            let Some(_lock) = ConnectLock::try_acquire(&path) else {
                continue;
            };
            if !sweep_server_dir(&path) {
                let _ = std::fs::remove_file(path.with_extension("sock"));
                let _ = std::fs::remove_file(path.with_extension("api"));
            }
        } else if path.extension().is_some_and(|e| e == "sock")
            && !path.with_extension("").is_dir()
            && refuses(&path)
        {
            let _ = std::fs::remove_file(&path);
        }
    }
}

/// Cleans one server's connection directories (its connect lock held, so none is starting);
/// true when one of its masters is alive.
fn sweep_server_dir(dir: &Path) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    let mut alive = false;
    for entry in entries.flatten() {
        if !entry.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        let conn = entry.path();
        let ctl = conn.join("master");
        // ssh removes its control socket when it exits: none, or one that refuses, is dead.
        if ctl.exists() && !refuses(&ctl) {
            alive = true;
        } else {
            let _ = std::fs::remove_dir_all(&conn);
        }
    }
    alive
}

/// Nothing listens on the socket any more (its process exited): connection refused.
fn refuses(socket: &Path) -> bool {
    matches!(
        UnixStream::connect(socket),
        Err(e) if matches!(e.kind(), std::io::ErrorKind::ConnectionRefused | std::io::ErrorKind::NotFound)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::net::UnixListener;

    #[test]
    fn the_open_file_warning_names_the_need_and_the_fix() {
        assert_eq!(too_many_for(200, 1_048_576), None);
        let text = too_many_for(200, 256).expect("too few");
        assert!(
            text.contains("200 servers need about 864 open files"),
            "{text}"
        );
        assert!(text.contains("ulimit -Hn 864"), "{text}");
    }

    #[test]
    fn stale_sockets_and_dead_masters_are_swept_live_ones_kept() {
        let dir = tempfile::tempdir().unwrap();
        let rt = dir.path();
        // A server whose master is alive: its listener stands in for ssh's control socket.
        let live = rt.join("aaaaaaaaaaaa");
        std::fs::create_dir_all(live.join(".ssh-connection1")).unwrap();
        let _master = UnixListener::bind(live.join(".ssh-connection1/master")).unwrap();
        std::fs::write(rt.join("aaaaaaaaaaaa.sock"), "").unwrap();
        // A server whose master exited: its control socket and forward refuse connections.
        let dead = rt.join("bbbbbbbbbbbb");
        std::fs::create_dir_all(dead.join(".ssh-connection2")).unwrap();
        drop(UnixListener::bind(dead.join(".ssh-connection2/master")).unwrap());
        drop(UnixListener::bind(rt.join("bbbbbbbbbbbb.sock")).unwrap());
        // A master still starting in another process: no control socket yet, its lock held.
        let starting = rt.join("cccccccccccc");
        std::fs::create_dir_all(starting.join(".ssh-connection3")).unwrap();
        std::fs::write(starting.join(ConnectLock::FILE), "").unwrap();
        let held = ConnectLock::try_acquire(&starting).expect("lock");
        // A master that exited: ssh removed its control socket, the directory stays.
        let expired = rt.join("dddddddddddd");
        std::fs::create_dir_all(expired.join(".ssh-connection4")).unwrap();
        drop(UnixListener::bind(rt.join("dddddddddddd.sock")).unwrap());

        sweep_stale(rt);

        assert!(live.join(".ssh-connection1/master").exists());
        assert!(
            rt.join("aaaaaaaaaaaa.sock").exists(),
            "a live master's forward stays"
        );
        assert!(
            !dead.join(".ssh-connection2").exists(),
            "a dead master's directory goes"
        );
        assert!(!rt.join("bbbbbbbbbbbb.sock").exists(), "and its forward");
        assert!(
            starting.join(".ssh-connection3").exists(),
            "a starting one stays"
        );
        assert!(
            !expired.join(".ssh-connection4").exists(),
            "an expired one goes"
        );
        assert!(!rt.join("dddddddddddd.sock").exists());
        drop(held);
    }
}
