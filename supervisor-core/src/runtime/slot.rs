//! What a supervisor keeps about each of its children.

use std::sync::Arc;

use tokio_util::time::delay_queue;

use super::{SupervisorHandle, instance::Limits, table::ChildKey};
use crate::{
    context::ChildContext,
    policy::{ChildExit, ChildHistory, JitterRng},
    snapshot::{ChildSnapshot, ChildState, TreeSnapshot},
    spec::{ChildSpec, EffectivePolicy, RestartPolicy, TaskRole},
};

/// A running instance, as its supervisor sees it.
pub(super) struct Instance {
    pub(super) ctx: ChildContext,
    pub(super) task: tokio::task::Id,
    /// For a supervisor child: the handle of the nested tree.
    pub(super) nested: Option<SupervisorHandle>,
}

/// One child: its spec, policy state and current instance.
pub(super) struct Slot {
    /// The child's rank in the start order (see [`ChildKey`]).
    pub(super) rank: u64,
    pub(super) spec: ChildSpec,
    pub(super) policy: EffectivePolicy,
    pub(super) limits: Limits,
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
    /// The sidecars that follow this child, in start order.
    pub(super) sidecars: Vec<ChildKey>,
    /// For a nested tree that has stopped: its final state.
    pub(super) stopped_tree: Option<Box<TreeSnapshot>>,
}

impl Slot {
    pub(super) fn new(spec: ChildSpec, parent: &str, rng: JitterRng, rank: u64) -> Self {
        let policy = spec.effective_policy();
        let limits = Limits {
            timeout: policy.timeout.value,
            heartbeat: policy.heartbeat.value,
            ready_timeout: policy.ready_timeout.value,
            shutdown: policy.shutdown.value,
            ready_on_completion: spec.role == TaskRole::Job,
        };
        let history = ChildHistory::new(&policy, rng);
        Slot {
            rank,
            path: Arc::from([parent, "/", spec.id.as_str()].concat()),
            spec,
            policy,
            limits,
            history,
            generation: 0,
            state: ChildState::Pending,
            last_exit: None,
            instance: None,
            timer: None,
            epoch: 0,
            sidecars: Vec::new(),
            stopped_tree: None,
        }
    }

    /// Whether each start of the child holds the children after it until
    /// it is ready: a `ready_timeout` until `ctx.ready()`, a job until it
    /// completes, a nested tree until its own children have started (OTP's
    /// synchronous start).
    pub(super) fn gates(&self) -> bool {
        self.limits.ready_timeout.is_some()
            || self.spec.role == TaskRole::Job
            || self.spec.tree.is_some()
    }

    /// Whether the child is never restarted, not even with its group.
    pub(super) fn is_temporary(&self) -> bool {
        self.policy.restart.value == RestartPolicy::Temporary
    }

    /// Whether the child is meant to be running: not stopped for good.
    pub(super) fn is_active(&self) -> bool {
        self.state != ChildState::Stopped
    }

    pub(super) fn is_significant(&self) -> bool {
        self.policy.significant.value
    }

    pub(super) fn snapshot(&self, holds_later_starts: bool) -> ChildSnapshot {
        ChildSnapshot {
            path: Arc::clone(&self.path),
            role: self.spec.role,
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
