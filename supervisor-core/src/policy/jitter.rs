//! A small seedable random source for backoff jitter.

use std::hash::{BuildHasher, RandomState};

/// A seedable random source (SplitMix64): the same seed gives the same
/// sequence, so backoff delays are reproducible in tests.
///
/// # Examples
///
/// ```
/// use supervisor_core::policy::JitterRng;
///
/// let mut a = JitterRng::seeded(7);
/// let mut b = JitterRng::seeded(7);
/// assert_eq!(a.next_u64(), b.next_u64());
/// let x = a.next_unit();
/// assert!((-1.0..=1.0).contains(&x));
/// ```
#[derive(Debug, Clone)]
pub struct JitterRng {
    state: u64,
}

impl JitterRng {
    /// A source that always yields the same sequence for `seed`.
    pub const fn seeded(seed: u64) -> Self {
        JitterRng { state: seed }
    }

    /// A source seeded from the process's random hasher keys.
    pub fn from_entropy() -> Self {
        JitterRng::seeded(RandomState::new().hash_one(0x5eed_u64))
    }

    /// A source for one member of a family: `seed` mixed with `stream`
    /// (a child's index, say), so siblings do not share a sequence.
    pub fn derive(seed: u64, stream: u64) -> Self {
        let mut mix = JitterRng::seeded(seed ^ stream.wrapping_mul(0x9e37_79b9_7f4a_7c15));
        JitterRng::seeded(mix.next_u64())
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number spread evenly over `-1.0..=1.0`.
    pub fn next_unit(&mut self) -> f64 {
        let fraction = (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        fraction * 2.0 - 1.0
    }
}
