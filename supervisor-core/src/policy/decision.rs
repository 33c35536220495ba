//! What happens after a child exits: a pure function of its policy, its
//! restart history, how it exited and the time.

use std::{fmt, time::Duration};

use serde::{Deserialize, Serialize};
use tokio::time::Instant;

use super::{BackoffState, ExitPolicy, JitterRng, LimitExceeded, RestartWindow};
use crate::spec::{EffectivePolicy, RestartLimit, Severity};

/// How a child instance ended.
///
/// # Examples
///
/// ```
/// use supervisor_core::policy::ChildExit;
///
/// assert!(ChildExit::Completed.is_success());
/// assert!(!ChildExit::Failed("connection refused".into()).is_success());
/// assert_eq!(ChildExit::MissedHeartbeat.to_string(), "missed heartbeat");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "message", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ChildExit {
    /// The task returned `Ok(())` (or `()`).
    Completed,
    /// The task returned an error; its text.
    Failed(String),
    /// The task panicked; the panic message.
    Panicked(String),
    /// The run passed its `timeout` and was stopped.
    TimedOut,
    /// The child was silent longer than its `heartbeat` period and was stopped.
    MissedHeartbeat,
    /// The child did not call `ready()` within its `ready_timeout`.
    NotReady,
    /// The supervisor stopped the child (a stop, a sibling's restart, or
    /// shutdown).
    Cancelled,
}

impl ChildExit {
    /// A failure with `error`'s text, cut to [`MAX_EXIT_TEXT`] bytes.
    ///
    /// [`MAX_EXIT_TEXT`]: super::MAX_EXIT_TEXT
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::policy::{ChildExit, MAX_EXIT_TEXT};
    ///
    /// let exit = ChildExit::failed(&"x".repeat(1 << 20));
    /// let ChildExit::Failed(text) = exit else { unreachable!() };
    /// assert!(text.len() < MAX_EXIT_TEXT + 64 && text.ends_with("bytes cut]"));
    /// ```
    pub fn failed(error: &(impl fmt::Display + ?Sized)) -> Self {
        ChildExit::Failed(super::bounded(error))
    }

    /// A panic with `message`, cut to [`MAX_EXIT_TEXT`] bytes.
    ///
    /// [`MAX_EXIT_TEXT`]: super::MAX_EXIT_TEXT
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::policy::{ChildExit, ExitReason};
    ///
    /// let index = 7;
    /// let exit = ChildExit::panicked(&format_args!("index out of bounds: {index}"));
    /// assert_eq!(exit, ChildExit::Panicked("index out of bounds: 7".into()));
    /// assert_eq!(exit.reason(), ExitReason::Panicked);
    /// assert_eq!(exit.to_string(), "panicked: index out of bounds: 7");
    /// ```
    pub fn panicked(message: &(impl fmt::Display + ?Sized)) -> Self {
        ChildExit::Panicked(super::bounded(message))
    }

    /// Whether the run ended well: completed, or stopped by the supervisor.
    /// Every other exit is a failure, for the restart policy and the backoff.
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::policy::ChildExit;
    ///
    /// assert!(ChildExit::Completed.is_success());
    /// assert!(ChildExit::Cancelled.is_success());
    /// assert!(!ChildExit::TimedOut.is_success());
    /// assert!(!ChildExit::panicked("bug").is_success());
    /// ```
    pub fn is_success(&self) -> bool {
        matches!(self, ChildExit::Completed | ChildExit::Cancelled)
    }

    /// The kind of exit, without its message.
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::policy::{ChildExit, ExitReason};
    ///
    /// let exit = ChildExit::failed("connection refused");
    /// assert_eq!(exit.reason(), ExitReason::Failed);
    /// assert_eq!(ChildExit::MissedHeartbeat.reason(), ExitReason::MissedHeartbeat);
    /// ```
    pub fn reason(&self) -> ExitReason {
        match self {
            ChildExit::Completed => ExitReason::Completed,
            ChildExit::Failed(_) => ExitReason::Failed,
            ChildExit::Panicked(_) => ExitReason::Panicked,
            ChildExit::TimedOut => ExitReason::TimedOut,
            ChildExit::MissedHeartbeat => ExitReason::MissedHeartbeat,
            ChildExit::NotReady => ExitReason::NotReady,
            ChildExit::Cancelled => ExitReason::Cancelled,
        }
    }
}

/// The kind of a [`ChildExit`], without its message: for counting exits.
///
/// # Examples
///
/// ```
/// use supervisor_core::policy::{ChildExit, ExitReason};
///
/// assert_eq!(ChildExit::Panicked("boom".into()).reason(), ExitReason::Panicked);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ExitReason {
    /// See [`ChildExit::Completed`].
    Completed,
    /// See [`ChildExit::Failed`].
    Failed,
    /// See [`ChildExit::Panicked`].
    Panicked,
    /// See [`ChildExit::TimedOut`].
    TimedOut,
    /// See [`ChildExit::MissedHeartbeat`].
    MissedHeartbeat,
    /// See [`ChildExit::NotReady`].
    NotReady,
    /// See [`ChildExit::Cancelled`].
    Cancelled,
}

impl fmt::Display for ChildExit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChildExit::Completed => f.write_str("completed"),
            ChildExit::Failed(error) => write!(f, "failed: {error}"),
            ChildExit::Panicked(message) => write!(f, "panicked: {message}"),
            ChildExit::TimedOut => f.write_str("timed out"),
            ChildExit::MissedHeartbeat => f.write_str("missed heartbeat"),
            ChildExit::NotReady => f.write_str("not ready in time"),
            ChildExit::Cancelled => f.write_str("cancelled"),
        }
    }
}

/// Why a child is not restarted: the reason of a [`Decision::Stop`] and of
/// a `stopped` event.
///
/// # Examples
///
/// ```
/// use supervisor_core::{ChildSpec, SupervisorSpec, TaskRole};
/// use supervisor_core::policy::{
///     self, ChildExit, ChildHistory, Decision, ExitPolicy, JitterRng, RestartWindow, StopReason,
/// };
/// use tokio::time::Instant;
///
/// // A job that completed is done: workers and jobs restart only after failures.
/// let spec = ChildSpec::without_context("migrate", TaskRole::Job, || async {});
/// let policy = spec.effective_policy();
/// let mut history = ChildHistory::new(&policy, JitterRng::seeded(1));
/// let mut tree = RestartWindow::new(SupervisorSpec::DEFAULT_RESTART_LIMIT);
/// let decision = policy::decide(
///     &ExitPolicy::from(&policy), &mut history, &mut tree, &ChildExit::Completed, Instant::now(),
/// );
/// assert_eq!(decision, Decision::Stop(StopReason::Finished));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum StopReason {
    /// It completed and its restart policy does not restart on success.
    Finished,
    /// It failed and its restart policy is `temporary`.
    NotRestarted,
    /// The supervisor stopped it.
    Stopped,
    /// It is optional and exhausted its restart limit: left stopped.
    GaveUp,
}

/// Why a supervisor fails because of a child: the reason of a
/// [`Decision::Escalate`] and of an `escalated` event.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use supervisor_core::{ChildSpec, RestartLimit, SupervisorSpec, TaskRole};
/// use supervisor_core::policy::{
///     self, ChildExit, ChildHistory, Decision, EscalationReason, ExitPolicy, JitterRng, RestartWindow,
/// };
/// use tokio::time::Instant;
///
/// // A worker allowed one restart a minute fails twice in a row.
/// let limit = RestartLimit::new(1, Duration::from_secs(60));
/// let spec = ChildSpec::without_context("sync", TaskRole::Worker, || async {}).restart_limit(limit);
/// let policy = spec.effective_policy();
/// let exits = ExitPolicy::from(&policy);
/// let mut history = ChildHistory::new(&policy, JitterRng::seeded(1));
/// let mut tree = RestartWindow::new(SupervisorSpec::DEFAULT_RESTART_LIMIT);
/// let failed = ChildExit::failed("refused");
/// let now = Instant::now();
/// policy::decide(&exits, &mut history, &mut tree, &failed, now);
/// let second = policy::decide(&exits, &mut history, &mut tree, &failed, now);
///
/// let reason = EscalationReason::ChildRestartLimit { limit };
/// assert_eq!(second, Decision::Escalate(reason));
/// assert_eq!(reason.to_string(), "child exceeded its restart limit (1 in 1m)");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum EscalationReason {
    /// The child exhausted its own restart limit.
    ChildRestartLimit {
        /// The child's limit.
        limit: RestartLimit,
    },
    /// The supervisor exhausted its own intensity.
    SupervisorRestartLimit {
        /// The supervisor's limit.
        limit: RestartLimit,
    },
    /// A critical child stopped for good after a failure.
    CriticalChildStopped,
}

impl fmt::Display for EscalationReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EscalationReason::ChildRestartLimit { limit } => {
                write!(f, "child exceeded its restart limit ({limit})")
            }
            EscalationReason::SupervisorRestartLimit { limit } => {
                write!(f, "supervisor exceeded its restart limit ({limit})")
            }
            EscalationReason::CriticalChildStopped => {
                f.write_str("a critical child failed and will not be restarted")
            }
        }
    }
}

/// What to do about a child that exited.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use supervisor_core::policy::Decision;
///
/// let now = Decision::Restart { delay: Duration::ZERO };
/// assert!(now.is_immediate_restart());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Decision {
    /// Start it again after `delay`; zero means at once, without a timer.
    Restart {
        /// How long to wait first.
        delay: Duration,
    },
    /// Run it again after `after`, on its own: the next run of a periodic
    /// job that completed. No restart limit counts it, and no sibling
    /// restarts with it.
    Rerun {
        /// The job's period.
        after: Duration,
    },
    /// Leave it stopped; the supervisor carries on.
    Stop(StopReason),
    /// Stop every child and fail the supervisor.
    Escalate(EscalationReason),
}

impl Decision {
    /// Whether this is a restart with no delay, which the runtime does at
    /// once, without a timer.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use supervisor_core::policy::{Decision, StopReason};
    ///
    /// assert!(Decision::Restart { delay: Duration::ZERO }.is_immediate_restart());
    /// assert!(!Decision::Restart { delay: Duration::from_millis(50) }.is_immediate_restart());
    /// assert!(!Decision::Stop(StopReason::Finished).is_immediate_restart());
    /// ```
    pub fn is_immediate_restart(&self) -> bool {
        matches!(self, Decision::Restart { delay } if delay.is_zero())
    }
}

/// What the policy engine remembers about one child between its runs.
///
/// # Examples
///
/// ```
/// use supervisor_core::{ChildSpec, TaskRole, policy::{ChildHistory, JitterRng}};
///
/// let spec = ChildSpec::without_context("sync", TaskRole::Worker, || async {});
/// let history = ChildHistory::new(&spec.effective_policy(), JitterRng::seeded(1));
/// assert_eq!(history.restarts(), 0);
/// ```
#[derive(Debug, Clone)]
pub struct ChildHistory {
    window: RestartWindow,
    backoff: BackoffState,
    started_at: Option<Instant>,
    restarts: u64,
}

impl ChildHistory {
    /// The history of a child that has not run yet: an empty restart window
    /// for the policy's restart limit, and a backoff sequence at its start
    /// that draws its jitter from `rng`.
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::{ChildSpec, TaskRole, policy::{ChildHistory, JitterRng}};
    ///
    /// let spec = ChildSpec::without_context("sync", TaskRole::Worker, || async {});
    /// let policy = spec.effective_policy();
    /// let history = ChildHistory::new(&policy, JitterRng::seeded(1));
    /// assert_eq!(history.window().limit(), policy.restart_limit.value);
    /// assert_eq!(history.backoff().consecutive(), 0);
    /// ```
    pub fn new(policy: &EffectivePolicy, rng: JitterRng) -> Self {
        ChildHistory {
            window: RestartWindow::new(policy.restart_limit.value),
            backoff: BackoffState::new(rng),
            started_at: None,
            restarts: 0,
        }
    }

    /// Changes the child's restart limit for the restarts to come; see
    /// [`RestartWindow::set_limit`].
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use supervisor_core::{ChildSpec, RestartLimit, TaskRole, policy::{ChildHistory, JitterRng}};
    ///
    /// let spec = ChildSpec::without_context("sync", TaskRole::Worker, || async {});
    /// let mut history = ChildHistory::new(&spec.effective_policy(), JitterRng::seeded(1));
    /// history.set_limit(RestartLimit::new(2, Duration::from_secs(60)));
    /// assert_eq!(history.window().limit().max, 2);
    /// ```
    pub fn set_limit(&mut self, limit: crate::spec::RestartLimit) {
        self.window.set_limit(limit);
    }

    /// Notes that an instance started at `now`. The next
    /// [`decide`] measures how long it ran from here: a run that lasted the
    /// backoff's [`reset_after`](crate::BackoffPolicy::reset_after) starts
    /// the backoff sequence again.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use supervisor_core::{BackoffPolicy, ChildSpec, RestartLimit, SupervisorSpec, TaskRole};
    /// use supervisor_core::policy::{
    ///     self, ChildExit, ChildHistory, Decision, ExitPolicy, JitterRng, RestartWindow,
    /// };
    /// use tokio::time::Instant;
    ///
    /// let spec = ChildSpec::without_context("sync", TaskRole::Worker, || async {})
    ///     .backoff(BackoffPolicy::DEFAULT.jitter(0.0)) // resets after 10 s of clean running
    ///     .restart_limit(RestartLimit::UNLIMITED);
    /// let policy = spec.effective_policy();
    /// let exits = ExitPolicy::from(&policy);
    /// let mut history = ChildHistory::new(&policy, JitterRng::seeded(1));
    /// let mut tree = RestartWindow::new(RestartLimit::UNLIMITED);
    /// let failed = ChildExit::failed("refused");
    /// let t0 = Instant::now();
    ///
    /// history.record_start(t0);
    /// policy::decide(&exits, &mut history, &mut tree, &failed, t0); // 50 ms
    /// history.record_start(t0);
    /// let quick = policy::decide(&exits, &mut history, &mut tree, &failed, t0);
    /// assert_eq!(quick, Decision::Restart { delay: Duration::from_millis(100) });
    ///
    /// // This instance runs for a minute before it fails: back to 50 ms.
    /// history.record_start(t0);
    /// let later = t0 + Duration::from_secs(60);
    /// let after_long_run = policy::decide(&exits, &mut history, &mut tree, &failed, later);
    /// assert_eq!(after_long_run, Decision::Restart { delay: Duration::from_millis(50) });
    /// ```
    pub fn record_start(&mut self, now: Instant) {
        self.started_at = Some(now);
    }

    /// Restarts decided so far (each [`Decision::Restart`] of [`decide`]),
    /// over the child's whole life: unlike the restart window, this count
    /// never forgets.
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::{ChildSpec, SupervisorSpec, TaskRole};
    /// use supervisor_core::policy::{
    ///     self, ChildExit, ChildHistory, ExitPolicy, JitterRng, RestartWindow,
    /// };
    /// use tokio::time::Instant;
    ///
    /// let spec = ChildSpec::without_context("sync", TaskRole::Worker, || async {});
    /// let policy = spec.effective_policy();
    /// let mut history = ChildHistory::new(&policy, JitterRng::seeded(1));
    /// let mut tree = RestartWindow::new(SupervisorSpec::DEFAULT_RESTART_LIMIT);
    /// let exit = ChildExit::failed("refused");
    /// policy::decide(&ExitPolicy::from(&policy), &mut history, &mut tree, &exit, Instant::now());
    /// assert_eq!(history.restarts(), 1);
    /// ```
    pub fn restarts(&self) -> u64 {
        self.restarts
    }

    /// The backoff sequence's state: how many failures in a row have had a
    /// delay.
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::{ChildSpec, SupervisorSpec, TaskRole};
    /// use supervisor_core::policy::{
    ///     self, ChildExit, ChildHistory, ExitPolicy, JitterRng, RestartWindow,
    /// };
    /// use tokio::time::Instant;
    ///
    /// let spec = ChildSpec::without_context("sync", TaskRole::Worker, || async {});
    /// let policy = spec.effective_policy();
    /// let exits = ExitPolicy::from(&policy);
    /// let mut history = ChildHistory::new(&policy, JitterRng::seeded(1));
    /// let mut tree = RestartWindow::new(SupervisorSpec::DEFAULT_RESTART_LIMIT);
    /// let now = Instant::now();
    /// for _ in 0..2 {
    ///     policy::decide(&exits, &mut history, &mut tree, &ChildExit::failed("refused"), now);
    /// }
    /// assert_eq!(history.backoff().consecutive(), 2);
    /// ```
    pub fn backoff(&self) -> &BackoffState {
        &self.backoff
    }

    /// The child's restart window: the restarts that count against its
    /// restart limit.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use supervisor_core::{ChildSpec, SupervisorSpec, TaskRole};
    /// use supervisor_core::policy::{
    ///     self, ChildExit, ChildHistory, ExitPolicy, JitterRng, RestartWindow,
    /// };
    /// use tokio::time::Instant;
    ///
    /// let spec = ChildSpec::without_context("sync", TaskRole::Worker, || async {}); // 3 in 60 s
    /// let policy = spec.effective_policy();
    /// let mut history = ChildHistory::new(&policy, JitterRng::seeded(1));
    /// let mut tree = RestartWindow::new(SupervisorSpec::DEFAULT_RESTART_LIMIT);
    /// let now = Instant::now();
    /// let exit = ChildExit::failed("refused");
    /// policy::decide(&ExitPolicy::from(&policy), &mut history, &mut tree, &exit, now);
    /// assert_eq!(history.window().count_within(now), 1);
    /// assert_eq!(history.window().count_within(now + Duration::from_secs(60)), 0);
    /// ```
    pub fn window(&self) -> &RestartWindow {
        &self.window
    }

    fn ran_cleanly_for(&self, period: Duration, now: Instant) -> bool {
        self.started_at
            .is_some_and(|start| now.saturating_duration_since(start) >= period)
    }
}

/// Decides what happens after a child exits.
///
/// Pure: no clock, no task, no channel. It reads the child's exit
/// policy, updates the child's `history` and the supervisor's own `window`,
/// and returns the decision. Each call does O(1) work.
///
/// In order: a stop by the supervisor is final; a run that lasted the
/// backoff's reset period starts the backoff sequence again; a periodic job
/// (`every`) that completed runs again after its period, counted by no
/// restart limit, and its next failure backs off from `initial`; an exit the
/// restart policy does not restart stops the child (or, for a critical child
/// that failed, escalates); a restart past the child's limit gives up on an
/// optional child and escalates otherwise; a restart past the supervisor's
/// limit escalates; any other restart waits the backoff delay after a
/// failure, and nothing after a success.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use supervisor_core::{
///     ChildSpec, RestartLimit, SupervisorSpec, TaskRole, BackoffPolicy,
///     policy::{self, ChildExit, ChildHistory, Decision, ExitPolicy, JitterRng, RestartWindow},
/// };
/// use tokio::time::Instant;
///
/// let spec = ChildSpec::without_context("sync", TaskRole::Worker, || async {})
///     .backoff(BackoffPolicy::DEFAULT.jitter(0.0));
/// let policy = spec.effective_policy();
/// let mut history = ChildHistory::new(&policy, JitterRng::seeded(1));
/// let exits = ExitPolicy::from(&policy);
/// let mut tree = RestartWindow::new(SupervisorSpec::DEFAULT_RESTART_LIMIT);
/// let now = Instant::now();
/// history.record_start(now);
///
/// let failed = ChildExit::Failed("boom".into());
/// let decision = policy::decide(&exits, &mut history, &mut tree, &failed, now);
/// assert_eq!(decision, Decision::Restart { delay: Duration::from_millis(50) });
/// ```
pub fn decide(
    policy: &ExitPolicy,
    history: &mut ChildHistory,
    supervisor: &mut RestartWindow,
    exit: &ChildExit,
    now: Instant,
) -> Decision {
    if *exit == ChildExit::Cancelled {
        return Decision::Stop(StopReason::Stopped);
    }
    let backoff = &policy.backoff;
    if history.ran_cleanly_for(backoff.reset_after(), now) {
        history.backoff.reset();
    }
    if let Some(rerun) = periodic_rerun(policy, history, exit) {
        return rerun;
    }
    let success = exit.is_success();
    if !policy.restart.restarts_after(success) {
        return not_restarted(policy.severity, success);
    }
    if let Err(LimitExceeded { limit }) = history.window.try_record(now) {
        return match policy.severity {
            Severity::Optional => Decision::Stop(StopReason::GaveUp),
            _ => Decision::Escalate(EscalationReason::ChildRestartLimit { limit }),
        };
    }
    if let Err(LimitExceeded { limit }) = supervisor.try_record(now) {
        return Decision::Escalate(EscalationReason::SupervisorRestartLimit { limit });
    }
    history.restarts += 1;
    let delay = if success {
        history.backoff.reset();
        Duration::ZERO
    } else {
        history.backoff.next_delay(backoff)
    };
    Decision::Restart { delay }
}

/// The next run of a periodic job that completed: after its period, with
/// its backoff sequence started again. `None` for any other exit or child.
fn periodic_rerun(
    policy: &ExitPolicy,
    history: &mut ChildHistory,
    exit: &ChildExit,
) -> Option<Decision> {
    let period = policy.every.filter(|_| *exit == ChildExit::Completed)?;
    history.backoff.reset();
    Some(Decision::Rerun { after: period })
}

fn not_restarted(severity: Severity, success: bool) -> Decision {
    match (success, severity) {
        (true, _) => Decision::Stop(StopReason::Finished),
        (false, Severity::Critical) => Decision::Escalate(EscalationReason::CriticalChildStopped),
        (false, _) => Decision::Stop(StopReason::NotRestarted),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{ChildSpec, TaskRole};

    fn history(policy: &EffectivePolicy) -> ChildHistory {
        ChildHistory::new(policy, JitterRng::seeded(7))
    }

    #[test]
    fn only_a_completed_run_of_a_periodic_job_runs_again() {
        let minute = Duration::from_secs(60);
        let periodic = ChildSpec::declared("report", TaskRole::Job)
            .every(minute)
            .effective_policy();
        let once = ChildSpec::declared("migrate", TaskRole::Job).effective_policy();
        let completed = ChildExit::Completed;
        let rerun = periodic_rerun(
            &ExitPolicy::from(&periodic),
            &mut history(&periodic),
            &completed,
        );
        assert_eq!(rerun, Some(Decision::Rerun { after: minute }));
        assert_eq!(
            periodic_rerun(&ExitPolicy::from(&once), &mut history(&once), &completed),
            None
        );
        for exit in [
            ChildExit::Cancelled,
            ChildExit::TimedOut,
            ChildExit::failed("e"),
        ] {
            let decision =
                periodic_rerun(&ExitPolicy::from(&periodic), &mut history(&periodic), &exit);
            assert_eq!(decision, None, "{exit}");
        }
    }

    #[test]
    fn a_completed_run_starts_the_backoff_sequence_again() {
        let policy = ChildSpec::declared("report", TaskRole::Job)
            .every(Duration::from_secs(60))
            .effective_policy();
        let mut history = history(&policy);
        history.backoff.next_delay(&policy.backoff.value);
        assert_eq!(history.backoff().consecutive(), 1);
        periodic_rerun(
            &ExitPolicy::from(&policy),
            &mut history,
            &ChildExit::Completed,
        );
        assert_eq!(history.backoff().consecutive(), 0);
    }
}
