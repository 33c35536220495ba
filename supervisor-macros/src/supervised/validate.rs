//! The rules of the table that a `#[supervised]` declaration can break on
//! its own, each judged by one function, all reported together.

use crate::{
    choice::{Choice as _, Restart, Role},
    errors::Errors,
    rules,
};

use super::{attr::ChildAttrs, signature::TaskSignature};

/// Records every rule `attrs` break, given the fn's signature.
pub(crate) fn check(attrs: &ChildAttrs, signature: &TaskSignature, errors: &mut Errors) {
    attrs.policy.check_values(errors);
    job_permanent(attrs, errors);
    sidecar_primary(attrs, errors);
    significant_permanent(attrs, errors);
    temporary_never_restarts(attrs, errors);
    needs_context(attrs, signature, errors);
}

/// `job_permanent`: a job restarted after success would never be done.
fn job_permanent(attrs: &ChildAttrs, errors: &mut Errors) {
    if let Some(restart) = attrs.policy.restart.get() {
        if attrs.role() == Role::Job && restart.value == Restart::Permanent {
            errors.push(rules::JOB_PERMANENT.error(restart.span, ""));
        }
    }
}

/// `sidecar_without_primary` and `primary_without_sidecar`.
fn sidecar_primary(attrs: &ChildAttrs, errors: &mut Errors) {
    if attrs.role.is_broken() || attrs.primary.is_broken() {
        return;
    }
    let role = attrs.role.get();
    match (attrs.role(), attrs.primary.get()) {
        (Role::Sidecar, None) => {
            let span = role.map_or_else(proc_macro2::Span::call_site, |role| role.span);
            errors.push(rules::SIDECAR_WITHOUT_PRIMARY.error(span, ""));
        }
        (other, Some(primary)) if other != Role::Sidecar => {
            let default = if role.is_none() { ", the default" } else { "" };
            let detail = format!("the role is \"{}\"{default}", other.name());
            errors.push(rules::PRIMARY_WITHOUT_SIDECAR.error(primary.key, &detail));
        }
        _ => {}
    }
}

/// `significant_permanent`: OTP's rule, with the role's default restart.
fn significant_permanent(attrs: &ChildAttrs, errors: &mut Errors) {
    let Some(significant) = attrs.policy.significant.get().filter(|s| s.value) else {
        return;
    };
    if attrs.role.is_broken() || attrs.policy.restart.is_broken() {
        return;
    }
    let role = attrs.role();
    let detail = match attrs.policy.restart.value() {
        Some(Restart::Permanent) => "restart is \"permanent\"".to_owned(),
        Some(_) => return,
        None if role.default_restart() == Restart::Permanent => {
            format!("role \"{}\" restarts \"permanent\" by default", role.name())
        }
        None => return,
    };
    errors.push(rules::SIGNIFICANT_PERMANENT.error(significant.key, &detail));
}

/// `temporary_with_backoff` and `temporary_with_restart_limit`.
fn temporary_never_restarts(attrs: &ChildAttrs, errors: &mut Errors) {
    if attrs.policy.restart.value() != Some(&Restart::Temporary) {
        return;
    }
    if let Some(backoff) = attrs.policy.backoff.get() {
        errors.push(rules::TEMPORARY_WITH_BACKOFF.error(backoff.key, ""));
    }
    if let Some(limit) = attrs.policy.restart_limit.get() {
        errors.push(rules::TEMPORARY_WITH_RESTART_LIMIT.error(limit.key, ""));
    }
}

/// `heartbeat_without_context` and `ready_timeout_without_context`.
fn needs_context(attrs: &ChildAttrs, signature: &TaskSignature, errors: &mut Errors) {
    if signature.context.is_some() {
        return;
    }
    let detail = "the fn takes no `ChildContext`";
    if let Some(heartbeat) = attrs.policy.heartbeat.get() {
        errors.push(rules::HEARTBEAT_WITHOUT_CONTEXT.error(heartbeat.key, detail));
    }
    if let Some(ready) = attrs.policy.ready_timeout.get() {
        errors.push(rules::READY_TIMEOUT_WITHOUT_CONTEXT.error(ready.key, detail));
    }
}
