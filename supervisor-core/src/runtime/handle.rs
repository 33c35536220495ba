//! The handle to a running supervisor, and the messages it sends it.

use std::{fmt, future::Future, pin::Pin, sync::Arc};

use tokio::{
    sync::{Mutex, mpsc, oneshot, watch},
    task::JoinHandle,
};
use tokio_util::sync::CancellationToken;

use super::ControlError;
use crate::{
    event::EventSource,
    event::EventStream,
    runtime::TreeError,
    shutdown_report::ShutdownReport,
    snapshot::{ChildSnapshot, TreeSnapshot},
    spec::{ChildSpec, SupervisorSpec},
    testing::Footprint,
};

pub(crate) type Reply<T> = oneshot::Sender<Result<T, ControlError>>;

/// A request from a handle to its supervisor's task.
pub(crate) enum Command {
    Snapshot(oneshot::Sender<LocalSnapshot>),
    AddChild(Box<ChildSpec>, Reply<()>),
    RemoveChild(String, Reply<()>),
    RestartChild(String, Reply<()>),
    StopChild(String, Reply<()>),
    StartChild(String, Reply<()>),
    Footprint(oneshot::Sender<Footprint>),
    Reconfigure(Box<SupervisorSpec>, Reply<()>),
    RejectConfig(String),
    Ping(oneshot::Sender<()>),
    /// Keeps the loop busy for a while: the testing kit's stuck loop.
    Stall(std::time::Duration),
}

/// One supervisor's own children, with handles to the nested supervisors
/// that the caller asks in turn.
pub(crate) struct LocalSnapshot {
    pub(crate) children: Vec<ChildSnapshot>,
    pub(crate) nested: Vec<(usize, SupervisorHandle)>,
}

/// What a supervisor leaves behind when its task ends.
#[derive(Debug)]
pub(crate) struct Finished {
    pub(crate) report: ShutdownReport,
    pub(crate) outcome: Result<(), TreeError>,
    /// The tree as it was left, for a post-mortem.
    pub(crate) snapshot: TreeSnapshot,
}

/// Control of a running supervisor: inspect it, change its children, stop it.
///
/// Cheap to clone and usable from any task. Dropping every handle leaves the
/// tree running; call [`shutdown`](Self::shutdown) to stop it.
///
/// # Examples
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// use supervisor_core::{ChildContext, ChildSpec, Supervisor, SupervisorSpec, TaskRole};
///
/// async fn api(ctx: ChildContext) { ctx.cancelled().await }
///
/// let handle = Supervisor::start(SupervisorSpec::new("app")).unwrap();
/// handle.add_child(ChildSpec::new("api", TaskRole::Service, api)).await.unwrap();
/// handle.restart_child("api").await.unwrap();
/// let report = handle.shutdown().await;
/// assert_eq!(report.children.len(), 1);
/// # }
/// ```
#[derive(Clone)]
pub struct SupervisorHandle {
    inner: Arc<HandleInner>,
}

struct HandleInner {
    path: Arc<str>,
    commands: mpsc::UnboundedSender<Command>,
    stop: CancellationToken,
    events: EventSource,
    finished: watch::Receiver<Option<Arc<Finished>>>,
    task: Mutex<Option<JoinHandle<()>>>,
}

impl SupervisorHandle {
    pub(crate) fn new(
        path: Arc<str>,
        commands: mpsc::UnboundedSender<Command>,
        stop: CancellationToken,
        events: EventSource,
        finished: watch::Receiver<Option<Arc<Finished>>>,
    ) -> Self {
        SupervisorHandle {
            inner: Arc::new(HandleInner {
                path,
                commands,
                stop,
                events,
                finished,
                task: Mutex::new(None),
            }),
        }
    }

    /// Hands the handle the task that runs the supervisor, so that waiting
    /// for the end waits until the task itself is gone.
    pub(crate) fn own_task(&self, task: JoinHandle<()>) {
        if let Ok(mut slot) = self.inner.task.try_lock() {
            *slot = Some(task);
        }
    }

    /// The supervisor's path (its id, for a root).
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use supervisor_core::{Supervisor, SupervisorSpec};
    ///
    /// let handle = Supervisor::start(SupervisorSpec::new("app")).unwrap();
    /// assert_eq!(handle.path(), "app");
    /// # handle.shutdown().await;
    /// # }
    /// ```
    pub fn path(&self) -> &str {
        &self.inner.path
    }

    /// Subscribes to the tree's events from now on. To see every event from
    /// the first start, use [`Supervisor::launch_with_events`].
    ///
    /// [`Supervisor::launch_with_events`]: crate::Supervisor::launch_with_events
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use supervisor_core::{ChildSpec, EventKind, Supervisor, SupervisorSpec, TaskRole};
    ///
    /// let handle = Supervisor::start(SupervisorSpec::new("app")).unwrap();
    /// let mut events = handle.events();
    /// handle
    ///     .add_child(ChildSpec::new("api", TaskRole::Service, |ctx| async move { ctx.cancelled().await }))
    ///     .await
    ///     .unwrap();
    /// assert_eq!(events.recv().await.unwrap().kind, EventKind::ChildAdded);
    /// assert_eq!(events.recv().await.unwrap().kind, EventKind::Started);
    /// # handle.shutdown().await;
    /// # }
    /// ```
    pub fn events(&self) -> EventStream {
        self.inner.events.subscribe()
    }

    /// The whole tree as it is now: every child's state, generation, restart
    /// count, last exit and readiness, nested trees included. Once the tree
    /// has stopped (shut down, or escalated), its final state: every child
    /// stopped, with the last exit that ended it, for a post-mortem.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use supervisor_core::{ChildSpec, ChildState, Supervisor, SupervisorSpec, TaskRole};
    ///
    /// let spec = SupervisorSpec::new("app")
    ///     .child(ChildSpec::new("api", TaskRole::Service, |ctx| async move { ctx.cancelled().await }));
    /// let handle = Supervisor::start(spec).unwrap();
    /// let snapshot = handle.snapshot().await.unwrap();
    /// let api = snapshot.find("app/api").unwrap();
    /// assert_eq!((api.state, api.generation), (ChildState::Running, 1));
    /// # handle.shutdown().await;
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// None today: the `Result` is kept for supervisors that cannot answer.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: it only reads. Dropping the future before it completes
    /// changes nothing in the tree.
    pub async fn snapshot(&self) -> Result<TreeSnapshot, ControlError> {
        let (reply, answer) = oneshot::channel();
        let asked = self.send(Command::Snapshot(reply));
        let Ok(local) = (match asked {
            Ok(()) => answer.await.map_err(|_| ControlError::Stopped),
            Err(error) => Err(error),
        }) else {
            return Ok(self.finished().await.snapshot.clone());
        };
        let mut children = local.children;
        for (index, nested) in local.nested {
            if let Ok(tree) = nested.snapshot_boxed().await {
                children[index].tree = Some(tree);
            }
        }
        Ok(TreeSnapshot {
            path: Arc::clone(&self.inner.path),
            children,
        })
    }

    pub(crate) async fn footprint(&self) -> Result<Footprint, ControlError> {
        let (reply, answer) = oneshot::channel();
        self.send(Command::Footprint(reply))?;
        answer.await.map_err(|_| ControlError::Stopped)
    }

    fn snapshot_boxed(
        &self,
    ) -> Pin<Box<dyn Future<Output = Result<TreeSnapshot, ControlError>> + Send + '_>> {
        Box::pin(self.snapshot())
    }

    /// Adds a child after the existing ones and starts it.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use supervisor_core::{ChildSpec, ControlError, Supervisor, SupervisorSpec, TaskRole};
    ///
    /// let handle = Supervisor::start(SupervisorSpec::new("app")).unwrap();
    /// let api = || ChildSpec::new("api", TaskRole::Service, |ctx| async move { ctx.cancelled().await });
    /// handle.add_child(api()).await.unwrap();
    /// // A second child with the same id breaks the rule table.
    /// let error = handle.add_child(api()).await.unwrap_err();
    /// assert!(matches!(error, ControlError::InvalidSpec(_)));
    /// # handle.shutdown().await;
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`ControlError::InvalidSpec`] when the child breaks the rule table
    /// (its id is taken, its primary is unknown...), [`ControlError::Stopped`]
    /// once the supervisor has stopped.
    ///
    /// # Cancel safety
    ///
    /// Not cancel safe. The request is sent to the supervisor when the
    /// future is first polled; dropping the future after that does not
    /// withdraw it: the supervisor still carries it out, and only its result
    /// is lost. Check with [`snapshot`](Self::snapshot) when it matters.
    pub async fn add_child(&self, spec: ChildSpec) -> Result<(), ControlError> {
        self.call(|reply| Command::AddChild(Box::new(spec), reply))
            .await
    }

    /// Stops a child (and its sidecars) and forgets it.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use supervisor_core::{ChildSpec, Supervisor, SupervisorSpec, TaskRole};
    ///
    /// let spec = SupervisorSpec::new("app")
    ///     .child(ChildSpec::new("api", TaskRole::Service, |ctx| async move { ctx.cancelled().await }));
    /// let handle = Supervisor::start(spec).unwrap();
    /// handle.remove_child("api").await.unwrap();
    /// assert!(handle.snapshot().await.unwrap().children.is_empty());
    /// assert!(handle.remove_child("api").await.is_err());
    /// # handle.shutdown().await;
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`ControlError::UnknownChild`] for an id the supervisor does not have.
    ///
    /// # Cancel safety
    ///
    /// Not cancel safe. The request is sent to the supervisor when the
    /// future is first polled; dropping the future after that does not
    /// withdraw it: the supervisor still carries it out, and only its result
    /// is lost. Check with [`snapshot`](Self::snapshot) when it matters.
    pub async fn remove_child(&self, id: &str) -> Result<(), ControlError> {
        self.call(|reply| Command::RemoveChild(id.to_owned(), reply))
            .await
    }

    /// Stops a child's current instance, if any, and starts a new one, its
    /// sidecars after it. Does not count toward restart limits.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use supervisor_core::{ChildSpec, Supervisor, SupervisorSpec, TaskRole};
    ///
    /// let spec = SupervisorSpec::new("app")
    ///     .child(ChildSpec::new("api", TaskRole::Service, |ctx| async move { ctx.cancelled().await }));
    /// let handle = Supervisor::start(spec).unwrap();
    /// handle.restart_child("api").await.unwrap();
    /// let snapshot = handle.snapshot().await.unwrap();
    /// assert_eq!(snapshot.find("app/api").unwrap().generation, 2);
    /// # handle.shutdown().await;
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`ControlError::UnknownChild`] for an id the supervisor does not have.
    ///
    /// # Cancel safety
    ///
    /// Not cancel safe. The request is sent to the supervisor when the
    /// future is first polled; dropping the future after that does not
    /// withdraw it: the supervisor still carries it out, and only its result
    /// is lost. Check with [`snapshot`](Self::snapshot) when it matters.
    pub async fn restart_child(&self, id: &str) -> Result<(), ControlError> {
        self.call(|reply| Command::RestartChild(id.to_owned(), reply))
            .await
    }

    /// Stops a child (and its sidecars) and keeps it stopped until
    /// [`start_child`](Self::start_child).
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use supervisor_core::{ChildSpec, ChildState, Supervisor, SupervisorSpec, TaskRole};
    ///
    /// let spec = SupervisorSpec::new("app")
    ///     .child(ChildSpec::new("api", TaskRole::Service, |ctx| async move { ctx.cancelled().await }));
    /// let handle = Supervisor::start(spec).unwrap();
    /// handle.stop_child("api").await.unwrap();
    /// let snapshot = handle.snapshot().await.unwrap();
    /// assert_eq!(snapshot.find("app/api").unwrap().state, ChildState::Stopped);
    /// # handle.shutdown().await;
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`ControlError::UnknownChild`] for an id the supervisor does not have.
    ///
    /// # Cancel safety
    ///
    /// Not cancel safe. The request is sent to the supervisor when the
    /// future is first polled; dropping the future after that does not
    /// withdraw it: the supervisor still carries it out, and only its result
    /// is lost. Check with [`snapshot`](Self::snapshot) when it matters.
    pub async fn stop_child(&self, id: &str) -> Result<(), ControlError> {
        self.call(|reply| Command::StopChild(id.to_owned(), reply))
            .await
    }

    /// Starts a stopped child again.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use supervisor_core::{ChildSpec, ControlError, Supervisor, SupervisorSpec, TaskRole};
    ///
    /// let spec = SupervisorSpec::new("app")
    ///     .child(ChildSpec::new("api", TaskRole::Service, |ctx| async move { ctx.cancelled().await }));
    /// let handle = Supervisor::start(spec).unwrap();
    /// let running = handle.start_child("api").await.unwrap_err();
    /// assert_eq!(running, ControlError::AlreadyRunning { id: "api".into() });
    /// handle.stop_child("api").await.unwrap();
    /// handle.start_child("api").await.unwrap();
    /// # handle.shutdown().await;
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`ControlError::UnknownChild`] for an id the supervisor does not have,
    /// [`ControlError::AlreadyRunning`] when it is not stopped.
    ///
    /// # Cancel safety
    ///
    /// Not cancel safe. The request is sent to the supervisor when the
    /// future is first polled; dropping the future after that does not
    /// withdraw it: the supervisor still carries it out, and only its result
    /// is lost. Check with [`snapshot`](Self::snapshot) when it matters.
    pub async fn start_child(&self, id: &str) -> Result<(), ControlError> {
        self.call(|reply| Command::StartChild(id.to_owned(), reply))
            .await
    }

    /// Stops the tree: pending restarts are dropped, children stop in
    /// reverse start order, each cancelled, given its grace, then aborted.
    /// Returns once no task of the tree is alive. Calling it again, or from
    /// several tasks at once, gets the same report.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use supervisor_core::{ChildSpec, StopOutcome, Supervisor, SupervisorSpec, TaskRole};
    ///
    /// let spec = SupervisorSpec::new("app")
    ///     .child(ChildSpec::new("api", TaskRole::Service, |ctx| async move { ctx.cancelled().await }));
    /// let handle = Supervisor::start(spec).unwrap();
    /// let report = handle.shutdown().await;
    /// assert_eq!(report.children[0].outcome, StopOutcome::ExitedInTime);
    /// assert!(handle.is_finished());
    /// # }
    /// ```
    ///
    /// # Cancel safety
    ///
    /// Cancel safe. The shutdown begins when the future is first polled and
    /// carries on if the future is dropped; call `shutdown` again (or
    /// [`wait`](Self::wait)) to wait for its end and get the report.
    pub async fn shutdown(&self) -> ShutdownReport {
        self.inner.stop.cancel();
        self.finished().await.report.clone()
    }

    /// Waits until the tree stops on its own (or is shut down) and returns
    /// how it ended.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use supervisor_core::{ChildSpec, Supervisor, SupervisorSpec, TaskRole};
    ///
    /// // A critical child that fails and is never restarted fails its tree.
    /// let spec = SupervisorSpec::new("app").child(
    ///     ChildSpec::without_context("boot", TaskRole::Job, || async { Err::<(), _>("disk full") })
    ///         .restart(supervisor_core::RestartPolicy::Temporary)
    ///         .severity(supervisor_core::Severity::Critical),
    /// );
    /// let handle = Supervisor::start(spec).unwrap();
    /// let error = handle.wait().await.unwrap_err();
    /// assert_eq!(&*error.child, "app/boot");
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`TreeError`] when the tree stopped because it escalated.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: it only waits. Dropping the future leaves the tree as it
    /// is, and a later call returns the same outcome.
    pub async fn wait(&self) -> Result<(), TreeError> {
        self.finished().await.outcome.clone()
    }

    /// Whether the supervisor has stopped.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use supervisor_core::{Supervisor, SupervisorSpec};
    ///
    /// let handle = Supervisor::start(SupervisorSpec::new("app")).unwrap();
    /// assert!(!handle.is_finished());
    /// handle.shutdown().await;
    /// assert!(handle.is_finished());
    /// # }
    /// ```
    pub fn is_finished(&self) -> bool {
        self.inner.finished.borrow().is_some()
    }

    pub(crate) async fn finished(&self) -> Arc<Finished> {
        let mut finished = self.inner.finished.clone();
        let published = finished
            .wait_for(Option::is_some)
            .await
            .ok()
            .and_then(|value| value.clone());
        let mut task = self.inner.task.lock().await;
        if let Some(running) = task.as_mut() {
            let _ = running.await;
            *task = None;
        }
        published.unwrap_or_else(|| {
            tracing::error!(path = %self.inner.path, "supervisor task ended without a report");
            Arc::new(Finished {
                report: ShutdownReport {
                    children: Vec::new(),
                    took: std::time::Duration::ZERO,
                    clean: true,
                },
                outcome: Ok(()),
                snapshot: TreeSnapshot {
                    path: Arc::clone(&self.inner.path),
                    children: Vec::new(),
                },
            })
        })
    }

    /// Applies the policies of `spec` to the running tree, for the
    /// decisions to come: the supervisor's strategy, restart limit and
    /// auto-shutdown, and for each child of `spec` whose id the tree has
    /// (nested trees included) its restart policy, backoff, restart limit,
    /// severity, significance and, from its next instance on, its
    /// deadlines and shutdown grace. Running instances go on undisturbed;
    /// tasks are not replaced, and children of `spec` the tree does not
    /// have are ignored (add them with [`add_child`](Self::add_child)).
    ///
    /// This is what a config reload (SIGHUP under `run*`) does with the
    /// declared spec and the config overlay merged. A
    /// [`Reconfigured`](crate::EventKind::Reconfigured) event follows.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use std::time::Duration;
    /// use supervisor_core::{ChildSpec, RestartLimit, Supervisor, SupervisorSpec, TaskRole};
    ///
    /// let app = || SupervisorSpec::new("app")
    ///     .child(ChildSpec::new("api", TaskRole::Service, |ctx| async move { ctx.cancelled().await }));
    /// let handle = Supervisor::start(app()).unwrap();
    /// let stricter = app().restart_limit(RestartLimit::new(2, Duration::from_secs(60)));
    /// handle.reconfigure(stricter).await.unwrap();
    /// # handle.shutdown().await;
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`ControlError::InvalidSpec`] when `spec` breaks the rule table
    /// (nothing is applied); [`ControlError::Stopped`] once the tree has
    /// stopped.
    ///
    /// # Cancel safety
    ///
    /// Not cancel safe. The request is sent to the supervisor when the
    /// future is first polled; dropping the future after that does not
    /// withdraw it.
    pub async fn reconfigure(&self, spec: SupervisorSpec) -> Result<(), ControlError> {
        spec.validate().map_err(ControlError::InvalidSpec)?;
        self.call(|reply| Command::Reconfigure(Box::new(spec), reply))
            .await
    }

    /// Whether the supervisor's loop answers within `bound`: the liveness
    /// that Kubernetes' `/livez` and systemd's watchdog ask about. A tree
    /// that has stopped (escalated or shut down) is not live; nor is one
    /// whose loop is stuck, whatever the state of its process.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use std::time::Duration;
    /// use supervisor_core::{Supervisor, SupervisorSpec};
    ///
    /// let handle = Supervisor::start(SupervisorSpec::new("app")).unwrap();
    /// assert!(handle.is_live(Duration::from_secs(1)).await);
    /// handle.shutdown().await;
    /// assert!(!handle.is_live(Duration::from_secs(1)).await);
    /// # }
    /// ```
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: the question has no effect on the tree.
    pub async fn is_live(&self, bound: std::time::Duration) -> bool {
        let (reply, answer) = oneshot::channel();
        if self.send(Command::Ping(reply)).is_err() {
            return false;
        }
        matches!(tokio::time::timeout(bound, answer).await, Ok(Ok(())))
    }

    /// Makes the loop wait `period` before it handles anything else.
    pub(crate) fn stall(&self, period: std::time::Duration) {
        let _ = self.send(Command::Stall(period));
    }

    /// Hands a nested tree its part of a new configuration, without waiting.
    pub(crate) fn forward_reconfigure(&self, spec: SupervisorSpec) {
        let (reply, _) = oneshot::channel();
        let _ = self.send(Command::Reconfigure(Box::new(spec), reply));
    }

    /// Has the root report a refused config reload as an event.
    pub(crate) fn reject_config(&self, reason: String) {
        let _ = self.send(Command::RejectConfig(reason));
    }

    fn send(&self, command: Command) -> Result<(), ControlError> {
        if self.inner.stop.is_cancelled() {
            return Err(ControlError::Stopped);
        }
        self.inner
            .commands
            .send(command)
            .map_err(|_| ControlError::Stopped)
    }

    async fn call(&self, command: impl FnOnce(Reply<()>) -> Command) -> Result<(), ControlError> {
        let (reply, answer) = oneshot::channel();
        self.send(command(reply))?;
        answer.await.unwrap_or(Err(ControlError::Stopped))
    }
}

impl fmt::Debug for SupervisorHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SupervisorHandle")
            .field("path", &self.inner.path)
            .field("finished", &self.is_finished())
            .finish_non_exhaustive()
    }
}
