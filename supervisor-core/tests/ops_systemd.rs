//! systemd notifications under `Runner` (feature `systemd`), read from a
//! Unix datagram socket set as `NOTIFY_SOCKET`.
//!
//! `NOTIFY_SOCKET` and `WATCHDOG_USEC` are process-wide, so each test runs
//! its scenario in a process of its own: the test starts this test binary
//! again, filtered to itself, with the variables in that process's
//! environment. There the scenario binds the socket and runs the tree on
//! tokio's paused clock, so that every time below is exact.

mod ops_support;

use std::{
    fmt,
    fs::File,
    future::Future,
    path::{Path, PathBuf},
    process::{Command, Stdio},
    sync::atomic::{AtomicUsize, Ordering},
    time::Duration,
};

use ops_support::run;
use supervisor_core::{
    BackoffPolicy, ChildContext, ChildSpec, RestartLimit, RestartPolicy, Runner, Severity,
    ShutdownPolicy, SupervisorSpec, TaskRole,
    testing::{FaultScript, Step, stall_loop},
};
use tokio::{
    net::UnixDatagram,
    time::{Instant, sleep, timeout_at},
};

/// Names the scenario a process runs, in the processes the tests start.
const SCENARIO: &str = "SUPERVISOR_TEST_SYSTEMD_SCENARIO";

/// How long a scenario's process may take, in real time.
const PROCESS_BOUND: Duration = Duration::from_secs(60);

/// How far apart two times on the paused clock may be and count as one:
/// timers fire on whole milliseconds.
const TOLERANCE: Duration = Duration::from_millis(5);

fn secs(n: f64) -> Duration {
    Duration::from_secs_f64(n)
}

/// Runs `scenario` in a process of its own with `NOTIFY_SOCKET` set (and
/// `WATCHDOG_USEC` to `watchdog`), and fails with that process's output if
/// it fails.
fn systemd_test<F: Future<Output = ()>>(
    watchdog: Option<Duration>,
    scenario: impl FnOnce(Notifications) -> F,
) {
    let current = std::thread::current();
    let name = current
        .name()
        .expect("a test thread is named after its test");
    match std::env::var(SCENARIO) {
        Ok(running) if running == name => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .start_paused(true)
            .build()
            .unwrap()
            .block_on(async { scenario(Notifications::bind()).await }),
        Ok(running) => panic!("the process for `{running}` ran `{name}`"),
        Err(_) => run_in_own_process(name, watchdog),
    }
}

/// A fresh directory for one scenario's socket, removed when dropped;
/// short, as socket paths must be.
struct ScratchDir(PathBuf);

impl ScratchDir {
    fn new() -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("sv-sd-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&path).unwrap();
        ScratchDir(path)
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn run_in_own_process(name: &str, watchdog: Option<Duration>) {
    let dir = ScratchDir::new();
    let output = |file: &str| File::create(dir.0.join(file)).unwrap();
    let mut command = Command::new(std::env::current_exe().unwrap());
    command
        .args([name, "--exact", "--test-threads=1"])
        .env(SCENARIO, name)
        .env("NOTIFY_SOCKET", dir.0.join("notify"))
        .env_remove("WATCHDOG_USEC")
        .env_remove("WATCHDOG_PID")
        .env("RUST_BACKTRACE", "0")
        .stdin(Stdio::null())
        .stdout(output("stdout"))
        .stderr(output("stderr"));
    if let Some(watchdog) = watchdog {
        command.env("WATCHDOG_USEC", watchdog.as_micros().to_string());
    }
    let mut process = command.spawn().unwrap();
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = process.try_wait().unwrap() {
            break Some(status);
        }
        if started.elapsed() > PROCESS_BOUND {
            let _ = process.kill();
            let _ = process.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let read = |file: &str| std::fs::read_to_string(dir.0.join(file)).unwrap_or_default();
    let (stdout, stderr) = (read("stdout"), read("stderr"));
    let ran = status.is_some_and(|status| status.success()) && stdout.contains("1 passed");
    assert!(
        ran,
        "the scenario's process ({status:?}, bound {PROCESS_BOUND:?}) said:\n{stdout}\n{stderr}"
    );
}

/// One line of a datagram, and when it arrived.
#[derive(Debug, Clone)]
struct Line {
    at: Duration,
    text: String,
}

/// The socket named by `NOTIFY_SOCKET`, and every line read from it, with
/// times since it was bound.
struct Notifications {
    socket: UnixDatagram,
    t0: Instant,
    seen: Vec<Line>,
}

impl Notifications {
    fn bind() -> Self {
        let path = std::env::var_os("NOTIFY_SOCKET").expect("NOTIFY_SOCKET is set");
        Notifications {
            socket: UnixDatagram::bind(Path::new(&path)).unwrap(),
            t0: Instant::now(),
            seen: Vec::new(),
        }
    }

    /// Time since the socket was bound.
    fn now(&self) -> Duration {
        self.t0.elapsed()
    }

    /// Reads one datagram, unless `deadline` comes first.
    async fn read_until_deadline(&mut self, deadline: Instant) -> Option<&[Line]> {
        let mut buffer = [0; 4096];
        let length = timeout_at(deadline, self.socket.recv(&mut buffer))
            .await
            .ok()?
            .unwrap();
        let at = self.now();
        let from = self.seen.len();
        let text = std::str::from_utf8(&buffer[..length]).unwrap();
        self.seen.extend(text.lines().map(|text| Line {
            at,
            text: text.to_owned(),
        }));
        Some(&self.seen[from..])
    }

    /// Reads every datagram until `until` after the socket was bound.
    async fn read_until(&mut self, until: Duration) {
        let deadline = self.t0 + until;
        while self.read_until_deadline(deadline).await.is_some() {}
    }

    /// Reads until a line `text` arrives, within `bound`; returns its time.
    async fn wait_for(&mut self, text: &str, bound: Duration) -> Duration {
        let deadline = Instant::now() + bound;
        while let Some(lines) = self.read_until_deadline(deadline).await {
            if let Some(line) = lines.iter().find(|line| line.text == text) {
                return line.at;
            }
        }
        panic!("no `{text}` within {bound:?}; read:\n{self}");
    }

    /// The times of the lines `text`.
    fn times(&self, text: &str) -> Vec<Duration> {
        let lines = self.seen.iter().filter(|line| line.text == text);
        lines.map(|line| line.at).collect()
    }

    /// The `STATUS=` lines, without the key.
    fn statuses(&self) -> Vec<(Duration, &str)> {
        let lines = self.seen.iter();
        lines
            .filter_map(|line| Some((line.at, line.text.strip_prefix("STATUS=")?)))
            .collect()
    }
}

impl fmt::Display for Notifications {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for line in &self.seen {
            writeln!(f, "  {:>9.3}s {}", line.at.as_secs_f64(), line.text)?;
        }
        Ok(())
    }
}

fn assert_close(actual: Duration, expected: Duration, what: &str, seen: &Notifications) {
    assert!(
        actual.abs_diff(expected) <= TOLERANCE,
        "{what} at {actual:?}, expected {expected:?}; read:\n{seen}"
    );
}

async fn idle(ctx: ChildContext) {
    ctx.cancelled().await
}

/// `db` is ready 5 s after its start and holds `api` until then.
fn gated() -> SupervisorSpec {
    let db = ChildSpec::new("db", TaskRole::Service, |ctx: ChildContext| async move {
        sleep(secs(5.0)).await;
        ctx.ready();
        ctx.cancelled().await
    })
    .ready_timeout(secs(10.0));
    let api = ChildSpec::new("api", TaskRole::Service, idle);
    SupervisorSpec::new("app").child(db).child(api)
}

#[test]
fn ready_is_sent_once_the_start_order_is_done_and_not_before() {
    systemd_test(None, |mut seen| async move {
        let tree = run(Runner::new(gated())).await;
        let ready = seen.wait_for("READY=1", secs(30.0)).await;
        assert_close(ready, secs(5.0), "READY=1", &seen);
        seen.read_until(secs(20.0)).await;
        let _ = tree.stop.send(());
        seen.wait_for("STOPPING=1", secs(1.0)).await;
        assert!(tree.run.await.unwrap().is_success());

        assert_eq!(seen.times("READY=1").len(), 1, "READY=1 once:\n{seen}");
        let statuses = seen.statuses();
        assert_eq!(
            statuses.first().map(|(_, text)| *text),
            Some("1 child starting, 1 pending"),
            "the tree as it starts:\n{seen}"
        );
        assert!(
            statuses.contains(&(ready, "2 children running")),
            "the status with READY=1:\n{seen}"
        );
        assert!(
            seen.times("WATCHDOG=1").is_empty(),
            "no WATCHDOG_USEC, no pings:\n{seen}"
        );
    });
}

#[test]
fn status_lines_follow_a_restart_storm_at_most_once_a_second() {
    systemd_test(None, |mut seen| async move {
        // `storm` runs 130 ms and fails, 40 times, 100 ms apart; then runs.
        let storm = FaultScript::new()
            .on_attempts(1..=40, Step::fail_after(secs(0.13), "storm"))
            .then(Step::Run)
            .child("storm", TaskRole::Worker)
            .backoff(
                BackoffPolicy::DEFAULT
                    .initial(secs(0.1))
                    .max(secs(0.1))
                    .jitter(0.0),
            )
            .restart_limit(RestartLimit::UNLIMITED);
        let spec = SupervisorSpec::new("app")
            .restart_limit(RestartLimit::UNLIMITED)
            .child(ChildSpec::new("api", TaskRole::Service, idle))
            .child(storm);
        let tree = run(Runner::new(spec)).await;
        seen.read_until(secs(15.0)).await;
        tree.stop().await;

        let statuses = seen.statuses();
        assert!(
            (4..=16).contains(&statuses.len()),
            "about one status a second over 15 s of a storm that changes every 115 ms:\n{seen}"
        );
        for pair in statuses.windows(2) {
            assert!(
                pair[1].0 - pair[0].0 >= secs(1.0) - TOLERANCE,
                "two statuses less than a second apart:\n{seen}"
            );
        }
        let last = statuses.last().unwrap().1;
        assert_eq!(
            last, "2 children running",
            "the storm's end is sent:\n{seen}"
        );
    });
}

#[test]
fn watchdog_pings_at_half_the_timeout_and_stop_while_the_loop_is_stuck() {
    systemd_test(Some(secs(2.0)), |mut seen| async move {
        let spec = SupervisorSpec::new("app").child(ChildSpec::new("api", TaskRole::Service, idle));
        let tree = run(Runner::new(spec)).await;
        seen.read_until(secs(3.25)).await;
        stall_loop(&tree.handle, secs(10.0));
        seen.read_until(secs(17.5)).await;
        tree.stop().await;

        let pings = seen.times("WATCHDOG=1");
        let before: Vec<Duration> = pings
            .iter()
            .copied()
            .filter(|&at| at < secs(3.25))
            .collect();
        assert_eq!(before.len(), 4, "pings at 0, 1, 2 and 3 s:\n{seen}");
        for (n, at) in before.into_iter().enumerate() {
            assert_close(at, secs(n as f64), "ping", &seen);
        }
        let stalled = secs(3.25)..secs(13.25);
        assert!(
            !pings.iter().any(|at| stalled.contains(at)),
            "no ping while the loop is stuck (3.25 s to 13.25 s):\n{seen}"
        );
        let after: Vec<Duration> = pings.into_iter().filter(|&at| at >= secs(13.25)).collect();
        assert!(
            after
                .first()
                .is_some_and(|&first| first <= secs(14.0) + TOLERANCE),
            "pings resume within a period of the loop's return:\n{seen}"
        );
        assert_close(*after.last().unwrap(), secs(17.0), "the last ping", &seen);
        assert!(after.len() >= 4, "one ping a second again:\n{seen}");
    });
}

#[test]
fn stopping_is_sent_when_shutdown_begins_and_ends_the_pings() {
    systemd_test(Some(secs(2.0)), |mut seen| async move {
        // `slow` takes 3 s to stop: the shutdown lasts from 2.5 s to 5.5 s.
        let slow = ChildSpec::new("slow", TaskRole::Service, |ctx: ChildContext| async move {
            ctx.cancelled().await;
            sleep(secs(3.0)).await;
        })
        .shutdown(ShutdownPolicy::Timeout(secs(10.0)));
        let tree = run(Runner::new(SupervisorSpec::new("app").child(slow))).await;
        seen.read_until(secs(2.5)).await;
        let _ = tree.stop.send(());
        let stopping = seen.wait_for("STOPPING=1", secs(1.0)).await;
        assert_close(stopping, secs(2.5), "STOPPING=1", &seen);
        let summary = tree.run.await.unwrap();
        assert_close(seen.now(), secs(5.5), "the end of the run", &seen);
        assert!(summary.is_success());
        seen.read_until(secs(8.0)).await;

        let last_ping = seen.times("WATCHDOG=1").into_iter().max().unwrap();
        assert_close(last_ping, secs(2.0), "the last ping", &seen);
        let stopping_lines = seen.seen.iter().filter(|line| line.at == stopping);
        let texts: Vec<&str> = stopping_lines.map(|line| line.text.as_str()).collect();
        assert_eq!(texts, ["STOPPING=1", "STATUS=stopping"], "read:\n{seen}");
    });
}

#[test]
fn an_escalated_tree_says_stopping_and_is_not_pinged_for() {
    systemd_test(Some(secs(2.0)), |mut seen| async move {
        // A critical job that fails at 3.5 s and is never restarted.
        let boot = ChildSpec::without_context("boot", TaskRole::Job, || async {
            sleep(secs(3.5)).await;
            Err::<(), _>("disk full")
        })
        .restart(RestartPolicy::Temporary)
        .severity(Severity::Critical);
        let tree = run(Runner::new(SupervisorSpec::new("app").child(boot))).await;
        let stopping = seen.wait_for("STOPPING=1", secs(10.0)).await;
        assert_close(stopping, secs(3.5), "STOPPING=1", &seen);
        let summary = tree.run.await.unwrap();
        assert!(!summary.is_success(), "the root escalated");
        seen.read_until(secs(8.0)).await;

        assert!(seen.times("READY=1").is_empty(), "never ready:\n{seen}");
        let pings = seen.times("WATCHDOG=1");
        assert_eq!(pings.len(), 4, "pings at 0, 1, 2 and 3 s only:\n{seen}");
    });
}
