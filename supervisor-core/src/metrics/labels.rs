//! The label values of the metrics: paths under the cardinality rule, and
//! the names of exit reasons, escalation reasons and states.

use std::{collections::HashSet, sync::Arc};

use crate::{
    policy::{EscalationReason, ExitReason},
    snapshot::ChildState,
    spec::SupervisorSpec,
};

/// The `path` label of each child and supervisor: its own path for every
/// path of the declared tree, and for the first `limit` other paths seen
/// (children added at run time); [`OTHER_PATH`](super::OTHER_PATH) for
/// every path after those.
#[derive(Debug)]
pub(super) struct PathLabels {
    /// The paths that are their own label: at most the declared ones and
    /// `limit` more.
    own: HashSet<Arc<str>>,
    /// How many paths outside the declared tree have been given their own.
    added: usize,
    limit: usize,
    other: Arc<str>,
}

impl PathLabels {
    /// The labels of a tree declared as `spec`: the root, every child and
    /// every nested tree's children keep their own paths.
    pub(super) fn declared(spec: &SupervisorSpec, limit: usize) -> Self {
        let mut own = HashSet::new();
        let root: Arc<str> = Arc::from(spec.id.as_str());
        declare(spec, &root, &mut own);
        own.insert(root);
        PathLabels {
            own,
            added: 0,
            limit,
            other: Arc::from(super::OTHER_PATH),
        }
    }

    /// Sets how many paths outside the declared tree get their own label.
    pub(super) fn set_limit(&mut self, limit: usize) {
        self.limit = limit;
    }

    /// The label of `path`.
    pub(super) fn label(&mut self, path: &Arc<str>) -> Arc<str> {
        if self.own.contains(path) {
            return Arc::clone(path);
        }
        if self.added < self.limit {
            self.added += 1;
            self.own.insert(Arc::clone(path));
            return Arc::clone(path);
        }
        Arc::clone(&self.other)
    }
}

/// Adds the path of every child of `spec` (a supervisor at `path`), nested
/// trees included.
fn declare(spec: &SupervisorSpec, path: &str, own: &mut HashSet<Arc<str>>) {
    for child in &spec.children {
        let child_path = format!("{path}/{}", child.id);
        if let Some(tree) = &child.tree {
            declare(tree, &child_path, own);
        }
        own.insert(Arc::from(child_path));
    }
}

/// The `reason` label of an exit.
pub(super) fn exit_reason(reason: ExitReason) -> &'static str {
    match reason {
        ExitReason::Completed => "completed",
        ExitReason::Failed => "failed",
        ExitReason::Panicked => "panicked",
        ExitReason::TimedOut => "timed_out",
        ExitReason::MissedHeartbeat => "missed_heartbeat",
        ExitReason::NotReady => "not_ready",
        ExitReason::Cancelled => "cancelled",
    }
}

/// The `reason` label of an escalation.
pub(super) fn escalation_reason(reason: &EscalationReason) -> &'static str {
    match reason {
        EscalationReason::ChildRestartLimit { .. } => "child_restart_limit",
        EscalationReason::SupervisorRestartLimit { .. } => "supervisor_restart_limit",
        EscalationReason::CriticalChildStopped => "critical_child_stopped",
    }
}

/// Every state, in the order they are reported; each one's `state` label
/// is [`ChildState::as_str`].
pub(super) const STATES: [ChildState; 6] = [
    ChildState::Pending,
    ChildState::Starting,
    ChildState::Running,
    ChildState::BackingOff,
    ChildState::Stopping,
    ChildState::Stopped,
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{ChildSpec, TaskRole};

    fn idle(id: &str) -> ChildSpec {
        ChildSpec::new(
            id,
            TaskRole::Worker,
            |ctx| async move { ctx.cancelled().await },
        )
    }

    fn labels(limit: usize) -> PathLabels {
        let ingest = SupervisorSpec::new("ingest").child(idle("reader"));
        let spec = SupervisorSpec::new("app")
            .child(ChildSpec::supervisor(ingest))
            .child(idle("api"));
        PathLabels::declared(&spec, limit)
    }

    fn label(labels: &mut PathLabels, path: &str) -> String {
        labels.label(&Arc::from(path)).to_string()
    }

    #[test]
    fn declared_paths_keep_their_own_label_whatever_the_limit() {
        let mut labels = labels(0);
        for path in ["app", "app/ingest", "app/ingest/reader", "app/api"] {
            assert_eq!(label(&mut labels, path), path);
        }
        assert_eq!(label(&mut labels, "app/added"), "other");
    }

    #[test]
    fn paths_added_past_the_limit_share_the_other_label() {
        let mut labels = labels(2);
        assert_eq!(label(&mut labels, "app/a"), "app/a");
        assert_eq!(label(&mut labels, "app/b"), "app/b");
        assert_eq!(label(&mut labels, "app/c"), "other");
        assert_eq!(
            label(&mut labels, "app/a"),
            "app/a",
            "a path keeps its label"
        );
        assert_eq!(label(&mut labels, "app/api"), "app/api");
        assert_eq!(labels.own.len(), 6, "the label set stays bounded");
    }

    fn serde_name(value: impl serde::Serialize) -> String {
        let value = serde_json::to_value(value).unwrap();
        value
            .as_str()
            .unwrap_or_else(|| value["kind"].as_str().unwrap())
            .to_owned()
    }

    #[test]
    fn reason_and_state_labels_are_the_serde_names() {
        use crate::policy::ChildExit;
        let exits = [
            ChildExit::Completed,
            ChildExit::failed("refused"),
            ChildExit::panicked("bug"),
            ChildExit::TimedOut,
            ChildExit::MissedHeartbeat,
            ChildExit::NotReady,
            ChildExit::Cancelled,
        ];
        for exit in exits {
            assert_eq!(serde_name(exit.reason()), exit_reason(exit.reason()));
        }
        for state in STATES {
            assert_eq!(serde_name(state), state.as_str());
        }
        let limit = crate::spec::RestartLimit::new(1, std::time::Duration::from_secs(1));
        for reason in [
            EscalationReason::ChildRestartLimit { limit },
            EscalationReason::SupervisorRestartLimit { limit },
            EscalationReason::CriticalChildStopped,
        ] {
            assert_eq!(serde_name(reason), escalation_reason(&reason));
        }
    }
}
