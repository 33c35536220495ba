//! The quick start of the README, verbatim between the markers: it must
//! compile with exactly the imports it shows, and its tree runs.

#![allow(dead_code)] // `main` is the snippet's; the test harness has its own

// README:begin
use std::{sync::Arc, time::Duration};
use supervisor::prelude::*;

#[derive(Clone)]
struct AppState {
    db: Db, // cheap to clone: what it shares is behind Arcs
    name: Arc<str>,
}

#[derive(Clone)]
struct Db(Arc<str>); // stands for a connection pool

impl FromState<AppState> for Db {
    fn from_state(state: &AppState) -> Self {
        state.db.clone() // what a child taking `State<Db>` gets, at each of its starts
    }
}

#[supervised(role = "job")]
async fn migrate(State(db): State<Db>) -> Result<(), std::io::Error> {
    println!("migrating {}", db.0);
    Ok(())
}

#[supervised(role = "service", shutdown = "5s", heartbeat = "10s")]
async fn api(
    ctx: ChildContext,
    State(db): State<Db>,
    State(app): State<AppState>, // the whole state: every Clone state provides itself
) -> Result<(), std::io::Error> {
    println!("{} serves from {}", app.name, db.0);
    ctx.ready(); // the next child may start
    loop {
        tokio::select! {
            _ = ctx.cancelled() => return Ok(()),  // graceful stop requested
            _ = tokio::time::sleep(Duration::from_secs(1)) => ctx.heartbeat(),
        }
    }
}

#[derive(Supervisor)]
#[supervisor(state = AppState, strategy = "rest_for_one")]
struct App {
    migrate: migrate, // field order is start order; stop order is the reverse
    api: api,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let state = AppState {
        db: Db("postgres://localhost/app".into()),
        name: "app".into(),
    };
    // Start, wait for ctrl-c / SIGTERM or the tree's own end, shut down in
    // order, print a one-line summary, and exit non-zero if the tree escalated.
    supervisor::run_with::<App>(state).await
}
// README:end

#[tokio::test(start_paused = true)]
async fn the_quick_start_tree_runs_with_its_state() {
    use supervisor::testing::{EventPattern, TestTree};

    let state = AppState {
        db: Db("postgres://test".into()),
        name: "test".into(),
    };
    let mut tree = TestTree::start(App::spec_with(state));
    tree.run_until(&EventPattern::ready("app/api")).await;
    let done = tree.shutdown().await;
    done.trace.assert_in_order(&[
        EventPattern::exited("app/migrate"),
        EventPattern::started("app/api"),
    ]);
    done.assert_no_orphans();
}

mod readme;

#[test]
fn readme_shows_the_quick_start_of_this_file() {
    readme::assert_shows(
        include_str!("readme_quick_start.rs"),
        "tests/readme_quick_start.rs",
    );
}
