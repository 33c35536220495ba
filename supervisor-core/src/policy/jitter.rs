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
/// assert!((-1.0..1.0).contains(&x));
/// ```
#[derive(Debug, Clone)]
pub struct JitterRng {
    state: u64,
}

impl JitterRng {
    /// A source that always yields the same sequence for `seed`.
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::policy::JitterRng;
    ///
    /// let draw = |seed| {
    ///     let mut rng = JitterRng::seeded(seed);
    ///     [rng.next_u64(), rng.next_u64(), rng.next_u64()]
    /// };
    /// assert_eq!(draw(7), draw(7));
    /// assert_ne!(draw(7), draw(8));
    /// ```
    pub const fn seeded(seed: u64) -> Self {
        JitterRng { state: seed }
    }

    /// A source seeded from the process's random hasher keys: a different
    /// sequence from one source to the next. A tree whose spec sets no
    /// `jitter_seed` draws its seed from one of these.
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::SupervisorSpec;
    /// use supervisor_core::policy::JitterRng;
    ///
    /// // Pick a random seed, but log it, so a bad run can be replayed.
    /// let seed = JitterRng::from_entropy().next_u64();
    /// println!("jitter seed {seed}");
    /// let app = SupervisorSpec::new("app").jitter_seed(seed);
    /// assert_eq!(app.jitter_seed, Some(seed));
    /// ```
    pub fn from_entropy() -> Self {
        JitterRng::seeded(RandomState::new().hash_one(0x5eed_u64))
    }

    /// A source for one member of a family: `seed` mixed with `stream`
    /// (a child's index, say), so siblings do not share a sequence.
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::policy::JitterRng;
    ///
    /// let tree_seed = 42;
    /// let mut first = JitterRng::derive(tree_seed, 0);
    /// let mut second = JitterRng::derive(tree_seed, 1);
    /// assert_ne!(first.next_u64(), second.next_u64());
    /// // The same seed and stream give the same sequence again.
    /// assert_eq!(
    ///     JitterRng::derive(tree_seed, 1).next_u64(),
    ///     JitterRng::derive(tree_seed, 1).next_u64(),
    /// );
    /// ```
    pub fn derive(seed: u64, stream: u64) -> Self {
        let mut mix = JitterRng::seeded(seed ^ stream.wrapping_mul(0x9e37_79b9_7f4a_7c15));
        JitterRng::seeded(mix.next_u64())
    }

    /// The next 64 random bits.
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::policy::JitterRng;
    ///
    /// let mut rng = JitterRng::seeded(7);
    /// let first = rng.next_u64();
    /// assert_ne!(rng.next_u64(), first); // the source moves on at each draw
    /// ```
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number spread evenly over `-1.0..1.0` (1.0 itself never comes),
    /// drawn from the next 53 random bits: the jitter factor of a delay.
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::policy::JitterRng;
    ///
    /// let mut rng = JitterRng::seeded(7);
    /// let draws: Vec<f64> = (0..1000).map(|_| rng.next_unit()).collect();
    /// assert!(draws.iter().all(|x| (-1.0..1.0).contains(x)));
    /// // Both signs come up: a delay is spread either way.
    /// assert!(draws.iter().any(|&x| x < 0.0) && draws.iter().any(|&x| x > 0.0));
    /// ```
    pub fn next_unit(&mut self) -> f64 {
        let fraction = (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        fraction * 2.0 - 1.0
    }
}
