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

use std::time::Duration;

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

/// Parses what the reader reads; a malformed record now and then makes it
/// fail, and its supervisor restarts it.
#[supervised(role = "worker", restart_limit(max = 10, within = "60s"))]
async fn parser(ctx: ChildContext) -> Result<(), String> {
    tokio::select! {
        _ = ctx.cancelled() => Ok(()),
        _ = tokio::time::sleep(Duration::from_secs(20)) => Err("malformed record at offset 4096".into()),
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
