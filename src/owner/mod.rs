//! The data directory's owner socket (DESIGN.md §10). sled lets one process hold the store;
//! that process (TUI or CLI) listens on `<data dir>/destui.sock` and runs the commands of every
//! other destui on the same data directory, streaming back their output and exit code, so that
//! scripts work beside an open TUI and in parallel.
//!
//! `serve` is the holder's side, `forward` the other process's; `protocol` is what they say.

mod forward;
mod protocol;
mod serve;

use std::path::{Path, PathBuf};

pub use forward::{Forwarded, forward, holder};
pub use protocol::Role;
pub use serve::{FORWARDED_IDS, Owner, Served, serve};

/// The socket of the destui that holds `data_dir`.
pub fn socket_path(data_dir: &Path) -> PathBuf {
    data_dir.join("destui.sock")
}
