//! Stopping children one at a time: cancel, wait out the grace, abort.

use std::{sync::Arc, time::Duration};

use tokio::time::Instant;

use super::{instance::InstanceEnd, tree::Tree};
use crate::{ChildShutdown, ChildState, EventKind, StopOutcome, policy::ChildExit};

/// Why children are being stopped: what becomes of one that turns out to
/// have ended on its own just before the stop reached it.
#[derive(Debug, Clone, Copy)]
pub(super) enum StopCause {
    /// They restart with a group, after this delay.
    Restart(Duration),
    /// They stay stopped.
    Stop,
}

impl Tree {
    /// Stops each of `members`, in the order given, each one gone before the
    /// next is cancelled. Returns a report line per child (nested trees'
    /// lines before their supervisor's own).
    pub(super) async fn stop_members(
        &mut self,
        members: impl Iterator<Item = usize>,
        cause: StopCause,
    ) -> Vec<ChildShutdown> {
        let mut lines = Vec::new();
        for index in members {
            self.stop_one(index, cause, &mut lines).await;
        }
        lines
    }

    async fn stop_one(&mut self, index: usize, cause: StopCause, lines: &mut Vec<ChildShutdown>) {
        if let StopCause::Stop = cause {
            // Stopped for good, it no longer holds the start order, nor
            // waits in it.
            self.gates.remove(&index);
            self.pending.remove(&index);
        }
        let Some(slot) = self.slot_mut(index) else {
            return;
        };
        // Any restart scheduled for the child is now out of date.
        slot.epoch += 1;
        let started = Instant::now();
        let path = Arc::clone(&slot.path);
        let Some(instance) = slot.instance.as_ref() else {
            slot.state = ChildState::Stopped;
            if let Some(key) = slot.timer.take() {
                self.timers.try_remove(&key);
            }
            lines.push(line(path, StopOutcome::AlreadyStopped, started));
            return;
        };
        instance.ctx.cancel();
        slot.state = ChildState::Stopping;
        let nested = instance.nested.clone();
        let end = self.await_exit(index).await;
        if let Some(nested) = nested {
            lines.extend(nested.finished().await.report.children.iter().cloned());
        }
        let Some(slot) = self.slot_mut(index) else {
            return;
        };
        slot.instance = None;
        slot.state = ChildState::Stopped;
        slot.last_exit = Some(end.exit.clone());
        let outcome = if end.aborted {
            tracing::warn!(path = %slot.path, "child ignored cancellation and was aborted");
            self.emit_for(index, EventKind::Aborted);
            StopOutcome::Aborted
        } else {
            StopOutcome::ExitedInTime
        };
        let ended_on_its_own = end.exit != ChildExit::Cancelled;
        self.emit_for(index, EventKind::Exited { exit: end.exit });
        if ended_on_its_own {
            // It ended before the stop reached it; what the stop is for is
            // its outcome.
            let outcome = match cause {
                StopCause::Restart(delay) => EventKind::RestartScheduled { delay },
                StopCause::Stop => EventKind::Stopped {
                    reason: crate::policy::StopReason::Stopped,
                },
            };
            self.emit_for(index, outcome);
        }
        lines.push(line(path, outcome, started));
    }

    /// Waits for the end of `index`'s instance; other instances that end
    /// meanwhile are kept for the main loop.
    async fn await_exit(&mut self, index: usize) -> InstanceEnd {
        if let Some(at) = self.deferred.iter().position(|end| end.index == index) {
            if let Some(end) = self.deferred.remove(at) {
                return end;
            }
        }
        while let Some(joined) = self.running.join_next_with_id().await {
            let end = self.end_of(joined);
            if end.index == index {
                return end;
            }
            self.deferred.push_back(end);
        }
        let generation = self.slot(index).map_or(0, |slot| slot.generation);
        InstanceEnd {
            index,
            generation,
            exit: ChildExit::Cancelled,
            aborted: false,
        }
    }
}

fn line(path: Arc<str>, outcome: StopOutcome, started: Instant) -> ChildShutdown {
    ChildShutdown {
        path,
        outcome,
        took: started.elapsed(),
    }
}
