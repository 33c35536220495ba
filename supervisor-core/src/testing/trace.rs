//! The events a tree emitted, and questions to ask of them.

use std::{collections::BTreeMap, fmt, time::Duration};

use crate::{
    event::{EventKind, SupervisorEvent},
    policy::{ExitReason, StopReason},
};

/// What kind of event a pattern matches.
#[derive(Debug, Clone, PartialEq)]
enum KindPattern {
    Any,
    Started,
    Ready,
    Exited(Option<ExitReason>),
    Aborted,
    RestartScheduled(Option<Duration>),
    Stopped(Option<StopReason>),
    Escalated,
    SupervisorStopped(Option<bool>),
    Reconfigured,
    ReconfigureRejected,
}

/// Matches events by path, kind and generation, for [`Trace`] queries.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use supervisor_core::policy::ExitReason;
/// use supervisor_core::testing::EventPattern;
///
/// let second_start = EventPattern::started("app/api").generation(2);
/// let panic = EventPattern::exited("app/api").reason(ExitReason::Panicked);
/// let backoff = EventPattern::restart_scheduled("app/api").delay(Duration::from_millis(50));
/// assert_eq!(second_start.to_string(), "started app/api gen 2");
/// # let _ = (panic, backoff);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct EventPattern {
    path: Option<String>,
    kind: KindPattern,
    generation: Option<u64>,
}

impl EventPattern {
    fn new(path: &str, kind: KindPattern) -> Self {
        EventPattern {
            path: Some(path.to_owned()),
            kind,
            generation: None,
        }
    }

    /// Any event about `path`, whatever its kind. The path must be equal,
    /// not a prefix: the children of `app` do not match `any("app")`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use supervisor_core::{EventKind, SupervisorEvent};
    /// use supervisor_core::testing::EventPattern;
    ///
    /// let event = |path: &str, kind| SupervisorEvent {
    ///     seq: 0, path: path.into(), generation: 1, elapsed: Duration::ZERO,
    ///     timestamp: std::time::SystemTime::UNIX_EPOCH, kind,
    /// };
    /// let about_api = EventPattern::any("app/api");
    /// assert!(about_api.matches(&event("app/api", EventKind::Started)));
    /// assert!(about_api.matches(&event("app/api", EventKind::Aborted)));
    /// assert!(!about_api.matches(&event("app/db", EventKind::Started)));
    /// assert!(!EventPattern::any("app").matches(&event("app/api", EventKind::Started)));
    /// ```
    pub fn any(path: &str) -> Self {
        EventPattern::new(path, KindPattern::Any)
    }

    /// `path` started an instance (narrow it with
    /// [`generation`](Self::generation)).
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// use supervisor_core::{BackoffPolicy, SupervisorSpec, TaskRole};
    /// use supervisor_core::testing::{EventPattern, FaultScript, Step, TestTree};
    ///
    /// let api = FaultScript::new()
    ///     .on_attempt(1, Step::fail("refused"))
    ///     .child("api", TaskRole::Service)
    ///     .backoff(BackoffPolicy::NONE);
    /// let mut tree = TestTree::start(SupervisorSpec::new("app").child(api));
    /// let second = tree.run_until(&EventPattern::started("app/api").generation(2)).await;
    /// assert_eq!(second.generation, 2);
    /// assert_eq!(tree.trace().count(&EventPattern::started("app/api")), 2);
    /// # tree.shutdown().await;
    /// # }
    /// ```
    pub fn started(path: &str) -> Self {
        EventPattern::new(path, KindPattern::Started)
    }

    /// `path` became ready: an instance of it called `ready()`.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// use std::time::Duration;
    /// use supervisor_core::{SupervisorSpec, TaskRole};
    /// use supervisor_core::testing::{EventPattern, FaultScript, TestTree};
    ///
    /// // `api` starts only once `db` is ready.
    /// let db = FaultScript::new().child("db", TaskRole::Service).ready_timeout(Duration::from_secs(5));
    /// let api = FaultScript::new().child("api", TaskRole::Service);
    /// let mut tree = TestTree::start(SupervisorSpec::new("app").child(db).child(api));
    /// tree.run_until(&EventPattern::started("app/api")).await;
    /// tree.trace().assert_in_order(&[EventPattern::ready("app/db"), EventPattern::started("app/api")]);
    /// # tree.shutdown().await;
    /// # }
    /// ```
    pub fn ready(path: &str) -> Self {
        EventPattern::new(path, KindPattern::Ready)
    }

    /// An instance of `path` ended, for any reason (narrow it with
    /// [`reason`](Self::reason)).
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// use supervisor_core::{EventKind, SupervisorSpec, TaskRole};
    /// use supervisor_core::testing::{ChildExit, EventPattern, FaultScript, Step, TestTree};
    ///
    /// let api = FaultScript::new().on_attempt(1, Step::fail("refused")).child("api", TaskRole::Service);
    /// let mut tree = TestTree::start(SupervisorSpec::new("app").child(api));
    /// let exit = tree.run_until(&EventPattern::exited("app/api")).await;
    /// assert_eq!(exit.kind, EventKind::Exited { exit: ChildExit::Failed("refused".into()) });
    /// # tree.shutdown().await;
    /// # }
    /// ```
    pub fn exited(path: &str) -> Self {
        EventPattern::new(path, KindPattern::Exited(None))
    }

    /// An instance of `path` was aborted: it ignored cancellation past its
    /// shutdown grace (or its shutdown is brutal). Its `exited` event follows.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// use std::time::Duration;
    /// use supervisor_core::{ShutdownPolicy, SupervisorSpec, TaskRole};
    /// use supervisor_core::testing::{EventPattern, FaultScript, Step, TestTree};
    ///
    /// let deaf = FaultScript::new()
    ///     .then(Step::IgnoreCancellation)
    ///     .child("deaf", TaskRole::Worker)
    ///     .shutdown(ShutdownPolicy::Timeout(Duration::from_secs(1)));
    /// let mut tree = TestTree::start(SupervisorSpec::new("app").child(deaf));
    /// tree.run_until(&EventPattern::started("app/deaf")).await;
    /// let done = tree.shutdown().await;
    /// let pattern = EventPattern::aborted("app/deaf");
    /// let aborted = done.trace.matching(&pattern).next().unwrap();
    /// assert_eq!(aborted.elapsed, Duration::from_secs(1)); // after the whole grace
    /// done.assert_no_orphans();
    /// # }
    /// ```
    pub fn aborted(path: &str) -> Self {
        EventPattern::new(path, KindPattern::Aborted)
    }

    /// `path` was scheduled to restart (narrow it with [`delay`](Self::delay)).
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// use std::time::Duration;
    /// use supervisor_core::{BackoffPolicy, EventKind, SupervisorSpec, TaskRole};
    /// use supervisor_core::testing::{EventPattern, FaultScript, Step, TestTree};
    ///
    /// let api = FaultScript::new()
    ///     .on_attempt(1, Step::fail("refused"))
    ///     .child("api", TaskRole::Service)
    ///     .backoff(BackoffPolicy::DEFAULT.jitter(0.0));
    /// let mut tree = TestTree::start(SupervisorSpec::new("app").child(api));
    /// let scheduled = tree.run_until(&EventPattern::restart_scheduled("app/api")).await;
    /// assert_eq!(scheduled.kind, EventKind::RestartScheduled { delay: Duration::from_millis(50) });
    /// # tree.shutdown().await;
    /// # }
    /// ```
    pub fn restart_scheduled(path: &str) -> Self {
        EventPattern::new(path, KindPattern::RestartScheduled(None))
    }

    /// `path` stays stopped: it exited and its policy does not restart it
    /// (narrow it with [`stop_reason`](Self::stop_reason)). Instances that a
    /// shutdown stops have no such event.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// use supervisor_core::{EventKind, SupervisorSpec, TaskRole};
    /// use supervisor_core::policy::StopReason;
    /// use supervisor_core::testing::{EventPattern, FaultScript, Step, TestTree};
    ///
    /// let migrate = FaultScript::new().then(Step::Complete).child("migrate", TaskRole::Job);
    /// let mut tree = TestTree::start(SupervisorSpec::new("app").child(migrate));
    /// let done = tree.run_until(&EventPattern::stopped("app/migrate")).await;
    /// assert_eq!(done.kind, EventKind::Stopped { reason: StopReason::Finished });
    /// # tree.shutdown().await;
    /// # }
    /// ```
    pub fn stopped(path: &str) -> Self {
        EventPattern::new(path, KindPattern::Stopped(None))
    }

    /// The supervisor at `path` escalated: `path` is the supervisor's own
    /// (`app`), not the child's that made it give up.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// use supervisor_core::{EventKind, SupervisorSpec, TaskRole};
    /// use supervisor_core::testing::{EventPattern, FaultScript, Step, TestTree};
    ///
    /// // A service that always fails exhausts its restart limit.
    /// let api = FaultScript::new().then(Step::fail("refused")).child("api", TaskRole::Service);
    /// let mut tree = TestTree::start(SupervisorSpec::new("app").child(api));
    /// let escalated = tree.run_until(&EventPattern::escalated("app")).await;
    /// let EventKind::Escalated { child, .. } = escalated.kind else { unreachable!() };
    /// assert_eq!(&*child, "app/api");
    /// # tree.shutdown().await;
    /// # }
    /// ```
    pub fn escalated(path: &str) -> Self {
        EventPattern::new(path, KindPattern::Escalated)
    }

    /// The supervisor at `path` stopped, cleanly or not (narrow it with
    /// [`clean`](Self::clean)). No event of its tree comes after it.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// use supervisor_core::{SupervisorSpec, TaskRole};
    /// use supervisor_core::testing::{EventPattern, FaultScript, TestTree};
    ///
    /// let mut tree = TestTree::start(SupervisorSpec::new("app").child(FaultScript::new().child("api", TaskRole::Service)));
    /// tree.run_until(&EventPattern::started("app/api")).await;
    /// let done = tree.shutdown().await;
    /// let last = done.trace.events().last().unwrap();
    /// assert!(EventPattern::supervisor_stopped("app").matches(last));
    /// # }
    /// ```
    pub fn supervisor_stopped(path: &str) -> Self {
        EventPattern::new(path, KindPattern::SupervisorStopped(None))
    }

    /// The supervisor at `path` applied new policies.
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::testing::EventPattern;
    ///
    /// assert_eq!(EventPattern::reconfigured("app").to_string(), "reconfigured app");
    /// ```
    pub fn reconfigured(path: &str) -> Self {
        EventPattern::new(path, KindPattern::Reconfigured)
    }

    /// The root at `path` refused a config reload.
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::testing::EventPattern;
    ///
    /// let pattern = EventPattern::reconfigure_rejected("app");
    /// assert_eq!(pattern.to_string(), "reconfigure rejected app");
    /// ```
    pub fn reconfigure_rejected(path: &str) -> Self {
        EventPattern::new(path, KindPattern::ReconfigureRejected)
    }

    /// Only events of this generation (1 for a child's first instance).
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// use supervisor_core::{SupervisorSpec, TaskRole};
    /// use supervisor_core::testing::{EventPattern, FaultScript, TestTree};
    ///
    /// let mut tree = TestTree::start(SupervisorSpec::new("app").child(FaultScript::new().child("api", TaskRole::Service)));
    /// tree.run_until(&EventPattern::started("app/api")).await;
    /// tree.handle().restart_child("api").await.unwrap();
    /// let done = tree.shutdown().await;
    /// assert_eq!(done.trace.count(&EventPattern::exited("app/api").generation(1)), 1);
    /// assert_eq!(done.trace.count(&EventPattern::started("app/api").generation(2)), 1);
    /// assert_eq!(done.trace.count(&EventPattern::any("app/api").generation(3)), 0);
    /// # }
    /// ```
    #[must_use]
    pub fn generation(mut self, generation: u64) -> Self {
        self.generation = Some(generation);
        self
    }

    /// Only exits of this kind. Narrows [`exited`](Self::exited) patterns;
    /// other patterns are returned unchanged.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// use supervisor_core::{BackoffPolicy, SupervisorSpec, TaskRole};
    /// use supervisor_core::testing::{EventPattern, ExitReason, FaultScript, Step, TestTree};
    ///
    /// let api = FaultScript::new()
    ///     .on_attempt(1, Step::fail("refused"))
    ///     .on_attempt(2, Step::panic("bug"))
    ///     .child("api", TaskRole::Service)
    ///     .backoff(BackoffPolicy::NONE);
    /// let mut tree = TestTree::start(SupervisorSpec::new("app").child(api));
    /// let panic = tree.run_until(&EventPattern::exited("app/api").reason(ExitReason::Panicked)).await;
    /// assert_eq!(panic.generation, 2);
    /// assert_eq!(tree.trace().count(&EventPattern::exited("app/api").reason(ExitReason::Failed)), 1);
    /// # tree.shutdown().await;
    /// # }
    /// ```
    #[must_use]
    pub fn reason(mut self, reason: ExitReason) -> Self {
        if let KindPattern::Exited(_) = self.kind {
            self.kind = KindPattern::Exited(Some(reason));
        }
        self
    }

    /// Only restarts scheduled after exactly this delay (jitter included,
    /// so set the backoff's jitter to 0 to predict it). Narrows
    /// [`restart_scheduled`](Self::restart_scheduled) patterns; other
    /// patterns are returned unchanged.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// use std::time::Duration;
    /// use supervisor_core::{BackoffPolicy, SupervisorSpec, TaskRole};
    /// use supervisor_core::testing::{EventPattern, FaultScript, Step, TestTree};
    ///
    /// let api = FaultScript::new()
    ///     .on_attempts([1, 2, 3], Step::fail("refused"))
    ///     .child("api", TaskRole::Service)
    ///     .backoff(BackoffPolicy::DEFAULT.jitter(0.0)); // 50 ms, doubling
    /// let mut tree = TestTree::start(SupervisorSpec::new("app").child(api));
    /// tree.run_until(&EventPattern::started("app/api").generation(4)).await;
    /// tree.trace().assert_in_order(&[
    ///     EventPattern::restart_scheduled("app/api").delay(Duration::from_millis(50)),
    ///     EventPattern::restart_scheduled("app/api").delay(Duration::from_millis(100)),
    ///     EventPattern::restart_scheduled("app/api").delay(Duration::from_millis(200)),
    /// ]);
    /// # tree.shutdown().await;
    /// # }
    /// ```
    #[must_use]
    pub fn delay(mut self, delay: Duration) -> Self {
        if let KindPattern::RestartScheduled(_) = self.kind {
            self.kind = KindPattern::RestartScheduled(Some(delay));
        }
        self
    }

    /// Only stops for this reason. Narrows [`stopped`](Self::stopped)
    /// patterns; other patterns are returned unchanged.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// use supervisor_core::{RestartPolicy, SupervisorSpec, TaskRole};
    /// use supervisor_core::policy::StopReason;
    /// use supervisor_core::testing::{EventPattern, FaultScript, Step, TestTree};
    ///
    /// // A temporary job is not retried after it fails.
    /// let boot = FaultScript::new()
    ///     .then(Step::fail("disk full"))
    ///     .child("boot", TaskRole::Job)
    ///     .restart(RestartPolicy::Temporary);
    /// let mut tree = TestTree::start(SupervisorSpec::new("app").child(boot));
    /// tree.run_until(&EventPattern::stopped("app/boot").stop_reason(StopReason::NotRestarted)).await;
    /// # tree.shutdown().await;
    /// # }
    /// ```
    #[must_use]
    pub fn stop_reason(mut self, reason: StopReason) -> Self {
        if let KindPattern::Stopped(_) = self.kind {
            self.kind = KindPattern::Stopped(Some(reason));
        }
        self
    }

    /// Only a supervisor stop that was clean (`true`: no escalation) or not.
    /// Narrows [`supervisor_stopped`](Self::supervisor_stopped) patterns;
    /// other patterns are returned unchanged.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// use supervisor_core::{SupervisorSpec, TaskRole};
    /// use supervisor_core::testing::{EventPattern, FaultScript, Step, TestTree};
    ///
    /// let api = FaultScript::new().then(Step::fail("refused")).child("api", TaskRole::Service);
    /// let mut tree = TestTree::start(SupervisorSpec::new("app").child(api));
    /// tree.run_until(&EventPattern::supervisor_stopped("app").clean(false)).await;
    /// assert_eq!(tree.trace().count(&EventPattern::supervisor_stopped("app").clean(true)), 0);
    /// # tree.shutdown().await;
    /// # }
    /// ```
    #[must_use]
    pub fn clean(mut self, clean: bool) -> Self {
        if let KindPattern::SupervisorStopped(_) = self.kind {
            self.kind = KindPattern::SupervisorStopped(Some(clean));
        }
        self
    }

    /// Whether `event` matches: the same path, the kind and every filter
    /// that was set.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use supervisor_core::{EventKind, SupervisorEvent};
    /// use supervisor_core::testing::EventPattern;
    ///
    /// let event = SupervisorEvent {
    ///     seq: 4,
    ///     path: "app/api".into(),
    ///     generation: 2,
    ///     elapsed: Duration::from_millis(50),
    ///     timestamp: std::time::SystemTime::UNIX_EPOCH,
    ///     kind: EventKind::Started,
    /// };
    /// assert!(EventPattern::started("app/api").matches(&event));
    /// assert!(EventPattern::started("app/api").generation(2).matches(&event));
    /// assert!(!EventPattern::started("app/api").generation(1).matches(&event));
    /// assert!(!EventPattern::exited("app/api").matches(&event));
    /// ```
    pub fn matches(&self, event: &SupervisorEvent) -> bool {
        let path_ok = self.path.as_deref().is_none_or(|path| *event.path == *path);
        let generation_ok = self.generation.is_none_or(|g| g == event.generation);
        path_ok && generation_ok && self.kind_matches(&event.kind)
    }

    fn kind_matches(&self, kind: &EventKind) -> bool {
        match (&self.kind, kind) {
            (KindPattern::Any, _)
            | (KindPattern::Started, EventKind::Started)
            | (KindPattern::Ready, EventKind::Ready)
            | (KindPattern::Aborted, EventKind::Aborted)
            | (KindPattern::Escalated, EventKind::Escalated { .. })
            | (KindPattern::Reconfigured, EventKind::Reconfigured)
            | (KindPattern::ReconfigureRejected, EventKind::ReconfigureRejected { .. }) => true,
            (KindPattern::Exited(reason), EventKind::Exited { exit }) => {
                wanted_or_any(*reason, exit.reason())
            }
            (KindPattern::RestartScheduled(wanted), EventKind::RestartScheduled { delay }) => {
                wanted_or_any(*wanted, *delay)
            }
            (KindPattern::Stopped(wanted), EventKind::Stopped { reason }) => {
                wanted_or_any(*wanted, *reason)
            }
            (KindPattern::SupervisorStopped(wanted), EventKind::SupervisorStopped { clean }) => {
                wanted_or_any(*wanted, *clean)
            }
            _ => false,
        }
    }
}

fn wanted_or_any<T: PartialEq>(wanted: Option<T>, actual: T) -> bool {
    wanted.is_none_or(|wanted| wanted == actual)
}

impl fmt::Display for EventPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match &self.kind {
            KindPattern::Any => "any".to_owned(),
            KindPattern::Started => "started".to_owned(),
            KindPattern::Ready => "ready".to_owned(),
            KindPattern::Exited(None) => "exited".to_owned(),
            KindPattern::Exited(Some(reason)) => format!("exited ({reason:?})"),
            KindPattern::Aborted => "aborted".to_owned(),
            KindPattern::RestartScheduled(None) => "restart scheduled".to_owned(),
            KindPattern::RestartScheduled(Some(d)) => format!("restart scheduled after {d:?}"),
            KindPattern::Stopped(None) => "stopped".to_owned(),
            KindPattern::Stopped(Some(reason)) => format!("stopped ({reason:?})"),
            KindPattern::Escalated => "escalated".to_owned(),
            KindPattern::SupervisorStopped(None) => "supervisor stopped".to_owned(),
            KindPattern::SupervisorStopped(Some(c)) => format!("supervisor stopped (clean: {c})"),
            KindPattern::Reconfigured => "reconfigured".to_owned(),
            KindPattern::ReconfigureRejected => "reconfigure rejected".to_owned(),
        };
        write!(f, "{kind} {}", self.path.as_deref().unwrap_or("*"))?;
        if let Some(generation) = self.generation {
            write!(f, " gen {generation}")?;
        }
        Ok(())
    }
}

/// The events a tree emitted, in order.
///
/// # Examples
///
/// ```
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() {
/// use supervisor_core::{BackoffPolicy, SupervisorSpec, TaskRole};
/// use supervisor_core::testing::{EventPattern, FaultScript, Step, TestTree};
///
/// let api = FaultScript::new()
///     .on_attempt(1, Step::panic("bug"))
///     .child("api", TaskRole::Service)
///     .backoff(BackoffPolicy::NONE);
/// let mut tree = TestTree::start(SupervisorSpec::new("app").child(api));
/// tree.run_until(&EventPattern::started("app/api").generation(2)).await;
/// let trace = tree.shutdown().await.trace;
/// trace.assert_in_order(&[
///     EventPattern::started("app/api").generation(1),
///     EventPattern::exited("app/api"),
///     EventPattern::restart_scheduled("app/api"),
///     EventPattern::started("app/api").generation(2),
/// ]);
/// # }
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Trace {
    events: Vec<SupervisorEvent>,
}

impl Trace {
    pub(crate) fn push(&mut self, event: SupervisorEvent) {
        self.events.push(event);
    }

    /// Every event, in order.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// use supervisor_core::{EventKind, SupervisorSpec, TaskRole};
    /// use supervisor_core::testing::{EventPattern, FaultScript, TestTree};
    ///
    /// let mut tree = TestTree::start(SupervisorSpec::new("app").child(FaultScript::new().child("api", TaskRole::Service)));
    /// tree.run_until(&EventPattern::started("app/api")).await;
    /// let trace = tree.shutdown().await.trace;
    /// let first = &trace.events()[0];
    /// assert_eq!((&*first.path, first.seq, &first.kind), ("app/api", 0, &EventKind::Started));
    /// assert!(trace.events().windows(2).all(|pair| pair[0].seq < pair[1].seq));
    /// # }
    /// ```
    pub fn events(&self) -> &[SupervisorEvent] {
        &self.events
    }

    /// The events that match `pattern`, in order.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// use std::time::Duration;
    /// use supervisor_core::{BackoffPolicy, SupervisorSpec, TaskRole};
    /// use supervisor_core::testing::{EventPattern, FaultScript, Step, TestTree};
    ///
    /// let api = FaultScript::new()
    ///     .on_attempts([1, 2], Step::fail("refused"))
    ///     .child("api", TaskRole::Service)
    ///     .backoff(BackoffPolicy::DEFAULT.jitter(0.0));
    /// let mut tree = TestTree::start(SupervisorSpec::new("app").child(api));
    /// tree.run_until(&EventPattern::started("app/api").generation(3)).await;
    /// let starts: Vec<Duration> = tree
    ///     .trace()
    ///     .matching(&EventPattern::started("app/api"))
    ///     .map(|event| event.elapsed)
    ///     .collect();
    /// // Started at once, again after 50 ms, again 100 ms later.
    /// assert_eq!(starts, [Duration::ZERO, Duration::from_millis(50), Duration::from_millis(150)]);
    /// # tree.shutdown().await;
    /// # }
    /// ```
    pub fn matching<'a>(
        &'a self,
        pattern: &'a EventPattern,
    ) -> impl Iterator<Item = &'a SupervisorEvent> + 'a {
        self.events
            .iter()
            .filter(move |event| pattern.matches(event))
    }

    /// How many events match `pattern`.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// use std::time::Duration;
    /// use supervisor_core::{BackoffPolicy, SupervisorSpec, TaskRole};
    /// use supervisor_core::testing::{EventPattern, FaultScript, Step, TestTree};
    ///
    /// // Fails every 2 s, restarts at once: 4 exits in 9 s.
    /// let flaky = FaultScript::new()
    ///     .then(Step::fail_after(Duration::from_secs(2), "lost the lease"))
    ///     .child("flaky", TaskRole::Worker)
    ///     .backoff(BackoffPolicy::NONE);
    /// let mut tree = TestTree::start(SupervisorSpec::new("app").child(flaky));
    /// tree.run_for(Duration::from_secs(9)).await;
    /// assert_eq!(tree.trace().count(&EventPattern::exited("app/flaky")), 4);
    /// # tree.shutdown().await;
    /// # }
    /// ```
    pub fn count(&self, pattern: &EventPattern) -> usize {
        self.matching(pattern).count()
    }

    /// How many times `path` exited, by kind of exit. Kinds that never
    /// happened are absent from the map, not 0.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// use supervisor_core::{BackoffPolicy, SupervisorSpec, TaskRole};
    /// use supervisor_core::testing::{EventPattern, ExitReason, FaultScript, Step, TestTree};
    ///
    /// let api = FaultScript::new()
    ///     .on_attempts([1, 3], Step::fail("refused"))
    ///     .on_attempt(2, Step::panic("bug"))
    ///     .child("api", TaskRole::Service)
    ///     .backoff(BackoffPolicy::NONE);
    /// let mut tree = TestTree::start(SupervisorSpec::new("app").child(api));
    /// tree.run_until(&EventPattern::started("app/api").generation(4)).await;
    /// let exits = tree.shutdown().await.trace.exits_by_reason("app/api");
    /// assert_eq!(exits[&ExitReason::Failed], 2);
    /// assert_eq!(exits[&ExitReason::Panicked], 1);
    /// assert_eq!(exits[&ExitReason::Cancelled], 1); // stopped by the shutdown
    /// assert!(!exits.contains_key(&ExitReason::TimedOut));
    /// # }
    /// ```
    pub fn exits_by_reason(&self, path: &str) -> BTreeMap<ExitReason, usize> {
        let mut counts = BTreeMap::new();
        for event in self.matching(&EventPattern::exited(path)) {
            if let EventKind::Exited { exit } = &event.kind {
                *counts.entry(exit.reason()).or_default() += 1;
            }
        }
        counts
    }

    /// Finds events matching `patterns` as an ordered subsequence.
    ///
    /// Each pattern matches the first event after the previous pattern's.
    ///
    /// # Errors
    ///
    /// The index of the first pattern with no match after the previous one.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// use supervisor_core::{BackoffPolicy, SupervisorSpec, TaskRole};
    /// use supervisor_core::testing::{EventPattern, FaultScript, Step, TestTree};
    ///
    /// let api = FaultScript::new()
    ///     .on_attempt(1, Step::fail("refused"))
    ///     .child("api", TaskRole::Service)
    ///     .backoff(BackoffPolicy::NONE);
    /// let mut tree = TestTree::start(SupervisorSpec::new("app").child(api));
    /// tree.run_until(&EventPattern::started("app/api").generation(2)).await;
    /// let trace = tree.shutdown().await.trace;
    ///
    /// let found = trace
    ///     .find_in_order(&[EventPattern::exited("app/api"), EventPattern::started("app/api")])
    ///     .unwrap();
    /// assert_eq!(found[1].generation, 2); // the start after the exit
    /// // Nothing started after the tree stopped: pattern 1 is not found.
    /// let late = trace.find_in_order(&[
    ///     EventPattern::supervisor_stopped("app"),
    ///     EventPattern::started("app/api"),
    /// ]);
    /// assert_eq!(late.unwrap_err(), 1);
    /// # }
    /// ```
    pub fn find_in_order(&self, patterns: &[EventPattern]) -> Result<Vec<&SupervisorEvent>, usize> {
        let mut found = Vec::with_capacity(patterns.len());
        let mut rest = self.events.iter();
        for (index, pattern) in patterns.iter().enumerate() {
            match rest.by_ref().find(|event| pattern.matches(event)) {
                Some(event) => found.push(event),
                None => return Err(index),
            }
        }
        Ok(found)
    }

    /// Asserts that `patterns` match an ordered subsequence of the trace:
    /// other events may come between them.
    ///
    /// # Panics
    ///
    /// Panics when they do not, naming the first pattern not found and
    /// printing the trace.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// use std::time::Duration;
    /// use supervisor_core::{Strategy, SupervisorSpec, TaskRole};
    /// use supervisor_core::testing::{EventPattern, ExitReason, FaultScript, Step, TestTree};
    ///
    /// // one_for_all: when `api` fails, `db` is stopped too, and both start again in order.
    /// let db = FaultScript::new().child("db", TaskRole::Service);
    /// let api = FaultScript::new()
    ///     .on_attempt(1, Step::fail_after(Duration::from_secs(1), "bug"))
    ///     .child("api", TaskRole::Service);
    /// let app = SupervisorSpec::new("app").strategy(Strategy::OneForAll).child(db).child(api);
    /// let mut tree = TestTree::start(app);
    /// tree.run_until(&EventPattern::started("app/api").generation(2)).await;
    /// tree.trace().assert_in_order(&[
    ///     EventPattern::exited("app/api").reason(ExitReason::Failed),
    ///     EventPattern::exited("app/db").reason(ExitReason::Cancelled),
    ///     EventPattern::started("app/db").generation(2),
    ///     EventPattern::started("app/api").generation(2),
    /// ]);
    /// # tree.shutdown().await;
    /// # }
    /// ```
    pub fn assert_in_order(&self, patterns: &[EventPattern]) {
        if let Err(index) = self.find_in_order(patterns) {
            panic!(
                "expected `{}` (pattern {index}) after {:?}, not found in the trace:\n{self}",
                patterns[index],
                patterns[..index]
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
            );
        }
    }
}

impl fmt::Display for Trace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for event in &self.events {
            writeln!(
                f,
                "  #{:<5} {:>10.3?} {} gen {}: {:?}",
                event.seq, event.elapsed, event.path, event.generation, event.kind
            )?;
        }
        Ok(())
    }
}
