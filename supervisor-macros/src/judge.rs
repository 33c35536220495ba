//! Judges a declaration at expansion with the rule table's own predicates
//! (`supervisor_rules`), and turns each broken rule into a compile error at
//! the offending token: the rule's message, the particulars, its fix and
//! `[name]`, as a `SpecError` says it at run time.

use proc_macro2::Span;
use supervisor_rules::{Blame, Facts, Key, Keys, Rule, broken};

use crate::{duration, errors::Errors};

/// Where a key is written in the attributes: the span of the key or of its
/// value, as the rule's [`Blame`] asks; `None` when it is not written.
pub(crate) type Written<'a> = &'a dyn Fn(Key, Blame) -> Option<Span>;

/// The particulars of a rule broken at a key, or an empty text.
pub(crate) type Particulars<'a> = &'a dyn Fn(&Rule, Key, &Facts<'_>) -> String;

/// What a macro knows of one declaration.
pub(crate) struct Declaration<'a> {
    /// The facts the attributes state.
    pub(crate) facts: Facts<'a>,
    /// Which facts are known: a key whose value could not be read, or that
    /// this attribute cannot see, is not, and no rule that reads it is
    /// judged, so its own error is the only one.
    pub(crate) known: Keys,
    /// Where each key is written.
    pub(crate) written: Written<'a>,
}

impl Declaration<'_> {
    /// Records an error for every rule the declaration breaks, each with
    /// the particulars `detail` gives.
    pub(crate) fn judge(&self, detail: Particulars<'_>, errors: &mut Errors) {
        for (rule, at) in broken(&self.facts, self.known) {
            let span = blame(rule, at, self.written).unwrap_or_else(Span::call_site);
            errors.push(error(rule, span, &detail(rule, at, &self.facts)));
        }
    }
}

/// Where an error about `rule` broken at `at` points: at `at` where it is
/// written, else at the first key the rule reads that is.
pub(crate) fn blame(rule: &Rule, at: Key, written: Written<'_>) -> Option<Span> {
    std::iter::once(&at)
        .chain(rule.reads)
        .find_map(|key| written(*key, rule.blame))
}

/// The compile error for `rule` at `span`; `detail` gives the values
/// involved, or is empty.
pub(crate) fn error(rule: &Rule, span: Span, detail: &str) -> syn::Error {
    let message = if detail.is_empty() {
        rule.message.to_owned()
    } else {
        format!("{} ({detail})", rule.message)
    };
    syn::Error::new(span, rule.explain(&message))
}

type Detail = fn(&Facts<'_>, Key, Keys) -> String;

/// The rules whose compile errors name the values involved; `Keys` are
/// the keys written.
const DETAILS: &[(&Rule, Detail)] = &[
    (&supervisor_rules::INVALID_CHILD_ID, |child, _, _| {
        format!("id is \"{}\"", child.id)
    }),
    (
        &supervisor_rules::PRIMARY_WITHOUT_SIDECAR,
        |child, _, written| {
            let default = if written.contains(Key::Role) {
                ""
            } else {
                ", the default"
            };
            format!("the role is \"{}\"{default}", child.role.as_str())
        },
    ),
    (&supervisor_rules::SIGNIFICANT_PERMANENT, |child, _, _| {
        let restart = child.effective_restart().as_str();
        if child.restart_is_role_default() {
            let role = child.role.as_str();
            format!("role \"{role}\" restarts \"{restart}\" by default")
        } else {
            format!("restart is \"{restart}\"")
        }
    }),
    (
        &supervisor_rules::BACKOFF_INITIAL_ABOVE_MAX,
        |child, _, _| {
            let backoff = child.backoff.unwrap_or(supervisor_rules::Backoff::DEFAULT);
            let (initial, max) = (
                duration::format(backoff.initial),
                duration::format(backoff.max),
            );
            format!("initial {initial} > max {max}")
        },
    ),
    (
        &supervisor_rules::BACKOFF_JITTER_OUT_OF_RANGE,
        |child, _, _| {
            let backoff = child.backoff.unwrap_or(supervisor_rules::Backoff::DEFAULT);
            format!("jitter is {}", backoff.jitter)
        },
    ),
    (
        &supervisor_rules::BACKOFF_MULTIPLIER_BELOW_ONE,
        |child, _, _| {
            let backoff = child.backoff.unwrap_or(supervisor_rules::Backoff::DEFAULT);
            format!("multiplier is {}", backoff.multiplier)
        },
    ),
    (&supervisor_rules::ZERO_DEADLINE, |_, at, _| {
        format!("`{at}` is 0s")
    }),
    (&supervisor_rules::HEARTBEAT_WITHOUT_CONTEXT, |_, _, _| {
        "the fn takes no `ChildContext`".to_owned()
    }),
    (
        &supervisor_rules::READY_TIMEOUT_WITHOUT_CONTEXT,
        |_, _, _| "the fn takes no `ChildContext`".to_owned(),
    ),
];

/// The particulars of `rule` broken at `at` by `child`, whose attributes
/// write the keys `written`; empty for a rule whose message says it all.
pub(crate) fn detail(rule: &Rule, at: Key, child: &Facts<'_>, written: Keys) -> String {
    DETAILS
        .iter()
        .find(|(known, _)| known.is(rule))
        .map(|(_, detail)| detail(child, at, written))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_ends_with_the_fix_and_the_rule_name_in_brackets() {
        for rule in supervisor_rules::RULES {
            let message = error(rule, Span::call_site(), "x").to_string();
            assert!(message.ends_with(&format!("; fix: {} [{}]", rule.fix, rule.name)));
            assert!(message.starts_with(&format!("{} (x)", rule.message)));
        }
    }
}
