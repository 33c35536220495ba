//! Restart intensity: "at most N restarts within T", in O(1) per restart.

use tokio::time::Instant;

use crate::spec::RestartLimit;

/// Error returned by [`RestartWindow::try_record`] when one more restart
/// would exceed the limit.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use supervisor_core::{RestartLimit, policy::RestartWindow};
/// use tokio::time::Instant;
///
/// let mut window = RestartWindow::new(RestartLimit::new(1, Duration::from_secs(60)));
/// let now = Instant::now();
/// window.try_record(now).unwrap();
/// let exceeded = window.try_record(now).unwrap_err();
/// assert_eq!(exceeded.limit.max, 1);
/// assert_eq!(exceeded.to_string(), "more than 1 restart in 1m");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LimitExceeded {
    /// The limit that one more restart would break.
    pub limit: RestartLimit,
}

impl std::fmt::Display for LimitExceeded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.limit.is_unlimited() {
            return f.write_str("restart limit exceeded");
        }
        let noun = if self.limit.max == 1 {
            "restart"
        } else {
            "restarts"
        };
        write!(
            f,
            "more than {} {noun} in {}",
            self.limit.max,
            crate::spec::duration::format(self.limit.within)
        )
    }
}

impl std::error::Error for LimitExceeded {}

/// The instants of the last `max` restarts, as a ring.
///
/// A new restart is allowed unless the oldest of the last `max` restarts is
/// still inside the window: then the window would hold `max + 1`. Each check
/// reads and writes one slot, so its cost does not grow with `max` or with
/// history; memory is at most `max` instants (none for
/// [`RestartLimit::UNLIMITED`]). A restart counts while it is less than
/// `within` old.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use supervisor_core::{RestartLimit, policy::RestartWindow};
/// use tokio::time::Instant;
///
/// let mut window = RestartWindow::new(RestartLimit::new(2, Duration::from_secs(10)));
/// let t0 = Instant::now();
/// assert!(window.try_record(t0).is_ok());
/// assert!(window.try_record(t0 + Duration::from_secs(1)).is_ok());
/// assert!(window.try_record(t0 + Duration::from_secs(2)).is_err());
/// // Once the first restart is 10 s old, there is room again.
/// assert!(window.try_record(t0 + Duration::from_secs(10)).is_ok());
/// ```
#[derive(Debug, Clone)]
pub struct RestartWindow {
    limit: RestartLimit,
    ring: Vec<Instant>,
    oldest: usize,
}

impl RestartWindow {
    /// An empty window for `limit`. It allocates nothing until the first
    /// restart, and holds at most `max` instants.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use supervisor_core::{RestartLimit, policy::RestartWindow};
    /// use tokio::time::Instant;
    ///
    /// let window = RestartWindow::new(RestartLimit::new(3, Duration::from_secs(60)));
    /// assert_eq!(window.count_within(Instant::now()), 0);
    /// ```
    pub fn new(limit: RestartLimit) -> Self {
        RestartWindow {
            limit,
            ring: Vec::new(),
            oldest: 0,
        }
    }

    /// The limit this window enforces.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use supervisor_core::{RestartLimit, policy::RestartWindow};
    ///
    /// let limit = RestartLimit::new(3, Duration::from_secs(60));
    /// assert_eq!(RestartWindow::new(limit).limit(), limit);
    /// ```
    pub fn limit(&self) -> RestartLimit {
        self.limit
    }

    /// Records a restart at `now`, unless it would exceed the limit.
    ///
    /// `now` must not go backwards between calls.
    ///
    /// # Errors
    ///
    /// [`LimitExceeded`] when the window already holds `max` restarts; the
    /// refused restart is not recorded.
    ///
    /// A limit with `max` 0 (which the rule table refuses in specs)
    /// allows no restart at all.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use supervisor_core::{RestartLimit, policy::{LimitExceeded, RestartWindow}};
    /// use tokio::time::Instant;
    ///
    /// let limit = RestartLimit::new(3, Duration::from_secs(60));
    /// let mut window = RestartWindow::new(limit);
    /// let t0 = Instant::now();
    /// for second in 0..3 {
    ///     window.try_record(t0 + Duration::from_secs(second))?;
    /// }
    /// // A fourth restart within the minute is one too many, and is not recorded.
    /// let now = t0 + Duration::from_secs(30);
    /// assert_eq!(window.try_record(now), Err(LimitExceeded { limit }));
    /// assert_eq!(window.count_within(now), 3);
    /// # Ok::<(), LimitExceeded>(())
    /// ```
    pub fn try_record(&mut self, now: Instant) -> Result<(), LimitExceeded> {
        if self.limit.is_unlimited() {
            return Ok(());
        }
        let max = self.limit.max as usize;
        if max == 0 {
            return Err(LimitExceeded { limit: self.limit });
        }
        if self.ring.len() < max {
            if self.ring.capacity() == 0 {
                self.ring.reserve_exact(max.min(64));
            }
            self.ring.push(now);
            return Ok(());
        }
        let oldest = self.ring[self.oldest];
        if now.saturating_duration_since(oldest) < self.limit.within {
            return Err(LimitExceeded { limit: self.limit });
        }
        self.ring[self.oldest] = now;
        self.oldest = (self.oldest + 1) % max;
        Ok(())
    }

    /// Changes the limit, keeping the most recent restarts that the new
    /// limit can hold, so that a restart storm under way is still counted.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use supervisor_core::{RestartLimit, policy::RestartWindow};
    /// use tokio::time::Instant;
    ///
    /// let mut window = RestartWindow::new(RestartLimit::new(5, Duration::from_secs(60)));
    /// let now = Instant::now();
    /// for _ in 0..3 {
    ///     window.try_record(now).unwrap();
    /// }
    /// window.set_limit(RestartLimit::new(3, Duration::from_secs(60)));
    /// assert!(window.try_record(now).is_err(), "the 3 restarts so far still count");
    /// ```
    pub fn set_limit(&mut self, limit: RestartLimit) {
        let mut recent: Vec<Instant> = self.ring[self.oldest..]
            .iter()
            .chain(&self.ring[..self.oldest])
            .copied()
            .collect();
        let keep = if limit.is_unlimited() {
            0
        } else {
            limit.max as usize
        };
        recent.drain(..recent.len().saturating_sub(keep));
        self.limit = limit;
        self.ring = recent;
        self.oldest = 0;
    }

    /// How many recorded restarts are less than `within` old at `now`.
    /// Walks the ring: for reports, not for the restart path. Always 0 for
    /// [`RestartLimit::UNLIMITED`], which records nothing.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use supervisor_core::{RestartLimit, policy::RestartWindow};
    /// use tokio::time::Instant;
    ///
    /// let mut window = RestartWindow::new(RestartLimit::new(5, Duration::from_secs(10)));
    /// let t0 = Instant::now();
    /// window.try_record(t0).unwrap();
    /// window.try_record(t0 + Duration::from_secs(4)).unwrap();
    /// assert_eq!(window.count_within(t0 + Duration::from_secs(5)), 2);
    /// // At 10 s the first restart has left the window.
    /// assert_eq!(window.count_within(t0 + Duration::from_secs(10)), 1);
    /// ```
    pub fn count_within(&self, now: Instant) -> usize {
        self.ring
            .iter()
            .filter(|&&at| now.saturating_duration_since(at) < self.limit.within)
            .count()
    }

    /// Forgets every recorded restart, keeping the limit.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use supervisor_core::{RestartLimit, policy::RestartWindow};
    /// use tokio::time::Instant;
    ///
    /// let mut window = RestartWindow::new(RestartLimit::new(1, Duration::from_secs(60)));
    /// let now = Instant::now();
    /// window.try_record(now).unwrap();
    /// assert!(window.try_record(now).is_err());
    /// window.clear();
    /// assert!(window.try_record(now).is_ok());
    /// ```
    pub fn clear(&mut self) {
        self.ring.clear();
        self.oldest = 0;
    }
}
