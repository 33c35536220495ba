//! Readiness, heartbeats, deadlines, panics and backoff, on the paused clock.

mod support;

use std::time::Duration;

use supervisor_core::{
    BackoffPolicy, ChildContext, ChildSpec, EventKind, RestartLimit, Supervisor, SupervisorSpec,
    TaskRole, policy::ChildExit,
};
use support::{started, wait_for};
use tokio::time::{Instant, sleep};

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

fn exited(path: &'static str) -> impl FnMut(&supervisor_core::SupervisorEvent) -> bool {
    move |e| &*e.path == path && matches!(e.kind, EventKind::Exited { .. })
}

fn exit_of(event: &supervisor_core::SupervisorEvent) -> ChildExit {
    match &event.kind {
        EventKind::Exited { exit } => exit.clone(),
        other => panic!("not an exit: {other:?}"),
    }
}

async fn idle(ctx: ChildContext) {
    ctx.cancelled().await
}

#[tokio::test(start_paused = true)]
async fn a_child_with_ready_timeout_holds_the_next_start_until_ready() {
    let slow_to_ready = ChildSpec::new("db", TaskRole::Service, |ctx: ChildContext| async move {
        sleep(secs(3)).await;
        ctx.ready();
        ctx.cancelled().await;
    })
    .ready_timeout(secs(10));
    let spec = SupervisorSpec::new("app")
        .child(slow_to_ready)
        .child(ChildSpec::new("api", TaskRole::Service, idle));
    let t0 = Instant::now();
    let (handle, mut events) = Supervisor::builder().launch_with_events(spec).unwrap();
    let ready = wait_for(&mut events, |e| e.kind == EventKind::Ready).await;
    assert_eq!(&*ready.path, "app/db");
    let api = wait_for(&mut events, started("app/api")).await;
    assert!(api.seq > ready.seq);
    assert_eq!(Instant::now() - t0, secs(3));
    let snapshot = handle.snapshot().await.unwrap();
    assert!(snapshot.children[0].ready);
    handle.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn a_child_late_to_ready_fails_its_start_and_is_restarted() {
    let never_ready = ChildSpec::new("db", TaskRole::Service, idle)
        .ready_timeout(secs(2))
        .backoff(BackoffPolicy::NONE);
    let spec = SupervisorSpec::new("app")
        .child(never_ready)
        .child(ChildSpec::new("api", TaskRole::Service, idle));
    let (handle, mut events) = Supervisor::builder().launch_with_events(spec).unwrap();
    let exit = wait_for(&mut events, exited("app/db")).await;
    assert_eq!(exit_of(&exit), ChildExit::NotReady);
    assert_eq!(exit.elapsed, secs(2));
    let restarted = wait_for(&mut events, |e| e.kind == EventKind::Started).await;
    assert_eq!((&*restarted.path, restarted.generation), ("app/db", 2));
    let snapshot = handle.snapshot().await.unwrap();
    assert_eq!(snapshot.children[1].generation, 0, "api must wait for db");
    handle.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn a_child_silent_past_its_heartbeat_is_restarted_as_missed_heartbeat() {
    let beats_then_stops =
        ChildSpec::new("api", TaskRole::Service, |ctx: ChildContext| async move {
            for _ in 0..3 {
                sleep(secs(1)).await;
                ctx.heartbeat();
            }
            ctx.cancelled().await;
        })
        .heartbeat(secs(2))
        .backoff(BackoffPolicy::NONE);
    let (handle, mut events) = Supervisor::builder()
        .launch_with_events(SupervisorSpec::new("app").child(beats_then_stops))
        .unwrap();
    let exit = wait_for(&mut events, exited("app/api")).await;
    assert_eq!(exit_of(&exit), ChildExit::MissedHeartbeat);
    assert_eq!(exit.elapsed, secs(5), "last beat at 3 s, period 2 s");
    let again = wait_for(&mut events, started("app/api")).await;
    assert_eq!(again.generation, 2);
    handle.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn a_child_that_keeps_beating_is_left_alone() {
    let beats = ChildSpec::new("api", TaskRole::Service, |ctx: ChildContext| async move {
        loop {
            tokio::select! {
                () = ctx.cancelled() => return,
                () = sleep(secs(1)) => ctx.heartbeat(),
            }
        }
    })
    .heartbeat(secs(2));
    let handle = Supervisor::start(SupervisorSpec::new("app").child(beats)).unwrap();
    sleep(secs(60)).await;
    let snapshot = handle.snapshot().await.unwrap();
    assert_eq!(snapshot.children[0].generation, 1);
    handle.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn a_run_past_its_timeout_is_stopped_and_counted_as_timed_out() {
    let slow = ChildSpec::new("report", TaskRole::Worker, idle)
        .timeout(secs(30))
        .backoff(BackoffPolicy::NONE);
    let (handle, mut events) = Supervisor::builder()
        .launch_with_events(SupervisorSpec::new("app").child(slow))
        .unwrap();
    let exit = wait_for(&mut events, exited("app/report")).await;
    assert_eq!(exit_of(&exit), ChildExit::TimedOut);
    assert_eq!(exit.elapsed, secs(30));
    wait_for(&mut events, started("app/report")).await;
    handle.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn a_panicking_child_is_restarted_and_its_message_is_in_the_event() {
    let panics_once = ChildSpec::new("api", TaskRole::Service, |ctx: ChildContext| async move {
        if ctx.generation() == 1 {
            panic!("index out of range: 7");
        }
        ctx.cancelled().await;
    })
    .backoff(BackoffPolicy::NONE);
    let (handle, mut events) = Supervisor::builder()
        .launch_with_events(SupervisorSpec::new("app").child(panics_once))
        .unwrap();
    let exit = wait_for(&mut events, exited("app/api")).await;
    assert_eq!(
        exit_of(&exit),
        ChildExit::Panicked("index out of range: 7".into())
    );
    let again = wait_for(&mut events, started("app/api")).await;
    assert_eq!(again.generation, 2);
    let snapshot = handle.snapshot().await.unwrap();
    assert_eq!(
        snapshot.children[0].last_exit,
        Some(ChildExit::Panicked("index out of range: 7".into()))
    );
    handle.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn backoff_delays_in_events_match_the_policy() {
    let always_fails = ChildSpec::without_context("sync", TaskRole::Worker, || async {
        Err::<(), _>("unreachable host")
    })
    .backoff(BackoffPolicy::DEFAULT.jitter(0.0))
    .restart_limit(RestartLimit::UNLIMITED);
    let (handle, mut events) = Supervisor::builder()
        .launch_with_events(SupervisorSpec::new("app").child(always_fails))
        .unwrap();
    let mut delays = Vec::new();
    let mut gaps = Vec::new();
    for _ in 0..8 {
        let scheduled = wait_for(&mut events, |e| {
            matches!(e.kind, EventKind::RestartScheduled { .. })
        })
        .await;
        let EventKind::RestartScheduled { delay } = scheduled.kind else {
            unreachable!()
        };
        let next = wait_for(&mut events, started("app/sync")).await;
        delays.push(delay.as_millis());
        gaps.push((next.elapsed - scheduled.elapsed).as_millis());
    }
    assert_eq!(delays, [50, 100, 200, 400, 800, 1600, 3200, 5000]);
    assert_eq!(
        gaps, delays,
        "the restart waits exactly the scheduled delay"
    );
    handle.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn jittered_delays_are_the_same_for_the_same_seed() {
    async fn delays(seed: u64) -> Vec<Duration> {
        let fails =
            ChildSpec::without_context("sync", TaskRole::Worker, || async { Err::<(), _>("x") })
                .restart_limit(RestartLimit::UNLIMITED);
        let spec = SupervisorSpec::new("app").jitter_seed(seed).child(fails);
        let (handle, mut events) = Supervisor::builder().launch_with_events(spec).unwrap();
        let mut delays = Vec::new();
        while delays.len() < 5 {
            let scheduled = wait_for(&mut events, |event| {
                matches!(event.kind, EventKind::RestartScheduled { .. })
            })
            .await;
            if let EventKind::RestartScheduled { delay } = scheduled.kind {
                delays.push(delay);
            }
        }
        handle.shutdown().await;
        delays
    }
    let first = delays(7).await;
    assert_eq!(first, delays(7).await);
    assert_ne!(first, delays(8).await);
}

#[tokio::test(start_paused = true)]
async fn a_worker_that_completes_is_not_restarted() {
    let once = ChildSpec::without_context("once", TaskRole::Worker, || async {});
    let (handle, mut events) = Supervisor::builder()
        .launch_with_events(SupervisorSpec::new("app").child(once))
        .unwrap();
    let stopped = wait_for(&mut events, |e| matches!(e.kind, EventKind::Stopped { .. })).await;
    assert_eq!(&*stopped.path, "app/once");
    let snapshot = handle.snapshot().await.unwrap();
    assert_eq!(
        snapshot.children[0].state,
        supervisor_core::ChildState::Stopped
    );
    assert_eq!(snapshot.children[0].last_exit, Some(ChildExit::Completed));
    handle.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn a_group_restart_that_stops_a_child_not_yet_ready_does_not_stall_starts() {
    use supervisor_core::testing::{EventPattern, FaultScript, Step, TestTree};
    let a = FaultScript::new()
        .on_attempt(1, Step::fail_after(secs(1), "a fails"))
        .child("a", TaskRole::Service)
        .backoff(BackoffPolicy::NONE);
    let slow_ready = ChildSpec::new("b", TaskRole::Service, |ctx: ChildContext| async move {
        sleep(secs(5)).await;
        ctx.ready();
        ctx.cancelled().await;
    })
    .ready_timeout(secs(10));
    let c = FaultScript::new().child("c", TaskRole::Service);
    let spec = SupervisorSpec::new("app")
        .strategy(supervisor_core::Strategy::RestForOne)
        .child(a)
        .child(slow_ready)
        .child(c);
    let mut tree = TestTree::start(spec);
    tree.run_until(&EventPattern::started("app/a").generation(2))
        .await;
    tree.run_until(&EventPattern::started("app/c").generation(1))
        .await;
    tree.shutdown().await.assert_no_orphans();
}

/// An instance under a deadline watch is announced ready once however
/// often it calls `ready()`, and a stop that reaches it mid-watch cancels it
/// at once: it exits as cancelled, in time, with no deadline counted.
#[tokio::test(start_paused = true)]
async fn a_stop_during_a_deadline_watch_cancels_at_once_and_readiness_is_announced_once() {
    use supervisor_core::{
        ShutdownPolicy, StopOutcome,
        testing::{EventPattern, TestTree},
    };
    let beating = ChildSpec::new("beat", TaskRole::Service, |ctx: ChildContext| async move {
        ctx.ready();
        ctx.ready();
        loop {
            tokio::select! {
                () = ctx.cancelled() => return,
                () = sleep(secs(1)) => {
                    ctx.heartbeat();
                    ctx.ready();
                }
            }
        }
    })
    .heartbeat(secs(5))
    .timeout(secs(3600))
    .ready_timeout(secs(10))
    .shutdown(ShutdownPolicy::Timeout(secs(30)));
    let mut tree = TestTree::start(SupervisorSpec::new("app").child(beating));
    tree.run_for(secs(20)).await;
    let t0 = Instant::now();
    let done = tree.shutdown().await;
    assert_eq!(Instant::now(), t0, "the stop took none of the grace");
    assert_eq!(done.report.children[0].outcome, StopOutcome::ExitedInTime);
    assert_eq!(done.trace.count(&EventPattern::ready("app/beat")), 1);
    assert_eq!(done.trace.count(&EventPattern::started("app/beat")), 1);
    assert_eq!(
        done.trace.count(
            &EventPattern::exited("app/beat")
                .reason(supervisor_core::policy::ExitReason::Cancelled)
        ),
        1
    );
    done.assert_no_orphans();
}
