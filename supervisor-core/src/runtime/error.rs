//! Errors of the supervision runtime.

use std::{fmt, sync::Arc};

use serde::{Deserialize, Serialize};

use crate::{policy::EscalationReason, rules::SpecError};

/// Error returned by the child-control methods of
/// [`SupervisorHandle`](crate::SupervisorHandle).
///
/// # Examples
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// use supervisor_core::{ChildSpec, ControlError, RestartPolicy, Supervisor, SupervisorSpec, TaskRole};
///
/// let handle = Supervisor::start(SupervisorSpec::new("app")).unwrap();
/// let error = handle.stop_child("nope").await.unwrap_err();
/// assert_eq!(error, ControlError::UnknownChild { id: "nope".into() });
/// assert_eq!(error.to_string(), "no child with id `nope`");
///
/// // A spec that breaks the rule table: the violations are the source.
/// let job = ChildSpec::without_context("migrate", TaskRole::Job, || async {})
///     .restart(RestartPolicy::Permanent);
/// let error = handle.add_child(job).await.unwrap_err();
/// assert_eq!(error.to_string(), "invalid child spec");
/// let source = std::error::Error::source(&error).unwrap();
/// assert!(source.to_string().contains("[job_permanent]"));
/// # handle.shutdown().await;
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ControlError {
    /// The supervisor has no child with this id.
    UnknownChild {
        /// The id asked for.
        id: String,
    },
    /// The child is already running (for `start_child`).
    AlreadyRunning {
        /// The child's id.
        id: String,
    },
    /// The spec given to `add_child` breaks the rule table.
    ///
    /// The violations are the error's [`source`](std::error::Error::source),
    /// not part of its `Display`: print the chain (or match on this variant)
    /// to see them.
    InvalidSpec(SpecError),
    /// The supervisor has stopped (or is stopping) and takes no more calls.
    Stopped,
}

impl fmt::Display for ControlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ControlError::UnknownChild { id } => write!(f, "no child with id `{id}`"),
            ControlError::AlreadyRunning { id } => write!(f, "child `{id}` is already running"),
            ControlError::InvalidSpec(_) => f.write_str("invalid child spec"),
            ControlError::Stopped => f.write_str("supervisor has stopped"),
        }
    }
}

impl std::error::Error for ControlError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ControlError::InvalidSpec(error) => Some(error),
            _ => None,
        }
    }
}

/// How a tree that failed came to fail: returned by
/// [`SupervisorHandle::wait`](crate::SupervisorHandle::wait).
///
/// # Examples
///
/// ```
/// use supervisor_core::{TreeError, policy::EscalationReason};
///
/// let error = TreeError {
///     supervisor: "app".into(),
///     child: "app/api".into(),
///     reason: EscalationReason::CriticalChildStopped,
/// };
/// assert!(error.to_string().starts_with("supervisor `app` escalated because of `app/api`"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TreeError {
    /// The supervisor that gave up (the root, or the nested one whose failure
    /// the root could not absorb).
    pub supervisor: Arc<str>,
    /// The child whose exit made it give up.
    pub child: Arc<str>,
    /// Why it gave up.
    pub reason: EscalationReason,
}

impl fmt::Display for TreeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "supervisor `{}` escalated because of `{}`: {}",
            self.supervisor, self.child, self.reason
        )
    }
}

impl std::error::Error for TreeError {}
