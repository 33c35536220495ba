//! What a shutdown did to each child.

use std::{sync::Arc, time::Duration};

use serde::{Deserialize, Serialize};

/// How one child came to a stop during shutdown.
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
/// assert!(report.is_clean());
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
}

impl ShutdownReport {
    /// Whether no child had to be aborted.
    pub fn is_clean(&self) -> bool {
        self.children
            .iter()
            .all(|child| child.outcome != StopOutcome::Aborted)
    }

    /// The line for the child at `path`.
    pub fn find(&self, path: &str) -> Option<&ChildShutdown> {
        self.children.iter().find(|child| &*child.path == path)
    }
}
