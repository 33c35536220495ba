//! The admin server over a small tree: probes, snapshot, events, the live
//! page and control routes.
//!
//! ```sh
//! SUPERVISOR_ADMIN_ADDR=127.0.0.1:9090 SUPERVISOR_ADMIN_TOKEN=s3cret \
//!     cargo run --example admin --features http
//! # then open http://127.0.0.1:9090/ and, from another shell:
//! curl -s 127.0.0.1:9090/readyz
//! curl -s -X POST -H 'Authorization: Bearer s3cret' 127.0.0.1:9090/children/shop/ingest/parser/restart
//! ```
//!
//! Without `SUPERVISOR_ADMIN_ADDR` it listens on `127.0.0.1:9090`; an
//! address that is not one exits with code 78.

use std::{
    sync::atomic::{AtomicU32, Ordering},
    time::Duration,
};

use supervisor::{admin::AdminConfig, prelude::*};

/// Serves until asked to stop.
#[supervised(role = "service", shutdown = "5s", ready_timeout = "10s")]
async fn api(ctx: ChildContext) -> Result<(), std::io::Error> {
    ctx.ready();
    ctx.cancelled().await;
    Ok(())
}

/// Reads a feed; idles here.
#[supervised(role = "worker")]
async fn reader(ctx: ChildContext) -> Result<(), std::io::Error> {
    ctx.cancelled().await;
    Ok(())
}

/// Parses what the reader reads. Its first two runs meet a malformed
/// record after a second, then one run in a minute does: each time it
/// fails, and its supervisor restarts it.
#[supervised(role = "worker", restart_limit(max = 10, within = "60s"))]
async fn parser(ctx: ChildContext) -> Result<(), String> {
    static RUNS: AtomicU32 = AtomicU32::new(0);
    let run = RUNS.fetch_add(1, Ordering::Relaxed);
    let healthy_for = Duration::from_secs(if run < 2 { 1 } else { 60 });
    tokio::select! {
        _ = ctx.cancelled() => Ok(()),
        _ = tokio::time::sleep(healthy_for) => Err(format!("malformed record at offset {}", 4096 * (run + 1))),
    }
}

#[derive(Supervisor)]
#[supervisor(id = "ingest")]
struct Ingest {
    reader: reader,
    parser: parser,
}

#[derive(Supervisor)]
#[supervisor(id = "shop", strategy = "one_for_one")]
struct Shop {
    api: api,
    ingest: Ingest,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let runner = Runner::tree::<Shop>();
    // `SUPERVISOR_ADMIN_ADDR` (and `SUPERVISOR_ADMIN_TOKEN`) configure the
    // server under `run*`; without them this example picks loopback:9090.
    match std::env::var_os(supervisor::admin::ADMIN_ADDR_ENV) {
        Some(_) => runner.run().await,
        None => runner.admin(AdminConfig::loopback(9090)).run().await,
    }
}
