//! The tree's metrics (feature `metrics`), read from a debugging recorder
//! set for the test's own thread, on the paused clock.

mod ops_support;

use std::{collections::BTreeMap, future::Future, time::Duration};

use metrics_util::debugging::{DebugValue, DebuggingRecorder, Snapshotter};
use ops_support::run;
use supervisor_core::{
    BackoffPolicy, ChildContext, ChildSpec, RestartLimit, Runner, Supervisor, SupervisorSpec,
    TaskRole,
    metrics::{
        CHILD_EXITS_TOTAL, CHILD_RESTARTS_TOTAL, CHILD_STARTS_TOTAL, CHILDREN, ESCALATIONS_TOTAL,
        EVENTS_LOST_TOTAL, OTHER_PATH, RESTART_DELAY_SECONDS, RUNTIME_PATH_LIMIT, TreeMetrics,
        install_prometheus, render_prometheus,
    },
    testing::{FaultScript, Step},
};
use tokio::time::sleep;

fn secs(n: f64) -> Duration {
    Duration::from_secs_f64(n)
}

/// A metric's name and its labels, sorted.
type Series = (String, Vec<(String, String)>);

/// What the recorder has seen up to the last [`read`](Self::read). The
/// debugging recorder hands out each counter's increase since its last
/// snapshot and zeroes gauges as it reads them: counts add up here, and a
/// gauge reads as it was at the last snapshot.
struct Recorded {
    snapshotter: Snapshotter,
    counters: BTreeMap<Series, u64>,
    gauges: BTreeMap<Series, f64>,
    histograms: BTreeMap<Series, Vec<f64>>,
}

impl Recorded {
    fn new(recorder: &DebuggingRecorder) -> Self {
        Recorded {
            snapshotter: recorder.snapshotter(),
            counters: BTreeMap::new(),
            gauges: BTreeMap::new(),
            histograms: BTreeMap::new(),
        }
    }

    fn read(&mut self) -> &Self {
        for (key, _, _, value) in self.snapshotter.snapshot().into_vec() {
            let key = key.key();
            let mut labels: Vec<(String, String)> = key
                .labels()
                .map(|label| (label.key().to_owned(), label.value().to_owned()))
                .collect();
            labels.sort();
            let series = (key.name().to_owned(), labels);
            match value {
                DebugValue::Counter(n) => *self.counters.entry(series).or_default() += n,
                DebugValue::Gauge(value) => {
                    self.gauges.insert(series, value.into_inner());
                }
                DebugValue::Histogram(values) => self
                    .histograms
                    .entry(series)
                    .or_default()
                    .extend(values.into_iter().map(|value| value.into_inner())),
            }
        }
        self
    }

    fn series(name: &str, labels: &[(&str, &str)]) -> Series {
        let mut labels: Vec<(String, String)> = labels
            .iter()
            .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
            .collect();
        labels.sort();
        (name.to_owned(), labels)
    }

    fn counter(&self, name: &str, labels: &[(&str, &str)]) -> u64 {
        let series = Self::series(name, labels);
        self.counters.get(&series).copied().unwrap_or(0)
    }

    fn gauge(&self, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
        self.gauges.get(&Self::series(name, labels)).copied()
    }

    fn histogram(&self, name: &str, labels: &[(&str, &str)]) -> Vec<f64> {
        let series = Self::series(name, labels);
        self.histograms.get(&series).cloned().unwrap_or_default()
    }

    /// The counters named `name`, by their `path` label.
    fn by_path(&self, name: &str) -> BTreeMap<String, u64> {
        let counters = self.counters.iter();
        counters
            .filter(|((series_name, _), _)| series_name == name)
            .map(|((_, labels), count)| {
                let path = labels.iter().find(|(key, _)| key == "path").unwrap();
                (path.1.clone(), *count)
            })
            .collect()
    }
}

/// Runs `test` with a fresh debugging recorder as this thread's recorder.
async fn with_recorder<F: Future<Output = ()>>(test: impl FnOnce(Recorded) -> F) {
    let recorder = DebuggingRecorder::new();
    let _local = metrics::set_default_local_recorder(&recorder);
    test(Recorded::new(&recorder)).await;
}

async fn idle(ctx: ChildContext) {
    ctx.cancelled().await
}

fn idle_child(id: &str) -> ChildSpec {
    ChildSpec::new(id, TaskRole::Service, idle)
}

#[tokio::test(start_paused = true)]
async fn starts_exits_and_restarts_are_counted_by_path_and_reason() {
    with_recorder(|mut recorded| async move {
        // `api` fails twice and panics once, 50, 100 and 200 ms apart.
        let api = FaultScript::new()
            .on_attempts([1, 2], Step::fail("refused"))
            .on_attempt(3, Step::panic("bug"))
            .then(Step::Run)
            .child("api", TaskRole::Service)
            .backoff(BackoffPolicy::DEFAULT.jitter(0.0));
        let spec = SupervisorSpec::new("app")
            .child(api)
            .child(idle_child("web"));
        let tree = run(Runner::new(spec)).await;
        sleep(secs(5.0)).await;
        assert!(tree.stop().await.is_success());

        let recorded = recorded.read();
        let api = [("path", "app/api")];
        assert_eq!(recorded.counter(CHILD_STARTS_TOTAL, &api), 4);
        assert_eq!(recorded.counter(CHILD_RESTARTS_TOTAL, &api), 3);
        let exits = |reason| [("path", "app/api"), ("reason", reason)];
        assert_eq!(recorded.counter(CHILD_EXITS_TOTAL, &exits("failed")), 2);
        assert_eq!(recorded.counter(CHILD_EXITS_TOTAL, &exits("panicked")), 1);
        assert_eq!(recorded.counter(CHILD_EXITS_TOTAL, &exits("cancelled")), 1);
        assert_eq!(
            recorded.histogram(RESTART_DELAY_SECONDS, &api),
            [0.05, 0.1, 0.2]
        );
        let web = [("path", "app/web")];
        assert_eq!(recorded.counter(CHILD_STARTS_TOTAL, &web), 1);
        assert_eq!(recorded.counter(CHILD_RESTARTS_TOTAL, &web), 0);
        assert_eq!(recorded.counter(EVENTS_LOST_TOTAL, &[]), 0);
    })
    .await;
}

#[tokio::test(start_paused = true)]
async fn escalations_are_counted_on_the_supervisor_that_gives_up_with_its_reason() {
    with_recorder(|mut recorded| async move {
        // `reader` may restart once a minute: its second failure makes
        // `ingest` give up. `app` restarts `ingest` twice, then gives up.
        let reader = FaultScript::new()
            .then(Step::fail("refused"))
            .child("reader", TaskRole::Worker)
            .backoff(BackoffPolicy::NONE)
            .restart_limit(RestartLimit::new(1, secs(60.0)));
        let ingest = ChildSpec::supervisor(SupervisorSpec::new("ingest").child(reader))
            .backoff(BackoffPolicy::NONE)
            .restart_limit(RestartLimit::new(2, secs(60.0)));
        let tree = run(Runner::new(SupervisorSpec::new("app").child(ingest))).await;
        let failed = tree.run.await.unwrap();
        assert!(!failed.is_success(), "the root escalated");
        let recorded = recorded.read();

        let ingest = [("path", "app/ingest"), ("reason", "child_restart_limit")];
        assert_eq!(recorded.counter(ESCALATIONS_TOTAL, &ingest), 3);
        let app = [("path", "app"), ("reason", "child_restart_limit")];
        assert_eq!(recorded.counter(ESCALATIONS_TOTAL, &app), 1);
        let reader = [("path", "app/ingest/reader")];
        assert_eq!(recorded.counter(CHILD_STARTS_TOTAL, &reader), 6);
        let ingest_failed = [("path", "app/ingest"), ("reason", "failed")];
        assert_eq!(recorded.counter(CHILD_EXITS_TOTAL, &ingest_failed), 3);
    })
    .await;
}

#[tokio::test(start_paused = true)]
async fn the_children_gauge_counts_each_supervisors_children_by_state() {
    with_recorder(|mut recorded| async move {
        // `db` is ready 5 s after its start and holds `api` until then.
        let db = ChildSpec::new("db", TaskRole::Service, |ctx: ChildContext| async move {
            sleep(secs(5.0)).await;
            ctx.ready();
            ctx.cancelled().await
        })
        .ready_timeout(secs(10.0));
        let ingest = SupervisorSpec::new("ingest").child(idle_child("reader"));
        let spec = SupervisorSpec::new("app")
            .child(ChildSpec::supervisor(ingest))
            .child(db)
            .child(idle_child("api"));
        let tree = run(Runner::new(spec)).await;
        let children = |seen: &Recorded, path, state| {
            seen.gauge(CHILDREN, &[("path", path), ("state", state)])
        };

        sleep(secs(2.0)).await;
        let seen = recorded.read();
        let early = ["running", "starting", "pending", "backing_off"]
            .map(|state| children(seen, "app", state));
        assert_eq!(early, [Some(1.0), Some(1.0), Some(1.0), Some(0.0)]);
        assert_eq!(children(seen, "app/ingest", "running"), Some(1.0));

        sleep(secs(4.0)).await;
        let seen = recorded.read();
        assert_eq!(children(seen, "app", "running"), Some(3.0));
        assert_eq!(children(seen, "app", "pending"), Some(0.0));

        assert!(tree.stop().await.is_success());
        let seen = recorded.read();
        let stopped = ["running", "stopped"].map(|state| children(seen, "app", state));
        assert_eq!(stopped, [Some(0.0), Some(3.0)], "the tree's final state");
        assert_eq!(children(seen, "app/ingest", "stopped"), Some(1.0));
    })
    .await;
}

#[tokio::test(start_paused = true)]
async fn paths_added_past_the_runtime_limit_are_counted_under_other() {
    with_recorder(|mut recorded| async move {
        let spec = SupervisorSpec::new("app").child(idle_child("api"));
        let metrics = TreeMetrics::new(&spec).runtime_path_limit(2);
        let (handle, events) = Supervisor::builder().launch_with_events(spec).unwrap();
        let recording = tokio::spawn(metrics.record(handle.clone(), events));
        for n in 0..5 {
            handle
                .add_child(idle_child(&format!("added{n}")))
                .await
                .unwrap();
        }
        handle.remove_child("added0").await.unwrap();
        handle.add_child(idle_child("added0")).await.unwrap();
        handle.shutdown().await;
        recording.await.unwrap();

        let starts = recorded.read().by_path(CHILD_STARTS_TOTAL);
        let expected = [
            ("app/added0", 2),
            ("app/added1", 1),
            ("app/api", 1),
            (OTHER_PATH, 3),
        ];
        let expected = expected.map(|(path, n)| (path.to_owned(), n));
        assert_eq!(
            starts,
            BTreeMap::from(expected),
            "a path keeps its label, removed or not"
        );
    })
    .await;
}

#[tokio::test(start_paused = true)]
async fn under_runner_the_runtime_limit_is_a_hundred_paths() {
    with_recorder(|mut recorded| async move {
        let tree = run(Runner::new(SupervisorSpec::new("app"))).await;
        for n in 0..RUNTIME_PATH_LIMIT + 3 {
            let child = idle_child(&format!("added{n}"));
            tree.handle.add_child(child).await.unwrap();
        }
        tree.stop().await;

        let starts = recorded.read().by_path(CHILD_STARTS_TOTAL);
        assert_eq!(RUNTIME_PATH_LIMIT, 100);
        assert_eq!(starts.len(), RUNTIME_PATH_LIMIT + 1);
        assert_eq!(starts[OTHER_PATH], 3);
        assert_eq!(starts["app/added99"], 1);
    })
    .await;
}

#[tokio::test(start_paused = true)]
async fn a_runner_with_metrics_off_records_nothing() {
    with_recorder(|mut recorded| async move {
        let spec = SupervisorSpec::new("app").child(idle_child("api"));
        let tree = run(Runner::new(spec).metrics(false)).await;
        sleep(secs(2.0)).await;
        tree.stop().await;
        let seen = recorded.read();
        assert!(seen.counters.is_empty() && seen.gauges.is_empty());
    })
    .await;
}

#[test]
fn a_recorder_of_the_programs_own_is_kept() {
    // The only test of this binary that sets the global recorder: the
    // others record to their thread's own.
    DebuggingRecorder::new().install().unwrap();
    assert!(!install_prometheus());
    assert!(!install_prometheus(), "the first call decides");
    assert_eq!(render_prometheus(), None);
}
