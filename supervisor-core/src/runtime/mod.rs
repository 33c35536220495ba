//! The supervision runtime: supervisors as tokio tasks, children as tokio
//! tasks under them, driven by the policy engine.

mod control;
mod error;
mod handle;
mod instance;
mod slot;
mod stopping;
mod table;
mod tree;
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
        self.launch_inner(spec, None)
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
        let mut events = None;
        let handle = self.launch_inner(spec, Some(&mut events))?;
        let events = events.unwrap_or_else(|| handle.events());
        Ok((handle, events))
    }

    fn launch_inner(
        &self,
        spec: SupervisorSpec,
        events: Option<&mut Option<EventStream>>,
    ) -> Result<SupervisorHandle, SpecError> {
        spec.validate()?;
        let bus = Arc::new(EventBus::new(self.event_capacity));
        if let Some(events) = events {
            *events = Some(bus.subscribe());
        }
        let seed = spec
            .jitter_seed
            .unwrap_or_else(|| JitterRng::from_entropy().next_u64());
        let path: Arc<str> = Arc::from(spec.id.as_str());
        let (handle, mut tree) = tree::Tree::prepare(
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
        Ok(handle)
    }
}
