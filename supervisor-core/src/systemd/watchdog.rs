//! systemd's watchdog: `WATCHDOG=1` at half of `WATCHDOG_USEC`, each ping
//! sent only when the root supervisor's loop answers, so that a stuck loop
//! stops the pings and systemd restarts the process.

use std::time::Duration;

use tokio::time::{Interval, MissedTickBehavior};

use crate::runtime::SupervisorHandle;

/// The pings systemd's watchdog expects.
#[derive(Debug)]
pub(super) struct Watchdog {
    pings: Interval,
    /// How long the loop may take to answer before a ping is skipped.
    bound: Duration,
}

impl Watchdog {
    /// Pings for a watchdog that fires after `timeout` without one: every
    /// half `timeout`, the first at once; the loop must answer within a
    /// quarter of `timeout`.
    pub(super) fn new(timeout: Duration) -> Self {
        let period = (timeout / 2).max(Duration::from_millis(1));
        let mut pings = tokio::time::interval(period);
        pings.set_missed_tick_behavior(MissedTickBehavior::Delay);
        Watchdog {
            pings,
            bound: period / 2,
        }
    }

    /// Whether the root's loop answers within the bound, so that a ping
    /// is due.
    pub(super) async fn root_is_live(&self, root: &SupervisorHandle) -> bool {
        root.is_live(self.bound).await
    }
}

/// Waits for the next ping's time of `watchdog`; never resolves when there
/// is no watchdog.
///
/// # Cancel safety
///
/// Cancel safe: a dropped call skips no ping's time.
pub(super) async fn ping_time(watchdog: &mut Option<Watchdog>) {
    match watchdog {
        Some(watchdog) => {
            watchdog.pings.tick().await;
        }
        None => std::future::pending().await,
    }
}
