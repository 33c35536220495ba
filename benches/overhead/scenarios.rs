//! The measured work, run in a fresh process per repetition: each function
//! returns the figures of one run of one arm.

use std::{
    future::Future,
    io,
    pin::Pin,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use supervisor::{
    BackoffPolicy, BoxError, ChildContext, ChildSpec, EventKind, EventStreamError, RestartLimit,
    Supervisor, SupervisorEvent, SupervisorSpec, TaskRole, policy::ChildExit,
};
use tokio::{
    sync::{Notify, broadcast},
    task::JoinSet,
};
use tokio_util::sync::CancellationToken;

use crate::idle_children::{
    FirstPolls, bare_task, floor_task, spawn_tracked, stop_tracked, supervised_tree,
};

/// Figures of one run, printed as `name value` lines for the parent.
pub(crate) type Figures = Vec<(&'static str, f64)>;

/// How the restarted child ends each run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Exit {
    Error,
    Panic,
}

/// What a scenario's arm runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Arm {
    /// Bare tokio.
    Base,
    /// Bare tokio, with the same events sent through a broadcast channel to a
    /// draining task (restart scenarios).
    BaseEvents,
    /// Bare tokio, one token per task, stopped one at a time in reverse
    /// order (idle scenarios).
    BaseOrdered,
    /// Bare tokio doing the allocations the public API implies: per
    /// restart (restart scenarios), or per idle child (idle scenarios: a
    /// `ChildContext` with its path, and the task's future boxed as a
    /// `TaskFactory` returns it).
    Floor,
    /// Under a supervisor.
    Ours,
    /// Under a supervisor, with a subscriber draining its events.
    OursEvents,
    /// Under a supervisor, with the admin server running and one `/events`
    /// client reading (feature `http`).
    OursAdmin,
}

impl Arm {
    const ALL: [Arm; 7] = [
        Arm::Base,
        Arm::BaseEvents,
        Arm::BaseOrdered,
        Arm::Floor,
        Arm::Ours,
        Arm::OursEvents,
        Arm::OursAdmin,
    ];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Arm::Base => "base",
            Arm::BaseEvents => "base-events",
            Arm::BaseOrdered => "base-ordered",
            Arm::Floor => "floor",
            Arm::Ours => "ours",
            Arm::OursEvents => "events",
            Arm::OursAdmin => "admin",
        }
    }

    pub(crate) fn parse(text: &str) -> Option<Arm> {
        Arm::ALL.into_iter().find(|arm| arm.name() == text)
    }
}

/// Resident set size of this process, in bytes.
pub(crate) fn rss_bytes() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| {
            rest.trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<f64>()
                .ok()
        })
        .map_or(f64::NAN, |kib| kib * 1024.0)
}

/// Runs `driver` as a task on a fresh multi-thread runtime with two workers,
/// so that both arms drive their work from a worker thread.
pub(crate) fn on_runtime<F>(driver: F) -> F::Output
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    runtime.block_on(async { tokio::spawn(driver).await.expect("the driver task") })
}

/// The child's body in both arms.
async fn fail_once(exit: Exit) -> Result<(), io::Error> {
    match exit {
        Exit::Error => Err(io::ErrorKind::ConnectionRefused.into()),
        Exit::Panic => panic!("child failed"),
    }
}

/// Where the restarted child reports how far it got.
#[derive(Default)]
struct Progress {
    /// Set at each sample point (by restart count), in order.
    rss_at: Vec<AtomicU64>,
    done: Notify,
}

/// Restarts `fail_once` until `samples.last()` restarts are done, reading
/// the RSS after each of `samples` restarts. Returns the figures: `secs`
/// (to the last sample), `rss_<k>` per sample, and with events the events
/// seen and lost by the subscriber.
pub(crate) async fn restarts(
    arm: Arm,
    exit: Exit,
    samples: &'static [(&'static str, u64)],
) -> Figures {
    match arm {
        Arm::Ours | Arm::OursEvents => restarts_supervised(arm, exit, samples).await,
        _ => restarts_bare(arm, exit, samples).await,
    }
}

/// The bare-tokio arms of [`restarts`]: a loop that spawns the child's
/// future and awaits it, with the extra work of `arm`.
async fn restarts_bare(arm: Arm, exit: Exit, samples: &[(&'static str, u64)]) -> Figures {
    let last = samples.last().map_or(0, |&(_, n)| n);
    let mut figures = Figures::new();
    let mut rss = Vec::new();
    let mut next = samples.iter().peekable();
    let (events, drain) = if arm == Arm::BaseEvents {
        let (sender, receiver) = broadcast::channel(Supervisor::DEFAULT_EVENT_CAPACITY);
        (Some(sender), Some(tokio::spawn(drain_broadcast(receiver))))
    } else {
        (None, None)
    };
    let path: Arc<str> = Arc::from("bench/child");
    let mut floor_set = JoinSet::new();
    let started = Instant::now();
    for done in 1..=last {
        match arm {
            Arm::Floor => restart_floor(&mut floor_set, &path, exit).await,
            _ => {
                let output = tokio::spawn(fail_once(exit)).await;
                if let Some(events) = &events {
                    send_restart_events(events, &path, done, started, output);
                }
            }
        }
        if next.peek().is_some_and(|&&(_, n)| n == done) {
            next.next();
            rss.push(rss_bytes());
        }
    }
    figures.push(("secs", started.elapsed().as_secs_f64()));
    drop(events);
    if let Some(drain) = drain {
        let (seen, lost) = drain.await.expect("the event drain");
        figures.push(("events_seen", seen as f64));
        figures.push(("events_lost", lost as f64));
    }
    figures.extend(samples.iter().map(|&(name, _)| name).zip(rss));
    figures
}

/// One restart's worth of the allocations the public API implies: a fresh
/// cancellation token and a shared context holding it, the boxed `dyn`
/// future a `TaskFactory` returns, the boxed error of a `TaskResult` and its
/// message for `ChildExit::Failed`, and a `JoinSet` entry to learn of the
/// exit. No policy, no events, no bookkeeping.
async fn restart_floor(set: &mut JoinSet<Option<String>>, path: &Arc<str>, exit: Exit) {
    let token = CancellationToken::new();
    let context = Arc::new((Arc::clone(path), token));
    let future: Pin<Box<dyn Future<Output = Result<(), BoxError>> + Send>> =
        Box::pin(async move { fail_once(exit).await.map_err(BoxError::from) });
    set.spawn(async move {
        let output = future.await;
        context.1.cancel();
        output.err().map(|error| error.to_string())
    });
    let _ = set.join_next().await;
}

/// The three events a supervisor sends for a restart, sent by bare tokio.
fn send_restart_events(
    events: &broadcast::Sender<SupervisorEvent>,
    path: &Arc<str>,
    done: u64,
    started: Instant,
    output: Result<Result<(), io::Error>, tokio::task::JoinError>,
) {
    let message = match output {
        Ok(Ok(())) => "completed".to_owned(),
        Ok(Err(error)) => error.to_string(),
        Err(error) => error.to_string(),
    };
    let elapsed = started.elapsed();
    let kinds = [
        EventKind::Exited {
            exit: ChildExit::Failed(message),
        },
        EventKind::RestartScheduled {
            delay: Duration::ZERO,
        },
        EventKind::Started,
    ];
    for (offset, kind) in kinds.into_iter().enumerate() {
        let _ = events.send(SupervisorEvent {
            seq: 3 * done + offset as u64,
            path: Arc::clone(path),
            generation: done + u64::from(offset == 2),
            elapsed,
            timestamp: std::time::SystemTime::UNIX_EPOCH + elapsed,
            kind,
        });
    }
}

/// Reads a broadcast channel until it closes: events seen, events lost.
async fn drain_broadcast(mut receiver: broadcast::Receiver<SupervisorEvent>) -> (u64, u64) {
    let (mut seen, mut lost) = (0u64, 0u64);
    loop {
        match receiver.recv().await {
            Ok(_) => seen += 1,
            Err(broadcast::error::RecvError::Lagged(n)) => lost += n,
            Err(broadcast::error::RecvError::Closed) => return (seen, lost),
        }
    }
}

/// The supervised arms of [`restarts`]. The child runs the very future the
/// bare arms spawn; it keeps failing after the last sample until shutdown.
async fn restarts_supervised(
    arm: Arm,
    exit: Exit,
    samples: &'static [(&'static str, u64)],
) -> Figures {
    let last = samples.last().map_or(0, |&(_, n)| n);
    let mut figures = Figures::new();
    let progress = Arc::new(Progress {
        rss_at: samples.iter().map(|_| AtomicU64::new(0)).collect(),
        done: Notify::new(),
    });
    let child = {
        let progress = Arc::clone(&progress);
        move |ctx: ChildContext| {
            let restarts = ctx.generation() - 1;
            if let Some(at) = samples.iter().position(|&(_, n)| n == restarts) {
                progress.rss_at[at].store(rss_bytes() as u64, Ordering::Release);
            }
            if restarts == last {
                progress.done.notify_one();
            }
            fail_once(exit)
        }
    };
    let spec = SupervisorSpec::new("bench")
        .restart_limit(RestartLimit::UNLIMITED)
        .child(
            ChildSpec::new("child", TaskRole::Worker, child)
                .backoff(BackoffPolicy::NONE)
                .restart_limit(RestartLimit::UNLIMITED),
        );
    let started = Instant::now();
    let (handle, drain) = if arm == Arm::OursEvents {
        let (handle, mut events) = Supervisor::builder()
            .launch_with_events(spec)
            .expect("a valid spec");
        let drain = tokio::spawn(async move {
            let (mut seen, mut lost) = (0u64, 0u64);
            loop {
                match events.recv().await {
                    Ok(_) => seen += 1,
                    Err(EventStreamError::Lagged(n)) => lost += n,
                    Err(EventStreamError::Closed) => return (seen, lost),
                }
            }
        });
        (handle, Some(drain))
    } else {
        (Supervisor::start(spec).expect("a valid spec"), None)
    };
    progress.done.notified().await;
    figures.push(("secs", started.elapsed().as_secs_f64()));
    handle.shutdown().await;
    if let Some(drain) = drain {
        let (seen, lost) = drain.await.expect("the event drain");
        figures.push(("events_seen", seen as f64));
        figures.push(("events_lost", lost as f64));
    }
    let rss = progress
        .rss_at
        .iter()
        .map(|rss| rss.load(Ordering::Acquire) as f64);
    figures.extend(samples.iter().map(|&(name, _)| name).zip(rss));
    figures
}

/// Starts `n` idle children, then stops them all. Figures: `start_secs`
/// (until every child has been polled once), `rss_per_child` (bytes, from
/// before the children are declared to when all have started) and
/// `shutdown_secs`.
pub(crate) async fn idle(arm: Arm, n: u64) -> Figures {
    let polls = FirstPolls::new(n);
    let rss_before = rss_bytes();
    let (start_secs, rss_after, shutdown_secs) = match arm {
        Arm::BaseOrdered => {
            let clock = Instant::now();
            let tasks: Vec<_> = (0..n)
                .map(|_| {
                    let token = CancellationToken::new();
                    let task = tokio::spawn(bare_task(token.clone(), Arc::clone(&polls)));
                    (token, task)
                })
                .collect();
            polls.all().await;
            let start_secs = clock.elapsed().as_secs_f64();
            let rss_after = rss_bytes();
            let clock = Instant::now();
            for (token, task) in tasks.into_iter().rev() {
                token.cancel();
                task.await.expect("an idle task");
            }
            (start_secs, rss_after, clock.elapsed().as_secs_f64())
        }
        Arm::Floor => on_tracker(&polls, floor_task).await,
        Arm::Base => on_tracker(&polls, |_, token, polls| bare_task(token, polls)).await,
        _ => {
            let spec = supervised_tree(&polls);
            let clock = Instant::now();
            let handle = Supervisor::start(spec).expect("a valid spec");
            polls.all().await;
            let start_secs = clock.elapsed().as_secs_f64();
            let rss_after = rss_bytes();
            let clock = Instant::now();
            let report = handle.shutdown().await;
            let shutdown_secs = clock.elapsed().as_secs_f64();
            assert_eq!(report.children.len() as u64, n);
            (start_secs, rss_after, shutdown_secs)
        }
    };
    vec![
        ("start_secs", start_secs),
        ("rss_per_child", (rss_after - rss_before) / n as f64),
        ("shutdown_secs", shutdown_secs),
    ]
}

/// Idle tasks made by `make` on a `TaskTracker`, all stopped by one token:
/// the seconds until all were polled, the RSS then, and the seconds until
/// all were gone.
async fn on_tracker<F>(
    polls: &Arc<FirstPolls>,
    make: impl FnMut(u64, CancellationToken, Arc<FirstPolls>) -> F,
) -> (f64, f64, f64)
where
    F: Future<Output = ()> + Send + 'static,
{
    let token = CancellationToken::new();
    let clock = Instant::now();
    let tracker = spawn_tracked(polls, &token, make);
    polls.all().await;
    let start_secs = clock.elapsed().as_secs_f64();
    let rss_after = rss_bytes();
    let clock = Instant::now();
    stop_tracked(&token, tracker).await;
    (start_secs, rss_after, clock.elapsed().as_secs_f64())
}

/// Adds a child and removes it again, `samples`' last count of times; RSS
/// is read after each sample's count of cycles. Figures: `secs` (the whole
/// run) and one RSS figure per sample. Bare tokio spawns a task that waits
/// for a token, cancels the token and awaits the task.
pub(crate) async fn add_remove(arm: Arm, samples: &'static [(&'static str, u64)]) -> Figures {
    let cycles = samples.last().map_or(0, |&(_, count)| count);
    let mut figures = Figures::new();
    let handle = (arm == Arm::Ours)
        .then(|| Supervisor::start(SupervisorSpec::new("bench")).expect("a valid spec"));
    let clock = Instant::now();
    for cycle in 1..=cycles {
        match &handle {
            Some(handle) => {
                let spec = ChildSpec::new("s", TaskRole::Worker, |ctx: ChildContext| async move {
                    ctx.cancelled().await;
                    Ok::<(), io::Error>(())
                });
                handle.add_child(spec).await.expect("a new child");
                handle.remove_child("s").await.expect("a known child");
            }
            None => {
                let token = CancellationToken::new();
                let waiting = token.clone();
                let task = tokio::spawn(async move { waiting.cancelled().await });
                token.cancel();
                task.await.expect("an idle task");
            }
        }
        if let Some(&(name, _)) = samples.iter().find(|&&(_, count)| count == cycle) {
            figures.push((name, rss_bytes()));
        }
    }
    figures.push(("secs", clock.elapsed().as_secs_f64()));
    if let Some(handle) = handle {
        handle.shutdown().await;
    }
    figures
}
