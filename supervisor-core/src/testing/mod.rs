//! Test your supervision the way this crate tests its own: run a tree on
//! tokio's paused clock with a fixed jitter seed, script faults per child,
//! and assert on the event trace and the final snapshot.
//!
//! Run tests with `#[tokio::test(start_paused = true)]`: timers then fire in
//! simulated time, so a five-minute backoff takes no wall time and delays
//! are exact.
//!
//! # Examples
//!
//! ```
//! # #[tokio::main(flavor = "current_thread", start_paused = true)]
//! # async fn main() {
//! use std::time::Duration;
//! use supervisor_core::{BackoffPolicy, SupervisorSpec, TaskRole};
//! use supervisor_core::testing::{ChildState, EventPattern, ExitReason, FaultScript, Step, TestTree};
//!
//! let api = FaultScript::new()
//!     .on_attempts([1, 2], Step::fail("connection refused"))
//!     .on_attempt(3, Step::panic("handler bug"))
//!     .then(Step::Run)
//!     .child("api", TaskRole::Service)
//!     .backoff(BackoffPolicy::DEFAULT.jitter(0.0));
//! let mut tree = TestTree::start(SupervisorSpec::new("app").child(api));
//! tree.run_for(Duration::from_secs(5)).await;
//!
//! let snapshot = tree.snapshot().await;
//! assert_eq!(snapshot.find("app/api").unwrap().state, ChildState::Running);
//! let done = tree.shutdown().await;
//! done.assert_no_orphans();
//! let exits = done.trace.exits_by_reason("app/api");
//! assert_eq!((exits[&ExitReason::Failed], exits[&ExitReason::Panicked]), (2, 1));
//! done.trace.assert_in_order(&[
//!     EventPattern::restart_scheduled("app/api").delay(Duration::from_millis(50)),
//!     EventPattern::restart_scheduled("app/api").delay(Duration::from_millis(100)),
//!     EventPattern::started("app/api").generation(4),
//! ]);
//! # }
//! ```

mod footprint;
mod script;
mod stall;
mod trace;
mod tracker;

use std::time::Duration;

pub use footprint::{Footprint, footprint};
pub use script::{FaultScript, Step};
pub use stall::stall_loop;
pub use trace::{EventPattern, Trace};
pub use tracker::{InstanceGuard, InstanceTracker};

/// The exit and event types tests assert on, so that
/// `use supervisor_core::testing::*;` is enough for them.
pub use crate::{
    event::EventKind,
    policy::{ChildExit, ExitReason},
    shutdown_report::StopOutcome,
    snapshot::ChildState,
};

use crate::{
    event::{EventStream, EventStreamError, SupervisorEvent},
    runtime::{Supervisor, SupervisorHandle, TreeError},
    shutdown_report::ShutdownReport,
    snapshot::TreeSnapshot,
    spec::SupervisorSpec,
};

/// A tree under test: started with a fixed jitter seed, its events
/// collected into a [`Trace`] as the test advances.
///
/// # Examples
///
/// ```
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() {
/// use supervisor_core::{SupervisorSpec, TaskRole};
/// use supervisor_core::testing::{EventPattern, FaultScript, Step, TestTree};
///
/// let api = FaultScript::new().on_attempt(1, Step::fail("refused")).child("api", TaskRole::Service);
/// let mut tree = TestTree::start(SupervisorSpec::new("app").child(api));
/// tree.run_until(&EventPattern::started("app/api").generation(2)).await;
/// tree.shutdown().await.assert_no_orphans();
/// # }
/// ```
#[derive(Debug)]
pub struct TestTree {
    handle: SupervisorHandle,
    events: EventStream,
    trace: Trace,
    alive_before: usize,
}

/// What a [`TestTree`] left behind once shut down.
///
/// # Examples
///
/// ```
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() {
/// use supervisor_core::{SupervisorSpec, TaskRole};
/// use supervisor_core::testing::{EventPattern, FaultScript, Step, TestTree};
///
/// let api = FaultScript::new().child("api", TaskRole::Service);
/// let mut tree = TestTree::start(SupervisorSpec::new("app").child(api));
/// tree.run_until(&EventPattern::started("app/api")).await;
/// let done = tree.shutdown().await;
/// assert!(done.report.is_clean() && done.outcome.is_ok());
/// done.assert_no_orphans();
/// # }
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub struct TestOutcome {
    /// What the shutdown did to each child.
    pub report: ShutdownReport,
    /// Every event the tree emitted.
    pub trace: Trace,
    /// How the tree ended: `Err` when it had escalated.
    pub outcome: Result<(), TreeError>,
    /// Tokio tasks alive before the tree started.
    pub alive_before: usize,
    /// Tokio tasks alive after the shutdown returned.
    pub alive_after: usize,
}

impl TestOutcome {
    /// Asserts that no task the tree started is still alive.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// use supervisor_core::{SupervisorSpec, TaskRole};
    /// use supervisor_core::testing::{EventPattern, FaultScript, Step, TestTree};
    ///
    /// let mut tree = TestTree::start(SupervisorSpec::new("app").child(FaultScript::new().child("api", TaskRole::Service)));
    /// tree.run_until(&EventPattern::started("app/api")).await;
    /// tree.shutdown().await.assert_no_orphans(); // no task of the tree outlives it
    /// # }
    /// ```
    ///
    /// # Panics
    ///
    /// Panics when more tasks are alive than before the tree started.
    pub fn assert_no_orphans(&self) {
        assert!(
            self.alive_after <= self.alive_before,
            "{} tasks outlived the tree ({} before it started, {} after shutdown)",
            self.alive_after - self.alive_before,
            self.alive_before,
            self.alive_after
        );
    }
}

impl TestTree {
    /// The jitter seed a tree gets when its spec sets none, so the backoff
    /// delays of a test are the same on every run.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// use std::time::Duration;
    /// use supervisor_core::{EventKind, SupervisorSpec, TaskRole};
    /// use supervisor_core::testing::{EventPattern, FaultScript, Step, TestTree};
    ///
    /// // Default backoff, jitter 0.2 included: the delays still repeat run after run.
    /// async fn delays(spec: SupervisorSpec) -> Vec<Duration> {
    ///     let api = FaultScript::new()
    ///         .on_attempts(1..=3, Step::fail("refused"))
    ///         .child("api", TaskRole::Service);
    ///     let mut tree = TestTree::start(spec.child(api));
    ///     tree.run_until(&EventPattern::started("app/api").generation(4)).await;
    ///     let trace = tree.shutdown().await.trace;
    ///     let pattern = EventPattern::restart_scheduled("app/api");
    ///     trace
    ///         .matching(&pattern)
    ///         .filter_map(|event| match event.kind {
    ///             EventKind::RestartScheduled { delay } => Some(delay),
    ///             _ => None,
    ///         })
    ///         .collect()
    /// }
    /// let first = delays(SupervisorSpec::new("app")).await;
    /// assert_eq!(first.len(), 3);
    /// assert_eq!(first, delays(SupervisorSpec::new("app")).await);
    /// assert_eq!(first, delays(SupervisorSpec::new("app").jitter_seed(TestTree::SEED)).await);
    /// # }
    /// ```
    pub const SEED: u64 = 0x5eed;

    /// How long [`run_until`](Self::run_until) waits for its event: an hour
    /// of simulated time, which the paused clock skips through at once.
    /// For a longer wait, use [`run_until_within`](Self::run_until_within).
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
    /// // A 20-minute backoff is well within the patience, and takes no wall time.
    /// let slow = BackoffPolicy::DEFAULT
    ///     .initial(Duration::from_secs(20 * 60))
    ///     .max(Duration::from_secs(60 * 60))
    ///     .jitter(0.0);
    /// let api = FaultScript::new()
    ///     .on_attempt(1, Step::fail("refused"))
    ///     .child("api", TaskRole::Service)
    ///     .backoff(slow);
    /// let mut tree = TestTree::start(SupervisorSpec::new("app").child(api));
    /// let second = tree.run_until(&EventPattern::started("app/api").generation(2)).await;
    /// assert_eq!(second.elapsed, Duration::from_secs(20 * 60));
    /// assert!(second.elapsed < TestTree::PATIENCE);
    /// # tree.shutdown().await;
    /// # }
    /// ```
    pub const PATIENCE: Duration = Duration::from_secs(3600);

    /// How many events the collector may fall behind (65 536); a test that
    /// lets more pile up between two collections (such as one long
    /// [`run_for`](Self::run_for)) fails with a clear message.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// use std::time::Duration;
    /// use supervisor_core::{BackoffPolicy, RestartLimit, SupervisorSpec, TaskRole};
    /// use supervisor_core::testing::{EventPattern, FaultScript, Step, TestTree};
    ///
    /// // A child that fails every 10 ms, with no limit: 400 events a second.
    /// let flaky = FaultScript::new()
    ///     .then(Step::fail_after(Duration::from_millis(10), "refused"))
    ///     .child("flaky", TaskRole::Worker)
    ///     .backoff(BackoffPolicy::NONE)
    ///     .restart_limit(RestartLimit::UNLIMITED);
    /// let app = SupervisorSpec::new("app").restart_limit(RestartLimit::UNLIMITED).child(flaky);
    /// let mut tree = TestTree::start(app);
    /// // A minute at once piles up some 24 000 events: within the capacity.
    /// tree.run_for(Duration::from_secs(60)).await;
    /// let events = tree.trace().events().len();
    /// assert!(events > 20_000 && events < TestTree::EVENT_CAPACITY);
    /// # tree.shutdown().await;
    /// # }
    /// ```
    pub const EVENT_CAPACITY: usize = 1 << 16;

    /// Starts `spec` (with [`TestTree::SEED`] unless it has a seed).
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// use supervisor_core::{SupervisorSpec, TaskRole};
    /// use supervisor_core::testing::{EventPattern, FaultScript, Step, TestTree};
    ///
    /// let mut tree = TestTree::start(SupervisorSpec::new("app").child(FaultScript::new().child("api", TaskRole::Service)));
    /// assert_eq!(tree.handle().path(), "app");
    /// # tree.shutdown().await;
    /// # }
    /// ```
    ///
    /// # Panics
    ///
    /// Panics with every violation when the spec breaks the rule table, and
    /// outside a tokio runtime.
    pub fn start(mut spec: SupervisorSpec) -> Self {
        spec.jitter_seed.get_or_insert(Self::SEED);
        let alive_before = tokio::runtime::Handle::current()
            .metrics()
            .num_alive_tasks();
        let (handle, events) = Supervisor::builder()
            .event_capacity(Self::EVENT_CAPACITY)
            .launch_with_events(spec)
            .unwrap_or_else(|error| panic!("{error}"));
        TestTree {
            handle,
            events,
            trace: Trace::default(),
            alive_before,
        }
    }

    /// The tree's handle, for control calls.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// use supervisor_core::{SupervisorSpec, TaskRole};
    /// use supervisor_core::testing::{EventPattern, FaultScript, Step, TestTree};
    ///
    /// let mut tree = TestTree::start(SupervisorSpec::new("app").child(FaultScript::new().child("api", TaskRole::Service)));
    /// tree.handle().restart_child("api").await.unwrap();
    /// tree.run_until(&EventPattern::started("app/api").generation(2)).await;
    /// # tree.shutdown().await;
    /// # }
    /// ```
    pub fn handle(&self) -> &SupervisorHandle {
        &self.handle
    }

    /// The events collected so far (see [`collect`](Self::collect)).
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// use supervisor_core::{SupervisorSpec, TaskRole};
    /// use supervisor_core::testing::{EventPattern, FaultScript, Step, TestTree};
    ///
    /// let mut tree = TestTree::start(SupervisorSpec::new("app").child(FaultScript::new().child("api", TaskRole::Service)));
    /// tree.run_until(&EventPattern::started("app/api")).await;
    /// assert_eq!(tree.trace().count(&EventPattern::started("app/api")), 1);
    /// # tree.shutdown().await;
    /// # }
    /// ```
    pub fn trace(&self) -> &Trace {
        &self.trace
    }

    /// Moves every event emitted so far into the trace.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// use supervisor_core::{SupervisorSpec, TaskRole};
    /// use supervisor_core::testing::{EventPattern, FaultScript, Step, TestTree};
    ///
    /// let mut tree = TestTree::start(SupervisorSpec::new("app").child(FaultScript::new().child("api", TaskRole::Service)));
    /// tree.handle().restart_child("api").await.unwrap(); // returns once it is done
    /// tree.collect();
    /// assert_eq!(tree.trace().count(&EventPattern::started("app/api")), 2);
    /// # tree.shutdown().await;
    /// # }
    /// ```
    ///
    /// # Panics
    ///
    /// Panics when events were lost because the collector fell behind.
    pub fn collect(&mut self) {
        loop {
            match self.events.try_recv() {
                Ok(Some(event)) => self.trace.push(event),
                Ok(None) | Err(EventStreamError::Closed) => return,
                Err(EventStreamError::Lagged(n)) => lost(n),
            }
        }
    }

    /// Lets simulated time pass, then collects the events.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// use std::time::Duration;
    /// use supervisor_core::{SupervisorSpec, TaskRole};
    /// use supervisor_core::testing::{EventPattern, FaultScript, Step, TestTree};
    ///
    /// // Fails on every attempt: ten simulated seconds see several restarts.
    /// let flaky = FaultScript::new().then(Step::fail("refused")).child("flaky", TaskRole::Worker);
    /// let mut tree = TestTree::start(SupervisorSpec::new("app").child(flaky));
    /// tree.run_for(Duration::from_secs(10)).await;
    /// assert!(tree.trace().count(&EventPattern::exited("app/flaky")) >= 2);
    /// # tree.shutdown().await;
    /// # }
    /// ```
    pub async fn run_for(&mut self, period: Duration) {
        tokio::time::sleep(period).await;
        self.collect();
    }

    /// Runs until an event matches `pattern`, collecting every event up to
    /// it, and returns it.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// use supervisor_core::{SupervisorSpec, TaskRole};
    /// use supervisor_core::testing::{EventPattern, FaultScript, Step, TestTree};
    ///
    /// let api = FaultScript::new().on_attempts([1, 2], Step::fail("refused")).child("api", TaskRole::Service);
    /// let mut tree = TestTree::start(SupervisorSpec::new("app").child(api));
    /// let third = tree.run_until(&EventPattern::started("app/api").generation(3)).await;
    /// assert_eq!(third.generation, 3);
    /// # tree.shutdown().await;
    /// # }
    /// ```
    ///
    /// # Panics
    ///
    /// Panics, printing the trace, when the tree stops before such an event
    /// or none comes within [`TestTree::PATIENCE`] of simulated time.
    pub async fn run_until(&mut self, pattern: &EventPattern) -> SupervisorEvent {
        self.run_until_within(pattern, Self::PATIENCE).await
    }

    /// [`run_until`](Self::run_until) with a limit of your own.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// use std::time::Duration;
    /// use supervisor_core::{SupervisorSpec, TaskRole};
    /// use supervisor_core::testing::{EventPattern, FaultScript, Step, TestTree};
    ///
    /// let api = FaultScript::new().child("api", TaskRole::Service);
    /// let mut tree = TestTree::start(SupervisorSpec::new("app").child(api));
    /// tree.run_until_within(&EventPattern::started("app/api"), Duration::from_secs(1)).await;
    /// # tree.shutdown().await;
    /// # }
    /// ```
    ///
    /// # Panics
    ///
    /// As [`run_until`](Self::run_until), with `limit` for the patience.
    pub async fn run_until_within(
        &mut self,
        pattern: &EventPattern,
        limit: Duration,
    ) -> SupervisorEvent {
        match tokio::time::timeout(limit, self.next_matching(pattern)).await {
            Ok(event) => event,
            Err(_) => panic!(
                "no `{pattern}` within {limit:?} of simulated time; trace:\n{}",
                self.trace
            ),
        }
    }

    async fn next_matching(&mut self, pattern: &EventPattern) -> SupervisorEvent {
        loop {
            match self.events.recv().await {
                Ok(event) => {
                    self.trace.push(event.clone());
                    if pattern.matches(&event) {
                        return event;
                    }
                }
                Err(EventStreamError::Lagged(n)) => lost(n),
                Err(EventStreamError::Closed) => {
                    panic!(
                        "the tree stopped before `{pattern}`; trace:\n{}",
                        self.trace
                    )
                }
            }
        }
    }

    /// The whole tree as it is now (events so far are collected too).
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// use supervisor_core::ChildState;
    /// use supervisor_core::{SupervisorSpec, TaskRole};
    /// use supervisor_core::testing::{EventPattern, FaultScript, Step, TestTree};
    ///
    /// let mut tree = TestTree::start(SupervisorSpec::new("app").child(FaultScript::new().child("api", TaskRole::Service)));
    /// tree.run_until(&EventPattern::started("app/api")).await;
    /// assert_eq!(tree.snapshot().await.find("app/api").unwrap().state, ChildState::Running);
    /// # tree.shutdown().await;
    /// # }
    /// ```
    ///
    /// # Panics
    ///
    /// Panics when the tree has stopped.
    pub async fn snapshot(&mut self) -> TreeSnapshot {
        self.collect();
        self.handle
            .snapshot()
            .await
            .unwrap_or_else(|error| panic!("no snapshot: {error}"))
    }

    /// Waits for the tree to stop on its own (escalation, auto-shutdown).
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// use supervisor_core::{SupervisorSpec, TaskRole};
    /// use supervisor_core::testing::{EventPattern, FaultScript, Step, TestTree};
    ///
    /// // A critical child that keeps failing exhausts its limit and fails the tree.
    /// let api = FaultScript::new().then(Step::fail("refused")).child("api", TaskRole::Service);
    /// let mut tree = TestTree::start(SupervisorSpec::new("app").child(api));
    /// let error = tree.wait().await.unwrap_err();
    /// assert_eq!(&*error.child, "app/api");
    /// # tree.shutdown().await;
    /// # }
    /// ```
    pub async fn wait(&mut self) -> Result<(), TreeError> {
        let outcome = self.handle.wait().await;
        self.collect();
        outcome
    }

    /// Shuts the tree down and returns the report, the whole trace and the
    /// task counts to check for orphans.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// use supervisor_core::StopOutcome;
    /// use supervisor_core::{SupervisorSpec, TaskRole};
    /// use supervisor_core::testing::{EventPattern, FaultScript, Step, TestTree};
    ///
    /// let mut tree = TestTree::start(SupervisorSpec::new("app").child(FaultScript::new().child("api", TaskRole::Service)));
    /// tree.run_until(&EventPattern::started("app/api")).await;
    /// let done = tree.shutdown().await;
    /// assert_eq!(done.report.find("app/api").unwrap().outcome, StopOutcome::ExitedInTime);
    /// # }
    /// ```
    pub async fn shutdown(mut self) -> TestOutcome {
        let report = self.handle.shutdown().await;
        let outcome = self.handle.wait().await;
        loop {
            match self.events.recv().await {
                Ok(event) => self.trace.push(event),
                Err(EventStreamError::Lagged(n)) => lost(n),
                Err(EventStreamError::Closed) => break,
            }
        }
        let alive_after = settled_task_count(self.alive_before).await;
        TestOutcome {
            report,
            trace: self.trace,
            outcome,
            alive_before: self.alive_before,
            alive_after,
        }
    }
}

/// Tokio's alive task count. On a multi-thread runtime a task that has
/// completed (its join handle resolved) leaves the count a moment later, on
/// its own worker thread: give that thread up to 200 ms to catch up. On a
/// current-thread runtime the count is exact at once.
async fn settled_task_count(expected: usize) -> usize {
    let metrics = tokio::runtime::Handle::current().metrics();
    for _ in 0..400 {
        let alive = metrics.num_alive_tasks();
        if alive <= expected {
            return alive;
        }
        tokio::task::yield_now().await;
        std::thread::sleep(std::time::Duration::from_micros(500));
    }
    metrics.num_alive_tasks()
}

fn lost(missed: u64) -> ! {
    panic!(
        "the test fell {missed} events behind the tree; collect more often (run_for shorter periods)"
    )
}
