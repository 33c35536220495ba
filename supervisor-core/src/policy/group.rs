//! Which siblings restart with a child: the restart strategies of OTP as a
//! pure function.

use crate::spec::Strategy;

/// The siblings that a restart of `child` stops and starts again with it,
/// in start order, `child` itself left out.
///
/// `siblings` are the children that are meant to be running (not stopped
/// for good), in start order; `K` orders children by start order. The group
/// is:
///
/// - `one_for_one`: the child's own sidecars only;
/// - `one_for_all`: every sibling;
/// - `rest_for_one`: the siblings started after the child, and its
///   sidecars.
///
/// A sidecar always follows its primary, whatever the strategy.
///
/// # Examples
///
/// ```
/// use supervisor_core::{Strategy, policy::restart_group};
///
/// // Children 0, 1, 2, 3 in start order; 1 fails; 3 is a sidecar of 1.
/// let siblings = [0, 1, 2, 3];
/// assert_eq!(restart_group(Strategy::OneForOne, 1, &siblings, &[3]), [3]);
/// assert_eq!(restart_group(Strategy::OneForAll, 1, &siblings, &[3]), [0, 2, 3]);
/// assert_eq!(restart_group(Strategy::RestForOne, 1, &siblings, &[3]), [2, 3]);
/// ```
pub fn restart_group<K: Copy + Ord>(
    strategy: Strategy,
    child: K,
    siblings: &[K],
    sidecars: &[K],
) -> Vec<K> {
    let tied = |member: &&K| match strategy {
        Strategy::OneForOne => false,
        Strategy::OneForAll => **member != child,
        Strategy::RestForOne => **member > child,
    };
    let mut group: Vec<K> = siblings.iter().filter(tied).copied().collect();
    group.extend(sidecars.iter().filter(|&&sidecar| sidecar != child));
    group.sort_unstable();
    group.dedup();
    group
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [u32; 5] = [0, 1, 2, 3, 4];

    #[test]
    fn one_for_one_restarts_the_child_alone() {
        assert!(restart_group(Strategy::OneForOne, 2, &ALL, &[]).is_empty());
    }

    #[test]
    fn one_for_all_takes_every_sibling_in_start_order() {
        assert_eq!(
            restart_group(Strategy::OneForAll, 2, &ALL, &[]),
            [0, 1, 3, 4]
        );
    }

    #[test]
    fn rest_for_one_takes_the_siblings_started_after() {
        assert_eq!(restart_group(Strategy::RestForOne, 2, &ALL, &[]), [3, 4]);
        assert!(restart_group(Strategy::RestForOne, 4, &ALL, &[]).is_empty());
    }

    #[test]
    fn sidecars_follow_their_primary_under_every_strategy() {
        for strategy in [
            Strategy::OneForOne,
            Strategy::OneForAll,
            Strategy::RestForOne,
        ] {
            let group = restart_group(strategy, 1, &ALL, &[4]);
            assert!(group.contains(&4), "{strategy:?}: {group:?}");
            assert!(!group.contains(&1), "{strategy:?}: {group:?}");
        }
    }

    #[test]
    fn stopped_siblings_are_not_in_the_group() {
        assert_eq!(
            restart_group(Strategy::OneForAll, 1, &[0, 1, 4], &[]),
            [0, 4]
        );
    }

    #[test]
    fn the_group_has_no_duplicates() {
        assert_eq!(
            restart_group(Strategy::RestForOne, 0, &ALL, &[2, 3]),
            [1, 2, 3, 4]
        );
    }
}
