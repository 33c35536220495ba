//! What a supervisor keeps about each of its children.

use std::sync::Arc;

use tokio_util::{task::AbortOnDropHandle, time::delay_queue};

use super::{SupervisorHandle, instance::Limits, table::ChildKey};
use crate::{
    context::ChildContext,
    policy::{ChildExit, ChildHistory, ExitPolicy, JitterRng},
    snapshot::{ChildSnapshot, ChildState, TreeSnapshot},
    spec::{ChildSpec, EffectivePolicy, RestartPolicy, SupervisorSpec, TaskRole},
    task::TaskFactory,
};

/// A running instance, as its supervisor sees it.
pub(super) struct Instance {
    pub(super) ctx: ChildContext,
    /// Aborts the instance's task if the supervisor is dropped before it
    /// has reaped it: no instance outlives its supervisor.
    #[expect(dead_code, reason = "held for its drop")]
    pub(super) task: AbortOnDropHandle<()>,
    /// For a supervisor child: the handle of the nested tree.
    pub(super) nested: Option<SupervisorHandle>,
}

/// The parts of a child's effective policy the runtime reads: compact,
/// and shared between children that have the same (a tree of 10,000 alike
/// workers holds one).
#[derive(Debug, PartialEq)]
pub(super) struct SlotPolicy {
    pub(super) exits: ExitPolicy,
    pub(super) limits: Limits,
}

impl SlotPolicy {
    fn of(policy: &EffectivePolicy, role: TaskRole) -> Self {
        SlotPolicy {
            exits: ExitPolicy::from(policy),
            limits: Limits::of(policy, role),
        }
    }

    /// `self` as an `Arc`, or `shared` when that holds the same policy.
    pub(super) fn share(self, shared: Option<&Arc<SlotPolicy>>) -> Arc<SlotPolicy> {
        match shared {
            Some(shared) if **shared == self => Arc::clone(shared),
            _ => Arc::new(self),
        }
    }
}

/// How a child is tied to its siblings by `primary`.
#[derive(Debug, Default)]
struct Ties {
    /// The child this sidecar serves.
    primary: Option<ChildKey>,
    /// The sidecars that follow this child, in start order.
    sidecars: Vec<ChildKey>,
}

/// What a child runs at each start.
pub(super) enum Work {
    /// A user task, made afresh by its factory for each instance.
    Task(TaskFactory),
    /// A nested supervisor, built anew from its spec for each instance.
    Nested(Box<SupervisorSpec>),
}

/// One child: what it runs, its policy state and its current instance.
///
/// The slot keeps only the parts of the child's [`ChildSpec`] the runtime
/// reads after the child was added; its id is the last segment of `path`.
pub(super) struct Slot {
    /// The child's rank in the start order (see [`ChildKey`]).
    pub(super) rank: u64,
    pub(super) role: TaskRole,
    /// `None` only for a spec that declares no task, which validation
    /// rejects before a child is added.
    pub(super) work: Option<Work>,
    /// The primary this child serves as a sidecar, and its own sidecars:
    /// few children have either, so they are kept out of line.
    ties: Option<Box<Ties>>,
    /// What decides after its exits and the deadlines of its instances;
    /// shared by siblings whose policies are equal.
    pub(super) policy: Arc<SlotPolicy>,
    pub(super) path: Arc<str>,
    pub(super) history: ChildHistory,
    pub(super) generation: u64,
    pub(super) state: ChildState,
    pub(super) last_exit: Option<ChildExit>,
    pub(super) instance: Option<Instance>,
    pub(super) timer: Option<delay_queue::Key>,
    /// Moves on whenever a restart is scheduled or the child is stopped, so
    /// that a timer scheduled before knows it is out of date.
    pub(super) epoch: u64,
    /// For a nested tree that has stopped: its final state.
    pub(super) stopped_tree: Option<Box<TreeSnapshot>>,
}

impl Slot {
    /// The slot of `spec`, sharing `like`'s policy if it is the same.
    pub(super) fn new(
        mut spec: ChildSpec,
        parent: &str,
        rng: JitterRng,
        rank: u64,
        like: Option<&Arc<SlotPolicy>>,
    ) -> Self {
        let policy = spec.effective_policy();
        let work = match (spec.tree.take(), spec.take_task_factory()) {
            (Some(tree), _) => Some(Work::Nested(tree)),
            (None, Some(factory)) => Some(Work::Task(factory)),
            (None, None) => None,
        };
        let history = ChildHistory::new(&policy, rng);
        let shared = SlotPolicy::of(&policy, spec.role).share(like);
        Slot {
            rank,
            path: Arc::from([parent, "/", spec.id.as_str()].concat()),
            role: spec.role,
            work,
            ties: None,
            policy: shared,
            history,
            generation: 0,
            state: ChildState::Pending,
            last_exit: None,
            instance: None,
            timer: None,
            epoch: 0,
            stopped_tree: None,
        }
    }

    /// Whether each start of the child holds the children after it until
    /// it is ready: a `ready_timeout` until `ctx.ready()`, a job until it
    /// completes, a nested tree until its own children have started (OTP's
    /// synchronous start).
    pub(super) fn gates(&self) -> bool {
        self.policy.limits.ready_timeout.is_some()
            || self.role == TaskRole::Job
            || matches!(self.work, Some(Work::Nested(_)))
    }

    /// Takes the policies of `child` for the decisions to come: the exit
    /// policy, the deadlines of the next instances and the restart limit
    /// (the restarts counted so far still count). For a nested tree, the
    /// next instances are built from `child`'s tree, which is returned so
    /// that the running instance can take it too.
    pub(super) fn reconfigure(&mut self, child: &ChildSpec) -> Option<SupervisorSpec> {
        let policy = child.effective_policy();
        self.policy = Arc::new(SlotPolicy::of(&policy, self.role));
        self.history.set_limit(policy.restart_limit.value);
        match (&mut self.work, &child.tree) {
            (Some(Work::Nested(stored)), Some(tree)) => {
                stored.clone_from(tree);
                Some((**tree).clone())
            }
            _ => None,
        }
    }

    /// The child this sidecar serves.
    pub(super) fn primary(&self) -> Option<ChildKey> {
        self.ties.as_ref().and_then(|ties| ties.primary)
    }

    /// The sidecars that follow this child, in start order.
    pub(super) fn sidecars(&self) -> &[ChildKey] {
        self.ties.as_ref().map_or(&[], |ties| &ties.sidecars)
    }

    pub(super) fn set_primary(&mut self, primary: Option<ChildKey>) {
        if primary.is_some() || self.ties.is_some() {
            self.ties.get_or_insert_default().primary = primary;
        }
    }

    pub(super) fn add_sidecar(&mut self, sidecar: ChildKey) {
        self.ties.get_or_insert_default().sidecars.push(sidecar);
    }

    pub(super) fn remove_sidecar(&mut self, sidecar: ChildKey) {
        if let Some(ties) = &mut self.ties {
            ties.sidecars.retain(|&key| key != sidecar);
        }
    }

    /// The child's id: the last segment of its path (ids hold no `/`).
    pub(super) fn id(&self) -> &str {
        self.path.rsplit_once('/').map_or(&*self.path, |(_, id)| id)
    }

    /// Whether the child is never restarted, not even with its group.
    pub(super) fn is_temporary(&self) -> bool {
        self.policy.exits.restart == RestartPolicy::Temporary
    }

    /// Whether the child is meant to be running: not stopped for good.
    pub(super) fn is_active(&self) -> bool {
        self.state != ChildState::Stopped
    }

    pub(super) fn is_significant(&self) -> bool {
        self.policy.exits.significant
    }

    pub(super) fn snapshot(&self, holds_later_starts: bool) -> ChildSnapshot {
        ChildSnapshot {
            path: Arc::clone(&self.path),
            role: self.role,
            severity: self.policy.exits.severity,
            state: self.state,
            generation: self.generation,
            restarts: self.generation.saturating_sub(1),
            last_exit: self.last_exit.clone(),
            ready: self
                .instance
                .as_ref()
                .is_some_and(|instance| instance.ctx.signals().is_ready()),
            holds_later_starts,
            tree: self.stopped_tree.as_deref().cloned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy_of(spec: &ChildSpec) -> SlotPolicy {
        SlotPolicy::of(&spec.effective_policy(), spec.role)
    }

    #[test]
    fn alike_children_share_one_policy_and_others_get_their_own() {
        let worker = || ChildSpec::without_context("w", TaskRole::Worker, || async {});
        let first = policy_of(&worker()).share(None);
        let second = policy_of(&worker()).share(Some(&first));
        assert!(Arc::ptr_eq(&first, &second));
        let slower = worker().timeout(std::time::Duration::from_secs(5));
        let third = policy_of(&slower).share(Some(&second));
        assert!(!Arc::ptr_eq(&second, &third));
        assert_eq!(
            third.limits.timeout,
            Some(std::time::Duration::from_secs(5))
        );
    }
}
