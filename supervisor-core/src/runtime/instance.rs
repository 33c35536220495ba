//! One instance of a child: the task that runs the user's future, watches
//! its deadlines, stops it with grace, and reaps its helpers.

use std::{
    future::{Future, pending},
    pin::Pin,
    sync::Arc,
    task::{Context, Poll},
    time::Duration,
};

use tokio::{
    sync::mpsc,
    task::JoinSet,
    time::{Instant, sleep_until, timeout},
};
use tokio_util::sync::CancellationToken;

use super::{
    slot::SlotPolicy,
    table::ChildKey,
    unwind::{CatchUnwind, catch, drop_quietly},
};
use crate::{
    context::{ChildContext, Signal},
    policy::ChildExit,
    spec::{EffectivePolicy, ShutdownPolicy, TaskRole},
    task::{TaskFactory, TaskFuture, TaskResult},
};

/// What the instance runs.
pub(crate) enum Body {
    /// A user task, made by its factory inside the instance's own task.
    Task(TaskFactory),
    /// A nested supervisor, ready to run, and the token that cuts its own
    /// shutdown short (every grace under it ends at once).
    Nested(TaskFuture, CancellationToken),
}

/// The deadlines an instance is held to.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Limits {
    pub(crate) timeout: Option<Duration>,
    pub(crate) heartbeat: Option<Duration>,
    pub(crate) ready_timeout: Option<Duration>,
    pub(crate) shutdown: ShutdownPolicy,
    /// A job's readiness is its completion: `ready()` does not meet its
    /// `ready_timeout`.
    pub(crate) ready_on_completion: bool,
}

impl Limits {
    /// The deadlines of `policy` for a child of `role`.
    pub(crate) fn of(policy: &EffectivePolicy, role: TaskRole) -> Self {
        Limits {
            timeout: policy.timeout.value,
            heartbeat: policy.heartbeat.value,
            ready_timeout: policy.ready_timeout.value,
            shutdown: policy.shutdown.value,
            ready_on_completion: role == TaskRole::Job,
        }
    }
}

/// A message from a running instance to its supervisor.
#[derive(Debug)]
pub(crate) struct ReadyNotice {
    pub(crate) key: ChildKey,
    pub(crate) generation: u64,
}

/// What every instance of one supervisor shares with it: where to report,
/// and the token that ends every grace at once.
#[derive(Debug)]
pub(crate) struct Link {
    pub(crate) notices: mpsc::UnboundedSender<ReadyNotice>,
    /// Every instance sends its end here, once.
    pub(crate) ends: mpsc::UnboundedSender<InstanceEnd>,
    /// Cancelled when the supervisor's own grace has run out: the instance
    /// then gets no more time to stop, nor do its helpers.
    pub(crate) kill: CancellationToken,
}

/// Everything an instance needs to run, besides its [`Body`].
#[derive(Clone)]
pub(crate) struct InstanceSetup {
    pub(crate) key: ChildKey,
    pub(crate) ctx: ChildContext,
    /// The child's policy, shared with its slot: the instance reads its
    /// deadlines.
    pub(crate) policy: Arc<SlotPolicy>,
    pub(crate) link: Arc<Link>,
}

impl InstanceSetup {
    /// The end of this instance.
    fn end(&self, exit: ChildExit, aborted: bool) -> InstanceEnd {
        InstanceEnd {
            key: self.key,
            generation: self.ctx.generation(),
            exit,
            aborted,
        }
    }

    fn limits(&self) -> &Limits {
        &self.policy.limits
    }

    /// Tells the supervisor that the instance called `ready()`.
    fn announce_ready(&self) {
        let _ = self.link.notices.send(ReadyNotice {
            key: self.key,
            generation: self.ctx.generation(),
        });
    }
}

/// How an instance ended, as its supervisor learns it.
#[derive(Debug)]
pub(crate) struct InstanceEnd {
    pub(crate) key: ChildKey,
    pub(crate) generation: u64,
    pub(crate) exit: ChildExit,
    /// Whether it had to be aborted after its grace ran out.
    pub(crate) aborted: bool,
}

/// Why the watched run ended.
enum RunEnd {
    Returned(Result<TaskResult, String>),
    Fault(ChildExit),
    StopRequested,
}

type Running = CatchUnwind<TaskFuture>;

/// The run of `body` and, for a nested tree, the token that cuts its own
/// shutdown short; or the exit of a task factory that panicked.
fn make(
    setup: &InstanceSetup,
    body: Body,
) -> Result<(Running, Option<CancellationToken>), ChildExit> {
    match body {
        Body::Task(factory) => match catch(|| factory.make(setup.ctx.clone())) {
            Ok(future) => Ok((CatchUnwind::new(future), None)),
            Err(message) => Err(ChildExit::panicked(&format_args!(
                "task factory panicked: {message}"
            ))),
        },
        Body::Nested(future, kill) => Ok((CatchUnwind::new(future), Some(kill))),
    }
}

/// The exit of a run that was stopped rather than returning.
fn exit_of_stop(end: RunEnd, ctx: &ChildContext) -> ChildExit {
    match end {
        RunEnd::Returned(output) => exit_of(output),
        RunEnd::Fault(exit) => exit,
        // Only the runtime raises the instance's stop request: its
        // supervisor, or a linked helper that panicked.
        RunEnd::StopRequested => match ctx.helper_panic() {
            Some(message) => helper_exit(&message),
            None => ChildExit::Cancelled,
        },
    }
}

/// What is left of `policy`'s grace since the stop began at `since`.
fn remaining_grace(policy: ShutdownPolicy, since: Option<Instant>) -> ShutdownPolicy {
    match (policy, since) {
        (ShutdownPolicy::Timeout(grace), Some(since)) => {
            ShutdownPolicy::Timeout(grace.saturating_sub(since.elapsed()))
        }
        (policy, _) => policy,
    }
}

/// Drops the future and returns whether it was aborted (`!in_time`).
fn dispose(running: Running, in_time: bool) -> bool {
    running.dispose();
    !in_time
}

fn exit_of(output: Result<TaskResult, String>) -> ChildExit {
    match output {
        Ok(Ok(())) => ChildExit::Completed,
        Ok(Err(error)) => ChildExit::failed(&error),
        Err(message) => ChildExit::panicked(&message),
    }
}

/// The exit of an instance whose linked helper panicked with `message`.
fn helper_exit(message: &str) -> ChildExit {
    ChildExit::panicked(&format_args!("helper panicked: {message}"))
}

/// Keeps polling a cancelled task for its grace period. Returns whether it
/// finished in time; a brutal policy gives no time at all.
async fn finish_within(
    running: &mut Running,
    policy: ShutdownPolicy,
    kill: &CancellationToken,
) -> bool {
    if policy.grace().is_some_and(|grace| grace.is_zero()) || kill.is_cancelled() {
        return false;
    }
    within_grace(running, policy.grace(), kill).await
}

/// Runs `work` until it ends (true), or until the grace (if any) runs out or
/// `kill` is cancelled (false).
async fn within_grace<F: Future + Unpin>(
    work: F,
    grace: Option<Duration>,
    kill: &CancellationToken,
) -> bool {
    let limited = async {
        match grace {
            Some(grace) => timeout(grace, work).await.is_ok(),
            None => {
                let _ = work.await;
                true
            }
        }
    };
    tokio::select! {
        biased;
        () = kill.cancelled() => false,
        in_time = limited => in_time,
    }
}

/// Waits for the helpers within the grace period, then aborts the rest and
/// waits until they are gone. Returns whether any had to be aborted.
async fn reap(mut helpers: JoinSet<()>, policy: ShutdownPolicy, kill: CancellationToken) -> bool {
    let drain = Box::pin(async { while helpers.join_next().await.is_some() {} });
    let in_time = within_grace(drain, policy.grace(), &kill).await;
    if !in_time {
        helpers.abort_all();
        while helpers.join_next().await.is_some() {}
    }
    !in_time
}

/// Stops a cancelled run that did not return at once: waits for it within
/// the grace, then, for a nested tree whose grace is out, tells it to abort
/// what is left and waits until it has reported and reaped all of it (it is
/// never dropped half way). Returns whether the run had to be aborted.
async fn stop(
    mut running: Running,
    policy: ShutdownPolicy,
    kill: CancellationToken,
    nested_kill: Option<CancellationToken>,
) -> bool {
    let in_time = finish_within(&mut running, policy, &kill).await;
    if let (false, Some(nested_kill)) = (in_time, nested_kill) {
        nested_kill.cancel();
        let _ = (&mut running).await;
    }
    dispose(running, in_time)
}

/// A boxed future of the stop or the reaping phase, which only some
/// instances reach.
type Phased<T> = Pin<Box<dyn Future<Output = T> + Send>>;

/// Where an instance is in its life.
enum Phase {
    /// Not polled yet.
    Start(Body),
    /// The run, watched for its end, a stop request and `ready()`.
    Watch {
        running: Running,
        nested_kill: Option<CancellationToken>,
        ready_seen: bool,
    },
    /// As `Watch`, for an instance with deadlines: their timers and the run
    /// are in their own allocation.
    WatchDeadlines {
        watching: Phased<(Running, RunEnd)>,
        nested_kill: Option<CancellationToken>,
    },
    /// Cancelled and given its grace.
    Stopping {
        exit: ChildExit,
        stopping: Phased<bool>,
    },
    /// Its helpers are given what is left of the grace.
    Reaping {
        exit: ChildExit,
        aborted: bool,
        reaping: Phased<bool>,
    },
    /// Its end is known: it is sent when the task is dropped, once the
    /// task's span is closed.
    Ended { exit: ChildExit, aborted: bool },
    /// Taken out while a phase is polled, or its end was sent.
    Done,
}

/// The task of one instance: makes the run, watches it, stops it with
/// grace, reaps its helpers, and sends its end to the supervisor exactly
/// once. Never panics because of user code.
///
/// Every idle child holds one for as long as it runs, so it is written out
/// as a small state machine rather than an `async` block, whose layout kept
/// its arguments twice and the locals of every phase side by side: what only
/// a stop, deadlines or helpers need is boxed on their own paths.
///
/// The end is sent from the task's drop, after the run and the task's span
/// are gone, so that nothing of the instance is left when its supervisor
/// learns of the end (tokio drops a task's future as soon as it returns).
/// A task dropped before its end is known (its runtime shut down, or a bug
/// unwound it) sends a failure.
pub(crate) struct InstanceTask {
    setup: InstanceSetup,
    phase: Phase,
    /// Entered at each poll; closed before the end is sent.
    span: tracing::Span,
}

impl InstanceTask {
    pub(crate) fn new(setup: InstanceSetup, body: Body, span: tracing::Span) -> Self {
        InstanceTask {
            setup,
            phase: Phase::Start(body),
            span,
        }
    }
}

impl InstanceSetup {
    /// Moves `phase` on as far as it can go without waiting. Each phase is
    /// taken out while it is polled and put back if it must wait.
    fn step(&self, phase: &mut Phase, cx: &mut Context<'_>) -> Poll<()> {
        loop {
            *phase = match std::mem::replace(phase, Phase::Done) {
                Phase::Start(body) => self.start(body),
                Phase::Watch {
                    mut running,
                    nested_kill,
                    mut ready_seen,
                } => match watch(&mut running, &mut ready_seen, self, cx) {
                    Poll::Ready(end) => self.ended(running, nested_kill, end, cx),
                    Poll::Pending => {
                        *phase = Phase::Watch {
                            running,
                            nested_kill,
                            ready_seen,
                        };
                        return Poll::Pending;
                    }
                },
                Phase::WatchDeadlines {
                    mut watching,
                    nested_kill,
                } => match watching.as_mut().poll(cx) {
                    Poll::Ready((running, end)) => self.ended(running, nested_kill, end, cx),
                    Poll::Pending => {
                        *phase = Phase::WatchDeadlines {
                            watching,
                            nested_kill,
                        };
                        return Poll::Pending;
                    }
                },
                Phase::Stopping { exit, mut stopping } => match stopping.as_mut().poll(cx) {
                    Poll::Ready(aborted) => self.reap(exit, aborted),
                    Poll::Pending => {
                        *phase = Phase::Stopping { exit, stopping };
                        return Poll::Pending;
                    }
                },
                Phase::Reaping {
                    exit,
                    aborted,
                    mut reaping,
                } => match reaping.as_mut().poll(cx) {
                    Poll::Ready(helpers_aborted) => Phase::Ended {
                        exit,
                        aborted: aborted || helpers_aborted,
                    },
                    Poll::Pending => {
                        *phase = Phase::Reaping {
                            exit,
                            aborted,
                            reaping,
                        };
                        return Poll::Pending;
                    }
                },
                done @ (Phase::Ended { .. } | Phase::Done) => {
                    *phase = done;
                    return Poll::Ready(());
                }
            };
        }
    }

    /// Makes the run; a factory that panicked ends the instance at once.
    fn start(&self, body: Body) -> Phase {
        match make(self, body) {
            Ok((running, nested_kill)) if self.limits().has_deadlines() => Phase::WatchDeadlines {
                watching: Box::pin(watch_deadlines(running, self.clone())),
                nested_kill,
            },
            Ok((running, nested_kill)) => Phase::Watch {
                running,
                nested_kill,
                ready_seen: false,
            },
            Err(exit) => self.reap(exit, false),
        }
    }

    /// The watch is over: a run that returned goes on to its helpers; one
    /// that must stop is cancelled and, if it does not return at its next
    /// poll (most do), given its grace.
    fn ended(
        &self,
        mut running: Running,
        nested_kill: Option<CancellationToken>,
        end: RunEnd,
        cx: &mut Context<'_>,
    ) -> Phase {
        if let RunEnd::Returned(output) = end {
            running.dispose();
            return self.reap(exit_of(output), false);
        }
        let exit = exit_of_stop(end, &self.ctx);
        self.ctx.signals().note_stop_started();
        self.ctx.cancel();
        if self.may_poll() && Pin::new(&mut running).poll(cx).is_ready() {
            running.dispose();
            return self.reap(exit, false);
        }
        let (policy, kill) = (self.limits().shutdown, self.link.kill.clone());
        Phase::Stopping {
            exit,
            stopping: Box::pin(stop(running, policy, kill, nested_kill)),
        }
    }

    /// Whether a cancelled run may be polled again: not under a brutal
    /// policy, nor once the supervisor's own grace is out.
    fn may_poll(&self) -> bool {
        let grace = self.limits().shutdown.grace();
        !grace.is_some_and(|grace| grace.is_zero()) && !self.link.kill.is_cancelled()
    }

    /// Closes the helpers; those still running share what is left of the
    /// instance's grace. The end is then known.
    fn reap(&self, exit: ChildExit, aborted: bool) -> Phase {
        self.ctx.cancel();
        match self
            .ctx
            .close_helpers()
            .filter(|helpers| !helpers.is_empty())
        {
            None => Phase::Ended { exit, aborted },
            Some(helpers) => {
                let since = self.ctx.signals().stop_started();
                let grace = remaining_grace(self.limits().shutdown, since);
                Phase::Reaping {
                    exit,
                    aborted,
                    reaping: Box::pin(reap(helpers, grace, self.link.kill.clone())),
                }
            }
        }
    }
}

impl Future for InstanceTask {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let InstanceTask { setup, phase, span } = self.get_mut();
        let _entered = span.enter();
        setup.step(phase, cx)
    }
}

impl Drop for InstanceTask {
    fn drop(&mut self) {
        let (exit, aborted) = match std::mem::replace(&mut self.phase, Phase::Done) {
            Phase::Ended { exit, aborted } => (exit, aborted),
            unfinished => {
                let message = "child instance task failed outside the child";
                if std::thread::panicking() {
                    tracing::error!(path = self.setup.ctx.path(), "{message}");
                }
                // The run goes before the end is sent, even one whose drop
                // panics; its helpers are aborted with it (a helper holding
                // the context would otherwise keep their set alive).
                self.span.in_scope(|| drop_quietly(unfinished));
                self.setup.ctx.cancel();
                drop(self.setup.ctx.close_helpers());
                (ChildExit::panicked(&message), true)
            }
        };
        drop(std::mem::replace(&mut self.span, tracing::Span::none()));
        let _ = self.setup.link.ends.send(self.setup.end(exit, aborted));
    }
}

/// Polls the run until it returns or is asked to stop, and tells the
/// supervisor when it calls `ready()`.
///
/// The run is polled before any waker is registered, so a run that ends at
/// its first poll (a restart loop) costs no registration.
fn watch(
    running: &mut Running,
    ready_seen: &mut bool,
    setup: &InstanceSetup,
    cx: &mut Context<'_>,
) -> Poll<RunEnd> {
    let signals = setup.ctx.signals();
    if signals.stop.is_requested() {
        return Poll::Ready(RunEnd::StopRequested);
    }
    if let Poll::Ready(output) = Pin::new(&mut *running).poll(cx) {
        return Poll::Ready(RunEnd::Returned(output));
    }
    loop {
        match signals.poll_signal(cx, *ready_seen) {
            Poll::Ready(Signal::Stop) => return Poll::Ready(RunEnd::StopRequested),
            Poll::Ready(Signal::Ready) => {
                *ready_seen = true;
                setup.announce_ready();
            }
            Poll::Pending => return Poll::Pending,
        }
    }
}

impl Limits {
    fn has_deadlines(&self) -> bool {
        self.timeout.is_some() || self.heartbeat.is_some() || self.ready_timeout.is_some()
    }
}

/// [`watch`] for an instance with a timeout, heartbeat or ready timeout,
/// until the run breaks one of them. Hands the run back with how the watch
/// ended.
async fn watch_deadlines(mut running: Running, setup: InstanceSetup) -> (Running, RunEnd) {
    let end = watch_with_deadlines(&mut running, &setup).await;
    (running, end)
}

async fn watch_with_deadlines(running: &mut Running, setup: &InstanceSetup) -> RunEnd {
    let (signals, limits) = (setup.ctx.signals(), *setup.limits());
    let started = Instant::now();
    // A deadline too far to be represented is no deadline at all.
    let deadline = limits.timeout.and_then(|limit| started.checked_add(limit));
    let mut ready_deadline = limits
        .ready_timeout
        .and_then(|limit| started.checked_add(limit));
    let mut ready_seen = false;
    loop {
        let beat_due = limits
            .heartbeat
            .and_then(|period| signals.last_beat().checked_add(period));
        tokio::select! {
            biased;
            _ = signals.next_signal(true) => return RunEnd::StopRequested,
            output = &mut *running => return RunEnd::Returned(output),
            () = sleep_until_some(deadline) => return RunEnd::Fault(ChildExit::TimedOut),
            () = sleep_until_some(ready_deadline) => return RunEnd::Fault(ChildExit::NotReady),
            () = sleep_until_some(beat_due) => {
                let period = limits.heartbeat.unwrap_or_default();
                if signals.last_beat().checked_add(period).is_some_and(|due| due <= Instant::now()) {
                    return RunEnd::Fault(ChildExit::MissedHeartbeat);
                }
            }
            signal = signals.next_signal(false), if !ready_seen => match signal {
                Signal::Stop => return RunEnd::StopRequested,
                Signal::Ready => {
                    ready_seen = true;
                    if !limits.ready_on_completion {
                        ready_deadline = None;
                    }
                    setup.announce_ready();
                }
            },
        }
    }
}

async fn sleep_until_some(deadline: Option<Instant>) {
    match deadline {
        Some(deadline) => sleep_until(deadline).await,
        None => pending().await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        context::StopSignal,
        spec::{ChildSpec, TaskRole},
    };

    /// An instance of a worker that runs until dropped, and its supervisor's
    /// end of the ends channel.
    fn instance(ctx: &ChildContext) -> (InstanceTask, mpsc::UnboundedReceiver<InstanceEnd>) {
        let mut spec = ChildSpec::without_context("api", TaskRole::Worker, pending::<()>);
        let policy = spec.effective_policy();
        let factory = spec.take_task_factory().expect("a task");
        let policy = Arc::new(SlotPolicy {
            exits: crate::policy::ExitPolicy::from(&policy),
            limits: Limits::of(&policy, TaskRole::Worker),
        });
        let (ends, ended) = mpsc::unbounded_channel();
        let (notices, _) = mpsc::unbounded_channel();
        let link = Arc::new(Link {
            notices,
            ends,
            kill: CancellationToken::new(),
        });
        let setup = InstanceSetup {
            key: ChildKey { rank: 0, index: 0 },
            ctx: ctx.clone(),
            policy,
            link,
        };
        let task = InstanceTask::new(setup, Body::Task(factory), tracing::Span::none());
        (task, ended)
    }

    #[tokio::test]
    async fn an_instance_dropped_unfinished_aborts_its_helpers_and_reports_a_failure() {
        let ctx = ChildContext::started_at(
            Arc::from("app/api"),
            1,
            StopSignal::new(),
            CancellationToken::new(),
            Instant::now(),
        );
        let (mut task, mut ended) = instance(&ctx);
        let marker = Arc::new(());
        let (held, helper_ctx) = (Arc::clone(&marker), ctx.clone());
        // A helper that ignores the stop and holds the context.
        ctx.spawn(async move {
            let _held = (held, helper_ctx);
            pending::<()>().await;
        });
        assert!(
            std::future::poll_fn(|cx| Poll::Ready(Pin::new(&mut task).poll(cx)))
                .await
                .is_pending()
        );
        drop(task);
        for _ in 0..10 {
            tokio::task::yield_now().await;
        }
        assert_eq!(
            Arc::strong_count(&marker),
            1,
            "the helper outlived its instance"
        );
        let end = ended.try_recv().expect("an end");
        assert!(end.aborted);
        assert!(matches!(end.exit, ChildExit::Panicked(_)), "{:?}", end.exit);
    }

    /// Tokio puts a task's future in a cell aligned to 128 bytes, with 88
    /// bytes of its own besides the future and its stage tag: an instance,
    /// its span included, must stay within 152 bytes for the task of every
    /// idle child to take 256 bytes rather than 384 (`cargo bench --bench
    /// heap_per_child` shows the cell).
    #[test]
    fn an_instance_fits_the_smallest_task_cell_with_its_span() {
        let instance = size_of::<InstanceTask>();
        assert!(instance <= 152, "an instance is {instance} bytes");
    }
}
