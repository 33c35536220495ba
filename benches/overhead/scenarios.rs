//! The measured work, run in a fresh process per repetition: each function
//! returns the figures of one run of one arm.

use std::{
    future::Future,
    io,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::Instant,
};

use supervisor::{
    BackoffPolicy, ChildContext, ChildSpec, EventStreamError, RestartLimit, Supervisor,
    SupervisorSpec, TaskRole,
};
use tokio::sync::Notify;
use tokio_util::{sync::CancellationToken, task::TaskTracker};

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
    /// Under a supervisor.
    Ours,
    /// Under a supervisor, with a subscriber draining its events.
    OursEvents,
}

impl Arm {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Arm::Base => "base",
            Arm::Ours => "ours",
            Arm::OursEvents => "events",
        }
    }

    pub(crate) fn parse(text: &str) -> Option<Arm> {
        [Arm::Base, Arm::Ours, Arm::OursEvents]
            .into_iter()
            .find(|arm| arm.name() == text)
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
/// (to the last sample), `rss_<k>` per sample, and for `OursEvents` the
/// events seen and lost.
pub(crate) async fn restarts(
    arm: Arm,
    exit: Exit,
    samples: &'static [(&'static str, u64)],
) -> Figures {
    let last = samples.last().map_or(0, |&(_, n)| n);
    let mut figures = Figures::new();
    let rss: Vec<f64> = match arm {
        Arm::Base => {
            let started = Instant::now();
            let mut rss = Vec::new();
            let mut next = samples.iter().peekable();
            for done in 1..=last {
                let _ = tokio::spawn(fail_once(exit)).await;
                if next.peek().is_some_and(|&&(_, n)| n == done) {
                    next.next();
                    rss.push(rss_bytes());
                }
            }
            figures.push(("secs", started.elapsed().as_secs_f64()));
            rss
        }
        Arm::Ours | Arm::OursEvents => {
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
                    let progress = (restarts == last).then(|| Arc::clone(&progress));
                    async move {
                        match progress {
                            Some(progress) => {
                                progress.done.notify_one();
                                ctx.cancelled().await;
                                Ok(())
                            }
                            None => fail_once(exit).await,
                        }
                    }
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
            progress
                .rss_at
                .iter()
                .map(|rss| rss.load(Ordering::Acquire) as f64)
                .collect()
        }
    };
    for (&(name, _), rss) in samples.iter().zip(rss) {
        figures.push((name, rss));
    }
    figures
}

/// Starts `n` idle children, then stops them all. Figures: `start_secs`
/// (until every child has been polled once), `rss_per_child` (bytes, from
/// before the children are declared to when all have started) and
/// `shutdown_secs`.
pub(crate) async fn idle(arm: Arm, n: u64) -> Figures {
    let started = Arc::new(AtomicU64::new(0));
    let all = Arc::new(Notify::new());
    let first_poll = move |started: &AtomicU64, all: &Notify| {
        if started.fetch_add(1, Ordering::AcqRel) + 1 == n {
            all.notify_one();
        }
    };
    let rss_before = rss_bytes();
    let (start_secs, rss_after, shutdown_secs) = match arm {
        Arm::Base => {
            let token = CancellationToken::new();
            let tracker = TaskTracker::new();
            let clock = Instant::now();
            for _ in 0..n {
                let (token, started, all) = (token.clone(), Arc::clone(&started), Arc::clone(&all));
                tracker.spawn(async move {
                    first_poll(&started, &all);
                    token.cancelled().await;
                });
            }
            all.notified().await;
            let start_secs = clock.elapsed().as_secs_f64();
            let rss_after = rss_bytes();
            let clock = Instant::now();
            token.cancel();
            tracker.close();
            tracker.wait().await;
            (start_secs, rss_after, clock.elapsed().as_secs_f64())
        }
        Arm::Ours | Arm::OursEvents => {
            let children = (0..n).map(|i| {
                let (started, all) = (Arc::clone(&started), Arc::clone(&all));
                ChildSpec::new(
                    format!("c{i}"),
                    TaskRole::Worker,
                    move |ctx: ChildContext| {
                        let (started, all) = (Arc::clone(&started), Arc::clone(&all));
                        async move {
                            first_poll(&started, &all);
                            ctx.cancelled().await;
                            Ok::<(), io::Error>(())
                        }
                    },
                )
            });
            let spec = SupervisorSpec::new("bench").children(children);
            let clock = Instant::now();
            let handle = Supervisor::start(spec).expect("a valid spec");
            all.notified().await;
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
