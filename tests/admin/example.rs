//! `examples/admin.rs` as a real process, its admin address read from the
//! line the runner prints on stderr.

#![allow(dead_code, unreachable_pub)]

use std::net::SocketAddr;

use super::process::{Process, Watch};

/// Starts the example with `env`.
pub fn start(env: &[(&str, &str)]) -> Process {
    Process::start("admin", &["http"], env, Watch::Stderr)
}

/// The admin server's address, from the runner's line on stderr.
pub fn admin_addr(app: &mut Process) -> SocketAddr {
    let line = app.wait_for_line("admin server on http://");
    let start = line.find("http://").unwrap() + "http://".len();
    line[start..].trim_end_matches('/').parse().unwrap()
}
