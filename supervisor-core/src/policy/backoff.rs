//! Backoff state of one child: consecutive failures and its jitter source.

use std::time::Duration;

use super::JitterRng;
use crate::spec::BackoffPolicy;

/// Where one child is in its backoff sequence.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use supervisor_core::{BackoffPolicy, policy::{BackoffState, JitterRng}};
///
/// let policy = BackoffPolicy::DEFAULT.jitter(0.0);
/// let mut state = BackoffState::new(JitterRng::seeded(1));
/// assert_eq!(state.next_delay(&policy), Duration::from_millis(50));
/// assert_eq!(state.next_delay(&policy), Duration::from_millis(100));
/// state.reset();
/// assert_eq!(state.next_delay(&policy), Duration::from_millis(50));
/// ```
#[derive(Debug, Clone)]
pub struct BackoffState {
    consecutive: u32,
    rng: JitterRng,
}

impl BackoffState {
    /// The start of a sequence, with `rng` for the jitter.
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::policy::{BackoffState, JitterRng};
    ///
    /// let state = BackoffState::new(JitterRng::seeded(1));
    /// assert_eq!(state.consecutive(), 0);
    /// ```
    pub fn new(rng: JitterRng) -> Self {
        BackoffState {
            consecutive: 0,
            rng,
        }
    }

    /// How many delays have been handed out since the last reset: the
    /// attempt number of the last [`next_delay`](Self::next_delay).
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::{BackoffPolicy, policy::{BackoffState, JitterRng}};
    ///
    /// let mut state = BackoffState::new(JitterRng::seeded(1));
    /// state.next_delay(&BackoffPolicy::DEFAULT);
    /// state.next_delay(&BackoffPolicy::DEFAULT);
    /// assert_eq!(state.consecutive(), 2);
    /// ```
    pub fn consecutive(&self) -> u32 {
        self.consecutive
    }

    /// Starts the sequence again from `initial`: the next delay is the first
    /// one again. The jitter source is not rewound.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use supervisor_core::{BackoffPolicy, policy::{BackoffState, JitterRng}};
    ///
    /// let policy = BackoffPolicy::DEFAULT.jitter(0.0);
    /// let mut state = BackoffState::new(JitterRng::seeded(1));
    /// for _ in 0..5 {
    ///     state.next_delay(&policy);
    /// }
    /// state.reset();
    /// assert_eq!(state.consecutive(), 0);
    /// assert_eq!(state.next_delay(&policy), Duration::from_millis(50));
    /// ```
    pub fn reset(&mut self) {
        self.consecutive = 0;
    }

    /// The delay before the next restart, and a step further in the
    /// sequence: the [nominal delay](BackoffPolicy::nominal_delay) of this
    /// attempt times a factor drawn from `1 - jitter` up to (not including)
    /// `1 + jitter`, never above `max`. Zero, without drawing a random
    /// number, when the policy has no backoff ([`BackoffPolicy::is_none`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use supervisor_core::{BackoffPolicy, policy::{BackoffState, JitterRng}};
    ///
    /// let policy = BackoffPolicy::DEFAULT; // 50 ms doubling to 5 s, jitter 0.2
    /// let mut state = BackoffState::new(JitterRng::seeded(7));
    /// let first = state.next_delay(&policy);
    /// assert!(first >= Duration::from_millis(40) && first < Duration::from_millis(60));
    /// let second = state.next_delay(&policy);
    /// assert!(second >= Duration::from_millis(80) && second < Duration::from_millis(120));
    ///
    /// // The same seed gives the same delays.
    /// let mut again = BackoffState::new(JitterRng::seeded(7));
    /// assert_eq!(again.next_delay(&policy), first);
    ///
    /// // No backoff: every restart at once.
    /// assert_eq!(state.next_delay(&BackoffPolicy::NONE), Duration::ZERO);
    /// ```
    pub fn next_delay(&mut self, policy: &BackoffPolicy) -> Duration {
        self.consecutive = self.consecutive.saturating_add(1);
        if policy.is_none() {
            return Duration::ZERO;
        }
        let nominal = policy.nominal_delay(self.consecutive);
        if policy.jitter <= 0.0 {
            return nominal;
        }
        let factor = 1.0 + policy.jitter * self.rng.next_unit();
        Duration::try_from_secs_f64(nominal.as_secs_f64() * factor.max(0.0))
            .map_or(policy.max, |delay| delay.min(policy.max))
    }
}
