//! One instance of a child: the task that runs the user's future, watches
//! its deadlines, stops it with grace, and reaps its helpers.

use std::{
    future::{Future, pending, poll_fn},
    pin::Pin,
    sync::Arc,
    task::Poll,
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
    unwind::{CatchUnwind, catch},
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

/// Runs one instance to its end and reports that end to its supervisor.
/// Never panics because of user code.
///
/// Every idle child holds this future for as long as it runs, so its idle
/// state is kept small: the setup and body are read in place (an `async fn`
/// would copy its arguments), the run is made by a plain function, and what
/// only a stop needs (the grace timer, a nested tree's kill) is boxed on the
/// stop's own path.
#[allow(
    clippy::manual_async_fn,
    reason = "an async fn would copy its arguments into its future"
)]
pub(crate) fn run_instance(setup: InstanceSetup, body: Body) -> impl Future<Output = ()> + Send {
    async move {
        let report = EndReport {
            setup: &setup,
            sent: false,
        };
        // The run's locals end with this block: the helpers' reaping after
        // it does not hold them.
        let (exit, aborted) = {
            let (mut running, nested_kill) = match make(&setup, body) {
                Ok(started) => started,
                Err(exit) => {
                    let grace = setup.limits().shutdown;
                    let aborted = match reap_helpers(&setup.ctx, grace, &setup.link.kill) {
                        Some(reaping) => reaping.await,
                        None => false,
                    };
                    return report.send(exit, aborted);
                }
            };
            match watch(&mut running, &setup).await {
                RunEnd::Returned(output) => {
                    running.dispose();
                    (exit_of(output), false)
                }
                end => {
                    let exit = exit_of_stop(end, &setup.ctx);
                    setup.ctx.signals().note_stop_started();
                    setup.ctx.cancel();
                    // Most runs return at their first poll once cancelled:
                    // they cost neither the stop's allocation nor a timer.
                    let returned = may_poll(&setup) && poll_once(&mut running).await;
                    let in_time =
                        returned || Box::pin(stop(&mut running, &setup, nested_kill)).await;
                    (exit, dispose(running, in_time))
                }
            }
        };
        // Helpers share the instance's grace: what the task itself used of
        // it is gone for them too.
        let stop_started = setup.ctx.signals().stop_started();
        let helpers_grace = remaining_grace(setup.limits().shutdown, stop_started);
        let helpers_aborted = match reap_helpers(&setup.ctx, helpers_grace, &setup.link.kill) {
            Some(reaping) => reaping.await,
            None => false,
        };
        report.send(exit, aborted || helpers_aborted);
    }
}

/// Sends the end of an instance to its supervisor exactly once: its exit,
/// or, when the instance's task unwinds or is dropped before it ends, a
/// failure outside the child (a bug in the runtime, never a child's panic).
struct EndReport<'a> {
    setup: &'a InstanceSetup,
    sent: bool,
}

impl EndReport<'_> {
    fn send(mut self, exit: ChildExit, aborted: bool) {
        self.sent = true;
        let _ = self.setup.link.ends.send(self.setup.end(exit, aborted));
    }
}

impl Drop for EndReport<'_> {
    fn drop(&mut self) {
        if self.sent {
            return;
        }
        let message = "child instance task failed outside the child";
        if std::thread::panicking() {
            tracing::error!(path = self.setup.ctx.path(), "{message}");
        }
        let end = self.setup.end(ChildExit::panicked(&message), true);
        let _ = self.setup.link.ends.send(end);
    }
}

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

/// Waits for a cancelled run within the instance's grace. Returns whether
/// it ended in time. A nested tree is never dropped half way: when its grace
/// is out, it is told to abort what is left, and it reports and reaps all
/// of it.
async fn stop(
    running: &mut Running,
    setup: &InstanceSetup,
    nested_kill: Option<CancellationToken>,
) -> bool {
    let in_time = finish_within(running, setup.limits().shutdown, &setup.link.kill).await;
    if let (false, Some(kill)) = (in_time, nested_kill) {
        kill.cancel();
        let _ = running.await;
    }
    in_time
}

/// Whether a cancelled run may be polled again: not under a brutal policy,
/// nor once the supervisor's own grace is out.
fn may_poll(setup: &InstanceSetup) -> bool {
    let grace = setup.limits().shutdown.grace();
    !grace.is_some_and(|grace| grace.is_zero()) && !setup.link.kill.is_cancelled()
}

/// Polls `running` once; whether it returned.
async fn poll_once(running: &mut Running) -> bool {
    poll_fn(|cx| Poll::Ready(Pin::new(&mut *running).poll(cx).is_ready())).await
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

/// Polls the task until it returns or is asked to stop; with deadlines,
/// until it breaks one.
///
/// The task is polled before any waker is registered, so a run that ends at
/// its first poll (a restart loop) costs no registration. Timers are made
/// only for instances that have deadlines, in their own allocation, so that
/// the task of every other instance stays small.
async fn watch(running: &mut Running, setup: &InstanceSetup) -> RunEnd {
    let limits = setup.limits();
    if limits.timeout.is_some() || limits.heartbeat.is_some() || limits.ready_timeout.is_some() {
        return Box::pin(watch_deadlines(running, setup)).await;
    }
    let signals = setup.ctx.signals();
    let mut ready_seen = false;
    poll_fn(move |cx| {
        if signals.stop.is_requested() {
            return Poll::Ready(RunEnd::StopRequested);
        }
        if let Poll::Ready(output) = Pin::new(&mut *running).poll(cx) {
            return Poll::Ready(RunEnd::Returned(output));
        }
        loop {
            match signals.poll_signal(cx, ready_seen) {
                Poll::Ready(Signal::Stop) => return Poll::Ready(RunEnd::StopRequested),
                Poll::Ready(Signal::Ready) => {
                    ready_seen = true;
                    setup.announce_ready();
                }
                Poll::Pending => return Poll::Pending,
            }
        }
    })
    .await
}

/// [`watch`] for an instance with a timeout, heartbeat or ready timeout.
async fn watch_deadlines(running: &mut Running, setup: &InstanceSetup) -> RunEnd {
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

/// The exit of an instance whose linked helper panicked with `message`.
fn helper_exit(message: &str) -> ChildExit {
    ChildExit::panicked(&format_args!("helper panicked: {message}"))
}

async fn sleep_until_some(deadline: Option<Instant>) {
    match deadline {
        Some(deadline) => sleep_until(deadline).await,
        None => pending().await,
    }
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

/// Cancels the instance's helpers and closes their set. Returns nothing
/// when there is none to wait for (most instances), or the future that waits
/// for them within the grace period, then aborts the rest and waits until
/// they are gone; it resolves to whether any had to be aborted.
fn reap_helpers<'a>(
    ctx: &ChildContext,
    policy: ShutdownPolicy,
    kill: &'a CancellationToken,
) -> Option<Pin<Box<impl Future<Output = bool> + Send + 'a>>> {
    ctx.cancel();
    let helpers = ctx.close_helpers().filter(|helpers| !helpers.is_empty())?;
    Some(Box::pin(reap(helpers, policy, kill)))
}

/// [`reap_helpers`] once there are helpers to wait for.
async fn reap(mut helpers: JoinSet<()>, policy: ShutdownPolicy, kill: &CancellationToken) -> bool {
    let drain = Box::pin(async { while helpers.join_next().await.is_some() {} });
    let in_time = within_grace(drain, policy.grace(), kill).await;
    if !in_time {
        helpers.abort_all();
        while helpers.join_next().await.is_some() {}
    }
    !in_time
}
