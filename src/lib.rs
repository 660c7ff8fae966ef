//! destui: manage Docker destinations (networks with the reverse proxy attached) on servers
//! over SSH, from a terminal UI or the command line.

pub mod cli;
pub mod config;
pub mod domain;
pub mod live;
pub mod ops;
pub mod owner;
pub mod remote;
pub mod store;
pub mod tasks;
pub mod text;
pub mod tui;
