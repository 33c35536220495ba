//! A service tuned from a config file, as it runs under systemd or
//! Kubernetes: events as JSON lines on stdout, the exit code on the way out.
//!
//! ```sh
//! cargo run --example configured                       # ctrl-c: exit code 0
//! SUPERVISOR_CONFIG=examples/configured.toml cargo run --example configured
//! kill -HUP <pid>                                      # re-reads the file
//! FAIL_WORKER=1 cargo run --example configured         # the tree gives up: 1
//! SUPERVISOR_CONFIG=typo.toml cargo run --example configured   # bad config: 78
//! ```

use std::time::Duration;

use supervisor::prelude::*;

/// Serves until asked to stop.
#[supervised(role = "service", shutdown = "5s")]
async fn api(ctx: ChildContext) -> Result<(), std::io::Error> {
    ctx.ready();
    ctx.cancelled().await;
    Ok(())
}

/// Works through its queue; with `FAIL_WORKER` set it fails at once, every
/// time, and the tree gives up.
#[supervised(role = "worker")]
async fn worker(ctx: ChildContext) -> Result<(), std::io::Error> {
    if std::env::var_os("FAIL_WORKER").is_some() {
        return Err(std::io::Error::other("queue unreachable"));
    }
    loop {
        tokio::select! {
            _ = ctx.cancelled() => return Ok(()),
            _ = tokio::time::sleep(Duration::from_secs(1)) => tracing::debug!("batch done"),
        }
    }
}

#[derive(Supervisor)]
#[supervisor(strategy = "one_for_one")]
struct App {
    api: api,
    worker: worker,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    // `SUPERVISOR_CONFIG` names the overlay; without it the declared tree
    // runs as written.
    Runner::tree::<App>()
        .on_event(|event| match serde_json::to_string(event) {
            Ok(line) => println!("{line}"),
            Err(error) => eprintln!("event not printed: {error}"),
        })
        .run()
        .await
}
