//! A soak run on the real clock: about a thousand children that fail, panic
//! and time out over and over under three levels of supervisors, for as
//! long as you like. Every few seconds it prints restarts per second, the
//! process's resident memory and tokio's alive task count; both of the last
//! two should stay flat.
//!
//! Run it with `cargo run --release --example soak -- --minutes 10`.

use std::{
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use supervisor::{
    BackoffPolicy, ChildSpec, EventKind, EventStreamError, RestartLimit, ShutdownPolicy, Strategy,
    Supervisor, SupervisorSpec, TaskRole,
    policy::JitterRng,
    testing::{FaultScript, Step},
};

const POOLS: usize = 9;
const PER_POOL: usize = 110;
const REPORT_EVERY: Duration = Duration::from_secs(5);

fn minutes_from_args() -> Result<f64, String> {
    let mut args = std::env::args().skip(1);
    let mut minutes = 1.0;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--minutes" => {
                let value = args.next().ok_or("--minutes needs a number")?;
                minutes = value
                    .parse()
                    .map_err(|_| format!("not a number of minutes: {value}"))?;
            }
            other => {
                return Err(format!(
                    "unknown argument {other}; usage: soak [--minutes N]"
                ));
            }
        }
    }
    Ok(minutes)
}

/// One child that fails in its own way, again and again.
fn churning_child(rng: &mut JitterRng, id: String) -> ChildSpec {
    let after = Duration::from_millis(200 + rng.next_u64() % 4_800);
    let (step, heartbeat) = match rng.next_u64() % 10 {
        0..=5 => (Step::fail_after(after, "soak error"), None),
        6 => (Step::panic("soak panic"), None),
        7 => (
            Step::StopHeartbeatAfter(after),
            Some(Duration::from_millis(500)),
        ),
        8 => (Step::RunFor(after), None),
        _ => (Step::IgnoreCancellation, None),
    };
    let mut script = FaultScript::new().then(step);
    if heartbeat.is_some() {
        script = script.beat_every(Duration::from_millis(100));
    }
    let role = if rng.next_u64() % 2 == 0 {
        TaskRole::Service
    } else {
        TaskRole::Worker
    };
    let mut spec = script
        .child(id, role)
        .restart(supervisor::RestartPolicy::Permanent)
        .restart_limit(RestartLimit::UNLIMITED)
        .shutdown(ShutdownPolicy::Timeout(Duration::from_millis(200)))
        .backoff(
            BackoffPolicy::DEFAULT
                .initial(Duration::from_millis(100))
                .max(Duration::from_secs(2)),
        );
    if let Some(period) = heartbeat {
        spec = spec.heartbeat(period);
    }
    if rng.next_u64() % 10 == 0 {
        spec = spec.timeout(Duration::from_secs(3));
    }
    spec
}

fn soak_tree() -> SupervisorSpec {
    let mut rng = JitterRng::seeded(42);
    let strategies = [
        Strategy::OneForOne,
        Strategy::RestForOne,
        Strategy::OneForAll,
    ];
    let mut root = SupervisorSpec::new("soak").restart_limit(RestartLimit::UNLIMITED);
    for m in 0..3 {
        let mut mid = SupervisorSpec::new(format!("m{m}"))
            .strategy(Strategy::OneForOne)
            .restart_limit(RestartLimit::UNLIMITED);
        for p in 0..POOLS / 3 {
            let mut pool = SupervisorSpec::new(format!("p{p}"))
                .strategy(strategies[(m + p) % 3])
                .restart_limit(RestartLimit::new(400, Duration::from_secs(10)));
            for c in 0..PER_POOL {
                pool = pool.child(churning_child(&mut rng, format!("c{c}")));
            }
            mid = mid.child(ChildSpec::supervisor(pool).restart_limit(RestartLimit::UNLIMITED));
        }
        root = root.child(ChildSpec::supervisor(mid).restart_limit(RestartLimit::UNLIMITED));
    }
    root
}

/// Resident set size in bytes, from /proc (Linux); zero elsewhere.
fn rss_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| {
            rest.trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<u64>()
                .ok()
        })
        .map_or(0, |kib| kib * 1024)
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let minutes = match minutes_from_args() {
        Ok(minutes) => minutes,
        Err(message) => {
            eprintln!("{message}");
            return std::process::ExitCode::FAILURE;
        }
    };
    std::panic::set_hook(Box::new(|_| {}));
    let (handle, mut events) = Supervisor::builder()
        .launch_with_events(soak_tree())
        .expect("the soak tree is valid");
    let restarts = Arc::new(AtomicU64::new(0));
    let counter = Arc::clone(&restarts);
    let counting = tokio::spawn(async move {
        loop {
            match events.recv().await {
                Ok(event) if matches!(event.kind, EventKind::RestartScheduled { .. }) => {
                    counter.fetch_add(1, Ordering::Relaxed);
                }
                Ok(_) | Err(EventStreamError::Lagged(_)) => {}
                Err(EventStreamError::Closed) => return,
            }
        }
    });
    let metrics = tokio::runtime::Handle::current().metrics();
    let started = Instant::now();
    let total = Duration::from_secs_f64(minutes * 60.0);
    let mut last = 0;
    while started.elapsed() < total {
        tokio::time::sleep(REPORT_EVERY).await;
        let now = restarts.load(Ordering::Relaxed);
        println!(
            "[{:>5}s] restarts/s {:>6.0}  rss {:>7.1} MiB  alive tasks {}",
            started.elapsed().as_secs(),
            (now - last) as f64 / REPORT_EVERY.as_secs_f64(),
            rss_bytes() as f64 / (1024.0 * 1024.0),
            metrics.num_alive_tasks()
        );
        last = now;
    }
    let report = handle.shutdown().await;
    let _ = counting.await;
    println!(
        "done: {} restarts; shutdown took {:?} for {} children; alive tasks after: {}",
        restarts.load(Ordering::Relaxed),
        report.took,
        report.children.len(),
        metrics.num_alive_tasks()
    );
    std::process::ExitCode::SUCCESS
}
