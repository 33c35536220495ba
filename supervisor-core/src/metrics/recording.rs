//! The recording task: each event becomes counts, snapshots after changes
//! set the children gauge.

use std::{sync::Arc, time::Duration};

use tokio::time::{Instant, MissedTickBehavior};

use super::{
    CHILD_EXITS_TOTAL, CHILD_RESTARTS_TOTAL, CHILD_STARTS_TOTAL, ESCALATIONS_TOTAL,
    EVENTS_LOST_TOTAL, RESTART_DELAY_SECONDS, TreeMetrics, children::ChildrenGauge, labels,
    prometheus,
};
use crate::{
    event::{EventKind, EventStream, EventStreamError, SupervisorEvent},
    refresh::Refresh,
    runtime::SupervisorHandle,
};

/// The least time between two snapshots for the children gauge.
const GAUGE_INTERVAL: Duration = Duration::from_secs(1);

/// How often the Prometheus recorder, when installed, drains its histogram
/// samples.
const UPKEEP_INTERVAL: Duration = Duration::from_secs(5);

impl TreeMetrics {
    /// Records the metrics of the tree of `root` from its `events` until
    /// the tree has stopped, then sets the children gauge to the tree's
    /// final state. Subscribe to `events` before the tree starts
    /// ([`Supervisor::launch_with_events`](crate::Supervisor::launch_with_events))
    /// to count its first starts too.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use metrics_util::debugging::DebuggingRecorder;
    /// use supervisor_core::{ChildSpec, Supervisor, SupervisorSpec, TaskRole, metrics::TreeMetrics};
    ///
    /// let recorder = DebuggingRecorder::new();
    /// let snapshotter = recorder.snapshotter();
    /// let _local = metrics::set_default_local_recorder(&recorder);
    ///
    /// let spec = SupervisorSpec::new("app")
    ///     .child(ChildSpec::new("api", TaskRole::Service, |ctx| async move { ctx.cancelled().await }));
    /// let metrics = TreeMetrics::new(&spec);
    /// let (handle, events) = Supervisor::builder().launch_with_events(spec).unwrap();
    /// let recording = tokio::spawn(metrics.record(handle.clone(), events));
    /// handle.shutdown().await;
    /// recording.await.unwrap();
    ///
    /// let names: Vec<String> = snapshotter
    ///     .snapshot()
    ///     .into_vec()
    ///     .into_iter()
    ///     .map(|(key, ..)| key.key().name().to_owned())
    ///     .collect();
    /// assert!(names.iter().any(|name| name == "supervisor_child_starts_total"));
    /// # }
    /// ```
    ///
    /// # Cancel safety
    ///
    /// Dropping the future stops the recording; the tree goes on.
    pub async fn record(mut self, root: SupervisorHandle, mut events: EventStream) {
        super::describe();
        let mut gauge = ChildrenGauge::default();
        let mut refresh = Refresh::new(GAUGE_INTERVAL, Instant::now());
        let mut upkeep = tokio::time::interval(UPKEEP_INTERVAL);
        upkeep.set_missed_tick_behavior(MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                event = events.recv() => {
                    match event {
                        Ok(event) => self.count(&event),
                        Err(EventStreamError::Lagged(missed)) => lost(missed),
                        Err(EventStreamError::Closed) => break,
                    }
                    refresh.changed(Instant::now());
                }
                () = refresh.wait() => {
                    refresh.taken(Instant::now());
                    if let Ok(snapshot) = root.snapshot().await {
                        gauge.report(&snapshot, &mut self.labels);
                    }
                }
                _ = upkeep.tick() => prometheus::upkeep(),
            }
        }
        if let Ok(snapshot) = root.snapshot().await {
            gauge.report(&snapshot, &mut self.labels);
        }
    }

    /// Counts what `event` reports.
    fn count(&mut self, event: &SupervisorEvent) {
        let path = |labels: &mut labels::PathLabels| labels.label(&event.path);
        match &event.kind {
            EventKind::Started => {
                ::metrics::counter!(CHILD_STARTS_TOTAL, "path" => path(&mut self.labels))
                    .increment(1);
            }
            EventKind::Exited { exit } => {
                let reason = labels::exit_reason(exit.reason());
                let path: Arc<str> = path(&mut self.labels);
                ::metrics::counter!(CHILD_EXITS_TOTAL, "path" => path, "reason" => reason)
                    .increment(1);
            }
            EventKind::RestartScheduled { delay } => {
                let path: Arc<str> = path(&mut self.labels);
                ::metrics::counter!(CHILD_RESTARTS_TOTAL, "path" => Arc::clone(&path)).increment(1);
                ::metrics::histogram!(RESTART_DELAY_SECONDS, "path" => path)
                    .record(delay.as_secs_f64());
            }
            EventKind::Escalated { reason, .. } => {
                let reason = labels::escalation_reason(reason);
                let path: Arc<str> = path(&mut self.labels);
                ::metrics::counter!(ESCALATIONS_TOTAL, "path" => path, "reason" => reason)
                    .increment(1);
            }
            _ => {}
        }
    }
}

/// Counts `missed` events lost to falling behind.
fn lost(missed: u64) {
    tracing::warn!(
        missed,
        "the metrics task fell behind the tree's events; counts are low by as many"
    );
    ::metrics::counter!(EVENTS_LOST_TOTAL).increment(missed);
}
