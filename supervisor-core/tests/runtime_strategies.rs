//! Strategies restart exactly the right children, in the right order, and
//! never let two instances of one child overlap.

mod support;

use std::{sync::Arc, time::Duration};

use supervisor_core::{
    BackoffPolicy, ChildContext, ChildSpec, EventKind, RestartLimit, Strategy, Supervisor,
    SupervisorSpec, TaskRole,
};
use support::{Overlap, is, settle, started, wait_for};

/// A service that runs until cancelled; the first instance of `fails_first`
/// fails after 100 ms.
fn child(overlap: &Arc<Overlap>, id: &'static str, fails_first: bool) -> ChildSpec {
    let overlap = Arc::clone(overlap);
    ChildSpec::new(id, TaskRole::Service, move |ctx: ChildContext| {
        let alive = overlap.enter(id);
        async move {
            let _alive = alive;
            if fails_first && ctx.generation() == 1 {
                tokio::time::sleep(Duration::from_millis(100)).await;
                return Err("first run fails".to_owned());
            }
            ctx.cancelled().await;
            Ok(())
        }
    })
    .backoff(BackoffPolicy::NONE)
}

fn tree(strategy: Strategy, overlap: &Arc<Overlap>) -> SupervisorSpec {
    SupervisorSpec::new("app")
        .strategy(strategy)
        .child(child(overlap, "a", false))
        .child(child(overlap, "b", true))
        .child(child(overlap, "c", false))
}

async fn run_until_b_restarted(strategy: Strategy) -> (Arc<Overlap>, Vec<String>) {
    let overlap = Overlap::new();
    let (handle, mut events) = Supervisor::builder()
        .launch_with_events(tree(strategy, &overlap))
        .unwrap();
    wait_for(&mut events, |e| {
        &*e.path == "app/c" && e.kind == EventKind::Started
    })
    .await;
    settle().await;
    overlap.clear_log();
    wait_for(&mut events, |e| {
        &*e.path == "app/b" && e.generation == 2 && e.kind == EventKind::Started
    })
    .await;
    settle().await;
    let log = overlap.log();
    let snapshot = handle.snapshot().await.unwrap();
    for id in ["a", "b", "c"] {
        assert_eq!(overlap.max_live(id), 1, "{id} overlapped itself");
        assert_eq!(overlap.live(id), 1, "{id} is not running");
    }
    let generations: Vec<u64> = snapshot.children.iter().map(|c| c.generation).collect();
    handle.shutdown().await;
    (
        overlap,
        log.into_iter()
            .chain(generations.iter().map(|g| format!("gen {g}")))
            .collect(),
    )
}

#[tokio::test(start_paused = true)]
async fn one_for_one_restarts_only_the_failed_child() {
    let (_, log) = run_until_b_restarted(Strategy::OneForOne).await;
    assert_eq!(log, ["stop b", "start b", "gen 1", "gen 2", "gen 1"]);
}

#[tokio::test(start_paused = true)]
async fn one_for_all_stops_all_in_reverse_and_restarts_all_in_start_order() {
    let (_, log) = run_until_b_restarted(Strategy::OneForAll).await;
    assert_eq!(
        log,
        [
            "stop b", "stop c", "stop a", "start a", "start b", "start c", "gen 2", "gen 2",
            "gen 2"
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn rest_for_one_restarts_the_child_and_those_started_after_it() {
    let (_, log) = run_until_b_restarted(Strategy::RestForOne).await;
    assert_eq!(
        log,
        [
            "stop b", "stop c", "start b", "start c", "gen 1", "gen 2", "gen 2"
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn a_group_restart_waits_the_backoff_with_every_member_down() {
    let overlap = Overlap::new();
    let spec = SupervisorSpec::new("app")
        .strategy(Strategy::OneForAll)
        .child(child(&overlap, "a", false))
        .child(
            child(&overlap, "b", true).backoff(
                BackoffPolicy::DEFAULT
                    .jitter(0.0)
                    .initial(Duration::from_secs(1)),
            ),
        );
    let (handle, mut events) = Supervisor::builder().launch_with_events(spec).unwrap();
    let scheduled = wait_for(&mut events, |e| {
        matches!(e.kind, EventKind::RestartScheduled { .. })
    })
    .await;
    assert_eq!(
        scheduled.kind,
        EventKind::RestartScheduled {
            delay: Duration::from_secs(1)
        }
    );
    assert_eq!((overlap.live("a"), overlap.live("b")), (0, 0));
    let restarted = wait_for(&mut events, started("app/a")).await;
    assert_eq!(
        restarted.elapsed - scheduled.elapsed,
        Duration::from_secs(1)
    );
    wait_for(&mut events, started("app/b")).await;
    handle.shutdown().await;
}

fn sidecar_tree(overlap: &Arc<Overlap>) -> SupervisorSpec {
    SupervisorSpec::new("app")
        .child(child(overlap, "api", true))
        .child(child(overlap, "metrics", false).role_sidecar("api"))
        .child(child(overlap, "other", false))
}

trait Sidecar {
    fn role_sidecar(self, primary: &str) -> Self;
}

impl Sidecar for ChildSpec {
    fn role_sidecar(mut self, primary: &str) -> Self {
        self.role = TaskRole::Sidecar;
        self.primary(primary)
    }
}

#[tokio::test(start_paused = true)]
async fn a_primary_restart_restarts_its_sidecar_after_it() {
    let overlap = Overlap::new();
    let (handle, mut events) = Supervisor::builder()
        .launch_with_events(sidecar_tree(&overlap))
        .unwrap();
    wait_for(&mut events, started("app/other")).await;
    settle().await;
    overlap.clear_log();
    wait_for(&mut events, |e| {
        &*e.path == "app/metrics" && e.generation == 2 && e.kind == EventKind::Started
    })
    .await;
    assert_eq!(
        overlap.log(),
        ["stop api", "stop metrics", "start api", "start metrics"]
    );
    assert_eq!(overlap.max_live("metrics"), 1);
    handle.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn stopping_a_primary_stops_its_sidecar() {
    let overlap = Overlap::new();
    let (handle, mut events) = Supervisor::builder()
        .launch_with_events(sidecar_tree(&overlap))
        .unwrap();
    wait_for(&mut events, started("app/other")).await;
    settle().await;
    handle.stop_child("api").await.unwrap();
    assert_eq!(
        (
            overlap.live("api"),
            overlap.live("metrics"),
            overlap.live("other")
        ),
        (0, 0, 1)
    );
    handle.start_child("api").await.unwrap();
    settle().await;
    wait_for(&mut events, |e| {
        &*e.path == "app/metrics" && e.generation >= 2 && e.kind == EventKind::Started
    })
    .await;
    assert_eq!((overlap.live("api"), overlap.live("metrics")), (1, 1));
    handle.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn a_sidecar_failure_restarts_only_the_sidecar() {
    let overlap = Overlap::new();
    let spec = SupervisorSpec::new("app")
        .child(child(&overlap, "api", false))
        .child(child(&overlap, "metrics", true).role_sidecar("api"));
    let (handle, mut events) = Supervisor::builder().launch_with_events(spec).unwrap();
    wait_for(&mut events, started("app/metrics")).await;
    settle().await;
    overlap.clear_log();
    wait_for(&mut events, is("app/metrics", EventKind::Started)).await;
    assert_eq!(overlap.log(), ["stop metrics", "start metrics"]);
    handle.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn supervisor_intensity_counts_restarts_of_all_children() {
    let spec = SupervisorSpec::new("app")
        .restart_limit(RestartLimit::new(3, Duration::from_secs(60)))
        .child(flaky("a"))
        .child(flaky("b"));
    let handle = Supervisor::start(spec).unwrap();
    let error = handle.wait().await.unwrap_err();
    assert_eq!(&*error.supervisor, "app");
    assert!(
        error
            .to_string()
            .contains("supervisor exceeded its restart limit (3 in 1m)"),
        "{error}"
    );
}

/// A worker that fails every 10 ms, with no backoff and no limit of its own.
fn flaky(id: &'static str) -> ChildSpec {
    ChildSpec::without_context(id, TaskRole::Worker, || async {
        tokio::time::sleep(Duration::from_millis(10)).await;
        Err::<(), _>("flaky")
    })
    .backoff(BackoffPolicy::NONE)
    .restart_limit(RestartLimit::UNLIMITED)
}
