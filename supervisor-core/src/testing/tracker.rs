//! Counting live instances per child, to prove that none overlaps its next.

use std::{
    collections::HashMap,
    fmt,
    sync::{Arc, Mutex},
};

/// Counts the live instances of each child (by path) and remembers the most
/// that were ever alive at once.
///
/// A [`FaultScript`](super::FaultScript) tracked by one reports every
/// instance it runs; tests assert that [`max_alive`](Self::max_alive) never
/// exceeded 1 and that nothing is alive after shutdown.
///
/// # Examples
///
/// ```
/// use supervisor_core::testing::InstanceTracker;
///
/// let tracker = InstanceTracker::new();
/// let first = tracker.enter("app/api");
/// assert_eq!(tracker.alive("app/api"), 1);
/// drop(first);
/// let _second = tracker.enter("app/api");
/// assert_eq!(tracker.max_alive("app/api"), 1);
/// ```
#[derive(Clone, Default)]
pub struct InstanceTracker {
    counts: Arc<Mutex<HashMap<Arc<str>, Counts>>>,
}

#[derive(Debug, Default, Clone, Copy)]
struct Counts {
    alive: usize,
    max_alive: usize,
    entered: u64,
}

/// Held by a live instance; dropping it marks the instance gone. Returned
/// by [`InstanceTracker::enter`].
///
/// # Examples
///
/// ```
/// use supervisor_core::testing::InstanceTracker;
///
/// let tracker = InstanceTracker::new();
/// {
///     let _alive = tracker.enter("app/api"); // held for the instance's whole run
///     assert_eq!(tracker.alive("app/api"), 1);
/// }
/// assert_eq!(tracker.alive("app/api"), 0);
/// ```
#[must_use = "the instance counts as alive while the guard is held"]
pub struct InstanceGuard {
    tracker: InstanceTracker,
    path: Arc<str>,
}

impl InstanceTracker {
    /// An empty tracker. Clones share their counts: give one to each
    /// script and keep one to ask.
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::testing::InstanceTracker;
    ///
    /// let tracker = InstanceTracker::new();
    /// let shared = tracker.clone();
    /// let _guard = shared.enter("app/api");
    /// assert_eq!(tracker.alive("app/api"), 1);
    /// assert_eq!(tracker.entered("app/db"), 0); // unknown paths count 0
    /// ```
    pub fn new() -> Self {
        InstanceTracker::default()
    }

    fn counts(&self) -> std::sync::MutexGuard<'_, HashMap<Arc<str>, Counts>> {
        self.counts.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Marks an instance of `path` alive until the guard is dropped.
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::testing::InstanceTracker;
    ///
    /// let tracker = InstanceTracker::new();
    /// let old = tracker.enter("app/api");
    /// let new = tracker.enter("app/api"); // started before the old one ended
    /// drop((old, new));
    /// assert_eq!(tracker.max_alive("app/api"), 2);
    /// ```
    pub fn enter(&self, path: &str) -> InstanceGuard {
        let path: Arc<str> = Arc::from(path);
        let mut counts = self.counts();
        let entry = counts.entry(Arc::clone(&path)).or_default();
        entry.alive += 1;
        entry.entered += 1;
        entry.max_alive = entry.max_alive.max(entry.alive);
        InstanceGuard {
            tracker: self.clone(),
            path,
        }
    }

    /// Instances of `path` alive now.
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::testing::InstanceTracker;
    ///
    /// let tracker = InstanceTracker::new();
    /// let guard = tracker.enter("app/api");
    /// assert_eq!(tracker.alive("app/api"), 1);
    /// drop(guard);
    /// assert_eq!(tracker.alive("app/api"), 0);
    /// ```
    pub fn alive(&self, path: &str) -> usize {
        self.counts().get(path).map_or(0, |c| c.alive)
    }

    /// The most instances of `path` ever alive at once: 1 when every
    /// instance ended before the next started.
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::testing::InstanceTracker;
    ///
    /// let tracker = InstanceTracker::new();
    /// for _ in 0..3 {
    ///     let _instance = tracker.enter("app/api"); // one after the other
    /// }
    /// assert_eq!(tracker.max_alive("app/api"), 1);
    /// ```
    pub fn max_alive(&self, path: &str) -> usize {
        self.counts().get(path).map_or(0, |c| c.max_alive)
    }

    /// How many instances of `path` have run (or are running).
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::testing::InstanceTracker;
    ///
    /// let tracker = InstanceTracker::new();
    /// for _ in 0..3 {
    ///     let _instance = tracker.enter("app/api");
    /// }
    /// assert_eq!(tracker.entered("app/api"), 3);
    /// ```
    pub fn entered(&self, path: &str) -> u64 {
        self.counts().get(path).map_or(0, |c| c.entered)
    }

    /// Instances alive now whose path is `prefix` or under it (`app/ingest`
    /// and `app/ingest/parser`, not `app/ingester`).
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::testing::InstanceTracker;
    ///
    /// let tracker = InstanceTracker::new();
    /// let _tree = tracker.enter("app/ingest");
    /// let _parser = tracker.enter("app/ingest/parser");
    /// let _other = tracker.enter("app/ingester");
    /// assert_eq!(tracker.alive_under("app/ingest"), 2);
    /// assert_eq!(tracker.alive_under("app"), 3);
    /// ```
    pub fn alive_under(&self, prefix: &str) -> usize {
        let nested = format!("{prefix}/");
        self.counts()
            .iter()
            .filter(|(path, _)| &***path == prefix || path.starts_with(&nested))
            .map(|(_, c)| c.alive)
            .sum()
    }

    /// Every path whose instances ever overlapped, with the most alive at
    /// once, sorted by path: empty when no restart left an old instance
    /// running beside its new one.
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::testing::InstanceTracker;
    ///
    /// let tracker = InstanceTracker::new();
    /// drop(tracker.enter("app/db"));
    /// let _db = tracker.enter("app/db");
    /// let _first = tracker.enter("app/api");
    /// let _second = tracker.enter("app/api");
    /// assert_eq!(tracker.overlaps(), [("app/api".into(), 2)]);
    /// ```
    pub fn overlaps(&self) -> Vec<(Arc<str>, usize)> {
        let mut found: Vec<_> = self
            .counts()
            .iter()
            .filter(|(_, c)| c.max_alive > 1)
            .map(|(path, c)| (Arc::clone(path), c.max_alive))
            .collect();
        found.sort();
        found
    }
}

impl Drop for InstanceGuard {
    fn drop(&mut self) {
        if let Some(entry) = self.tracker.counts().get_mut(&self.path) {
            entry.alive -= 1;
        }
    }
}

impl fmt::Debug for InstanceTracker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InstanceTracker")
            .field("paths", &self.counts().len())
            .finish()
    }
}

impl fmt::Debug for InstanceGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InstanceGuard")
            .field("path", &self.path)
            .finish()
    }
}
