//! The handle: control calls, typed errors, snapshots, events as data, and
//! running a tree as `main` does.

mod support;

use std::time::Duration;

use supervisor_core::{
    BackoffPolicy, ChildContext, ChildSpec, ChildState, ControlError, EventKind, RestartLimit,
    RunFailure, Supervisor, SupervisorSpec, TaskRole, policy::ChildExit, run_until,
};
use support::{settle, started, wait_for};

async fn idle(ctx: ChildContext) {
    ctx.cancelled().await
}

fn app() -> SupervisorSpec {
    SupervisorSpec::new("app")
        .child(ChildSpec::new("api", TaskRole::Service, idle))
        .child(ChildSpec::new("metrics", TaskRole::Sidecar, idle).primary("api"))
}

#[tokio::test(start_paused = true)]
async fn every_control_call_with_an_unknown_id_returns_the_typed_error() {
    let handle = Supervisor::start(app()).unwrap();
    let unknown = || ControlError::UnknownChild { id: "ghost".into() };
    assert_eq!(handle.remove_child("ghost").await, Err(unknown()));
    assert_eq!(handle.restart_child("ghost").await, Err(unknown()));
    assert_eq!(handle.stop_child("ghost").await, Err(unknown()));
    assert_eq!(handle.start_child("ghost").await, Err(unknown()));
    handle.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn calls_after_shutdown_say_the_supervisor_stopped() {
    let handle = Supervisor::start(app()).unwrap();
    handle.shutdown().await;
    assert_eq!(handle.stop_child("api").await, Err(ControlError::Stopped));
    let last = handle.snapshot().await.unwrap();
    assert_eq!(last.find("app/api").unwrap().state, ChildState::Stopped);
    let late = ChildSpec::new("late", TaskRole::Worker, idle);
    assert_eq!(handle.add_child(late).await, Err(ControlError::Stopped));
}

#[tokio::test(start_paused = true)]
async fn add_child_checks_the_rule_table_against_the_running_tree() {
    let handle = Supervisor::start(app()).unwrap();
    let duplicate = ChildSpec::new("api", TaskRole::Worker, idle);
    let Err(ControlError::InvalidSpec(error)) = handle.add_child(duplicate).await else {
        panic!("a second `api` was accepted");
    };
    assert_eq!(error.violations()[0].rule.name, "duplicate_child_id");
    let orphan = ChildSpec::new("logs", TaskRole::Sidecar, idle).primary("db");
    let Err(ControlError::InvalidSpec(error)) = handle.add_child(orphan).await else {
        panic!("a sidecar of an unknown primary was accepted");
    };
    assert_eq!(error.violations()[0].rule.name, "primary_not_in_tree");
    let on_sidecar = ChildSpec::new("logs", TaskRole::Sidecar, idle).primary("metrics");
    let Err(ControlError::InvalidSpec(error)) = handle.add_child(on_sidecar).await else {
        panic!("a sidecar of a sidecar was accepted");
    };
    assert_eq!(error.violations()[0].rule.name, "primary_is_sidecar");
    handle
        .add_child(ChildSpec::new("logs", TaskRole::Sidecar, idle).primary("api"))
        .await
        .unwrap();
    settle().await;
    let snapshot = handle.snapshot().await.unwrap();
    let logs = snapshot.find("app/logs").unwrap();
    assert_eq!((logs.state, logs.generation), (ChildState::Running, 1));
    handle.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn remove_child_stops_it_with_its_sidecars_and_forgets_them() {
    let handle =
        Supervisor::start(app().child(ChildSpec::new("db", TaskRole::Service, idle))).unwrap();
    settle().await;
    handle.remove_child("api").await.unwrap();
    let snapshot = handle.snapshot().await.unwrap();
    let paths: Vec<_> = snapshot.children.iter().map(|c| &*c.path).collect();
    assert_eq!(paths, ["app/db"]);
    assert_eq!(
        handle.stop_child("metrics").await,
        Err(ControlError::UnknownChild {
            id: "metrics".into()
        })
    );
    handle
        .add_child(ChildSpec::new("api", TaskRole::Service, idle))
        .await
        .unwrap();
    handle.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn restart_child_starts_a_new_generation_without_counting_toward_limits() {
    let once = ChildSpec::new("api", TaskRole::Service, idle)
        .restart_limit(RestartLimit::new(1, Duration::from_secs(60)));
    let handle = Supervisor::start(SupervisorSpec::new("app").child(once)).unwrap();
    for _ in 0..5 {
        handle.restart_child("api").await.unwrap();
    }
    settle().await;
    let snapshot = handle.snapshot().await.unwrap();
    assert_eq!(snapshot.children[0].generation, 6);
    assert_eq!(snapshot.children[0].state, ChildState::Running);
    assert!(!handle.is_finished());
    handle.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn stop_then_start_a_child() {
    let handle = Supervisor::start(app()).unwrap();
    settle().await;
    handle.stop_child("api").await.unwrap();
    let snapshot = handle.snapshot().await.unwrap();
    let states: Vec<_> = snapshot.children.iter().map(|c| c.state).collect();
    assert_eq!(states, [ChildState::Stopped, ChildState::Stopped]);
    assert_eq!(snapshot.children[0].last_exit, Some(ChildExit::Cancelled));
    assert_eq!(handle.start_child("metrics").await, Ok(()));
    assert_eq!(handle.start_child("api").await, Ok(()));
    assert_eq!(
        handle.start_child("api").await,
        Err(ControlError::AlreadyRunning { id: "api".into() })
    );
    handle.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn snapshot_shows_state_generation_restarts_and_last_exit_through_nested_trees() {
    let flaky =
        ChildSpec::without_context("flaky", TaskRole::Worker, || async { Err::<(), _>("nope") })
            .backoff(
                BackoffPolicy::DEFAULT
                    .initial(Duration::from_secs(60))
                    .max(Duration::from_secs(60))
                    .jitter(0.0),
            );
    let pool = SupervisorSpec::new("pool").child(flaky);
    let spec = app().child(ChildSpec::supervisor(pool));
    let (handle, mut events) = Supervisor::builder().launch_with_events(spec).unwrap();
    wait_for(&mut events, |e| {
        matches!(e.kind, EventKind::RestartScheduled { .. })
    })
    .await;
    let snapshot = handle.snapshot().await.unwrap();
    let flaky = snapshot.find("app/pool/flaky").unwrap();
    assert_eq!(flaky.state, ChildState::BackingOff);
    assert_eq!(flaky.generation, 1);
    assert_eq!(flaky.last_exit, Some(ChildExit::Failed("nope".into())));
    let pool = snapshot.find("app/pool").unwrap();
    assert_eq!(
        (pool.role, pool.state, pool.ready),
        (TaskRole::Supervisor, ChildState::Running, true)
    );
    assert_eq!(snapshot.walk().len(), 4);
    let json = serde_json::to_value(&snapshot).unwrap();
    assert_eq!(
        json["children"][2]["tree"]["children"][0]["state"],
        "backing_off"
    );
    wait_for(&mut events, |e| {
        &*e.path == "app/pool/flaky" && e.generation == 2 && e.kind == EventKind::Started
    })
    .await;
    handle.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn events_are_numbered_in_order_and_serialize() {
    let (handle, mut events) = Supervisor::builder().launch_with_events(app()).unwrap();
    let first = wait_for(&mut events, started("app/api")).await;
    let second = wait_for(&mut events, started("app/metrics")).await;
    assert_eq!((first.seq, second.seq), (0, 1));
    assert_eq!(second.generation, 1);
    assert_eq!(first.timestamp, second.timestamp, "same elapsed, same time");
    let json = serde_json::to_string(&second).unwrap();
    let timestamp = humantime::format_rfc3339_nanos(second.timestamp).to_string();
    assert_eq!(
        json,
        format!(
            r#"{{"seq":1,"path":"app/metrics","generation":1,"elapsed_seconds":0.0,"timestamp":"{timestamp}","kind":{{"event":"started"}}}}"#
        )
    );
    let back: supervisor_core::SupervisorEvent = serde_json::from_str(&json).unwrap();
    assert_eq!(back, second);
    handle.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn the_handle_is_usable_from_other_tasks() {
    let handle = Supervisor::start(app()).unwrap();
    let remote = handle.clone();
    let restarted = tokio::spawn(async move { remote.restart_child("api").await });
    restarted.await.unwrap().unwrap();
    handle.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn run_until_shuts_down_cleanly_when_asked_and_reports_success() {
    let summary = run_until(app(), tokio::time::sleep(Duration::from_secs(3))).await;
    assert!(summary.is_success());
    assert_eq!(summary.exit_code(), std::process::ExitCode::SUCCESS);
    assert_eq!(summary.report.as_ref().unwrap().children.len(), 2);
    let line = summary.to_string();
    assert!(
        line.starts_with("supervisor `app` stopped cleanly; shutdown took"),
        "{line}"
    );
    assert!(line.ends_with("2 children, 0 aborted"), "{line}");
}

#[tokio::test(start_paused = true)]
async fn run_until_reports_failure_when_the_tree_escalates() {
    let doomed = ChildSpec::without_context("core", TaskRole::Service, || async {
        Err::<(), _>("corrupt")
    })
    .backoff(BackoffPolicy::NONE);
    let summary = run_until(
        SupervisorSpec::new("app").child(doomed),
        std::future::pending(),
    )
    .await;
    assert_eq!(summary.exit_code(), std::process::ExitCode::FAILURE);
    assert!(matches!(summary.failure, Some(RunFailure::Escalated(_))));
    assert!(
        summary
            .to_string()
            .contains("failed (supervisor `app` escalated because of `app/core`"),
        "{summary}"
    );
}

#[tokio::test(start_paused = true)]
async fn run_until_refuses_an_invalid_spec_without_running_anything() {
    let job = ChildSpec::new("job", TaskRole::Job, idle)
        .restart(supervisor_core::RestartPolicy::Permanent);
    let summary = run_until(
        SupervisorSpec::new("app").child(job),
        std::future::pending(),
    )
    .await;
    assert!(matches!(summary.failure, Some(RunFailure::InvalidSpec(_))));
    assert!(summary.report.is_none());
    assert!(summary.to_string().contains("[job_permanent]"));
}

#[tokio::test(start_paused = true)]
async fn event_timestamps_advance_with_elapsed_time() {
    let flaky = ChildSpec::without_context("flaky", TaskRole::Worker, || async {
        tokio::time::sleep(Duration::from_secs(5)).await;
        Err::<(), _>("flaky")
    })
    .backoff(BackoffPolicy::NONE);
    let spec = SupervisorSpec::new("app").child(flaky);
    let (handle, mut events) = Supervisor::builder().launch_with_events(spec).unwrap();
    let first = wait_for(&mut events, started("app/flaky")).await;
    let second = wait_for(&mut events, |e: &supervisor_core::SupervisorEvent| {
        &*e.path == "app/flaky" && e.generation == 2 && e.kind == EventKind::Started
    })
    .await;
    assert_eq!(second.elapsed - first.elapsed, Duration::from_secs(5));
    assert_eq!(
        second.timestamp.duration_since(first.timestamp).ok(),
        Some(Duration::from_secs(5))
    );
    handle.shutdown().await;
}
