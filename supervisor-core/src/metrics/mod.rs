//! A tree's metrics through the [`metrics`](https://docs.rs/metrics) facade
//! (feature `metrics`): to whatever recorder the program installs, or to
//! the Prometheus recorder of [`install_prometheus`].
//!
//! Under [`Runner`](crate::Runner) (and so `run`, `run_spec`, `run_with`)
//! the tree's metrics are on with the feature; elsewhere,
//! [`TreeMetrics::record`] derives them from a tree's events. Either way
//! they come from a task of their own that reads the tree's events: the
//! supervisor never waits for it.
//!
//! | name | type | labels | what it counts |
//! |---|---|---|---|
//! | `supervisor_child_starts_total` | counter | `path` | instances started |
//! | `supervisor_child_exits_total` | counter | `path`, `reason` | instances ended, by [`ExitReason`](crate::policy::ExitReason): `completed`, `failed`, `panicked`, `timed_out`, `missed_heartbeat`, `not_ready`, `cancelled` |
//! | `supervisor_child_restarts_total` | counter | `path` | restarts scheduled (by policy, strategy or `restart_child`) |
//! | `supervisor_escalations_total` | counter | `path` (the supervisor), `reason` | escalations: `child_restart_limit`, `supervisor_restart_limit`, `critical_child_stopped` |
//! | `supervisor_children` | gauge | `path` (the supervisor), `state` | its children in each state: `pending`, `starting`, `running`, `backing_off`, `stopping`, `stopped` |
//! | `supervisor_restart_delay_seconds` | histogram | `path` | the delay before each scheduled restart |
//! | `supervisor_events_lost_total` | counter | | events the metrics task missed by falling behind: the counters above undercount by at most this |
//!
//! The gauge is read from a snapshot of the tree after changes, at most
//! once a second, and once more when the tree has stopped.
//!
//! # Cardinality of `path`
//!
//! Every path of the declared tree (the spec the tree starts from: the
//! root, its children, nested trees and their children) is a `path` label
//! of its own. Children added at run time
//! ([`add_child`](crate::SupervisorHandle::add_child)) get labels of
//! their own too, the first [`RUNTIME_PATH_LIMIT`] distinct paths of them
//! in the order they first show up; every path after those is counted
//! under `path="other"` ([`OTHER_PATH`]). A path keeps its label for the
//! life of the recorder, removed or not, so the number of series stays
//! bounded however many children come and go.
//!
//! # Examples
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! use supervisor_core::metrics::TreeMetrics;
//! use supervisor_core::{ChildSpec, Supervisor, SupervisorSpec, TaskRole};
//!
//! let spec = SupervisorSpec::new("app")
//!     .child(ChildSpec::new("api", TaskRole::Service, |ctx| async move { ctx.cancelled().await }));
//! let metrics = TreeMetrics::new(&spec);
//! let (handle, events) = Supervisor::builder().launch_with_events(spec).unwrap();
//! let recording = tokio::spawn(metrics.record(handle.clone(), events));
//! handle.shutdown().await;
//! recording.await.unwrap(); // ends once the tree has stopped
//! # }
//! ```

mod children;
mod labels;
mod prometheus;
mod recording;

pub use prometheus::{install_prometheus, render_prometheus};

use crate::spec::SupervisorSpec;

/// Counter of instances started, by `path`.
pub const CHILD_STARTS_TOTAL: &str = "supervisor_child_starts_total";
/// Counter of instances ended, by `path` and `reason`.
pub const CHILD_EXITS_TOTAL: &str = "supervisor_child_exits_total";
/// Counter of restarts scheduled, by `path`.
pub const CHILD_RESTARTS_TOTAL: &str = "supervisor_child_restarts_total";
/// Counter of escalations, by the supervisor's `path` and `reason`.
pub const ESCALATIONS_TOTAL: &str = "supervisor_escalations_total";
/// Gauge of children, by their supervisor's `path` and `state`.
pub const CHILDREN: &str = "supervisor_children";
/// Histogram of the delays before restarts, in seconds, by `path`.
pub const RESTART_DELAY_SECONDS: &str = "supervisor_restart_delay_seconds";
/// Counter of events the metrics task missed by falling behind.
pub const EVENTS_LOST_TOTAL: &str = "supervisor_events_lost_total";

/// The `path` label of paths past the [cardinality rule](self#cardinality-of-path).
pub const OTHER_PATH: &str = "other";

/// How many distinct paths outside the declared tree get a `path` label
/// of their own, unless [`TreeMetrics::runtime_path_limit`] says
/// otherwise: 100.
pub const RUNTIME_PATH_LIMIT: usize = 100;

/// Records a tree's metrics from its events; see the [module](self).
///
/// # Examples
///
/// ```
/// use supervisor_core::{SupervisorSpec, metrics::TreeMetrics};
///
/// let metrics = TreeMetrics::new(&SupervisorSpec::new("app")).runtime_path_limit(20);
/// # drop(metrics);
/// ```
#[derive(Debug)]
#[must_use = "a TreeMetrics records nothing until `record` is awaited"]
pub struct TreeMetrics {
    labels: labels::PathLabels,
}

impl TreeMetrics {
    /// Metrics for a tree declared as `spec`: its paths are labels of
    /// their own.
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::{SupervisorSpec, metrics::TreeMetrics};
    ///
    /// let metrics = TreeMetrics::new(&SupervisorSpec::new("app"));
    /// # drop(metrics);
    /// ```
    pub fn new(spec: &SupervisorSpec) -> Self {
        TreeMetrics {
            labels: labels::PathLabels::declared(spec, RUNTIME_PATH_LIMIT),
        }
    }

    /// Sets how many distinct paths outside the declared tree get a
    /// `path` label of their own before the rest are counted under
    /// [`OTHER_PATH`]; the default is [`RUNTIME_PATH_LIMIT`].
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::{SupervisorSpec, metrics::TreeMetrics};
    ///
    /// // Every child added at run time is counted under `path="other"`.
    /// let metrics = TreeMetrics::new(&SupervisorSpec::new("app")).runtime_path_limit(0);
    /// # drop(metrics);
    /// ```
    pub fn runtime_path_limit(mut self, limit: usize) -> Self {
        self.labels.set_limit(limit);
        self
    }
}

/// Describes every metric to the current recorder (its help text and
/// unit).
fn describe() {
    use ::metrics::{Unit, describe_counter, describe_gauge, describe_histogram};

    describe_counter!(CHILD_STARTS_TOTAL, Unit::Count, "Child instances started.");
    describe_counter!(
        CHILD_EXITS_TOTAL,
        Unit::Count,
        "Child instances ended, by reason."
    );
    describe_counter!(
        CHILD_RESTARTS_TOTAL,
        Unit::Count,
        "Child restarts scheduled."
    );
    describe_counter!(
        ESCALATIONS_TOTAL,
        Unit::Count,
        "Supervisors that gave up and failed, by reason."
    );
    describe_gauge!(CHILDREN, Unit::Count, "Children of a supervisor, by state.");
    describe_histogram!(
        RESTART_DELAY_SECONDS,
        Unit::Seconds,
        "Delay before each scheduled restart."
    );
    describe_counter!(
        EVENTS_LOST_TOTAL,
        Unit::Count,
        "Events the metrics task missed by falling behind."
    );
}
