//! When a watcher of a changing tree takes its next snapshot: at once
//! after a quiet spell, then at most once per interval, so that a burst of
//! changes (a restart storm) costs one snapshot per interval and the last
//! change is never left unseen.

use std::time::Duration;

use tokio::time::Instant;

/// The schedule of a watcher's snapshots.
#[derive(Debug)]
pub(crate) struct Refresh {
    interval: Duration,
    /// When the last snapshot was taken.
    last: Option<Instant>,
    /// When the next one is due, if something changed since the last.
    due: Option<Instant>,
}

impl Refresh {
    /// A schedule with a snapshot due at once (to see the tree as it
    /// starts), then at most one per `interval`.
    pub(crate) fn new(interval: Duration, now: Instant) -> Self {
        Refresh {
            interval,
            last: None,
            due: Some(now),
        }
    }

    /// Something changed at `now`: a snapshot is due at once if none was
    /// taken within the interval, else when the interval is up.
    pub(crate) fn changed(&mut self, now: Instant) {
        if self.due.is_none() {
            let allowed = self.last.map_or(now, |last| last + self.interval);
            self.due = Some(allowed.max(now));
        }
    }

    /// Waits until the next snapshot is due; never resolves when none is.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: it only waits.
    pub(crate) async fn wait(&self) {
        match self.due {
            Some(due) => tokio::time::sleep_until(due).await,
            None => std::future::pending().await,
        }
    }

    /// A snapshot was taken at `now`.
    pub(crate) fn taken(&mut self, now: Instant) {
        self.last = Some(now);
        self.due = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECOND: Duration = Duration::from_secs(1);

    #[test]
    fn the_first_snapshot_is_due_at_once() {
        let start = Instant::now();
        assert_eq!(Refresh::new(SECOND, start).due, Some(start));
    }

    #[test]
    fn a_change_after_a_quiet_spell_is_seen_at_once() {
        let start = Instant::now();
        let mut refresh = Refresh::new(SECOND, start);
        refresh.taken(start);
        assert_eq!(refresh.due, None);
        let later = start + 5 * SECOND;
        refresh.changed(later);
        assert_eq!(refresh.due, Some(later));
    }

    #[test]
    fn a_burst_of_changes_costs_one_snapshot_per_interval() {
        let start = Instant::now();
        let mut refresh = Refresh::new(SECOND, start);
        refresh.taken(start);
        for millis in [1, 10, 300, 999] {
            refresh.changed(start + Duration::from_millis(millis));
            assert_eq!(refresh.due, Some(start + SECOND), "after {millis} ms");
        }
        refresh.taken(start + SECOND);
        refresh.changed(start + SECOND + Duration::from_millis(1));
        assert_eq!(refresh.due, Some(start + 2 * SECOND));
    }
}
