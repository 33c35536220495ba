//! A tree declared with the macros runs under the runtime exactly as its
//! declaration says: start order, sidecars following their primary, nested
//! trees, and `run_until` for `main`.

use std::time::Duration;

use supervisor::prelude::*;
use supervisor::testing::{EventPattern, TestTree};

#[supervised(role = "job")]
async fn migrate() -> Result<(), std::io::Error> {
    Ok(())
}

/// Its first instance fails after a second.
#[supervised(role = "service", backoff = "none", ready_timeout = "1s")]
async fn api(ctx: ChildContext) -> Result<(), String> {
    ctx.ready();
    if ctx.generation() == 1 {
        tokio::time::sleep(Duration::from_secs(1)).await;
        return Err("connection reset".to_owned());
    }
    ctx.cancelled().await;
    Ok(())
}

#[supervised(role = "sidecar", primary = api)]
async fn metrics(ctx: ChildContext) {
    ctx.cancelled().await
}

#[supervised]
async fn worker(ctx: ChildContext) {
    ctx.cancelled().await
}

#[derive(Supervisor)]
#[supervisor(strategy = "one_for_all")]
struct Pool {
    #[child(id = "w1")]
    first: worker,
    #[child(id = "w2")]
    second: worker,
}

#[derive(Supervisor)]
struct App {
    migrate: migrate,
    api: api,
    metrics: metrics,
    pool: Pool,
}

#[tokio::test(start_paused = true)]
async fn the_declared_tree_runs_and_its_sidecar_follows_the_primary() {
    let mut tree = TestTree::start(App::spec());
    tree.run_until(&EventPattern::started("app/metrics").generation(2))
        .await;
    tree.run_for(Duration::from_millis(10)).await;
    let snapshot = tree.snapshot().await;
    assert_eq!(
        snapshot.find("app/pool/w2").unwrap().state,
        ChildState::Running
    );
    assert_eq!(
        snapshot.find("app/migrate").unwrap().state,
        ChildState::Stopped
    );
    let done = tree.shutdown().await;
    done.trace.assert_in_order(&[
        EventPattern::started("app/migrate"),
        EventPattern::ready("app/api"),
        EventPattern::started("app/metrics"),
        EventPattern::started("app/pool/w1"),
        EventPattern::exited("app/api").generation(1),
        EventPattern::exited("app/metrics").generation(1),
        EventPattern::started("app/api").generation(2),
        EventPattern::started("app/metrics").generation(2),
    ]);
    assert_eq!(done.report.children.len(), 6);
    done.assert_no_orphans();
}

#[tokio::test(start_paused = true)]
async fn run_until_takes_a_derived_tree_and_maps_a_clean_stop_to_success() {
    let summary =
        supervisor::run_until(App::spec(), tokio::time::sleep(Duration::from_secs(5))).await;
    assert!(summary.is_success(), "{summary}");
    assert_eq!(summary.exit_code(), std::process::ExitCode::SUCCESS);
}
