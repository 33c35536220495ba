//! The rules of the table that a `#[supervised]` declaration can break on
//! its own, judged with the table's predicates, all reported together.

use supervisor_rules::{Facts, Runs};

use crate::{errors::Errors, judge};

use super::{attr::ChildAttrs, signature::TaskSignature};

/// Records every rule `attrs` break, given the fn's signature.
pub(crate) fn check(attrs: &ChildAttrs, signature: &TaskSignature, errors: &mut Errors) {
    let id = attrs.policy.id.value().map(syn::LitStr::value);
    let runs = Runs::Task {
        context: signature.context.is_some(),
    };
    let mut facts = Facts::new(id.as_deref().unwrap_or(""), attrs.role().fact(), runs);
    facts.has_primary = attrs.primary.get().is_some();
    attrs.policy.record(&mut facts);
    let written = attrs.written();
    let declaration = judge::Declaration {
        facts,
        known: attrs.known(),
        written: &|key, blame| attrs.span(key, blame),
    };
    declaration.judge(
        &|rule, at, facts| judge::detail(rule, at, facts, written),
        errors,
    );
}
