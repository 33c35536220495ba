//! What a shutdown did to each child.

use std::{sync::Arc, time::Duration};

use serde::{Deserialize, Serialize};

/// How one child came to a stop during shutdown.
///
/// # Examples
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// use supervisor_core::{ChildSpec, ShutdownPolicy, StopOutcome, Supervisor, SupervisorSpec, TaskRole};
///
/// let deaf = ChildSpec::without_context("deaf", TaskRole::Worker, || std::future::pending::<()>())
///     .shutdown(ShutdownPolicy::Brutal);
/// let polite = ChildSpec::new("polite", TaskRole::Worker, |ctx| async move { ctx.cancelled().await });
/// let handle = Supervisor::start(SupervisorSpec::new("app").child(deaf).child(polite)).unwrap();
/// let report = handle.shutdown().await;
/// assert_eq!(report.find("app/polite").unwrap().outcome, StopOutcome::ExitedInTime);
/// assert_eq!(report.find("app/deaf").unwrap().outcome, StopOutcome::Aborted);
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum StopOutcome {
    /// It returned within its grace period after being cancelled.
    ExitedInTime,
    /// It ignored cancellation past its grace (or was brutal) and was aborted.
    Aborted,
    /// It was not running when the shutdown reached it.
    AlreadyStopped,
}

/// One child's line in a [`ShutdownReport`].
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
/// let report = Supervisor::start(spec).unwrap().shutdown().await;
/// for line in &report.children {
///     println!("{}: {:?} in {:?}", line.path, line.outcome, line.took);
/// }
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ChildShutdown {
    /// The child's path.
    pub path: Arc<str>,
    /// How it stopped.
    pub outcome: StopOutcome,
    /// From its cancellation until it was gone.
    #[serde(with = "crate::spec::duration")]
    pub took: Duration,
}

/// What [`SupervisorHandle::shutdown`] did: each child's outcome in stop
/// order (reverse start order, nested trees inline), and the total time.
///
/// [`SupervisorHandle::shutdown`]: crate::SupervisorHandle::shutdown
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
/// let report = Supervisor::start(spec).unwrap().shutdown().await;
/// assert_eq!(report.children[0].outcome, StopOutcome::ExitedInTime);
/// assert!(report.is_clean() && report.all_exited_in_time());
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ShutdownReport {
    /// Every child, in the order it was stopped.
    pub children: Vec<ChildShutdown>,
    /// From the start of the shutdown until the last task was gone.
    #[serde(with = "crate::spec::duration")]
    pub took: Duration,
    /// Whether the tree stopped without escalating: the same value as the
    /// `clean` of its `supervisor_stopped` event and as
    /// [`RunSummary::is_success`](crate::RunSummary::is_success).
    pub clean: bool,
}

impl ShutdownReport {
    /// Whether the tree stopped without escalating (see
    /// [`clean`](Self::clean)). Whether every child stopped within its grace
    /// is another question: [`all_exited_in_time`](Self::all_exited_in_time).
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// use supervisor_core::{ChildSpec, RestartPolicy, Severity, Supervisor, SupervisorSpec, TaskRole};
    ///
    /// // A critical job that fails and is never retried takes the tree down.
    /// let boot = ChildSpec::without_context("boot", TaskRole::Job, || async { Err::<(), _>("disk full") })
    ///     .restart(RestartPolicy::Temporary)
    ///     .severity(Severity::Critical);
    /// let handle = Supervisor::start(SupervisorSpec::new("app").child(boot)).unwrap();
    /// assert!(handle.wait().await.is_err());
    /// let report = handle.shutdown().await;
    /// assert!(!report.is_clean());
    /// # }
    /// ```
    pub fn is_clean(&self) -> bool {
        self.clean
    }

    /// Whether no child had to be aborted: every one that was running
    /// returned within its shutdown grace.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// use supervisor_core::{ChildSpec, ShutdownPolicy, Supervisor, SupervisorSpec, TaskRole};
    ///
    /// let stubborn = ChildSpec::new("stubborn", TaskRole::Service, |_ctx| std::future::pending::<()>())
    ///     .shutdown(ShutdownPolicy::Brutal);
    /// let report = Supervisor::start(SupervisorSpec::new("app").child(stubborn)).unwrap().shutdown().await;
    /// assert!(report.is_clean());            // the tree did not escalate
    /// assert!(!report.all_exited_in_time()); // but `stubborn` was aborted
    /// # }
    /// ```
    pub fn all_exited_in_time(&self) -> bool {
        self.children
            .iter()
            .all(|child| child.outcome != StopOutcome::Aborted)
    }

    /// The line for the child at `path`.
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
    /// let report = Supervisor::start(spec).unwrap().shutdown().await;
    /// assert_eq!(report.find("app/api").unwrap().outcome, StopOutcome::ExitedInTime);
    /// assert!(report.find("app/db").is_none());
    /// # }
    /// ```
    pub fn find(&self, path: &str) -> Option<&ChildShutdown> {
        self.children.iter().find(|child| &*child.path == path)
    }
}
