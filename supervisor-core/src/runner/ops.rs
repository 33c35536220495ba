//! The operations features a [`Runner`](super::Runner) runs beside the
//! tree: systemd notifications (feature `systemd`) and metrics (feature
//! `metrics`), each a task that ends before `run` returns.

use crate::{event::EventStream, runtime::SupervisorHandle, spec::SupervisorSpec};

/// Which features the runner turns on; every one that is compiled in is
/// on unless turned off.
#[derive(Debug, Clone, Copy)]
pub(super) struct Settings {
    #[cfg(feature = "systemd")]
    pub(super) systemd: bool,
    #[cfg(feature = "metrics")]
    pub(super) metrics: bool,
}

impl Settings {
    /// Every feature that is compiled in on.
    pub(super) const ON: Settings = Settings {
        #[cfg(feature = "systemd")]
        systemd: true,
        #[cfg(feature = "metrics")]
        metrics: true,
    };
}

/// The features to start with a tree, before it starts.
#[derive(Debug, Default)]
pub(super) struct Ops {
    #[cfg(feature = "systemd")]
    notifier: Option<crate::systemd::Notifier>,
    #[cfg(feature = "metrics")]
    metrics: Option<crate::metrics::TreeMetrics>,
}

/// The features' tasks while the tree runs.
#[derive(Debug)]
pub(super) struct Running {
    #[cfg(feature = "systemd")]
    notifying: Option<crate::systemd::Notifying>,
    #[cfg(feature = "metrics")]
    recording: Option<tokio::task::JoinHandle<()>>,
}

impl Ops {
    /// What `settings` and the environment turn on for the tree `spec`.
    pub(super) fn new(settings: Settings, spec: &SupervisorSpec) -> Self {
        let _ = (settings, spec);
        Ops {
            #[cfg(feature = "systemd")]
            notifier: settings
                .systemd
                .then(crate::systemd::Notifier::from_env)
                .flatten(),
            #[cfg(feature = "metrics")]
            metrics: settings
                .metrics
                .then(|| crate::metrics::TreeMetrics::new(spec)),
        }
    }

    /// How many event streams the features read, each subscribed to
    /// before the tree starts.
    pub(super) fn streams(&self) -> usize {
        let features = [
            #[cfg(feature = "systemd")]
            self.notifier.is_some(),
            #[cfg(feature = "metrics")]
            self.metrics.is_some(),
        ];
        features.into_iter().filter(|&on| on).count()
    }

    /// Starts the features on the tree of `root`, each with one of
    /// `streams`.
    pub(super) fn start(self, root: &SupervisorHandle, streams: &mut Vec<EventStream>) -> Running {
        let _ = (root, &streams);
        Running {
            #[cfg(feature = "systemd")]
            notifying: self
                .notifier
                .and_then(|notifier| Some(notifier.start(root.clone(), streams.pop()?))),
            #[cfg(feature = "metrics")]
            recording: self.metrics.and_then(|metrics| {
                let events = streams.pop()?;
                Some(tokio::spawn(metrics.record(root.clone(), events)))
            }),
        }
    }
}

impl Running {
    /// Shutdown begins: tells systemd so.
    pub(super) async fn stopping(&mut self) {
        #[cfg(feature = "systemd")]
        if let Some(notifying) = self.notifying.take() {
            notifying.stopping().await;
        }
    }

    /// The tree has stopped: waits for the features' tasks to end.
    pub(super) async fn finish(self) {
        #[cfg(feature = "metrics")]
        if let Some(recording) = self.recording {
            let _ = recording.await;
        }
    }
}
