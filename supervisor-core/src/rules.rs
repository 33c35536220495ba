//! The rule table: every contradiction a spec can hold, judged the same way
//! wherever a spec comes from (the builder, a file, the macros).
//!
//! Each [`Rule`] has a stable [`name`](Rule::name), the field it concerns, a
//! message and a fix. [`SupervisorSpec::validate`] walks a whole tree and
//! returns every [`Violation`] at once in a [`SpecError`].

use std::{collections::HashMap, fmt, time::Duration};

use crate::spec::{ChildSpec, RestartLimit, RestartPolicy, SupervisorSpec, TaskRole};

/// One rule of the table.
///
/// # Examples
///
/// ```
/// use supervisor_core::rules;
///
/// let rule = rules::find("job_permanent").unwrap();
/// assert_eq!(rule.field, "restart");
/// assert!(rule.fix.contains("transient"));
/// ```
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Rule {
    /// Stable name, also shown by compile errors of the macros.
    pub name: &'static str,
    /// The key or field the rule points at.
    pub field: &'static str,
    /// What is wrong, in general terms.
    pub message: &'static str,
    /// How to fix it.
    pub fix: &'static str,
}

macro_rules! rule_table {
    ($($(#[$doc:meta])* $konst:ident = $name:literal, $field:literal, $message:literal, $fix:literal;)*) => {
        $(
            $(#[$doc])*
            pub const $konst: Rule = Rule { name: $name, field: $field, message: $message, fix: $fix };
        )*
        /// Every rule, in the order they are checked.
        pub const RULES: &[Rule] = &[$($konst),*];
    };
}

rule_table! {
    /// A child id must be non-empty and free of `/`, the path separator.
    INVALID_CHILD_ID = "invalid_child_id", "id",
        "a child id must be non-empty and must not contain `/`",
        "use a short name such as \"api\"";
    /// Two children of one supervisor share an id.
    DUPLICATE_CHILD_ID = "duplicate_child_id", "id",
        "two children of one supervisor have the same id",
        "give each child its own `id`";
    /// A child has neither a task nor a nested tree.
    NO_TASK = "no_task", "task",
        "the child has no task to run",
        "give it a task with `ChildSpec::task`, or a tree with `ChildSpec::supervisor`";
    /// A child has both a task and a nested tree.
    TASK_AND_TREE = "task_and_tree", "tree",
        "the child has both a task and a nested tree",
        "keep one: a nested tree runs as a `supervisor` child without a task";
    /// A nested tree on a child whose role is not `supervisor`.
    TREE_ROLE = "tree_role", "role",
        "a child that runs a nested tree must have role \"supervisor\"",
        "set role = \"supervisor\"";
    /// A job restarts permanently, so it would never finish.
    JOB_PERMANENT = "job_permanent", "restart",
        "a job cannot have restart = \"permanent\": it would run again after every success",
        "remove `restart` (jobs default to \"transient\"), or use role = \"service\" for a task that runs forever";
    /// A sidecar without a primary.
    SIDECAR_WITHOUT_PRIMARY = "sidecar_without_primary", "primary",
        "a sidecar must name the primary it serves",
        "add primary = <the id of the child it serves>";
    /// A primary on a child that is not a sidecar.
    PRIMARY_WITHOUT_SIDECAR = "primary_without_sidecar", "primary",
        "only a sidecar has a primary",
        "remove `primary`, or set role = \"sidecar\"";
    /// A sidecar's primary is itself a sidecar.
    PRIMARY_IS_SIDECAR = "primary_is_sidecar", "primary",
        "a sidecar's primary must not be a sidecar itself",
        "name the child the other sidecar serves as the primary";
    /// A sidecar's primary is not among its siblings.
    PRIMARY_NOT_IN_TREE = "primary_not_in_tree", "primary",
        "a sidecar's primary must be a child of the same supervisor",
        "name a sibling as the primary, or move the sidecar into the primary's supervisor";
    /// A sidecar starts before its primary.
    PRIMARY_STARTS_AFTER = "primary_starts_after", "primary",
        "a sidecar must start after its primary",
        "move the sidecar after its primary in the children list";
    /// A significant child restarts permanently (OTP forbids it).
    SIGNIFICANT_PERMANENT = "significant_permanent", "significant",
        "a significant child cannot have restart = \"permanent\": it never exits for good",
        "set restart = \"transient\" or \"temporary\", or drop `significant`";
    /// A temporary child has a backoff that could never apply.
    TEMPORARY_WITH_BACKOFF = "temporary_with_backoff", "backoff",
        "a temporary child is never restarted, so `backoff` would never apply",
        "remove `backoff`, or set restart = \"transient\"";
    /// A temporary child has a restart limit that could never apply.
    TEMPORARY_WITH_RESTART_LIMIT = "temporary_with_restart_limit", "restart_limit",
        "a temporary child is never restarted, so `restart_limit` would never apply",
        "remove `restart_limit`, or set restart = \"transient\"";
    /// Backoff starts above its ceiling.
    BACKOFF_INITIAL_ABOVE_MAX = "backoff_initial_above_max", "backoff.initial",
        "backoff `initial` is above `max`",
        "lower `initial` or raise `max` so that initial <= max";
    /// Backoff jitter is not a fraction.
    BACKOFF_JITTER_OUT_OF_RANGE = "backoff_jitter_out_of_range", "backoff.jitter",
        "backoff `jitter` must be within 0.0..=1.0",
        "use a fraction such as jitter = 0.2";
    /// Backoff that would shrink.
    BACKOFF_MULTIPLIER_BELOW_ONE = "backoff_multiplier_below_one", "backoff.multiplier",
        "backoff `multiplier` must be at least 1.0",
        "use multiplier = 1.0 for a constant delay, or 2.0 to double it";
    /// A restart limit that allows no restart.
    RESTART_LIMIT_ZERO_MAX = "restart_limit_zero_max", "restart_limit.max",
        "`restart_limit` with max = 0 allows no restart at all",
        "set max to 1 or more, or use restart = \"temporary\" for a child that is never restarted";
    /// A restart limit with an empty window.
    RESTART_LIMIT_ZERO_WINDOW = "restart_limit_zero_window", "restart_limit.within",
        "`restart_limit` with within = \"0s\" never counts a restart",
        "use a window such as within = \"60s\"";
    /// A deadline of zero.
    ZERO_DEADLINE = "zero_deadline", "timeout",
        "`timeout`, `ready_timeout` and `heartbeat` must be longer than zero",
        "give a positive duration such as \"10s\", or leave the key out";
    /// A heartbeat on a task that cannot send one.
    HEARTBEAT_WITHOUT_CONTEXT = "heartbeat_without_context", "heartbeat",
        "`heartbeat` needs a task that takes a `ChildContext` to call `ctx.heartbeat()`",
        "add a `ctx: ChildContext` argument and call `ctx.heartbeat()`, or remove `heartbeat`";
    /// A heartbeat on a nested tree, which has no task to send one.
    HEARTBEAT_ON_TREE = "heartbeat_on_tree", "heartbeat",
        "`heartbeat` needs a task that calls `ctx.heartbeat()`, and a nested tree has none: \
         it would be restarted as failed at every period",
        "remove `heartbeat` from the nested tree, and set it on the children inside it that call `ctx.heartbeat()`";
    /// A ready timeout on a task that cannot signal readiness.
    READY_TIMEOUT_WITHOUT_CONTEXT = "ready_timeout_without_context", "ready_timeout",
        "`ready_timeout` needs a task that takes a `ChildContext` to call `ctx.ready()`",
        "add a `ctx: ChildContext` argument and call `ctx.ready()`, or remove `ready_timeout`";
}

/// The rule with this name.
pub fn find(name: &str) -> Option<&'static Rule> {
    RULES.iter().find(|rule| rule.name == name)
}

/// One broken rule: which, where, and the particulars.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use supervisor_core::{ChildSpec, RestartLimit, SupervisorSpec, TaskRole, rules};
///
/// let app = SupervisorSpec::new("app").child(
///     ChildSpec::without_context("sync", TaskRole::Worker, || async {})
///         .restart_limit(RestartLimit::new(0, Duration::from_secs(60))),
/// );
/// let error = app.validate().unwrap_err();
/// let violation = &error.violations()[0];
/// assert_eq!(violation.rule, &rules::RESTART_LIMIT_ZERO_MAX);
/// assert_eq!(violation.path, "app/sync");
/// assert_eq!(violation.field, "restart_limit.max");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Violation {
    /// The rule broken.
    pub rule: &'static Rule,
    /// The path of the child (or supervisor) that breaks it, such as `app/api`.
    pub path: String,
    /// The field, such as `backoff.initial`.
    pub field: &'static str,
    /// The particulars, with the values involved.
    pub detail: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}`, field `{}`: {}; fix: {} [{}]",
            self.path, self.field, self.detail, self.rule.fix, self.rule.name
        )
    }
}

/// Error returned by [`SupervisorSpec::validate`] (and by starting a
/// supervisor): every rule the spec breaks.
///
/// # Examples
///
/// ```
/// use supervisor_core::{ChildSpec, RestartPolicy, SupervisorSpec, TaskRole};
///
/// let job = || ChildSpec::without_context("migrate", TaskRole::Job, || async {});
/// let app = SupervisorSpec::new("app")
///     .child(job().restart(RestartPolicy::Permanent))
///     .child(job());
/// let error = app.validate().unwrap_err();
/// assert_eq!(error.violations().len(), 2);
/// assert!(error.to_string().contains("[job_permanent]"));
/// assert!(error.to_string().contains("[duplicate_child_id]"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecError {
    violations: Vec<Violation>,
}

impl SpecError {
    /// Every violation, in tree order.
    pub fn violations(&self) -> &[Violation] {
        &self.violations
    }

    /// Whether `rule` is among the violations.
    pub fn breaks(&self, rule: &Rule) -> bool {
        self.violations.iter().any(|v| v.rule == rule)
    }
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.violations.as_slice() {
            [one] => write!(f, "invalid spec: {one}"),
            all => {
                write!(f, "invalid spec ({} problems):", all.len())?;
                for violation in all {
                    write!(f, "\n  - {violation}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for SpecError {}

impl From<Violation> for SpecError {
    fn from(violation: Violation) -> Self {
        SpecError {
            violations: vec![violation],
        }
    }
}

/// Collects violations while a tree is walked.
struct Findings {
    violations: Vec<Violation>,
}

impl Findings {
    fn report(&mut self, rule: &'static Rule, path: &str, field: &'static str, detail: String) {
        self.violations.push(Violation {
            rule,
            path: path.to_owned(),
            field,
            detail,
        });
    }
}

/// Checks a whole tree, nested trees included.
pub(crate) fn check_tree(spec: &SupervisorSpec) -> Result<(), SpecError> {
    let mut findings = Findings {
        violations: Vec::new(),
    };
    check_supervisor(spec, &spec.id, &mut findings);
    if findings.violations.is_empty() {
        Ok(())
    } else {
        Err(SpecError {
            violations: findings.violations,
        })
    }
}

fn check_supervisor(spec: &SupervisorSpec, path: &str, findings: &mut Findings) {
    check_limit(&spec.restart_limit, path, findings);
    let mut index_of: HashMap<&str, usize> = HashMap::with_capacity(spec.children.len());
    let mut child_path = String::with_capacity(path.len() + 32);
    for (index, child) in spec.children.iter().enumerate() {
        set_child_path(&mut child_path, path, &child.id);
        check_id(child, index, &mut index_of, &child_path, findings);
        check_child(child, &child_path, findings);
        if let Some(tree) = &child.tree {
            check_supervisor(tree, &child_path, findings);
        }
    }
    for (index, child) in spec.children.iter().enumerate() {
        if child.role == TaskRole::Sidecar {
            set_child_path(&mut child_path, path, &child.id);
            check_primary_in_tree(spec, child, index, &index_of, &child_path, findings);
        }
    }
}

/// Writes `parent/id` into `buffer`, reusing its allocation, so that a tree
/// with many children does not format a path per child and per pass.
fn set_child_path(buffer: &mut String, parent: &str, id: &str) {
    buffer.clear();
    buffer.push_str(parent);
    buffer.push('/');
    buffer.push_str(id);
}

/// `invalid_child_id` and `duplicate_child_id`.
fn check_id<'a>(
    child: &'a ChildSpec,
    index: usize,
    index_of: &mut HashMap<&'a str, usize>,
    path: &str,
    findings: &mut Findings,
) {
    if child.id.is_empty() || child.id.contains('/') {
        let detail = format!("children[{index}] has id {:?}", child.id);
        findings.report(&INVALID_CHILD_ID, path, "id", detail);
    }
    if let Some(first) = index_of.insert(&child.id, index) {
        index_of.insert(&child.id, first);
        let detail = format!(
            "children[{first}] and children[{index}] both have id {:?}",
            child.id
        );
        findings.report(&DUPLICATE_CHILD_ID, path, "id", detail);
    }
}

/// Every rule judged from one child alone.
fn check_child(child: &ChildSpec, path: &str, findings: &mut Findings) {
    check_task(child, path, findings);
    check_role(child, path, findings);
    check_restart(child, path, findings);
    if let Some(backoff) = &child.backoff {
        check_backoff(backoff, path, findings);
    }
    if let Some(limit) = &child.restart_limit {
        check_limit(limit, path, findings);
    }
    check_deadlines(child, path, findings);
}

/// `no_task`, `task_and_tree`, `tree_role`.
fn check_task(child: &ChildSpec, path: &str, findings: &mut Findings) {
    match (child.task_factory(), &child.tree) {
        (None, None) => {
            let detail = format!("child {:?} has no task and no nested tree", child.id);
            findings.report(&NO_TASK, path, "task", detail);
        }
        (Some(_), Some(_)) => {
            let detail = format!("child {:?} has a task and a nested tree", child.id);
            findings.report(&TASK_AND_TREE, path, "tree", detail);
        }
        (None, Some(_)) if child.role != TaskRole::Supervisor => {
            let detail = format!("a nested tree runs with role {:?}", child.role.as_str());
            findings.report(&TREE_ROLE, path, "role", detail);
        }
        _ => {}
    }
}

/// `job_permanent`, `sidecar_without_primary`, `primary_without_sidecar`.
fn check_role(child: &ChildSpec, path: &str, findings: &mut Findings) {
    if child.role == TaskRole::Job && child.restart == Some(RestartPolicy::Permanent) {
        let detail = JOB_PERMANENT.message.to_owned();
        findings.report(&JOB_PERMANENT, path, "restart", detail);
    }
    match (child.role, &child.primary) {
        (TaskRole::Sidecar, None) => {
            let detail = format!("sidecar {:?} names no primary", child.id);
            findings.report(&SIDECAR_WITHOUT_PRIMARY, path, "primary", detail);
        }
        (role, Some(primary)) if role != TaskRole::Sidecar => {
            let detail = format!("a {role} names primary {primary:?}");
            findings.report(&PRIMARY_WITHOUT_SIDECAR, path, "primary", detail);
        }
        _ => {}
    }
}

/// `significant_permanent`, `temporary_with_backoff`,
/// `temporary_with_restart_limit`.
fn check_restart(child: &ChildSpec, path: &str, findings: &mut Findings) {
    let restart = child.restart.unwrap_or(child.role.defaults().restart);
    if child.significant == Some(true) && restart == RestartPolicy::Permanent {
        let source = if child.restart.is_some() {
            "declared".to_owned()
        } else {
            format!("the default of role {:?}", child.role.as_str())
        };
        let detail = format!("significant child restarts \"permanent\" ({source})");
        findings.report(&SIGNIFICANT_PERMANENT, path, "significant", detail);
    }
    if restart == RestartPolicy::Temporary {
        if child.backoff.is_some() {
            let detail = TEMPORARY_WITH_BACKOFF.message.to_owned();
            findings.report(&TEMPORARY_WITH_BACKOFF, path, "backoff", detail);
        }
        if child.restart_limit.is_some() {
            let detail = TEMPORARY_WITH_RESTART_LIMIT.message.to_owned();
            findings.report(&TEMPORARY_WITH_RESTART_LIMIT, path, "restart_limit", detail);
        }
    }
}

/// `backoff_initial_above_max`, `backoff_jitter_out_of_range`,
/// `backoff_multiplier_below_one`.
fn check_backoff(backoff: &crate::spec::BackoffPolicy, path: &str, findings: &mut Findings) {
    use crate::spec::duration::format;
    if backoff.initial > backoff.max {
        let detail = format!(
            "backoff initial {} is above max {}",
            format(backoff.initial),
            format(backoff.max)
        );
        findings.report(&BACKOFF_INITIAL_ABOVE_MAX, path, "backoff.initial", detail);
    }
    if !(0.0..=1.0).contains(&backoff.jitter) {
        let detail = format!("backoff jitter is {}", backoff.jitter);
        findings.report(&BACKOFF_JITTER_OUT_OF_RANGE, path, "backoff.jitter", detail);
    }
    if backoff.multiplier.is_nan() || backoff.multiplier < 1.0 {
        let detail = format!("backoff multiplier is {}", backoff.multiplier);
        findings.report(
            &BACKOFF_MULTIPLIER_BELOW_ONE,
            path,
            "backoff.multiplier",
            detail,
        );
    }
}

/// `restart_limit_zero_max`, `restart_limit_zero_window`, for a child's
/// limit and a supervisor's own.
fn check_limit(limit: &RestartLimit, path: &str, findings: &mut Findings) {
    if limit.max == 0 {
        let detail = "restart_limit max is 0".to_owned();
        findings.report(&RESTART_LIMIT_ZERO_MAX, path, "restart_limit.max", detail);
    }
    if limit.within.is_zero() {
        let detail = "restart_limit within is 0s".to_owned();
        findings.report(
            &RESTART_LIMIT_ZERO_WINDOW,
            path,
            "restart_limit.within",
            detail,
        );
    }
}

/// `zero_deadline`, `heartbeat_without_context`, `heartbeat_on_tree`,
/// `ready_timeout_without_context`.
fn check_deadlines(child: &ChildSpec, path: &str, findings: &mut Findings) {
    let deadlines: [(&'static str, Option<Duration>); 3] = [
        ("timeout", child.timeout),
        ("ready_timeout", child.ready_timeout),
        ("heartbeat", child.heartbeat),
    ];
    for (field, value) in deadlines {
        if value == Some(Duration::ZERO) {
            findings.report(&ZERO_DEADLINE, path, field, format!("{field} is 0s"));
        }
    }
    let Some(task) = child.task_factory() else {
        if child.tree.is_some() && child.heartbeat.is_some() {
            let detail = format!("nested tree {:?} has a heartbeat", child.id);
            findings.report(&HEARTBEAT_ON_TREE, path, "heartbeat", detail);
        }
        return;
    };
    if task.uses_context() {
        return;
    }
    if child.heartbeat.is_some() {
        let detail = format!("child {:?} takes no ChildContext", child.id);
        findings.report(&HEARTBEAT_WITHOUT_CONTEXT, path, "heartbeat", detail);
    }
    if child.ready_timeout.is_some() {
        let detail = format!("child {:?} takes no ChildContext", child.id);
        findings.report(
            &READY_TIMEOUT_WITHOUT_CONTEXT,
            path,
            "ready_timeout",
            detail,
        );
    }
}

/// `primary_not_in_tree`, `primary_starts_after`, `primary_is_sidecar`.
fn check_primary_in_tree(
    spec: &SupervisorSpec,
    child: &ChildSpec,
    index: usize,
    index_of: &HashMap<&str, usize>,
    path: &str,
    findings: &mut Findings,
) {
    let (TaskRole::Sidecar, Some(primary)) = (child.role, &child.primary) else {
        return;
    };
    let Some(&primary_index) = index_of.get(primary.as_str()) else {
        let detail = format!("primary {primary:?} is not a child of {:?}", spec.id);
        findings.report(&PRIMARY_NOT_IN_TREE, path, "primary", detail);
        return;
    };
    if primary_index > index {
        let detail = format!(
            "sidecar is children[{index}] but its primary {primary:?} is children[{primary_index}]"
        );
        findings.report(&PRIMARY_STARTS_AFTER, path, "primary", detail);
    }
    if spec.children[primary_index].role == TaskRole::Sidecar {
        let detail = format!("primary {primary:?} is a sidecar");
        findings.report(&PRIMARY_IS_SIDECAR, path, "primary", detail);
    }
}

/// Checks a child added at run time to the supervisor at `parent`, whose
/// current children's roles `sibling_role` looks up by id. The child joins
/// at the end of the start order.
pub(crate) fn check_addition(
    parent: &str,
    child: &ChildSpec,
    sibling_role: impl Fn(&str) -> Option<TaskRole>,
) -> Result<(), SpecError> {
    let mut findings = Findings {
        violations: Vec::new(),
    };
    let path = format!("{parent}/{}", child.id);
    let mut index_of = HashMap::new();
    check_id(child, 0, &mut index_of, &path, &mut findings);
    if sibling_role(&child.id).is_some() {
        let detail = format!("a child with id {:?} already exists", child.id);
        findings.report(&DUPLICATE_CHILD_ID, &path, "id", detail);
    }
    check_child(child, &path, &mut findings);
    if let Some(tree) = &child.tree {
        check_supervisor(tree, &path, &mut findings);
    }
    if let (TaskRole::Sidecar, Some(primary)) = (child.role, &child.primary) {
        match sibling_role(primary) {
            None => {
                let detail = format!("primary {primary:?} is not a child of {parent:?}");
                findings.report(&PRIMARY_NOT_IN_TREE, &path, "primary", detail);
            }
            Some(TaskRole::Sidecar) => {
                let detail = format!("primary {primary:?} is a sidecar");
                findings.report(&PRIMARY_IS_SIDECAR, &path, "primary", detail);
            }
            Some(_) => {}
        }
    }
    if findings.violations.is_empty() {
        Ok(())
    } else {
        Err(SpecError {
            violations: findings.violations,
        })
    }
}
