//! The restart decision, tested without a runtime.

use std::time::Duration;

use supervisor_core::{
    BackoffPolicy, ChildSpec, EffectivePolicy, RestartLimit, RestartPolicy, SupervisorSpec,
    TaskRole,
    policy::{
        ChildExit, ChildHistory, Decision, EscalationReason, ExitPolicy, JitterRng, RestartWindow,
        StopReason, decide,
    },
};
use tokio::time::Instant;

struct Child {
    policy: EffectivePolicy,
    history: ChildHistory,
    tree: RestartWindow,
    now: Instant,
}

impl Child {
    fn new(spec: ChildSpec) -> Self {
        Child::in_tree(spec, RestartLimit::UNLIMITED)
    }

    fn in_tree(spec: ChildSpec, tree_limit: RestartLimit) -> Self {
        let policy = spec.effective_policy();
        let mut history = ChildHistory::new(&policy, JitterRng::seeded(42));
        let now = Instant::now();
        history.record_start(now);
        Child {
            policy,
            history,
            tree: RestartWindow::new(tree_limit),
            now,
        }
    }

    /// The child runs for `ran` and exits with `exit`.
    fn exits_after(&mut self, ran: Duration, exit: ChildExit) -> Decision {
        self.now += ran;
        let decision = decide(
            &ExitPolicy::from(&self.policy),
            &mut self.history,
            &mut self.tree,
            &exit,
            self.now,
        );
        if let Decision::Restart { delay: wait } | Decision::Rerun { after: wait } = decision {
            self.now += wait;
            self.history.record_start(self.now);
        }
        decision
    }

    fn fails(&mut self) -> Decision {
        self.exits_after(Duration::ZERO, ChildExit::Failed("boom".into()))
    }
}

fn spec(role: TaskRole) -> ChildSpec {
    ChildSpec::declared("c", role).backoff(BackoffPolicy::DEFAULT.jitter(0.0))
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn restart(delay: Duration) -> Decision {
    Decision::Restart { delay }
}

#[test]
fn service_restarts_after_success_at_once() {
    let mut child = Child::new(spec(TaskRole::Service));
    assert_eq!(
        child.exits_after(ms(10), ChildExit::Completed),
        restart(Duration::ZERO)
    );
}

#[test]
fn worker_stops_after_success() {
    let mut child = Child::new(spec(TaskRole::Worker));
    assert_eq!(
        child.exits_after(ms(10), ChildExit::Completed),
        Decision::Stop(StopReason::Finished)
    );
}

#[test]
fn failures_back_off_exponentially_to_the_cap() {
    let spec = spec(TaskRole::Worker).restart_limit(RestartLimit::UNLIMITED);
    let mut child = Child::new(spec);
    let delays: Vec<_> = (0..9)
        .map(|_| match child.fails() {
            Decision::Restart { delay } => delay.as_millis(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(delays, [50, 100, 200, 400, 800, 1600, 3200, 5000, 5000]);
}

#[test]
fn a_clean_run_as_long_as_the_reset_period_starts_backoff_again() {
    let spec = spec(TaskRole::Worker).restart_limit(RestartLimit::UNLIMITED);
    let mut child = Child::new(spec);
    child.fails();
    child.fails();
    assert_eq!(child.fails(), restart(ms(200)));
    // Default reset period is max * 2 = 10 s: a run just short of it does not reset.
    let failed = ChildExit::Failed("boom".into());
    assert_eq!(
        child.exits_after(Duration::from_millis(9_999), failed.clone()),
        restart(ms(400))
    );
    assert_eq!(
        child.exits_after(Duration::from_secs(10), failed),
        restart(ms(50))
    );
}

#[test]
fn every_failure_kind_is_restarted_as_a_failure() {
    let kinds = [
        ChildExit::Failed("e".into()),
        ChildExit::Panicked("p".into()),
        ChildExit::TimedOut,
        ChildExit::MissedHeartbeat,
        ChildExit::NotReady,
    ];
    for exit in kinds {
        let mut child = Child::new(spec(TaskRole::Worker));
        assert_eq!(
            child.exits_after(ms(1), exit.clone()),
            restart(ms(50)),
            "{exit}"
        );
    }
}

#[test]
fn a_stop_by_the_supervisor_is_never_restarted() {
    let mut child = Child::new(spec(TaskRole::Service));
    assert_eq!(
        child.exits_after(ms(1), ChildExit::Cancelled),
        Decision::Stop(StopReason::Stopped)
    );
}

#[test]
fn temporary_failure_of_a_standard_child_stops_it() {
    let mut child =
        Child::new(ChildSpec::declared("c", TaskRole::Worker).restart(RestartPolicy::Temporary));
    assert_eq!(child.fails(), Decision::Stop(StopReason::NotRestarted));
}

#[test]
fn temporary_failure_of_a_critical_child_escalates() {
    let mut child =
        Child::new(ChildSpec::declared("c", TaskRole::Service).restart(RestartPolicy::Temporary));
    assert_eq!(
        child.fails(),
        Decision::Escalate(EscalationReason::CriticalChildStopped)
    );
}

#[test]
fn worker_past_three_restarts_in_a_minute_escalates() {
    let mut child = Child::new(spec(TaskRole::Worker));
    for _ in 0..3 {
        assert!(matches!(child.fails(), Decision::Restart { .. }));
    }
    assert_eq!(
        child.fails(),
        Decision::Escalate(EscalationReason::ChildRestartLimit {
            limit: RestartLimit::new(3, Duration::from_secs(60))
        })
    );
}

#[test]
fn optional_job_past_its_limit_is_given_up_without_escalating() {
    let mut child = Child::new(spec(TaskRole::Job));
    assert!(matches!(child.fails(), Decision::Restart { .. }));
    assert_eq!(child.fails(), Decision::Stop(StopReason::GaveUp));
}

#[test]
fn intensity_resets_once_the_window_passes() {
    let limit = RestartLimit::new(2, Duration::from_secs(10));
    let mut child = Child::new(spec(TaskRole::Worker).restart_limit(limit));
    child.fails();
    child.fails();
    // Both restarts are inside the window: a third is one too many...
    assert!(matches!(child.fails(), Decision::Escalate(_)));
    // ...but once ten seconds have passed since the first, there is room again.
    let decision = child.exits_after(Duration::from_secs(10), ChildExit::Failed("x".into()));
    assert!(matches!(decision, Decision::Restart { .. }), "{decision:?}");
}

#[test]
fn supervisor_intensity_escalates_even_when_the_child_has_room() {
    let tree_limit = RestartLimit::new(2, Duration::from_secs(60));
    let child_spec = spec(TaskRole::Worker).restart_limit(RestartLimit::UNLIMITED);
    let mut child = Child::in_tree(child_spec, tree_limit);
    child.fails();
    child.fails();
    assert_eq!(
        child.fails(),
        Decision::Escalate(EscalationReason::SupervisorRestartLimit { limit: tree_limit })
    );
}

#[test]
fn zero_backoff_restarts_at_once() {
    let spec = ChildSpec::declared("c", TaskRole::Worker)
        .backoff(BackoffPolicy::NONE)
        .restart_limit(RestartLimit::UNLIMITED);
    let mut child = Child::new(spec);
    for _ in 0..1000 {
        assert!(child.fails().is_immediate_restart());
    }
    assert_eq!(child.history.restarts(), 1000);
}

#[test]
fn a_success_restart_resets_the_backoff() {
    let spec = spec(TaskRole::Service).restart_limit(RestartLimit::UNLIMITED);
    let mut child = Child::new(spec);
    child.fails();
    child.fails();
    assert_eq!(
        child.exits_after(ms(1), ChildExit::Completed),
        restart(Duration::ZERO)
    );
    assert_eq!(child.fails(), restart(ms(50)));
}

#[test]
fn default_supervisor_limit_is_ten_in_a_minute() {
    assert_eq!(
        SupervisorSpec::DEFAULT_RESTART_LIMIT,
        RestartLimit::new(10, Duration::from_secs(60))
    );
}

fn minutes(n: u64) -> Duration {
    Duration::from_secs(60 * n)
}

fn periodic() -> ChildSpec {
    spec(TaskRole::Job).every(minutes(1))
}

fn rerun() -> Decision {
    Decision::Rerun { after: minutes(1) }
}

#[test]
fn a_periodic_job_that_completes_runs_again_after_its_period_past_any_limit() {
    // A job may restart once in 60 s, and so may its supervisor; a hundred
    // runs in a hundred minutes fill neither window.
    let mut child = Child::in_tree(periodic(), RestartLimit::new(1, minutes(1)));
    for run in 0..100 {
        assert_eq!(
            child.exits_after(ms(1), ChildExit::Completed),
            rerun(),
            "run {run}"
        );
    }
    assert_eq!(child.history.restarts(), 0);
    assert_eq!(child.history.window().count_within(child.now), 0);
    assert_eq!(child.tree.count_within(child.now), 0);
}

#[test]
fn a_periodic_job_that_fails_backs_off_then_returns_to_its_period() {
    let spec = periodic().restart_limit(RestartLimit::new(5, minutes(1)));
    let mut child = Child::new(spec);
    assert_eq!(child.exits_after(ms(1), ChildExit::Completed), rerun());
    assert_eq!(child.fails(), restart(ms(50)));
    assert_eq!(child.fails(), restart(ms(100)));
    assert_eq!(child.exits_after(ms(1), ChildExit::Completed), rerun());
    // The success started the backoff sequence again.
    assert_eq!(child.fails(), restart(ms(50)));
    assert_eq!(child.history.restarts(), 3);
}

#[test]
fn a_periodic_job_past_its_limit_on_failures_gives_up_as_a_job_does() {
    let mut child = Child::new(periodic());
    assert_eq!(child.fails(), restart(ms(50)));
    assert_eq!(child.fails(), Decision::Stop(StopReason::GaveUp));
}

#[test]
fn a_periodic_job_stopped_by_its_supervisor_stays_stopped() {
    let mut child = Child::new(periodic());
    assert_eq!(
        child.exits_after(ms(1), ChildExit::Cancelled),
        Decision::Stop(StopReason::Stopped)
    );
}
