//! The Prometheus recorder: installed as the `metrics` global recorder
//! unless the program has one of its own, and rendered as Prometheus text.

use std::sync::OnceLock;

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

/// The bounds, in seconds, of the `supervisor_restart_delay_seconds`
/// buckets: from an immediate restart to the default backoff ceiling and
/// past it.
pub(super) const DELAY_BUCKETS: [f64; 13] = [
    0.0, 0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0,
];

/// What the first [`install_prometheus`] found: the handle of the recorder
/// it installed, or `None` when the program had a recorder of its own.
static PROMETHEUS: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// Installs a Prometheus recorder as the `metrics` global recorder, unless
/// the program has installed a recorder of its own; returns whether the
/// Prometheus recorder is the one in place, so that
/// [`render_prometheus`] has something to render.
///
/// Only the first call decides; later calls return the same answer. The
/// admin server (feature `http`) calls this when it starts, so install a
/// recorder of your own before [`Runner::run`](crate::Runner::run) to keep
/// it. Histograms render as Prometheus histograms
/// (`supervisor_restart_delay_seconds` with buckets from 0 to 300 s).
///
/// # Examples
///
/// ```
/// use supervisor_core::metrics::{install_prometheus, render_prometheus};
///
/// if install_prometheus() {
///     ::metrics::counter!("requests_total").increment(1);
///     assert!(render_prometheus().unwrap().contains("requests_total 1"));
/// }
/// ```
pub fn install_prometheus() -> bool {
    PROMETHEUS.get_or_init(install).is_some()
}

/// The Prometheus text exposition of every metric recorded so far, when
/// [`install_prometheus`] installed its recorder; `None` otherwise (not
/// called yet, or the program has a recorder of its own).
///
/// # Examples
///
/// ```
/// use supervisor_core::metrics::render_prometheus;
///
/// // Nothing is installed yet in this program.
/// assert_eq!(render_prometheus(), None);
/// ```
pub fn render_prometheus() -> Option<String> {
    PROMETHEUS.get()?.as_ref().map(PrometheusHandle::render)
}

/// Drains the installed recorder's histogram samples into their buckets,
/// so that they do not pile up between scrapes.
pub(super) fn upkeep() {
    if let Some(Some(handle)) = PROMETHEUS.get() {
        handle.run_upkeep();
    }
}

fn install() -> Option<PrometheusHandle> {
    let matcher = Matcher::Full(super::RESTART_DELAY_SECONDS.to_owned());
    let recorder = PrometheusBuilder::new()
        .set_buckets_for_metric(matcher, &DELAY_BUCKETS)
        .ok()?
        .build_recorder();
    let handle = recorder.handle();
    ::metrics::set_global_recorder(recorder).ok()?;
    super::describe();
    Some(handle)
}
