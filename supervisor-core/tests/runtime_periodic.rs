//! Periodic jobs (`every`) on the paused clock: a success waits the period,
//! a failure backs off, and only failures count toward restart limits.

use std::time::Duration;

use supervisor_core::testing::{ChildState, EventPattern, FaultScript, Step, TestTree};
use supervisor_core::{BackoffPolicy, RestartLimit, Severity, Strategy, SupervisorSpec, TaskRole};
use tokio::time::Instant;

const MINUTE: Duration = Duration::from_secs(60);
const HOUR: Duration = Duration::from_secs(3600);

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn started(generation: u64) -> EventPattern {
    EventPattern::started("app/report").generation(generation)
}

fn scheduled(delay: Duration) -> EventPattern {
    EventPattern::restart_scheduled("app/report").delay(delay)
}

/// A job that completes at once on every run but those `failing`.
fn report(failing: &[u64]) -> FaultScript {
    FaultScript::new()
        .on_attempts(failing.iter().copied(), Step::fail("database busy"))
        .then(Step::Complete)
}

/// Runs start at 0:00, 1:00, ..., 59:00: sixty within the first hour. The
/// one at exactly 60:00 is the first of the next hour; a count that takes
/// the hour's last instant in sees 61.
#[tokio::test(start_paused = true)]
async fn a_job_every_minute_that_succeeds_runs_sixty_times_in_an_hour() {
    let job = report(&[]).child("report", TaskRole::Job).every(MINUTE);
    let t0 = Instant::now();
    let mut tree = TestTree::start(SupervisorSpec::new("app").child(job));
    tree.run_for(HOUR - ms(1)).await;
    let runs = tree.trace().count(&EventPattern::started("app/report"));
    assert_eq!(runs, 60, "{}", tree.trace());
    assert_eq!(tree.trace().count(&scheduled(MINUTE)), 60);
    tree.run_until_within(&started(61), ms(2)).await;
    assert_eq!(t0.elapsed(), HOUR);
    let snapshot = tree.snapshot().await;
    let job = snapshot.find("app/report").unwrap();
    assert_eq!(job.generation, 61);
    let done = tree.shutdown().await;
    assert!(done.outcome.is_ok());
    done.assert_no_orphans();
}

/// Run 2 fails: it backs off 50 ms. Run 3 succeeds: back to the minute.
/// Run 4 fails a minute later: the success started the backoff over, and
/// the job's limit (one restart in 60 s) has room again, so it backs off
/// 50 ms rather than 100 ms or giving up.
#[tokio::test(start_paused = true)]
async fn a_failing_periodic_job_backs_off_then_returns_to_its_period() {
    let job = report(&[2, 4])
        .child("report", TaskRole::Job)
        .every(MINUTE)
        .backoff(BackoffPolicy::DEFAULT.jitter(0.0));
    let t0 = Instant::now();
    let mut tree = TestTree::start(SupervisorSpec::new("app").child(job));
    tree.run_until(&started(6)).await;
    assert_eq!(t0.elapsed(), 3 * MINUTE + ms(100));
    tree.trace().assert_in_order(&[
        scheduled(MINUTE),
        started(2),
        scheduled(ms(50)),
        started(3),
        scheduled(MINUTE),
        started(4),
        scheduled(ms(50)),
        started(5),
        scheduled(MINUTE),
        started(6),
    ]);
    let done = tree.shutdown().await;
    assert_eq!(done.trace.count(&EventPattern::stopped("app/report")), 0);
    done.assert_no_orphans();
}

/// A critical job allowed one restart an hour, in a supervisor allowed one
/// restart an hour, runs every second for ten minutes: six hundred runs,
/// and neither limit is touched.
#[tokio::test(start_paused = true)]
async fn a_periodic_job_never_escalates_from_successes_alone() {
    let once_an_hour = RestartLimit::new(1, HOUR);
    let job = report(&[])
        .child("report", TaskRole::Job)
        .every(Duration::from_secs(1))
        .severity(Severity::Critical)
        .restart_limit(once_an_hour);
    let app = SupervisorSpec::new("app")
        .restart_limit(once_an_hour)
        .child(job);
    let mut tree = TestTree::start(app);
    tree.run_for(10 * MINUTE - ms(1)).await;
    assert_eq!(
        tree.trace().count(&EventPattern::started("app/report")),
        600
    );
    assert_eq!(tree.trace().count(&EventPattern::escalated("app")), 0);
    let snapshot = tree.snapshot().await;
    let job = snapshot.find("app/report").unwrap();
    assert_eq!((job.state, job.generation), (ChildState::BackingOff, 600));
    let done = tree.shutdown().await;
    assert!(done.outcome.is_ok(), "{:?}", done.outcome);
    done.assert_no_orphans();
}

/// Under `one_for_all`, a periodic job's next run is not a restart: the
/// service beside it keeps its first instance. The job holds the start
/// order only until its first run completes.
#[tokio::test(start_paused = true)]
async fn a_periodic_run_leaves_its_siblings_alone() {
    let job = FaultScript::new()
        .then(Step::RunFor(Duration::from_secs(10)))
        .child("report", TaskRole::Job)
        .every(MINUTE);
    let api = FaultScript::new().child("api", TaskRole::Service);
    let app = SupervisorSpec::new("app")
        .strategy(Strategy::OneForAll)
        .child(job)
        .child(api);
    let t0 = Instant::now();
    let mut tree = TestTree::start(app);
    tree.run_until(&EventPattern::started("app/api")).await;
    assert_eq!(t0.elapsed(), Duration::from_secs(10));
    tree.run_until(&started(5)).await;
    let snapshot = tree.snapshot().await;
    assert_eq!(snapshot.find("app/api").unwrap().generation, 1);
    assert_eq!(tree.trace().count(&EventPattern::exited("app/api")), 0);
    tree.shutdown().await.assert_no_orphans();
}
