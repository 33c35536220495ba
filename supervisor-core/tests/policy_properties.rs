//! Properties of the intensity window and backoff, over generated histories.

use std::time::Duration;

use proptest::prelude::*;
use supervisor_core::{
    BackoffPolicy, RestartLimit,
    policy::{BackoffState, JitterRng, RestartWindow},
};
use tokio::time::Instant;

/// The obvious model: keep every accepted instant, count those in the window.
struct NaiveWindow {
    limit: RestartLimit,
    accepted: Vec<Instant>,
}

impl NaiveWindow {
    fn try_record(&mut self, now: Instant) -> bool {
        let in_window = self
            .accepted
            .iter()
            .filter(|&&at| now.duration_since(at) < self.limit.within)
            .count();
        let allowed = in_window < self.limit.max as usize;
        if allowed {
            self.accepted.push(now);
        }
        allowed
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 10_000, ..ProptestConfig::default() })]

    #[test]
    fn intensity_window_agrees_with_the_naive_model(
        max in 1u32..8,
        within_ms in 1u64..200,
        gaps in proptest::collection::vec(0u64..120, 1..60),
    ) {
        let limit = RestartLimit::new(max, Duration::from_millis(within_ms));
        let mut ring = RestartWindow::new(limit);
        let mut naive = NaiveWindow { limit, accepted: Vec::new() };
        let mut now = Instant::now();
        for gap in gaps {
            now += Duration::from_millis(gap);
            prop_assert_eq!(ring.try_record(now).is_ok(), naive.try_record(now));
        }
    }
}

fn policy() -> impl Strategy<Value = BackoffPolicy> {
    (1u64..1_000, 1u64..60_000, 1.0f64..4.0, 0.0f64..=1.0).prop_map(
        |(initial_ms, extra_ms, multiplier, jitter)| {
            BackoffPolicy::DEFAULT
                .initial(Duration::from_millis(initial_ms))
                .max(Duration::from_millis(initial_ms + extra_ms))
                .multiplier(multiplier)
                .jitter(jitter)
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2_000, ..ProptestConfig::default() })]

    #[test]
    fn backoff_stays_within_jitter_of_nominal_and_never_above_max(
        policy in policy(),
        seed in any::<u64>(),
        attempts in 1usize..40,
    ) {
        let mut state = BackoffState::new(JitterRng::seeded(seed));
        for attempt in 1..=attempts as u32 {
            let delay = state.next_delay(&policy).as_secs_f64();
            let nominal = policy.nominal_delay(attempt).as_secs_f64();
            let slack = 1e-9;
            prop_assert!(delay <= policy.max.as_secs_f64() + slack);
            prop_assert!(delay >= nominal * (1.0 - policy.jitter) - slack);
            prop_assert!(delay <= nominal * (1.0 + policy.jitter) + slack);
        }
    }

    #[test]
    fn same_seed_gives_the_same_delays(policy in policy(), seed in any::<u64>()) {
        let delays = |seed| {
            let mut state = BackoffState::new(JitterRng::seeded(seed));
            (0..20).map(|_| state.next_delay(&policy)).collect::<Vec<_>>()
        };
        prop_assert_eq!(delays(seed), delays(seed));
    }
}

#[test]
fn different_seeds_spread_the_delays() {
    let policy = BackoffPolicy::DEFAULT;
    let first = |seed| BackoffState::new(JitterRng::seeded(seed)).next_delay(&policy);
    let distinct: std::collections::BTreeSet<_> = (0..50).map(first).collect();
    assert!(
        distinct.len() > 40,
        "only {} distinct delays",
        distinct.len()
    );
}

#[test]
fn a_huge_limit_allocates_only_for_restarts_seen() {
    let mut window = RestartWindow::new(RestartLimit::new(1_000_000, Duration::from_secs(1)));
    let now = Instant::now();
    window.try_record(now).unwrap();
    assert_eq!(window.count_within(now), 1);
}
