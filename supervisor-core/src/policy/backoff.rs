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
    pub fn new(rng: JitterRng) -> Self {
        BackoffState {
            consecutive: 0,
            rng,
        }
    }

    /// How many delays have been handed out since the last reset.
    pub fn consecutive(&self) -> u32 {
        self.consecutive
    }

    /// Starts the sequence again from `initial`.
    pub fn reset(&mut self) {
        self.consecutive = 0;
    }

    /// The delay before the next restart: the nominal delay of this attempt
    /// spread by the jitter, never above `max`. Zero, without drawing a
    /// random number, when the policy has no backoff.
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
