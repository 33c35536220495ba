//! The task that runs one supervisor: it starts children in order, decides
//! what happens after each exit, and stops everything in reverse order.

use std::{
    collections::VecDeque,
    future::{Future, poll_fn},
    pin::Pin,
    sync::Arc,
    task::{Context, Poll, Waker},
    time::Duration,
};

use tokio::{
    sync::{mpsc, watch},
    time::Instant,
};
use tokio_util::{
    sync::{CancellationToken, WaitForCancellationFutureOwned},
    task::AbortOnDropHandle,
    time::DelayQueue,
};
use tracing::Instrument;

use super::{
    SupervisorHandle,
    handle::{Command, Finished},
    instance::{Body, InstanceEnd, InstanceSetup, InstanceTask, Link, ReadyNotice},
    slot::{Instance, Slot, Work},
    start_queue::StartQueue,
    stopping::StopCause,
    table::{ChildKey, Table},
};
use crate::{
    context::{ChildContext, StopSignal},
    event::EventBus,
    event::EventKind,
    policy::{self, ChildExit, Decision, JitterRng, RestartWindow, StopReason},
    runtime::TreeError,
    shutdown_report::StopOutcome,
    snapshot::ChildState,
    spec::{AutoShutdown, Strategy, SupervisorSpec},
    task::TaskFuture,
};

/// A delayed action.
///
/// Each member carries the epoch of its slot when the restart was
/// scheduled; a member stopped or rescheduled since has moved on to a later
/// epoch, and the stale timer leaves it alone.
pub(super) enum Timer {
    /// Start this child again, on its own.
    Restart { key: ChildKey, epoch: u64 },
    /// Start these children again, in this (start) order.
    RestartGroup(Vec<(ChildKey, u64)>),
}

/// What woke the supervisor up.
enum Wake {
    Stop,
    Ended(InstanceEnd),
    Ready(ReadyNotice),
    Command(Command),
    Timer(Timer),
}

/// The supervisor's stop token, watched across the loop's wake-ups.
///
/// Polling the token's future takes the lock of its waiter list each time,
/// and the loop goes idle once per event. So the future is polled only when
/// the waker it registered is not the current one; otherwise a look at the
/// token is enough, since the registration still wakes the loop.
struct StopWatch {
    token: CancellationToken,
    stopped: Pin<Box<WaitForCancellationFutureOwned>>,
    registered: Option<Waker>,
}

impl StopWatch {
    fn new(token: CancellationToken) -> Self {
        StopWatch {
            stopped: Box::pin(token.clone().cancelled_owned()),
            token,
            registered: None,
        }
    }

    fn is_cancelled(&self) -> bool {
        self.token.is_cancelled()
    }

    /// Resolves once the token is cancelled.
    fn poll(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        if let Some(waker) = &self.registered {
            if waker.will_wake(cx.waker()) {
                return match self.is_cancelled() {
                    true => Poll::Ready(()),
                    false => Poll::Pending,
                };
            }
        }
        let polled = self.stopped.as_mut().poll(cx);
        if polled.is_pending() {
            self.registered = Some(cx.waker().clone());
        }
        polled
    }
}

/// One supervisor's state, owned by the task that runs it.
pub(crate) struct SupervisorLoop {
    pub(super) path: Arc<str>,
    pub(super) generation: u64,
    pub(super) strategy: Strategy,
    pub(super) auto_shutdown: AutoShutdown,
    pub(super) seed: u64,
    pub(super) table: Table,
    pub(super) window: RestartWindow,
    pub(super) timers: DelayQueue<Timer>,
    /// Children waiting to start, and those holding the start order.
    pub(super) starts: StartQueue,
    pub(super) deferred: VecDeque<InstanceEnd>,
    /// Shared with every instance: where they report, and the kill token.
    link: Arc<Link>,
    /// The end of every instance, each sent once by the instance itself.
    pub(super) ends: mpsc::UnboundedReceiver<InstanceEnd>,
    notices: mpsc::UnboundedReceiver<ReadyNotice>,
    commands: mpsc::UnboundedReceiver<Command>,
    /// The supervisor's stop token, watched across wake-ups so that waiting
    /// for it registers once, not at every turn of the loop.
    stopped: StopWatch,
    pub(super) bus: Arc<EventBus>,
    finished: watch::Sender<Option<Arc<Finished>>>,
    pub(super) escalation: Option<TreeError>,
    pub(super) auto_stop: bool,
    /// For a nested supervisor: its own context, marked ready once every
    /// child has started.
    parent_ctx: Option<ChildContext>,
    /// The root supervisor's stop token, which any instance of the tree
    /// may cancel through `ChildContext::request_shutdown`.
    root_stop: CancellationToken,
    /// The `supervisor` span (INFO): the parent of every `child` span of
    /// this tree, the first ones included.
    pub(super) span: tracing::Span,
}

impl SupervisorLoop {
    /// Builds a supervisor and its handle; nothing runs until [`SupervisorLoop::run`].
    pub(crate) fn prepare(
        spec: SupervisorSpec,
        path: Arc<str>,
        stop: CancellationToken,
        kill: CancellationToken,
        bus: Arc<EventBus>,
        seed: u64,
    ) -> (SupervisorHandle, SupervisorLoop) {
        let (commands_tx, commands) = mpsc::unbounded_channel();
        let (notices_tx, notices) = mpsc::unbounded_channel();
        let (ends_tx, ends) = mpsc::unbounded_channel();
        // `kill` is cancelled when the grace of this supervisor itself runs
        // out: every instance under it then stops at once.
        let link = Arc::new(Link {
            notices: notices_tx,
            ends: ends_tx,
            kill,
        });
        let (finished, finished_rx) = watch::channel(None);
        let handle = SupervisorHandle::new(
            Arc::clone(&path),
            commands_tx,
            stop.clone(),
            bus.source(),
            finished_rx,
        );
        let seed = spec.jitter_seed.unwrap_or(seed);
        let mut tree = SupervisorLoop {
            path,
            generation: 1,
            strategy: spec.strategy,
            auto_shutdown: spec.auto_shutdown,
            seed,
            table: Table::with_capacity(spec.children.len()),
            window: RestartWindow::new(spec.restart_limit),
            timers: DelayQueue::new(),
            starts: StartQueue::default(),
            deferred: VecDeque::new(),
            link,
            ends,
            notices,
            commands,
            stopped: StopWatch::new(stop.clone()),
            bus,
            finished,
            escalation: None,
            auto_stop: false,
            parent_ctx: None,
            root_stop: stop.clone(),
            span: tracing::Span::none(),
        };
        for child in spec.children {
            tree.insert(child);
        }
        (handle, tree)
    }

    /// Builds a nested supervisor that runs as the task of a child instance.
    fn nested(
        spec: SupervisorSpec,
        ctx: ChildContext,
        kill: CancellationToken,
        bus: Arc<EventBus>,
        seed: u64,
        parent_span: &tracing::Span,
    ) -> (SupervisorHandle, TaskFuture) {
        let path = Arc::from(ctx.path());
        let stop = ctx.stop_token();
        let (handle, mut tree) = SupervisorLoop::prepare(spec, path, stop, kill, bus, seed);
        tree.generation = ctx.generation();
        tree.root_stop = ctx.shutdown_token();
        tree.parent_ctx = Some(ctx);
        tree.span = tracing::info_span!(parent: parent_span, "supervisor", path = %tree.path);
        let span = tree.span.clone();
        let run = async move { tree.run().await.map_err(Into::into) }.instrument(span);
        (handle, Box::pin(run))
    }

    /// Adds a child at the end of the start order, queued to start.
    pub(super) fn insert(&mut self, spec: crate::spec::ChildSpec) -> ChildKey {
        let rank = self.table.next_rank();
        let rng = JitterRng::derive(self.seed, rank);
        let primary = spec.primary.as_deref().and_then(|id| self.table.key_of(id));
        let like = self.table.last().map(|last| &last.policy);
        let mut slot = Slot::new(spec, &self.path, rng, rank, like);
        slot.set_primary(primary);
        let key = self.table.insert(slot);
        if let Some(primary) = primary.and_then(|primary| self.table.get_mut(primary)) {
            primary.add_sidecar(key);
        }
        self.starts.enqueue(key);
        key
    }

    pub(super) fn slot(&self, key: ChildKey) -> Option<&Slot> {
        self.table.get(key)
    }

    pub(super) fn slot_mut(&mut self, key: ChildKey) -> Option<&mut Slot> {
        self.table.get_mut(key)
    }

    pub(super) fn emit_for(&self, key: ChildKey, kind: EventKind) {
        if let Some(slot) = self.slot(key) {
            self.bus.emit(&slot.path, slot.generation, kind);
        }
    }

    /// [`SupervisorLoop::emit_for`] an event that happened `at`.
    fn emit_for_at(&self, key: ChildKey, kind: EventKind, at: Instant) {
        if let Some(slot) = self.slot(key) {
            self.bus.emit_at(&slot.path, slot.generation, kind, at);
        }
    }

    pub(super) fn emit_own(&self, kind: EventKind) {
        self.bus.emit(&self.path, self.generation, kind);
    }

    /// Runs the supervisor until it is shut down, escalates, or shuts itself
    /// down; then stops every child and publishes the report.
    pub(crate) async fn run(mut self) -> Result<(), TreeError> {
        self.pump_starts();
        while self.escalation.is_none() && !self.auto_stop {
            if let Some(end) = self.deferred.pop_front() {
                self.on_exit(end).await;
                continue;
            }
            match self.next_wake().await {
                Wake::Stop => break,
                Wake::Ended(end) => self.on_exit(end).await,
                Wake::Ready(notice) => self.on_ready(notice),
                Wake::Command(command) => self.on_command(command).await,
                Wake::Timer(timer) => self.on_timer(timer),
            }
        }
        self.finish().await
    }

    async fn next_wake(&mut self) -> Wake {
        tokio::select! {
            biased;
            () = poll_fn(|cx| self.stopped.poll(cx)) => Wake::Stop,
            Some(end) = self.ends.recv() => Wake::Ended(end),
            Some(notice) = self.notices.recv() => Wake::Ready(notice),
            Some(command) = self.commands.recv() => Wake::Command(command),
            Some(expired) = poll_fn(|cx| self.timers.poll_expired(cx)), if !self.timers.is_empty() => {
                Wake::Timer(expired.into_inner())
            }
        }
    }

    /// Starts pending children in start order. A gate (a child that holds
    /// the start order, see [`Slot::gates`]) holds every pending child after
    /// it; those before it start.
    ///
    /// Whether the supervisor is stopping (a lock on its stop token) is asked
    /// once per start, and at the end only by a nested supervisor.
    pub(crate) fn pump_starts(&mut self) {
        while let Some(key) = self.starts.take_next() {
            // A stopping supervisor starts nothing more; it empties the
            // queue when it finishes.
            if self.is_stopping() {
                return;
            }
            if self
                .slot(key)
                .is_some_and(|slot| slot.state == ChildState::Pending)
            {
                self.spawn_instance(key);
            }
        }
        if let Some(ctx) = &self.parent_ctx {
            if self.starts.is_done() && !self.is_stopping() {
                ctx.ready();
            }
        }
    }

    /// Restarts a child that restarts on its own (no group, no sidecars):
    /// it waits for no sibling.
    fn start_alone(&mut self, key: ChildKey) {
        let backing_off = self
            .slot(key)
            .is_some_and(|slot| slot.state == ChildState::BackingOff);
        if backing_off && !self.is_stopping() {
            self.spawn_instance(key);
        }
    }

    pub(super) fn is_stopping(&self) -> bool {
        self.stopped.is_cancelled() || self.escalation.is_some() || self.auto_stop
    }

    fn spawn_instance(&mut self, key: ChildKey) {
        let link = Arc::clone(&self.link);
        let root_stop = self.root_stop.clone();
        let Some(slot) = self.table.get_mut(key) else {
            return;
        };
        let now = Instant::now();
        slot.begin_start(now);
        let ctx = ChildContext::started_at(
            Arc::clone(&slot.path),
            slot.generation,
            StopSignal::new(),
            root_stop,
            now,
        );
        let span = tracing::info_span!(
            parent: &self.span,
            "child",
            path = %slot.path,
            role = %slot.role,
            generation = slot.generation,
        );
        let (body, nested) = match &slot.work {
            Some(Work::Nested(tree)) => {
                let nested_seed = JitterRng::derive(self.seed, key.rank).next_u64();
                let nested_kill = link.kill.child_token();
                let spec = (**tree).clone();
                let (handle, run) = SupervisorLoop::nested(
                    spec,
                    ctx.clone(),
                    nested_kill.clone(),
                    Arc::clone(&self.bus),
                    nested_seed,
                    &span,
                );
                (Body::Nested(run, nested_kill), Some(handle))
            }
            Some(Work::Task(factory)) => (Body::Task(factory.clone()), None),
            None => return,
        };
        let setup = InstanceSetup {
            key,
            ctx: ctx.clone(),
            policy: Arc::clone(&slot.policy),
            link,
        };
        let task = AbortOnDropHandle::new(tokio::spawn(InstanceTask::new(setup, body, span)));
        let gates = slot.started(Instance { ctx, task, nested });
        tracing::debug!(path = %slot.path, generation = slot.generation, "child started");
        if gates {
            self.starts.hold(key);
        }
        self.emit_for_at(key, EventKind::Started, now);
    }

    fn on_ready(&mut self, notice: ReadyNotice) {
        let ReadyNotice { key, generation } = notice;
        let Some(opens_gate) = self
            .slot_mut(key)
            .and_then(|slot| slot.mark_ready(generation))
        else {
            return;
        };
        self.emit_for(key, EventKind::Ready);
        if opens_gate && self.starts.release(key) {
            self.pump_starts();
        }
    }

    fn on_timer(&mut self, timer: Timer) {
        let current = |tree: &Self, key: ChildKey, epoch: u64| {
            tree.slot(key).is_some_and(|slot| slot.epoch == epoch)
        };
        match timer {
            Timer::Restart { key, epoch } => {
                if self
                    .slot_mut(key)
                    .is_some_and(|slot| slot.timer_fired(epoch))
                {
                    self.start_alone(key);
                }
            }
            Timer::RestartGroup(members) => {
                let members: Vec<ChildKey> = members
                    .into_iter()
                    .filter(|&(key, epoch)| current(self, key, epoch))
                    .map(|(key, _)| key)
                    .collect();
                self.enqueue(&members, ChildState::BackingOff);
                self.pump_starts();
            }
        }
    }

    /// Makes `members` that are in state `from` pending, to start in order.
    pub(super) fn enqueue(&mut self, members: &[ChildKey], from: ChildState) {
        for &key in members {
            if self.slot_mut(key).is_some_and(|slot| slot.enqueue(from)) {
                self.starts.enqueue(key);
            }
        }
    }

    /// Handles the end of an instance that was not stopped by its supervisor.
    async fn on_exit(&mut self, end: InstanceEnd) {
        let InstanceEnd {
            key,
            generation,
            exit,
            aborted,
        } = end;
        let Some(slot) = self.table.get_mut(key) else {
            return;
        };
        if !slot.end_instance(generation) {
            return;
        }
        log_exit(&slot.path, generation, &exit);
        if aborted {
            tracing::warn!(path = %slot.path, generation, "child ignored cancellation and was aborted");
            self.emit_for(key, EventKind::Aborted);
        }
        let Some(slot) = self.table.get_mut(key) else {
            return;
        };
        let now = Instant::now();
        let decision = policy::decide(
            &slot.policy.exits,
            &mut slot.history,
            &mut self.window,
            &exit,
            now,
        );
        if self.bus.is_observed() {
            let kind = EventKind::Exited { exit: exit.clone() };
            self.bus.emit_at(&slot.path, generation, kind, now);
        }
        slot.last_exit = Some(exit);
        match decision {
            Decision::Restart { delay } => self.restart_after(key, delay).await,
            Decision::Rerun { after } => self.rerun_after(key, after),
            Decision::Stop(reason) => self.settle(key, reason).await,
            Decision::Escalate(reason) => self.escalate(key, reason),
        }
        self.pump_starts();
    }

    fn escalate(&mut self, key: ChildKey, reason: policy::EscalationReason) {
        let child = self
            .slot(key)
            .map_or_else(|| Arc::clone(&self.path), |slot| Arc::clone(&slot.path));
        tracing::error!(supervisor = %self.path, child = %child, %reason, "supervisor escalates");
        self.emit_own(EventKind::Escalated {
            child: Arc::clone(&child),
            reason,
        });
        self.escalation = Some(TreeError {
            supervisor: Arc::clone(&self.path),
            child,
            reason,
        });
    }

    /// Restarts `key` after `delay`, with the siblings the strategy (and
    /// its sidecars) tie to it: those are stopped first, in reverse order,
    /// and each follows its own restart policy (a temporary one stays
    /// stopped, as in OTP). A child that restarts alone waits for no
    /// sibling; a group starts in order, behind any sibling that holds the
    /// start order.
    async fn restart_after(&mut self, key: ChildKey, delay: Duration) {
        let mut group = self.restart_group(key);
        if !group.is_empty() {
            let temporary: Vec<ChildKey> = group
                .iter()
                .copied()
                .filter(|&member| {
                    self.slot(member)
                        .is_some_and(|slot| slot.is_temporary() && slot.instance.is_some())
                })
                .collect();
            let cause = StopCause::Restart(delay);
            self.stop_members(group.iter().rev().copied(), cause).await;
            group.retain(|member| !temporary.contains(member));
        }
        if let Some(slot) = self.slot(key) {
            tracing::info!(path = %slot.path, ?delay, "child restarts");
        }
        self.emit_for(key, EventKind::RestartScheduled { delay });
        if group.is_empty() {
            self.schedule_alone(key, delay);
            return;
        }
        group.push(key);
        group.sort_unstable();
        let mut members = Vec::with_capacity(group.len());
        for &member in &group {
            if let Some(slot) = self.slot_mut(member) {
                members.push((member, slot.schedule_restart()));
            }
        }
        if delay.is_zero() {
            self.enqueue(&group, ChildState::BackingOff);
        } else {
            let timer = Timer::RestartGroup(members);
            self.timers.insert(timer, timer_delay(delay));
        }
    }

    /// Starts `key` again on its own after `delay`.
    fn schedule_alone(&mut self, key: ChildKey, delay: Duration) {
        let Some(slot) = self.slot_mut(key) else {
            return;
        };
        let epoch = slot.schedule_restart();
        if delay.is_zero() {
            self.start_alone(key);
        } else {
            let timer = Timer::Restart { key, epoch };
            let timer = self.timers.insert(timer, timer_delay(delay));
            if let Some(slot) = self.slot_mut(key) {
                slot.timer = Some(timer);
            }
        }
    }

    /// Runs a periodic job again after its period, on its own: its run
    /// ended well, so it no longer holds the start order, and no sibling
    /// follows it.
    fn rerun_after(&mut self, key: ChildKey, after: Duration) {
        self.starts.release(key);
        if let Some(slot) = self.slot(key) {
            tracing::info!(path = %slot.path, ?after, "periodic job runs again");
        }
        self.emit_for(key, EventKind::RestartScheduled { delay: after });
        self.schedule_alone(key, after);
    }

    /// The active siblings that restart with `key` (not `key` itself), in
    /// start order: [`policy::restart_group`] over this table.
    fn restart_group(&self, key: ChildKey) -> Vec<ChildKey> {
        let Some(slot) = self.slot(key) else {
            return Vec::new();
        };
        let active = |member: &ChildKey| self.slot(*member).is_some_and(Slot::is_active);
        let siblings: Vec<ChildKey> = match self.strategy {
            Strategy::OneForOne => Vec::new(),
            Strategy::OneForAll => self.table.keys().filter(active).collect(),
            Strategy::RestForOne => self.table.keys_after(key).filter(active).collect(),
        };
        let sidecars: Vec<ChildKey> = slot.sidecars().iter().copied().filter(active).collect();
        policy::restart_group(self.strategy, key, &siblings, &sidecars)
    }

    /// Leaves `key` stopped for `reason`; its sidecars stop with it, and a
    /// significant child may stop the supervisor.
    async fn settle(&mut self, key: ChildKey, reason: StopReason) {
        let Some(slot) = self.slot_mut(key) else {
            return;
        };
        slot.settle();
        let sidecars = slot.sidecars().to_vec();
        let significant = slot.is_significant();
        tracing::info!(path = %slot.path, ?reason, "child stays stopped");
        self.emit_for(key, EventKind::Stopped { reason });
        self.starts.release(key);
        self.stop_members(sidecars.into_iter().rev(), StopCause::Stop)
            .await;
        if significant && reason != StopReason::Stopped {
            self.auto_stop = match self.auto_shutdown {
                AutoShutdown::Never => false,
                AutoShutdown::AnySignificant => true,
                AutoShutdown::AllSignificant => !self
                    .table
                    .iter()
                    .any(|(_, slot)| slot.is_significant() && slot.is_active()),
            };
        }
    }

    /// Stops every child in reverse start order and publishes the report
    /// and the final snapshot.
    async fn finish(mut self) -> Result<(), TreeError> {
        let started = Instant::now();
        if self.escalation.is_none() {
            self.emit_own(EventKind::ShutdownStarted);
        }
        tracing::info!(children = self.table.len(), "shutdown started");
        self.timers.clear();
        self.starts.clear();
        let order: Vec<ChildKey> = self.table.keys().rev().collect();
        let children = self.stop_members(order.into_iter(), StopCause::Stop).await;
        let outcome = match self.escalation.take() {
            Some(error) => Err(error),
            None => Ok(()),
        };
        self.emit_own(EventKind::SupervisorStopped {
            clean: outcome.is_ok(),
        });
        let report = crate::shutdown_report::ShutdownReport {
            children,
            took: started.elapsed(),
            clean: outcome.is_ok(),
        };
        tracing::info!(
            took = %crate::spec::duration::format(report.took),
            clean = report.is_clean(),
            aborted = report
                .children
                .iter()
                .filter(|child| child.outcome == StopOutcome::Aborted)
                .count(),
            "shutdown finished"
        );
        let snapshot = self.final_snapshot();
        let finished = Arc::new(Finished {
            report,
            outcome: outcome.clone(),
            snapshot,
        });
        self.finished.send_replace(Some(finished));
        outcome
    }
}

/// The longest delay a restart timer takes: a year. The timer wheel holds
/// about two years at most; a longer backoff means "not for a very long
/// time" and is served as that rather than taking the supervisor down.
const LONGEST_TIMER: Duration = Duration::from_secs(365 * 24 * 60 * 60);

fn timer_delay(delay: Duration) -> Duration {
    delay.min(LONGEST_TIMER)
}

fn log_exit(path: &str, generation: u64, exit: &ChildExit) {
    match exit {
        ChildExit::Completed => tracing::info!(%path, generation, "child completed"),
        ChildExit::Cancelled => tracing::debug!(%path, generation, "child stopped"),
        other => tracing::info!(%path, generation, exit = %other, "child failed"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::counting_waker::counting;

    #[test]
    fn the_stop_watch_wakes_the_waker_it_last_registered_and_resolves_on_cancel() {
        let token = CancellationToken::new();
        let mut watch = StopWatch::new(token.clone());
        let mut poll = |waker: &Waker| watch.poll(&mut Context::from_waker(waker));
        let (first, first_waker) = counting();
        let (second, second_waker) = counting();
        assert!(poll(&first_waker).is_pending());
        assert!(poll(&first_waker).is_pending());
        // Another waker takes the registration over.
        assert!(poll(&second_waker).is_pending());
        token.cancel();
        assert_eq!((first.count(), second.count()), (0, 1));
        assert!(poll(&second_waker).is_ready());
        assert!(poll(&first_waker).is_ready());
    }
}
