//! A service, a worker and a job under one supervisor, for four seconds.
//!
//! The job fails once and succeeds on its retry; the worker finishes its
//! batches and stays stopped; the service panics once and is restarted.
//! Then the tree shuts down in reverse start order and reports on each child.
//!
//! Run it with `cargo run --example quickstart`.

mod narrate;

use std::{
    sync::atomic::{AtomicBool, Ordering},
    time::Duration,
};

use supervisor::prelude::*;
use tokio::time::sleep;

static MIGRATED_ONCE: AtomicBool = AtomicBool::new(false);

/// Fails on its first attempt (the database is still booting), then succeeds.
async fn migrate() -> Result<(), std::io::Error> {
    sleep(Duration::from_millis(100)).await;
    if !MIGRATED_ONCE.swap(true, Ordering::Relaxed) {
        return Err(std::io::Error::other("connection refused"));
    }
    Ok(())
}

/// Serves until cancelled; its first instance panics after a second.
async fn api(ctx: ChildContext) -> Result<(), std::io::Error> {
    ctx.ready();
    let mut ticks = tokio::time::interval(Duration::from_millis(250));
    for tick in 0u32.. {
        tokio::select! {
            _ = ctx.cancelled() => return Ok(()),
            _ = ticks.tick() => ctx.heartbeat(),
        }
        if ctx.generation() == 1 && tick == 4 {
            panic!("request handler bug");
        }
    }
    Ok(())
}

/// Indexes three batches, then is done.
async fn indexer(ctx: ChildContext) -> Result<(), String> {
    for _batch in 0..3 {
        tokio::select! {
            _ = ctx.cancelled() => return Ok(()),
            _ = sleep(Duration::from_millis(400)) => {}
        }
    }
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), SpecError> {
    std::panic::set_hook(Box::new(|_| {}));
    let app = SupervisorSpec::new("app")
        .child(ChildSpec::without_context(
            "migrate",
            TaskRole::Job,
            migrate,
        ))
        .child(
            ChildSpec::new("api", TaskRole::Service, api)
                .heartbeat(Duration::from_secs(2))
                .ready_timeout(Duration::from_secs(5)),
        )
        .child(ChildSpec::new("indexer", TaskRole::Worker, indexer));
    println!("{}", app.children[1].effective_policy());

    let (handle, events) = Supervisor::builder().launch_with_events(app)?;
    let printer = tokio::spawn(narrate::print_events(events));
    sleep(Duration::from_secs(4)).await;
    let report = handle.shutdown().await;
    let _ = printer.await;
    narrate::print_report(&report);
    Ok(())
}
