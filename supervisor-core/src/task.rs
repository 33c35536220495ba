//! The code a child runs: a factory that makes a fresh future for every start.

use std::{
    fmt,
    future::Future,
    pin::Pin,
    sync::Arc,
    task::{Context, Poll},
};

use crate::context::ChildContext;

/// The error type a task's failure is carried in.
///
/// # Examples
///
/// ```
/// use supervisor_core::BoxError;
///
/// let error: BoxError = std::io::Error::other("connection refused").into();
/// assert_eq!(error.to_string(), "connection refused");
/// ```
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// What one run of a task comes to: `Ok(())` or the error it failed with.
///
/// # Examples
///
/// ```
/// use supervisor_core::{TaskOutput, TaskResult};
///
/// let result: TaskResult = Err::<(), _>("disk full").into_task_result();
/// assert_eq!(result.unwrap_err().to_string(), "disk full");
/// ```
pub type TaskResult = Result<(), BoxError>;

/// The future one start of a task runs, as [`TaskFactory::make`] gives it.
///
/// # Examples
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// use supervisor_core::{CancellationToken, ChildContext, TaskFactory, TaskFuture};
///
/// let factory = TaskFactory::without_context(|| async { Err::<(), _>("refused") });
/// let run: TaskFuture = factory.make(ChildContext::detached("db", CancellationToken::new()));
/// assert_eq!(run.await.unwrap_err().to_string(), "refused");
/// # }
/// ```
pub type TaskFuture = Pin<Box<dyn Future<Output = TaskResult> + Send + 'static>>;

/// What a supervised task may return: `()` or `Result<(), E>` where `E` converts
/// into a boxed error (`std::io::Error`, `anyhow::Error`, `String`, ...).
///
/// # Examples
///
/// ```
/// use supervisor_core::TaskOutput;
///
/// assert!(().into_task_result().is_ok());
/// let failed: Result<(), String> = Err("disk full".into());
/// assert_eq!(failed.into_task_result().unwrap_err().to_string(), "disk full");
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be returned by a supervised task",
    label = "this is the task's output",
    note = "a supervised task returns `()` or `Result<(), E>` where `E: Into<Box<dyn std::error::Error + Send + Sync>>`"
)]
pub trait TaskOutput: Send + 'static {
    /// Turns the output into success or a boxed error.
    fn into_task_result(self) -> TaskResult;
}

impl TaskOutput for () {
    fn into_task_result(self) -> TaskResult {
        Ok(())
    }
}

impl<E> TaskOutput for Result<(), E>
where
    E: Into<BoxError> + Send + 'static,
{
    fn into_task_result(self) -> TaskResult {
        self.map_err(Into::into)
    }
}

type MakeTask = dyn Fn(ChildContext) -> TaskFuture + Send + Sync + 'static;

/// Makes a fresh future for each start of a child.
///
/// Cheap to clone. Built from an async fn or closure, with or without a
/// [`ChildContext`] argument.
///
/// # Examples
///
/// ```
/// use supervisor_core::{ChildContext, TaskFactory};
///
/// async fn api(ctx: ChildContext) -> Result<(), std::io::Error> {
///     ctx.cancelled().await;
///     Ok(())
/// }
///
/// let with_context = TaskFactory::new(api);
/// assert!(with_context.uses_context());
/// let without = TaskFactory::without_context(|| async {});
/// assert!(!without.uses_context());
/// ```
#[derive(Clone)]
pub struct TaskFactory {
    make: Arc<MakeTask>,
    uses_context: bool,
}

impl TaskFactory {
    /// A task that receives its [`ChildContext`].
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::{ChildContext, TaskFactory};
    ///
    /// let factory = TaskFactory::new(|ctx: ChildContext| async move {
    ///     ctx.ready();
    ///     ctx.cancelled().await;
    /// });
    /// assert!(factory.uses_context());
    /// ```
    pub fn new<F, Fut>(task: F) -> Self
    where
        F: Fn(ChildContext) -> Fut + Send + Sync + 'static,
        Fut: Future + Send + 'static,
        Fut::Output: TaskOutput,
    {
        TaskFactory {
            make: Arc::new(move |ctx| Box::pin(IntoTaskResult { run: task(ctx) })),
            uses_context: true,
        }
    }

    /// A task that takes no arguments. It cannot signal readiness or send
    /// heartbeats, so `ready_timeout` and `heartbeat` are rejected for it.
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::TaskFactory;
    ///
    /// async fn vacuum() -> Result<(), std::io::Error> {
    ///     Ok(())
    /// }
    ///
    /// let factory = TaskFactory::without_context(vacuum);
    /// assert!(!factory.uses_context());
    /// ```
    pub fn without_context<F, Fut>(task: F) -> Self
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future + Send + 'static,
        Fut::Output: TaskOutput,
    {
        TaskFactory {
            make: Arc::new(move |_ctx| Box::pin(IntoTaskResult { run: task() })),
            uses_context: false,
        }
    }

    /// Whether the task receives a [`ChildContext`]; the rule table
    /// refuses `heartbeat` and `ready_timeout` for one that does not.
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::TaskFactory;
    ///
    /// assert!(!TaskFactory::without_context(|| async {}).uses_context());
    /// ```
    pub fn uses_context(&self) -> bool {
        self.uses_context
    }

    /// Makes the future for one start.
    ///
    /// # Panics
    ///
    /// Panics if the user's factory panics; the runtime catches that and
    /// counts it as a failed start.
    pub fn make(&self, ctx: ChildContext) -> TaskFuture {
        (self.make)(ctx)
    }
}

pin_project_lite::pin_project! {
    /// A task's future with its output turned into a [`TaskResult`].
    ///
    /// Written out rather than as an `async` block, which would hold the
    /// task's future twice (as a capture and as the awaited value) and add a
    /// frame to unwind through when the task panics.
    struct IntoTaskResult<F> {
        #[pin]
        run: F,
    }
}

impl<F> Future for IntoTaskResult<F>
where
    F: Future,
    F::Output: TaskOutput,
{
    type Output = TaskResult;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<TaskResult> {
        self.project()
            .run
            .poll(cx)
            .map(TaskOutput::into_task_result)
    }
}

impl fmt::Debug for TaskFactory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskFactory")
            .field("uses_context", &self.uses_context)
            .finish_non_exhaustive()
    }
}
