//! The part of a child's policy that decides what follows its exits.

use std::time::Duration;

use crate::spec::{BackoffPolicy, EffectivePolicy, RestartPolicy, Severity};

/// What [`decide`](super::decide) reads of a child's effective policy:
/// whether an exit is restarted, how long the restart waits, and what a
/// final exit means to the tree. Small and `Copy`, without the sources
/// that [`EffectivePolicy`] carries for display, so a supervisor keeps one
/// per child at little cost.
///
/// # Examples
///
/// ```
/// use supervisor_core::{ChildSpec, RestartPolicy, TaskRole, policy::ExitPolicy};
///
/// let spec = ChildSpec::without_context("api", TaskRole::Service, || async {});
/// let exits = ExitPolicy::from(&spec.effective_policy());
/// assert_eq!(exits.restart, RestartPolicy::Permanent);
/// assert!(!exits.significant);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct ExitPolicy {
    /// Which exits are restarted (OTP's `restart`).
    pub restart: RestartPolicy,
    /// What a final failure means to the tree.
    pub severity: Severity,
    /// Whether the child's final exit may end its tree (OTP's
    /// `significant`).
    pub significant: bool,
    /// The delays between restarts after failures.
    pub backoff: BackoffPolicy,
    /// For a periodic job: the wait after each completed run before the
    /// next one.
    pub every: Option<Duration>,
}

impl From<&EffectivePolicy> for ExitPolicy {
    fn from(policy: &EffectivePolicy) -> Self {
        ExitPolicy {
            restart: policy.restart.value,
            severity: policy.severity.value,
            significant: policy.significant.value,
            backoff: policy.backoff.value,
            every: policy.every.value,
        }
    }
}
