//! Scripted children: what each attempt does, from running normally to
//! failing, panicking, hanging or going silent.

use std::{collections::BTreeMap, future::pending, sync::Arc, time::Duration};

use tokio::time::sleep;

use super::InstanceTracker;
use crate::{
    context::ChildContext,
    spec::{ChildSpec, TaskRole},
    task::TaskFactory,
};

/// What one attempt (one instance) of a scripted child does.
///
/// Every step but [`Step::NeverReady`] calls `ready()` first.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use supervisor_core::testing::Step;
///
/// let fail = Step::fail("connection refused");
/// let late = Step::fail_after(Duration::from_secs(2), "lost the lease");
/// # let _ = (fail, late);
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Step {
    /// Run until cancelled, then return `Ok(())`.
    Run,
    /// Run for this long, then return `Ok(())`.
    RunFor(Duration),
    /// Return `Ok(())` at once.
    Complete,
    /// Return `Err(message)` at once.
    Fail(String),
    /// Run for this long (or until cancelled), then return `Err(message)`.
    FailAfter(Duration, String),
    /// Panic with this message at once.
    Panic(String),
    /// Run and never return, even when cancelled: only an abort ends it.
    IgnoreCancellation,
    /// Run until cancelled without ever calling `ready()`.
    NeverReady,
    /// Beat for this long, then go silent (but keep running) until cancelled.
    StopHeartbeatAfter(Duration),
}

impl Step {
    /// [`Step::Fail`] with `message`.
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::testing::Step;
    ///
    /// assert_eq!(Step::fail("refused"), Step::Fail("refused".into()));
    /// ```
    pub fn fail(message: impl Into<String>) -> Self {
        Step::Fail(message.into())
    }

    /// [`Step::FailAfter`] with `message`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use supervisor_core::testing::Step;
    ///
    /// let late = Step::fail_after(Duration::from_secs(2), "lost the lease");
    /// assert_eq!(late, Step::FailAfter(Duration::from_secs(2), "lost the lease".into()));
    /// ```
    pub fn fail_after(after: Duration, message: impl Into<String>) -> Self {
        Step::FailAfter(after, message.into())
    }

    /// [`Step::Panic`] with `message`.
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::testing::Step;
    ///
    /// assert_eq!(Step::panic("bug"), Step::Panic("bug".into()));
    /// ```
    pub fn panic(message: impl Into<String>) -> Self {
        Step::Panic(message.into())
    }
}

/// A child whose every attempt follows a script: "fail on attempts 1 and 2
/// with this error, then run", "panic on attempt 3", "never become ready".
///
/// Attempts count from 1 (the instance's generation). Attempts without a
/// step of their own do what [`then`](Self::then) says ([`Step::Run`] unless
/// set). Between steps, a running instance sends a heartbeat every
/// [`beat_every`](Self::beat_every) if that is set.
///
/// # Examples
///
/// ```
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() {
/// use supervisor_core::{BackoffPolicy, SupervisorSpec, TaskRole};
/// use supervisor_core::policy::ExitReason;
/// use supervisor_core::testing::{EventPattern, FaultScript, Step, TestTree};
///
/// let flaky = FaultScript::new()
///     .on_attempts([1, 2], Step::fail("connection refused"))
///     .then(Step::Run)
///     .child("db", TaskRole::Service)
///     .backoff(BackoffPolicy::NONE);
/// let mut tree = TestTree::start(SupervisorSpec::new("app").child(flaky));
/// tree.run_until(&EventPattern::started("app/db").generation(3)).await;
/// let done = tree.shutdown().await;
/// assert_eq!(done.trace.exits_by_reason("app/db")[&ExitReason::Failed], 2);
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct FaultScript {
    steps: BTreeMap<u64, Step>,
    otherwise: Step,
    beat_every: Option<Duration>,
    tracker: Option<InstanceTracker>,
}

impl Default for FaultScript {
    fn default() -> Self {
        FaultScript::new()
    }
}

impl FaultScript {
    /// A script whose every attempt runs until cancelled.
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::testing::{FaultScript, Step};
    ///
    /// // Without steps, every attempt runs until cancelled.
    /// assert_eq!(FaultScript::new().step(1), &Step::Run);
    /// ```
    pub fn new() -> Self {
        FaultScript {
            steps: BTreeMap::new(),
            otherwise: Step::Run,
            beat_every: None,
            tracker: None,
        }
    }

    /// What attempt `attempt` (from 1) does.
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::testing::{FaultScript, Step};
    ///
    /// let script = FaultScript::new().on_attempt(2, Step::panic("bug"));
    /// assert_eq!(script.step(2), &Step::panic("bug"));
    /// assert_eq!(script.step(1), &Step::Run);
    /// ```
    #[must_use]
    pub fn on_attempt(mut self, attempt: u64, step: Step) -> Self {
        self.steps.insert(attempt, step);
        self
    }

    /// What each of `attempts` does.
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::testing::{FaultScript, Step};
    ///
    /// let script = FaultScript::new().on_attempts([1, 2], Step::fail("refused"));
    /// assert_eq!(script.step(2), &Step::fail("refused"));
    /// assert_eq!(script.step(3), &Step::Run);
    /// ```
    #[must_use]
    pub fn on_attempts(mut self, attempts: impl IntoIterator<Item = u64>, step: Step) -> Self {
        for attempt in attempts {
            self.steps.insert(attempt, step.clone());
        }
        self
    }

    /// What every attempt without a step of its own does.
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::testing::{FaultScript, Step};
    ///
    /// let script = FaultScript::new().on_attempt(1, Step::Run).then(Step::Complete);
    /// assert_eq!(script.step(7), &Step::Complete);
    /// ```
    #[must_use]
    pub fn then(mut self, step: Step) -> Self {
        self.otherwise = step;
        self
    }

    /// Sends a heartbeat this often while an attempt runs (not during
    /// [`Step::StopHeartbeatAfter`]'s silence). Without it, a scripted child
    /// never beats, so a `heartbeat` on its spec stops it as failed.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// use std::time::Duration;
    /// use supervisor_core::{SupervisorSpec, TaskRole};
    /// use supervisor_core::testing::{ExitReason, FaultScript, TestTree};
    ///
    /// let second = Duration::from_secs(1);
    /// let beating = FaultScript::new()
    ///     .beat_every(second / 2)
    ///     .child("beating", TaskRole::Worker)
    ///     .heartbeat(second);
    /// let silent = FaultScript::new().child("silent", TaskRole::Worker).heartbeat(second);
    /// let mut tree = TestTree::start(SupervisorSpec::new("app").child(beating).child(silent));
    /// tree.run_for(Duration::from_millis(1500)).await;
    /// assert_eq!(tree.trace().exits_by_reason("app/silent")[&ExitReason::MissedHeartbeat], 1);
    /// assert!(tree.trace().exits_by_reason("app/beating").is_empty());
    /// # tree.shutdown().await;
    /// # }
    /// ```
    #[must_use]
    pub fn beat_every(mut self, period: Duration) -> Self {
        self.beat_every = Some(period);
        self
    }

    /// Reports every instance to `tracker` while it is alive, under its
    /// path (`app/api`): from its start until its task ends or is aborted.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// use supervisor_core::{BackoffPolicy, SupervisorSpec, TaskRole};
    /// use supervisor_core::testing::{EventPattern, FaultScript, InstanceTracker, Step, TestTree};
    ///
    /// let tracker = InstanceTracker::new();
    /// let api = FaultScript::new()
    ///     .on_attempts([1, 2], Step::fail("refused"))
    ///     .tracked_by(&tracker)
    ///     .child("api", TaskRole::Service)
    ///     .backoff(BackoffPolicy::NONE);
    /// let mut tree = TestTree::start(SupervisorSpec::new("app").child(api));
    /// tree.run_until(&EventPattern::started("app/api").generation(3)).await;
    /// tree.shutdown().await.assert_no_orphans();
    /// assert_eq!(tracker.entered("app/api"), 3);
    /// assert_eq!(tracker.max_alive("app/api"), 1); // never two at once
    /// assert_eq!(tracker.alive("app/api"), 0);
    /// # }
    /// ```
    #[must_use]
    pub fn tracked_by(mut self, tracker: &InstanceTracker) -> Self {
        self.tracker = Some(tracker.clone());
        self
    }

    /// The step of attempt `attempt`.
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::testing::{FaultScript, Step};
    ///
    /// let script = FaultScript::new().on_attempt(1, Step::fail("refused"));
    /// assert_eq!(script.step(1), &Step::fail("refused"));
    /// ```
    pub fn step(&self, attempt: u64) -> &Step {
        self.steps.get(&attempt).unwrap_or(&self.otherwise)
    }

    /// The script as a task.
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::{ChildSpec, TaskRole};
    /// use supervisor_core::testing::{FaultScript, Step};
    ///
    /// let script = FaultScript::new().on_attempt(1, Step::fail("refused"));
    /// let spec = ChildSpec::declared("api", TaskRole::Service).with_factory(script.task());
    /// assert!(spec.task_factory().is_some());
    /// ```
    pub fn task(&self) -> TaskFactory {
        let script = Arc::new(self.clone());
        TaskFactory::new(move |ctx: ChildContext| {
            let script = Arc::clone(&script);
            async move { script.perform(ctx).await }
        })
    }

    /// A child with this id and role that runs the script.
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::TaskRole;
    /// use supervisor_core::testing::FaultScript;
    ///
    /// let api = FaultScript::new().child("api", TaskRole::Service);
    /// assert_eq!((api.id.as_str(), api.role), ("api", TaskRole::Service));
    /// ```
    pub fn child(&self, id: impl Into<String>, role: TaskRole) -> ChildSpec {
        ChildSpec::declared(id, role).with_factory(self.task())
    }

    async fn perform(&self, ctx: ChildContext) -> Result<(), String> {
        let _alive = self
            .tracker
            .as_ref()
            .map(|tracker| tracker.enter(ctx.path()));
        let step = self.step(ctx.generation());
        if *step != Step::NeverReady {
            ctx.ready();
        }
        match step {
            Step::Run | Step::NeverReady => self.beat_until(&ctx, None).await,
            Step::RunFor(period) => self.beat_until(&ctx, Some(*period)).await,
            Step::Complete => {}
            Step::Fail(message) => return Err(message.clone()),
            Step::FailAfter(after, message) => {
                self.beat_until(&ctx, Some(*after)).await;
                return Err(message.clone());
            }
            Step::Panic(message) => panic!("{message}"),
            Step::IgnoreCancellation => pending::<()>().await,
            Step::StopHeartbeatAfter(period) => {
                self.beat_until(&ctx, Some(*period)).await;
                ctx.cancelled().await;
            }
        }
        Ok(())
    }

    /// Beats every `beat_every` until cancelled or `limit` has passed.
    async fn beat_until(&self, ctx: &ChildContext, limit: Option<Duration>) {
        let until = async {
            match limit {
                Some(limit) => sleep(limit).await,
                None => pending().await,
            }
        };
        let beats = async {
            match self.beat_every {
                Some(period) => loop {
                    sleep(period).await;
                    ctx.heartbeat();
                },
                None => pending::<()>().await,
            }
        };
        tokio::select! {
            biased;
            () = ctx.cancelled() => {}
            () = until => {}
            () = beats => {}
        }
    }
}
