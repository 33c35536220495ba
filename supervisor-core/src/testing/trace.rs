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

    /// Any event about `path`.
    pub fn any(path: &str) -> Self {
        EventPattern::new(path, KindPattern::Any)
    }

    /// `path` started an instance.
    pub fn started(path: &str) -> Self {
        EventPattern::new(path, KindPattern::Started)
    }

    /// `path` became ready.
    pub fn ready(path: &str) -> Self {
        EventPattern::new(path, KindPattern::Ready)
    }

    /// An instance of `path` ended (narrow it with [`reason`](Self::reason)).
    pub fn exited(path: &str) -> Self {
        EventPattern::new(path, KindPattern::Exited(None))
    }

    /// An instance of `path` was aborted after its grace.
    pub fn aborted(path: &str) -> Self {
        EventPattern::new(path, KindPattern::Aborted)
    }

    /// `path` was scheduled to restart (narrow it with [`delay`](Self::delay)).
    pub fn restart_scheduled(path: &str) -> Self {
        EventPattern::new(path, KindPattern::RestartScheduled(None))
    }

    /// `path` stays stopped (narrow it with [`stop_reason`](Self::stop_reason)).
    pub fn stopped(path: &str) -> Self {
        EventPattern::new(path, KindPattern::Stopped(None))
    }

    /// The supervisor at `path` escalated.
    pub fn escalated(path: &str) -> Self {
        EventPattern::new(path, KindPattern::Escalated)
    }

    /// The supervisor at `path` stopped.
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

    /// Only events of this generation.
    #[must_use]
    pub fn generation(mut self, generation: u64) -> Self {
        self.generation = Some(generation);
        self
    }

    /// Only exits of this kind.
    #[must_use]
    pub fn reason(mut self, reason: ExitReason) -> Self {
        if let KindPattern::Exited(_) = self.kind {
            self.kind = KindPattern::Exited(Some(reason));
        }
        self
    }

    /// Only restarts scheduled after exactly this delay.
    #[must_use]
    pub fn delay(mut self, delay: Duration) -> Self {
        if let KindPattern::RestartScheduled(_) = self.kind {
            self.kind = KindPattern::RestartScheduled(Some(delay));
        }
        self
    }

    /// Only stops for this reason.
    #[must_use]
    pub fn stop_reason(mut self, reason: StopReason) -> Self {
        if let KindPattern::Stopped(_) = self.kind {
            self.kind = KindPattern::Stopped(Some(reason));
        }
        self
    }

    /// Only a supervisor stop that was clean (or not).
    #[must_use]
    pub fn clean(mut self, clean: bool) -> Self {
        if let KindPattern::SupervisorStopped(_) = self.kind {
            self.kind = KindPattern::SupervisorStopped(Some(clean));
        }
        self
    }

    /// Whether `event` matches.
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
    pub fn events(&self) -> &[SupervisorEvent] {
        &self.events
    }

    /// The events that match `pattern`, in order.
    pub fn matching<'a>(
        &'a self,
        pattern: &'a EventPattern,
    ) -> impl Iterator<Item = &'a SupervisorEvent> + 'a {
        self.events
            .iter()
            .filter(move |event| pattern.matches(event))
    }

    /// How many events match `pattern`.
    pub fn count(&self, pattern: &EventPattern) -> usize {
        self.matching(pattern).count()
    }

    /// How many times `path` exited, by kind of exit.
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
    /// # Errors
    ///
    /// The index of the first pattern with no match after the previous one.
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

    /// Asserts that `patterns` match an ordered subsequence of the trace.
    ///
    /// # Panics
    ///
    /// Panics when they do not, naming the first pattern not found and
    /// printing the trace.
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
