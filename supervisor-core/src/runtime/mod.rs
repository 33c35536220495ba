//! The supervision runtime: supervisors as tokio tasks, children as tokio
//! tasks under them, driven by the policy engine.
//!
//! # One picture
//!
//! ```text
//!  SupervisorHandle ──commands──▶ ┌──────────── supervisor loop (one task) ────────────┐
//!                                 │ table: slots (reused places) + start order (ranks)  │
//!  instances ──ends (channel)───▶ │ start queue: pending children, gates                │
//!  instances ──ready notices────▶ │ timers: restarts due (DelayQueue, keyed by epoch)   │
//!  stop token ──────────────────▶ │ restart window: the supervisor's own intensity      │
//!                                 └──────┬───────────────────────────────┬──────────────┘
//!                                        │ spawn                         │ events
//!                                        ▼                               ▼
//!                      instance tasks (one per running child)       EventBus (broadcast)
//! ```
//!
//! - **The loop** ([`supervisor_loop`]) is one tokio task per supervisor.
//!   It waits for the next thing to happen (an instance ended, a ready
//!   notice, a timer, a command, the stop token) and handles it to the end
//!   before the next; nothing else touches its state. A nested supervisor
//!   is the same loop, run as the task of its parent's child.
//! - **The table** (`table`) holds a slot per child. A child is named by a
//!   `ChildKey`: its place in storage (reused after the child is removed)
//!   and its rank in the start order (never reused), so that keys sort in
//!   start order and nothing outlives its child.
//! - **The start queue** (`start_queue`) says which pending child starts
//!   next: children start in order, and a gate (a job until it completes, a
//!   `ready_timeout` child until it is ready, a nested tree until its own
//!   children started) holds the ones after it: OTP's synchronous start.
//! - **The life cycle** (`life_cycle`) is the only place a slot's state,
//!   generation, epoch and instance change: `begin_start`/`started`,
//!   `mark_ready`, `end_instance`, `schedule_restart`, `enqueue`,
//!   `begin_stop`/`finish_stop`, `settle`, each asserting its invariants in
//!   debug builds.
//! - **Generations and epochs** keep late news harmless. The generation
//!   counts a child's instances: an end or a ready notice of an older
//!   generation is ignored. The epoch moves on whenever a restart is
//!   scheduled or a stop begins: a timer set under an older epoch does
//!   nothing.
//! - **Decisions** are the policy engine's ([`crate::policy`]): what follows
//!   an exit (`decide`), which siblings restart with a child
//!   (`restart_group`). The loop only carries them out.
//! - **Stopping** (`stopping`) cancels, waits the grace, then aborts, one
//!   child at a time in reverse start order; ends of other instances that
//!   arrive meanwhile are kept (`deferred`) and handled by the loop after.
//! - **An instance** (`instance`) is the task that runs the user's future
//!   and watches its deadlines, a small state machine (start, watch, stop,
//!   reap its helpers); it never panics because of user code. It sends its
//!   end to the loop exactly once, from its drop, once its run, helpers and
//!   span are gone (a task dropped unfinished sends a failure). Its slot
//!   holds the task's handle, which aborts the task if the loop is dropped
//!   first: no instance outlives its supervisor.
//! - **What an idle child costs**: its slot, its context (one allocation:
//!   the stop request is a flag and a `Notify` in it; a `CancellationToken`
//!   is made only when asked for), the user's boxed future, and one tokio
//!   task whose future keeps only what the run needs while it waits. The
//!   stop's grace timer, a nested tree's kill and the helpers' reaping are
//!   allocated on their own paths when used. `cargo bench --bench
//!   heap_per_child` counts these, allocation by allocation.

mod control;
mod error;
mod handle;
mod instance;
mod life_cycle;
mod slot;
mod start_queue;
mod stopping;
pub(crate) mod supervisor_loop;
mod table;
pub(crate) mod unwind;

use std::sync::Arc;

use tokio_util::sync::CancellationToken;

pub use error::{ControlError, TreeError};
pub use handle::SupervisorHandle;

use crate::{
    event::EventBus, event::EventStream, policy::JitterRng, rules::SpecError, spec::SupervisorSpec,
};

/// Starts supervision trees.
///
/// # Examples
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// use supervisor_core::{ChildContext, ChildSpec, Supervisor, SupervisorSpec, TaskRole};
///
/// async fn api(ctx: ChildContext) -> Result<(), std::io::Error> {
///     ctx.cancelled().await;
///     Ok(())
/// }
///
/// let spec = SupervisorSpec::new("app").child(ChildSpec::new("api", TaskRole::Service, api));
/// let handle = Supervisor::start(spec).expect("a valid spec");
/// let report = handle.shutdown().await;
/// assert!(report.is_clean());
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Supervisor {
    event_capacity: usize,
}

impl Default for Supervisor {
    fn default() -> Self {
        Supervisor {
            event_capacity: Self::DEFAULT_EVENT_CAPACITY,
        }
    }
}

impl Supervisor {
    /// How many events a subscriber may fall behind before it loses some,
    /// unless [`event_capacity`](Self::event_capacity) says otherwise: 1024.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use supervisor_core::{Supervisor, SupervisorSpec};
    ///
    /// // A tree with a slow event consumer: give it four times the room.
    /// let options = Supervisor::builder().event_capacity(4 * Supervisor::DEFAULT_EVENT_CAPACITY);
    /// let handle = options.launch(SupervisorSpec::new("app")).unwrap();
    /// # handle.shutdown().await;
    /// # }
    /// ```
    pub const DEFAULT_EVENT_CAPACITY: usize = 1024;

    /// Validates `spec` and starts the tree with default options on the
    /// current tokio runtime. Children start in order: those before the
    /// first child with a `ready_timeout` are spawned before this returns,
    /// the rest as the children before them become ready.
    ///
    /// # Errors
    ///
    /// Every violation of the rule table in the tree.
    ///
    /// # Panics
    ///
    /// Panics when called outside a tokio runtime.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use supervisor_core::{ChildSpec, Supervisor, SupervisorSpec, TaskRole};
    ///
    /// let api = || ChildSpec::new("api", TaskRole::Service, |ctx| async move { ctx.cancelled().await });
    ///
    /// // Two children with one id: nothing starts.
    /// let error = Supervisor::start(SupervisorSpec::new("app").child(api()).child(api())).unwrap_err();
    /// assert_eq!(error.violations().len(), 1);
    ///
    /// let handle = Supervisor::start(SupervisorSpec::new("app").child(api())).unwrap();
    /// assert_eq!(handle.path(), "app");
    /// assert!(handle.shutdown().await.is_clean());
    /// # }
    /// ```
    pub fn start(spec: SupervisorSpec) -> Result<SupervisorHandle, SpecError> {
        Supervisor::default().launch(spec)
    }

    /// Options for starting trees, to change before [`launch`](Self::launch).
    /// One value may launch any number of trees.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use supervisor_core::{Supervisor, SupervisorSpec};
    ///
    /// let options = Supervisor::builder().event_capacity(64);
    /// let app = options.launch(SupervisorSpec::new("app")).unwrap();
    /// let admin = options.launch(SupervisorSpec::new("admin")).unwrap();
    /// # app.shutdown().await;
    /// # admin.shutdown().await;
    /// # }
    /// ```
    pub fn builder() -> Self {
        Supervisor::default()
    }

    /// Sets how many events a subscriber may fall behind before it loses
    /// the oldest; 0 counts as 1. The default is
    /// [`DEFAULT_EVENT_CAPACITY`](Self::DEFAULT_EVENT_CAPACITY). A lagging
    /// subscriber is told how many events it lost
    /// ([`EventStreamError::Lagged`](crate::EventStreamError::Lagged)); the
    /// tree never waits for it.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use supervisor_core::{ChildSpec, EventStreamError, Supervisor, SupervisorSpec, TaskRole};
    ///
    /// let spec = SupervisorSpec::new("app")
    ///     .child(ChildSpec::new("api", TaskRole::Service, |ctx| async move { ctx.cancelled().await }));
    /// let (handle, mut events) = Supervisor::builder().event_capacity(2).launch_with_events(spec).unwrap();
    /// handle.shutdown().await; // started, shutdown started, exited, ...: more than 2
    /// assert!(matches!(events.recv().await, Err(EventStreamError::Lagged(_))));
    /// # }
    /// ```
    #[must_use]
    pub fn event_capacity(mut self, capacity: usize) -> Self {
        self.event_capacity = capacity.max(1);
        self
    }

    /// Validates `spec` and starts the tree with these options.
    ///
    /// # Errors
    ///
    /// Every violation of the rule table in the tree.
    ///
    /// # Panics
    ///
    /// Panics when called outside a tokio runtime.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), supervisor_core::SpecError> {
    /// use supervisor_core::{ChildSpec, Supervisor, SupervisorSpec, TaskRole};
    ///
    /// let spec = SupervisorSpec::new("app")
    ///     .child(ChildSpec::new("api", TaskRole::Service, |ctx| async move { ctx.cancelled().await }));
    /// let handle = Supervisor::builder().event_capacity(16).launch(spec)?;
    /// handle.shutdown().await;
    /// # Ok(())
    /// # }
    /// ```
    pub fn launch(&self, spec: SupervisorSpec) -> Result<SupervisorHandle, SpecError> {
        self.launch_with_streams(spec, 0).map(|(handle, _)| handle)
    }

    /// Like [`launch`](Self::launch), with a subscription to the tree's
    /// events taken before the first child starts, so none is missed.
    ///
    /// # Errors
    ///
    /// Every violation of the rule table in the tree.
    ///
    /// # Panics
    ///
    /// Panics when called outside a tokio runtime.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use supervisor_core::{ChildSpec, EventKind, Supervisor, SupervisorSpec, TaskRole};
    ///
    /// let spec = SupervisorSpec::new("app")
    ///     .child(ChildSpec::without_context("once", TaskRole::Job, || async {}));
    /// let (handle, mut events) = Supervisor::builder().launch_with_events(spec).unwrap();
    /// let first = events.recv().await.unwrap();
    /// assert_eq!((&*first.path, first.kind), ("app/once", EventKind::Started));
    /// # handle.shutdown().await;
    /// # }
    /// ```
    pub fn launch_with_events(
        &self,
        spec: SupervisorSpec,
    ) -> Result<(SupervisorHandle, EventStream), SpecError> {
        let (handle, mut streams) = self.launch_with_streams(spec, 1)?;
        let events = streams.pop().unwrap_or_else(|| handle.events());
        Ok((handle, events))
    }

    /// [`launch`](Self::launch) with `count` subscriptions to the tree's
    /// events, each taken before the first child starts: one for each
    /// reader that must see every event.
    pub(crate) fn launch_with_streams(
        &self,
        spec: SupervisorSpec,
        count: usize,
    ) -> Result<(SupervisorHandle, Vec<EventStream>), SpecError> {
        spec.validate()?;
        let bus = Arc::new(EventBus::new(self.event_capacity));
        let streams = (0..count).map(|_| bus.subscribe()).collect();
        let seed = spec
            .jitter_seed
            .unwrap_or_else(|| JitterRng::from_entropy().next_u64());
        let path: Arc<str> = Arc::from(spec.id.as_str());
        let (handle, mut tree) = supervisor_loop::SupervisorLoop::prepare(
            spec,
            path,
            CancellationToken::new(),
            CancellationToken::new(),
            bus,
            seed,
        );
        tree.span = tracing::info_span!("supervisor", path = %handle.path());
        let span = tree.span.clone();
        tree.pump_starts();
        let task = tokio::spawn(tracing::Instrument::instrument(
            async move {
                let _ = tree.run().await;
            },
            span,
        ));
        handle.own_task(task);
        Ok((handle, streams))
    }
}
