//! The runtime directory (forwarded Docker sockets, ssh control sockets) is ours alone: each
//! socket in it is root-equivalent access to a Docker daemon (DESIGN.md §5). Another local
//! user who made it first (world-writable, theirs, or a symlink to theirs) could swap a socket
//! for a fake Docker, so such a directory is refused, never used.

use crate::domain::Error;
use std::ffi::CString;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::DirBuilderExt;
use std::path::Path;

/// Which of destui's directories: named in the refusal.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// `DESTUI_RUNTIME_DIR`, `$XDG_RUNTIME_DIR/destui` or `/tmp/destui-<uid>`.
    Runtime,
    /// A server's directory of ssh control sockets, inside the runtime directory.
    Control,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Runtime => "runtime directory",
            Kind::Control => "control directory",
        }
    }
}

/// Makes `dir` (mode 0700) when it is absent, then checks the directory itself: opened
/// without following a symlink, its own metadata (of the open descriptor, so what is checked
/// is what was opened) must say it is this user's and closed to everyone else.
#[allow(unsafe_code)] // a libc call: see the SAFETY note at its block
pub fn ensure_private(dir: &Path, kind: Kind) -> Result<(), Error> {
    let refuse = |problem: String| Error::RuntimeDirNotPrivate {
        what: kind.name(),
        dir: dir.display().to_string(),
        problem,
    };
    let cannot = |e: io::Error| {
        Error::Io(format!(
            "cannot use the {} {}: {e}",
            kind.name(),
            dir.display()
        ))
    };
    if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(parent)
            .map_err(cannot)?;
    }
    match std::fs::DirBuilder::new().mode(0o700).create(dir) {
        Err(e) if e.kind() != io::ErrorKind::AlreadyExists => return Err(cannot(e)),
        _ => {}
    }
    let fd = match open_nofollow(dir) {
        Ok(fd) => fd,
        // A symlink fails with ELOOP, or with ENOTDIR (O_DIRECTORY is checked first on
        // Linux); which one it was only chooses the words.
        Err(e) if matches!(e.raw_os_error(), Some(libc::ELOOP | libc::ENOTDIR)) => {
            let link = std::fs::symlink_metadata(dir).is_ok_and(|m| m.file_type().is_symlink());
            let problem = if link {
                "is a symbolic link"
            } else {
                "is not a directory"
            };
            return Err(refuse(problem.into()));
        }
        Err(e) => return Err(cannot(e)),
    };
    let meta = fstat(&fd).map_err(cannot)?;
    // SAFETY: geteuid has no preconditions and cannot fail.
    let me = unsafe { libc::geteuid() };
    if meta.st_uid != me {
        return Err(refuse(format!(
            "is owned by user {}, not you (user {me})",
            meta.st_uid
        )));
    }
    let mode = meta.st_mode & 0o7777;
    if mode & 0o077 != 0 {
        return Err(refuse(format!(
            "can be used by other users (mode {mode:04o})"
        )));
    }
    Ok(())
}

/// The directory `dir` itself, opened read-only: a symlink or a file fails (ELOOP or ENOTDIR).
#[allow(unsafe_code)] // a libc call: see the SAFETY note at its block
fn open_nofollow(dir: &Path) -> io::Result<OwnedFd> {
    let path = CString::new(dir.as_os_str().as_bytes())
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "a NUL byte in the path"))?;
    let flags = libc::O_RDONLY | libc::O_DIRECTORY | libc::O_NOFOLLOW | libc::O_CLOEXEC;
    // SAFETY: `path` is a valid NUL-terminated string that outlives the call.
    let fd = unsafe { libc::open(path.as_ptr(), flags) };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `fd` was just opened by this process and is owned by nothing else.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

#[allow(unsafe_code)] // a libc call: see the SAFETY note at its block
fn fstat(fd: &OwnedFd) -> io::Result<libc::stat> {
    // SAFETY: an all-zero `stat` is a valid value of this plain C struct.
    let mut meta: libc::stat = unsafe { std::mem::zeroed() };
    // SAFETY: the descriptor is open for the call; fstat only writes the struct passed to it.
    if unsafe { libc::fstat(fd.as_raw_fd(), &mut meta) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(meta)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn an_absent_directory_is_made_private_and_an_open_one_refused() {
        let top = tempfile::tempdir().unwrap();
        let dir = top.path().join("rt");
        ensure_private(&dir, Kind::Runtime).unwrap();
        let mode = std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700);
        ensure_private(&dir, Kind::Runtime).unwrap();

        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).unwrap();
        let e = ensure_private(&dir, Kind::Runtime).unwrap_err().to_string();
        assert!(e.contains("can be used by other users (mode 0777)"), "{e}");

        let link = top.path().join("link");
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
        std::os::unix::fs::symlink(&dir, &link).unwrap();
        let e = ensure_private(&link, Kind::Control)
            .unwrap_err()
            .to_string();
        assert!(e.contains("control directory"), "{e}");
        assert!(e.contains("is a symbolic link"), "{e}");
    }
}
