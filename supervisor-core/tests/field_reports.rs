//! Behaviours pinned by replaying other supervision libraries' bug reports:
//! start order through nested trees and jobs, linked helpers, group
//! restarts, stops the supervisor did not ask for, and what a stopped tree
//! still says.

use std::time::Duration;

use supervisor_core::{
    ChildContext, ChildSpec, ChildState, EventKind, RestartPolicy, Strategy, SupervisorSpec,
    TaskRole,
    policy::{ChildExit, ExitReason, StopReason},
    testing::{EventPattern, TestTree},
};
use tokio::time::sleep;

async fn idle(ctx: ChildContext) {
    ctx.cancelled().await
}

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

/// The paths of the `started` events of `trace`, in order.
fn starts(trace: &supervisor_core::testing::Trace) -> Vec<String> {
    trace
        .events()
        .iter()
        .filter(|event| event.kind == EventKind::Started)
        .map(|event| event.path.to_string())
        .collect()
}

#[tokio::test(start_paused = true)]
async fn a_nested_tree_starts_its_children_before_the_sibling_after_it() {
    let ingest =
        SupervisorSpec::new("ingest").child(ChildSpec::new("reader", TaskRole::Worker, idle));
    let spec = SupervisorSpec::new("app")
        .child(ChildSpec::supervisor(ingest))
        .child(ChildSpec::new("api", TaskRole::Service, idle));
    let mut tree = TestTree::start(spec);
    tree.run_until(&EventPattern::started("app/api")).await;
    assert_eq!(
        starts(tree.trace()),
        ["app/ingest", "app/ingest/reader", "app/api"]
    );
    tree.shutdown().await.assert_no_orphans();
}

#[tokio::test(start_paused = true)]
async fn a_gate_inside_a_nested_tree_holds_the_sibling_after_the_tree() {
    let slow = ChildSpec::new("slow", TaskRole::Service, |ctx: ChildContext| async move {
        sleep(secs(2)).await;
        ctx.ready();
        ctx.cancelled().await;
    })
    .ready_timeout(secs(10));
    let ingest = SupervisorSpec::new("ingest").child(slow);
    let spec = SupervisorSpec::new("app")
        .child(ChildSpec::supervisor(ingest))
        .child(ChildSpec::new("api", TaskRole::Service, idle));
    let mut tree = TestTree::start(spec);
    let api = tree.run_until(&EventPattern::started("app/api")).await;
    let ready = tree
        .trace()
        .find_in_order(&[EventPattern::ready("app/ingest/slow")])
        .unwrap_or_else(|_| panic!("api started before slow was ready:\n{}", tree.trace()));
    assert!(ready[0].seq < api.seq);
    assert_eq!(api.elapsed, secs(2));
    tree.shutdown().await.assert_no_orphans();
}

#[tokio::test(start_paused = true)]
async fn a_one_for_all_group_restart_keeps_the_nested_start_order() {
    let ingest =
        SupervisorSpec::new("ingest").child(ChildSpec::new("reader", TaskRole::Worker, idle));
    let flaky = ChildSpec::without_context("flaky", TaskRole::Service, || async {
        sleep(secs(1)).await;
        Err::<(), _>("flaky")
    });
    let spec = SupervisorSpec::new("app")
        .strategy(Strategy::OneForAll)
        .child(ChildSpec::supervisor(ingest))
        .child(flaky);
    let mut tree = TestTree::start(spec);
    tree.run_until(&EventPattern::started("app/flaky").generation(2))
        .await;
    let second_round: Vec<String> = starts(tree.trace()).split_off(3);
    assert_eq!(
        second_round,
        ["app/ingest", "app/ingest/reader", "app/flaky"]
    );
    tree.shutdown().await.assert_no_orphans();
}

#[tokio::test(start_paused = true)]
async fn a_job_holds_the_children_after_it_until_it_completes() {
    let migrate = ChildSpec::without_context("migrate", TaskRole::Job, || async {
        sleep(secs(3)).await;
    });
    let spec = SupervisorSpec::new("app")
        .child(migrate)
        .child(ChildSpec::new("api", TaskRole::Service, idle));
    let mut tree = TestTree::start(spec);
    let api = tree.run_until(&EventPattern::started("app/api")).await;
    assert_eq!(
        api.elapsed,
        secs(3),
        "api served before the migration ended"
    );
    tree.trace().assert_in_order(&[
        EventPattern::exited("app/migrate").reason(ExitReason::Completed),
        EventPattern::started("app/api"),
    ]);
    tree.shutdown().await.assert_no_orphans();
}

#[tokio::test(start_paused = true)]
async fn a_job_that_calls_ready_still_holds_until_it_completes() {
    let migrate = ChildSpec::new("migrate", TaskRole::Job, |ctx: ChildContext| async move {
        ctx.ready();
        sleep(secs(3)).await;
    });
    let spec = SupervisorSpec::new("app")
        .child(migrate)
        .child(ChildSpec::new("api", TaskRole::Service, idle));
    let mut tree = TestTree::start(spec);
    let api = tree.run_until(&EventPattern::started("app/api")).await;
    assert_eq!(api.elapsed, secs(3));
    tree.shutdown().await.assert_no_orphans();
}

#[tokio::test(start_paused = true)]
async fn a_helper_panic_fails_its_instance_with_the_helper_message() {
    let api = ChildSpec::new("api", TaskRole::Service, |ctx: ChildContext| async move {
        ctx.spawn(async {
            sleep(Duration::from_millis(10)).await;
            panic!("helper exploded");
        });
        ctx.cancelled().await;
    });
    let mut tree = TestTree::start(SupervisorSpec::new("app").child(api));
    let exited = tree
        .run_until_within(&EventPattern::exited("app/api"), secs(1))
        .await;
    let EventKind::Exited {
        exit: ChildExit::Panicked(message),
    } = &exited.kind
    else {
        panic!("not a panic: {exited:?}");
    };
    assert!(message.contains("helper exploded"), "{message}");
    tree.run_until_within(&EventPattern::started("app/api").generation(2), secs(1))
        .await;
    tree.shutdown().await.assert_no_orphans();
}

/// Every member of a group restart reads exited, restart_scheduled, started,
/// in that order, and the group starts again in start order.
async fn group_restart_reports_every_member(strategy: Strategy, restarted: &[&str]) {
    let b = ChildSpec::without_context("b", TaskRole::Service, || async {
        sleep(secs(1)).await;
        Err::<(), _>("b failed")
    });
    let spec = SupervisorSpec::new("app")
        .strategy(strategy)
        .child(ChildSpec::new("a", TaskRole::Service, idle))
        .child(b)
        .child(ChildSpec::new("c", TaskRole::Service, idle));
    let mut tree = TestTree::start(spec);
    tree.run_until(&EventPattern::started("app/b").generation(2))
        .await;
    tree.run_for(Duration::from_millis(1)).await;
    for path in restarted {
        tree.trace().assert_in_order(&[
            EventPattern::exited(path).generation(1),
            EventPattern::restart_scheduled(path).generation(1),
            EventPattern::started(path).generation(2),
        ]);
    }
    tree.shutdown().await.assert_no_orphans();
}

#[tokio::test(start_paused = true)]
async fn one_for_all_reports_a_restart_for_every_member() {
    group_restart_reports_every_member(Strategy::OneForAll, &["app/a", "app/b", "app/c"]).await;
}

#[tokio::test(start_paused = true)]
async fn rest_for_one_reports_a_restart_for_every_member() {
    group_restart_reports_every_member(Strategy::RestForOne, &["app/b", "app/c"]).await;
}

#[tokio::test(start_paused = true)]
async fn an_operator_restart_reports_its_restart() {
    let spec = SupervisorSpec::new("app").child(ChildSpec::new("a", TaskRole::Service, idle));
    let mut tree = TestTree::start(spec);
    tree.run_until(&EventPattern::started("app/a")).await;
    tree.handle().restart_child("a").await.unwrap();
    tree.run_until(&EventPattern::started("app/a").generation(2))
        .await;
    tree.trace().assert_in_order(&[
        EventPattern::exited("app/a").reason(ExitReason::Cancelled),
        EventPattern::restart_scheduled("app/a").delay(Duration::ZERO),
        EventPattern::started("app/a").generation(2),
    ]);
    tree.shutdown().await.assert_no_orphans();
}

/// A group restart applies each member's own restart policy: a temporary
/// member stays stopped, a transient one stopped by the group restarts.
async fn group_restart_honours_each_members_policy(strategy: Strategy) {
    let a = ChildSpec::without_context("a", TaskRole::Service, || async {
        sleep(secs(1)).await;
    })
    .restart(RestartPolicy::Permanent);
    let spec = SupervisorSpec::new("app")
        .strategy(strategy)
        .child(a)
        .child(
            ChildSpec::new("temporary", TaskRole::Worker, idle).restart(RestartPolicy::Temporary),
        )
        .child(
            ChildSpec::new("transient", TaskRole::Worker, idle).restart(RestartPolicy::Transient),
        );
    let mut tree = TestTree::start(spec);
    tree.run_until(&EventPattern::started("app/a").generation(2))
        .await;
    tree.run_for(secs(1) / 2).await;
    let snapshot = tree.snapshot().await;
    let temporary = snapshot.find("app/temporary").unwrap();
    assert_eq!(
        (temporary.state, temporary.generation),
        (ChildState::Stopped, 1),
        "{}",
        tree.trace()
    );
    let transient = snapshot.find("app/transient").unwrap();
    assert_eq!(
        (transient.state, transient.generation),
        (ChildState::Running, 2)
    );
    tree.trace().assert_in_order(&[
        EventPattern::exited("app/temporary").reason(ExitReason::Cancelled),
        EventPattern::stopped("app/temporary").stop_reason(StopReason::NotRestarted),
    ]);
    tree.shutdown().await.assert_no_orphans();
}

#[tokio::test(start_paused = true)]
async fn one_for_all_never_restarts_a_temporary_member() {
    group_restart_honours_each_members_policy(Strategy::OneForAll).await;
}

#[tokio::test(start_paused = true)]
async fn rest_for_one_never_restarts_a_temporary_member() {
    group_restart_honours_each_members_policy(Strategy::RestForOne).await;
}

#[tokio::test(start_paused = true)]
async fn a_stop_by_user_code_is_an_exit_and_a_permanent_child_restarts() {
    let worker = ChildSpec::new("w", TaskRole::Worker, |ctx: ChildContext| async move {
        let token = ctx.cancellation_token();
        ctx.spawn({
            let token = token.clone();
            async move {
                sleep(secs(1)).await;
                token.cancel();
            }
        });
        token.cancelled().await;
        Ok::<(), std::io::Error>(())
    })
    .restart(RestartPolicy::Permanent);
    let mut tree = TestTree::start(SupervisorSpec::new("app").child(worker));
    let exited = tree.run_until(&EventPattern::exited("app/w")).await;
    assert_eq!(
        exited.kind,
        EventKind::Exited {
            exit: ChildExit::Completed
        }
    );
    tree.run_until(&EventPattern::started("app/w").generation(2))
        .await;
    tree.shutdown().await.assert_no_orphans();
}

#[tokio::test(start_paused = true)]
async fn a_stop_by_user_code_of_a_significant_child_triggers_auto_shutdown() {
    let batch = ChildSpec::new("batch", TaskRole::Worker, |ctx: ChildContext| async move {
        let token = ctx.cancellation_token();
        token.cancel();
        token.cancelled().await;
        // Returns at a later poll, after the runtime has seen the token
        // cancelled.
        sleep(secs(1)).await;
    })
    .restart(RestartPolicy::Transient)
    .significant(true);
    let spec = SupervisorSpec::new("app")
        .auto_shutdown(supervisor_core::AutoShutdown::AnySignificant)
        .child(ChildSpec::new("api", TaskRole::Service, idle))
        .child(batch);
    let mut tree = TestTree::start(spec);
    tokio::time::timeout(secs(5), tree.wait())
        .await
        .expect("the tree did not shut itself down")
        .unwrap();
}

#[tokio::test(start_paused = true)]
async fn an_escalated_tree_answers_snapshot_with_its_final_state() {
    let crash = ChildSpec::without_context("crash", TaskRole::Service, || async {
        Err::<(), _>("boom")
    })
    .backoff(supervisor_core::BackoffPolicy::NONE)
    .restart_limit(supervisor_core::RestartLimit::new(1, secs(60)));
    let spec = SupervisorSpec::new("app")
        .child(ChildSpec::new("api", TaskRole::Service, idle))
        .child(crash);
    let mut tree = TestTree::start(spec);
    assert!(tree.wait().await.is_err());
    let snapshot = tree.handle().snapshot().await.unwrap();
    let crash = snapshot.find("app/crash").unwrap();
    assert_eq!(crash.state, ChildState::Stopped);
    assert_eq!(crash.last_exit, Some(ChildExit::Failed("boom".into())));
    assert_eq!(snapshot.find("app/api").unwrap().state, ChildState::Stopped);
    let done = tree.shutdown().await;
    assert!(
        !done.report.is_clean(),
        "the report says clean after an escalation"
    );
    let pattern = EventPattern::supervisor_stopped("app");
    let stopped = done.trace.matching(&pattern).next().unwrap();
    assert_eq!(stopped.kind, EventKind::SupervisorStopped { clean: false });
}

#[tokio::test(start_paused = true)]
async fn clean_means_the_same_in_the_report_the_event_and_the_run_summary() {
    let spec = SupervisorSpec::new("app").child(ChildSpec::new("api", TaskRole::Service, idle));
    let summary = supervisor_core::run_until(spec, sleep(secs(1))).await;
    let report = summary.report.as_ref().unwrap();
    assert!(summary.is_success() && report.is_clean());
    let mut tree = TestTree::start(SupervisorSpec::new("app").child(ChildSpec::new(
        "api",
        TaskRole::Service,
        idle,
    )));
    tree.run_for(secs(1)).await;
    let done = tree.shutdown().await;
    let clean = done.report.is_clean();
    done.trace
        .assert_in_order(&[EventPattern::supervisor_stopped("app").clean(clean)]);
}
