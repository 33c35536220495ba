//! Shutdown, escalation and zero orphans.

mod support;

use std::{
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use supervisor_core::{
    AutoShutdown, BackoffPolicy, ChildContext, ChildSpec, EventKind, RestartLimit, RestartPolicy,
    ShutdownPolicy, StopOutcome, Strategy, Supervisor, SupervisorSpec, TaskRole,
    policy::EscalationReason,
};
use support::{drain, settle, wait_for};
use tokio::time::{Instant, sleep};

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

async fn idle(ctx: ChildContext) {
    ctx.cancelled().await
}

fn alive_tasks() -> usize {
    tokio::runtime::Handle::current()
        .metrics()
        .num_alive_tasks()
}

#[tokio::test(start_paused = true)]
async fn a_child_that_ignores_cancellation_is_aborted_after_its_grace() {
    let stubborn = ChildSpec::without_context("stubborn", TaskRole::Service, || async {
        sleep(Duration::from_secs(3600)).await;
    })
    .shutdown(ShutdownPolicy::Timeout(secs(2)));
    let polite = ChildSpec::new("polite", TaskRole::Service, idle);
    let handle =
        Supervisor::start(SupervisorSpec::new("app").child(polite).child(stubborn)).unwrap();
    settle().await;
    let t0 = Instant::now();
    let report = handle.shutdown().await;
    let paths: Vec<_> = report
        .children
        .iter()
        .map(|c| (&*c.path, c.outcome))
        .collect();
    assert_eq!(
        paths,
        [
            ("app/stubborn", StopOutcome::Aborted),
            ("app/polite", StopOutcome::ExitedInTime)
        ]
    );
    assert_eq!(report.children[0].took, secs(2));
    assert_eq!(Instant::now() - t0, secs(2));
    assert!(report.is_clean() && !report.all_exited_in_time());
}

#[tokio::test(start_paused = true)]
async fn brutal_shutdown_aborts_without_waiting() {
    let brutal = ChildSpec::new("cache", TaskRole::Service, idle).shutdown(ShutdownPolicy::Brutal);
    let handle = Supervisor::start(SupervisorSpec::new("app").child(brutal)).unwrap();
    settle().await;
    let t0 = Instant::now();
    let report = handle.shutdown().await;
    assert_eq!(report.children[0].outcome, StopOutcome::Aborted);
    assert_eq!(Instant::now(), t0);
}

#[tokio::test(start_paused = true)]
async fn shutdown_during_a_five_minute_backoff_returns_at_once() {
    let failing =
        ChildSpec::without_context("sync", TaskRole::Worker, || async { Err::<(), _>("down") })
            .backoff(
                BackoffPolicy::DEFAULT
                    .initial(Duration::from_secs(300))
                    .max(Duration::from_secs(300))
                    .jitter(0.0),
            );
    let (handle, mut events) = Supervisor::builder()
        .launch_with_events(SupervisorSpec::new("app").child(failing))
        .unwrap();
    wait_for(&mut events, |e| {
        matches!(e.kind, EventKind::RestartScheduled { .. })
    })
    .await;
    let t0 = Instant::now();
    let report = handle.shutdown().await;
    assert_eq!(Instant::now(), t0);
    assert_eq!(report.children[0].outcome, StopOutcome::AlreadyStopped);
    let after: Vec<_> = drain(&mut events).await;
    assert!(
        after.iter().all(|e| e.kind != EventKind::Started),
        "{after:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn no_task_of_the_tree_outlives_shutdown() {
    let before = alive_tasks();
    let with_helpers = ChildSpec::new("api", TaskRole::Service, |ctx: ChildContext| async move {
        let helper = ctx.clone();
        ctx.spawn(async move { helper.cancelled().await });
        ctx.spawn(async { sleep(Duration::from_secs(3600)).await });
        ctx.cancelled().await;
    })
    .shutdown(ShutdownPolicy::Timeout(secs(1)));
    let beating = ChildSpec::new("beat", TaskRole::Service, |ctx: ChildContext| async move {
        ctx.ready();
        loop {
            tokio::select! {
                () = ctx.cancelled() => return,
                () = sleep(secs(1)) => ctx.heartbeat(),
            }
        }
    })
    .heartbeat(secs(5))
    .timeout(secs(3600))
    .ready_timeout(secs(10));
    let backing_off =
        ChildSpec::without_context("retry", TaskRole::Worker, || async { Err::<(), _>("x") })
            .backoff(BackoffPolicy::DEFAULT.initial(secs(60)).max(secs(60)));
    let nested = ChildSpec::supervisor(
        SupervisorSpec::new("pool")
            .child(ChildSpec::new("w1", TaskRole::Worker, idle))
            .child(ChildSpec::new("w2", TaskRole::Worker, idle)),
    );
    let spec = SupervisorSpec::new("app")
        .child(with_helpers)
        .child(beating)
        .child(backing_off)
        .child(nested);
    let handle = Supervisor::start(spec).unwrap();
    sleep(secs(10)).await;
    assert!(
        alive_tasks() >= before + 7,
        "tree should be running: {}",
        alive_tasks()
    );
    let report = handle.shutdown().await;
    assert_eq!(alive_tasks(), before, "{report:?}");
    let helpers_aborted = report.find("app/api").unwrap().outcome;
    assert_eq!(
        helpers_aborted,
        StopOutcome::Aborted,
        "the sleeping helper was aborted"
    );
}

#[tokio::test(start_paused = true)]
async fn ten_thousand_idle_children_start_and_shut_down() {
    let before = alive_tasks();
    let spec = SupervisorSpec::new("app")
        .children((0..10_000).map(|i| ChildSpec::new(format!("c{i}"), TaskRole::Service, idle)));
    let handle = Supervisor::start(spec).unwrap();
    settle().await;
    assert_eq!(alive_tasks(), before + 10_001);
    let report = handle.shutdown().await;
    assert_eq!(report.children.len(), 10_000);
    assert_eq!(&*report.children[0].path, "app/c9999");
    assert!(
        report
            .children
            .iter()
            .all(|c| c.outcome == StopOutcome::ExitedInTime)
    );
    assert_eq!(alive_tasks(), before);
}

#[tokio::test(start_paused = true)]
async fn shutdown_twice_or_concurrently_gets_the_same_report() {
    let slow = ChildSpec::new("slow", TaskRole::Service, |ctx: ChildContext| async move {
        ctx.cancelled().await;
        sleep(secs(1)).await;
    });
    let handle = Supervisor::start(SupervisorSpec::new("app").child(slow)).unwrap();
    settle().await;
    let other = handle.clone();
    let (first, second) = tokio::join!(handle.shutdown(), other.shutdown());
    assert_eq!(first, second);
    assert_eq!(first, handle.shutdown().await);
    assert_eq!(first.took, secs(1));
    assert!(handle.wait().await.is_ok());
}

#[tokio::test(start_paused = true)]
async fn shutdown_reports_nested_children_before_their_supervisor() {
    let pool = SupervisorSpec::new("pool")
        .child(ChildSpec::new("w1", TaskRole::Worker, idle))
        .child(ChildSpec::new("w2", TaskRole::Worker, idle));
    let spec = SupervisorSpec::new("app")
        .child(ChildSpec::new("api", TaskRole::Service, idle))
        .child(ChildSpec::supervisor(pool));
    let handle = Supervisor::start(spec).unwrap();
    settle().await;
    let snapshot = handle.snapshot().await.unwrap();
    assert_eq!(snapshot.find("app/pool/w2").unwrap().generation, 1);
    let report = handle.shutdown().await;
    let order: Vec<_> = report.children.iter().map(|c| &*c.path).collect();
    assert_eq!(order, ["app/pool/w2", "app/pool/w1", "app/pool", "app/api"]);
}

/// A tree three levels deep whose innermost worker always fails.
fn three_levels() -> SupervisorSpec {
    let failing = ChildSpec::without_context("leaf", TaskRole::Worker, || async {
        Err::<(), _>("disk on fire")
    })
    .backoff(BackoffPolicy::NONE);
    let fast = |spec: SupervisorSpec| {
        ChildSpec::supervisor(spec)
            .backoff(BackoffPolicy::NONE)
            .restart_limit(RestartLimit::new(1, secs(60)))
    };
    let level2 = SupervisorSpec::new("l2").child(failing);
    let level1 = SupervisorSpec::new("l1").child(fast(level2));
    SupervisorSpec::new("root")
        .child(ChildSpec::new("api", TaskRole::Service, idle))
        .child(fast(level1))
}

#[tokio::test(start_paused = true)]
async fn escalation_through_three_levels_reaches_the_root_which_stops_everything() {
    let before = alive_tasks();
    let (handle, mut events) = Supervisor::builder()
        .launch_with_events(three_levels())
        .unwrap();
    let error = handle.wait().await.unwrap_err();
    assert_eq!(&*error.supervisor, "root");
    assert_eq!(&*error.child, "root/l1");
    assert!(matches!(
        error.reason,
        EscalationReason::ChildRestartLimit { .. }
    ));
    assert_eq!(alive_tasks(), before);
    let trace = drain(&mut events).await;
    let escalations: Vec<_> = trace
        .iter()
        .filter(|e| matches!(e.kind, EventKind::Escalated { .. }))
        .map(|e| &*e.path)
        .collect();
    assert_eq!(escalations.last(), Some(&"root"));
    assert!(escalations.contains(&"root/l1/l2"));
    assert!(escalations.contains(&"root/l1"));
    let api_stopped = trace.iter().any(|e| {
        &*e.path == "root/api"
            && e.kind
                == EventKind::Exited {
                    exit: supervisor_core::policy::ChildExit::Cancelled,
                }
    });
    assert!(api_stopped, "the root stops its other children");
    let last = trace.last().unwrap();
    assert_eq!(
        (&*last.path, &last.kind),
        ("root", &EventKind::SupervisorStopped { clean: false })
    );
}

#[tokio::test(start_paused = true)]
async fn child_intensity_resets_once_the_window_passes() {
    let every_20s = ChildSpec::without_context("cron", TaskRole::Worker, || async {
        sleep(secs(20)).await;
        Err::<(), _>("tick failed")
    })
    .backoff(BackoffPolicy::NONE)
    .restart_limit(RestartLimit::new(2, secs(30)));
    let handle = Supervisor::start(SupervisorSpec::new("app").child(every_20s)).unwrap();
    sleep(secs(300)).await;
    let snapshot = handle.snapshot().await.unwrap();
    assert!(
        snapshot.children[0].generation >= 15,
        "{:?}",
        snapshot.children[0]
    );
    assert!(!handle.is_finished());
    handle.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn a_subscriber_that_never_reads_does_not_hold_restarts_back() {
    let count = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&count);
    let flapping = ChildSpec::without_context("flap", TaskRole::Worker, move || {
        counter.fetch_add(1, Ordering::Relaxed);
        async { Err::<(), _>("flap") }
    })
    .backoff(BackoffPolicy::NONE)
    .restart_limit(RestartLimit::UNLIMITED);
    let spec = SupervisorSpec::new("app")
        .restart_limit(RestartLimit::UNLIMITED)
        .child(flapping);
    let (handle, mut stuck) = Supervisor::builder()
        .event_capacity(16)
        .launch_with_events(spec)
        .unwrap();
    // Bounded by turns of the scheduler, not by time: the flapping child
    // restarts at every turn or two.
    for _ in 0..1_000_000 {
        if count.load(Ordering::Relaxed) >= 5_000 {
            break;
        }
        tokio::task::yield_now().await;
    }
    assert!(
        count.load(Ordering::Relaxed) >= 5_000,
        "the child stopped restarting"
    );
    handle.shutdown().await;
    match stuck.recv().await {
        Err(supervisor_core::EventStreamError::Lagged(missed)) => {
            assert!(missed > 10_000, "{missed}")
        }
        other => panic!("expected a lag report, got {other:?}"),
    }
}

#[tokio::test(start_paused = true)]
async fn any_significant_child_finishing_stops_the_supervisor_cleanly() {
    let batch = ChildSpec::without_context("batch", TaskRole::Worker, || async {
        sleep(secs(5)).await;
    })
    .significant(true);
    let spec = SupervisorSpec::new("app")
        .auto_shutdown(AutoShutdown::AnySignificant)
        .child(ChildSpec::new("api", TaskRole::Service, idle))
        .child(batch);
    let handle = Supervisor::start(spec).unwrap();
    handle.wait().await.unwrap();
    assert!(handle.is_finished());
}

#[tokio::test(start_paused = true)]
async fn all_significant_waits_for_the_last_significant_child() {
    let after = |id: &'static str, n| {
        ChildSpec::without_context(
            id,
            TaskRole::Worker,
            move || async move { sleep(secs(n)).await },
        )
        .restart(RestartPolicy::Temporary)
        .significant(true)
    };
    // Workers, not jobs: a job would hold `b` until it completes.
    let spec = SupervisorSpec::new("app")
        .auto_shutdown(AutoShutdown::AllSignificant)
        .child(after("a", 1))
        .child(after("b", 7));
    let t0 = Instant::now();
    let handle = Supervisor::start(spec).unwrap();
    handle.wait().await.unwrap();
    assert_eq!(Instant::now() - t0, secs(7));
}

#[tokio::test(start_paused = true)]
async fn one_for_all_restart_never_overlaps_old_and_new_instances_under_slow_stops() {
    let live = Arc::new(AtomicUsize::new(0));
    let max = Arc::new(AtomicUsize::new(0));
    let slow_stopper = |id: &'static str, live: Arc<AtomicUsize>, max: Arc<AtomicUsize>| {
        ChildSpec::new(id, TaskRole::Service, move |ctx: ChildContext| {
            let (live, max) = (Arc::clone(&live), Arc::clone(&max));
            async move {
                let now = live.fetch_add(1, Ordering::SeqCst) + 1;
                max.fetch_max(now, Ordering::SeqCst);
                if ctx.generation() == 1 && ctx.id() == "b" {
                    sleep(secs(1)).await;
                    live.fetch_sub(1, Ordering::SeqCst);
                    return Err("b fails".to_owned());
                }
                ctx.cancelled().await;
                sleep(Duration::from_millis(500)).await;
                live.fetch_sub(1, Ordering::SeqCst);
                Ok(())
            }
        })
        .backoff(BackoffPolicy::NONE)
    };
    let spec = SupervisorSpec::new("app")
        .strategy(Strategy::OneForAll)
        .child(slow_stopper("a", Arc::clone(&live), Arc::clone(&max)))
        .child(slow_stopper("b", Arc::clone(&live), Arc::clone(&max)));
    let (handle, mut events) = Supervisor::builder().launch_with_events(spec).unwrap();
    wait_for(&mut events, |e| {
        &*e.path == "app/b" && e.generation == 2 && e.kind == EventKind::Started
    })
    .await;
    settle().await;
    assert_eq!(live.load(Ordering::SeqCst), 2);
    assert_eq!(
        max.load(Ordering::SeqCst),
        2,
        "old and new instances overlapped"
    );
    handle.shutdown().await;
}

/// A runtime dropped under a running tree drops every instance unfinished;
/// a helper that holds its instance's context must not keep that context,
/// and itself, alive through the context's own helper set.
#[test]
fn a_runtime_dropped_under_a_tree_leaves_no_helper_holding_its_context() {
    let marker = Arc::new(());
    let held = Arc::clone(&marker);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async move {
        let spec = ChildSpec::new("api", TaskRole::Service, move |ctx: ChildContext| {
            let held = Arc::clone(&held);
            async move {
                let helper_ctx = ctx.clone();
                ctx.spawn(async move {
                    let _held = held;
                    helper_ctx.cancelled().await;
                });
                ctx.cancelled().await;
                Ok::<(), std::io::Error>(())
            }
        });
        let handle = Supervisor::start(SupervisorSpec::new("app").child(spec)).unwrap();
        for _ in 0..10 {
            tokio::task::yield_now().await;
        }
        // The handle goes with the runtime: nothing is shut down.
        std::mem::forget(handle);
    });
    drop(runtime);
    assert_eq!(
        Arc::strong_count(&marker),
        1,
        "a helper and the context it holds outlived the runtime"
    );
}
