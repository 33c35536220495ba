//! A realistic tree declared with the macros: a migration job, an API
//! service with a metrics sidecar, and a nested pool of workers.
//!
//! Run it with `cargo run --example tree`. It prints the policy every child
//! runs under, with where each value came from, then runs the tree for five
//! seconds (or until ctrl-c), printing what happens, and shuts it down.

mod narrate;

use std::{
    process::ExitCode,
    sync::atomic::{AtomicU64, Ordering},
    time::Duration,
};

use supervisor::prelude::*;

/// Requests the API has served, read by the metrics sidecar.
static SERVED: AtomicU64 = AtomicU64::new(0);
/// Jobs the workers have processed.
static PROCESSED: AtomicU64 = AtomicU64::new(0);

/// Brings the schema up to date, once, before anything else starts.
#[supervised(role = "job", timeout = "5m", restart_limit(max = 3, within = "10m"))]
async fn migrate() -> Result<(), std::io::Error> {
    for step in ["create tables", "add indexes", "backfill"] {
        tokio::time::sleep(Duration::from_millis(100)).await;
        println!("migrate: {step}");
    }
    Ok(())
}

/// Serves requests; ready once it accepts them, alive while it beats.
#[supervised(
    role = "service",
    shutdown = "5s",
    ready_timeout = "10s",
    heartbeat = "2s"
)]
async fn api(ctx: ChildContext) -> Result<(), std::io::Error> {
    let mut requests = tokio::time::interval(Duration::from_millis(250));
    ctx.ready();
    loop {
        tokio::select! {
            _ = ctx.cancelled() => return Ok(()),
            _ = requests.tick() => {
                SERVED.fetch_add(1, Ordering::Relaxed);
                ctx.heartbeat();
            }
        }
    }
}

/// Pushes the API's counters; restarted with the API, stopped with it.
#[supervised(role = "sidecar", primary = api, backoff = "none", shutdown = "1s")]
async fn metrics_pusher(ctx: ChildContext) {
    let mut every_second = tokio::time::interval(Duration::from_secs(1));
    loop {
        tokio::select! {
            _ = ctx.cancelled() => return,
            _ = every_second.tick() => {
                let served = SERVED.load(Ordering::Relaxed);
                let processed = PROCESSED.load(Ordering::Relaxed);
                println!("metrics: served={served} processed={processed}");
            }
        }
    }
}

/// Takes jobs off the queue until asked to stop.
#[supervised(
    role = "worker",
    backoff(initial = "100ms", max = "10s", jitter = 0.3),
    heartbeat = "5s"
)]
async fn worker(ctx: ChildContext) -> Result<(), String> {
    loop {
        tokio::select! {
            _ = ctx.cancelled() => return Ok(()),
            _ = tokio::time::sleep(Duration::from_millis(300)) => {
                PROCESSED.fetch_add(1, Ordering::Relaxed);
                ctx.heartbeat();
            }
        }
    }
}

/// Three workers that restart independently.
#[derive(Supervisor)]
#[supervisor(id = "workers", restart_limit(max = 10, within = "1m"))]
struct WorkerPool {
    #[child(id = "worker-1")]
    first: worker,
    #[child(id = "worker-2")]
    second: worker,
    #[child(id = "worker-3", severity = "optional")]
    third: worker,
}

/// The service: migrate first, then the API and its sidecar, then the pool.
/// A failure restarts the failed child and everything started after it.
#[derive(Supervisor)]
#[supervisor(strategy = "rest_for_one", restart_limit(max = 5, within = "30s"))]
struct App {
    migrate: migrate,
    api: api,
    metrics: metrics_pusher,
    #[child(shutdown = "10s")]
    workers: WorkerPool,
}

fn print_tree(spec: &SupervisorSpec, depth: usize) {
    let indent = "  ".repeat(depth);
    println!(
        "{indent}supervisor {} ({}, restart limit {})",
        spec.id, spec.strategy, spec.restart_limit
    );
    for child in &spec.children {
        for line in child.effective_policy().to_string().lines() {
            println!("{indent}  {line}");
        }
        if let Some(tree) = &child.tree {
            print_tree(tree, depth + 2);
        }
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let app = App::spec();
    print_tree(&app, 0);
    let (handle, events) = match supervisor::Supervisor::builder().launch_with_events(app) {
        Ok(started) => started,
        Err(error) => {
            eprintln!("{error}");
            return ExitCode::FAILURE;
        }
    };
    let printer = tokio::spawn(narrate::print_events(events));
    tokio::select! {
        _ = tokio::time::sleep(Duration::from_secs(5)) => {}
        _ = tokio::signal::ctrl_c() => {}
    }
    let report = handle.shutdown().await;
    let _ = printer.await;
    narrate::print_report(&report);
    match handle.wait().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("{error}");
            ExitCode::FAILURE
        }
    }
}
