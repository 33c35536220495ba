//! The rules a derived tree's own attributes can break: the tree's id and
//! restart limit, and each `#[child(...)]` override's values. Rules that
//! need the children's own declarations are judged in const evaluation (see
//! `expand::checks`).

use crate::{errors::Errors, policy, rules};

use super::attr::{TreeAttrs, TreeField};

/// Records every rule broken by the tree's attributes and the overrides.
pub(crate) fn check(tree: &TreeAttrs, fields: &[TreeField], errors: &mut Errors) {
    if let Some(id) = tree.id.get() {
        let text = id.value.value();
        if !rules::is_valid_id(&text) {
            let detail = format!("the tree is a child when nested, and its id is \"{text}\"");
            errors.push(rules::INVALID_CHILD_ID.error(id.span, &detail));
        }
    }
    if let Some(limit) = tree.restart_limit.value() {
        policy::limit::check(limit, errors);
    }
    for field in fields {
        field.overrides.check_values(errors);
    }
}
