//! Whether a tree is ready to serve: Kubernetes' readiness, systemd's
//! `READY=1`, judged from a snapshot.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::{
    policy::ChildExit,
    snapshot::{ChildSnapshot, ChildState, TreeSnapshot},
    spec::Severity,
};

/// Whether a tree is ready, and if not, which children hold it back.
///
/// A tree is ready once its start order is done (no child left to start,
/// no gate still closed: a `job` running, a `ready_timeout` child that has
/// not called `ready()`, a nested tree still starting its children) and
/// every `critical` child is running. Children of other severities may be
/// backing off or stopped: a standard worker that restarts does not take
/// the service out of rotation. A critical job that completed counts as
/// done.
///
/// # Examples
///
/// ```
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() {
/// use std::time::Duration;
/// use supervisor_core::{ChildContext, ChildSpec, NotReadyReason, SupervisorSpec, TaskRole};
/// use supervisor_core::testing::{EventPattern, TestTree};
///
/// let warm_up = |ctx: ChildContext| async move {
///     tokio::time::sleep(Duration::from_secs(5)).await;
///     ctx.ready();
///     ctx.cancelled().await;
/// };
/// let spec = SupervisorSpec::new("app")
///     .child(ChildSpec::new("cache", TaskRole::Service, warm_up).ready_timeout(Duration::from_secs(30)));
/// let mut tree = TestTree::start(spec);
/// tree.run_until(&EventPattern::started("app/cache")).await;
/// let readiness = tree.snapshot().await.readiness();
/// assert!(!readiness.ready);
/// assert_eq!(readiness.not_ready[0].reason, NotReadyReason::HoldsStartOrder);
///
/// tree.run_until(&EventPattern::ready("app/cache")).await;
/// assert!(tree.snapshot().await.readiness().ready);
/// # tree.shutdown().await;
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Readiness {
    /// Whether the tree is ready.
    pub ready: bool,
    /// The children that hold it back, in start order (nested trees
    /// depth first); empty when it is ready.
    pub not_ready: Vec<NotReady>,
}

/// A child that keeps its tree from being ready.
///
/// # Examples
///
/// ```
/// use supervisor_core::{ChildState, NotReady, NotReadyReason};
///
/// let waiting = NotReady {
///     path: "app/api".into(),
///     state: ChildState::BackingOff,
///     reason: NotReadyReason::CriticalNotRunning,
/// };
/// assert_eq!(
///     serde_json::to_string(&waiting).unwrap(),
///     r#"{"path":"app/api","state":"backing_off","reason":"critical_not_running"}"#
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotReady {
    /// The child's path.
    pub path: Arc<str>,
    /// Its state.
    pub state: ChildState,
    /// Why it holds the tree back.
    pub reason: NotReadyReason,
}

/// Why a child keeps its tree from being ready.
///
/// # Examples
///
/// ```
/// use supervisor_core::NotReadyReason;
///
/// assert_eq!(NotReadyReason::NotStarted.to_string(), "not started yet");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum NotReadyReason {
    /// The start order has not reached it.
    NotStarted,
    /// It holds the children after it: a job still running, a child that
    /// has not called `ready()`, a nested tree still starting.
    HoldsStartOrder,
    /// It is critical and not running.
    CriticalNotRunning,
}

impl std::fmt::Display for NotReadyReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            NotReadyReason::NotStarted => "not started yet",
            NotReadyReason::HoldsStartOrder => "holds the start order",
            NotReadyReason::CriticalNotRunning => "critical and not running",
        })
    }
}

impl TreeSnapshot {
    /// Whether the tree is ready; see [`Readiness`].
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
    /// assert!(handle.snapshot().await.unwrap().readiness().ready);
    /// # handle.shutdown().await;
    /// # }
    /// ```
    pub fn readiness(&self) -> Readiness {
        let not_ready: Vec<NotReady> = self
            .walk()
            .into_iter()
            .filter_map(|child| {
                holding_back(child).map(|reason| NotReady {
                    path: Arc::clone(&child.path),
                    state: child.state,
                    reason,
                })
            })
            .collect();
        Readiness {
            ready: not_ready.is_empty(),
            not_ready,
        }
    }
}

/// Why `child` holds its tree back, if it does.
fn holding_back(child: &ChildSnapshot) -> Option<NotReadyReason> {
    if child.state == ChildState::Pending {
        return Some(NotReadyReason::NotStarted);
    }
    if child.holds_later_starts {
        return Some(NotReadyReason::HoldsStartOrder);
    }
    let finished = child.state == ChildState::Stopped
        && child.last_exit.as_ref() == Some(&ChildExit::Completed);
    let critical = child.severity == Severity::Critical;
    (critical && child.state != ChildState::Running && !finished)
        .then_some(NotReadyReason::CriticalNotRunning)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn child(state: ChildState, severity: Severity) -> ChildSnapshot {
        let mut child = ChildSnapshot::example("app/c", state);
        child.severity = severity;
        child
    }

    #[test]
    fn a_pending_child_is_not_started() {
        let pending = child(ChildState::Pending, Severity::Optional);
        assert_eq!(holding_back(&pending), Some(NotReadyReason::NotStarted));
    }

    #[test]
    fn a_closed_gate_holds_the_tree_back_whatever_the_severity() {
        let mut gate = child(ChildState::Starting, Severity::Optional);
        gate.holds_later_starts = true;
        assert_eq!(holding_back(&gate), Some(NotReadyReason::HoldsStartOrder));
    }

    #[test]
    fn only_a_critical_child_must_be_running() {
        for state in [
            ChildState::BackingOff,
            ChildState::Stopped,
            ChildState::Stopping,
        ] {
            let critical = child(state, Severity::Critical);
            assert_eq!(
                holding_back(&critical),
                Some(NotReadyReason::CriticalNotRunning)
            );
            assert_eq!(holding_back(&child(state, Severity::Standard)), None);
        }
        assert_eq!(
            holding_back(&child(ChildState::Running, Severity::Critical)),
            None
        );
    }

    #[test]
    fn a_critical_job_that_completed_is_done() {
        let mut job = child(ChildState::Stopped, Severity::Critical);
        job.last_exit = Some(ChildExit::Completed);
        assert_eq!(holding_back(&job), None);
        job.last_exit = Some(ChildExit::failed(&"refused"));
        assert_eq!(holding_back(&job), Some(NotReadyReason::CriticalNotRunning));
    }

    #[test]
    fn nested_children_count_and_are_listed_in_order() {
        let mut inner = child(ChildState::BackingOff, Severity::Critical);
        inner.path = "app/ingest/reader".into();
        let mut ingest = child(ChildState::Running, Severity::Critical);
        ingest.path = "app/ingest".into();
        ingest.tree = Some(TreeSnapshot {
            path: "app/ingest".into(),
            children: vec![inner],
        });
        let tree = TreeSnapshot {
            path: "app".into(),
            children: vec![ingest, child(ChildState::Pending, Severity::Standard)],
        };
        let readiness = tree.readiness();
        assert!(!readiness.ready);
        let paths: Vec<&str> = readiness.not_ready.iter().map(|n| &*n.path).collect();
        assert_eq!(paths, ["app/ingest/reader", "app/c"]);
    }
}
