//! The table: for each rule its texts, where it points, what it reads and
//! its predicate, in the order the rules are checked.
//!
//! A rule is one entry here. The judges (the macros, a derived tree's const
//! checks, `SupervisorSpec::validate`, `add_child`) walk [`RULES`] and call
//! [`Rule::is_broken`] with the facts they gather, so a new entry is judged
//! everywhere a declaration can break it.

use crate::{Backoff, Blame, Facts, Key, Limit, PrimarySibling, Restart, Role, Rule, Runs};

macro_rules! rule_table {
    ($(
        $(#[$doc:meta])*
        $konst:ident {
            name: $name:literal,
            at: [$($at:ident),+],
            reads: [$($reads:ident),*],
            blame: $blame:ident,
            message: $message:literal,
            fix: $fix:literal,
            broken: |$child:ident, $at_key:ident| $broken:expr,
        }
    )*) => {
        /// Which predicate a [`Rule`] is judged by.
        #[allow(non_camel_case_types)]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub(crate) enum Check {
            $($konst,)*
        }

        /// Runs the predicate of `check`.
        pub(crate) const fn is_broken(check: Check, child: &Facts<'_>, at: Key) -> bool {
            match check {
                $(Check::$konst => {
                    let $child = child;
                    let $at_key = at;
                    $broken
                })*
            }
        }

        $(
            $(#[$doc])*
            pub const $konst: Rule = Rule {
                name: $name,
                field: [$(Key::$at),+][0].name(),
                message: $message,
                fix: $fix,
                at: &[$(Key::$at),+],
                reads: &[$(Key::$reads),*],
                blame: Blame::$blame,
                check: Check::$konst,
            };
        )*

        /// Every rule, in the order they are checked.
        pub const RULES: &[Rule] = &[$($konst),*];
    };
}

#[cfg(test)]
mod tests;

rule_table! {
    /// A child id must be non-empty and free of `/`, the path separator.
    INVALID_CHILD_ID {
        name: "invalid_child_id",
        at: [Id],
        reads: [],
        blame: Value,
        message: "a child id must be non-empty and must not contain `/`",
        fix: "use a short name such as \"api\"",
        broken: |child, _at| !crate::is_valid_id(child.id),
    }
    /// Two children of one supervisor share an id.
    DUPLICATE_CHILD_ID {
        name: "duplicate_child_id",
        at: [Id],
        reads: [Siblings],
        blame: Value,
        message: "two children of one supervisor have the same id",
        fix: "give each child its own `id`",
        broken: |child, _at| child.siblings.id_taken,
    }
    /// A child has neither a task nor a nested tree.
    NO_TASK {
        name: "no_task",
        at: [Task],
        reads: [],
        blame: Key,
        message: "the child has no task to run",
        fix: "give it a task with `ChildSpec::task`, or a tree with `ChildSpec::supervisor`",
        broken: |child, _at| matches!(child.runs, Runs::Nothing),
    }
    /// A child has both a task and a nested tree.
    TASK_AND_TREE {
        name: "task_and_tree",
        at: [Tree],
        reads: [],
        blame: Key,
        message: "the child has both a task and a nested tree",
        fix: "keep one: a nested tree runs as a `supervisor` child without a task",
        broken: |child, _at| matches!(child.runs, Runs::TaskAndTree),
    }
    /// A nested tree on a child whose role is not `supervisor`.
    TREE_ROLE {
        name: "tree_role",
        at: [Role],
        reads: [Task],
        blame: Value,
        message: "a child that runs a nested tree must have role \"supervisor\"",
        fix: "set role = \"supervisor\"",
        broken: |child, _at| {
            matches!(child.runs, Runs::Tree) && !matches!(child.role, Role::Supervisor)
        },
    }
    /// A job restarts permanently, so it would never finish.
    JOB_PERMANENT {
        name: "job_permanent",
        at: [Restart],
        reads: [Role],
        blame: Value,
        message: "a job cannot have restart = \"permanent\": it would run again after every success",
        fix: "remove `restart` (jobs default to \"transient\"), or use role = \"service\" for a task that runs forever",
        broken: |child, _at| {
            matches!(child.role, Role::Job) && matches!(child.restart, Some(Restart::Permanent))
        },
    }
    /// A sidecar without a primary.
    SIDECAR_WITHOUT_PRIMARY {
        name: "sidecar_without_primary",
        at: [Primary],
        reads: [Role],
        blame: Value,
        message: "a sidecar must name the primary it serves",
        fix: "add primary = <the id of the child it serves>",
        broken: |child, _at| matches!(child.role, Role::Sidecar) && !child.has_primary,
    }
    /// A primary on a child that is not a sidecar.
    PRIMARY_WITHOUT_SIDECAR {
        name: "primary_without_sidecar",
        at: [Primary],
        reads: [Role],
        blame: Key,
        message: "only a sidecar has a primary",
        fix: "remove `primary`, or set role = \"sidecar\"",
        broken: |child, _at| child.has_primary && !matches!(child.role, Role::Sidecar),
    }
    /// A sidecar's primary is itself a sidecar.
    PRIMARY_IS_SIDECAR {
        name: "primary_is_sidecar",
        at: [Primary],
        reads: [Role, Siblings],
        blame: Key,
        message: "a sidecar's primary must not be a sidecar itself",
        fix: "name the child the other sidecar serves as the primary",
        broken: |child, _at| {
            matches!(child.role, Role::Sidecar)
                && matches!(child.siblings.primary, PrimarySibling::Found { sidecar: true, .. })
        },
    }
    /// A sidecar's primary is not among its siblings.
    PRIMARY_NOT_IN_TREE {
        name: "primary_not_in_tree",
        at: [Primary],
        reads: [Role, Siblings],
        blame: Key,
        message: "a sidecar's primary must be a child of the same supervisor",
        fix: "name a sibling as the primary, or move the sidecar into the primary's supervisor",
        broken: |child, _at| {
            matches!(child.role, Role::Sidecar)
                && matches!(child.siblings.primary, PrimarySibling::Missing)
        },
    }
    /// A sidecar starts before its primary.
    PRIMARY_STARTS_AFTER {
        name: "primary_starts_after",
        at: [Primary],
        reads: [Role, Siblings],
        blame: Key,
        message: "a sidecar must start after its primary",
        fix: "move the sidecar after its primary in the children list",
        broken: |child, _at| {
            matches!(child.role, Role::Sidecar)
                && matches!(child.siblings.primary, PrimarySibling::Found { later: true, .. })
        },
    }
    /// A significant child restarts permanently (OTP forbids it).
    SIGNIFICANT_PERMANENT {
        name: "significant_permanent",
        at: [Significant],
        reads: [Restart, Role],
        blame: Key,
        message: "a significant child cannot have restart = \"permanent\": it never exits for good",
        fix: "set restart = \"transient\" or \"temporary\", or drop `significant`",
        broken: |child, _at| {
            matches!(child.significant, Some(true))
                && matches!(child.effective_restart(), Restart::Permanent)
        },
    }
    /// A temporary child has a backoff that could never apply.
    TEMPORARY_WITH_BACKOFF {
        name: "temporary_with_backoff",
        at: [Backoff],
        reads: [Restart, Role],
        blame: Key,
        message: "a temporary child is never restarted, so `backoff` would never apply",
        fix: "remove `backoff`, or set restart = \"transient\"",
        broken: |child, _at| {
            matches!(child.effective_restart(), Restart::Temporary) && child.backoff.is_some()
        },
    }
    /// A temporary child has a restart limit that could never apply.
    TEMPORARY_WITH_RESTART_LIMIT {
        name: "temporary_with_restart_limit",
        at: [RestartLimit],
        reads: [Restart, Role],
        blame: Key,
        message: "a temporary child is never restarted, so `restart_limit` would never apply",
        fix: "remove `restart_limit`, or set restart = \"transient\"",
        broken: |child, _at| {
            matches!(child.effective_restart(), Restart::Temporary)
                && child.restart_limit.is_some()
        },
    }
    /// Backoff starts above its ceiling.
    BACKOFF_INITIAL_ABOVE_MAX {
        name: "backoff_initial_above_max",
        at: [BackoffInitial],
        reads: [BackoffMax],
        blame: Value,
        message: "backoff `initial` is above `max`",
        fix: "lower `initial` or raise `max` so that initial <= max",
        broken: |child, _at| match child.backoff {
            Some(Backoff { initial, max, .. }) => initial.as_nanos() > max.as_nanos(),
            None => false,
        },
    }
    /// Backoff jitter is not a fraction.
    BACKOFF_JITTER_OUT_OF_RANGE {
        name: "backoff_jitter_out_of_range",
        at: [BackoffJitter],
        reads: [],
        blame: Value,
        message: "backoff `jitter` must be within 0.0..=1.0",
        fix: "use a fraction such as jitter = 0.2",
        broken: |child, _at| match child.backoff {
            Some(Backoff { jitter, .. }) => jitter.is_nan() || jitter < 0.0 || jitter > 1.0,
            None => false,
        },
    }
    /// Backoff that would shrink.
    BACKOFF_MULTIPLIER_BELOW_ONE {
        name: "backoff_multiplier_below_one",
        at: [BackoffMultiplier],
        reads: [],
        blame: Value,
        message: "backoff `multiplier` must be at least 1.0",
        fix: "use multiplier = 1.0 for a constant delay, or 2.0 to double it",
        broken: |child, _at| match child.backoff {
            Some(Backoff { multiplier, .. }) => multiplier.is_nan() || multiplier < 1.0,
            None => false,
        },
    }
    /// A restart limit that allows no restart.
    RESTART_LIMIT_ZERO_MAX {
        name: "restart_limit_zero_max",
        at: [RestartLimitMax],
        reads: [],
        blame: Value,
        message: "`restart_limit` with max = 0 allows no restart at all",
        fix: "set max to 1 or more, or use restart = \"temporary\" for a child that is never restarted",
        broken: |child, _at| matches!(child.restart_limit, Some(Limit { max: 0, .. })),
    }
    /// A restart limit with an empty window.
    RESTART_LIMIT_ZERO_WINDOW {
        name: "restart_limit_zero_window",
        at: [RestartLimitWithin],
        reads: [],
        blame: Value,
        message: "`restart_limit` with within = \"0s\" never counts a restart",
        fix: "use a window such as within = \"60s\"",
        broken: |child, _at| match child.restart_limit {
            Some(Limit { within, .. }) => within.is_zero(),
            None => false,
        },
    }
    /// A deadline or a period of zero.
    ZERO_DEADLINE {
        name: "zero_deadline",
        at: [Timeout, ReadyTimeout, Heartbeat, Every],
        reads: [],
        blame: Value,
        message: "`timeout`, `ready_timeout`, `heartbeat` and `every` must be longer than zero",
        fix: "give a positive duration such as \"10s\", or leave the key out",
        broken: |child, at| matches!(child.duration(at), Some(deadline) if deadline.is_zero()),
    }
    /// A heartbeat on a task that cannot send one.
    HEARTBEAT_WITHOUT_CONTEXT {
        name: "heartbeat_without_context",
        at: [Heartbeat],
        reads: [Task],
        blame: Key,
        message: "`heartbeat` needs a task that takes a `ChildContext` to call `ctx.heartbeat()`",
        fix: "add a `ctx: ChildContext` argument and call `ctx.heartbeat()`, or remove `heartbeat`",
        broken: |child, _at| child.heartbeat.is_some() && child.lacks_context(),
    }
    /// A heartbeat on a nested tree, which has no task to send one.
    HEARTBEAT_ON_TREE {
        name: "heartbeat_on_tree",
        at: [Heartbeat],
        reads: [Task],
        blame: Key,
        message: "`heartbeat` needs a task that calls `ctx.heartbeat()`, and a nested tree has none: \
                  it would be restarted as failed at every period",
        fix: "remove `heartbeat` from the nested tree, and set it on the children inside it that call `ctx.heartbeat()`",
        broken: |child, _at| child.heartbeat.is_some() && matches!(child.runs, Runs::Tree),
    }
    /// A ready timeout on a task that cannot signal readiness.
    READY_TIMEOUT_WITHOUT_CONTEXT {
        name: "ready_timeout_without_context",
        at: [ReadyTimeout],
        reads: [Task],
        blame: Key,
        message: "`ready_timeout` needs a task that takes a `ChildContext` to call `ctx.ready()`",
        fix: "add a `ctx: ChildContext` argument and call `ctx.ready()`, or remove `ready_timeout`",
        broken: |child, _at| child.ready_timeout.is_some() && child.lacks_context(),
    }
    /// A period on a child that is not a job.
    EVERY_NOT_JOB {
        name: "every_not_job",
        at: [Every],
        reads: [Role],
        blame: Key,
        message: "only a job can have `every`: it runs the job again after each success",
        fix: "set role = \"job\" for work that runs on a period, or remove `every`",
        broken: |child, _at| child.every.is_some() && !matches!(child.role, Role::Job),
    }
    /// A period on a job that is never run again.
    EVERY_TEMPORARY {
        name: "every_temporary",
        at: [Every],
        reads: [Restart, Role],
        blame: Key,
        message: "a periodic job cannot have restart = \"temporary\": `every` runs it again after each success, \
                  and a temporary child never runs again",
        fix: "remove `restart` (a periodic job retries its failures with backoff), or remove `every` for a job that runs once",
        broken: |child, _at| {
            child.every.is_some()
                && matches!(child.role, Role::Job)
                && matches!(child.effective_restart(), Restart::Temporary)
        },
    }
}
