//! Every key of `#[supervised]`, `#[supervisor]` and `#[child]` at once, in
//! a crate that denies every warning.

#![deny(warnings, missing_docs, missing_debug_implementations)]

use supervisor::prelude::*;

/// The API.
#[supervised(
    id = "api",
    role = "service",
    restart = "transient",
    backoff(initial = "50ms", max = "5s", multiplier = 2.0, jitter = 0.2, reset_after = "10s"),
    restart_limit(max = 10, within = "60s"),
    shutdown = "5s",
    timeout = "1h",
    ready_timeout = "10s",
    heartbeat = "10s",
    severity = "critical",
    significant = true,
    crate = "::supervisor"
)]
pub async fn api(ctx: ChildContext) -> Result<(), std::io::Error> {
    ctx.ready();
    ctx.cancelled().await;
    Ok(())
}

/// Metrics of the API.
#[supervised(role = "sidecar", primary = api, backoff = "none", shutdown = "brutal")]
pub async fn metrics(ctx: ChildContext) {
    ctx.cancelled().await
}

/// A report, every five minutes.
#[supervised(role = "job", every = "5m")]
pub async fn report() {}

/// The application.
#[derive(Debug, Supervisor)]
#[supervisor(
    id = "app",
    strategy = "rest_for_one",
    restart_limit(max = 5, within = "30s"),
    auto_shutdown = "any_significant",
    crate = "::supervisor"
)]
pub struct App {
    api: api,
    #[child(
        id = "metrics",
        restart = "permanent",
        backoff(initial = "1s"),
        restart_limit(max = 2, within = "1m"),
        shutdown = "infinity",
        timeout = "1h",
        ready_timeout = "1s",
        heartbeat = "1s",
        severity = "optional",
        significant = false
    )]
    metrics: metrics,
    #[child(every = "10m")]
    report: report,
}

fn main() {
    App::spec().validate().unwrap();
}
