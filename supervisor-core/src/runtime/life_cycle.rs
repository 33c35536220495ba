//! A child's life cycle: every change of its state, generation, epoch and
//! instance, each a named transition of its [`Slot`].
//!
//! ```text
//!            enqueue            begin_start + started           end_instance
//! BackingOff ───────▶ Pending ─────────────────────▶ Starting ─┬─▶ (decision)
//!     ▲                  ▲                              │ ready │
//!     │                  │ enqueue (group)              ▼       │
//!     └── schedule_restart ◀──────────────────────── Running ──┘
//!                                                       │ begin_stop
//!                                    settle             ▼
//!                     Stopped ◀──────────────────── Stopping ── finish_stop ─▶ Stopped
//! ```
//!
//! The supervisor loop decides *when* (the policy engine, the strategy, the
//! start queue); these methods say *what changes* and return what the loop
//! must do next. The invariants the loop relies on are asserted after each
//! transition in debug builds:
//!
//! - `Starting`, `Running` and `Stopping` have an instance; `Pending`,
//!   `BackingOff` and `Stopped` have none.
//! - A restart timer exists only while `BackingOff`.
//! - The generation counts the instances started, from 1.
//!
//! The epoch moves on whenever a restart is scheduled or a stop begins, so a
//! timer set before knows it is out of date; a generation tells an instance
//! that ended from the one that runs now.

use tokio::time::Instant;
use tokio_util::time::delay_queue;

use super::slot::{Instance, Slot};
use crate::{
    policy::ChildExit,
    snapshot::{ChildState, TreeSnapshot},
    spec::TaskRole,
};

/// What [`Slot::begin_stop`] found.
pub(super) enum StopStart {
    /// No instance ran: the child is now stopped; the restart timer it had,
    /// if any, is to be removed.
    NothingRunning(Option<delay_queue::Key>),
    /// The instance is cancelled and must be awaited.
    Cancelled,
}

impl Slot {
    /// Begins a new instance at `now`: the next generation. The caller
    /// spawns the instance and hands it to [`started`](Self::started).
    pub(super) fn begin_start(&mut self, now: Instant) {
        debug_assert!(
            self.instance.is_none(),
            "{}: started while an instance runs",
            self.path
        );
        self.generation += 1;
        self.stopped_tree = None;
        self.history.record_start(now);
    }

    /// The instance began by [`begin_start`](Self::begin_start) runs.
    /// Returns whether it holds the children after it (see
    /// [`Slot::gates`]).
    pub(super) fn started(&mut self, instance: Instance) -> bool {
        self.instance = Some(instance);
        self.state = if self.policy.limits.ready_timeout.is_some() {
            ChildState::Starting
        } else {
            ChildState::Running
        };
        self.check();
        self.gates()
    }

    /// The instance of `generation` called `ready()`. Returns `None` when
    /// that instance is gone (a notice out of date), else whether the
    /// children after it may start now: a job's readiness is its
    /// completion, so its `ready()` opens nothing.
    pub(super) fn mark_ready(&mut self, generation: u64) -> Option<bool> {
        if self.generation != generation || self.instance.is_none() {
            return None;
        }
        if self.state == ChildState::Starting {
            self.state = ChildState::Running;
        }
        self.check();
        Some(self.role != TaskRole::Job)
    }

    /// The instance of `generation` ended on its own. Returns whether that
    /// is the current instance (and not one already stopped and accounted
    /// for); if so the child now has no instance, and keeps its state only
    /// until the transition the policy's decision leads to
    /// ([`schedule_restart`](Self::schedule_restart),
    /// [`settle`](Self::settle), or [`begin_stop`](Self::begin_stop) when
    /// the supervisor escalates).
    pub(super) fn end_instance(&mut self, generation: u64) -> bool {
        self.generation == generation && self.instance.take().is_some()
    }

    /// Waits to start again: `BackingOff`, under a new epoch, which it
    /// returns for the timer that ends the wait.
    pub(super) fn schedule_restart(&mut self) -> u64 {
        debug_assert!(
            self.instance.is_none(),
            "{}: a restart scheduled while an instance runs",
            self.path
        );
        self.state = ChildState::BackingOff;
        self.epoch += 1;
        self.check();
        self.epoch
    }

    /// The restart timer set under `epoch` fired. Returns whether it is
    /// still the child's current timer.
    pub(super) fn timer_fired(&mut self, epoch: u64) -> bool {
        let current = self.epoch == epoch;
        if current {
            self.timer = None;
        }
        current
    }

    /// Queues the child to start in order if it is in state `from`.
    /// Returns whether it was.
    pub(super) fn enqueue(&mut self, from: ChildState) -> bool {
        if self.state != from {
            return false;
        }
        self.state = ChildState::Pending;
        self.check();
        true
    }

    /// Begins to stop the child: a new epoch (any restart scheduled is out
    /// of date), and its instance, if any, cancelled.
    pub(super) fn begin_stop(&mut self) -> StopStart {
        self.epoch += 1;
        let Some(instance) = self.instance.as_ref() else {
            self.state = ChildState::Stopped;
            let timer = self.timer.take();
            self.check();
            return StopStart::NothingRunning(timer);
        };
        instance.ctx.cancel();
        self.state = ChildState::Stopping;
        self.check();
        StopStart::Cancelled
    }

    /// The instance cancelled by [`begin_stop`](Self::begin_stop) has
    /// ended with `exit`; for a nested tree, `tree` is its final state.
    pub(super) fn finish_stop(&mut self, exit: ChildExit, tree: Option<Box<TreeSnapshot>>) {
        self.instance = None;
        self.stopped_tree = tree;
        self.state = ChildState::Stopped;
        self.last_exit = Some(exit);
        self.check();
    }

    /// Stays stopped: its policy does not restart it.
    pub(super) fn settle(&mut self) {
        self.state = ChildState::Stopped;
        self.check();
    }

    /// The invariants of the life cycle (see the module docs), in debug
    /// builds.
    fn check(&self) {
        let runs = matches!(
            self.state,
            ChildState::Starting | ChildState::Running | ChildState::Stopping
        );
        debug_assert_eq!(
            runs,
            self.instance.is_some(),
            "{}: state {:?} with{} an instance",
            self.path,
            self.state,
            if self.instance.is_some() { "" } else { "out" }
        );
        debug_assert!(
            self.timer.is_none() || self.state == ChildState::BackingOff,
            "{}: a restart timer in state {:?}",
            self.path,
            self.state
        );
    }
}
