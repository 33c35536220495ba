//! Edge cases of the runtime: readiness gates through backoff, restarts
//! that wait for no sibling, nested trees cut short by their grace, timers
//! out of date, and durations too long to represent.

use std::time::Duration;

use supervisor_core::{
    BackoffPolicy, ChildContext, ChildSpec, ChildState, ShutdownPolicy, StopOutcome, Supervisor,
    SupervisorSpec, TaskRole,
    testing::{EventPattern, FaultScript, InstanceTracker, Step, TestTree},
};
use tokio::time::sleep;

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

fn fixed(delay: Duration) -> BackoffPolicy {
    BackoffPolicy::DEFAULT.initial(delay).max(delay).jitter(0.0)
}

async fn idle(ctx: ChildContext) {
    ctx.cancelled().await
}

/// A child with `ready_timeout` must be ready before the next
/// starts. `db` never gets ready; while it backs off after its failed start,
/// `api` must not start (as `a_child_late_to_ready_fails_its_start_and_is_restarted`
/// pins for a zero backoff).
#[tokio::test(start_paused = true)]
async fn a_child_not_ready_in_time_still_holds_the_next_start_during_its_backoff() {
    let db = FaultScript::new()
        .then(Step::NeverReady)
        .child("db", TaskRole::Service)
        .ready_timeout(secs(2))
        .backoff(fixed(secs(10)));
    let spec =
        SupervisorSpec::new("app")
            .child(db)
            .child(ChildSpec::new("api", TaskRole::Service, idle));
    let mut tree = TestTree::start(spec);
    tree.run_until(&EventPattern::restart_scheduled("app/db"))
        .await;
    tree.run_for(secs(1)).await;
    let snapshot = tree.snapshot().await;
    let api = snapshot.find("app/api").unwrap();
    assert_eq!(
        api.generation, 0,
        "api started while db has never been ready"
    );
    tree.shutdown().await;
}

/// One_for_one restarts the child. A later sibling that
/// is still waiting to become ready must not hold an earlier child's restart.
#[tokio::test(start_paused = true)]
async fn a_restart_is_not_held_behind_a_later_sibling_waiting_for_readiness() {
    let db = FaultScript::new()
        .on_attempt(1, Step::fail_after(secs(1), "db lost its lease"))
        .child("db", TaskRole::Service)
        .backoff(BackoffPolicy::NONE);
    let api = FaultScript::new()
        .then(Step::NeverReady)
        .child("api", TaskRole::Service)
        .ready_timeout(secs(3600));
    let spec = SupervisorSpec::new("app").child(db).child(api);
    let mut tree = TestTree::start(spec);
    tree.run_until_within(&EventPattern::started("app/db").generation(2), secs(60))
        .await;
    tree.shutdown().await;
}

/// A grandchild that ignores cancellation, with a helper that keeps its own
/// clone of the context and ignores cancellation too.
fn stubborn_with_helper(tracker: &InstanceTracker) -> ChildSpec {
    let tracker = tracker.clone();
    ChildSpec::new("stubborn", TaskRole::Worker, move |ctx: ChildContext| {
        let tracker = tracker.clone();
        async move {
            let _me = tracker.enter(ctx.path());
            let helper_ctx = ctx.clone();
            let helper_tracker = tracker.clone();
            ctx.spawn(async move {
                let _alive = helper_tracker.enter("helper");
                let _keep = helper_ctx;
                std::future::pending::<()>().await
            });
            std::future::pending::<()>().await
        }
    })
    .shutdown(ShutdownPolicy::Timeout(secs(10)))
}

/// No task of the tree is alive when `shutdown()` returns;
/// the report lists each child's outcome. Here the nested supervisor's own
/// grace (1 s) is shorter than its child's (10 s).
#[tokio::test(start_paused = true)]
async fn shutdown_of_a_nested_tree_cut_short_by_its_grace_leaves_no_helper_alive() {
    let tracker = InstanceTracker::new();
    let pool = SupervisorSpec::new("pool").child(stubborn_with_helper(&tracker));
    let spec = SupervisorSpec::new("app")
        .child(ChildSpec::supervisor(pool).shutdown(ShutdownPolicy::Timeout(secs(1))));
    let mut tree = TestTree::start(spec);
    tree.run_for(secs(1)).await;
    assert_eq!(tracker.alive("helper"), 1);
    let done = tree.shutdown().await;
    for _ in 0..100 {
        tokio::task::yield_now().await;
    }
    assert_eq!(tracker.alive("app/pool/stubborn"), 0);
    assert_eq!(tracker.alive("helper"), 0, "the helper outlived the tree");
    done.assert_no_orphans();
}

/// The report lists each child's outcome, nested ones too.
#[tokio::test(start_paused = true)]
async fn a_nested_tree_cut_short_by_its_grace_still_reports_its_children() {
    let slow = FaultScript::new()
        .then(Step::IgnoreCancellation)
        .child("slow", TaskRole::Worker)
        .shutdown(ShutdownPolicy::Timeout(secs(10)));
    let pool = SupervisorSpec::new("pool").child(slow);
    let spec = SupervisorSpec::new("app")
        .child(ChildSpec::supervisor(pool).shutdown(ShutdownPolicy::Timeout(secs(1))));
    let handle = Supervisor::start(spec).unwrap();
    sleep(secs(1)).await;
    let report = handle.shutdown().await;
    let paths: Vec<_> = report.children.iter().map(|c| &*c.path).collect();
    assert_eq!(paths, ["app/pool/slow", "app/pool"], "{report:?}");
    assert_eq!(
        report.find("app/pool/slow").map(|c| c.outcome),
        Some(StopOutcome::Aborted)
    );
}

/// A child never takes the supervisor down. A
/// backoff of 1000 days is a valid spec (initial <= max), and the child
/// should simply wait it out; the supervisor must stay up and answer.
#[tokio::test(start_paused = true)]
async fn a_very_long_backoff_does_not_take_the_supervisor_down() {
    let days = Duration::from_secs(1000 * 24 * 3600);
    let retry = FaultScript::new()
        .on_attempt(1, Step::fail("down for maintenance"))
        .child("retry", TaskRole::Worker)
        .backoff(fixed(days));
    let spec = SupervisorSpec::new("app")
        .child(ChildSpec::new("api", TaskRole::Service, idle))
        .child(retry);
    let handle = Supervisor::start(spec).unwrap();
    sleep(secs(1)).await;
    let snapshot = handle
        .snapshot()
        .await
        .expect("the supervisor died because of a child's backoff");
    assert_eq!(
        snapshot.find("app/retry").unwrap().state,
        ChildState::BackingOff
    );
    handle.shutdown().await;
}

/// One_for_all restarts all together. When a second
/// failure reschedules the group with a longer delay, the first group's
/// timer must not restart part of the group early.
#[tokio::test(start_paused = true)]
async fn a_rescheduled_one_for_all_group_is_not_restarted_early_by_the_old_timer() {
    let a = FaultScript::new()
        .on_attempt(1, Step::fail_after(secs(1), "a fails"))
        .child("a", TaskRole::Service)
        .backoff(fixed(secs(5)));
    let b = FaultScript::new().child("b", TaskRole::Service);
    let spec = SupervisorSpec::new("app")
        .strategy(supervisor_core::Strategy::OneForAll)
        .child(a)
        .child(b);
    let mut tree = TestTree::start(spec);
    // t = 1 s: a fails; the group (a, b) restarts at t = 6 s.
    tree.run_until(&EventPattern::restart_scheduled("app/a"))
        .await;
    // t = 2 s: c joins and fails at t = 3 s; the group (a, b, c) now restarts
    // after c's 30 s delay.
    tree.run_for(secs(1)).await;
    let c = FaultScript::new()
        .on_attempt(1, Step::fail_after(secs(1), "c fails"))
        .child("c", TaskRole::Service)
        .backoff(fixed(secs(30)));
    tree.handle().add_child(c).await.unwrap();
    tree.run_until(&EventPattern::restart_scheduled("app/c").delay(secs(30)))
        .await;
    // t = 10 s: nothing of the group may have come back yet.
    tree.run_for(secs(7)).await;
    let snapshot = tree.snapshot().await;
    let states: Vec<_> = snapshot
        .children
        .iter()
        .map(|c| (&*c.path, c.state))
        .collect();
    assert_eq!(
        states,
        [
            ("app/a", ChildState::BackingOff),
            ("app/b", ChildState::BackingOff),
            ("app/c", ChildState::BackingOff)
        ]
    );
    tree.shutdown().await;
}

/// `Stopped` means "the child stays stopped". A sibling that
/// fails on its own just as a group restart stops it is restarted with the
/// group, so its failure must not be reported as a final stop.
#[tokio::test(start_paused = true)]
async fn a_sibling_failing_during_a_group_restart_is_not_reported_as_staying_stopped() {
    let failing = |id: &str| {
        FaultScript::new()
            .on_attempt(1, Step::fail_after(secs(1), "both fail"))
            .child(id, TaskRole::Service)
            .backoff(BackoffPolicy::NONE)
    };
    let spec = SupervisorSpec::new("app")
        .strategy(supervisor_core::Strategy::OneForAll)
        .child(failing("a"))
        .child(failing("b"));
    let mut tree = TestTree::start(spec);
    tree.run_until(&EventPattern::started("app/b").generation(2))
        .await;
    let done = tree.shutdown().await;
    let stopped_then_started = done.trace.find_in_order(&[
        EventPattern::stopped("app/b").generation(1),
        EventPattern::started("app/b").generation(2),
    ]);
    assert!(
        stopped_then_started.is_err(),
        "b was reported as staying stopped, then restarted:\n{}",
        done.trace
    );
}

/// A restart never leaves the old instance running
/// beside the new one, nested trees included. The nested supervisor's grace
/// (1 s) is shorter than its child's (10 s).
#[tokio::test(start_paused = true)]
async fn restarting_a_nested_tree_never_overlaps_its_old_and_new_children() {
    let tracker = InstanceTracker::new();
    let pool = SupervisorSpec::new("pool").child(stubborn_with_helper(&tracker));
    let spec = SupervisorSpec::new("app")
        .child(ChildSpec::supervisor(pool).shutdown(ShutdownPolicy::Timeout(secs(1))));
    let mut tree = TestTree::start(spec);
    tree.run_for(secs(1)).await;
    tree.handle().restart_child("pool").await.unwrap();
    tree.run_until(&EventPattern::started("app/pool/stubborn").generation(1))
        .await;
    tree.run_for(secs(1)).await;
    assert_eq!(tracker.max_alive("app/pool/stubborn"), 1);
    assert_eq!(
        tracker.alive("helper"),
        1,
        "the old instance's helper still runs"
    );
    tree.shutdown().await;
}

/// A `timeout` so long it can never be reached is a valid spec; the child
/// should run, not fail every start.
#[tokio::test(start_paused = true)]
async fn an_unreachable_timeout_lets_the_child_run() {
    let api = ChildSpec::new("api", TaskRole::Service, idle)
        .timeout(Duration::MAX)
        .backoff(fixed(secs(60)));
    let mut tree = TestTree::start(SupervisorSpec::new("app").child(api));
    tree.run_for(secs(1)).await;
    let snapshot = tree.snapshot().await;
    let api = snapshot.find("app/api").unwrap();
    assert_eq!(
        (api.state, api.generation),
        (ChildState::Running, 1),
        "{:?}",
        api.last_exit
    );
    tree.shutdown().await;
}

/// Children start in order. A `restart_child` of a child that
/// has not started yet (it waits behind a readiness gate) must not let it
/// start before the siblings declared ahead of it (here: the sidecar `c`
/// starts before its primary `b`).
#[tokio::test(start_paused = true)]
async fn restart_child_of_a_child_not_yet_started_keeps_the_start_order() {
    let gate = ChildSpec::new("gate", TaskRole::Service, |ctx: ChildContext| async move {
        sleep(secs(5)).await;
        ctx.ready();
        ctx.cancelled().await;
    })
    .ready_timeout(secs(10));
    let spec = SupervisorSpec::new("app")
        .child(gate)
        .child(ChildSpec::new("b", TaskRole::Service, idle))
        .child(ChildSpec::new("c", TaskRole::Sidecar, idle).primary("b"));
    let mut tree = TestTree::start(spec);
    tree.run_for(secs(1)).await;
    tree.handle().restart_child("c").await.unwrap();
    tree.run_for(secs(10)).await;
    let done = tree.shutdown().await;
    done.trace.assert_in_order(&[
        EventPattern::ready("app/gate"),
        EventPattern::started("app/b"),
        EventPattern::started("app/c"),
    ]);
}

/// Helpers share their instance's grace: a stop takes at most the grace,
/// not the grace for the task and again for its helpers.
#[tokio::test(start_paused = true)]
async fn a_stop_takes_at_most_the_grace_even_with_stubborn_helpers() {
    let stubborn = ChildSpec::new("api", TaskRole::Service, |ctx: ChildContext| async move {
        ctx.spawn(async { sleep(secs(3600)).await });
        sleep(secs(3600)).await;
    })
    .shutdown(ShutdownPolicy::Timeout(secs(2)));
    let mut tree = TestTree::start(SupervisorSpec::new("app").child(stubborn));
    tree.run_for(secs(1)).await;
    let started = tokio::time::Instant::now();
    let done = tree.shutdown().await;
    assert_eq!(tokio::time::Instant::now() - started, secs(2));
    assert_eq!(done.report.children[0].outcome, StopOutcome::Aborted);
    done.assert_no_orphans();
}
