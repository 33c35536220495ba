//! Every key of `#[supervised]` ends up in the child's spec, through the same
//! builder calls a hand-written spec would use.

use std::time::Duration;

use supervisor::prelude::*;

#[supervised]
async fn bare(ctx: ChildContext) {
    ctx.cancelled().await
}

#[supervised(
    id = "everything",
    role = "service",
    restart = "transient",
    backoff(
        initial = "100ms",
        max = "1m 30s",
        multiplier = 1.5,
        jitter = 0,
        reset_after = "2h"
    ),
    restart_limit(max = 7, within = "45s"),
    shutdown = "500us",
    timeout = "1h",
    ready_timeout = "10s",
    heartbeat = "250ms",
    severity = "optional",
    significant = true
)]
async fn all_keys(ctx: ChildContext) -> Result<(), std::io::Error> {
    ctx.ready();
    ctx.cancelled().await;
    Ok(())
}

#[supervised(role = "service")]
async fn api(ctx: ChildContext) -> Result<(), String> {
    ctx.cancelled().await;
    Ok(())
}

#[supervised(role = "sidecar", primary = api, backoff = "none", shutdown = "brutal")]
async fn metrics(ctx: ChildContext) {
    ctx.cancelled().await
}

#[supervised(role = "sidecar", primary = "api", shutdown = "infinity")]
async fn logs(ctx: ChildContext) {
    ctx.cancelled().await
}

#[supervised(
    role = "job",
    restart = "temporary",
    severity = "critical",
    significant = false
)]
async fn migrate() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    Ok(())
}

#[supervised(role = "job", every = "1m 30s")]
async fn report() {}

#[supervised(role = "supervisor", severity = "standard")]
async fn hand_rolled(ctx: ChildContext) {
    ctx.cancelled().await
}

#[test]
fn a_bare_attribute_gives_a_worker_named_after_the_fn_with_every_policy_from_the_role() {
    let spec = bare::spec();
    assert_eq!(spec.id, "bare");
    assert_eq!(spec.role, TaskRole::Worker);
    let expected = ChildSpec::new("bare", TaskRole::Worker, bare);
    assert_eq!(format!("{spec:?}"), format!("{expected:?}"));
    assert!(spec.task_factory().unwrap().uses_context());
}

#[test]
fn every_key_sets_its_field() {
    let spec = all_keys::spec();
    assert_eq!(spec.id, "everything");
    assert_eq!(spec.role, TaskRole::Service);
    assert_eq!(spec.restart, Some(RestartPolicy::Transient));
    let backoff = BackoffPolicy::DEFAULT
        .initial(Duration::from_millis(100))
        .max(Duration::from_secs(90))
        .multiplier(1.5)
        .jitter(0.0)
        .with_reset_after(Duration::from_secs(7200));
    assert_eq!(spec.backoff, Some(backoff));
    let limit = RestartLimit::new(7, Duration::from_secs(45));
    assert_eq!(spec.restart_limit, Some(limit));
    let grace = ShutdownPolicy::Timeout(Duration::from_micros(500));
    assert_eq!(spec.shutdown, Some(grace));
    assert_eq!(spec.timeout, Some(Duration::from_secs(3600)));
    assert_eq!(spec.ready_timeout, Some(Duration::from_secs(10)));
    assert_eq!(spec.heartbeat, Some(Duration::from_millis(250)));
    assert_eq!(spec.severity, Some(Severity::Optional));
    assert_eq!(spec.significant, Some(true));
    assert_eq!(spec.primary, None);
}

#[test]
fn every_makes_a_job_periodic() {
    let spec = report::spec();
    assert_eq!(spec.every, Some(Duration::from_secs(90)));
    assert_eq!(
        spec.effective_policy().every.value,
        Some(Duration::from_secs(90))
    );
    assert_eq!(all_keys::spec().every, None);
}

#[test]
fn a_sidecar_names_its_primary_by_fn_or_by_id() {
    assert_eq!(metrics::spec().primary.as_deref(), Some("api"));
    assert_eq!(<metrics as Supervised>::PRIMARY, Some("api"));
    assert_eq!(metrics::spec().backoff, Some(BackoffPolicy::NONE));
    assert_eq!(metrics::spec().shutdown, Some(ShutdownPolicy::Brutal));
    assert_eq!(logs::spec().primary.as_deref(), Some("api"));
    assert_eq!(logs::spec().shutdown, Some(ShutdownPolicy::Infinity));
}

#[test]
fn a_fn_without_arguments_becomes_a_task_without_context() {
    let spec = migrate::spec();
    assert!(!spec.task_factory().unwrap().uses_context());
    assert_eq!(spec.restart, Some(RestartPolicy::Temporary));
    assert_eq!(spec.severity, Some(Severity::Critical));
    assert_eq!(spec.significant, Some(false));
}

#[test]
fn the_supervisor_role_is_accepted_on_a_task() {
    let spec = hand_rolled::spec();
    assert_eq!(spec.role, TaskRole::Supervisor);
    assert_eq!(spec.severity, Some(Severity::Standard));
    let app = SupervisorSpec::new("app").child(spec);
    assert!(app.validate().is_ok());
}

#[test]
fn the_constants_match_the_spec() {
    assert_eq!(<all_keys as Supervised>::ID, "everything");
    assert_eq!(<all_keys as Supervised>::ROLE, TaskRole::Service);
    assert_eq!(<api as Supervised>::PRIMARY, None);
}

#[test]
fn every_declared_child_passes_the_runtime_rules() {
    let app = SupervisorSpec::new("app").children([
        bare::spec(),
        all_keys::spec(),
        api::spec(),
        metrics::spec(),
        logs::spec(),
        migrate::spec(),
        report::spec(),
        hand_rolled::spec(),
    ]);
    if let Err(error) = app.validate() {
        panic!("{error}");
    }
}

#[tokio::test]
async fn the_fn_stays_callable_as_written() {
    assert!(migrate().await.is_ok());
    let cancel = supervisor::CancellationToken::new();
    cancel.cancel();
    let ctx = ChildContext::detached("api", cancel);
    assert_eq!(api(ctx).await, Ok(()));
}

#[tokio::test]
async fn the_task_the_spec_runs_is_the_fn() {
    let cancel = supervisor::CancellationToken::new();
    cancel.cancel();
    let factory = migrate::spec().task_factory().cloned().unwrap();
    let run = factory.make(ChildContext::detached("migrate", cancel));
    assert!(run.await.is_ok());
}
