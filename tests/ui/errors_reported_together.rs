use supervisor::prelude::*;

#[supervised(rol = "service", timeout = "soon", role = "job", restart = "permanent", heartbeat = "1s")]
fn migrate(_port: u16, _verbose: bool) {}

fn main() {}
