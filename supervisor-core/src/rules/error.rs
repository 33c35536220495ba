//! What a spec that breaks rules gives back: every [`Violation`], in a
//! [`SpecError`].

use std::fmt;

use super::Rule;

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
            "`{}`, field `{}`: {}",
            self.path,
            self.field,
            self.rule.explain(&self.detail)
        )
    }
}

/// Error returned by [`SupervisorSpec::validate`] (and by starting a
/// supervisor): every rule the spec breaks.
///
/// [`SupervisorSpec::validate`]: crate::SupervisorSpec::validate
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
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::{ChildSpec, RestartPolicy, SupervisorSpec, TaskRole};
    ///
    /// let job = ChildSpec::without_context("migrate", TaskRole::Job, || async {})
    ///     .restart(RestartPolicy::Permanent);
    /// let error = SupervisorSpec::new("app").child(job).validate().unwrap_err();
    /// let violation = &error.violations()[0];
    /// assert_eq!((violation.path.as_str(), violation.field), ("app/migrate", "restart"));
    /// ```
    pub fn violations(&self) -> &[Violation] {
        &self.violations
    }

    /// Whether `rule` is among the violations.
    ///
    /// # Examples
    ///
    /// ```
    /// use supervisor_core::{ChildSpec, RestartPolicy, SupervisorSpec, TaskRole, rules};
    ///
    /// let job = ChildSpec::without_context("migrate", TaskRole::Job, || async {})
    ///     .restart(RestartPolicy::Permanent);
    /// let error = SupervisorSpec::new("app").child(job).validate().unwrap_err();
    /// assert!(error.breaks(rules::find("job_permanent").unwrap()));
    /// ```
    pub fn breaks(&self, rule: &Rule) -> bool {
        self.violations.iter().any(|v| v.rule == rule)
    }

    /// `Ok` if `violations` is empty, else the error holding them.
    pub(crate) fn from_findings(violations: Vec<Violation>) -> Result<(), SpecError> {
        if violations.is_empty() {
            Ok(())
        } else {
            Err(SpecError { violations })
        }
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
