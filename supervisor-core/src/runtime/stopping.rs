//! Stopping children one at a time: cancel, wait out the grace, abort.

use std::{sync::Arc, time::Duration};

use tokio::time::Instant;

use super::{
    instance::InstanceEnd, life_cycle::StopStart, supervisor_loop::SupervisorLoop, table::ChildKey,
};
use crate::{
    event::EventKind,
    policy::{ChildExit, StopReason},
    shutdown_report::{ChildShutdown, StopOutcome},
};

/// Why children are being stopped: what becomes of one that turns out to
/// have ended on its own just before the stop reached it.
#[derive(Debug, Clone, Copy)]
pub(super) enum StopCause {
    /// They restart with a group, after this delay, each by its own
    /// restart policy: a temporary one stays stopped.
    Restart(Duration),
    /// An operator restarts them (`restart_child`): every one starts again.
    Operator,
    /// They stay stopped.
    Stop,
}

impl SupervisorLoop {
    /// Stops each of `members`, in the order given, each one gone before the
    /// next is cancelled. Returns a report line per child (nested trees'
    /// lines before their supervisor's own).
    pub(super) async fn stop_members(
        &mut self,
        members: impl Iterator<Item = ChildKey>,
        cause: StopCause,
    ) -> Vec<ChildShutdown> {
        let mut lines = Vec::new();
        for key in members {
            self.stop_one(key, cause, &mut lines).await;
        }
        lines
    }

    async fn stop_one(&mut self, key: ChildKey, cause: StopCause, lines: &mut Vec<ChildShutdown>) {
        if let StopCause::Stop = cause {
            // Stopped for good, it no longer holds the start order, nor
            // waits in it.
            self.starts.forget(key);
        }
        let Some(slot) = self.slot_mut(key) else {
            return;
        };
        let started = Instant::now();
        let path = Arc::clone(&slot.path);
        let nested = slot.instance.as_ref().and_then(|i| i.nested.clone());
        if let StopStart::NothingRunning(timer) = slot.begin_stop() {
            if let Some(timer) = timer {
                self.timers.try_remove(&timer);
            }
            lines.push(line(path, StopOutcome::AlreadyStopped, started));
            return;
        }
        let end = self.await_exit(key).await;
        let stopped_tree = match nested {
            Some(nested) => {
                let finished = nested.finished().await;
                lines.extend(finished.report.children.iter().cloned());
                Some(Box::new(finished.snapshot.clone()))
            }
            None => None,
        };
        let Some(slot) = self.slot_mut(key) else {
            return;
        };
        slot.finish_stop(end.exit.clone(), stopped_tree);
        let temporary = slot.is_temporary();
        let outcome = if end.aborted {
            tracing::warn!(path = %slot.path, "child ignored cancellation and was aborted");
            self.emit_for(key, EventKind::Aborted);
            StopOutcome::Aborted
        } else {
            StopOutcome::ExitedInTime
        };
        let ended_on_its_own = end.exit != ChildExit::Cancelled;
        self.emit_for(key, EventKind::Exited { exit: end.exit });
        // What the stop is for is the instance's outcome: a group restart
        // restarts every member but a temporary one (OTP never restarts a
        // temporary child), and a plain stop says why only for an instance
        // that ended on its own before the stop reached it.
        let next = match cause {
            StopCause::Restart(_) if temporary => Some(EventKind::Stopped {
                reason: StopReason::NotRestarted,
            }),
            StopCause::Restart(delay) => Some(EventKind::RestartScheduled { delay }),
            StopCause::Operator => Some(EventKind::RestartScheduled {
                delay: Duration::ZERO,
            }),
            StopCause::Stop if ended_on_its_own => Some(EventKind::Stopped {
                reason: StopReason::Stopped,
            }),
            StopCause::Stop => None,
        };
        if let Some(next) = next {
            self.emit_for(key, next);
        }
        lines.push(line(path, outcome, started));
    }

    /// Waits for the end of `key`'s instance; other instances that end
    /// meanwhile are kept for the main loop.
    async fn await_exit(&mut self, key: ChildKey) -> InstanceEnd {
        if let Some(at) = self.deferred.iter().position(|end| end.key == key) {
            if let Some(end) = self.deferred.remove(at) {
                return end;
            }
        }
        // Every instance sends its end once, and the loop holds a sender:
        // `recv` ends only with the end of `key`'s instance.
        while let Some(end) = self.ends.recv().await {
            if end.key == key {
                return end;
            }
            self.deferred.push_back(end);
        }
        let generation = self.slot(key).map_or(0, |slot| slot.generation);
        InstanceEnd {
            key,
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
