//! The rules of the runtime's table (`supervisor_core::rules::RULES`) that
//! an attribute can break on its own, judged at compile time. Names, messages
//! and fixes are the runtime's, so a compile error and a `SpecError` for the
//! same mistake end with the same `[name]`; the facade's tests check that
//! every rule the macros can meet has a compile-fail case.

use proc_macro2::Span;

/// One rule: the runtime's name, message and fix.
pub(crate) struct Rule {
    pub(crate) name: &'static str,
    message: &'static str,
    fix: &'static str,
}

impl Rule {
    /// The compile error for this rule at `span`; `detail` gives the values
    /// involved, or is empty.
    pub(crate) fn error(&self, span: Span, detail: &str) -> syn::Error {
        let detail = if detail.is_empty() {
            String::new()
        } else {
            format!(" ({detail})")
        };
        syn::Error::new(
            span,
            format_args!(
                "{}{detail}; fix: {} [{}]",
                self.message, self.fix, self.name
            ),
        )
    }
}

macro_rules! rules {
    ($($konst:ident = $name:literal, $message:literal, $fix:literal;)*) => {
        $(pub(crate) const $konst: Rule = Rule { name: $name, message: $message, fix: $fix };)*
        /// Every rule judged here.
        #[cfg(test)]
        pub(crate) const ALL: &[Rule] = &[$($konst),*];
    };
}

rules! {
    INVALID_CHILD_ID = "invalid_child_id",
        "a child id must be non-empty and must not contain `/`",
        "use a short name such as \"api\"";
    JOB_PERMANENT = "job_permanent",
        "a job cannot have restart = \"permanent\": it would run again after every success",
        "remove `restart` (jobs default to \"transient\"), or use role = \"service\" for a task that runs forever";
    SIDECAR_WITHOUT_PRIMARY = "sidecar_without_primary",
        "a sidecar must name the primary it serves",
        "add primary = <the id of the child it serves>";
    PRIMARY_WITHOUT_SIDECAR = "primary_without_sidecar",
        "only a sidecar has a primary",
        "remove `primary`, or set role = \"sidecar\"";
    SIGNIFICANT_PERMANENT = "significant_permanent",
        "a significant child cannot have restart = \"permanent\": it never exits for good",
        "set restart = \"transient\" or \"temporary\", or drop `significant`";
    TEMPORARY_WITH_BACKOFF = "temporary_with_backoff",
        "a temporary child is never restarted, so `backoff` would never apply",
        "remove `backoff`, or set restart = \"transient\"";
    TEMPORARY_WITH_RESTART_LIMIT = "temporary_with_restart_limit",
        "a temporary child is never restarted, so `restart_limit` would never apply",
        "remove `restart_limit`, or set restart = \"transient\"";
    BACKOFF_INITIAL_ABOVE_MAX = "backoff_initial_above_max",
        "backoff `initial` is above `max`",
        "lower `initial` or raise `max` so that initial <= max";
    BACKOFF_JITTER_OUT_OF_RANGE = "backoff_jitter_out_of_range",
        "backoff `jitter` must be within 0.0..=1.0",
        "use a fraction such as jitter = 0.2";
    BACKOFF_MULTIPLIER_BELOW_ONE = "backoff_multiplier_below_one",
        "backoff `multiplier` must be at least 1.0",
        "use multiplier = 1.0 for a constant delay, or 2.0 to double it";
    RESTART_LIMIT_ZERO_MAX = "restart_limit_zero_max",
        "`restart_limit` with max = 0 allows no restart at all",
        "set max to 1 or more, or use restart = \"temporary\" for a child that is never restarted";
    RESTART_LIMIT_ZERO_WINDOW = "restart_limit_zero_window",
        "`restart_limit` with within = \"0s\" never counts a restart",
        "use a window such as within = \"60s\"";
    ZERO_DEADLINE = "zero_deadline",
        "`timeout`, `ready_timeout` and `heartbeat` must be longer than zero",
        "give a positive duration such as \"10s\", or leave the key out";
    HEARTBEAT_WITHOUT_CONTEXT = "heartbeat_without_context",
        "`heartbeat` needs a task that takes a `ChildContext` to call `ctx.heartbeat()`",
        "add a `ctx: ChildContext` argument and call `ctx.heartbeat()`, or remove `heartbeat`";
    READY_TIMEOUT_WITHOUT_CONTEXT = "ready_timeout_without_context",
        "`ready_timeout` needs a task that takes a `ChildContext` to call `ctx.ready()`",
        "add a `ctx: ChildContext` argument and call `ctx.ready()`, or remove `ready_timeout`";
}

/// Whether `id` is a valid child id, as the runtime judges it.
pub(crate) fn is_valid_id(id: &str) -> bool {
    !id.is_empty() && !id.contains('/')
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_error_ends_with_the_rule_name_in_brackets() {
        for rule in super::ALL {
            let message = rule.error(proc_macro2::Span::call_site(), "x").to_string();
            assert!(message.ends_with(&format!("[{}]", rule.name)), "{message}");
            assert!(message.contains("; fix: "), "{message}");
        }
    }
}
