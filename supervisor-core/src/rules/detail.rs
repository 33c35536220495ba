//! The particulars of a violation found at run time: the values involved,
//! the ids and indexes of the children concerned. A rule without an entry
//! here says its own message.

use super::{Facts, Key, Rule, judge::Place};
use crate::spec::duration::format;

type Detail = fn(&Facts<'_>, Key, &Place<'_>) -> String;

/// The rules whose violations name more than the rule's message.
const DETAILS: &[(&Rule, Detail)] = &[
    (&super::INVALID_CHILD_ID, |child, _, place| {
        match place.index {
            Some(index) => format!("children[{index}] has id {:?}", child.id),
            None => format!("the new child has id {:?}", child.id),
        }
    }),
    (&super::DUPLICATE_CHILD_ID, |child, _, place| {
        match (place.same_id, place.index) {
            (Some(first), Some(index)) => format!(
                "children[{first}] and children[{index}] both have id {:?}",
                child.id
            ),
            _ => format!("a child with id {:?} already exists", child.id),
        }
    }),
    (&super::NO_TASK, |child, _, _| {
        format!("child {:?} has no task and no nested tree", child.id)
    }),
    (&super::TASK_AND_TREE, |child, _, _| {
        format!("child {:?} has a task and a nested tree", child.id)
    }),
    (&super::TREE_ROLE, |child, _, _| {
        format!("a nested tree runs with role {:?}", child.role.as_str())
    }),
    (&super::SIDECAR_WITHOUT_PRIMARY, |child, _, _| {
        format!("sidecar {:?} names no primary", child.id)
    }),
    (&super::PRIMARY_WITHOUT_SIDECAR, |child, _, place| {
        let primary = place.primary.unwrap_or_default();
        format!("a {} names primary {primary:?}", child.role.as_str())
    }),
    (&super::PRIMARY_IS_SIDECAR, |_, _, place| {
        format!(
            "primary {:?} is a sidecar",
            place.primary.unwrap_or_default()
        )
    }),
    (&super::PRIMARY_NOT_IN_TREE, |_, _, place| {
        let primary = place.primary.unwrap_or_default();
        format!("primary {primary:?} is not a child of {:?}", place.parent)
    }),
    (&super::PRIMARY_STARTS_AFTER, |_, _, place| {
        let primary = place.primary.unwrap_or_default();
        let (index, at) = (place.index.unwrap_or(0), place.primary_index.unwrap_or(0));
        format!("sidecar is children[{index}] but its primary {primary:?} is children[{at}]")
    }),
    (&super::SIGNIFICANT_PERMANENT, |child, _, _| {
        let source = if child.restart_is_role_default() {
            format!("the default of role {:?}", child.role.as_str())
        } else {
            "declared".to_owned()
        };
        format!("significant child restarts \"permanent\" ({source})")
    }),
    (&super::BACKOFF_INITIAL_ABOVE_MAX, |child, _, _| {
        let backoff = child.backoff.unwrap_or(super::Backoff::DEFAULT);
        let (initial, max) = (format(backoff.initial), format(backoff.max));
        format!("backoff initial {initial} is above max {max}")
    }),
    (&super::BACKOFF_JITTER_OUT_OF_RANGE, |child, _, _| {
        let backoff = child.backoff.unwrap_or(super::Backoff::DEFAULT);
        format!("backoff jitter is {}", backoff.jitter)
    }),
    (&super::BACKOFF_MULTIPLIER_BELOW_ONE, |child, _, _| {
        let backoff = child.backoff.unwrap_or(super::Backoff::DEFAULT);
        format!("backoff multiplier is {}", backoff.multiplier)
    }),
    (&super::RESTART_LIMIT_ZERO_MAX, |_, _, _| {
        "restart_limit max is 0".to_owned()
    }),
    (&super::RESTART_LIMIT_ZERO_WINDOW, |_, _, _| {
        "restart_limit within is 0s".to_owned()
    }),
    (&super::ZERO_DEADLINE, |_, at, _| format!("{at} is 0s")),
    (&super::HEARTBEAT_WITHOUT_CONTEXT, |child, _, _| {
        format!("child {:?} takes no ChildContext", child.id)
    }),
    (&super::HEARTBEAT_ON_TREE, |child, _, _| {
        format!("nested tree {:?} has a heartbeat", child.id)
    }),
    (&super::READY_TIMEOUT_WITHOUT_CONTEXT, |child, _, _| {
        format!("child {:?} takes no ChildContext", child.id)
    }),
];

/// The particulars of `rule` broken at `at` by `child` in its `place`.
pub(super) fn of(rule: &Rule, at: Key, child: &Facts<'_>, place: &Place<'_>) -> String {
    DETAILS
        .iter()
        .find(|(known, _)| known.is(rule))
        .map_or_else(
            || rule.message.to_owned(),
            |(_, detail)| detail(child, at, place),
        )
}
