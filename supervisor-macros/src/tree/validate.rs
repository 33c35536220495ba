//! The rules a derived tree's own attributes can break, judged at
//! expansion with the table's predicates: the tree's id and restart limit,
//! and each `#[child(...)]` override's values on their own. Rules that need
//! the children's own declarations are judged in const evaluation (see
//! `expand::checks`).

use supervisor_rules::{self as rules, Facts, Key, Keys, Role, Runs};

use crate::{errors::Errors, judge, policy::Policy};

use super::attr::{TreeAttrs, TreeField};

/// Records every rule broken by the tree's attributes and the overrides.
pub(crate) fn check(tree: &TreeAttrs, fields: &[TreeField], errors: &mut Errors) {
    own_settings(tree, errors);
    for field in fields {
        overrides(&field.overrides, errors);
    }
}

/// The tree's id, which is its id as a child when nested, and its own
/// restart limit.
fn own_settings(tree: &TreeAttrs, errors: &mut Errors) {
    let id = tree.id.value().map(syn::LitStr::value);
    let mut facts = Facts::new(id.as_deref().unwrap_or(""), Role::Supervisor, Runs::Tree);
    facts.restart_limit = tree.restart_limit.value().map(|limit| limit.fact());
    let mut known = Keys::NONE;
    if id.is_some() {
        known = known.with(Key::Id);
    }
    if facts.restart_limit.is_some() {
        known = known.with(Key::RestartLimit);
    }
    let declaration = judge::Declaration {
        facts,
        known,
        written: &|key, blame| match key {
            Key::Id => tree.id.get().map(|id| id.at(blame)),
            _ => tree.restart_limit.value()?.span(key, blame),
        },
    };
    let detail = |rule: &rules::Rule, at, facts: &Facts<'_>| {
        if rule.is(&rules::INVALID_CHILD_ID) {
            let id = facts.id;
            format!("the tree is a child when nested, and its id is \"{id}\"")
        } else {
            judge::detail(rule, at, facts, known)
        }
    };
    declaration.judge(&detail, errors);
}

/// The rules an override's values break on their own; those that also
/// read the child's declaration are the const checks'.
fn overrides(policy: &Policy, errors: &mut Errors) {
    let id = policy.id.value().map(syn::LitStr::value);
    let mut facts = Facts::new(id.as_deref().unwrap_or(""), Role::Worker, Runs::Nothing);
    policy.record(&mut facts);
    let written = policy.given();
    let declaration = judge::Declaration {
        facts,
        known: written,
        written: &|key, blame| policy.span(key, blame),
    };
    declaration.judge(
        &|rule, at, facts| judge::detail(rule, at, facts, written),
        errors,
    );
}
