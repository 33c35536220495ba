//! What a running child gets from its supervisor: cancellation, readiness,
//! heartbeats, its identity and a place to spawn helpers.

mod signals;

use std::{
    fmt,
    future::Future,
    sync::{Arc, Mutex},
};

use tokio::{
    task::{AbortHandle, JoinSet},
    time::Instant,
};
use tokio_util::sync::CancellationToken;

pub use signals::Cancelled;
pub(crate) use signals::{InstanceSignals, Signal, StopSignal};

/// The handle a running child instance gets from its supervisor.
///
/// Cheap to clone; every clone speaks for the same instance. A new instance
/// (after a restart) gets a new context with the next
/// [`generation`](Self::generation).
///
/// # Examples
///
/// ```
/// use supervisor_core::ChildContext;
///
/// async fn api(ctx: ChildContext) -> Result<(), std::io::Error> {
///     ctx.ready();
///     loop {
///         tokio::select! {
///             _ = ctx.cancelled() => return Ok(()),
///             _ = tokio::time::sleep(std::time::Duration::from_secs(1)) => ctx.heartbeat(),
///         }
///     }
/// }
/// # let _ = api;
/// ```
#[derive(Clone)]
pub struct ChildContext {
    inner: Arc<ContextInner>,
}

struct ContextInner {
    path: Arc<str>,
    generation: u64,
    /// The stop token of the root supervisor: cancelling it begins the
    /// graceful shutdown of the whole tree.
    shutdown: CancellationToken,
    signals: InstanceSignals,
    helpers: Helpers,
}

/// Helper tasks spawned through a context; closed when the instance stops.
#[derive(Debug, Default)]
pub(crate) struct Helpers {
    tasks: Mutex<HelperSet>,
}

#[derive(Debug, Default)]
struct HelperSet {
    closed: bool,
    set: Option<JoinSet<()>>,
    /// The message of the first helper that panicked.
    panicked: Option<Box<str>>,
}

impl Helpers {
    fn spawn<F>(&self, future: F) -> Option<AbortHandle>
    where
        F: Future<Output = ()> + Send + 'static,
    {
        let mut tasks = self.tasks.lock().unwrap_or_else(|e| e.into_inner());
        if tasks.closed {
            return None;
        }
        let set = tasks.set.get_or_insert_with(JoinSet::new);
        while set.try_join_next().is_some() {}
        Some(set.spawn(future))
    }

    /// Keeps the message of the first helper that panicked; returns whether
    /// it was the first.
    fn record_panic(&self, message: String) -> bool {
        let mut tasks = self.tasks.lock().unwrap_or_else(|e| e.into_inner());
        let first = tasks.panicked.is_none();
        if first {
            tasks.panicked = Some(message.into_boxed_str());
        }
        first
    }

    /// The message of the first helper that panicked, if one did.
    pub(crate) fn panicked(&self) -> Option<Box<str>> {
        let tasks = self.tasks.lock().unwrap_or_else(|e| e.into_inner());
        tasks.panicked.clone()
    }

    /// Refuses new helpers and hands over those still tracked, if any was
    /// ever spawned.
    pub(crate) fn close(&self) -> Option<JoinSet<()>> {
        let mut tasks = self.tasks.lock().unwrap_or_else(|e| e.into_inner());
        tasks.closed = true;
        tasks.set.take()
    }
}

impl ChildContext {
    /// A context for an instance that started at `started`, the epoch of
    /// its heartbeats: the supervisor passes the instant it already read.
    pub(crate) fn started_at(
        path: Arc<str>,
        generation: u64,
        stop: StopSignal,
        shutdown: CancellationToken,
        started: Instant,
    ) -> Self {
        ChildContext {
            inner: Arc::new(ContextInner {
                path,
                generation,
                shutdown,
                signals: InstanceSignals::new(stop, started),
                helpers: Helpers::default(),
            }),
        }
    }

    pub(crate) fn signals(&self) -> &InstanceSignals {
        &self.inner.signals
    }

    /// Asks the instance to stop: its `cancelled()` futures resolve, its
    /// token (if one was made) is cancelled and its watcher is woken.
    pub(crate) fn cancel(&self) {
        self.inner.signals.request_stop();
    }

    /// The message of the first helper of this instance that panicked.
    pub(crate) fn helper_panic(&self) -> Option<Box<str>> {
        self.inner.helpers.panicked()
    }

    pub(crate) fn close_helpers(&self) -> Option<JoinSet<()>> {
        self.inner.helpers.close()
    }

    /// A context that belongs to no supervisor, for calling a task directly
    /// (in a unit test, say). It is cancelled when `cancel` is, and
    /// [`request_shutdown`](Self::request_shutdown) cancels `cancel`.
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::{CancellationToken, ChildContext};
    ///
    /// let cancel = CancellationToken::new();
    /// let ctx = ChildContext::detached("api", cancel.clone());
    /// assert_eq!(ctx.id(), "api");
    /// cancel.cancel();
    /// assert!(ctx.is_cancelled());
    /// ```
    pub fn detached(id: impl Into<String>, cancel: CancellationToken) -> Self {
        let stop = StopSignal::following(cancel.clone());
        ChildContext::started_at(Arc::from(id.into()), 1, stop, cancel, Instant::now())
    }

    /// The child's id, the last segment of its [`path`](Self::path).
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::{CancellationToken, ChildContext};
    ///
    /// let ctx = ChildContext::detached("api", CancellationToken::new());
    /// assert_eq!(ctx.id(), "api");
    /// ```
    pub fn id(&self) -> &str {
        let path = &*self.inner.path;
        path.rfind('/').map_or(path, |slash| &path[slash + 1..])
    }

    /// The child's place in the tree: supervisor ids and its own id joined by
    /// `/`, such as `app/ingest/parser`.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use supervisor_core::{ChildSpec, Supervisor, SupervisorSpec, TaskRole};
    ///
    /// let spec = SupervisorSpec::new("app").child(ChildSpec::new("api", TaskRole::Service, |ctx| async move {
    ///     assert_eq!((ctx.path(), ctx.id()), ("app/api", "api"));
    ///     ctx.cancelled().await;
    /// }));
    /// let handle = Supervisor::start(spec).unwrap();
    /// # handle.shutdown().await;
    /// # }
    /// ```
    pub fn path(&self) -> &str {
        &self.inner.path
    }

    /// Which start of the child this is: 1 for the first, 2 after one
    /// restart, and so on.
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::{CancellationToken, ChildContext};
    ///
    /// async fn api(ctx: ChildContext) {
    ///     if ctx.generation() > 1 {
    ///         // a restart: recover what the last instance left half done
    ///     }
    ///     ctx.cancelled().await;
    /// }
    ///
    /// // Called directly, a detached context is the first generation.
    /// let ctx = ChildContext::detached("api", CancellationToken::new());
    /// assert_eq!(ctx.generation(), 1);
    /// # let _ = api;
    /// ```
    pub fn generation(&self) -> u64 {
        self.inner.generation
    }

    /// Resolves when the supervisor asks this instance to stop. Return soon
    /// after: the instance is aborted once its shutdown grace has passed.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use supervisor_core::ChildContext;
    ///
    /// async fn ticker(ctx: ChildContext) -> Result<(), std::io::Error> {
    ///     let mut tick = tokio::time::interval(Duration::from_secs(1));
    ///     loop {
    ///         tokio::select! {
    ///             _ = ctx.cancelled() => return Ok(()), // stop requested: clean up and return
    ///             _ = tick.tick() => { /* work */ }
    ///         }
    ///     }
    /// }
    /// # let _ = ticker;
    /// ```
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: it holds no state and may be polled again in a loop.
    pub fn cancelled(&self) -> Cancelled<'_> {
        self.inner.signals.stop.wait()
    }

    /// Whether the supervisor has asked this instance to stop.
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::ChildContext;
    ///
    /// async fn batch(ctx: ChildContext, items: Vec<u32>) {
    ///     for item in items {
    ///         if ctx.is_cancelled() {
    ///             break; // stop between items, never in the middle of one
    ///         }
    ///         let _ = item;
    ///     }
    /// }
    /// # let _ = batch;
    /// ```
    pub fn is_cancelled(&self) -> bool {
        self.inner.signals.stop.is_requested()
    }

    /// A token that is cancelled when this instance is asked to stop, for
    /// handing to code that takes a [`CancellationToken`].
    ///
    /// It is a child of the supervisor's own token: cancelling it stops the
    /// code that holds it, but is not a stop request from the supervisor.
    /// An instance that then returns has exited on its own, and its restart
    /// policy decides what follows (a permanent child is restarted).
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::{CancellationToken, ChildContext};
    ///
    /// fn serve_until(token: CancellationToken) { /* a library that takes a token */ let _ = token; }
    ///
    /// async fn api(ctx: ChildContext) {
    ///     serve_until(ctx.cancellation_token());
    ///     ctx.cancelled().await;
    /// }
    /// # let _ = api;
    /// ```
    pub fn cancellation_token(&self) -> CancellationToken {
        self.inner.signals.stop.token().child_token()
    }

    /// The supervisor's own token for this instance, which only the
    /// runtime cancels; made on first use.
    pub(crate) fn stop_token(&self) -> CancellationToken {
        self.inner.signals.stop.token().clone()
    }

    /// The root supervisor's stop token, handed down to nested trees.
    pub(crate) fn shutdown_token(&self) -> CancellationToken {
        self.inner.shutdown.clone()
    }

    /// Asks the whole tree, from its root down, to shut down gracefully, as
    /// [`SupervisorHandle::shutdown`](crate::SupervisorHandle::shutdown)
    /// would. Returns at once: the shutdown goes on in the supervisors'
    /// tasks, and this instance then sees [`cancelled`](Self::cancelled)
    /// resolve like its siblings, in the tree's stop order. `run`,
    /// `run_spec` and `run_until` then report success (exit code 0).
    ///
    /// Calling it again, or from several children, does nothing more. It
    /// neither waits for the shutdown (which would wait for the caller
    /// itself) nor uses the caller's shutdown grace.
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::ChildContext;
    ///
    /// // A job that decides the service is done, for example after a
    /// // one-shot import.
    /// async fn import(ctx: ChildContext) -> Result<(), std::io::Error> {
    ///     // ... import the data ...
    ///     ctx.request_shutdown();
    ///     Ok(())
    /// }
    /// # let _ = import;
    /// ```
    pub fn request_shutdown(&self) {
        self.inner.shutdown.cancel();
    }

    /// Tells the supervisor this instance is ready: the next child may start.
    /// Calling it again does nothing.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use supervisor_core::{ChildContext, ChildSpec, TaskRole};
    ///
    /// async fn db_pool(ctx: ChildContext) -> Result<(), std::io::Error> {
    ///     // ... open the connections first ...
    ///     ctx.ready(); // the children after this one start now
    ///     ctx.cancelled().await;
    ///     Ok(())
    /// }
    ///
    /// let spec = ChildSpec::new("db", TaskRole::Service, db_pool).ready_timeout(Duration::from_secs(10));
    /// # let _ = spec;
    /// ```
    pub fn ready(&self) {
        self.inner.signals.mark_ready();
    }

    /// Tells the supervisor this instance is alive. A child with a
    /// `heartbeat` period that stays silent longer than the period is stopped
    /// and restarted as failed. A heartbeat does not signal readiness.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use supervisor_core::{ChildContext, ChildSpec, TaskRole};
    ///
    /// async fn consumer(ctx: ChildContext) {
    ///     loop {
    ///         tokio::select! {
    ///             _ = ctx.cancelled() => return,
    ///             _ = tokio::time::sleep(Duration::from_millis(500)) => ctx.heartbeat(), // one message handled
    ///         }
    ///     }
    /// }
    ///
    /// // Silent for more than 5 s: stopped and restarted as failed.
    /// let spec = ChildSpec::new("consumer", TaskRole::Worker, consumer).heartbeat(Duration::from_secs(5));
    /// # let _ = spec;
    /// ```
    pub fn heartbeat(&self) {
        self.inner.signals.beat();
    }

    /// Spawns a helper task that belongs to this instance. When the instance
    /// stops, its helpers see [`cancelled`](Self::cancelled) resolve, are
    /// awaited for the instance's shutdown grace, and are then aborted: none
    /// outlives the instance.
    ///
    /// The helper is linked to its instance, as a process is in OTP: if it
    /// panics, the instance fails with the helper's panic message
    /// (`ChildExit::Panicked`), is stopped like any failed child, and its
    /// restart policy decides what follows.
    ///
    /// Returns `None`, without polling `future`, when the instance is already
    /// stopping.
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::ChildContext;
    ///
    /// async fn with_flusher(ctx: ChildContext) {
    ///     let helper = ctx.clone();
    ///     ctx.spawn(async move { helper.cancelled().await });
    ///     ctx.cancelled().await;
    /// }
    /// # let _ = with_flusher;
    /// ```
    pub fn spawn<F>(&self, future: F) -> Option<AbortHandle>
    where
        F: Future<Output = ()> + Send + 'static,
    {
        let inner = Arc::downgrade(&self.inner);
        let linked = async move {
            let caught = crate::runtime::unwind::CatchUnwind::new(Box::pin(future)).await;
            if let (Err(message), Some(inner)) = (caught, inner.upgrade()) {
                // The instance fails: it is stopped as for any fault, and
                // reads the message when it sees the stop.
                if inner.helpers.record_panic(message) {
                    inner.signals.request_stop();
                }
            }
        };
        self.inner.helpers.spawn(linked)
    }
}

impl fmt::Debug for ChildContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChildContext")
            .field("path", &self.path())
            .field("generation", &self.generation())
            .field("cancelled", &self.is_cancelled())
            .finish_non_exhaustive()
    }
}
