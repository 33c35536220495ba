//! A job, a service and a worker under one supervisor, declared with the
//! macros and run with `run_with`, for about four seconds.
//!
//! The migration fails once and succeeds on its retry; the API starts only
//! once it has (a job holds the children after it until it completes),
//! panics once and is restarted; the indexer finishes its batches and stays
//! stopped. Then the demo child asks for the shutdown, the tree stops in
//! reverse start order, and `run_with` prints its summary and exits 0.
//!
//! Run it with `cargo run --example quickstart`.

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use supervisor::prelude::*;
use tokio::time::sleep;

#[derive(Clone)]
struct AppState {
    db: Db,
    /// Whether the database refused the first connection yet.
    refused_once: Arc<AtomicBool>,
}

/// Stands for a connection pool.
#[derive(Clone)]
struct Db(Arc<str>);

impl FromState<AppState> for Db {
    fn from_state(state: &AppState) -> Self {
        state.db.clone()
    }
}

/// Fails on its first attempt (the database is still booting), then succeeds.
#[supervised(role = "job")]
async fn migrate(State(db): State<Db>, State(app): State<AppState>) -> Result<(), std::io::Error> {
    sleep(Duration::from_millis(100)).await;
    if !app.refused_once.swap(true, Ordering::Relaxed) {
        println!("migrate: {} refused the connection", db.0);
        return Err(std::io::Error::other("connection refused"));
    }
    println!("migrate: schema up to date");
    Ok(())
}

/// Serves until cancelled; its first instance panics after a second.
#[supervised(role = "service", shutdown = "5s", heartbeat = "2s")]
async fn api(ctx: ChildContext, State(db): State<Db>) -> Result<(), std::io::Error> {
    println!("api: instance {} serving from {}", ctx.generation(), db.0);
    ctx.ready();
    let mut ticks = tokio::time::interval(Duration::from_millis(250));
    for tick in 0u32.. {
        tokio::select! {
            _ = ctx.cancelled() => break,
            _ = ticks.tick() => ctx.heartbeat(),
        }
        if ctx.generation() == 1 && tick == 4 {
            panic!("request handler bug");
        }
    }
    println!("api: instance {} stopped", ctx.generation());
    Ok(())
}

/// Indexes three batches, then is done.
#[supervised(role = "worker")]
async fn indexer(ctx: ChildContext) -> Result<(), std::io::Error> {
    for batch in 1..=3 {
        tokio::select! {
            _ = ctx.cancelled() => return Ok(()),
            _ = sleep(Duration::from_millis(400)) => println!("indexer: batch {batch} done"),
        }
    }
    Ok(())
}

/// Lets the others run for four seconds, then asks the whole tree to stop.
#[supervised(role = "service")]
async fn demo(ctx: ChildContext) {
    tokio::select! {
        _ = ctx.cancelled() => return,
        _ = sleep(Duration::from_secs(4)) => {}
    }
    println!("demo: four seconds are up, asking the tree to stop");
    ctx.request_shutdown();
    ctx.cancelled().await;
}

#[derive(Supervisor)]
#[supervisor(state = AppState, strategy = "one_for_one")]
struct App {
    migrate: migrate, // field order is start order; stop order is the reverse
    api: api,
    indexer: indexer,
    demo: demo,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    // One line per panic: the supervisor catches it and restarts the API.
    std::panic::set_hook(Box::new(|info| eprintln!("panic: {info}")));
    let state = AppState {
        db: Db("postgres://localhost/app".into()),
        refused_once: Arc::default(),
    };
    supervisor::run_with::<App>(state).await
}
