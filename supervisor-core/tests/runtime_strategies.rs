//! Strategies restart exactly the right children, in the right order, and
//! never let two instances of one child overlap.

use std::time::Duration;

use supervisor_core::{
    BackoffPolicy, ChildSpec, EventKind, RestartLimit, Strategy, SupervisorEvent, SupervisorSpec,
    TaskRole,
    testing::{EventPattern, FaultScript, InstanceTracker, Step, TestTree},
};

/// A service that runs until cancelled; with `fails_first`, its first
/// instance fails after 100 ms.
fn service(tracker: &InstanceTracker, id: &str, fails_first: bool) -> ChildSpec {
    let mut script = FaultScript::new().tracked_by(tracker);
    if fails_first {
        script = script.on_attempt(
            1,
            Step::fail_after(Duration::from_millis(100), "first run fails"),
        );
    }
    script
        .child(id, TaskRole::Service)
        .backoff(BackoffPolicy::NONE)
}

fn sidecar(tracker: &InstanceTracker, id: &str, primary: &str, fails_first: bool) -> ChildSpec {
    let mut spec = service(tracker, id, fails_first).primary(primary);
    spec.role = TaskRole::Sidecar;
    spec
}

/// "stop b", "start a": who stopped and started after the first exit.
fn moves_after_first_failure(trace: &[SupervisorEvent]) -> Vec<String> {
    let failure = trace
        .iter()
        .position(|e| matches!(&e.kind, EventKind::Exited { exit } if !exit.is_success()))
        .expect("a failure");
    trace[failure..]
        .iter()
        .filter_map(|e| {
            let id = e.path.rsplit('/').next().unwrap_or_default();
            match e.kind {
                EventKind::Exited { .. } => Some(format!("stop {id}")),
                EventKind::Started => Some(format!("start {id}")),
                EventKind::ShutdownStarted => Some("shutdown".to_owned()),
                _ => None,
            }
        })
        .take_while(|line| line != "shutdown")
        .collect()
}

/// Runs a, b, c (b fails once) under `strategy` until b's second start, and
/// returns the stops and starts that followed the failure.
async fn after_b_fails(strategy: Strategy) -> Vec<String> {
    let tracker = InstanceTracker::new();
    let spec = SupervisorSpec::new("app")
        .strategy(strategy)
        .child(service(&tracker, "a", false))
        .child(service(&tracker, "b", true))
        .child(service(&tracker, "c", false));
    let mut tree = TestTree::start(spec);
    tree.run_until(&EventPattern::started("app/b").generation(2))
        .await;
    tree.run_for(Duration::from_secs(1)).await;
    for id in ["app/a", "app/b", "app/c"] {
        assert_eq!(tracker.alive(id), 1, "{id} is not running");
    }
    let done = tree.shutdown().await;
    assert_eq!(tracker.overlaps(), []);
    done.assert_no_orphans();
    moves_after_first_failure(done.trace.events())
}

#[tokio::test(start_paused = true)]
async fn one_for_one_restarts_only_the_failed_child() {
    assert_eq!(
        after_b_fails(Strategy::OneForOne).await,
        ["stop b", "start b"]
    );
}

#[tokio::test(start_paused = true)]
async fn one_for_all_stops_all_in_reverse_and_restarts_all_in_start_order() {
    assert_eq!(
        after_b_fails(Strategy::OneForAll).await,
        [
            "stop b", "stop c", "stop a", "start a", "start b", "start c"
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn rest_for_one_restarts_the_child_and_those_started_after_it() {
    assert_eq!(
        after_b_fails(Strategy::RestForOne).await,
        ["stop b", "stop c", "start b", "start c"]
    );
}

#[tokio::test(start_paused = true)]
async fn a_group_restart_waits_the_backoff_with_every_member_down() {
    let tracker = InstanceTracker::new();
    let slow = BackoffPolicy::DEFAULT
        .jitter(0.0)
        .initial(Duration::from_secs(1));
    let spec = SupervisorSpec::new("app")
        .strategy(Strategy::OneForAll)
        .child(service(&tracker, "a", false))
        .child(service(&tracker, "b", true).backoff(slow));
    let mut tree = TestTree::start(spec);
    let scheduled = tree
        .run_until(&EventPattern::restart_scheduled("app/b").delay(Duration::from_secs(1)))
        .await;
    tree.run_for(Duration::from_millis(1)).await;
    assert_eq!((tracker.alive("app/a"), tracker.alive("app/b")), (0, 0));
    let restarted = tree
        .run_until(&EventPattern::started("app/a").generation(2))
        .await;
    assert_eq!(
        restarted.elapsed - scheduled.elapsed,
        Duration::from_secs(1)
    );
    tree.run_until(&EventPattern::started("app/b").generation(2))
        .await;
    tree.shutdown().await.assert_no_orphans();
}

#[tokio::test(start_paused = true)]
async fn a_primary_restart_restarts_its_sidecar_after_it() {
    let tracker = InstanceTracker::new();
    let spec = SupervisorSpec::new("app")
        .child(service(&tracker, "api", true))
        .child(sidecar(&tracker, "metrics", "api", false))
        .child(service(&tracker, "other", false));
    let mut tree = TestTree::start(spec);
    tree.run_until(&EventPattern::started("app/metrics").generation(2))
        .await;
    let done = tree.shutdown().await;
    assert_eq!(
        moves_after_first_failure(done.trace.events()),
        ["stop api", "stop metrics", "start api", "start metrics"]
    );
    assert_eq!(tracker.overlaps(), []);
}

#[tokio::test(start_paused = true)]
async fn stopping_a_primary_stops_its_sidecar_and_starting_it_starts_both() {
    let tracker = InstanceTracker::new();
    let spec = SupervisorSpec::new("app")
        .child(service(&tracker, "api", false))
        .child(sidecar(&tracker, "metrics", "api", false))
        .child(service(&tracker, "other", false));
    let mut tree = TestTree::start(spec);
    tree.run_for(Duration::from_millis(1)).await;
    tree.handle().stop_child("api").await.unwrap();
    let alive = |id| tracker.alive(id);
    assert_eq!(
        (alive("app/api"), alive("app/metrics"), alive("app/other")),
        (0, 0, 1)
    );
    tree.handle().start_child("api").await.unwrap();
    tree.run_until(&EventPattern::started("app/metrics").generation(2))
        .await;
    tree.run_for(Duration::from_millis(1)).await;
    assert_eq!((alive("app/api"), alive("app/metrics")), (1, 1));
    tree.shutdown().await.assert_no_orphans();
}

#[tokio::test(start_paused = true)]
async fn a_sidecar_failure_restarts_only_the_sidecar() {
    let tracker = InstanceTracker::new();
    let spec = SupervisorSpec::new("app")
        .child(service(&tracker, "api", false))
        .child(sidecar(&tracker, "metrics", "api", true));
    let mut tree = TestTree::start(spec);
    tree.run_until(&EventPattern::started("app/metrics").generation(2))
        .await;
    let done = tree.shutdown().await;
    assert_eq!(
        moves_after_first_failure(done.trace.events()),
        ["stop metrics", "start metrics"]
    );
    assert_eq!(tracker.entered("app/api"), 1);
}

#[tokio::test(start_paused = true)]
async fn supervisor_intensity_counts_restarts_of_all_children() {
    let flaky = |id: &str| {
        FaultScript::new()
            .then(Step::fail_after(Duration::from_millis(10), "flaky"))
            .child(id, TaskRole::Worker)
            .backoff(BackoffPolicy::NONE)
            .restart_limit(RestartLimit::UNLIMITED)
    };
    let spec = SupervisorSpec::new("app")
        .restart_limit(RestartLimit::new(3, Duration::from_secs(60)))
        .child(flaky("a"))
        .child(flaky("b"));
    let mut tree = TestTree::start(spec);
    let error = tree.wait().await.unwrap_err();
    assert_eq!(&*error.supervisor, "app");
    assert!(
        error
            .to_string()
            .contains("supervisor exceeded its restart limit (3 in 1m)"),
        "{error}"
    );
    let done = tree.shutdown().await;
    assert_eq!(
        done.trace.count(&EventPattern::restart_scheduled("app/a"))
            + done.trace.count(&EventPattern::restart_scheduled("app/b")),
        3
    );
}
